"""Explicit AWS providers, one per (account, region) the stack touches.

Each assumes that account's deploy role (in merge-request previews its read-only CI preview role,
see `roles.py`) and pins `allowed_account_ids` to it, so a credential that
lands in the wrong account fails before anything is created. Default providers are disabled in
`Pulumi.yaml`; a resource without one of these providers cannot be declared.
"""

from __future__ import annotations

from collections.abc import Callable

import pulumi_aws as aws

from social_platform.areas.base import region_code
from social_platform.areas.stack import SHARED, StackConfig

CLOUDFRONT_REGION = "us-east-1"
"""CloudFront-scoped resources (ACM certificates, CLOUDFRONT WAF) live here."""


def default_tags(cfg: StackConfig, stack: str) -> dict[str, str]:
    org = cfg.organization
    return {
        "Project": "social-platform",
        "Environment": cfg.environment.name,
        "Owner": org.owner,
        "CostCenter": org.cost_center,
        "ManagedBy": "pulumi",
        "Stack": stack,
    }


class Providers:
    """Creates providers on first use and hands out the same one afterwards."""

    def __init__(self, cfg: StackConfig, stack: str, role_arn: Callable[[str], str]) -> None:
        """`role_arn`: the role a provider for an account (a key of `accounts`) assumes."""
        self._cfg = cfg
        self._stack = stack
        self._tags = default_tags(cfg, stack)
        self._cache: dict[tuple[str, str], aws.Provider] = {}
        self._role_arn = role_arn

    def get(self, account: str, region: str) -> aws.Provider:
        """The provider for `account` (a key of `accounts`) in `region`."""
        key = (account, region)
        if key not in self._cache:
            acct = self._cfg.accounts[account]
            self._cache[key] = aws.Provider(
                f"aws-{account}-{region_code(region)}",
                region=region,
                allowed_account_ids=[acct.id],
                assume_roles=[
                    aws.ProviderAssumeRoleArgs(
                        role_arn=self._role_arn(account),
                        session_name=f"pulumi-{self._stack}"[:64],
                    )
                ],
                default_tags=aws.ProviderDefaultTagsArgs(tags=self._tags),
            )
        return self._cache[key]

    def placement(self, provider: object) -> tuple[str, str]:
        """(account key, region) of a provider this object made (what a component was given)."""
        for key, made in self._cache.items():
            if made is provider:
                return key
        raise ValueError(f"not one of the stack's providers: {provider!r}")

    # The names the composition uses --------------------------------------------------------

    @property
    def primary(self) -> aws.Provider:
        """The stack's own account, primary region."""
        return self.get(self._cfg.environment.name, self._cfg.regions.primary.name)

    @property
    def cloudfront(self) -> aws.Provider:
        """The stack's own account in us-east-1, for ACM certificates and CLOUDFRONT-scope WAF."""
        return self.get(self._cfg.environment.name, CLOUDFRONT_REGION)

    @property
    def shared(self) -> aws.Provider:
        """The shared/tooling account in the primary region (for example the root DNS zone)."""
        return self.get(SHARED, self._cfg.regions.primary.name)
