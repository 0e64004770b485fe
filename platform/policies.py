"""The guardrail rules, written once, run by the test suite and by the Pulumi policy pack.

A rule reads a neutral view of one resource (`ResourceView`: type token, name, URN, inputs under
their camelCase wire names, protect/retain options, the provider's default tags) and, when it has
to look at companions (a bucket's public access block lives in another resource), the whole stack
(`StackView`). It yields one message per problem. Nothing here imports Pulumi or pulumi-policy:

- the tests build the views from the offline render (`social_platform.guardrails.stack_view`);
- the policy pack in `policy/` builds them from pulumi-policy's arguments (`policy/pack.py`).

A rule with nothing to check passes; every rule has a test showing it flags a bad resource.
Add a rule: write a function below decorated with `@rule(...)`, add a bad and a good example in
`tests/test_guardrails.py` (a test fails until you do), and run `guardrails readme`.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from social_platform.inventory import REQUIRED_TAGS, STATEFUL, STATEFUL_WHEN, TAGGABLE, holds_data

Tier = Literal["dev", "staging", "prod"]
TIERS: tuple[Tier, ...] = ("dev", "staging", "prod")
Enforcement = Literal["advisory", "mandatory"]

# ---------------------------------------------------------------------------------------------
# The neutral views


@dataclass(frozen=True)
class ResourceView:
    """One resource as a rule sees it, wherever it came from."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    """Inputs under their wire names (camelCase); nested objects as mappings, JSON documents as text."""
    id: str | None = None
    """The resource's ID where known (the offline render's stand-ins); used to match references."""
    custom: bool = True
    protect: bool = False
    retain_on_delete: bool | None = None
    """None where the source cannot tell (pulumi-policy does not pass retainOnDelete)."""
    provider_tags: Mapping[str, str] = field(default_factory=dict)
    """Default tags of the resource's provider (they land on every taggable resource)."""
    account: str | None = None
    region: str | None = None
    property_deps: Mapping[str, frozenset[str]] | None = None
    """URNs each input depends on, where the source knows them (the policy pack does)."""

    def get(self, path: str, default: Any = None) -> Any:
        """A nested input by dotted path (`metadataOptions.httpTokens`); `default` when absent."""
        node: Any = self.props
        for part in path.split("."):
            if not isinstance(node, Mapping) or node.get(part) is None:
                return default
            node = node[part]
        return node

    def refers_to(self, prop: str, target: ResourceView) -> bool:
        """Whether input `prop` points at `target` (by dependency, ID or name)."""
        if self.property_deps is not None and prop in self.property_deps:
            return target.urn in self.property_deps[prop]
        wanted = {v for v in (target.id, target.urn) if v}
        wanted |= {
            str(target.props[k]) for k in ("bucket", "name", "arn") if isinstance(target.props.get(k), str)
        }
        return any(str(value) in wanted for value in _seq(self.props.get(prop)))


@dataclass(frozen=True)
class StackView:
    """The stack a resource belongs to: its tier and, where the source has them, all its resources."""

    tier: Tier
    resources: tuple[ResourceView, ...] = ()
    name: str = ""

    @cached_property
    def _by_type(self) -> dict[str, list[ResourceView]]:
        index: dict[str, list[ResourceView]] = {}
        for r in self.resources:
            index.setdefault(r.type, []).append(r)
        return index

    def of_type(self, *types: str) -> list[ResourceView]:
        return [r for t in types for r in self._by_type.get(t, [])]

    def referring_to(self, target: ResourceView, types: Iterable[str], prop: str) -> list[ResourceView]:
        """Resources of `types` whose input `prop` points at `target` (a bucket's policy, a flow log)."""
        return [r for r in self.of_type(*types) if r.refers_to(prop, target)]

    def referred_by(self, source: ResourceView, prop: str, types: Iterable[str]) -> list[ResourceView]:
        """Resources of `types` that `source`'s input `prop` points at (a rule's security group)."""
        return [r for r in self.of_type(*types) if source.refers_to(prop, r)]

    def same_place(self, r: ResourceView, *types: str) -> list[ResourceView]:
        """Resources of `types` in the same account and region as `r` (account-wide settings)."""
        return [o for o in self.of_type(*types) if (o.account, o.region) == (r.account, r.region)]


