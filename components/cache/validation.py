"""Pure checks of `CacheArgs`: each raises ValueError naming the argument and what is allowed."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from social_components.checks import check_client, check_windows_apart

if TYPE_CHECKING:
    from social_components.cache.args import CacheArgs

ENGINE = "valkey"
_GROUP_ID = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,39}(?<!-)$")
_NODE_TYPE = re.compile(r"^cache\.[a-z0-9]+\.[a-z0-9]+$")
_TOKEN_FORBIDDEN = set(' "/@')


def parameter_group_family(engine_version: str) -> str:
    """The parameter group family of a Valkey version: 8.0 → valkey8 (Valkey 7.2 → valkey7)."""
    match = re.fullmatch(r"(\d+)\.(\d+)", engine_version)
    if not match or int(match[1]) < 7 or (int(match[1]) == 7 and int(match[2]) != 2):
        raise ValueError(
            "engine_version must be a pinned Valkey 'major.minor': 7.2 or 8.0 and later"
            f" (got {engine_version!r})"
        )
    return f"{ENGINE}{match[1]}"


def check_group_id(name: str) -> None:
    """Replication group ids: 1 to 40 lowercase letters, digits and single hyphens, starting with a letter."""
    if not _GROUP_ID.match(name):
        raise ValueError(
            f"name {name!r} cannot be a replication group id: use 1 to 40 lowercase letters, digits and"
            " single hyphens, starting with a letter and not ending with a hyphen"
        )


def check_replicas(replicas: int, enable_multi_az: bool) -> None:
    if not 0 <= replicas <= 5:
        raise ValueError(f"replicas must be 0 to 5 (got {replicas})")
    if enable_multi_az and replicas < 1:
        raise ValueError("enable_multi_az needs replicas ≥ 1: failover needs a replica in another AZ")


def check_auth_token(token: object) -> None:
    """ElastiCache AUTH tokens: 16 to 128 printable ASCII characters without space, '"', '/' or '@'.
    The message never repeats the token. (An Output cannot be checked before it resolves.)"""
    if not isinstance(token, str):
        return
    printable = all(33 <= ord(ch) <= 126 for ch in token)
    if not 16 <= len(token) <= 128 or not printable or _TOKEN_FORBIDDEN & set(token):
        raise ValueError(
            f"auth_token must be 16 to 128 printable ASCII characters without space, '\"', '/' or '@'"
            f" (got {len(token)} characters)"
        )


def check_windows(snapshot_window: str, maintenance_window: str) -> None:
    """ElastiCache: both windows at least 60 minutes, UTC, and apart."""
    check_windows_apart(
        "snapshot_window",
        snapshot_window,
        "maintenance_window",
        maintenance_window,
        daily_min=60,
        weekly_min=60,
    )


def check_args(name: str, args: CacheArgs) -> None:
    """Every check of a `Cache`'s name and args, before any resource is declared."""
    check_group_id(name)
    parameter_group_family(args.engine_version)
    if not _NODE_TYPE.match(args.node_type):
        raise ValueError(f"node_type must look like 'cache.r7g.large' (got {args.node_type!r})")
    check_replicas(args.replicas, args.enable_multi_az)
    if not 0 <= args.snapshot_retention_days <= 35:
        raise ValueError(f"snapshot_retention_days must be 0 to 35 (got {args.snapshot_retention_days})")
    check_windows(args.snapshot_window, args.maintenance_window)
    check_auth_token(args.auth_token)
    for client, security_group_id in args.client_security_group_ids.items():
        check_client(client, security_group_id)
