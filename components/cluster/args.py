"""Arguments of the `Cluster` component."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from social_components.cluster.catalog import KARPENTER_AMI_ALIAS, KARPENTER_VERSION, KUBERNETES_VERSION

AmiFamily = Literal["AL2023", "Bottlerocket"]
CapacityType = Literal["on-demand", "spot"]
Architecture = Literal["arm64", "amd64"]
TaintEffect = Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]
ConsolidationPolicy = Literal["WhenEmptyOrUnderutilized", "WhenEmpty"]


@dataclass(frozen=True)
class TeamAccess:
    """One team's IAM roles and what they may do in the cluster (EKS access entries).

    Level → EKS access policy: admins get ``AmazonEKSClusterAdminPolicy`` when the team has no
    namespaces (a platform team) or ``AmazonEKSAdminPolicy`` in its namespaces; developers get
    ``AmazonEKSEditPolicy`` and read-only roles ``AmazonEKSViewPolicy``, in the team's namespaces
    or cluster-wide when it has none. An IAM role may appear once in the whole cluster."""

    admin_role_arns: tuple[str, ...] = ()
    developer_role_arns: tuple[str, ...] = ()
    read_only_role_arns: tuple[str, ...] = ()
    namespaces: tuple[str, ...] = ()
    """Namespaces the team owns; the cluster creates them. Unset: the team's access is cluster-wide."""


@dataclass(frozen=True)
class SystemNodeGroupArgs:
    """The small managed node group for critical add-ons and the Karpenter controller.

    On-demand, tainted ``CriticalAddonsOnly=true:NoSchedule`` and labelled
    ``social-platform/node-group=system``; launched from a template that requires IMDSv2 with a hop
    limit of 1 and encrypts its gp3 volumes."""

    instance_types: tuple[str, ...] = ("m7g.large",)
    """All of one architecture (Graviton ``*g*`` types are arm64)."""
    ami_family: AmiFamily = "AL2023"
    min_size: int = 2
    desired_size: int = 2
    max_size: int = 3
    disk_size_gib: int = 50
    """Size of the volume that holds container images (the root volume on AL2023, the data volume on
    Bottlerocket)."""


@dataclass(frozen=True)
class Taint:
    key: str
    effect: TaintEffect = "NoSchedule"
    value: str | None = None
    """Unset: a taint without a value (tolerate it with ``operator: Exists``)."""


@dataclass(frozen=True)
class NodePoolArgs:
    """A Karpenter `NodePool` on the cluster's default `EC2NodeClass`."""

    cpu_limit: int = 64
    """Most vCPUs the pool's nodes may have in total."""
    memory_limit_gib: int = 256
    """Most memory the pool's nodes may have in total."""
    capacity_types: tuple[CapacityType, ...] = ("on-demand",)
    """On-demand, spot or both (Karpenter prefers spot when both are allowed). Unset: on-demand
    only; spot is an explicit opt-in."""
    architectures: tuple[Architecture, ...] = ("arm64", "amd64")
    """CPU architectures the pool's nodes may have. Unset: both (Graviton and x86)."""
    instance_categories: tuple[str, ...] = ("c", "m", "r")
    """EC2 instance categories (the letters before the generation), for example ``c``, ``m``, ``r``."""
    min_instance_generation: int = 6
    """Oldest instance generation allowed (6: m6g/m6i/c6a and newer)."""
    consolidation_policy: ConsolidationPolicy = "WhenEmptyOrUnderutilized"
    consolidate_after_seconds: int = 60
    """How long a node must be empty or underused before Karpenter removes or replaces it."""
    expire_after_hours: int = 720
    """Nodes are replaced after this long (fresh AMIs, no long-lived drift)."""
    disruption_budget_percent: int = 10
    """Most nodes of the pool Karpenter may disrupt at once."""
    taints: tuple[Taint, ...] = ()
    """Only pods tolerating these land on the pool (for example a batch pool). Unset: no taints."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Labels on the pool's nodes, for pods to select. ``social-platform/node-pool=<name>`` is always set."""
    weight: int | None = None
    """Priority among pools that fit a pod (higher first). Unset: no preference."""


