"""Pure checks shared by the components' validation modules (no Pulumi needed).

- Maintenance and backup windows as RDS and ElastiCache spell them (UTC): a *daily* window is
  ``hh24:mi-hh24:mi`` (backups, snapshots), a *weekly* one ``ddd:hh24:mi-ddd:hh24:mi``
  (maintenance). A backup window that overlaps the maintenance window is refused before AWS does.
- Client security groups for intent methods like ``allow_from``: a stable name and a security
  group id, never an address range.
- `deep_merge`: settings layered over defaults (config tier defaults, add-on value overrides).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY, _WEEK = 24 * 60, 7 * 24 * 60
_TIME = r"([01]\d|2[0-3]):([0-5]\d)"
DAILY_PATTERN = rf"^{_TIME}-{_TIME}$"
WEEKLY_PATTERN = rf"^({'|'.join(DAYS)}):{_TIME}-({'|'.join(DAYS)}):{_TIME}$"

_SECURITY_GROUP_ID = re.compile(r"^sg-[0-9a-f]{8,17}$")
_CLIENT_NAME = re.compile(r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$")

Interval = tuple[int, int]
"""Minutes from Monday 00:00 UTC, [start, end)."""


def daily_window(arg: str, value: str, min_minutes: int = 30) -> tuple[int, int]:
    """(start, length) in minutes of a daily window; ValueError naming `arg` if malformed or too short."""
    match = re.match(DAILY_PATTERN, value)
    if not match:
        raise ValueError(
            f"{arg} must look like 'hh24:mi-hh24:mi' in UTC, for example '01:00-02:00' (got {value!r})"
        )
    start = int(match[1]) * 60 + int(match[2])
    length = (int(match[3]) * 60 + int(match[4]) - start) % _DAY
    if length < min_minutes:
        raise ValueError(f"{arg} must last at least {min_minutes} minutes (got {value!r})")
    return start, length


def weekly_window(arg: str, value: str, min_minutes: int = 30) -> tuple[int, int]:
    """(start, length) in minutes of the week of a weekly window; ValueError naming `arg` if bad."""
    match = re.match(WEEKLY_PATTERN, value)
    if not match:
        raise ValueError(
            f"{arg} must look like 'ddd:hh24:mi-ddd:hh24:mi' in UTC, for example 'sun:03:00-sun:04:00'"
            f" (got {value!r})"
        )
    start = DAYS.index(match[1]) * _DAY + int(match[2]) * 60 + int(match[3])
    end = DAYS.index(match[4]) * _DAY + int(match[5]) * 60 + int(match[6])
    length = (end - start) % _WEEK
    if length < min_minutes:
        raise ValueError(f"{arg} must last at least {min_minutes} minutes (got {value!r})")
    return start, length


def _intervals(start: int, length: int, period: int, repeat: int) -> list[Interval]:
    """The window's occurrences in one week, split at the week's end."""
    out: list[Interval] = []
    for day in range(repeat):
        begin = (start + day * period) % _WEEK
        end = begin + length
        out.extend([(begin, _WEEK), (0, end - _WEEK)] if end > _WEEK else [(begin, end)])
    return out


def check_windows_apart(
    daily_arg: str, daily: str, weekly_arg: str, weekly: str, *, daily_min: int = 30, weekly_min: int = 30
) -> None:
    """Both windows well-formed and the weekly one clear of every day's daily one."""
    d_start, d_len = daily_window(daily_arg, daily, daily_min)
    w_start, w_len = weekly_window(weekly_arg, weekly, weekly_min)
    days = _intervals(d_start, d_len, _DAY, 7)
    week = _intervals(w_start, w_len, _WEEK, 1)
    if any(a < d and c < b for a, b in days for c, d in week):
        raise ValueError(f"{weekly_arg} {weekly!r} overlaps {daily_arg} {daily!r}; AWS needs them apart")


def check_client(name: str, security_group_id: object) -> None:
    """`allow_from(name, security_group_id)` takes a named security group, never an address range.
    (An Output cannot be checked before it resolves; a plain string must look like an SG id.)"""
    if not _CLIENT_NAME.match(name):
        raise ValueError(
            f"client name {name!r} must be 2 to 32 lowercase letters, digits and hyphens (e.g. 'nodes')"
        )
    if isinstance(security_group_id, str) and not _SECURITY_GROUP_ID.match(security_group_id):
        raise ValueError(
            f"allow_from({name!r}) takes a security group id like 'sg-0123456789abcdef0', never a CIDR"
            f" or a name (got {security_group_id!r})"
        )


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`base` with `override` merged in key by key: nested mappings merge, anything else replaces."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged
