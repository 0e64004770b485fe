"""Build step: one EKS `Cluster` per region of a workload stack (prod: both regions).

Each region is a full, independent cluster in that region's network, so the edge has an origin per
region and losing a region loses none of the other's capacity. Config decides everything else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from social_components.cluster import (
    AddonArgs,
    Cluster,
    ClusterArgs,
    KarpenterArgs,
    NodePoolArgs,
    SystemNodeGroupArgs,
    Taint,
    TeamAccess,
)
from social_platform.config import ClusterConfig, NodePoolConfig

if TYPE_CHECKING:
    from social_components.network import Network
    from social_platform.program import Platform


def cluster_args(platform: Platform, region: str, network: Network) -> ClusterArgs:
    """The `ClusterArgs` of `region`'s cluster, from the stack's config."""
    cfg = platform.cfg
    section: ClusterConfig = cfg.cluster
    karpenter = section.karpenter
    general = NodePoolArgs(
        cpu_limit=karpenter.cpu_limit,
        memory_limit_gib=karpenter.memory_limit_gib,
        capacity_types=("spot", "on-demand") if karpenter.spot else ("on-demand",),
    )
    return ClusterArgs(
        cluster_name=platform.cluster_name(region),
        vpc_id=network.vpc_id,
        private_subnet_ids=network.subnet_ids["private"],
        kubernetes_version=section.kubernetes_version,
        endpoint_public_access=section.endpoint_public_access,
        public_access_cidrs=tuple(str(cidr) for cidr in section.public_access_cidrs),
        log_retention_days=section.log_retention_days,
        deletion_protection=section.deletion_protection,
        teams={
            name: TeamAccess(
                admin_role_arns=tuple(team.admin_role_arns),
                developer_role_arns=tuple(team.developer_role_arns),
                read_only_role_arns=tuple(team.read_only_role_arns),
                namespaces=tuple(team.namespaces),
            )
            for name, team in section.teams.items()
        },
        system_nodes=SystemNodeGroupArgs(
            instance_types=tuple(section.system_nodes.instance_types),
            ami_family=section.system_nodes.ami_family,
            min_size=section.system_nodes.min_size,
            desired_size=section.system_nodes.desired_size,
            max_size=section.system_nodes.max_size,
            disk_size_gib=section.system_nodes.disk_size_gib,
        ),
        karpenter=KarpenterArgs(
            chart_version=karpenter.chart_version,
            ami_alias=karpenter.ami_alias,
            replicas=karpenter.replicas,
            node_pools={
                "general": general,
                **{name: _pool(pool) for name, pool in karpenter.node_pools.items()},
            },
        ),
        addons={
            name: AddonArgs(enabled=addon.enabled, version=addon.version)
            for name, addon in section.addons.items()
        },
        dns_domain=f"{cfg.environment.name}.{cfg.organization.domain}",
        kubeconfig_role_arn=cfg.account.deploy_role_arn,
        grafana_admin_password=(
            pulumi.Output.secret(section.grafana_admin_password.get_secret_value())
            if section.grafana_admin_password is not None
            else None
        ),
    )


def _pool(pool: NodePoolConfig) -> NodePoolArgs:
    return NodePoolArgs(
        cpu_limit=pool.cpu_limit,
        memory_limit_gib=pool.memory_limit_gib,
        capacity_types=tuple(pool.capacity_types),
        architectures=tuple(pool.architectures),
        instance_categories=tuple(pool.instance_categories),
        expire_after_hours=pool.expire_after_hours,
        taints=tuple(Taint(key=t.key, value=t.value, effect=t.effect) for t in pool.taints),
        labels=dict(pool.labels),
        weight=pool.weight,
    )


def build_cluster(platform: Platform, networks: dict[str, Network]) -> dict[str, Cluster]:
    """Clusters keyed by region name, primary first; none when the stack has no cluster (shared)."""
    if not platform.cfg.cluster.enabled:
        return {}
    env = platform.cfg.environment.name
    return {
        region: Cluster(
            platform.name(region),
            cluster_args(platform, region, network),
            opts=pulumi.ResourceOptions(provider=platform.providers.get(env, region)),
            protect=platform.protect,
        )
        for region, network in networks.items()
    }


def cluster_outputs(clusters: dict[str, Cluster]) -> dict[str, Any]:
    """What other stacks and areas read: names, endpoints, OIDC issuers, node roles and security
    groups (plain), and the kubeconfigs and Grafana passwords (secrets, in their own outputs)."""
    if not clusters:
        return {}
    passwords = {
        r: c.grafana_admin_password for r, c in clusters.items() if c.grafana_admin_password is not None
    }
    outputs: dict[str, Any] = {
        "clusters": {
            region: {
                "name": cluster.cluster_name,
                "endpoint": cluster.endpoint,
                "oidc_issuer": cluster.oidc_issuer,
                "oidc_provider_arn": cluster.oidc_provider_arn,
                "node_role_arn": cluster.node_role_arn,
                "node_security_group_id": cluster.node_security_group_id,
                "cluster_security_group_id": cluster.cluster_security_group_id,
            }
            for region, cluster in clusters.items()
        },
        "kubeconfigs": pulumi.Output.secret({region: c.kubeconfig for region, c in clusters.items()}),
    }
    if passwords:
        outputs["grafana_admin_passwords"] = pulumi.Output.secret(passwords)
    return outputs
