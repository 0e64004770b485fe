"""Pure checks of `BackupArgs`, usable without Pulumi. Limits from AWS Backup's API reference
(botocore's `backup` model: vault names, the lock's 3-day cooling-off)."""

from __future__ import annotations

import re

from .args import BackupArgs

VAULT_NAME = re.compile(r"^[a-zA-Z0-9\-\_]{2,50}$")
MAX_RETENTION_DAYS = 36_500
MIN_CHANGEABLE_DAYS = 3
ACCOUNT_ID = re.compile(r"^\d{12}$")


def check_vault_name(name: str) -> None:
    if not VAULT_NAME.match(name):
        raise ValueError(f"{name!r} is not a vault name; allowed: 2 to 50 letters, digits, '-' and '_'")


def check_retention(days: int, what: str = "retention_days") -> None:
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise ValueError(f"{what} must be 1 to {MAX_RETENTION_DAYS} days (got {days})")


def check_lock(min_days: int, max_days: int, changeable_for_days: int) -> None:
    check_retention(min_days, "min_retention_days")
    check_retention(max_days, "max_retention_days")
    if min_days > max_days:
        raise ValueError(f"min_retention_days {min_days} is above max_retention_days {max_days}")
    if changeable_for_days < MIN_CHANGEABLE_DAYS:
        raise ValueError(
            f"changeable_for_days must be at least {MIN_CHANGEABLE_DAYS} (AWS's cooling-off period; "
            f"got {changeable_for_days})"
        )


def check_within_lock(days: int, min_days: int, max_days: int, what: str) -> None:
    """A locked vault refuses recovery points whose retention lies outside its lock."""
    if not min_days <= days <= max_days:
        raise ValueError(
            f"{what} {days} is outside the vault lock's {min_days} to {max_days} days: "
            "the vault would refuse every backup"
        )


def validate(name: str, args: BackupArgs) -> None:
    """Every check, each message prefixed with the argument it concerns."""
    try:
        check_vault_name(args.vault_name or name)
        for account in args.copy_source_account_ids:
            if not ACCOUNT_ID.match(account):
                raise ValueError(f"copy_source_account_ids: {account!r} is not a 12-digit account ID")
        if args.vault_lock is not None:
            lock = args.vault_lock
            check_lock(lock.min_retention_days, lock.max_retention_days, lock.changeable_for_days)
        plan = args.plan
        if plan is not None:
            if not plan.selection_tags:
                raise ValueError("plan.selection_tags: name at least one tag (key = value)")
            check_retention(plan.retention_days, "plan.retention_days")
            if not 0 <= plan.start_hour <= 23:
                raise ValueError(f"plan.start_hour must be 0 to 23 (got {plan.start_hour})")
            if args.vault_lock is not None:
                lock = args.vault_lock
                check_within_lock(
                    plan.retention_days,
                    lock.min_retention_days,
                    lock.max_retention_days,
                    "plan.retention_days",
                )
            for key, copy in plan.copies.items():
                check_retention(copy.retention_days, f"plan.copies.{key}.retention_days")
    except ValueError as exc:
        raise ValueError(f"Backup {name!r}: {exc}") from None
