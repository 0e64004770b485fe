"""Pure helpers of the CI roles: the GitLab ``sub`` claims a role trusts and its trust policy.

GitLab's ID tokens carry ``sub = project_path:<group/project>:ref_type:<branch|tag>:ref:<name>`` and
the ``aud`` the job asked for. IAM can match only ``aud`` and ``sub`` of a generic OIDC provider,
so those two pin who may assume a role.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

GitRefType = Literal["branch", "tag"]
WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"
READ_ONLY_POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
_PROJECT = re.compile(r"^[\w.-]+(/[\w.-]+)+$")
_ROLE_NAME = re.compile(r"^[\w+=,.@-]{1,64}$")
_ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_REF = re.compile(r"^[\w./*?-]{1,255}$")


@dataclass(frozen=True)
class GitRef:
    """A branch or tag (``*`` and ``?`` wildcards allowed) whose pipelines a role trusts."""

    type: GitRefType
    pattern: str


@dataclass(frozen=True)
class StateBackendAccess:
    """Where Pulumi keeps state and which objects of it a role may touch."""

    bucket_name: str
    readable_keys: tuple[str, ...]
    """Object key patterns both roles read (``*`` wildcards), for example the stack's checkpoint
    and the shared stack's, which a StackReference reads."""
    writable_keys: tuple[str, ...]
    """Object key patterns the deploy role writes (its own stack's checkpoint, history, locks)."""
    kms_key_alias: str
    """Alias of the secrets-provider key, for example ``alias/pulumi-secrets``."""
    kms_key_account_id: str
    kms_key_region: str

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket_name}"

    def object_arns(self, keys: Sequence[str]) -> list[str]:
        return [f"{self.bucket_arn}/{key}" for key in keys]

    @property
    def kms_keys_arn(self) -> str:
        """Every key in the state key's account and region; the alias condition picks the one."""
        return f"arn:aws:kms:{self.kms_key_region}:{self.kms_key_account_id}:key/*"


def issuer_host(gitlab_url: str) -> str:
    """The OIDC provider's name in IAM condition keys: the issuer URL without ``https://``."""
    if not re.fullmatch(r"https://[a-z0-9.-]+(:\d+)?", gitlab_url):
        raise ValueError(f"gitlab_url must be https://<host>[:port] (got {gitlab_url!r})")
    return gitlab_url.removeprefix("https://")


def subject(project_path: str, ref: GitRef) -> str:
    return f"project_path:{project_path}:ref_type:{ref.type}:ref:{ref.pattern}"


ANY_BRANCH = (GitRef("branch", "*"),)


def preview_subjects(project_path: str, refs: Sequence[GitRef] = ANY_BRANCH) -> list[str]:
    """Merge-request pipelines run for the source branch, merged results and merge trains alike
    carry ``ref_type:branch``: the given branches of this project (default: any), never another
    project's."""
    return [subject(project_path, ref) for ref in refs]


DATA_PLANE_READS: tuple[str, ...] = (
    # Object contents (s3:GetObjectVersion is the IAM action of GetObject with a version ID).
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTorrent",
    # Table items and streams (dynamodb:PartiQLSelect is the IAM action of ExecuteStatement reads).
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:PartiQLSelect",
    "dynamodb:GetRecords",
    "kinesis:GetRecords",
    # Queue messages
    "sqs:ReceiveMessage",
    # Secret values, stream keys, users' personal data, log lines that may carry either
    "secretsmanager:GetSecretValue",
    "secretsmanager:BatchGetSecretValue",
    "ivs:GetStreamKey",
    "cognito-idp:ListUsers",
    "cognito-idp:ListUsersInGroup",
    "cognito-idp:AdminGetUser",
    "logs:GetLogEvents",
    "logs:FilterLogEvents",
    "logs:StartQuery",
    "logs:StartLiveTail",
    "rds:DownloadDBLogFilePortion",
)
"""Reads of data, not of resource metadata: a merge-request preview needs none of them (it reads
resource descriptions, its stack's state object and decrypts with the stack's secrets key)."""


def data_read_denials(state: StateBackendAccess | None) -> list[dict[str, Any]]:
    """Explicit denies that win over ReadOnlyAccess: data-plane reads, object reads beyond the state
    objects, and any decrypt but with the state key (SSE-KMS objects, queue messages, SecureString
    parameters and secrets all need kms:Decrypt)."""
    objects: dict[str, Any] = (
        {"NotResource": state.object_arns([*state.readable_keys, *state.writable_keys])}
        if state is not None
        else {"Resource": "*"}
    )
    key_condition = (
        {"Condition": {"ForAllValues:StringNotEquals": {"kms:ResourceAliases": state.kms_key_alias}}}
        if state is not None
        else {}
    )
    return [
        {
            "Sid": "DenyDataPlaneReads",
            "Effect": "Deny",
            "Action": [a for a in DATA_PLANE_READS if not a.startswith("s3:")],
            "Resource": "*",
        },
        {
            "Sid": "DenyObjectReadsBeyondState",
            "Effect": "Deny",
            "Action": [a for a in DATA_PLANE_READS if a.startswith("s3:")],
            **objects,
        },
        {
            "Sid": "DenyDecryptBeyondStateKey",
            "Effect": "Deny",
            "Action": ["kms:Decrypt"],
            "Resource": "*",
            **key_condition,
        },
    ]


