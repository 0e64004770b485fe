"""Checks on `WebAclArgs`, run before anything is declared."""

from __future__ import annotations

import re

from social_components.waf.args import WebAclArgs

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
_HEADER = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$")


def validate_web_acl_args(args: WebAclArgs) -> None:
    if args.scope not in ("CLOUDFRONT", "REGIONAL"):
        raise ValueError(f"scope: {args.scope!r} is not allowed; use CLOUDFRONT or REGIONAL")
    if not 10 <= args.rate_limit <= 2_000_000_000:
        raise ValueError(f"rate_limit: {args.rate_limit} is not allowed; use 10 to 2000000000")
    if args.rate_limit_window_seconds not in (60, 120, 300, 600):
        raise ValueError(
            f"rate_limit_window_seconds: {args.rate_limit_window_seconds} is not allowed; "
            "use 60, 120, 300 or 600"
        )
    if args.log_retention_days not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"log_retention_days: {args.log_retention_days} is not allowed; use one of "
            + ", ".join(map(str, LOG_RETENTION_DAYS))
        )
    for header in args.redacted_headers:
        if not _HEADER.match(header):
            raise ValueError(
                f"redacted_headers: {header!r} is not allowed; WAF matches header names in lower case"
            )
