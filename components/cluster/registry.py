"""The add-on registry: one entry per add-on the cluster can install, and nothing about add-ons elsewhere.

An entry says where the add-on comes from (an EKS managed add-on or a Helm chart, at a pinned
version), how it runs (`AddonTraits`: namespace, the service account that calls AWS, which add-ons
it needs, what it waits for), what its Pod Identity role may do (AWS managed policies and/or
statements) and its values — Helm values, or an EKS add-on's configuration values — as a function
of the cluster being built (`AddonContext`). Users' overrides (`AddonArgs.values`) are deep-merged
over those values; the paths an entry `locks` cannot be overridden.

Adding an add-on is one entry here and a test; docs/cluster-addons.md has the recipe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from social_components.cluster import monitoring, policies
from social_components.cluster.catalog import ADDON_VERSIONS

if TYPE_CHECKING:
    from social_components.cluster.addon import Addon
    from social_components.cluster.args import ClusterArgs

Values = dict[str, Any]
"""Helm values or EKS add-on configuration values: a JSON object."""

Milestone = Literal["cluster", "system-nodes", "nodes-ready", "node-pools"]
"""Points of the cluster's build an add-on can wait for: the control plane exists; the system node
group exists; the system nodes can run pods (they exist and CoreDNS is installed); Karpenter's
NodePools exist (pods that do not tolerate the system taint can be scheduled)."""

SYSTEM_LABEL = "social-platform/node-group"
SYSTEM_TOLERATIONS = [{"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}]
"""Tolerations for the system nodes' ``CriticalAddonsOnly`` taint."""
ON_SYSTEM_NODES: Values = {"nodeSelector": {SYSTEM_LABEL: "system"}, "tolerations": SYSTEM_TOLERATIONS}
"""Values that place a chart's pods on the system nodes."""
EVERY_NODE = [{"operator": "Exists"}]
"""Tolerations of node agents (DaemonSets) that must run on every node, the system nodes included."""
GRAFANA_ADMIN_SECRET = "grafana-admin"
GRAFANA_DASHBOARD_LABEL = "grafana_dashboard"
GRAFANA_DASHBOARD_LABEL_VALUE = "1"
"""The label kube-prometheus-stack's dashboard sidecar watches ConfigMaps for (its
``grafana.sidecar.dashboards.label`` and ``labelValue``)."""
GRAFANA_SERVICE_ACCOUNT = "grafana"
"""kube-prometheus-stack's Grafana runs as this service account: its Pod Identity role reads CloudWatch."""
GRAFANA_CLOUDWATCH_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonGrafanaCloudWatchAccess"
"""AWS's managed policy for CloudWatch as a Grafana data source: reads metrics, alarms and log
queries, describes EC2 tags and regions; writes nothing."""
GRAFANA_OIDC_SECRET = "grafana-oidc"
"""The ConfigMap and the Secret (the client secret alone) the cluster's `use_grafana_sign_in`
writes: the settings of Grafana's ``[auth.generic_oauth]`` known only once the identity provider
exists, as Grafana's environment overrides (`grafana_env`). Grafana's pod reads them at start
(``envFromConfigMaps``, ``envFromSecrets``, neither optional)."""
OIDC_GROUPS_CLAIM = "cognito:groups"
"""The ID token claim listing a user's groups (Cognito's)."""
ALERTMANAGER_SERVICE_ACCOUNT = "alertmanager"
"""kube-prometheus-stack's Alertmanager runs as this service account: the one its Pod Identity role
(SNS publishing) is associated with."""
ALERT_SUBJECT = "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}"
"""Subject of Alertmanager's SNS messages (e-mail subscribers see it). Alertmanager does not shorten
it, and SNS refuses subjects over 100 characters: kept to the status and the alert's name."""


@dataclass(frozen=True)
class AddonSource:
    """Where an add-on comes from: an EKS managed add-on, or a Helm chart in a repository."""

    kind: Literal["eks", "helm"]
    version: str
    chart: str | None = None
    repository: str | None = None


