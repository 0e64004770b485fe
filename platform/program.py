"""The platform composition: config in, components wired together, stack outputs out.

This is the only place that reads config, decides per tier, builds providers and passes one
component's outputs into another's args. `__main__.py` calls `main()`; the offline render calls the
very same function under mocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from social_platform import stackfiles
from social_platform.build_cluster import build_cluster, cluster_outputs
from social_platform.build_data import build_data, data_outputs
from social_platform.build_delivery import build_delivery
from social_platform.build_edge import build_edge
from social_platform.build_identity import build_identity, identity_outputs
from social_platform.build_network import build_network, network_outputs
from social_platform.build_realtime import build_realtime, build_wallet, realtime_outputs
from social_platform.build_streaming import build_streaming, streaming_outputs
from social_platform.config import PlatformConfig, Tier, load_config, region_code
from social_platform.errors import ConfigError
from social_platform.providers import Providers


def read_config(project_dir: Path = stackfiles.PROJECT_ROOT) -> PlatformConfig:
    """The stack's validated config, from what the engine hands the program."""
    # The SDK has no public call that lists every key; these are the maps `pulumi.Config` reads.
    engine_config = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    secret_keys = [*runtime_config.get_config_secret_keys_env(), *runtime_config._SECRET_KEYS.get()]
    raw = stackfiles.from_engine(engine_config, secret_keys)
    return load_config(
        raw.values,
        secret_keys=raw.secret_keys,
        other_environments=stackfiles.other_environment_regions(pulumi.get_stack(), project_dir),
    )


@dataclass
class Platform:
    """What every build step needs: the config, the providers and the shared stack's outputs."""

    cfg: PlatformConfig
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


def build(cfg: PlatformConfig, stack: str) -> dict[str, Any]:
    """Declare the stack's resources; returns the stack outputs."""
    shared = None
    if cfg.shared_stack and not cfg.environment.is_tooling:
        shared = pulumi.StackReference(cfg.shared_stack)
    platform = Platform(cfg=cfg, stack=stack, providers=Providers(cfg, stack), shared=shared)
    outputs: dict[str, Any] = {
        "environment": cfg.environment.name,
        "tier": cfg.tier.value,
        "account_id": cfg.account.id,
        "regions": [region.name for region in cfg.regions.all()],
    }
    networks = build_network(platform)
    outputs.update(network_outputs(networks))
    clusters = build_cluster(platform, networks)
    outputs.update(cluster_outputs(clusters))
    # The cluster's nodes are the data tier's clients, admitted by security group, region by region.
    # (CI runners live in the shared account's VPC; migrations run as Jobs in the cluster instead.)
    nodes = {
        region: {"cluster-nodes": cluster.node_security_group_id} for region, cluster in clusters.items()
    }
    data = build_data(platform, networks, client_security_groups=nodes)
    outputs.update(data_outputs(data))
    outputs.update(streaming_outputs(build_streaming(platform)))
    edge = build_edge(platform)
    outputs.update(edge.outputs)
    identity = build_identity(
        platform,
        waf_web_acl_arn=edge.regional_web_acl_arn,
        certificate_arn=edge.certificate_arn,
        dns_zone_id=edge.zone.zone_id,
    )
    if identity is not None:
        outputs["identity"] = identity_outputs(identity)
    realtime = build_realtime(platform, identity, zone_id=edge.zone.zone_id)
    outputs.update(realtime_outputs(realtime, build_wallet(platform, clusters, data.databases)))
    outputs.update(build_delivery(platform, networks).outputs())
    return outputs


def main(project_dir: Path = stackfiles.PROJECT_ROOT) -> dict[str, Any]:
    """The program: validate config, declare resources, export outputs (the render calls this)."""
    outputs = build(read_config(project_dir), pulumi.get_stack())
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs


def run() -> None:
    """Entry point of `__main__.py`: `main()`, with config errors as a short message."""
    try:
        main()
    except ConfigError as exc:
        # RunError makes `pulumi preview` print the message alone, without a Python traceback.
        raise pulumi.RunError(str(exc)) from None