# ---------------------------------------------------------------------------------------------
# Rules


Check = Callable[[ResourceView, StackView], Iterable[str]]


@dataclass(frozen=True)
class Rule:
    id: str
    """Stable kebab-case name: the policy name in the pack, the key of exemptions."""
    description: str
    types: frozenset[str]
    """Resource types the rule inspects."""
    check: Check
    tiers: frozenset[str] = frozenset(TIERS)
    """Tiers the rule applies to (tier-specific rules: KMS keys, deletion protection in prod)."""
    needs_stack: bool = False
    """Looks at companion resources; runs as a stack policy in the pack (after resource policies)."""

    def applies_to(self, tier: str) -> bool:
        return tier in self.tiers


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str
    type: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.name} ({self.type}): {self.message}"


RULES: dict[str, Rule] = {}
"""Every rule, by id, in declaration order."""

EXEMPTIONS: Mapping[str, Mapping[str, str]] = {
    "ebs-encrypted": {
        "*-system-nodes": "disposable node root volumes: encrypted with the AWS-managed aws/ebs KMS key; a"
        " customer key would need grants for the EKS node group's service-linked role (README, Guardrails)",
        "*-runners-manager": "disposable CI manager root volume: encrypted with the AWS-managed aws/ebs key",
        "*-runners-workers": "disposable CI job volumes: encrypted with the AWS-managed aws/ebs key",
    },
    "stateful-protected": {
        "*-runners-cache": "a build cache, rebuilt on a miss: emptied and deleted with the runners",
    },
    "stateful-deletion-guards": {
        "*-runners-cache": "a build cache, rebuilt on a miss: force_destroy lets the runners go cleanly",
    },
    "sqs-dead-letter-queue": {
        "*-karpenter-interruptions": "interruption notices matter for minutes (the queue keeps them 300 s):"
        " one Karpenter cannot handle is obsolete before anyone could read it from a dead-letter queue",
    },
    "s3-encrypted": {
        "streaming-recordings": "IVS writes recordings through its service-linked role, whose AWS-managed"
        " policy grants no KMS permission: the bucket keeps SSE-S3 (README, Streaming)",
        "edge-web": "public content served through CloudFront: SSE-S3 by design (README, Edge)",
        "edge-media": "public content served through CloudFront: SSE-S3 by design (README, Edge)",
        "edge-logs": "S3 server access logs cannot be delivered to an SSE-KMS bucket (README, Edge)",
    },
}
"""Reviewed exceptions: rule id → {resource-name glob: why}. Each must still match a resource (a test
checks); keep the list short."""


def rule(
    id: str,
    description: str,
    *,
    types: Iterable[str],
    tiers: Iterable[Tier] = TIERS,
    needs_stack: bool = False,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id!r}")
        RULES[id] = Rule(id, description, frozenset(types), check, frozenset(tiers), needs_stack)
        return check

    return register


def exempt(rule_id: str, resource: ResourceView) -> bool:
    return any(fnmatch.fnmatchcase(resource.name, pattern) for pattern in EXEMPTIONS.get(rule_id, {}))


def check_resource(r: Rule, resource: ResourceView, stack: StackView) -> list[str]:
    """The rule's messages for one resource (none when it does not apply)."""
    if resource.type not in r.types or not r.applies_to(stack.tier) or exempt(r.id, resource):
        return []
    return list(r.check(resource, stack))


def evaluate(stack: StackView, rules: Iterable[Rule] | None = None) -> list[Violation]:
    """Every violation of `rules` (default: all) in the stack."""
    found: list[Violation] = []
    for r in RULES.values() if rules is None else rules:
        for resource in stack.of_type(*r.types):
            for message in check_resource(r, resource, stack):
                found.append(Violation(r.id, resource.urn, resource.type, resource.name, message))
    return found


# ---------------------------------------------------------------------------------------------
# Reading inputs


def _truthy(value: Any) -> bool:
    """True for true and "true" (some providers take booleans as strings, e.g. launch templates)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _seq(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | Mapping):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def _num(value: Any, default: float = 0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _document(value: Any) -> Mapping[str, Any]:
    """A JSON policy document given as text or as a mapping ({} when unreadable)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, Mapping) else {}


