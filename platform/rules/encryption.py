"""Encryption at rest: data stores, volumes, logs and keys."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from social_platform.rulebook import (
    ResourceView,
    StackView,
    _customer_key,
    _num,
    _seq,
    _statements,
    _truthy,
    rule,
)

RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
RDS_GLOBAL = "aws:rds/globalCluster:GlobalCluster"


def _is_global_secondary(r: ResourceView) -> bool:
    """An Aurora cluster that joins a global database as a secondary (its data comes from the primary)."""
    return bool(r.get("globalClusterIdentifier")) and not (
        r.get("masterUsername") or r.get("snapshotIdentifier") or r.get("manageMasterUserPassword")
    )


@rule(
    "rds-encrypted",
    "Aurora/RDS storage is encrypted at rest, with a customer-managed KMS key in prod",
    types=(RDS_CLUSTER, RDS_INSTANCE, RDS_GLOBAL),
)
def _rds_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type == RDS_GLOBAL and r.get("sourceDbClusterIdentifier"):
        return  # takes the source cluster's encryption, checked on that cluster
    if not _truthy(r.get("storageEncrypted")):
        yield "storageEncrypted must be true"
    if stack.tier == "prod" and r.type != RDS_GLOBAL and not _customer_key(r.get("kmsKeyId")):
        yield "kmsKeyId must name a customer-managed KMS key in prod"


EBS_DEFAULTS = ("aws:ebs/encryptionByDefault:EncryptionByDefault", "aws:ebs/defaultKmsKey:DefaultKmsKey")
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EC2_INSTANCE = "aws:ec2/instance:Instance"
EBS_VOLUME = "aws:ebs/volume:Volume"


def _ebs_problems(where: str, ebs: Mapping[str, Any], tier: str, default_key: bool) -> Iterator[str]:
    if not _truthy(ebs.get("encrypted")):
        yield f"{where}.encrypted must be true"
    elif tier == "prod" and not (_customer_key(ebs.get("kmsKeyId")) or default_key):
        yield f"{where}.kmsKeyId must name a customer-managed KMS key in prod"


@rule(
    "ebs-encrypted",
    "EBS volumes of launch templates, instances and volumes are encrypted (customer KMS key in prod)",
    types=(LAUNCH_TEMPLATE, EC2_INSTANCE, EBS_VOLUME),
    needs_stack=True,
)
def _ebs_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    by_default = any(
        d.type == EBS_DEFAULTS[0] and d.get("enabled", True) is not False
        for d in stack.same_place(r, *EBS_DEFAULTS)
    )
    default_key = by_default and any(d.type == EBS_DEFAULTS[1] for d in stack.same_place(r, *EBS_DEFAULTS))
    if r.type == EBS_VOLUME:
        yield from _ebs_problems("volume", r.props, stack.tier, default_key)
        return
    if r.type == LAUNCH_TEMPLATE:
        devices = [
            (f"blockDeviceMappings[{i}].ebs", m["ebs"])
            for i, m in enumerate(_seq(r.get("blockDeviceMappings")))
            if isinstance(m, Mapping) and isinstance(m.get("ebs"), Mapping)
        ]
    else:
        if r.get("launchTemplate") and r.get("rootBlockDevice") is None:
            return  # the instance's disks come from its launch template, checked there
        devices = [("rootBlockDevice", r.get("rootBlockDevice") or {})] + [
            (f"ebsBlockDevices[{i}]", d) for i, d in enumerate(_seq(r.get("ebsBlockDevices")))
        ]
    if not devices and not by_default:
        yield (
            "declares no EBS block device: declare the root volume with encrypted=true"
            " (or enable EBS encryption by default)"
        )
    for where, ebs in devices:
        if by_default and ebs.get("encrypted") is None:
            continue  # the account encrypts new volumes by default
        yield from _ebs_problems(where, ebs, stack.tier, default_key)


S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
S3_SSE = (
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
)
S3_PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
S3_ACCOUNT_PAB = "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock"
S3_POLICY = "aws:s3/bucketPolicy:BucketPolicy"


def _sse_defaults(r: ResourceView, stack: StackView) -> list[Mapping[str, Any]]:
    """The default-encryption settings declared for a bucket (companion resources or inline)."""
    rules: list[Any] = []
    for config in stack.referring_to(r, S3_SSE, "bucket"):
        rules += _seq(config.get("rules"))
    inline = r.get("serverSideEncryptionConfiguration")
    if isinstance(inline, Mapping):
        rules += _seq(inline.get("rule")) + _seq(inline.get("rules"))
    return [
        rule_["applyServerSideEncryptionByDefault"]
        for rule_ in rules
        if isinstance(rule_, Mapping) and isinstance(rule_.get("applyServerSideEncryptionByDefault"), Mapping)
    ]


@rule(
    "s3-encrypted",
    "Every bucket declares default encryption (SSE-KMS with a customer-managed key in prod)",
    types=S3_BUCKETS,
    needs_stack=True,
)
def _s3_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    defaults = _sse_defaults(r, stack)
    if not defaults:
        yield "has no BucketServerSideEncryptionConfiguration"
    for d in defaults:
        algorithm = d.get("sseAlgorithm")
        if stack.tier == "prod" and (
            algorithm not in ("aws:kms", "aws:kms:dsse") or not _customer_key(d.get("kmsMasterKeyId"))
        ):
            yield f"prod needs sseAlgorithm aws:kms and a customer-managed kmsMasterKeyId (got {algorithm!r})"
        elif algorithm not in ("AES256", "aws:kms", "aws:kms:dsse"):
            yield f"sseAlgorithm {algorithm!r} is not an encryption algorithm"


PAB_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


@rule(
    "s3-public-access-blocked",
    "Every bucket blocks public access (all four public access block settings on)",
    types=S3_BUCKETS,
    needs_stack=True,
)
def _s3_public_access_blocked(r: ResourceView, stack: StackView) -> Iterator[str]:
    blocks = stack.referring_to(r, (S3_PAB,), "bucket") + [
        a for a in stack.of_type(S3_ACCOUNT_PAB) if a.account == r.account
    ]
    if not blocks:
        yield "has no BucketPublicAccessBlock"
    elif not any(all(_truthy(b.get(flag)) for flag in PAB_FLAGS) for b in blocks):
        yield f"its public access block must set {', '.join(PAB_FLAGS)} to true"


def _denies_plain_http(statement: Mapping[str, Any]) -> bool:
    condition = statement.get("Condition")
    secure = condition.get("Bool", {}).get("aws:SecureTransport") if isinstance(condition, Mapping) else None
    actions = {str(a) for a in _seq(statement.get("Action"))}
    principal = statement.get("Principal")
    everyone = principal == "*" or (isinstance(principal, Mapping) and principal.get("AWS") == "*")
    return (
        statement.get("Effect") == "Deny"
        and everyone
        and bool(actions & {"s3:*", "*"})
        and [str(v).lower() for v in _seq(secure)] == ["false"]
    )


@rule(
    "s3-tls-only",
    "Every bucket policy denies requests that do not use TLS (aws:SecureTransport false)",
    types=S3_BUCKETS,
    needs_stack=True,
)
def _s3_tls_only(r: ResourceView, stack: StackView) -> Iterator[str]:
    documents = [p.get("policy") for p in stack.referring_to(r, (S3_POLICY,), "bucket")] + [r.get("policy")]
    if not any(_denies_plain_http(s) for d in documents for s in _statements(d)):
        yield 'needs a BucketPolicy statement denying s3:* to "*" when aws:SecureTransport is false'


SQS_QUEUE = "aws:sqs/queue:Queue"


@rule(
    "sqs-encrypted",
    "SQS queues are encrypted (SSE-SQS; a customer-managed KMS key in prod)",
    types=(SQS_QUEUE,),
)
def _sqs_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    if stack.tier == "prod":
        if not _customer_key(r.get("kmsMasterKeyId")):
            yield "kmsMasterKeyId must name a customer-managed KMS key in prod"
    elif not r.get("kmsMasterKeyId") and r.get("sqsManagedSseEnabled") is False:
        yield "sqsManagedSseEnabled must not be false without a kmsMasterKeyId"


SNS_TOPIC = "aws:sns/topic:Topic"


@rule(
    "sns-encrypted",
    "SNS topics are encrypted with KMS (a customer-managed key in prod)",
    types=(SNS_TOPIC,),
)
def _sns_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    key = r.get("kmsMasterKeyId")
    if not key:
        yield "kmsMasterKeyId is required (topics are not encrypted otherwise)"
    elif stack.tier == "prod" and not _customer_key(key):
        yield "kmsMasterKeyId must name a customer-managed KMS key in prod"


SECRET = "aws:secretsmanager/secret:Secret"


@rule(
    "secrets-customer-key",
    "Secrets Manager secrets use a customer-managed KMS key in prod",
    types=(SECRET,),
    tiers=("prod",),
)
def _secrets_customer_key(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _customer_key(r.get("kmsKeyId")):
        yield "kmsKeyId must name a customer-managed KMS key in prod (not the aws/secretsmanager key)"


CACHE_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
CACHE_SERVERLESS = "aws:elasticache/serverlessCache:ServerlessCache"


@rule(
    "elasticache-encrypted-at-rest",
    "ElastiCache data is encrypted at rest (customer-managed KMS key in prod)",
    types=(CACHE_GROUP, CACHE_SERVERLESS),
)
def _cache_at_rest(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type == CACHE_GROUP and not _truthy(r.get("atRestEncryptionEnabled")):
        yield "atRestEncryptionEnabled must be true"
    if stack.tier == "prod" and not _customer_key(r.get("kmsKeyId")):
        yield "kmsKeyId must name a customer-managed KMS key in prod"


@rule(
    "elasticache-encrypted-in-transit",
    "ElastiCache accepts TLS connections only",
    types=(CACHE_GROUP,),
)
def _cache_in_transit(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _truthy(r.get("transitEncryptionEnabled")):
        yield "transitEncryptionEnabled must be true"
    elif r.get("transitEncryptionMode") == "preferred":
        yield "transitEncryptionMode must be required (preferred still accepts plaintext)"


LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"


@rule(
    "log-groups-encrypted",
    "CloudWatch log groups use a customer-managed KMS key in prod",
    types=(LOG_GROUP,),
    tiers=("prod",),
)
def _log_groups_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _customer_key(r.get("kmsKeyId")):
        yield "kmsKeyId must name a customer-managed KMS key in prod"


@rule(
    "log-groups-retention",
    "CloudWatch log groups have a retention period (never 'keep forever' by omission)",
    types=(LOG_GROUP,),
)
def _log_groups_retention(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _num(r.get("retentionInDays")) <= 0:
        yield "retentionInDays must be set"


KMS_KEY = "aws:kms/key:Key"


@rule(
    "kms-key-rotation",
    "Symmetric KMS keys rotate their key material",
    types=(KMS_KEY,),
)
def _kms_key_rotation(r: ResourceView, stack: StackView) -> Iterator[str]:
    symmetric = r.get("customerMasterKeySpec", "SYMMETRIC_DEFAULT") == "SYMMETRIC_DEFAULT"
    encrypts = r.get("keyUsage", "ENCRYPT_DECRYPT") == "ENCRYPT_DECRYPT"
    if symmetric and encrypts and not _truthy(r.get("enableKeyRotation")):
        yield "enableKeyRotation must be true"
