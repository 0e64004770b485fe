"""Network area: the `network` section, its tier defaults and prod locks, the subnet-plan check
and the build step (one `Network` per region of the stack, each through that region's provider)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Literal

from pydantic import Field

from social_components.network import InterfaceEndpoint, Network, NetworkArgs, SubnetPrefixes, plan_subnets
from social_platform.areas.base import (
    ProdLock,
    RetentionDays,
    Section,
    StrictModel,
    Tier,
    args_field,
    attribute_docs,
)
from social_platform.areas.cluster import ClusterConfig
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue


class SubnetPrefixesConfig(StrictModel):
    public: Annotated[int, Field(ge=17, le=28)] | None = None
    """Public subnets' prefix length. Unset: the VPC's prefix + 8 (a /24 of a /16)."""
    private: Annotated[int, Field(ge=17, le=28)] | None = None
    """Private subnets' prefix length. Unset: the VPC's prefix + 3 (a /19 of a /16)."""
    data: Annotated[int, Field(ge=17, le=28)] | None = None
    """Data subnets' prefix length. Unset: the VPC's prefix + 8 (a /24 of a /16)."""


class NetworkConfig(Section):
    KEY = "network"
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {"nat_strategy": "single", "flow_log_retention_days": 14, "interface_endpoints": []},
        Tier.staging: {
            "nat_strategy": "single",
            "flow_log_retention_days": 90,
            "interface_endpoints": ["ecr.api", "ecr.dkr", "sts", "logs"],
        },
        Tier.prod: {
            "nat_strategy": "per-az",
            "flow_log_retention_days": 365,
            "interface_endpoints": ["ecr.api", "ecr.dkr", "sts", "ssm", "logs", "secretsmanager", "ec2"],
        },
    }
    PROD_LOCKS = {
        "nat_strategy": ProdLock(lambda v: v == "per-az", "per-az (one NAT gateway per AZ)"),
        "flow_log_retention_days": ProdLock(lambda v: v >= 365, "365 days or more"),
    }

    nat_strategy: Literal["none", "single", "per-az"]
    """Egress for private subnets: none, one shared NAT gateway, or one per AZ (tier default)."""
    flow_log_retention_days: RetentionDays
    """Retention of VPC flow logs (tier default: dev 14, staging 90, prod 365)."""
    interface_endpoints: list[InterfaceEndpoint]
    """Interface VPC endpoints (billed per AZ-hour; tier default: none in dev, the core set in prod)."""
    subnet_prefixes: SubnetPrefixesConfig = Field(
        default_factory=SubnetPrefixesConfig, description=attribute_docs(NetworkArgs)["subnet_prefixes"]
    )
    flow_log_bucket_arn: str | None = args_field(
        NetworkArgs, "flow_log_bucket_arn", pattern=r"^arn:aws[\w-]*:s3:::[a-z0-9.-]+$"
    )

    def prefixes(self) -> SubnetPrefixes:
        return SubnetPrefixes(**self.subnet_prefixes.model_dump())


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Every region's VPC range holds its subnets at the configured prefix lengths."""
    prefixes = cfg.section(NetworkConfig).prefixes()
    for region in cfg.regions.all():
        try:
            plan_subnets(region.vpc_cidr, region.az_count, prefixes)
        except ValueError as exc:
            yield ConfigIssue(f"{region.key}.vpc_cidr", str(exc))


def build(platform: Platform) -> dict[str, Network]:
    """Networks keyed by region name, primary first."""
    cfg = platform.cfg
    section = cfg.section(NetworkConfig)
    with_cluster = cfg.section(ClusterConfig).enabled
    return {
        region.name: Network(
            platform.name(region.name),
            NetworkArgs(
                **section.args_for(
                    NetworkArgs,
                    vpc_cidr=str(region.vpc_cidr),
                    az_count=region.az_count,
                    subnet_prefixes=section.prefixes(),
                    cluster_name=platform.cluster_name(region.name) if with_cluster else None,
                )
            ),
            opts=platform.options(region.name),
            protect=platform.protect,
        )
        for region in cfg.regions.all()
    }


def outputs(networks: dict[str, Network]) -> dict[str, object]:
    return {
        "networks": {
            region: {
                "vpc_id": net.vpc_id,
                "vpc_cidr": net.vpc_cidr,
                "az_names": net.az_names,
                "public_subnet_ids": net.subnet_ids["public"],
                "private_subnet_ids": net.subnet_ids["private"],
                "data_subnet_ids": net.subnet_ids["data"],
            }
            for region, net in networks.items()
        }
    }
