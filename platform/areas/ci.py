"""CI area: the `ci` section (GitLab OIDC trust, CI role names, deploy refs, the state backend), its
checks, which role each provider assumes, and the build step: keyless CI roles in every stack's
account."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import pulumi
from pydantic import Field, field_validator

from social_components.ci_roles import CiRoles, CiRolesArgs, GitRef
from social_platform.areas.base import Section, StrictModel, Tier, known_region
from social_platform.areas.stack import SHARED, StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue
from social_platform.roles import ProviderRole
from social_platform.state_backend import StateBackend

GitRefPattern = Annotated[str, Field(pattern=r"^[\w./*?-]+$", max_length=255)]
IamRoleName = Annotated[str, Field(pattern=r"^[\w+=,.@-]+$", max_length=64)]


class StateBackendConfig(StrictModel):
    region: str
    """Region of the state bucket and the secrets keys (in the shared account)."""
    bucket: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")] | None = None
    """The state bucket. Unset: `<organization>-pulumi-state-<shared account id>`."""
    key_alias_prefix: Annotated[str, Field(pattern=r"^alias/[\w/-]+$")] = "alias/pulumi-secrets"
    """Each stack's secrets provider is the KMS key `<prefix>-<stack>`: one stack's account
    cannot decrypt another stack's secrets."""

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        return known_region(value)


class CiConfig(Section):
    KEY = "ci"
    SCOPE = "all"

    gitlab_url: Annotated[str, Field(pattern=r"^https://[a-z0-9.-]+(:\d+)?$")] = "https://gitlab.com"
    """GitLab instance; its OIDC issuer is trusted by the keyless CI roles."""
    project_path: Annotated[str, Field(pattern=r"^[\w.-]+(/[\w.-]+)+$")] = "social/social-platform"
    """GitLab project path the CI roles trust (group/subgroup/project)."""
    preview_role_name: IamRoleName = "social-platform-ci-preview"
    """Read-only role merge-request pipelines assume (in every account) for `pulumi preview`."""
    deploy_role_name: IamRoleName = "social-platform-ci-deploy"
    """Role pipelines of `deploy_branches`/`deploy_tags` assume (in every account) for `pulumi up`."""
    deploy_branches: Annotated[list[GitRefPattern], Field(min_length=1)] = ["main"]
    """Branches whose pipelines may deploy; protect them in GitLab. Wildcards only within a name."""
    preview_branches: list[GitRefPattern] | None = None
    """Branches whose merge-request pipelines may preview this stack (assume this account's preview
    role). Unset: any branch in dev and staging; in prod-tier stacks (prod, shared) only
    `deploy_branches`, which are protected, so an unreviewed branch never decrypts prod's secrets
    (docs/adr/0012). Preview roles read no data in any tier."""
    deploy_tags: list[GitRefPattern] = []
    """Tag patterns whose pipelines may deploy, for example `v*` (protect them in GitLab).
    Unset: no tag pipeline may deploy."""
    state: StateBackendConfig | None = None
    """The self-managed Pulumi state backend that `bootstrap` creates in the shared account.
    Unset: the CI roles get no state permissions (for example with Pulumi Cloud) and `bootstrap`
    refuses to run."""


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Every role name is distinct and no pattern lets every ref deploy."""
    ci = cfg.section(CiConfig)
    if ci.enabled:
        deploy_roles = {account.deploy_role for account in cfg.accounts.values()}
        for key in ("preview_role_name", "deploy_role_name"):
            name = getattr(ci, key)
            if name in deploy_roles:
                yield ConfigIssue(
                    f"ci.{key}", f"{name!r} is an account's deploy_role; CI roles need their own names"
                )
        if ci.preview_role_name == ci.deploy_role_name:
            yield ConfigIssue("ci.deploy_role_name", "must differ from ci.preview_role_name")
        for key in ("deploy_branches", "deploy_tags"):
            for pattern in getattr(ci, key):
                if set(pattern) <= {"*", "?"}:
                    yield ConfigIssue(
                        f"ci.{key}",
                        f"{pattern!r} would let every ref deploy; name protected refs (wildcards only "
                        "within a name, such as v*)",
                    )


def role_arn(cfg: StackConfig, account: str, mode: ProviderRole) -> str:
    """The role a provider for `account` (a key of `accounts`) assumes in `mode`."""
    acct = cfg.accounts[account]
    if mode == "preview":
        return f"arn:aws:iam::{acct.id}:role/{cfg.section(CiConfig).preview_role_name}"
    return acct.deploy_role_arn


def preview_branches(cfg: StackConfig) -> list[str]:
    """Branches whose pipelines may assume this stack's account's preview role (see `preview_branches`)."""
    ci = cfg.section(CiConfig)
    if ci.preview_branches is not None:
        return list(ci.preview_branches)
    return list(ci.deploy_branches) if cfg.tier is Tier.prod else ["*"]


def stack_accounts(cfg: StackConfig) -> list[str]:
    """Accounts (keys of `accounts`) the stack's providers may use: its own and, for an
    environment, the shared account (for example the NS delegation in the root zone)."""
    return list(dict.fromkeys((cfg.environment.name, SHARED)))


def state_backend(cfg: StackConfig) -> StateBackend | None:
    """The self-managed state backend the config names (None when `ci.state` is unset)."""
    state = cfg.section(CiConfig).state
    if state is None:
        return None
    bucket = state.bucket or f"{cfg.organization.name}-pulumi-state-{cfg.shared_account.id}"
    return StateBackend(bucket, state.region, state.key_alias_prefix, cfg.shared_account.id)


# ---------------------------------------------------------------------------------------------
# Build


def build(platform: Platform) -> CiRoles | None:
    """Keyless CI roles in the stack's own account (None when `ci.enabled` is false)."""
    cfg = platform.cfg
    ci = cfg.section(CiConfig)
    if not ci.enabled:
        return None
    backend = state_backend(cfg)
    own_preview = role_arn(cfg, cfg.environment.name, "preview")
    # The shared account's preview role is assumed by every environment's preview (NS records …).
    trusted = (
        [role_arn(cfg, key, "preview") for key in cfg.accounts]
        if cfg.environment.is_tooling
        else [own_preview]
    )
    return CiRoles(
        "ci",
        CiRolesArgs(
            gitlab_url=ci.gitlab_url,
            project_path=ci.project_path,
            preview_role_name=ci.preview_role_name,
            deploy_role_name=ci.deploy_role_name,
            deploy_refs=(
                *(GitRef("branch", branch) for branch in ci.deploy_branches),
                *(GitRef("tag", tag) for tag in ci.deploy_tags),
            ),
            preview_refs=tuple(GitRef("branch", branch) for branch in preview_branches(cfg)),
            deploy_assumable_role_arns=tuple(role_arn(cfg, a, "deploy") for a in stack_accounts(cfg)),
            preview_assumable_role_arns=tuple(role_arn(cfg, a, "preview") for a in stack_accounts(cfg)),
            preview_trusted_role_arns=tuple(trusted),
            state=None if backend is None else backend.access(platform.stack),
        ),
        opts=pulumi.ResourceOptions(provider=platform.providers.primary),
    )


def outputs(ci: CiRoles | None) -> dict[str, Any]:
    if ci is None:
        return {}
    return {
        "ci": {
            "oidc_provider_arn": ci.oidc_provider_arn,
            "preview_role_arn": ci.preview_role_arn,
            "deploy_role_arn": ci.deploy_role_arn,
        }
    }
