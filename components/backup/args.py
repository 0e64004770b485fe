"""Arguments of `Backup`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

BACKUP_PLAN_TAG = "BackupPlan"
"""The tag key a resource carries to be backed up by a plan: components take `backup_tags`
(for example ``{"BackupPlan": "prod"}``) and put them on what they own that holds data."""

FrequencyHours = Literal[1, 2, 3, 4, 6, 8, 12, 24]
"""Hours between two scheduled backups (divisors of a day, so the schedule is a plain cron)."""


@dataclass(frozen=True)
class CopyDestination:
    vault_arn: pulumi.Input[str]
    """ARN of a vault in another region or account (`vault_arn(...)`); its access policy must admit
    this account (`BackupArgs.copy_source_account_ids` on that side)."""
    retention_days: int
    """Days the copy is kept there (within that vault's lock, if it has one)."""


@dataclass(frozen=True)
class BackupPlanArgs:
    selection_tags: Mapping[str, str]
    """Resources of this account and region carrying any of these tags (key = value) are backed up,
    for example ``{BACKUP_PLAN_TAG: "prod"}``."""
    frequency_hours: FrequencyHours = 24
    """Hours between two backups; 24 is daily, starting at `start_hour` UTC."""
    retention_days: int = 35
    """Days each recovery point is kept in this vault (1 to 36500)."""
    start_hour: int = 3
    """Hour (UTC, 0 to 23) of the day's first backup."""
    copies: Mapping[str, CopyDestination] = field(default_factory=dict)
    """Copies of every recovery point, by a stable name, to vaults elsewhere. Unset: no copies (the
    backups do not survive losing this region or account)."""


@dataclass(frozen=True)
class VaultLock:
    min_retention_days: int
    """No recovery point (or copy) may enter the vault with a shorter retention."""
    max_retention_days: int
    """No recovery point (or copy) may enter the vault with a longer retention."""
    mode: Literal["compliance", "governance"] = "compliance"
    """`compliance`: after `changeable_for_days` nobody, not even the root user or AWS, can remove
    the lock or delete a recovery point before its retention ends. `governance`: users with the IAM
    permission can still remove the lock."""
    changeable_for_days: int = 3
    """Compliance mode: days before the lock becomes immutable (3 or more, AWS's cooling-off)."""


@dataclass(frozen=True)
class BackupArgs:
    plan: BackupPlanArgs | None = None
    """The backup plan of this account and region. Unset: a vault only, the receiving end of other
    accounts' or regions' copies."""
    copy_source_account_ids: Sequence[str] = ()
    """Other accounts whose backup plans may copy into this vault (its access policy admits them to
    `backup:CopyIntoBackupVault`). Unset: copies from this account only."""
    vault_lock: VaultLock | None = None
    """Lock the vault (minimum and maximum retention). Unset: no lock; the vault policy still refuses
    deleting recovery points."""
    vault_name: str | None = None
    """Name of the vault (2 to 50 letters, digits, '-' and '_'). Unset: the component's name."""