@dataclass(frozen=True)
class AddonTraits:
    """How an add-on runs: its namespace, the service account that calls AWS, what it needs."""

    namespace: str
    service_account: str | None = None
    """The service account that calls AWS APIs and so gets its own IAM role through EKS Pod
    Identity. None: the add-on never calls AWS and gets no role."""
    requires: tuple[str, ...] = ()
    """Add-ons that must be on for this one to work."""
    waits_for: tuple[Milestone | str, ...] = ("nodes-ready",)
    """Milestones (`Milestone`) and other add-ons (by name) it is installed after. ``cluster`` alone
    marks an add-on nodes need to become Ready (CNI, kube-proxy, the Pod Identity agent): the system
    node group waits for those."""

    @property
    def before_compute(self) -> bool:
        return self.waits_for == ("cluster",)


@dataclass(frozen=True)
class PodRole:
    """Another service account of an add-on that calls AWS (besides `AddonTraits.service_account`),
    with its own Pod Identity role: Grafana's, which reads CloudWatch, in kube-prometheus-stack."""

    service_account: str
    managed_policies: tuple[str, ...] = ()
    """AWS managed policies of its role."""


@dataclass(frozen=True)
class AddonContext:
    """What an entry's factories may read: the cluster being built and the add-on's own component
    (the parent of anything an entry creates: `addon.child_name(...)`, `addon.child()`)."""

    addon: Addon
    args: ClusterArgs
    region: pulumi.Output[str]
    provider: k8s.Provider
    logs_key: aws.kms.Key
    """The cluster's key for log groups."""
    enabled: frozenset[str]
    """The add-ons that are on."""
    prepared: Mapping[str, pulumi.Resource] = field(default_factory=dict)
    """What the entry's `prepare` created, by the names it gave."""

    @property
    def cluster_name(self) -> str:
        return self.args.cluster_name


def _no_values(ctx: AddonContext) -> Values:
    return {}


@dataclass(frozen=True)
class AddonEntry:
    source: AddonSource
    traits: AddonTraits
    managed_policies: tuple[str, ...] = ()
    """AWS managed policies of the add-on's Pod Identity role."""
    policy: Callable[[AddonContext], list[policies.Statement]] | None = None
    """Inline statements of the add-on's Pod Identity role."""
    values: Callable[[AddonContext], Values] = _no_values
    """Helm values, or an EKS add-on's configuration values (empty: none)."""
    locked: Mapping[str, str] = field(default_factory=dict)
    """Value paths (``a.b.c``) users may not override, and why."""
    prepare: Callable[[AddonContext], dict[str, pulumi.Resource]] | None = None
    """Resources the add-on needs before it is installed (a log group, a Secret); it waits for them."""
    after_install: Callable[[AddonContext, pulumi.Resource], None] | None = None
    """Resources that need the add-on installed (a StorageClass of its driver)."""
    more_roles: Mapping[str, PodRole] = field(default_factory=dict)
    """Roles of the add-on's other service accounts that call AWS, by role name (the role's child
    name is ``<addon>-<name>``). Unset: none."""

    @property
    def calls_aws(self) -> bool:
        return bool(self.managed_policies or self.policy)


POD_IDENTITY = ("eks-pod-identity-agent",)
SERVICE_ACCOUNT_LOCK = {"serviceAccount.name": "the Pod Identity association names this service account"}


def _eks(name: str, traits: AddonTraits, **entry: Any) -> AddonEntry:
    return AddonEntry(AddonSource("eks", ADDON_VERSIONS[name]), traits, **entry)


def _chart(name: str, chart: str, repository: str, traits: AddonTraits, **entry: Any) -> AddonEntry:
    return AddonEntry(AddonSource("helm", ADDON_VERSIONS[name], chart, repository), traits, **entry)


# Values factories and extras -----------------------------------------------------------------------


