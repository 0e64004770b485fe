"""Arguments of the `CiRoles` component."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from social_components.ci_roles.validation import GitRef, StateBackendAccess


@dataclass(frozen=True)
class CiRolesArgs:
    gitlab_url: str
    """The GitLab instance, for example ``https://gitlab.com``: its OIDC issuer is trusted."""
    project_path: str
    """The only GitLab project (``group/subgroup/project``) whose jobs may assume the roles."""
    preview_role_name: str = "social-platform-ci-preview"
    """Name of the read-only role merge-request pipelines assume for ``pulumi preview``."""
    deploy_role_name: str = "social-platform-ci-deploy"
    """Name of the role pipelines of protected refs assume for ``pulumi up``."""
    deploy_refs: tuple[GitRef, ...] = (GitRef("branch", "main"),)
    """Refs whose pipelines may assume the deploy role; protect them in GitLab (only maintainers
    push, no force-push). Patterns may use ``*`` but never match every ref."""
    preview_refs: tuple[GitRef, ...] = (GitRef("branch", "*"),)
    """Branches whose (merge-request) pipelines may assume the preview role with their ID token.
    Unset: any branch of the project. Name protected branches only where the account holds data an
    unreviewed branch must not reach (the platform does for prod-tier accounts: docs/adr/0012)."""
    enable_preview_data_reads: bool = False
    """Let the preview role read data (object contents, table items, queue messages, secret values,
    decrypt with any key). Unset: explicit denies keep it to resource metadata, its stack's state
    objects and the state key, whatever ReadOnlyAccess allows."""
    deploy_assumable_role_arns: tuple[str, ...] = ()
    """Roles the deploy role may assume (the deploy roles of the accounts its stack spans): the
    deploy role holds no other permission. Unset: it may assume nothing."""
    preview_assumable_role_arns: tuple[str, ...] = ()
    """Preview roles the preview role may assume: those of the accounts its stack spans (this
    account's included, which its own-account provider assumes). Unset: none."""
    preview_trusted_role_arns: tuple[str, ...] = ()
    """Preview roles (of this project, in any account) that may assume this preview role besides
    GitLab jobs: itself, and in the shared account the environments' preview roles. Unset: none."""
    state: StateBackendAccess | None = None
    """The Pulumi state bucket and secrets key: preview reads and decrypts, deploy also writes.
    Unset: no state permissions (for example with the Pulumi Cloud backend)."""
    audience: str | None = None
    """The ``aud`` claim the jobs' ``id_tokens`` carry. Unset: the GitLab URL."""
    thumbprints: tuple[str, ...] = ()
    """TLS certificate thumbprints of the issuer. Unset: AWS checks the certificate against its
    trusted root CAs (right for gitlab.com and any publicly trusted certificate)."""
    oidc_provider_arn: pulumi.Input[str] | None = None
    """Bring your own IAM OIDC provider for the GitLab URL. Unset: one is created (one per account)."""
    max_session_hours: int = 1
    """Longest session either role hands out (1 to 12)."""