def _statements(document: Any) -> list[Mapping[str, Any]]:
    return [s for s in _seq(_document(document).get("Statement")) if isinstance(s, Mapping)]


def _allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def _customer_key(value: Any) -> bool:
    """A KMS key we manage (not unset, not an AWS managed `alias/aws/...` key)."""
    return isinstance(value, str) and bool(value) and "alias/aws/" not in value


WORLD = ("0.0.0.0/0", "::/0")


# ---------------------------------------------------------------------------------------------
# Encryption at rest

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


DEAD_LETTER_PROPS: Mapping[str, str] = {
    SQS_QUEUE: "redrivePolicy",
    "aws:lambda/function:Function": "deadLetterConfig",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "destinationConfig",
    "aws:cloudwatch/eventTarget:EventTarget": "deadLetterConfig",
    "aws:scheduler/schedule:Schedule": "target",
}
"""Where a resource names the queue its failures go to (a queue is a dead-letter queue if one does)."""


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a nested input (JSON documents given as text are read)."""
    if isinstance(value, str):
        document = _document(value)
        yield from [value] if not document else _strings(document)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, Sequence):
        for item in value:
            yield from _strings(item)


def _names_queue(source: ResourceView, prop: str, queue: ResourceView) -> bool:
    """Whether `source`'s input `prop` names `queue`: by dependency where the source knows them (the
    pack), else by the queue's ARN, which ends with ``:<queue name>`` (the offline render)."""
    if source.property_deps is not None and prop in source.property_deps:
        return queue.urn in source.property_deps[prop]
    name = str(queue.props.get("name") or queue.name)
    return any(
        text.startswith("arn:") and text.endswith(f":{name}") for text in _strings(source.props.get(prop))
    )


@rule(
    "sqs-dead-letter-queue",
    "Every SQS queue has a dead-letter queue (redrive policy), or is one",
    types=(SQS_QUEUE,),
    needs_stack=True,
)
def _sqs_dead_letter(r: ResourceView, stack: StackView) -> Iterator[str]:
    redrive = r.get("redrivePolicy")
    # Set and naming a target, or set but not readable yet (a preview, before the target exists).
    if redrive and (_document(redrive).get("deadLetterTargetArn") or not _document(redrive)):
        return
    for source_type, prop in DEAD_LETTER_PROPS.items():
        if any(_names_queue(s, prop, r) for s in stack.same_place(r, source_type) if s.urn != r.urn):
            return
    yield "has no redrivePolicy with a deadLetterTargetArn, and nothing sends its failures here"


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


LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"