def _cloudwatch_values(ctx: AddonContext) -> Values:
    # Container logs are shipped by the fluent-bit add-on; Container Insights keeps the metrics.
    return {"containerLogs": {"enabled": False}} if "fluent-bit" in ctx.enabled else {}


def _gp3_storage_class(ctx: AddonContext, installed: pulumi.Resource) -> None:
    k8s.storage.v1.StorageClass(
        ctx.addon.child_name("gp3"),
        metadata={"name": "gp3", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
        provisioner="ebs.csi.aws.com",
        parameters={"type": "gp3", "encrypted": "true", "fsType": "ext4"},
        reclaim_policy="Delete",
        volume_binding_mode="WaitForFirstConsumer",
        allow_volume_expansion=True,
        opts=ctx.addon.child(provider=ctx.provider, depends_on=[installed]),
    )


def _load_balancer_controller_values(ctx: AddonContext) -> Values:
    return {
        "clusterName": ctx.cluster_name,
        "region": ctx.region,
        "vpcId": ctx.args.vpc_id,
        "serviceAccount": {"name": ctx.addon.traits.service_account},
        "replicaCount": 2,
        **ON_SYSTEM_NODES,
    }


def _cert_manager_values(ctx: AddonContext) -> Values:
    return {
        "crds": {"enabled": True, "keep": True},
        **ON_SYSTEM_NODES,
        **{part: dict(ON_SYSTEM_NODES) for part in ("webhook", "cainjector", "startupapicheck")},
    }


def _external_dns_values(ctx: AddonContext) -> Values:
    args = ctx.args
    return {
        "provider": {"name": "aws"},
        "domainFilters": [args.dns_domain],
        "policy": "upsert-only",
        "registry": "txt",
        "txtOwnerId": ctx.cluster_name,
        "serviceAccount": {"name": ctx.addon.traits.service_account},
        "env": [{"name": "AWS_DEFAULT_REGION", "value": ctx.region}],
        **(
            {"extraArgs": [pulumi.Output.concat("--zone-id-filter=", args.hosted_zone_id)]}
            if args.hosted_zone_id is not None
            else {}
        ),
        **ON_SYSTEM_NODES,
    }


def _fluent_bit_log_group(ctx: AddonContext) -> dict[str, pulumi.Resource]:
    group = aws.cloudwatch.LogGroup(
        ctx.addon.child_name("logs"),
        name=f"/social/eks/{ctx.cluster_name}/containers",
        retention_in_days=ctx.args.log_retention_days,
        kms_key_id=ctx.logs_key.arn,
        opts=ctx.addon.stateful(),
    )
    return {"logs": group}


def _log_group(ctx: AddonContext) -> aws.cloudwatch.LogGroup:
    group = ctx.prepared["logs"]
    assert isinstance(group, aws.cloudwatch.LogGroup)
    return group


def _fluent_bit_values(ctx: AddonContext) -> Values:
    return {
        "serviceAccount": {"name": ctx.addon.traits.service_account},
        "cloudWatch": {"enabled": False},
        "cloudWatchLogs": {
            "enabled": True,
            "region": ctx.region,
            "logGroupName": _log_group(ctx).name,
            "logGroupTemplate": None,
            "logStreamPrefix": "fluentbit-",
            "autoCreateGroup": False,
        },
        "tolerations": EVERY_NODE,
    }


def _grafana_prepare(ctx: AddonContext) -> dict[str, pulumi.Resource]:
    """What Grafana reads from the cluster: its admin Secret and the dashboards' ConfigMaps."""
    return {**_grafana_admin(ctx), **_grafana_dashboards(ctx)}


def _grafana_dashboards(ctx: AddonContext) -> dict[str, pulumi.Resource]:
    """The platform's dashboards (`monitoring.dashboards`), one ConfigMap each, labelled as the
    chart's dashboard sidecar looks for (kube-prometheus-stack: ``grafana_dashboard: "1"``, every
    namespace): Grafana loads them without a restart."""
    return {
        f"dashboard-{key}": ctx.addon.config_map(
            f"dashboard-{key}",
            f"platform-dashboard-{key}",
            {f"{key}.json": text},
            provider=ctx.provider,
            labels={GRAFANA_DASHBOARD_LABEL: GRAFANA_DASHBOARD_LABEL_VALUE},
        )
        for key, text in monitoring.dashboards().items()
    }


def _grafana_admin(ctx: AddonContext) -> dict[str, pulumi.Resource]:
    """Grafana's admin credentials as a Kubernetes Secret the chart reads (never in chart values)."""
    addon = ctx.addon
    password = ctx.args.grafana_admin_password
    if password is None:
        password = addon.generated_password("grafana-admin", 32, addon.stateful())
    addon.exports["grafana_admin_password"] = pulumi.Output.secret(password)
    secret = addon.secret(
        "grafana-admin",
        GRAFANA_ADMIN_SECRET,
        {"admin-user": "admin", "admin-password": addon.exports["grafana_admin_password"]},
        provider=ctx.provider,
    )
    return {"grafana-admin": secret}


def grafana_env(section: str, key: str) -> str:
    """The environment variable that overrides ``[section] key`` of grafana.ini (Grafana's rule:
    ``GF_<SectionName>_<KeyName>``, upper case, dots and dashes as underscores)."""
    return "GF_" + f"{section}_{key}".upper().replace(".", "_").replace("-", "_")


def grafana_role_path(admin_group: str, viewer_group: str) -> str:
    """Grafana's ``role_attribute_path`` (JMESPath over the ID token): members of `admin_group` are
    Admin, of `viewer_group` Viewer; anyone else gets no role, which ``role_attribute_strict`` refuses."""

    def member(group: str) -> str:
        return f"contains(\"{OIDC_GROUPS_CLAIM}\"[*], '{group}')"

    return f"{member(admin_group)} && 'Admin' || {member(viewer_group)} && 'Viewer'"


def _grafana_values(ctx: AddonContext) -> Values:
    """kube-prometheus-stack's Grafana: admin credentials from a Secret, its own service account,
    CloudWatch as a data source, sign-in (`ClusterArgs.grafana`), no ingress (the chart's default)."""
    grafana = ctx.args.grafana
    ini: Values = {
        "server": {"root_url": grafana.url},
        "auth": {"disable_login_form": not grafana.enable_local_admin},
    }
    values: Values = {
        "admin": {
            "existingSecret": GRAFANA_ADMIN_SECRET,
            "userKey": "admin-user",
            "passwordKey": "admin-password",
        },
        "serviceAccount": {"name": GRAFANA_SERVICE_ACCOUNT},
        # Besides the chart's Prometheus and Alertmanager data sources: CloudWatch of this
        # account, with the pod's own credentials (EKS Pod Identity, read-only role).
        "additionalDataSources": [
            {
                "name": "CloudWatch",
                "uid": "cloudwatch",
                "type": "cloudwatch",
                "jsonData": {"authType": "default", "defaultRegion": ctx.region},
            }
        ],
        "grafana.ini": ini,
    }
    if grafana.enable_sso:
        # Client id, secret and endpoints arrive as environment overrides from the Secret that
        # `use_grafana_sign_in` writes once the identity exists; the rest is fixed here.
        ini["auth.generic_oauth"] = {
            "enabled": True,
            "name": "Cognito",
            "scopes": "openid email profile",
            "use_pkce": True,
            "use_refresh_token": True,
            "allow_sign_up": True,
            "auto_login": False,
            "role_attribute_path": grafana_role_path(grafana.admin_group, grafana.viewer_group),
            "role_attribute_strict": True,
            "allow_assign_grafana_admin": False,
        }
        values["envFromConfigMaps"] = [{"name": GRAFANA_OIDC_SECRET, "optional": False}]
        values["envFromSecrets"] = [{"name": GRAFANA_OIDC_SECRET, "optional": False}]
    return values


def _alertmanager_policy(ctx: AddonContext) -> list[policies.Statement]:
    topics = ctx.args.alert_topics
    if topics is None:
        return []  # no role: Alertmanager sends nothing anywhere
    return policies.alert_publishing([topics.page_topic_arn, topics.ticket_topic_arn], topics.key_arn)


def alertmanager_routes(
    region: pulumi.Input[str], page: pulumi.Input[str], ticket: pulumi.Input[str]
) -> Values:
    """Alertmanager's route and receivers: ``critical`` to the page topic, ``info``/``none`` and the
    always-firing Watchdog nowhere (as the chart does), everything else to the ticket topic. Helm
    merges this over the chart's `alertmanager.config`, whose inhibit rules stay."""

    def sns(name: str, topic_arn: pulumi.Input[str]) -> Values:
        return {
            "name": name,
            "sns_configs": [
                {
                    "sigv4": {"region": region},  # credentials: the pod's, from EKS Pod Identity
                    "topic_arn": topic_arn,
                    "subject": ALERT_SUBJECT,
                    "send_resolved": True,
                }
            ],
        }

    return {
        "route": {
            "receiver": "ticket",
            "group_by": ["namespace", "alertname"],
            "routes": [
                {"receiver": "null", "matchers": ['alertname = "Watchdog"']},
                {"receiver": "null", "matchers": ['severity =~ "info|none"']},
                {"receiver": "page", "matchers": ['severity = "critical"']},
            ],
        },
        "receivers": [{"name": "null"}, sns("page", page), sns("ticket", ticket)],
    }


def _prometheus_values(ctx: AddonContext) -> Values:
    topics = ctx.args.alert_topics
    alertmanager: Values = {"serviceAccount": {"name": ALERTMANAGER_SERVICE_ACCOUNT}}
    if topics is not None:
        alertmanager["config"] = alertmanager_routes(
            ctx.region, topics.page_topic_arn, topics.ticket_topic_arn
        )
    return {
        "alertmanager": alertmanager,
        "grafana": _grafana_values(ctx),
        # The platform's own: Karpenter scraped and alerted on; the chart's node-pressure alert raised
        # to a severity Alertmanager sends on (`monitoring`).
        "additionalPrometheusRulesMap": {"karpenter": monitoring.karpenter_rules()},
        "customRules": {alert: {"severity": s} for alert, s in monitoring.SEVERITY_OVERRIDES.items()},
        "prometheus": {
            "additionalServiceMonitors": [monitoring.karpenter_service_monitor()],
            "prometheusSpec": {
                "retention": "15d",
                "storageSpec": {
                    "volumeClaimTemplate": {
                        "spec": {
                            "storageClassName": "gp3",
                            "accessModes": ["ReadWriteOnce"],
                            "resources": {"requests": {"storage": "50Gi"}},
                        }
                    }
                },
            },
        },
    }


# Argo CD -------------------------------------------------------------------------------------------

ARGOCD_OIDC_SECRET = "argocd-oidc"
"""The Secret the cluster's `use_argocd_sign_in` writes: issuer, client id and secret of the OIDC
client Argo CD signs users in with. `oidc.config` refers to its keys (``$argocd-oidc:issuer``)."""
ARGOCD_REPOSITORY_SECRET = "gitops-repository"
KUBERNETES_API = "https://kubernetes.default.svc"
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease", "default")
"""Namespaces Kubernetes itself owns; with every add-on's namespace, out of reach of applications."""


def _argocd_repository(ctx: AddonContext) -> dict[str, pulumi.Resource]:
    """The GitOps repository as an Argo CD repository Secret, its credentials from a Pulumi secret
    (never chart values, which land in plain ConfigMaps and Helm release data)."""
    repository = ctx.args.argocd.repository
    if repository is None:
        return {}
    addon = ctx.addon
    credentials: dict[str, pulumi.Input[str]] = {}
    if repository.password is not None:
        credentials = {
            "username": repository.username or "git",
            "password": pulumi.Output.secret(repository.password),
        }
    secret = addon.secret(
        "repository",
        ARGOCD_REPOSITORY_SECRET,
        {"type": "git", "url": repository.url, **credentials},
        provider=ctx.provider,
        labels={"argocd.argoproj.io/secret-type": "repository"},
    )
    return {"repository": secret}


def argocd_protected_namespaces(registry: Mapping[str, AddonEntry], further: Sequence[str] = ()) -> list[str]:
    """Namespaces no application may deploy into: Kubernetes' own, every add-on's, and `further`."""
    return sorted({*SYSTEM_NAMESPACES, *(entry.traits.namespace for entry in registry.values()), *further})


def _argocd_projects(ctx: AddonContext) -> list[Values]:
    """The app-of-apps and its projects. `platform` holds only the root application, which may create
    nothing but Applications in Argo CD's namespace; `apps` holds what it lists, which may deploy
    into any namespace but the system ones and create no cluster-wide objects; `default` (which Argo
    CD would otherwise create allowing everything) allows nothing."""
    argocd = ctx.args.argocd
    gitops = argocd.repository
    if gitops is None:
        return []
    namespace = ctx.addon.traits.namespace
    repo = gitops.url
    protected = argocd_protected_namespaces(REGISTRY, argocd.protected_namespaces)

    def project(name: str, spec: Values, annotations: Mapping[str, str] | None = None) -> Values:
        metadata: Values = {"name": name, "namespace": namespace}
        if annotations:
            metadata["annotations"] = dict(annotations)
        return {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "AppProject",
            "metadata": metadata,
            "spec": spec,
        }

    return [
        # Argo CD creates `default` at start-up when it is missing; applied over it (server-side).
        project(
            "default",
            {"sourceRepos": [], "destinations": [], "clusterResourceWhitelist": []},
            {"pulumi.com/patchForce": "true"},
        ),
        project(
            "platform",
            {
                "description": "The app-of-apps: Applications in Argo CD's namespace, nothing else",
                "sourceRepos": [repo],
                "destinations": [{"server": KUBERNETES_API, "namespace": namespace}],
                "clusterResourceWhitelist": [],
                "namespaceResourceWhitelist": [{"group": "argoproj.io", "kind": "Application"}],
            },
        ),
        project(
            "apps",
            {
                "description": "The platform's applications: no system namespace, no cluster-wide objects",
                "sourceRepos": [repo],
                "destinations": [
                    *({"server": KUBERNETES_API, "namespace": f"!{ns}"} for ns in protected),
                    {"server": KUBERNETES_API, "namespace": "*"},
                ],
                "clusterResourceWhitelist": [],
            },
        ),
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": "root", "namespace": namespace},
            "spec": {
                "project": "platform",
                "source": {"repoURL": repo, "path": gitops.path, "targetRevision": gitops.revision},
                "destination": {"server": KUBERNETES_API, "namespace": namespace},
                "syncPolicy": {"automated": {"prune": True, "selfHeal": True}},
            },
        },
    ]