@dataclass(frozen=True)
class KarpenterArgs:
    chart_version: str = KARPENTER_VERSION
    """Pinned version of the Karpenter Helm chart (and controller)."""
    ami_alias: str = KARPENTER_AMI_ALIAS
    """Pinned EKS-optimised AMI release of the nodes, ``al2023@vYYYYMMDD`` or ``bottlerocket@vX.Y.Z``."""
    replicas: int = 2
    """Controller replicas (one leads; two survive a system node's loss)."""
    root_volume_size_gib: int = 50
    node_pools: Mapping[str, NodePoolArgs] = field(default_factory=lambda: {"general": NodePoolArgs()})
    """NodePools by name. Unset: one ``general`` pool with the `NodePoolArgs` defaults."""


@dataclass(frozen=True)
class AddonArgs:
    enabled: bool = True
    version: str | None = None
    """Pinned version. Unset: the version its registry entry pins (`catalog.ADDON_VERSIONS`)."""
    values: Mapping[str, object] = field(default_factory=dict)
    """Overrides deep-merged over the values its registry entry computes: Helm values for a chart
    (for example ``{"prometheus": {"prometheusSpec": {"retention": "30d"}}}``), configuration values
    for an EKS add-on. JSON data; paths the entry locks (a Pod Identity service account's name …)
    are refused. Unset: the entry's values."""


@dataclass(frozen=True)
class GitOpsRepository:
    """The Git repository Argo CD delivers from: its root application (app-of-apps) lists the rest."""

    url: str
    """HTTPS URL of the repository."""
    path: str = "."
    """Directory of the root application's manifests (the Applications it creates)."""
    revision: str = "HEAD"
    """Branch, tag or commit the root application follows."""
    username: str | None = None
    """User name for `password` (GitLab accepts any non-empty name with a token). Unset: ``git``."""
    password: pulumi.Input[str] | None = None
    """Read token or password (a secret): written to Argo CD's repository Secret, never to chart
    values. Unset: a repository readable without credentials."""


@dataclass(frozen=True)
class ArgoCdArgs:
    """How the ``argo-cd`` add-on is set up when it is on."""

    repository: GitOpsRepository | None = None
    """The app-of-apps. Unset: Argo CD without a root application (add Applications yourself)."""
    url: str = "https://localhost:8080"
    """Where people open Argo CD. Its server has no public service; the default is the address of
    ``kubectl port-forward -n argocd svc/argo-cd-argocd-server 8080:443``."""
    high_availability: bool = False
    """The chart's HA shape: Redis HA (three pods on separate nodes), two API servers, two repo
    servers, two ApplicationSet controllers. Unset: one of each."""
    enable_local_admin: bool = False
    """Argo CD's built-in ``admin`` user. Unset: off; people sign in through OIDC (`enable_sso`)."""
    enable_sso: bool = False
    """Sign-in through an OIDC provider: issuer, client id and secret come from the ``argocd-oidc``
    Secret that `Cluster.use_argocd_sign_in` writes (it may come after the cluster). Unset: no SSO."""
    admin_group: str = "argocd-admins"
    """The OIDC group (``cognito:groups``) whose members are Argo CD admins; nobody else gets a role."""
    protected_namespaces: tuple[str, ...] = ()
    """Further namespaces no application may deploy into, besides Kubernetes' own and every add-on's
    (for example where the program runs its own Jobs)."""


@dataclass(frozen=True)
class GrafanaArgs:
    """How kube-prometheus-stack's Grafana lets people in when the add-on is on. It has no public
    service either: people reach it through ``kubectl port-forward -n monitoring
    svc/kube-prometheus-stack-grafana 3000:80`` (`url`)."""

    url: str = "http://localhost:3000"
    """Where people open Grafana (its ``server.root_url``; the OAuth callback is
    ``<url>/login/generic_oauth``). Unset: the address of the port-forward above."""
    enable_sso: bool = False
    """Sign-in through an OIDC provider (Grafana's generic OAuth): client id and endpoints come from
    the ``grafana-oidc`` ConfigMap, the client secret from the ``grafana-oidc`` Secret, that
    `Cluster.use_grafana_sign_in` writes (as environment variables). Unset: no SSO."""
    admin_group: str = "grafana-admins"
    """The OIDC group (``cognito:groups``) whose members are Grafana admins."""
    viewer_group: str = "grafana-viewers"
    """The OIDC group whose members may look (Viewer). Anyone in neither group is refused."""
    enable_local_admin: bool = True
    """Grafana's built-in ``admin`` (password in the ``grafana-admin`` Secret) may sign in on the login
    form: the break-glass way in when the identity provider is down, which is when dashboards are
    needed most; reaching the form takes a port-forward, so cluster rights. False: the login form is
    hidden (``auth.disable_login_form``) and only SSO lets people in."""


