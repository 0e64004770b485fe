"""Pure checks of `WalletArgs`, usable without Pulumi (the platform's config check calls them too).

Each `check_*` raises `ValueError` saying what is wrong and what is allowed; `validate` runs them all
and prefixes the argument's name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .args import WalletArgs

# EventBridge Scheduler's expressions: cron with six fields, or rate(<n> <unit>).
_CRON = re.compile(r"^cron\((\S+ ){5}\S+\)$")
_RATE = re.compile(r"^rate\(([1-9][0-9]*) (minute|minutes|hour|hours|day|days)\)$")
_KUBERNETES_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


def check_schedule(expression: str) -> None:
    rate = _RATE.match(expression)
    if not (_CRON.match(expression) or rate):
        raise ValueError(
            f"{expression!r} is not allowed; a Scheduler expression such as 'cron(0 3 * * ? *)' (six fields)"
            " or 'rate(1 day)'"
        )
    if rate and (rate[1] == "1") != rate[2].endswith(("minute", "hour", "day")):
        raise ValueError(f"{expression!r}: use the singular unit for 1 and the plural otherwise")


def check_kubernetes_name(name: str) -> None:
    if not _KUBERNETES_NAME.match(name):
        raise ValueError(f"{name!r} is not a Kubernetes name (lowercase letters, digits, '-', up to 63)")


def check_range(value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ValueError(f"{value} is not allowed; {low:,} to {high:,}")


def _under(field: str, check: Callable[..., None], *values: Any) -> None:
    try:
        check(*values)
    except ValueError as exc:
        raise ValueError(f"WalletArgs.{field}: {exc}") from None


def validate(args: WalletArgs) -> None:
    """Every check on `args`; the message starts with the argument's name."""
    _under("settlement_schedule", check_schedule, args.settlement_schedule)
    _under("namespace", check_kubernetes_name, args.namespace)
    _under("service_account", check_kubernetes_name, args.service_account)
    _under("visibility_timeout_seconds", check_range, args.visibility_timeout_seconds, 0, 43_200)
    _under("max_receive_count", check_range, args.max_receive_count, 1, 1_000)
    _under("message_retention_seconds", check_range, args.message_retention_seconds, 60, 1_209_600)
