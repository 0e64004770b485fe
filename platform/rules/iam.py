"""IAM: no admin, no `*` on `*`, scoped trust."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from social_platform.rulebook import ResourceView, StackView, _allows, _seq, _statements, rule

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
