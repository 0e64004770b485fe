"""Backups: an AWS Backup vault with its own KMS key, a plan whose resources are chosen by tag,
copies to vaults in other regions and accounts, and vault locks."""

from .args import BACKUP_PLAN_TAG, BackupArgs, BackupPlanArgs, CopyDestination, VaultLock
from .component import Backup, vault_arn

__all__ = [
    "BACKUP_PLAN_TAG",
    "Backup",
    "BackupArgs",
    "BackupPlanArgs",
    "CopyDestination",
    "VaultLock",
    "vault_arn",
]