@dataclass(frozen=True)
class AlertTopicsArgs:
    """Where the cluster's Alertmanager sends alerts: SNS topics in the cluster's account and region."""

    page_topic_arn: pulumi.Input[str]
    """Alerts labelled ``severity: critical`` (someone acts now)."""
    ticket_topic_arn: pulumi.Input[str]
    """Every other alert that is not ``info`` or ``none`` (someone looks within working hours)."""
    key_arn: pulumi.Input[str]
    """The topics' KMS key: publishing to an encrypted topic needs ``kms:GenerateDataKey`` and
    ``kms:Decrypt`` on it."""


@dataclass(frozen=True)
class ClusterArgs:
    cluster_name: str
    """EKS cluster name (also the Karpenter discovery tag value on subnets and security groups)."""
    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """Subnets for the control plane's network interfaces and every node; nothing goes in public subnets."""
    kubernetes_version: str = KUBERNETES_VERSION
    endpoint_public_access: bool = False
    """The API server's public endpoint. The private endpoint is always on."""
    public_access_cidrs: tuple[str, ...] = ()
    """Ranges that reach a public endpoint; required when it is on, never ``0.0.0.0/0``."""
    ci_access_cidrs: pulumi.Input[Sequence[str]] | None = None
    """Where the CI jobs that deploy the cluster's Kubernetes resources come from (the runners' NAT
    addresses, /32 each): admitted to the public endpoint, which they turn on. Unset: only
    `public_access_cidrs` (and the private endpoint)."""
    log_retention_days: int = 90
    """Retention of the control-plane log group (all five log types)."""
    deletion_protection: bool = True
    """EKS deletion protection (the API refuses to delete the cluster until it is turned off)."""
    teams: Mapping[str, TeamAccess] = field(default_factory=dict)
    """Team access by team name. Unset: only the deploying role (the cluster creator) is admin."""
    system_nodes: SystemNodeGroupArgs = field(default_factory=SystemNodeGroupArgs)
    karpenter: KarpenterArgs = field(default_factory=KarpenterArgs)
    addons: Mapping[str, AddonArgs] = field(default_factory=dict)
    """Per add-on (by its registry name) toggle, version and value overrides. An add-on left out is
    on, at its pinned version, with its entry's values."""
    dns_domain: str | None = None
    """The environment's DNS domain: external-dns manages records under it and nothing else.
    Required when external-dns is on."""
    hosted_zone_id: pulumi.Input[str] | None = None
    """The Route 53 zone of `dns_domain`. Unset: external-dns may change records under `dns_domain`
    in any zone of the account (its IAM policy is limited by record name)."""
    argocd: ArgoCdArgs = field(default_factory=ArgoCdArgs)
    """How Argo CD is set up when the ``argo-cd`` add-on is on. Unset: no root application, no SSO,
    no local admin (a port-forward and `kubectl` only)."""
    grafana: GrafanaArgs = field(default_factory=GrafanaArgs)
    """How Grafana lets people in when ``kube-prometheus-stack`` is on. Unset: the built-in admin only
    (no SSO), through a port-forward."""
    alert_topics: AlertTopicsArgs | None = None
    """Where kube-prometheus-stack's Alertmanager sends alerts (SNS, signed with its own Pod Identity
    role, which may publish to these topics only). Unset: the chart's default receiver, which sends
    nothing."""
    grafana_admin_password: pulumi.Input[str] | None = None
    """Grafana's admin password (treated as a secret). Unset: a random 32-character password,
    a Pulumi secret, readable from the component's `grafana_admin_password` output."""
    kubeconfig_role_arn: str | None = None
    """The IAM role the kubeconfig's ``aws eks get-token`` assumes: the role that creates the cluster
    (its first admin), so the Kubernetes provider acts as the same principal as the AWS provider.
    Unset: the caller's own AWS credentials."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on the cluster and its nodes (the provider's default tags apply anyway)."""
