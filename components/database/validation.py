"""Pure checks of `DatabaseArgs`: each raises ValueError naming the argument and what is allowed."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

from social_components.checks import check_client, check_windows_apart

if TYPE_CHECKING:
    from social_components.database.args import DatabaseArgs

SERVERLESS = "db.serverless"
"""The instance class of Aurora Serverless v2 instances."""

AUTO_PAUSE_SINCE = {13: (13, 15), 14: (14, 12), 15: (15, 7), 16: (16, 3)}
"""First Aurora PostgreSQL version of each major that scales to 0 ACU (auto-pause); 17+ all do."""

SERVERLESS_MAX_CONNECTIONS: tuple[tuple[float, int], ...] = (
    (1, 189),
    (4, 823),
    (8, 1669),
    (16, 3360),
    (32, 5000),
)
"""Aurora PostgreSQL's default ``max_connections`` of a Serverless v2 instance by the cluster's
maximum ACUs: the table "Maximum connections for Aurora Serverless v2" of the Aurora User Guide
(Performance and scaling for Aurora Serverless v2); 64 and 128 ACUs give 5,000 as well."""
SERVERLESS_MAX_CONNECTIONS_LIMIT = 5000
SERVERLESS_LOW_MINIMUM_LIMIT = 2000
"""``max_connections`` when the minimum capacity is 0.5 ACUs (or 0) on Aurora PostgreSQL, whatever
the maximum (the same page)."""

_IDENTIFIER = re.compile(r"^[a-z](?!.*--)[a-z0-9-]{0,62}(?<!-)$")
_DB_USER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def engine_version_parts(engine_version: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{2})\.(\d{1,2})", engine_version)
    if not match:
        raise ValueError(
            f"engine_version must be a pinned 'major.minor' such as '16.6' (got {engine_version!r})"
        )
    return int(match[1]), int(match[2])


def parameter_group_family(engine_version: str) -> str:
    """The parameter group family of an Aurora PostgreSQL version: 16.6 → aurora-postgresql16."""
    major, _ = engine_version_parts(engine_version)
    return f"aurora-postgresql{major}"


def serverless_max_connections(min_acu: float, max_acu: float) -> int:
    """Aurora PostgreSQL's default ``max_connections`` for a Serverless v2 cluster of this capacity
    range. Aurora evaluates its formula (``LEAST(DBInstanceClassMemory/9531392, 5000)``) with the
    memory of the *maximum* ACUs; the guide tabulates it (`SERVERLESS_MAX_CONNECTIONS`). Between its
    rows the value is interpolated linearly (the formula is linear in memory, memory in ACUs); from
    32 ACUs it is 5,000; with a minimum below 1 ACU it is at most 2,000."""
    rows = SERVERLESS_MAX_CONNECTIONS
    if max_acu >= rows[-1][0]:
        value = float(SERVERLESS_MAX_CONNECTIONS_LIMIT)
    elif max_acu <= rows[0][0]:
        value = float(rows[0][1])
    else:
        (low_acu, low), (high_acu, high) = next((a, b) for a, b in pairwise(rows) if a[0] <= max_acu <= b[0])
        value = low + (high - low) * (max_acu - low_acu) / (high_acu - low_acu)
    if min_acu < 1:
        value = min(value, SERVERLESS_LOW_MINIMUM_LIMIT)
    return int(value)


def check_identifier(name: str) -> None:
    """RDS identifiers: 1 to 63 lowercase letters, digits and single hyphens, starting with a letter."""
    if not _IDENTIFIER.match(name):
        raise ValueError(
            f"name {name!r} cannot be an RDS identifier: use 1 to 63 lowercase letters, digits and"
            " single hyphens, starting with a letter and not ending with a hyphen"
        )


def check_capacity(
    instance_class: str,
    min_acu: float,
    max_acu: float,
    seconds_until_auto_pause: int | None,
    engine_version: str,
) -> None:
    """Serverless v2 range: 0 to 256 ACU in 0.5 steps, min ≤ max; auto-pause only at 0 ACU."""
    for arg, value in (("min_acu", min_acu), ("max_acu", max_acu)):
        if not 0 <= value <= 256 or value * 2 != int(value * 2):
            raise ValueError(f"{arg} must be 0 to 256 in steps of 0.5 (got {value})")
    if max_acu < 1:
        raise ValueError(f"max_acu must be at least 1 (got {max_acu})")
    if min_acu > max_acu:
        raise ValueError(f"min_acu ({min_acu}) must not exceed max_acu ({max_acu})")
    if seconds_until_auto_pause is not None:
        if instance_class != SERVERLESS or min_acu != 0:
            raise ValueError(
                "seconds_until_auto_pause applies only to Serverless v2 (instance_class db.serverless)"
                f" with min_acu 0 (got {instance_class}, min_acu {min_acu})"
            )
        if not 300 <= seconds_until_auto_pause <= 86_400:
            raise ValueError(
                f"seconds_until_auto_pause must be 300 to 86400 (got {seconds_until_auto_pause})"
            )
    if instance_class == SERVERLESS and min_acu == 0:
        major, minor = engine_version_parts(engine_version)
        first = AUTO_PAUSE_SINCE.get(major, (13, 15) if major < 13 else None)
        if first is not None and (major, minor) < first:
            raise ValueError(
                f"min_acu 0 (auto-pause) needs Aurora PostgreSQL {first[0]}.{first[1]} or later"
                f" (engine_version is {engine_version}); raise min_acu to 0.5 or upgrade"
            )


def check_instance_count(arg: str, count: int) -> None:
    if not 1 <= count <= 16:
        raise ValueError(f"{arg} must be 1 (a writer) to 16 (a writer and 15 readers) (got {count})")


def check_windows(backup_window: str, maintenance_window: str) -> None:
    """RDS: both windows at least 30 minutes, UTC, and apart."""
    check_windows_apart("backup_window", backup_window, "maintenance_window", maintenance_window)


def check_proxy(enable_proxy: bool, instance_class: str, min_acu: float) -> None:
    """A proxy holds connections open, so a database behind it would never auto-pause."""
    if enable_proxy and instance_class == SERVERLESS and min_acu == 0:
        raise ValueError(
            "enable_proxy cannot be combined with min_acu 0: RDS Proxy keeps connections to the"
            " database open, so it would never pause; raise min_acu or turn the proxy off"
        )


def check_db_user(db_user: str) -> None:
    if not _DB_USER.match(db_user):
        raise ValueError(
            f"db_user {db_user!r} must be a PostgreSQL role name: lowercase letters, digits and"
            " underscores, not starting with a digit, at most 63 characters"
        )


def check_args(name: str, args: DatabaseArgs) -> None:
    """Every check of a `Database`'s name and args, before any resource is declared."""
    check_identifier(name)
    parameter_group_family(args.engine_version)
    check_instance_count("instance_count", args.instance_count)
    check_capacity(
        args.instance_class, args.min_acu, args.max_acu, args.seconds_until_auto_pause, args.engine_version
    )
    check_windows(args.backup_window, args.maintenance_window)
    check_proxy(args.enable_proxy, args.instance_class, args.min_acu)
    if not 1 <= args.backup_retention_days <= 35:
        raise ValueError(f"backup_retention_days must be 1 to 35 (got {args.backup_retention_days})")
    if args.log_min_duration_statement_ms < -1:
        raise ValueError(
            "log_min_duration_statement_ms must be -1 (off), 0 (all) or more"
            f" (got {args.log_min_duration_statement_ms})"
        )
    if not 1 <= args.proxy_max_connections_percent <= 100:
        raise ValueError(
            f"proxy_max_connections_percent must be 1 to 100 (got {args.proxy_max_connections_percent})"
        )
    if args.enable_proxy and not args.subnet_ids:
        raise ValueError("enable_proxy needs subnet_ids (the data subnets the proxy's interfaces go in)")
    primary = args.secondary_of
    if primary is not None:
        if args.enable_global_database:
            raise ValueError("set either enable_global_database (a primary) or secondary_of, not both")
        if not primary.args.enable_global_database:
            raise ValueError(
                f"secondary_of={primary.name!r} is not a global primary;"
                " build it with enable_global_database=True"
            )
        if primary.args.engine_version != args.engine_version:
            raise ValueError(
                f"engine_version {args.engine_version} differs from the primary's"
                f" {primary.args.engine_version}; a global database runs one version"
            )
    for client, security_group_id in args.client_security_group_ids.items():
        check_client(client, security_group_id)
