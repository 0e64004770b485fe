"""Live video: the `Streaming` component (IVS + IVS Chat) in the stack's primary region.

Config → args in one place: a channel's own `type` / `recording` win over the section's tier
defaults. Streaming runs in the primary region only, also in prod: IVS ingests and plays back
through AWS's global network whichever region hosts the channel, and a channel's stream key and
playback URL belong to one region, so a second region would mean a second set of channels the app
would have to fail over to (not built; see docs/components/streaming.md).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from social_components.streaming import ChannelArgs, ChatRoomArgs, Streaming, StreamingArgs
from social_platform.config import StreamingConfig

if TYPE_CHECKING:
    from social_platform.program import Platform


def streaming_args(section: StreamingConfig) -> StreamingArgs:
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
        chat_log_retention_days=section.chat_log_retention_days,
    )


def build_streaming(platform: Platform) -> Streaming | None:
    """The stack's `Streaming` component, or None where the section is off (the shared stack)."""
    section = platform.cfg.streaming
    if not section.enabled:
        return None
    return Streaming(
        "streaming",
        streaming_args(section),
        protect=platform.protect,
        opts=pulumi.ResourceOptions(provider=platform.providers.primary),
    )


def streaming_outputs(streaming: Streaming | None) -> dict[str, Any]:
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
