"""Cluster area: the `cluster` section (control plane, system nodes, Karpenter, add-ons), its tier
defaults and prod locks, its checks and the build step: one EKS `Cluster` per region of a workload
stack (prod: both regions).

Each region is a full, independent cluster in that region's network, so the edge has an origin per
region and losing a region loses none of the other's capacity. Config decides everything else.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Annotated, Any, Literal

import pulumi
from pydantic import AfterValidator, Field, JsonValue, SecretStr, field_validator

from social_components.cluster import (
    AddonArgs,
    AlertTopicsArgs,
    Cluster,
    ClusterArgs,
    KarpenterArgs,
    NodePoolArgs,
    SystemNodeGroupArgs,
    Taint,
    TeamAccess,
)
from social_components.cluster.catalog import KARPENTER_AMI_ALIAS, KARPENTER_VERSION, KUBERNETES_VERSION
from social_components.cluster.registry import REGISTRY
from social_components.network import Network
from social_platform.areas.argocd import ArgoCdConfig
from social_platform.areas.base import (
    Cidr,
    InstanceType,
    K8sName,
    PinnedVersion,
    ProdLock,
    RetentionDays,
    RoleArn,
    Section,
    Slug,
    StrictModel,
    Tier,
    TierFilledModel,
    args_field,
    deep_merge,
)
from social_platform.areas.grafana import GrafanaConfig
from social_platform.areas.observability import AlertTopics
from social_platform.areas.runners import CI_EGRESS_OUTPUT
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue


class TeamAccessConfig(StrictModel):
    admin_role_arns: list[RoleArn] = []
    """IAM roles with admin rights: cluster admin (AmazonEKSClusterAdminPolicy) when the team has no
    namespaces, else AmazonEKSAdminPolicy in its namespaces."""
    developer_role_arns: list[RoleArn] = []
    """IAM roles that may change workloads (AmazonEKSEditPolicy) in the team's namespaces, or
    cluster-wide when it has none."""
    read_only_role_arns: list[RoleArn] = []
    """IAM roles that may read (AmazonEKSViewPolicy) in the team's namespaces, or cluster-wide."""
    namespaces: list[K8sName] = []
    """Namespaces the team owns (the cluster creates them). Unset: the team's access is cluster-wide."""

    def args(self) -> TeamAccess:
        return TeamAccess(
            admin_role_arns=tuple(self.admin_role_arns),
            developer_role_arns=tuple(self.developer_role_arns),
            read_only_role_arns=tuple(self.read_only_role_arns),
            namespaces=tuple(self.namespaces),
        )


class SystemNodesConfig(TierFilledModel):
    instance_types: list[InstanceType]
    """Instance types of the system node group, one architecture (tier default: Graviton)."""
    ami_family: Literal["AL2023", "Bottlerocket"] = "AL2023"
    """EKS-optimised AMI family of the system nodes."""
    min_size: Annotated[int, Field(ge=1, le=20)]
    """Fewest system nodes (tier default: 2; prod at least 2)."""
    desired_size: Annotated[int, Field(ge=1, le=20)]
    """System nodes at creation (tier default)."""
    max_size: Annotated[int, Field(ge=1, le=20)]
    """Most system nodes (tier default)."""
    disk_size_gib: Annotated[int, Field(ge=20, le=1000)] = 50
    """Encrypted gp3 volume for images and containers."""


class TaintConfig(StrictModel):
    key: Annotated[str, Field(min_length=1, max_length=253)]
    value: Annotated[str, Field(max_length=63)] | None = None
    """Unset: a taint without a value."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class NodePoolConfig(StrictModel):
    """An extra Karpenter NodePool. A setting that `NodePoolArgs` has is declared with
    `args_field`: its default and description are the component's own (one definition each)."""

    cpu_limit: Annotated[int, Field(ge=1, le=100_000)]
    """Most vCPUs of the pool's nodes together."""
    memory_limit_gib: Annotated[int, Field(ge=1, le=1_000_000)]
    """Most memory of the pool's nodes together."""
    capacity_types: list[Literal["on-demand", "spot"]] = args_field(NodePoolArgs, "capacity_types")
    architectures: list[Literal["arm64", "amd64"]] = args_field(NodePoolArgs, "architectures")
    instance_categories: list[Annotated[str, Field(pattern=r"^[a-z]+$")]] = args_field(
        NodePoolArgs, "instance_categories"
    )
    taints: list[TaintConfig] = args_field(NodePoolArgs, "taints")
    labels: dict[str, Annotated[str, Field(max_length=63)]] = args_field(NodePoolArgs, "labels")
    expire_after_hours: int = args_field(NodePoolArgs, "expire_after_hours", ge=1, le=8760)
    consolidate_after_seconds: int = args_field(NodePoolArgs, "consolidate_after_seconds", ge=0, le=86_400)
    weight: int | None = args_field(NodePoolArgs, "weight", ge=1, le=100)

    def args(self) -> NodePoolArgs:
        taints = tuple(Taint(key=t.key, value=t.value, effect=t.effect) for t in self.taints)
        return NodePoolArgs(**self.args_for(NodePoolArgs, taints=taints))


