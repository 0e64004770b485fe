"""Keyless CI: an IAM OIDC provider for GitLab and a read-only preview role and a deploy role."""

from social_components.ci_roles.args import CiRolesArgs
from social_components.ci_roles.component import CiRoles
from social_components.ci_roles.validation import (
    DATA_PLANE_READS,
    READ_ONLY_POLICY,
    GitRef,
    GitRefType,
    StateBackendAccess,
    deploy_subjects,
    issuer_host,
    preview_subjects,
)

__all__ = [
    "DATA_PLANE_READS",
    "READ_ONLY_POLICY",
    "CiRoles",
    "CiRolesArgs",
    "GitRef",
    "GitRefType",
    "StateBackendAccess",
    "deploy_subjects",
    "issuer_host",
    "preview_subjects",
]
