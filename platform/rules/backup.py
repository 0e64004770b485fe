"""Backups: every data store under a backup plan, prod copies out of the account and the region,
vaults that refuse deleting recovery points and (prod) are locked."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from social_platform.rulebook import ResourceView, StackView, _seq, _statements, rule

VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"

BACKED_UP: Mapping[str, str] = {
    "aws:rds/cluster:Cluster": "Aurora cluster",
    "aws:rds/instance:Instance": "RDS instance",
    "aws:dynamodb/table:Table": "DynamoDB table",
    "aws:s3/bucket:Bucket": "S3 bucket",
    "aws:s3/bucketV2:BucketV2": "S3 bucket",
    "aws:efs/fileSystem:FileSystem": "EFS file system",
    "aws:ebs/volume:Volume": "EBS volume",
}
"""The data stores AWS Backup can back up and that must be under a plan (others, such as caches
and queues, are rebuilt or drained; docs/runbooks)."""

VAULT_ARN = re.compile(r"^arn:aws[\w-]*:backup:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):backup-vault:")


def vault_place(arn: Any) -> tuple[str, str] | None:
    """(region, account) of a vault ARN; None when it is not one (or not known yet)."""
    match = VAULT_ARN.match(str(arn or ""))
    return (match["region"], match["account"]) if match else None


def _tags(r: ResourceView) -> dict[str, str]:
    own = r.get("tags")
    return {**r.provider_tags, **(own if isinstance(own, Mapping) else {})}


def selects(selection: ResourceView, r: ResourceView) -> bool:
    """Whether a backup selection picks `r`: by a STRINGEQUALS tag, or by its ARN in `resources`."""
    tags = _tags(r)
    for condition in _seq(selection.get("selectionTags")):
        if (
            isinstance(condition, Mapping)
            and condition.get("type") == "STRINGEQUALS"
            and condition.get("key") in tags
            and tags[condition["key"]] == condition.get("value")
        ):
            return True
    return r.arn is not None and r.arn in _seq(selection.get("resources"))


@rule(
    "backup-covered",
    "Every data store (Aurora, DynamoDB, S3, EFS, EBS) is selected by a backup plan of its account and"
    " region",
    types=BACKED_UP,
    tiers=("staging", "prod"),
    needs_stack=True,
)
def _backup_covered(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not any(selects(selection, r) for selection in stack.same_place(r, SELECTION)):
        yield (
            f"this {BACKED_UP[r.type]} is in no backup selection of its account and region: tag it with the"
            " stack's plan (the component's backup_tags), or exempt it with the reason it needs no backup"
        )


@rule(
    "backup-copies-leave",
    "Prod backup plans copy every recovery point to another account and to another region",
    types=(PLAN,),
    tiers=("prod",),
)
def _backup_copies_leave(r: ResourceView, stack: StackView) -> Iterator[str]:
    for index, backup_rule in enumerate(_seq(r.get("rules"))):
        if not isinstance(backup_rule, Mapping):
            continue
        places = [
            vault_place(copy.get("destinationVaultArn"))
            for copy in _seq(backup_rule.get("copyActions"))
            if isinstance(copy, Mapping)
        ]
        name = backup_rule.get("ruleName", index)
        if not any(place and place[1] != r.account for place in places):
            yield f"rule {name!r} copies to no vault in another account (a copy must outlive the account)"
        if not any(place and place[0] != r.region for place in places):
            yield f"rule {name!r} copies to no vault in another region (a copy must outlive the region)"


def _policy_of(vault: ResourceView, stack: StackView) -> list[Mapping[str, Any]]:
    return [
        statement
        for policy in stack.same_place(vault, VAULT_POLICY)
        if policy.refers_to("backupVaultName", vault)
        for statement in _statements(policy.get("policy"))
    ]


@rule(
    "backup-vault-keeps-recovery-points",
    "Every backup vault's policy denies deleting recovery points to every principal",
    types=(VAULT,),
    needs_stack=True,
)
def _vault_keeps_recovery_points(r: ResourceView, stack: StackView) -> Iterator[str]:
    for statement in _policy_of(r, stack):
        principal = statement.get("Principal")
        everyone = principal == "*" or (isinstance(principal, Mapping) and principal.get("AWS") == "*")
        if (
            statement.get("Effect") == "Deny"
            and everyone
            and "backup:DeleteRecoveryPoint" in _seq(statement.get("Action"))
            and not statement.get("Condition")
        ):
            return
    yield "needs a vault policy that denies backup:DeleteRecoveryPoint to every principal, unconditionally"


@rule(
    "backup-vault-locked",
    "Prod backup vaults are locked in compliance mode with a minimum and a maximum retention",
    types=(VAULT,),
    tiers=("prod",),
    needs_stack=True,
)
def _vault_locked(r: ResourceView, stack: StackView) -> Iterator[str]:
    locks = [lock for lock in stack.same_place(r, VAULT_LOCK) if lock.refers_to("backupVaultName", r)]
    if not locks:
        yield "needs a vault lock (aws.backup.VaultLockConfiguration) in prod"
        return
    lock = locks[0]
    if lock.get("changeableForDays") is None:
        yield "the lock is in governance mode (changeableForDays unset): prod needs compliance mode"
    if lock.get("minRetentionDays") is None or lock.get("maxRetentionDays") is None:
        yield "the lock needs minRetentionDays and maxRetentionDays"