def _argocd_values(ctx: AddonContext) -> Values:
    argocd = ctx.args.argocd
    cm: Values = {
        "url": argocd.url,
        "admin.enabled": argocd.enable_local_admin,
        "exec.enabled": False,
    }
    rbac: Values = {"policy.default": "", "policy.csv": ""}
    if argocd.enable_sso:
        # Every value refers to the Secret `use_argocd_sign_in` writes once the identity exists.
        ref = f"${ARGOCD_OIDC_SECRET}:"
        cm["oidc.config"] = json.dumps(
            {
                "name": "Cognito",
                "issuer": f"{ref}issuer",
                "clientID": f"{ref}clientID",
                "clientSecret": f"{ref}clientSecret",
                "requestedScopes": ["openid", "email", "profile"],
            },
            indent=2,
        )
        rbac = {
            "policy.default": "",
            "policy.csv": f"g, {argocd.admin_group}, role:admin\n",
            "scopes": "[cognito:groups]",
        }
    values: Values = {
        "dex": {"enabled": False},
        "configs": {"cm": cm, "rbac": rbac, "params": {"server.insecure": False}},
        "server": {"service": {"type": "ClusterIP"}, "ingress": {"enabled": False}},
        "extraObjects": _argocd_projects(ctx),
    }
    if argocd.high_availability:
        # The chart's "HA mode without autoscaling" (its README), with two ApplicationSet controllers.
        values.update(
            {
                "redis-ha": {"enabled": True},
                "controller": {"replicas": 1},
                "server": {**values["server"], "replicas": 2},
                "repoServer": {"replicas": 2},
                "applicationSet": {"replicas": 2},
            }
        )
    return values


