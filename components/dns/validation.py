"""Checks on `PublicZoneArgs`, run before anything is declared."""

from __future__ import annotations

import re

from social_components.dns.args import PublicZoneArgs

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
"""The retention values CloudWatch Logs accepts."""
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def validate_domain_name(value: str, arg: str = "domain_name") -> str:
    if not _DOMAIN.match(value):
        raise ValueError(
            f"{arg}: {value!r} is not allowed; use a lower-case DNS name without the trailing dot, "
            "for example dev.example.com"
        )
    return value


def validate_public_zone_args(args: PublicZoneArgs) -> None:
    validate_domain_name(args.domain_name)
    if args.parent_zone_provider is not None and args.parent_zone_id is None:
        raise ValueError("parent_zone_provider: set only together with parent_zone_id")
    if not 60 <= args.delegation_ttl_seconds <= 172_800:
        raise ValueError(
            f"delegation_ttl_seconds: {args.delegation_ttl_seconds} is not allowed; use 60 to 172800"
        )
    if args.query_log_retention_days not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"query_log_retention_days: {args.query_log_retention_days} is not a CloudWatch Logs retention; "
            f"allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
