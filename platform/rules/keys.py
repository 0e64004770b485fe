"""Encrypted data: whoever this stack lets use an encrypted queue, topic, bucket, secret or log group
may also use its key (identity policy and key policy)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from social_platform.rulebook import ResourceView, StackView, _allows, _customer_key, _seq, _statements, rule
from social_platform.rules.encryption import (
    KMS_KEY,
    LOG_GROUP,
    S3_BUCKETS,
    SECRET,
    SNS_TOPIC,
    SQS_QUEUE,
    _sse_defaults,
)
from social_platform.rules.iam import IAM_ROLE, MANAGED_POLICY, _inline_documents

QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"

DATA_KEY_NEEDS: Mapping[str, tuple[tuple[str, tuple[str, ...]], ...]] = {
    # (data action, the KMS actions it needs on the data's key), from each service's KMS page:
    # SQS "Key management" (consumers Decrypt; producers GenerateDataKey and Decrypt), SNS
    # "Data encryption", S3 "Using SSE-KMS" (GetObject Decrypt; PutObject GenerateDataKey) and
    # Secrets Manager "Secret encryption and decryption" (GetSecretValue Decrypt).
    SQS_QUEUE: (
        ("sqs:ReceiveMessage", ("kms:Decrypt",)),
        ("sqs:SendMessage", ("kms:GenerateDataKey", "kms:Decrypt")),
    ),
    SNS_TOPIC: (("sns:Publish", ("kms:GenerateDataKey", "kms:Decrypt")),),
    **{
        bucket: (("s3:GetObject", ("kms:Decrypt",)), ("s3:PutObject", ("kms:GenerateDataKey",)))
        for bucket in S3_BUCKETS
    },
    SECRET: (("secretsmanager:GetSecretValue", ("kms:Decrypt",)),),
}
RESOURCE_POLICIES: Mapping[str, tuple[str, str]] = {
    # Resource policy type → (its input naming the data resource, its policy input).
    QUEUE_POLICY: ("queueUrl", "policy"),
    TOPIC_POLICY: ("arn", "policy"),
    BUCKET_POLICY: ("bucket", "policy"),
}


def _matches(value: Any, patterns: Any) -> bool:
    """Whether `value` matches one of the IAM `patterns` (``*`` and ``?`` wildcards)."""
    return any(isinstance(p, str) and fnmatch.fnmatchcase(str(value), p) for p in _seq(patterns))


def _data_key(r: ResourceView, stack: StackView) -> str | None:
    """The customer-managed key `r`'s data is encrypted with (None: AWS owned/managed keys)."""
    if r.type in (SQS_QUEUE, SNS_TOPIC):
        key = r.get("kmsMasterKeyId")
    elif r.type in (SECRET, LOG_GROUP):
        key = r.get("kmsKeyId")
    else:
        key = next(
            (
                d.get("kmsMasterKeyId")
                for d in _sse_defaults(r, stack)
                if str(d.get("sseAlgorithm")).startswith("aws:kms")
            ),
            None,
        )
    return key if _customer_key(key) else None


def _find_key(stack: StackView, key: str) -> ResourceView | None:
    return next((k for k in stack.of_type(KMS_KEY) if key in (k.arn, k.id, k.props.get("keyId"))), None)


def _role_statements(stack: StackView, role: ResourceView) -> list[Mapping[str, Any]]:
    """Every Allow statement of `role`'s identity policies: inline, RolePolicy and attached Policy."""
    documents = [doc for _, doc in _inline_documents(role)]
    documents += [
        p.get("policy") for p in stack.referring_to(role, ("aws:iam/rolePolicy:RolePolicy",), "role")
    ]
    for attachment in stack.referring_to(
        role, ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",), "role"
    ):
        documents += [p.get("policy") for p in stack.referred_by(attachment, "policyArn", (MANAGED_POLICY,))]
    return [s for doc in documents for s in _statements(doc) if _allows(s)]


def _names_data(statement: Mapping[str, Any], arn: str) -> bool:
    """The statement names the data resource itself (or its objects), not just every resource."""
    return any(
        isinstance(p, str)
        and p != "*"
        and (fnmatch.fnmatchcase(arn, p) or fnmatch.fnmatchcase(arn + "/x", p))
        for p in _seq(statement.get("Resource"))
    )