# The registry ---------------------------------------------------------------------------------------

EKS_CHARTS = "https://aws.github.io/eks-charts"

REGISTRY: dict[str, AddonEntry] = {
    # EKS managed add-ons. Nodes need the first three before they become Ready.
    "vpc-cni": _eks(
        "vpc-cni",
        AddonTraits("kube-system", "aws-node", requires=POD_IDENTITY, waits_for=("cluster",)),
        managed_policies=("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",),
    ),
    "coredns": _eks("coredns", AddonTraits("kube-system", waits_for=("system-nodes",))),
    "kube-proxy": _eks("kube-proxy", AddonTraits("kube-system", waits_for=("cluster",))),
    "eks-pod-identity-agent": _eks(
        "eks-pod-identity-agent", AddonTraits("kube-system", waits_for=("cluster",))
    ),
    "aws-ebs-csi-driver": _eks(
        "aws-ebs-csi-driver",
        AddonTraits(
            "kube-system", "ebs-csi-controller-sa", requires=POD_IDENTITY, waits_for=("system-nodes",)
        ),
        managed_policies=("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",),
        after_install=_gp3_storage_class,
    ),
    "amazon-cloudwatch-observability": _eks(
        "amazon-cloudwatch-observability",
        # Its operator runs on Karpenter's nodes: created once the pools exist.
        AddonTraits(
            "amazon-cloudwatch",
            "cloudwatch-agent",
            requires=POD_IDENTITY,
            waits_for=("system-nodes", "node-pools"),
        ),
        managed_policies=(
            "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
            "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
        ),
        values=_cloudwatch_values,
    ),
    # Helm charts, rendered client-side into their namespaces.
    "aws-load-balancer-controller": _chart(
        "aws-load-balancer-controller",
        "aws-load-balancer-controller",
        EKS_CHARTS,
        AddonTraits("kube-system", "aws-load-balancer-controller", requires=POD_IDENTITY),
        policy=lambda ctx: policies.load_balancer_controller(),
        values=_load_balancer_controller_values,
        locked=SERVICE_ACCOUNT_LOCK,
    ),
    "metrics-server": _chart(
        "metrics-server",
        "metrics-server",
        "https://kubernetes-sigs.github.io/metrics-server/",
        AddonTraits("kube-system"),
        values=lambda ctx: {"replicas": 2, **ON_SYSTEM_NODES},
    ),
    "kube-prometheus-stack": _chart(
        "kube-prometheus-stack",
        "kube-prometheus-stack",
        "https://prometheus-community.github.io/helm-charts",
        # Prometheus keeps its data on a volume of the gp3 StorageClass that comes with the EBS driver.
        # Alertmanager publishes to the alert topics with its own role.
        AddonTraits(
            "monitoring",
            ALERTMANAGER_SERVICE_ACCOUNT,
            requires=("aws-ebs-csi-driver", *POD_IDENTITY),
            waits_for=("nodes-ready", "node-pools", "aws-ebs-csi-driver"),
        ),
        prepare=_grafana_prepare,
        policy=_alertmanager_policy,
        more_roles={"grafana": PodRole(GRAFANA_SERVICE_ACCOUNT, (GRAFANA_CLOUDWATCH_POLICY,))},
        values=_prometheus_values,
        locked={
            "alertmanager.serviceAccount.name": "the Pod Identity association names this service account",
            "grafana.serviceAccount.name": "the Pod Identity association names this service account",
            "grafana.admin": "Grafana's admin password lives in a Secret, never in chart values",
            "grafana.adminPassword": "Grafana's admin password lives in a Secret, never in chart values",
            "grafana.[grafana.ini].auth": "who may sign in comes from ClusterArgs.grafana",
            "grafana.[grafana.ini].[auth.generic_oauth]": "sign-in comes from ClusterArgs.grafana",
            "grafana.[grafana.ini].server": "Grafana's URL comes from ClusterArgs.grafana",
            "grafana.envFromSecrets": "the sign-in settings come from the grafana-oidc Secret",
            "grafana.envFromConfigMaps": "the sign-in settings come from the grafana-oidc ConfigMap",
            "grafana.ingress": "no public ingress: Grafana is reached through a port-forward",
            "grafana.service": "no public service: Grafana is reached through a port-forward",
            "grafana.sidecar.dashboards.label": "the platform's dashboards carry grafana_dashboard",
            "grafana.sidecar.dashboards.labelValue": "the platform's dashboards carry grafana_dashboard: 1",
        },
    ),
    "fluent-bit": _chart(
        "fluent-bit",
        "aws-for-fluent-bit",
        EKS_CHARTS,
        AddonTraits("logging", "fluent-bit", requires=POD_IDENTITY),
        prepare=_fluent_bit_log_group,
        policy=lambda ctx: policies.log_shipping(_log_group(ctx).arn),
        values=_fluent_bit_values,
        locked=SERVICE_ACCOUNT_LOCK,
    ),
    "cert-manager": _chart(
        "cert-manager",
        "cert-manager",
        "https://charts.jetstack.io",
        AddonTraits("cert-manager"),
        values=_cert_manager_values,
    ),
    "external-dns": _chart(
        "external-dns",
        "external-dns",
        "https://kubernetes-sigs.github.io/external-dns/",
        AddonTraits("external-dns", "external-dns", requires=POD_IDENTITY),
        policy=lambda ctx: policies.external_dns(ctx.args.dns_domain or "", ctx.args.hosted_zone_id),
        values=_external_dns_values,
        locked={
            **SERVICE_ACCOUNT_LOCK,
            "domainFilters": "its IAM policy only allows records under the cluster's dns_domain",
            "policy": "upsert-only: external-dns never deletes records it did not create",
        },
    ),
    # Delivery (GitOps); the platform turns it off in dev. Runs on Karpenter's nodes.
    "argo-cd": _chart(
        "argo-cd",
        "argo-cd",
        "https://argoproj.github.io/argo-helm",
        AddonTraits("argocd", waits_for=("nodes-ready", "node-pools")),
        prepare=_argocd_repository,
        values=_argocd_values,
        locked={
            "server.service": "no public service: Argo CD is reached through a port-forward",
            "server.ingress": "no public ingress: Argo CD is reached through a port-forward",
            "configs.cm": "sign-in (local admin, OIDC) and the URL come from ClusterArgs.argocd",
            "configs.rbac": "who is admin comes from ClusterArgs.argocd.admin_group",
            "configs.repositories": "repository credentials live in a Secret, never in chart values",
            "configs.credentialTemplates": "repository credentials live in a Secret, never in chart values",
            "configs.secret": "Argo CD's secrets are never chart values",
            "extraObjects": "the projects keep applications out of system namespaces",
            "dex": "sign-in is OIDC against the identity provider, without Dex",
        },
    ),
}
"""Every add-on the cluster can install, in install order (within what each waits for)."""
