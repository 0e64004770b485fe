"""Backups and deletion: retention, snapshots, protection of stateful resources."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from social_platform.inventory import STATEFUL, STATEFUL_WHEN, holds_data
from social_platform.rulebook import ResourceView, StackView, _num, _truthy, rule
from social_platform.rules.encryption import (
    CACHE_GROUP,
    CACHE_SERVERLESS,
    KMS_KEY,
    RDS_CLUSTER,
    RDS_CLUSTER_INSTANCE,
    RDS_GLOBAL,
    RDS_INSTANCE,
    SECRET,
    _is_global_secondary,
)

MIN_BACKUP_RETENTION_DAYS: Mapping[str, int] = {"dev": 1, "staging": 7, "prod": 14}
"""The tier's minimum automated-backup retention (config tier defaults must meet it; a test checks)."""


@rule(
    "rds-global-secondary-writes",
    "Aurora global-database secondaries forward writes to the primary, so their region can write",
    types=(RDS_CLUSTER,),
)
def _rds_global_secondary_writes(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _is_global_secondary(r) and not _truthy(r.get("enableGlobalWriteForwarding")):
        yield "a global secondary is read-only: set enableGlobalWriteForwarding (Aurora write forwarding)"


@rule(
    "rds-backup-retention",
    "Aurora/RDS keep automated backups for at least the tier's minimum (dev 1, staging 7, prod 14 days)",
    types=(RDS_CLUSTER, RDS_INSTANCE),
)
def _rds_backup_retention(r: ResourceView, stack: StackView) -> Iterator[str]:
    days = _num(r.get("backupRetentionPeriod"), 1)  # AWS keeps 1 day when unset
    minimum = MIN_BACKUP_RETENTION_DAYS[stack.tier]
    if days < minimum:
        yield f"backupRetentionPeriod must be at least {minimum} days in {stack.tier} (got {days:.0f})"


@rule(
    "rds-deletion-protection",
    "Aurora/RDS clusters, instances and global databases have deletion protection in prod",
    types=(RDS_CLUSTER, RDS_INSTANCE, RDS_GLOBAL),
    tiers=("prod",),
)
def _rds_deletion_protection(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _truthy(r.get("deletionProtection")):
        yield "deletionProtection must be true in prod"
    if r.type == RDS_GLOBAL and _truthy(r.get("forceDestroy")):
        yield "forceDestroy must not be true in prod (it deletes the member clusters)"


@rule(
    "rds-final-snapshot",
    "Aurora/RDS take a final snapshot when deleted in prod",
    types=(RDS_CLUSTER, RDS_INSTANCE),
    tiers=("prod",),
)
def _rds_final_snapshot(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type == RDS_CLUSTER and _is_global_secondary(r):
        return  # a global secondary's data is the primary's, whose final snapshot keeps it
    if _truthy(r.get("skipFinalSnapshot")) or not r.get("finalSnapshotIdentifier"):
        yield "skipFinalSnapshot must be false and finalSnapshotIdentifier set in prod"


@rule(
    "rds-multi-az",
    "Aurora clusters run instances in at least two AZs in prod (a global secondary: at least one)",
    types=(RDS_CLUSTER, RDS_INSTANCE),
    tiers=("prod",),
    needs_stack=True,
)
def _rds_multi_az(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type == RDS_INSTANCE:
        if not _truthy(r.get("multiAz")):
            yield "multiAz must be true in prod"
        return
    needed = 1 if _is_global_secondary(r) else 2
    instances = stack.referring_to(r, (RDS_CLUSTER_INSTANCE,), "clusterIdentifier")
    if len(instances) < needed:
        yield f"needs at least {needed} aws.rds.ClusterInstance in prod (found {len(instances)})"


@rule(
    "rds-not-public",
    "Databases are not publicly accessible",
    types=(RDS_CLUSTER, RDS_INSTANCE, RDS_CLUSTER_INSTANCE),
)
def _rds_not_public(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _truthy(r.get("publiclyAccessible")):
        yield "publiclyAccessible must be false"


@rule(
    "elasticache-multi-az",
    "ElastiCache replication groups are multi-AZ with automatic failover in prod",
    types=(CACHE_GROUP,),
    tiers=("prod",),
)
def _cache_multi_az(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not (_truthy(r.get("multiAzEnabled")) and _truthy(r.get("automaticFailoverEnabled"))):
        yield "multiAzEnabled and automaticFailoverEnabled must be true in prod"
    if _num(r.get("numCacheClusters")) < 2 and _num(r.get("replicasPerNodeGroup")) < 1:
        yield "needs a replica (numCacheClusters >= 2 or replicasPerNodeGroup >= 1) in prod"


@rule(
    "elasticache-backups",
    "ElastiCache keeps daily snapshots in prod",
    types=(CACHE_GROUP, CACHE_SERVERLESS),
    tiers=("prod",),
)
def _cache_backups(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _num(r.get("snapshotRetentionLimit")) < 1:
        yield "snapshotRetentionLimit must be at least 1 in prod"


STATEFUL_TYPES = frozenset(STATEFUL) | frozenset(STATEFUL_WHEN)


@rule(
    "stateful-protected",
    "Every resource that holds data is protected (Pulumi protect and retain-on-delete) in prod",
    types=STATEFUL_TYPES,
    tiers=("prod",),
)
def _stateful_protected(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not holds_data(r.type, r.props):
        return
    if not r.protect:
        yield "holds data but is not protected: create it with the component's stateful() options"
    if r.retain_on_delete is False:
        yield "holds data but is not retained on delete: create it with the component's stateful() options"


EKS_COMPONENT = "eks:index:Cluster"
EKS_CLUSTER = "aws:eks/cluster:Cluster"

DELETION_GUARDS: Mapping[str, tuple[str, Callable[[Any], bool], str]] = {
    "aws:cognito/userPool:UserPool": ("deletionProtection", lambda v: v == "ACTIVE", '"ACTIVE"'),
    "aws:dynamodb/table:Table": ("deletionProtectionEnabled", _truthy, "true"),
    EKS_COMPONENT: ("deletionProtection", _truthy, "true"),
    EKS_CLUSTER: ("deletionProtection", _truthy, "true"),
    "aws:s3/bucket:Bucket": ("forceDestroy", lambda v: not _truthy(v), "false"),
    "aws:s3/bucketV2:BucketV2": ("forceDestroy", lambda v: not _truthy(v), "false"),
    "aws:ecr/repository:Repository": ("forceDelete", lambda v: not _truthy(v), "false"),
    "aws:route53/zone:Zone": ("forceDestroy", lambda v: not _truthy(v), "false"),
    "aws:backup/vault:Vault": ("forceDestroy", lambda v: not _truthy(v), "false"),
    SECRET: ("recoveryWindowInDays", lambda v: v is None or _num(v) >= 7, "7 to 30 days (0 deletes at once)"),
    KMS_KEY: ("deletionWindowInDays", lambda v: v is None or _num(v) >= 30, "30 days"),
}
"""Each service's own protection against deletion: type → (input, test, what is allowed)."""


@rule(
    "stateful-deletion-guards",
    "Services' own deletion protection is on for data in prod (Cognito, DynamoDB, EKS, no force-destroy…)",
    types=DELETION_GUARDS,
    tiers=("prod",),
)
def _stateful_deletion_guards(r: ResourceView, stack: StackView) -> Iterator[str]:
    prop, ok, allowed = DELETION_GUARDS[r.type]
    if not ok(r.get(prop)):
        yield f"{prop} must be {allowed} in prod"


@rule(
    "ecr-scan-on-push",
    "Every container image is scanned for vulnerabilities when it is pushed",
    types=("aws:ecr/repository:Repository",),
)
def _ecr_scan_on_push(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _truthy(r.get("imageScanningConfiguration.scanOnPush")):
        yield "imageScanningConfiguration.scanOnPush must be true"


@rule(
    "ecr-immutable-tags",
    "Container image tags are immutable (a pinned tag always means the same image)",
    types=("aws:ecr/repository:Repository",),
)
def _ecr_immutable_tags(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not str(r.get("imageTagMutability", "MUTABLE")).startswith("IMMUTABLE"):
        yield "imageTagMutability must be IMMUTABLE"