def deploy_subjects(project_path: str, refs: Sequence[GitRef]) -> list[str]:
    return [subject(project_path, ref) for ref in refs]


def validate(
    *,
    gitlab_url: str,
    project_path: str,
    role_names: Sequence[str],
    deploy_refs: Sequence[GitRef],
    role_arns: Sequence[str],
    max_session_hours: int,
    preview_refs: Sequence[GitRef] = ANY_BRANCH,
) -> None:
    """Raises ValueError naming the argument and what is allowed."""
    issuer_host(gitlab_url)
    if not _PROJECT.match(project_path):
        raise ValueError(f"project_path must be group/project (got {project_path!r})")
    for name in role_names:
        if not _ROLE_NAME.match(name):
            raise ValueError(f"role name {name!r} is not a valid IAM role name")
    if len(set(role_names)) != len(role_names):
        raise ValueError(f"preview_role_name and deploy_role_name must differ (got {list(role_names)})")
    if not deploy_refs:
        raise ValueError("deploy_refs needs at least one protected branch or tag")
    for ref in deploy_refs:
        if not _REF.match(ref.pattern) or set(ref.pattern) <= {"*", "?"}:
            raise ValueError(
                f"deploy_refs: {ref.type} {ref.pattern!r} is not allowed; name protected "
                "branches or tags (wildcards only within a name, such as v*)"
            )
    if not preview_refs:
        raise ValueError('preview_refs needs at least one branch ("*" for any)')
    for ref in preview_refs:
        if not _REF.match(ref.pattern):
            raise ValueError(f"preview_refs: {ref.type} {ref.pattern!r} is not a branch or tag pattern")
    for arn in role_arns:
        if not _ROLE_ARN.match(arn):
            raise ValueError(f"{arn!r} is not an IAM role ARN")
    if not 1 <= max_session_hours <= 12:
        raise ValueError(f"max_session_hours must be 1 to 12 (got {max_session_hours})")


def web_identity_statement(
    provider_arn: Any, host: str, audience: str, subjects: Sequence[str]
) -> dict[str, Any]:
    """Trust for GitLab jobs of one project: this provider, this audience, these ``sub`` claims."""
    exact = not any(c in s for s in subjects for c in "*?")
    return {
        "Sid": "GitLabJobsOfThisProject",
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": WEB_IDENTITY,
        "Condition": {
            "StringEquals": {
                f"{host}:aud": audience,
                **({f"{host}:sub": list(subjects)} if exact else {}),
            },
            **({} if exact else {"StringLike": {f"{host}:sub": list(subjects)}}),
        },
    }


def peer_statement(peer_role_arns: Sequence[str]) -> dict[str, Any]:
    """Trust for the named roles only. The principals are their accounts (which always exist, so
    the policy is valid before the roles do); the condition admits exactly these roles."""
    accounts = sorted({arn.split(":")[4] for arn in peer_role_arns})
    partition = peer_role_arns[0].split(":")[1]
    return {
        "Sid": "PreviewRolesOfThisProject",
        "Effect": "Allow",
        "Principal": {"AWS": [f"arn:{partition}:iam::{account}:root" for account in accounts]},
        "Action": "sts:AssumeRole",
        "Condition": {"ArnEquals": {"aws:PrincipalArn": sorted(peer_role_arns)}},
    }


def state_statements(state: StateBackendAccess, write: bool) -> list[dict[str, Any]]:
    """Read (and for deploy, write) the stack's state objects; decrypt (and encrypt) its secrets."""
    statements: list[dict[str, Any]] = [
        {
            "Sid": "ListState",
            "Effect": "Allow",
            "Action": ["s3:ListBucket"],
            "Resource": state.bucket_arn,
        },
        {
            "Sid": "ReadState",
            "Effect": "Allow",
            "Action": ["s3:GetObject"],
            "Resource": state.object_arns([*state.readable_keys, *state.writable_keys]),
        },
    ]
    if write:
        statements.append(
            {
                "Sid": "WriteOwnState",
                "Effect": "Allow",
                "Action": ["s3:PutObject", "s3:DeleteObject"],
                "Resource": state.object_arns(state.writable_keys),
            }
        )
    key_actions = ["kms:Decrypt", "kms:DescribeKey"]
    if write:
        key_actions += ["kms:Encrypt", "kms:GenerateDataKey"]
    statements.append(
        {
            "Sid": "UseStateKey",
            "Effect": "Allow",
            "Action": key_actions,
            "Resource": state.kms_keys_arn,
            "Condition": {"ForAnyValue:StringEquals": {"kms:ResourceAliases": state.kms_key_alias}},
        }
    )
    return statements


def assume_statement(sid: str, role_arns: Sequence[str]) -> dict[str, Any]:
    return {"Sid": sid, "Effect": "Allow", "Action": ["sts:AssumeRole"], "Resource": sorted(role_arns)}
