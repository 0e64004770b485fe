"""Pure checks of `StreamingArgs`, usable without Pulumi (the platform's config check calls them too).

Each `check_*` raises `ValueError` saying what is wrong and what is allowed; `validate` runs them all
and prefixes the argument's name.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any

from .args import LOG_RETENTION_DAYS, ChannelArgs, ChatRoomArgs, StreamingArgs

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")

# DER prefix of a SubjectPublicKeyInfo holding an uncompressed point on NIST P-384:
# SEQUENCE(118) { SEQUENCE(16) { OID ecPublicKey, OID secp384r1 }, BIT STRING(98) 0x00 0x04 ... }.
_P384_SPKI_PREFIX = bytes.fromhex("3076301006072a8648ce3d020106052b81040022036200" + "04")
_P384_SPKI_LENGTH = 120
_PEM = re.compile(r"^-----BEGIN ([A-Z ]+)-----\s*([A-Za-z0-9+/=\s]+?)\s*-----END \1-----\s*$")


def check_name(name: str) -> None:
    """Keys of `channels` and `chat_rooms` become resource names: keep them stable and simple."""
    if not NAME_PATTERN.match(name):
        raise ValueError(
            f"{name!r} is not allowed; use 3 to 32 lowercase letters, digits and hyphens, "
            "starting with a letter"
        )


def check_playback_public_key(pem: str) -> None:
    """IVS verifies playback tokens (ES384 JWTs) with an imported ECDSA P-384 public key in PEM."""
    match = _PEM.match(pem.strip())
    if match is None:
        raise ValueError("is not PEM; allowed: an ECDSA P-384 public key (-----BEGIN PUBLIC KEY----- …)")
    label = match.group(1)
    if "PRIVATE" in label:
        raise ValueError(
            "is a PRIVATE key; never put it in config. Give the public half "
            "(openssl ec -in private.pem -pubout); the backend keeps the private key to sign tokens"
        )
    if label != "PUBLIC KEY":
        raise ValueError(f"is a PEM {label!r}; allowed: -----BEGIN PUBLIC KEY----- (ECDSA P-384)")
    try:
        der = base64.b64decode("".join(match.group(2).split()), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("has a body that is not valid base64") from None
    if len(der) != _P384_SPKI_LENGTH or not der.startswith(_P384_SPKI_PREFIX):
        raise ValueError(
            "is not an ECDSA P-384 (secp384r1) public key, the only kind IVS accepts "
            "(openssl ecparam -name secp384r1 -genkey -noout -out private.pem)"
        )


def check_channel(channel: ChannelArgs, *, has_playback_key: bool) -> None:
    if channel.authorized and not has_playback_key:
        raise ValueError(
            "an authorized (private) channel needs playback_public_key: without a playback key pair "
            "no viewer token can be verified; set the key or make the channel public"
        )


def check_chat_room(room: ChatRoomArgs) -> None:
    if not 1 <= room.maximum_message_length <= 500:
        raise ValueError(f"maximum_message_length {room.maximum_message_length} is not allowed; 1 to 500")
    if not 1 <= room.maximum_message_rate_per_second <= 100:
        raise ValueError(
            f"maximum_message_rate_per_second {room.maximum_message_rate_per_second} is not allowed; 1 to 100"
        )


def check_recording_lifecycle(expiration_days: int | None, transition_days: int | None) -> None:
    for days in (expiration_days, transition_days):
        if days is not None and days < 1:
            raise ValueError(f"{days} days is not allowed; 1 or more, or unset")
    if expiration_days is not None and transition_days is not None and expiration_days <= transition_days:
        raise ValueError(
            f"recordings would expire ({expiration_days} days) before they move to Intelligent-Tiering "
            f"({transition_days} days); S3 rejects that. Expire later, or leave the transition unset"
        )


def check_thumbnail_interval(seconds: int) -> None:
    if not 1 <= seconds <= 60:
        raise ValueError(f"{seconds} is not allowed; 1 to 60 seconds")


def check_log_retention(days: int) -> None:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"{days} is not allowed; one of {', '.join(map(str, LOG_RETENTION_DAYS))}")


def _under(field: str, check: Callable[..., None], *values: Any, **options: Any) -> None:
    try:
        check(*values, **options)
    except ValueError as exc:
        raise ValueError(f"StreamingArgs.{field}: {exc}") from None


def validate(args: StreamingArgs) -> None:
    """Every check on `args`; the message starts with the argument's name."""
    has_playback_key = args.playback_public_key is not None
    for name, channel in args.channels.items():
        _under("channels", check_name, name)
        _under(f"channels[{name!r}]", check_channel, channel, has_playback_key=has_playback_key)
    for name, room in args.chat_rooms.items():
        _under("chat_rooms", check_name, name)
        _under(f"chat_rooms[{name!r}]", check_chat_room, room)
    if args.playback_public_key is not None:
        _under("playback_public_key", check_playback_public_key, args.playback_public_key)
    if args.backup_tags and not args.enable_recording_versioning:
        raise ValueError(
            "backup_tags: AWS Backup backs up versioned S3 buckets only; set enable_recording_versioning"
        )
    _under(
        "recording_expiration_days",
        check_recording_lifecycle,
        args.recording_expiration_days,
        args.recording_transition_days,
    )
    _under("thumbnail_interval_seconds", check_thumbnail_interval, args.thumbnail_interval_seconds)
    _under("chat_log_retention_days", check_log_retention, args.chat_log_retention_days)
