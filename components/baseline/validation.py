"""Pure checks of the baseline's arguments, usable without Pulumi (the platform's config check calls
them too). Each raises `ValueError` saying what is wrong and what is allowed."""

from __future__ import annotations

import re

from .args import AccountBaselineArgs, LogArchiveArgs

TRAIL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$")
"""CloudTrail's trail names: 3 to 128 letters, digits, periods, underscores and dashes, starting
with a letter or digit (CreateTrail's `Name`)."""
ACCOUNT_ID = re.compile(r"^\d{12}$")
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
"""The retention values CloudWatch Logs accepts."""


def check_trail_name(name: str) -> None:
    if not TRAIL_NAME.match(name) or ".." in name or "_-" in name or "-_" in name:
        raise ValueError(
            f"{name!r} is not a trail name; allowed: 3 to 128 letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )


def check_archive_lifecycle(
    retention_days: int, transition_days: int | None, expiration_days: int | None
) -> None:
    """Object Lock keeps each version `retention_days`; expiry may not come before that, and a
    transition after expiry would never happen."""
    if retention_days < 1:
        raise ValueError(f"retention must be at least 1 day (got {retention_days})")
    if expiration_days is not None and expiration_days < retention_days:
        raise ValueError(
            f"expiration ({expiration_days} days) comes before the Object Lock retention "
            f"({retention_days} days) ends; allowed: at least {retention_days}, or unset to keep logs"
        )
    if transition_days is not None and expiration_days is not None and transition_days >= expiration_days:
        raise ValueError(
            f"transition ({transition_days} days) must come before expiration ({expiration_days} days)"
        )


def validate_log_archive_args(args: LogArchiveArgs) -> None:
    check_trail_name(args.trail_name)
    if not args.account_ids:
        raise ValueError("account_ids: name at least one account that delivers to the archive")
    for account in args.account_ids:
        if not ACCOUNT_ID.match(account):
            raise ValueError(f"account_ids: {account!r} is not a 12-digit account ID")
    try:
        check_archive_lifecycle(args.retention_days, args.transition_days, args.expiration_days)
    except ValueError as exc:
        raise ValueError(f"retention_days: {exc}") from None


def validate_account_baseline_args(args: AccountBaselineArgs) -> None:
    check_trail_name(args.trail_name)
    if args.trail_log_retention_days not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"trail_log_retention_days: {args.trail_log_retention_days} is not a CloudWatch Logs retention; "
            f"allowed: {', '.join(map(str, LOG_RETENTION_DAYS))}"
        )
    if not 14 <= args.minimum_password_length <= 128:
        raise ValueError(
            f"minimum_password_length: {args.minimum_password_length} is not allowed; allowed: 14 to 128 "
            "(CIS AWS Foundations asks for at least 14; IAM accepts at most 128)"
        )