class KarpenterConfig(TierFilledModel):
    chart_version: PinnedVersion = KARPENTER_VERSION
    """Pinned Karpenter chart (and controller) version."""
    ami_alias: Annotated[str, Field(pattern=r"^(al2023|bottlerocket)@v\d[\d.]*$")] = KARPENTER_AMI_ALIAS
    """Pinned AMI release of Karpenter's nodes (al2023@vYYYYMMDD or bottlerocket@vX.Y.Z)."""
    replicas: Annotated[int, Field(ge=1, le=3)]
    """Controller replicas (tier default: 1 in dev, 2 elsewhere; prod at least 2)."""
    cpu_limit: Annotated[int, Field(ge=1, le=100_000)]
    """Most vCPUs of the general pool (tier default: dev 32, staging 64, prod 1000)."""
    memory_limit_gib: Annotated[int, Field(ge=1, le=1_000_000)]
    """Most memory of the general pool (tier default: dev 128, staging 256, prod 4000)."""
    spot: bool
    """Whether the general pool may use spot capacity besides on-demand (tier default: not in prod)."""
    node_pools: dict[K8sName, NodePoolConfig] = {}
    """Further NodePools by name (for example a spot-only `batch` pool with a taint).
    Unset: only the `general` pool."""


def _known_addon(name: str) -> str:
    if name not in REGISTRY:
        raise ValueError(f"unknown add-on {name!r}; allowed: {', '.join(REGISTRY)}")
    return name


AddonName = Annotated[str, AfterValidator(_known_addon)]
"""A name of the add-on registry (components/cluster/registry.py)."""


class AddonConfig(StrictModel):
    enabled: bool = True
    """Whether the cluster installs the add-on (tier default: all on, except as the tier lists)."""
    version: PinnedVersion | None = None
    """Pinned version. Unset: the version the platform pins (components/cluster/catalog.py)."""
    values: dict[str, JsonValue] = {}
    """Overrides deep-merged over the add-on's values (Helm values, or an EKS add-on's configuration
    values), e.g. `prometheus.prometheusSpec.retention` of kube-prometheus-stack. Paths the platform
    relies on (a Pod Identity service account's name …) are refused. Unset: the registry's values.
    See docs/cluster-addons.md."""

    def args(self) -> AddonArgs:
        return AddonArgs(enabled=self.enabled, version=self.version, values=self.values)