@rule(
    "lambda-tracing",
    "Lambda functions trace with X-Ray (tracingConfig.mode Active)",
    types=(LAMBDA_FUNCTION,),
)
def _lambda_tracing(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.get("tracingConfig.mode") != "Active":
        yield "tracingConfig.mode must be Active"


@rule(
    "lambda-failure-destination",
    "Lambda functions send failed asynchronous events to a dead-letter queue or on-failure destination",
    types=(LAMBDA_FUNCTION,),
    needs_stack=True,
)
def _lambda_failure_destination(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.get("deadLetterConfig.targetArn"):
        return
    configs = stack.referring_to(r, (LAMBDA_INVOKE_CONFIG,), "functionName")
    if any(c.get("destinationConfig.onFailure.destination") for c in configs):
        return
    yield "needs deadLetterConfig.targetArn or an event invoke config with destinationConfig.onFailure"


@rule(
    "lambda-logs-encrypted",
    "Lambda functions log to a log group of the stack that a customer-managed KMS key encrypts",
    types=(LAMBDA_FUNCTION,),
    needs_stack=True,
)
def _lambda_logs_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    # Unset, Lambda writes to /aws/lambda/<function name>, which it creates unencrypted on first use.
    name = r.get("loggingConfig.logGroup") or f"/aws/lambda/{r.get('name') or r.name}"
    groups = [g for g in stack.same_place(r, LOG_GROUP) if g.get("name") == name]
    if not groups:
        yield f"logs to {name}, which the stack does not create (Lambda would, without a key)"
    elif not _customer_key(groups[0].get("kmsKeyId")):
        yield f"its log group {name} has no customer-managed kmsKeyId"


DYNAMODB_TABLE = "aws:dynamodb/table:Table"


@rule(
    "dynamodb-pitr-and-customer-key",
    "DynamoDB tables have point-in-time recovery and a customer-managed KMS key",
    types=(DYNAMODB_TABLE,),
)
def _dynamodb_pitr_and_key(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _truthy(r.get("pointInTimeRecovery.enabled")):
        yield "pointInTimeRecovery.enabled must be true"
    if not (
        _truthy(r.get("serverSideEncryption.enabled"))
        and _customer_key(r.get("serverSideEncryption.kmsKeyArn"))
    ):
        yield "serverSideEncryption must be enabled with a customer-managed kmsKeyArn"


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


# ---------------------------------------------------------------------------------------------
# Instances


@rule(
    "imdsv2-launch-templates",
    "Launch templates require IMDSv2 (metadata tokens)",
    types=(LAUNCH_TEMPLATE,),
)
def _imdsv2_launch_templates(r: ResourceView, stack: StackView) -> Iterator[str]:
    if (
        r.get("metadataOptions.httpEndpoint") != "disabled"
        and r.get("metadataOptions.httpTokens") != "required"
    ):
        yield 'metadataOptions.httpTokens must be "required"'


@rule(
    "imdsv2-instances",
    "EC2 instances require IMDSv2 (metadata tokens)",
    types=(EC2_INSTANCE,),
)
def _imdsv2_instances(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.get("launchTemplate") and r.get("metadataOptions") is None:
        return  # the launch template's metadata options apply, checked there
    if (
        r.get("metadataOptions.httpEndpoint") != "disabled"
        and r.get("metadataOptions.httpTokens") != "required"
    ):
        yield 'metadataOptions.httpTokens must be "required"'


# ---------------------------------------------------------------------------------------------
# Network

SECURITY_GROUPS = ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
WEB_PORTS = (80, 443)


def _fronts_public_load_balancer(group: ResourceView, stack: StackView) -> bool:
    return any(
        not _truthy(lb.get("internal")) and lb.get("loadBalancerType", "application") == "application"
        for lb in stack.referring_to(group, (LOAD_BALANCER,), "securityGroups")
    )


def _world_ingress(
    cidrs: Iterable[Any],
    protocol: Any,
    from_port: Any,
    to_port: Any,
    groups: list[ResourceView],
    stack: StackView,
) -> Iterator[str]:
    world = [str(c) for c in cidrs if str(c) in WORLD]
    if not world:
        return
    web_port = str(protocol) in ("tcp", "6") and _num(from_port, -1) == _num(to_port, -2) in WEB_PORTS
    if web_port and groups and all(_fronts_public_load_balancer(g, stack) for g in groups):
        return
    ports = f"{protocol} {_num(from_port):.0f}-{_num(to_port):.0f}"
    yield (
        f"ingress {ports} from {', '.join(world)}:"
        " only 80/443 to an internet-facing load balancer may be open to the world"
    )


@rule(
    "no-world-ingress",
    "No security group ingress from 0.0.0.0/0 or ::/0, except 80/443 on internet-facing load balancers",
    types=(*SECURITY_GROUPS, SG_INGRESS_RULE, SG_RULE),
    needs_stack=True,
)
def _no_world_ingress(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type in SECURITY_GROUPS:
        for entry in _seq(r.get("ingress")):
            if isinstance(entry, Mapping):
                cidrs = _seq(entry.get("cidrBlocks")) + _seq(entry.get("ipv6CidrBlocks"))
                yield from _world_ingress(
                    cidrs, entry.get("protocol"), entry.get("fromPort"), entry.get("toPort"), [r], stack
                )
        return
    groups = stack.referred_by(r, "securityGroupId", SECURITY_GROUPS)
    if r.type == SG_INGRESS_RULE:
        cidrs = [r.get("cidrIpv4"), r.get("cidrIpv6")]
        yield from _world_ingress(
            cidrs, r.get("ipProtocol"), r.get("fromPort"), r.get("toPort"), groups, stack
        )
    elif r.get("type") == "ingress":
        cidrs = _seq(r.get("cidrBlocks")) + _seq(r.get("ipv6CidrBlocks"))
        yield from _world_ingress(cidrs, r.get("protocol"), r.get("fromPort"), r.get("toPort"), groups, stack)


@rule(
    "subnets-no-public-ip-on-launch",
    "Subnets do not hand out public IPs automatically",
    types=("aws:ec2/subnet:Subnet",),
)
def _subnets_no_public_ip(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _truthy(r.get("mapPublicIpOnLaunch")):
        yield "mapPublicIpOnLaunch must be false"


VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


@rule(
    "vpc-flow-logs",
    "Every VPC has flow logs of all traffic",
    types=(VPC,),
    needs_stack=True,
)
def _vpc_flow_logs(r: ResourceView, stack: StackView) -> Iterator[str]:
    logs = stack.referring_to(r, (FLOW_LOG,), "vpcId")
    if not any(log.get("trafficType") == "ALL" for log in logs):
        yield "needs an aws.ec2.FlowLog with trafficType ALL"


# ---------------------------------------------------------------------------------------------
# IAM

IAM_ROLE = "aws:iam/role:Role"
INLINE_POLICIES = (
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
)
MANAGED_POLICY = "aws:iam/policy:Policy"
ATTACHMENTS = (
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
    "aws:iam/policyAttachment:PolicyAttachment",
)
ADMIN_POLICIES = (":policy/AdministratorAccess", ":policy/IAMFullAccess")


def _inline_documents(r: ResourceView) -> list[tuple[str, Any]]:
    """(where, document) of a resource's inline identity policies."""
    if r.type == IAM_ROLE:
        return [
            (f"inlinePolicies[{i}]", p.get("policy"))
            for i, p in enumerate(_seq(r.get("inlinePolicies")))
            if isinstance(p, Mapping)
        ]
    return [("policy", r.get("policy"))] if r.type in INLINE_POLICIES else []


@rule(
    "iam-no-star-on-star",
    'No IAM policy allows "*" actions on "*" resources',
    types=(MANAGED_POLICY, IAM_ROLE, *INLINE_POLICIES),
)
def _iam_no_star_on_star(r: ResourceView, stack: StackView) -> Iterator[str]:
    documents = [("policy", r.get("policy"))] if r.type == MANAGED_POLICY else _inline_documents(r)
    for where, document in documents:
        for s in _statements(document):
            everything = "*" in _seq(s.get("Action")) or s.get("NotAction") is not None
            if _allows(s) and everything and "*" in _seq(s.get("Resource")):
                yield f'{where} allows every action on every resource ("*" on "*")'


def _admin_actions(statement: Mapping[str, Any]) -> list[str]:
    actions = [str(a) for a in _seq(statement.get("Action"))]
    return [a for a in actions if a in ("*", "*:*", "iam:*")] + (
        ["NotAction"] if statement.get("NotAction") is not None else []
    )


@rule(
    "iam-no-inline-admin",
    'No inline policy grants administrator rights ("*", "iam:*" or NotAction)',
    types=(IAM_ROLE, *INLINE_POLICIES),
)
def _iam_no_inline_admin(r: ResourceView, stack: StackView) -> Iterator[str]:
    for where, document in _inline_documents(r):
        for s in _statements(document):
            admin = _admin_actions(s) if _allows(s) else []
            if admin:
                yield f"{where} grants {', '.join(admin)}: use a scoped managed policy"


@rule(
    "iam-no-admin-attachments",
    "No role, user or group gets AdministratorAccess or IAMFullAccess attached",
    types=(*ATTACHMENTS, IAM_ROLE),
)
def _iam_no_admin_attachments(r: ResourceView, stack: StackView) -> Iterator[str]:
    arns = _seq(r.get("managedPolicyArns")) if r.type == IAM_ROLE else [r.get("policyArn")]
    for arn in arns:
        if isinstance(arn, str) and arn.endswith(ADMIN_POLICIES):
            yield f"attaches {arn}"


@rule(
    "iam-trust-scoped",
    "Role trust policies name their principals; federated (OIDC) trust pins the token subject",
    types=(IAM_ROLE,),
)
def _iam_trust_scoped(r: ResourceView, stack: StackView) -> Iterator[str]:
    for s in _statements(r.get("assumeRolePolicy")):
        if not _allows(s):
            continue
        principal = s.get("Principal")
        anyone = principal == "*" or (isinstance(principal, Mapping) and "*" in _seq(principal.get("AWS")))
        given = s.get("Condition")
        condition: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
        if anyone and not condition:
            yield 'trust policy lets any AWS principal ("*") assume the role without a condition'
        web_identity = "sts:AssumeRoleWithWebIdentity" in _seq(s.get("Action")) or (
            isinstance(principal, Mapping) and principal.get("Federated")
        )
        if web_identity:
            subjects = [
                value
                for operator in condition.values()
                if isinstance(operator, Mapping)
                for key, values in operator.items()
                if str(key).endswith(":sub")
                for value in _seq(values)
            ]
            if not subjects or any(str(v).strip() in ("*", "") for v in subjects):
                yield "web-identity trust must pin the token subject (a :sub condition naming the workload)"


# ---------------------------------------------------------------------------------------------
# Backups and deletion


MIN_BACKUP_RETENTION_DAYS: Mapping[str, int] = {"dev": 1, "staging": 7, "prod": 14}
"""The tier's minimum automated-backup retention (config tier defaults must meet it; a test checks)."""


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
    "ecr-immutable-tags",
    "Container image tags are immutable (a pinned tag always means the same image)",
    types=("aws:ecr/repository:Repository",),
)
def _ecr_immutable_tags(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not str(r.get("imageTagMutability", "MUTABLE")).startswith("IMMUTABLE"):
        yield "imageTagMutability must be IMMUTABLE"


# ---------------------------------------------------------------------------------------------
# Edge

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")
OLD_TLS = ("SSLv3", "TLSv1", "TLSv1.1")


@rule(
    "cloudfront-tls",
    "CloudFront serves HTTPS only with TLS 1.2 or newer, and talks TLS 1.2+ to its origins",
    types=(DISTRIBUTION,),
)
def _cloudfront_tls(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _truthy(r.get("viewerCertificate.cloudfrontDefaultCertificate")):
        yield "uses the default *.cloudfront.net certificate, which allows TLS 1.0: use an ACM certificate"
    elif not str(r.get("viewerCertificate.minimumProtocolVersion", "")).startswith(("TLSv1.2", "TLSv1.3")):
        yield "viewerCertificate.minimumProtocolVersion must be TLSv1.2_2021 or newer"
    behaviors = [("defaultCacheBehavior", r.get("defaultCacheBehavior"))] + [
        (f"orderedCacheBehaviors[{i}]", b) for i, b in enumerate(_seq(r.get("orderedCacheBehaviors")))
    ]
    for where, behavior in behaviors:
        if (
            isinstance(behavior, Mapping)
            and behavior.get("viewerProtocolPolicy") not in HTTPS_VIEWER_POLICIES
        ):
            yield f"{where}.viewerProtocolPolicy must be redirect-to-https or https-only"
    for i, origin in enumerate(_seq(r.get("origins"))):
        custom = origin.get("customOriginConfig") if isinstance(origin, Mapping) else None
        if not isinstance(custom, Mapping):
            continue
        if custom.get("originProtocolPolicy") != "https-only":
            yield f"origins[{i}].customOriginConfig.originProtocolPolicy must be https-only"
        old = sorted(set(map(str, _seq(custom.get("originSslProtocols")))) & set(OLD_TLS))
        if old:
            yield f"origins[{i}].customOriginConfig.originSslProtocols must not include {', '.join(old)}"


@rule(
    "cloudfront-waf",
    "Every CloudFront distribution has a WAF web ACL",
    types=(DISTRIBUTION,),
)
def _cloudfront_waf(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not r.get("webAclId"):
        yield "webAclId must name a WAF web ACL"


# ---------------------------------------------------------------------------------------------
# EKS: both the pulumi-eks component's inputs and the aws.eks.Cluster it (or a program) creates

EKS_TYPES = (EKS_COMPONENT, EKS_CLUSTER)
EKS_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


@rule(
    "eks-secrets-encryption",
    "EKS encrypts Kubernetes secrets with a KMS key",
    types=EKS_TYPES,
)
def _eks_secrets_encryption(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type == EKS_COMPONENT:
        if not r.get("encryptionConfigKeyArn"):
            yield "encryptionConfigKeyArn must name a KMS key"
        return
    config = r.get("encryptionConfig") or {}
    if "secrets" not in _seq(config.get("resources")) or not r.get("encryptionConfig.provider.keyArn"):
        yield 'encryptionConfig must cover "secrets" with provider.keyArn set'


@rule(
    "eks-endpoint-restricted",
    "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0)",
    types=EKS_TYPES,
)
def _eks_endpoint_restricted(r: ResourceView, stack: StackView) -> Iterator[str]:
    prefix = "" if r.type == EKS_COMPONENT else "vpcConfig."
    public = r.get(f"{prefix}endpointPublicAccess", True)  # both default to a public endpoint
    if public is False or str(public).lower() == "false":
        return
    cidrs = [str(c) for c in _seq(r.get(f"{prefix}publicAccessCidrs"))]
    if not cidrs or any(c in WORLD for c in cidrs):
        yield (
            f"{prefix}endpointPublicAccess is on: {prefix}publicAccessCidrs must list the allowed ranges"
            " (not 0.0.0.0/0)"
        )


@rule(
    "eks-control-plane-logs",
    "EKS sends all control-plane log types (api, audit, authenticator, controllerManager, scheduler)",
    types=EKS_TYPES,
)
def _eks_control_plane_logs(r: ResourceView, stack: StackView) -> Iterator[str]:
    missing = [t for t in EKS_LOG_TYPES if t not in _seq(r.get("enabledClusterLogTypes"))]
    if missing:
        yield f"enabledClusterLogTypes is missing {', '.join(missing)}"


@rule(
    "eks-api-authentication",
    "EKS grants access through access entries only (authentication mode API, no aws-auth ConfigMap)",
    types=EKS_TYPES,
)
def _eks_api_authentication(r: ResourceView, stack: StackView) -> Iterator[str]:
    path = "authenticationMode" if r.type == EKS_COMPONENT else "accessConfig.authenticationMode"
    if r.get(path) != "API":
        yield f'{path} must be "API" (got {r.get(path)!r})'


# ---------------------------------------------------------------------------------------------
# Tags


@rule(
    "required-tags",
    f"Every taggable AWS resource carries {', '.join(REQUIRED_TAGS)} (own tags or provider default tags)",
    types=TAGGABLE,
)
def _required_tags(r: ResourceView, stack: StackView) -> Iterator[str]:
    tags: dict[str, Any] = dict(r.provider_tags)
    for source in ("tagsAll", "tags"):
        value = r.get(source)
        if isinstance(value, Mapping):
            tags.update(value)
    missing = [t for t in REQUIRED_TAGS if not isinstance(tags.get(t), str) or not tags[t].strip()]
    if missing:
        yield f"missing tags {', '.join(missing)} (set them as provider default tags)"


# ---------------------------------------------------------------------------------------------
# Documentation


def _short(token: str) -> str:
    """`aws:rds/cluster:Cluster` → `aws.rds.Cluster`; `eks:index:Cluster` → `eks.Cluster`."""
    package, module, name = token.split(":")
    module = module.split("/")[0]
    return f"{package}.{name}" if module == "index" else f"{package}.{module}.{name}"


def rules_markdown() -> str:
    """The README's rule table, generated from the rules (a test keeps README in sync)."""
    lines = ["| rule | what it requires | tiers | resource types |", "|---|---|---|---|"]
    for r in RULES.values():
        tiers = "all" if r.tiers == frozenset(TIERS) else ", ".join(t for t in TIERS if t in r.tiers)
        if r.types == TAGGABLE:
            types = "every type in `inventory.TAGGABLE`"
        elif r.types == STATEFUL_TYPES:
            types = "every stateful type in `inventory`"
        else:
            types = ", ".join(f"`{_short(t)}`" for t in sorted(r.types, key=_short))
        lines.append(f"| `{r.id}` | {r.description} | {tiers} | {types} |")
    lines += ["", "Exemptions (`policies.EXEMPTIONS`):", ""]
    lines += [
        f"- `{rule_id}` for `{pattern}`: {why}"
        for rule_id, patterns in EXEMPTIONS.items()
        for pattern, why in patterns.items()
    ] or ["- none"]
    return "\n".join(lines)
