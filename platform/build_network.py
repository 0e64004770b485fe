"""Build step: one `Network` per region of the stack, each through that region's provider."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from social_components.network import Network, NetworkArgs, SubnetPrefixes

if TYPE_CHECKING:
    from social_platform.program import Platform


def build_network(platform: Platform) -> dict[str, Network]:
    """Networks keyed by region name, primary first."""
    cfg = platform.cfg
    section = cfg.network
    networks: dict[str, Network] = {}
    for region in cfg.regions.all():
        networks[region.name] = Network(
            platform.name(region.name),
            NetworkArgs(
                vpc_cidr=str(region.vpc_cidr),
                az_count=region.az_count,
                subnet_prefixes=SubnetPrefixes(**section.subnet_prefixes.model_dump()),
                nat_strategy=section.nat_strategy,
                flow_log_retention_days=section.flow_log_retention_days,
                flow_log_bucket_arn=section.flow_log_bucket_arn,
                interface_endpoints=tuple(section.interface_endpoints),
                cluster_name=platform.cluster_name(region.name) if cfg.cluster.enabled else None,
            ),
            opts=pulumi.ResourceOptions(provider=platform.providers.get(cfg.environment.name, region.name)),
            protect=platform.protect,
        )
    return networks


def network_outputs(networks: dict[str, Network]) -> dict[str, object]:
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