class ClusterConfig(Section):
    KEY = "cluster"
    TIER_DEFAULTS = {
        Tier.dev: {
            "endpoint_public_access": False,
            "log_retention_days": 7,
            "deletion_protection": False,
            "system_nodes": {
                "instance_types": ["t4g.large"],
                "min_size": 2,
                "desired_size": 2,
                "max_size": 3,
            },
            "karpenter": {"replicas": 1, "cpu_limit": 32, "memory_limit_gib": 128, "spot": True},
            # Dev saves the Prometheus volume and Container Insights' per-metric cost.
            "addons": {
                "kube-prometheus-stack": {"enabled": False},
                "amazon-cloudwatch-observability": {"enabled": False},
                # Dev deploys by hand or from CI; a stack file may turn Argo CD on.
                "argo-cd": {"enabled": False},
            },
            "argocd": {"high_availability": False},
        },
        Tier.staging: {
            "endpoint_public_access": False,
            "log_retention_days": 30,
            "deletion_protection": False,
            "system_nodes": {
                "instance_types": ["m7g.large"],
                "min_size": 2,
                "desired_size": 2,
                "max_size": 4,
            },
            "karpenter": {"replicas": 2, "cpu_limit": 64, "memory_limit_gib": 256, "spot": True},
            "addons": {},
            "argocd": {"high_availability": False},
        },
        Tier.prod: {
            "endpoint_public_access": False,
            "log_retention_days": 365,
            "deletion_protection": True,
            "system_nodes": {
                "instance_types": ["m7g.large"],
                "min_size": 3,
                "desired_size": 3,
                "max_size": 6,
            },
            "karpenter": {"replicas": 2, "cpu_limit": 1000, "memory_limit_gib": 4000, "spot": False},
            "addons": {},
            "argocd": {"high_availability": True},
        },
    }
    PROD_LOCKS = {
        "deletion_protection": ProdLock(lambda v: v is True, "true"),
        # The control-plane audit log is evidence: a year, like the trail and the WAF logs.
        "log_retention_days": ProdLock(lambda v: v >= 365, "365 days or more"),
    }

    kubernetes_version: Annotated[str, Field(pattern=r"^1\.\d{2}$")] = KUBERNETES_VERSION
    """Pinned Kubernetes minor version."""
    endpoint_public_access: bool
    """Public API endpoint (default off). When on, only `public_access_cidrs` reach it."""
    public_access_cidrs: list[Cidr] = []
    """CIDRs allowed to reach a public endpoint; required when it is on, never 0.0.0.0/0."""
    log_retention_days: RetentionDays
    """Control-plane and container log retention (tier default: dev 7, staging 30, prod 365; prod keeps
    at least 365 days: the control-plane audit log is evidence)."""
    deletion_protection: bool
    """EKS deletion protection (tier default: on in prod, which may not turn it off)."""
    teams: dict[Slug, TeamAccessConfig] = {}
    """Team access by team name: IAM roles per level and the team's namespaces. Unset: only the
    deploy role (the cluster's creator) is admin."""
    system_nodes: SystemNodesConfig
    """The managed node group for critical add-ons and Karpenter (tier default sizes)."""
    karpenter: KarpenterConfig
    """Karpenter: pinned chart and AMI, the general pool's limits and spot use, extra pools."""
    addons: Annotated[
        dict[AddonName, AddonConfig], Field(json_schema_extra={"propertyNames": {"enum": list(REGISTRY)}})
    ]
    """Per add-on toggle and pinned version (tier default: everything on; dev leaves out
    kube-prometheus-stack and amazon-cloudwatch-observability)."""
    argocd: ArgoCdConfig
    """Argo CD: the GitOps repository (app-of-apps), sign-in, high availability (tier default: HA in
    prod). Used where the `argo-cd` add-on is on."""
    grafana: GrafanaConfig = GrafanaConfig()
    """Grafana: sign-in through the Cognito admin pool, its groups, the break-glass local admin. Used
    where the `kube-prometheus-stack` add-on is on."""
    grafana_admin_password: SecretStr | None = None
    """Grafana admin password (store with --secret). Unset: a random password kept as a Pulumi secret
    and exported (as a secret) in `grafana_admin_passwords`."""

    @classmethod
    def resolve(cls, raw: Mapping[str, Any], tier: Tier, is_tooling: bool) -> dict[str, Any]:
        """Like every section, but nested settings merge key by key with the tier defaults, so a stack
        file can change `karpenter.cpu_limit` without restating the rest of `karpenter`."""
        return deep_merge(super().resolve({}, tier, is_tooling), raw)

    @field_validator("public_access_cidrs")
    @classmethod
    def _no_world(cls, value: list[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
        if any(cidr.prefixlen == 0 for cidr in value):
            raise ValueError("0.0.0.0/0 is not allowed; list the office/VPN ranges that need the API")
        return value


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """The cluster's rules across fields: the public endpoint's ranges, node group sizes and
    architecture, team access, pools, what each add-on needs, and prod's high-availability floor."""
    from social_components.cluster.validation import (
        ArgError,
        access_grants,
        check_sizes,
        merge_values,
        missing_requirements,
        system_node_architecture,
    )

    section = cfg.section(ClusterConfig)
    if not section.enabled:
        return
    if section.endpoint_public_access and not section.public_access_cidrs:
        yield ConfigIssue(
            "cluster.public_access_cidrs", "is required when cluster.endpoint_public_access is true"
        )
    nodes = section.system_nodes
    teams = {name: team.args() for name, team in section.teams.items()}
    deployer = cfg.accounts.get(cfg.environment.name)
    rules: list[Callable[[], object]] = [
        lambda: system_node_architecture(nodes.instance_types),
        lambda: check_sizes(nodes.min_size, nodes.desired_size, nodes.max_size),
        lambda: access_grants(teams, creator_role_arn=deployer.deploy_role_arn if deployer else None),
    ]
    rules += [
        partial(merge_values, f"addons.{name}.values", {}, addon.values, REGISTRY[name].locked)
        for name, addon in section.addons.items()
    ]
    for rule in rules:
        try:
            rule()
        except ArgError as exc:
            yield ConfigIssue(f"cluster.{exc.path}", exc.message)
    if "general" in section.karpenter.node_pools:
        yield ConfigIssue(
            "cluster.karpenter.node_pools.general",
            "is the default pool; set its limits with karpenter.cpu_limit, memory_limit_gib and spot,"
            " or give the extra pool another name",
        )
    enabled = [name for name, addon in section.addons.items() if addon.enabled]
    enabled += [name for name in REGISTRY if name not in section.addons]
    for who, need in missing_requirements(enabled, REGISTRY):
        yield ConfigIssue(f"cluster.addons.{need}.enabled", f"must be true: {who} needs {need}")
    kube_proxy = section.addons.get("kube-proxy")
    if (
        kube_proxy
        and kube_proxy.version
        and not kube_proxy.version.startswith(f"v{section.kubernetes_version}.")
    ):
        yield ConfigIssue(
            "cluster.addons.kube-proxy.version",
            f"must match kubernetes_version {section.kubernetes_version}"
            f" (v{section.kubernetes_version}.x-eksbuild.y; got {kube_proxy.version})",
        )
    if cfg.tier is Tier.prod:
        if nodes.min_size < 2:
            yield ConfigIssue(
                "cluster.system_nodes.min_size", f"prod keeps at least 2 system nodes (got {nodes.min_size})"
            )
        if section.karpenter.replicas < 2:
            yield ConfigIssue(
                "cluster.karpenter.replicas",
                f"prod runs at least 2 Karpenter controllers (got {section.karpenter.replicas})",
            )


def addon_on(section: ClusterConfig, name: str) -> bool:
    """Whether the stack's clusters install add-on `name`."""
    addon = section.addons.get(name)
    return section.enabled and (addon is None or addon.enabled)


# ---------------------------------------------------------------------------------------------
# Build


def cluster_args(
    platform: Platform, region: str, network: Network, alerts: AlertTopics | None = None
) -> ClusterArgs:
    """The `ClusterArgs` of `region`'s cluster, from the stack's config."""
    cfg = platform.cfg
    section = cfg.section(ClusterConfig)
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
        # CI deploys Kubernetes resources from the runners in the shared account: admit their NAT
        # addresses (docs/deploying.md, "CI to cluster").
        ci_access_cidrs=platform.shared.get_output(CI_EGRESS_OUTPUT) if platform.shared is not None else None,
        log_retention_days=section.log_retention_days,
        deletion_protection=section.deletion_protection,
        teams={name: team.args() for name, team in section.teams.items()},
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
                **{name: pool.args() for name, pool in karpenter.node_pools.items()},
            },
        ),
        addons={name: addon.args() for name, addon in section.addons.items()},
        argocd=section.argocd.args(),
        grafana=section.grafana.args(),
        dns_domain=f"{cfg.environment.name}.{cfg.organization.domain}",
        kubeconfig_role_arn=cfg.account.deploy_role_arn,
        # Alertmanager pages and tickets through the region's alert topics (observability area).
        alert_topics=None
        if alerts is None
        else AlertTopicsArgs(
            page_topic_arn=alerts.topic_arn(region, "page"),
            ticket_topic_arn=alerts.topic_arn(region, "ticket"),
            key_arn=alerts.get(region).key_arn,
        ),
        grafana_admin_password=(
            pulumi.Output.secret(section.grafana_admin_password.get_secret_value())
            if section.grafana_admin_password is not None
            else None
        ),
    )


def build(
    platform: Platform, networks: dict[str, Network], alerts: AlertTopics | None = None
) -> dict[str, Cluster]:
    """Clusters keyed by region name, primary first; none when the stack has no cluster (shared).
    `alerts`: the stack's alert topics, where each cluster's Alertmanager sends (None: nowhere)."""
    if not platform.cfg.section(ClusterConfig).enabled:
        return {}
    return {
        region: Cluster(
            platform.name(region),
            cluster_args(platform, region, network, alerts),
            opts=platform.options(region),
            protect=platform.protect,
        )
        for region, network in networks.items()
    }


def outputs(clusters: dict[str, Cluster]) -> dict[str, Any]:
    """What other stacks and areas read: names, endpoints, OIDC issuers, node roles and security
    groups (plain), and the kubeconfigs and Grafana passwords (secrets, in their own outputs)."""
    if not clusters:
        return {}
    passwords = {
        r: c.grafana_admin_password for r, c in clusters.items() if c.grafana_admin_password is not None
    }
    result: dict[str, Any] = {
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
        result["grafana_admin_passwords"] = pulumi.Output.secret(passwords)
    return result
