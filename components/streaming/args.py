"""Arguments of the `Streaming` component (Amazon IVS live video and IVS Chat)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

ChannelType = Literal["BASIC", "STANDARD", "ADVANCED_SD", "ADVANCED_HD"]
"""IVS channel types: BASIC passes the source through (one rendition, cheapest); STANDARD transcodes
to several renditions for adaptive bitrate, up to 1080p; ADVANCED_SD and ADVANCED_HD transcode with
AWS's more efficient encoding, capped at 480p and 720p."""

LatencyMode = Literal["LOW", "NORMAL"]
"""LOW: a few seconds glass to glass, for streams where creators talk with their chat; NORMAL:
more buffering and steadier playback for streams nobody interacts with."""

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
"""The retention values CloudWatch Logs accepts."""


@dataclass(frozen=True)
class ChannelArgs:
    """One IVS channel."""

    type: ChannelType = "STANDARD"
    """Channel type (transcoding and cost)."""
    latency_mode: LatencyMode = "LOW"
    """Video latency mode."""
    authorized: bool = False
    """Private channel: viewers need a playback token signed with the private half of the
    playback key pair (`StreamingArgs.playback_public_key`). Unset: anyone with the URL may watch."""
    enable_recording: bool = False
    """Record every stream of this channel to the recording bucket. Unset: streams are not kept."""


@dataclass(frozen=True)
class ChatRoomArgs:
    """One IVS Chat room. Every room logs its messages to the component's chat log group."""

    maximum_message_length: int = 500
    """Longest message accepted, in characters (1 to 500)."""
    maximum_message_rate_per_second: int = 10
    """Messages per second the room accepts in total (1 to 100)."""


@dataclass(frozen=True)
class StreamingArgs:
    """What to build. Everything lives in the region of the provider the component is given."""

    channels: Mapping[str, ChannelArgs] = field(default_factory=dict)
    """Channels the platform owns, keyed by stable names (lowercase, digits, hyphens). Unset: none;
    the backend still creates creators' channels at run time with `backend_policy`."""
    chat_rooms: Mapping[str, ChatRoomArgs] = field(default_factory=dict)
    """Chat rooms, keyed by stable names. Unset: none; the backend may create rooms at run time."""
    playback_public_key: str | None = None
    """PEM of an ECDSA P-384 public key, imported as the playback key pair that verifies playback
    tokens of authorized channels. Unset: no key pair, and no channel may be `authorized`."""
    recording_bucket_name: str | None = None
    """Name of the recording bucket. Unset: derived by Pulumi from the component name."""
    recording_expiration_days: int | None = None
    """Delete recordings this many days after they were written. Unset: recordings are kept."""
    recording_transition_days: int | None = None
    """Move recordings to S3 Intelligent-Tiering this many days after they were written.
    Unset: recordings stay in S3 Standard."""
    enable_recording_versioning: bool = True
    """Keep overwritten or deleted recordings as noncurrent versions for 30 days. Off: a delete is final."""
    backup_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags that put the recording bucket under a backup plan (`social_components.backup`: for
    example ``{"BackupPlan": "prod"}``); needs `enable_recording_versioning` (AWS Backup backs up
    versioned buckets only). Unset: no backup plan selects it by tag."""
    thumbnail_interval_seconds: int = 60
    """Recorded streams get a thumbnail every this many seconds (1 to 60); thumbnails are always on."""
    chat_log_retention_days: int = 90
    """Retention of the chat message log group (a value CloudWatch Logs accepts)."""
