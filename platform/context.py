"""What every build step gets: the validated config, the providers and the shared stack's outputs."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from social_platform.areas.base import Tier, region_code
from social_platform.areas.stack import StackConfig
from social_platform.providers import Providers


@dataclass
class Platform:
    """What every build step needs: the config, the providers and the shared stack's outputs."""

    cfg: StackConfig
    stack: str
    providers: Providers
    shared: pulumi.StackReference | None

    @property
    def protect(self) -> bool:
        """Stateful resources are protected in prod."""
        return self.cfg.tier is Tier.prod

    def name(self, region: str) -> str:
        """Base name of a stack's components in `region`, for example ``dev-euw1``."""
        return f"{self.cfg.environment.name}-{region_code(region)}"

    def cluster_name(self, region: str) -> str:
        """The EKS cluster's name in `region`, known before the cluster exists (subnet tags need it)."""
        return f"{self.cfg.organization.name}-{self.name(region)}"

    def options(self, region: str) -> pulumi.ResourceOptions:
        """Resource options placing a component in the stack's own account in `region`."""
        return pulumi.ResourceOptions(provider=self.providers.get(self.cfg.environment.name, region))
