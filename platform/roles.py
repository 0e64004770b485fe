"""Which IAM role the stack's providers assume: the mode (`social_platform.areas.ci.role_arn` names the role).

`deploy` (the default) assumes each account's `deploy_role`: what `pulumi up` needs. `preview`
assumes each account's read-only CI preview role instead, so a merge-request pipeline's
`pulumi preview` runs with credentials that cannot change anything. The pipeline picks it with
the environment variable ``SOCIAL_PLATFORM_PROVIDER_ROLE=preview``.
"""

from __future__ import annotations

import os
from typing import Literal, cast

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
