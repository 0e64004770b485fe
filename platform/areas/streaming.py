"""Streaming area: the `streaming` section (IVS channels and chat rooms), its tier defaults, prod
lock and checks, and the build step: the `Streaming` component in the stack's primary region.

Config → args in one place: a channel's own `type` / `recording` win over the section's tier
defaults. Streaming runs in the primary region only, also in prod: IVS ingests and plays back
through AWS's global network whichever region hosts the channel, and a channel's stream key and
playback URL belong to one region, so a second region would mean a second set of channels the app
would have to fail over to (not built; see docs/adr/0008).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Annotated, Any, Literal

import pulumi
from pydantic import Field

from social_components.streaming import ChannelArgs, ChatRoomArgs, Streaming, StreamingArgs, validation
from social_platform import aws_region_data
from social_platform.areas.backup import tags_for
from social_platform.areas.base import ProdLock, RetentionDays, Section, Slug, StrictModel, Tier
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

ChannelType = Literal["BASIC", "STANDARD", "ADVANCED_SD", "ADVANCED_HD"]


class StreamingChannel(StrictModel):
    """One IVS channel the platform owns (creators' channels are made by the backend at run time)."""

    type: ChannelType | None = None
    """IVS channel type. Unset: `streaming.channel_type` (tier default)."""
    latency_mode: Literal["LOW", "NORMAL"] = "LOW"
    """LOW for interactive streams (a few seconds); NORMAL buffers more for steadier playback."""
    authorized: bool = False
    """Private channel: viewers need a playback token; needs `streaming.playback_public_key`."""
    recording: bool | None = None
    """Record every stream to the recording bucket. Unset: `streaming.recording` (tier default)."""


class StreamingChatRoom(StrictModel):
    """One IVS Chat room; its messages are logged to the streaming chat log group."""

    maximum_message_length: Annotated[int, Field(ge=1, le=500)] = 500
    """Longest message accepted, in characters."""
    maximum_message_rate_per_second: Annotated[int, Field(ge=1, le=100)] = 10
    """Messages per second the room accepts in total."""


class StreamingConfig(Section):
    KEY = "streaming"
    TIER_DEFAULTS = {
        Tier.dev: {
            "channel_type": "BASIC",
            "recording": False,
            "recording_expiration_days": 7,
            "recording_transition_days": None,
            "recording_versioning": False,
            "chat_log_retention_days": 7,
        },
        Tier.staging: {
            "channel_type": "STANDARD",
            "recording": True,
            "recording_expiration_days": 30,
            "recording_transition_days": None,
            "recording_versioning": True,
            "chat_log_retention_days": 30,
        },
        Tier.prod: {
            "channel_type": "STANDARD",
            "recording": True,
            "recording_expiration_days": None,
            "recording_transition_days": 30,
            "recording_versioning": True,
            "chat_log_retention_days": 90,
        },
    }
    PROD_LOCKS = {"recording_versioning": ProdLock(lambda v: v is True, "true")}

    channel_type: ChannelType
    """Default IVS channel type (tier default: BASIC in dev, STANDARD otherwise)."""
    recording: bool
    """Whether channels record to S3 unless a channel says otherwise (tier default: off in dev)."""
    channels: dict[Slug, StreamingChannel] = {"live": StreamingChannel()}
    """Platform-owned channels by stable name. Default: one public channel `live` for the platform's
    own broadcasts; creators' channels are created by the backend at run time."""
    chat_rooms: dict[Slug, StreamingChatRoom] = {"live": StreamingChatRoom()}
    """IVS Chat rooms by stable name. Default: one room `live` beside the `live` channel."""
    playback_public_key: str | None = None
    """PEM of the ECDSA P-384 public key that verifies playback tokens of authorized channels (the
    backend signs with the private half, which never enters config). Unset: no playback key pair, and
    no channel may be `authorized`."""
    recording_expiration_days: Annotated[int, Field(ge=1)] | None
    """Delete recordings after this many days (tier default: dev 7, staging 30; prod keeps them).
    Unset: recordings are kept."""
    recording_transition_days: Annotated[int, Field(ge=1)] | None
    """Move recordings to S3 Intelligent-Tiering after this many days (tier default: prod 30).
    Unset: recordings stay in S3 Standard."""
    recording_versioning: bool
    """Keep overwritten or deleted recordings for 30 days as noncurrent versions (tier default: off
    in dev; prod may not turn it off)."""
    chat_log_retention_days: RetentionDays
    """Retention of the chat message log (tier default: dev 7, staging 30, prod 90)."""


@cache
def ivs_regions() -> tuple[str, ...]:
    """Regions that offer both IVS and IVS Chat, from botocore's endpoint data (shipped in
    `aws_region_data`)."""
    return tuple(sorted(set(aws_region_data.REGIONS["ivs"]) & set(aws_region_data.REGIONS["ivschat"])))


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """IVS in the primary region, the recording lifecycle, the playback key and private channels."""
    streaming = cfg.section(StreamingConfig)
    if not streaming.enabled:
        return
    primary = cfg.regions.primary
    region = primary.name
    if region not in ivs_regions():
        yield ConfigIssue(
            primary.key,
            f"streaming needs IVS and IVS Chat, which {region} does not offer; "
            f"regions that do: {', '.join(ivs_regions())} (or set streaming.enabled: false)",
        )
    try:
        validation.check_recording_lifecycle(
            streaming.recording_expiration_days, streaming.recording_transition_days
        )
    except ValueError as exc:
        yield ConfigIssue("streaming.recording_expiration_days", str(exc))
    if streaming.playback_public_key is not None:
        try:
            validation.check_playback_public_key(streaming.playback_public_key)
        except ValueError as exc:
            yield ConfigIssue("streaming.playback_public_key", str(exc))
    for name, channel in streaming.channels.items():
        if channel.authorized and streaming.playback_public_key is None:
            yield ConfigIssue(
                f"streaming.channels.{name}.authorized",
                "a private channel needs streaming.playback_public_key (the ECDSA P-384 public key that "
                "verifies viewers' playback tokens); set it or make the channel public",
            )


# ---------------------------------------------------------------------------------------------
# Build


def streaming_args(section: StreamingConfig, backup_tags: Mapping[str, str] | None = None) -> StreamingArgs:
    """The component's args; `backup_tags` go on the recording bucket where it is versioned (AWS
    Backup backs up versioned buckets only)."""
    return StreamingArgs(
        channels={
            name: ChannelArgs(
                type=channel.type or section.channel_type,
                latency_mode=channel.latency_mode,
                authorized=channel.authorized,
                enable_recording=section.recording if channel.recording is None else channel.recording,
            )
            for name, channel in section.channels.items()
        },
        chat_rooms={
            name: ChatRoomArgs(
                maximum_message_length=room.maximum_message_length,
                maximum_message_rate_per_second=room.maximum_message_rate_per_second,
            )
            for name, room in section.chat_rooms.items()
        },
        playback_public_key=section.playback_public_key,
        recording_expiration_days=section.recording_expiration_days,
        recording_transition_days=section.recording_transition_days,
        enable_recording_versioning=section.recording_versioning,
        backup_tags=dict(backup_tags or {}) if section.recording_versioning else {},
        chat_log_retention_days=section.chat_log_retention_days,
    )


def build(platform: Platform) -> Streaming | None:
    """The stack's `Streaming` component, or None where the section is off (the shared stack)."""
    section = platform.cfg.section(StreamingConfig)
    if not section.enabled:
        return None
    return Streaming(
        "streaming",
        streaming_args(section, tags_for(platform.cfg)),
        protect=platform.protect,
        opts=pulumi.ResourceOptions(provider=platform.providers.primary),
    )


def outputs(streaming: Streaming | None) -> dict[str, Any]:
    """Stack outputs: what the app and operators need. Stream keys only in a secret output."""
    if streaming is None:
        return {}
    return {
        "streaming": {
            "channels": {
                name: {
                    "arn": streaming.channel_arns[name],
                    "ingest_endpoint": streaming.ingest_endpoints[name],
                    "playback_url": streaming.playback_urls[name],
                }
                for name in streaming.channels
            },
            "chat_rooms": {name: {"arn": arn} for name, arn in streaming.chat_room_arns.items()},
            "recording_bucket": streaming.recording_bucket.bucket,
            "recording_configuration_arn": streaming.recording_configuration.arn,
            "playback_key_pair_arn": (
                streaming.playback_key_pair.arn if streaming.playback_key_pair is not None else None
            ),
            "events_queue_url": streaming.events_queue.url,
            "events_dead_letter_queue_url": streaming.events_dead_letter_queue.url,
            "backend_policy_arn": streaming.backend_policy.arn,
        },
        "streaming_stream_keys": streaming.stream_keys,
    }