def _key_policy_admits(key: ResourceView, principal: Mapping[str, str], kms_action: str, iam: bool) -> bool:
    """Whether the key policy lets `principal` (``{"AWS": role ARN}`` or ``{"Service": name}``) use
    `kms_action`. For an IAM role, a statement giving the account root the action delegates to IAM."""
    for statement in _statements(key.get("policy")):
        if not _allows(statement) or not _matches(kms_action, statement.get("Action")):
            continue
        given = statement.get("Principal")
        given = given if isinstance(given, Mapping) else {"AWS": given}
        for kind, value in principal.items():
            names = _seq(given.get(kind))
            if value in names or "*" in names or (iam and any(str(n).endswith(":root") for n in names)):
                return True
    return False


@rule(
    "encrypted-data-key-access",
    "Whoever this stack lets read or write an encrypted queue, topic, bucket or secret may use its key "
    "(identity and key policy); log groups' keys admit CloudWatch Logs",
    types=(SQS_QUEUE, SNS_TOPIC, *S3_BUCKETS, SECRET, LOG_GROUP),
    needs_stack=True,
)
def _encrypted_data_key_access(r: ResourceView, stack: StackView) -> Iterator[str]:
    key_ref = _data_key(r, stack)
    if key_ref is None:
        return
    key = _find_key(stack, key_ref)
    if key is None:
        return  # a key from outside this stack: its policy is not ours to read
    if r.type == LOG_GROUP:
        if not _key_policy_admits(
            key, {"Service": f"logs.{r.region}.amazonaws.com"}, "kms:GenerateDataKey", False
        ):
            yield f"key {key.name} does not let logs.{r.region}.amazonaws.com use it"
        return
    if r.arn is None:
        return
    for role in stack.of_type(IAM_ROLE):
        statements = _role_statements(stack, role)
        for action, kms_action in _needs(r.type, statements, r.arn):
            who = f"role {role.name} may {action} but"
            if not any(
                _matches(kms_action, s.get("Action")) and _matches(key_ref, s.get("Resource"))
                for s in statements
            ):
                yield f"{who} its policies do not allow {kms_action} on key {key.name}"
            if role.arn and not _key_policy_admits(key, {"AWS": role.arn}, kms_action, True):
                yield f"{who} key {key.name}'s policy does not admit it"
    for policy, statement in _resource_policy_statements(stack, r):
        principal = statement.get("Principal")
        for service in _seq(principal.get("Service")) if isinstance(principal, Mapping) else []:
            for action, kms_action in _needs(r.type, [statement]):
                if not _key_policy_admits(key, {"Service": service}, kms_action, False):
                    yield f"{service} may {action} (by {policy.name}) but key {key.name} does not admit it"


def _needs(
    data_type: str, statements: Sequence[Mapping[str, Any]], arn: str | None = None
) -> Iterator[tuple[str, str]]:
    """(data action, KMS action) pairs for the data actions `statements` allow (on `arn`, if given)."""
    for action, kms_actions in DATA_KEY_NEEDS[data_type]:
        if any(
            _matches(action, s.get("Action")) and (arn is None or _names_data(s, arn)) for s in statements
        ):
            yield from ((action, kms_action) for kms_action in kms_actions)


def _resource_policy_statements(
    stack: StackView, r: ResourceView
) -> Iterator[tuple[ResourceView, Mapping[str, Any]]]:
    """Allow statements of the queue, topic or bucket policies attached to `r`."""
    # A queue policy names its queue by URL, a bucket policy by bucket name: both end in the ARN's last part.
    names = {str(r.arn), str(r.arn).rsplit(":", 1)[-1]} | {
        v for v in (r.id, r.props.get("bucket")) if isinstance(v, str)
    }
    for policy_type, (target_input, policy_input) in RESOURCE_POLICIES.items():
        for policy in stack.of_type(policy_type):
            target = str(policy.props.get(target_input, ""))
            if target in names or any(target.endswith(f"/{n}") for n in names):
                yield from ((policy, s) for s in _statements(policy.get(policy_input)) if _allows(s))
