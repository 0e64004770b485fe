"""Pure checks of `RealtimeArgs`, usable without Pulumi (the platform's config check calls them too).

Each `check_*` raises `ValueError` saying what is wrong and what is allowed; `validate` runs them all
and prefixes the argument's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from .args import FUNCTION_NAMES, LOG_RETENTION_DAYS, RealtimeArgs

STAGE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,128}$")
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
HOSTNAME_PATTERN = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")
MAX_RESERVED_CONCURRENCY = 1000
"""Lambda's default concurrency quota per account and region (a reservation must leave 100 unreserved)."""


def check_stage_name(name: str) -> None:
    if not STAGE_PATTERN.match(name) or name == "$default":
        raise ValueError(f"{name!r} is not allowed; 1 to 128 letters, digits, '-' and '_'")


def check_throttling(rate_limit: float, burst_limit: int) -> None:
    if not rate_limit > 0:
        raise ValueError(f"rate {rate_limit} is not allowed; more than 0 messages per second")
    if burst_limit < 1:
        raise ValueError(f"burst {burst_limit} is not allowed; 1 or more")
    if burst_limit < rate_limit:
        raise ValueError(
            f"burst {burst_limit} is below the rate {rate_limit}; API Gateway's token bucket needs "
            "burst >= rate, or a full second's messages are refused"
        )


def check_reserved_concurrency(reserved: Mapping[str, int]) -> None:
    for function, value in reserved.items():
        if function not in FUNCTION_NAMES:
            raise ValueError(f"{function!r} is not a function; one of {', '.join(FUNCTION_NAMES)}")
        if not 1 <= value <= MAX_RESERVED_CONCURRENCY - 100:
            raise ValueError(
                f"{function}: {value} is not allowed; 1 to {MAX_RESERVED_CONCURRENCY - 100} (0 stops the"
                " function; Lambda keeps 100 of the default 1,000 unreserved). Leave it out: no reservation"
            )


def check_log_retention(days: int) -> None:
    if days not in LOG_RETENTION_DAYS:
        raise ValueError(f"{days} is not allowed; one of {', '.join(map(str, LOG_RETENTION_DAYS))}")


def check_domain_name(name: str) -> None:
    if not HOSTNAME_PATTERN.match(name) or len(name) > 253:
        raise ValueError(f"{name!r} is not a lowercase DNS name such as 'ws.dev.example.com'")


def check_token_uses(token_uses: tuple[str, ...]) -> None:
    if not token_uses or any(use not in ("access", "id") for use in token_uses):
        raise ValueError(f"{token_uses!r} is not allowed; one or both of 'access', 'id'")


def _under(field: str, check: Callable[..., None], *values: Any) -> None:
    try:
        check(*values)
    except ValueError as exc:
        raise ValueError(f"RealtimeArgs.{field}: {exc}") from None


def validate(args: RealtimeArgs) -> None:
    """Every check on `args`; the message starts with the argument's name."""
    if not args.client_ids:
        raise ValueError("RealtimeArgs.client_ids: give at least one app client whose tokens are accepted")
    _under("token_uses", check_token_uses, args.token_uses)
    _under("stage_name", check_stage_name, args.stage_name)
    _under(
        "throttling_burst_limit", check_throttling, args.throttling_rate_limit, args.throttling_burst_limit
    )
    _under("reserved_concurrency", check_reserved_concurrency, args.reserved_concurrency)
    _under("log_retention_days", check_log_retention, args.log_retention_days)
    if args.custom_domain is not None:
        _under("custom_domain.domain_name", check_domain_name, args.custom_domain.domain_name)
