"""Which IAM role the stack's providers assume, and which accounts a stack spans.

`deploy` (the default) assumes each account's `deploy_role`: what `pulumi up` needs. `preview`
assumes each account's read-only CI preview role instead, so a merge-request pipeline's
`pulumi preview` runs with credentials that cannot change anything. The pipeline picks it with
the environment variable ``SOCIAL_PLATFORM_PROVIDER_ROLE=preview``.
"""

from __future__ import annotations

import os
from typing import Literal, cast

from social_platform.config import SHARED, PlatformConfig
from social_platform.errors import ConfigError, ConfigIssue

ProviderRole = Literal["deploy", "preview"]
PROVIDER_ROLE_ENV = "SOCIAL_PLATFORM_PROVIDER_ROLE"


def provider_role() -> ProviderRole:
    """The mode from the environment (unset: deploy); anything else is a clear error."""
    value = os.environ.get(PROVIDER_ROLE_ENV, "deploy")
    if value not in ("deploy", "preview"):
        raise ConfigError(
            [
                ConfigIssue(
                    "ci",
                    f"environment variable {PROVIDER_ROLE_ENV} must be deploy or preview (got {value!r})",
                )
            ]
        )
    return cast(ProviderRole, value)


def role_arn(cfg: PlatformConfig, account: str, mode: ProviderRole) -> str:
    """The role a provider for `account` (a key of `accounts`) assumes in `mode`."""
    acct = cfg.accounts[account]
    if mode == "preview":
        return f"arn:aws:iam::{acct.id}:role/{cfg.ci.preview_role_name}"
    return acct.deploy_role_arn


def stack_accounts(cfg: PlatformConfig) -> list[str]:
    """Accounts (keys of `accounts`) the stack's providers may use: its own and, for an
    environment, the shared account (for example the NS delegation in the root zone)."""
    return list(dict.fromkeys((cfg.environment.name, SHARED)))
