"""The `Cluster` component: an EKS cluster ready for workloads, composed of `ControlPlane`, a
system node group, `Karpenter` and `Addons` (the add-on registry's entries that are on)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from social_components.base import SocialComponent, assume_role_policy
from social_components.cluster import manifests
from social_components.cluster.addon import Addon
from social_components.cluster.addons import Addons
from social_components.cluster.args import ClusterArgs
from social_components.cluster.control_plane import ControlPlane
from social_components.cluster.karpenter import NODE_POLICIES, Karpenter, KarpenterPlacement
from social_components.cluster.registry import (
    ARGOCD_OIDC_SECRET,
    GRAFANA_OIDC_SECRET,
    REGISTRY,
    SYSTEM_LABEL,
    SYSTEM_TOLERATIONS,
    AddonEntry,
    grafana_env,
)
from social_components.cluster.validation import system_node_architecture, validate_cluster_args

SYSTEM_TAINT = {"key": "CriticalAddonsOnly", "value": "true"}
"""The taint of the system nodes: only pods tolerating it (critical add-ons) land there."""
AMI_TYPES = {
    ("AL2023", "arm64"): "AL2023_ARM_64_STANDARD",
    ("AL2023", "amd64"): "AL2023_x86_64_STANDARD",
    ("Bottlerocket", "arm64"): "BOTTLEROCKET_ARM_64",
    ("Bottlerocket", "amd64"): "BOTTLEROCKET_x86_64",
}


class Cluster(SocialComponent):
    """An EKS cluster ready for workloads.

    - `ControlPlane`: access entries only, private endpoint, encrypted secrets, all control-plane
      logs, an IAM OIDC provider, deletion protection; the Kubernetes provider and team namespaces;
    - a small on-demand system node group (tainted ``CriticalAddonsOnly``) for Karpenter and the
      critical add-ons;
    - `Karpenter`, which launches everything else;
    - `Addons`: every add-on of `registry` that is on, each with its own Pod Identity role when it
      calls AWS, installed as soon as what it waits for exists.

    `ControlPlane` and `Addons` were split out of this component: their children carry aliases to
    their URNs from before, so an update replaces nothing.
    """

    MODULE = "cluster"

    cluster_name: str
    arn: pulumi.Output[str]
    endpoint: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    cluster_security_group_id: pulumi.Output[str]
    """The control plane's security group (pulumi-eks's cluster security group)."""
    node_security_group_id: pulumi.Output[str]
    """Every node's security group (system nodes and Karpenter's); allow it into databases and caches."""
    node_role_arn: pulumi.Output[str]
    """Role of the nodes Karpenter launches (where workloads run)."""
    system_node_role_arn: pulumi.Output[str]
    kubeconfig: pulumi.Output[str]
    """Kubeconfig (JSON) that authenticates with ``aws eks get-token``; a secret."""
    provider: k8s.Provider
    """Kubernetes provider for this cluster, for other components' Kubernetes resources."""
    grafana_admin_password: pulumi.Output[str] | None
    """Grafana's admin password (secret); None when kube-prometheus-stack is off."""
    control_plane: ControlPlane
    eks: eks.Cluster
    addons: dict[str, Addon]
    karpenter: Karpenter

    def __init__(
        self,
        name: str,
        args: ClusterArgs,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
        registry: Mapping[str, AddonEntry] = REGISTRY,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        validate_cluster_args(args, registry)
        self.cluster_name = args.cluster_name
        invoke = pulumi.InvokeOutputOptions(parent=self)
        region = aws.get_region_output(opts=invoke).region
        self.arn = pulumi.Output.concat(
            "arn:aws:eks:", region, ":", self.account_id(), ":cluster/", args.cluster_name
        )

        # Same name as this component: the children keep theirs.
        self.control_plane = ControlPlane(name, args, opts=self.child(), protect=protect, moved_from=self)
        self.eks = self.control_plane.eks
        self.endpoint = self.eks.core.endpoint
        self.oidc_issuer = self.eks.oidc_issuer
        self.oidc_provider_arn = self.eks.oidc_provider_arn
        self.cluster_security_group_id = self.eks.cluster_security_group_id
        self.node_security_group_id = self.eks.node_security_group_id
        self.kubeconfig = self.control_plane.kubeconfig
        self.provider = self.control_plane.provider

        addons = Addons(
            name,
            args,
            cluster_arn=self.arn,
            region=region,
            provider=self.provider,
            logs_key=self.control_plane.logs_key,
            registry=registry,
            opts=self.child(),
            protect=protect,
            moved_from=self,
        )
        self.addons = addons.addons
        # Add-ons a node needs to become Ready (CNI, kube-proxy, Pod Identity agent) go first,
        # then the system nodes, then everything that runs pods.
        before_compute = addons.install("cluster", [self.eks])
        system_nodes = self._system_nodes(args, depends_on=[self.eks, *(a.installed for a in before_compute)])
        # CoreDNS and the EBS CSI controller tolerate the system nodes' taint and run there.
        addons.install("system-nodes", [system_nodes])
        nodes_ready: list[pulumi.Resource] = [system_nodes]
        if "coredns" in self.addons:
            nodes_ready.append(self.addons["coredns"].installed)
        addons.install("nodes-ready", nodes_ready)

        self.karpenter = Karpenter(
            self.child_name("karpenter"),
            args.karpenter,
            cluster_name=args.cluster_name,
            cluster_arn=self.arn,
            cluster_endpoint=self.endpoint,
            provider=self.provider,
            placement=KarpenterPlacement({SYSTEM_LABEL: "system"}, SYSTEM_TOLERATIONS),
            after_cluster=[self.eks],
            after_nodes=nodes_ready,
            tags=dict(args.tags),
            opts=self.child(),
            protect=protect,
        )
        self.node_role_arn = self.karpenter.node_role.arn
        addons.install("node-pools", list(self.karpenter.node_pools.values()))
        addons.done()
        prometheus = self.addons.get("kube-prometheus-stack")
        self.grafana_admin_password = prometheus.exports["grafana_admin_password"] if prometheus else None
        if "amazon-cloudwatch-observability" in self.addons:
            # Container Insights: node and pod metrics under the cluster's name.
            self.watch("eks-cluster", "eks", {"ClusterName": args.cluster_name})

        self.register_outputs(
            {
                "cluster_name": self.cluster_name,
                "endpoint": self.endpoint,
                "oidc_issuer": self.oidc_issuer,
                "cluster_security_group_id": self.cluster_security_group_id,
                "node_security_group_id": self.node_security_group_id,
                "node_role_arn": self.node_role_arn,
                "kubeconfig": self.kubeconfig,
            }
        )

    # Intent ----------------------------------------------------------------------------------------

    def use_argocd_sign_in(
        self,
        *,
        issuer_url: pulumi.Input[str],
        client_id: pulumi.Input[str],
        client_secret: pulumi.Input[str],
    ) -> k8s.core.v1.Secret:
        """Argo CD's OIDC client (`ArgoCdArgs.enable_sso`): the Secret its ``oidc.config`` refers to
        (``$argocd-oidc:issuer`` …). Argo CD reads it when it changes, so it may come after the cluster,
        from an identity provider built later in the same program."""
        addon = self.addons.get("argo-cd")
        if addon is None:
            raise ValueError(f"{self.cluster_name}: argo-cd is off; there is no Argo CD to sign in to")
        return addon.secret(
            "oidc",
            ARGOCD_OIDC_SECRET,
            {
                "issuer": issuer_url,
                "clientID": client_id,
                "clientSecret": pulumi.Output.secret(client_secret),
            },
            provider=self.provider,
            # Argo CD resolves `$<secret>:<key>` only in Secrets labelled as its own.
            labels={"app.kubernetes.io/part-of": "argocd"},
            after_install=True,
        )

    def use_grafana_sign_in(
        self,
        *,
        client_id: pulumi.Input[str],
        client_secret: pulumi.Input[str],
        authorize_url: pulumi.Input[str],
        token_url: pulumi.Input[str],
        userinfo_url: pulumi.Input[str],
        logout_url: pulumi.Input[str],
    ) -> tuple[k8s.core.v1.ConfigMap, k8s.core.v1.Secret]:
        """Grafana's OIDC client (`GrafanaArgs.enable_sso`): a ConfigMap and a Secret (the client
        secret alone) whose keys are Grafana's environment overrides of ``[auth.generic_oauth]``.
        Grafana's pod waits for both (required ``envFromConfigMaps``/``envFromSecrets``), so they wait
        only for the namespace, never for the chart: they may come from an identity provider built
        later in the same program."""
        addon = self.addons.get("kube-prometheus-stack")
        if addon is None:
            raise ValueError(f"{self.cluster_name}: kube-prometheus-stack is off; there is no Grafana")
        settings: dict[str, pulumi.Input[str]] = {
            "client_id": client_id,
            "auth_url": authorize_url,
            "token_url": token_url,
            "api_url": userinfo_url,
            "signout_redirect_url": logout_url,
        }
        public = addon.config_map(
            "grafana-oidc",
            GRAFANA_OIDC_SECRET,
            {grafana_env("auth.generic_oauth", key): value for key, value in settings.items()},
            provider=self.provider,
        )
        secret = addon.secret(
            "grafana-oidc",
            GRAFANA_OIDC_SECRET,
            {grafana_env("auth.generic_oauth", "client_secret"): pulumi.Output.secret(client_secret)},
            provider=self.provider,
        )
        return public, secret

    # System nodes ---------------------------------------------------------------------------------

    def _system_nodes(self, args: ClusterArgs, depends_on: Sequence[pulumi.Resource]) -> aws.eks.NodeGroup:
        """On-demand nodes for Karpenter and the critical add-ons, tainted so nothing else lands there."""
        nodes = args.system_nodes
        arch = system_node_architecture(nodes.instance_types)
        role = aws.iam.Role(
            self.child_name("system-nodes"),
            description=f"{args.cluster_name}: system node group",
            assume_role_policy=assume_role_policy({"Service": "ec2.amazonaws.com"}),
            opts=self.child(),
        )
        attachments = [
            aws.iam.RolePolicyAttachment(
                self.child_name(f"system-nodes-{arn.rsplit('/', 1)[-1]}"),
                role=role.name,
                policy_arn=arn,
                opts=self.child(),
            )
            for arn in NODE_POLICIES
        ]
        self.system_node_role_arn = role.arn
        template = aws.ec2.LaunchTemplate(
            self.child_name("system-nodes"),
            description=f"{args.cluster_name}: system nodes (IMDSv2, encrypted gp3)",
            metadata_options={
                "http_endpoint": "enabled",
                "http_tokens": "required",
                "http_put_response_hop_limit": manifests.IMDS_HOP_LIMIT,
                "instance_metadata_tags": "disabled",
            },
            block_device_mappings=[
                {
                    "device_name": device,
                    "ebs": {
                        "volume_size": size,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
                for device, size in manifests.volumes(nodes.ami_family, nodes.disk_size_gib)
            ],
            vpc_security_group_ids=[self.node_security_group_id],
            tag_specifications=[
                {"resource_type": kind, "tags": {**args.tags, "Name": f"{args.cluster_name}-system"}}
                for kind in ("instance", "volume", "network-interface")
            ],
            update_default_version=True,
            opts=self.child(),
        )
        return aws.eks.NodeGroup(
            self.child_name("system-nodes"),
            cluster_name=args.cluster_name,
            version=args.kubernetes_version,
            node_role_arn=role.arn,
            subnet_ids=list(args.private_subnet_ids),
            instance_types=list(nodes.instance_types),
            ami_type=AMI_TYPES[(nodes.ami_family, arch)],
            capacity_type="ON_DEMAND",
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=nodes.min_size, desired_size=nodes.desired_size, max_size=nodes.max_size
            ),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            labels={SYSTEM_LABEL: "system"},
            taints=[aws.eks.NodeGroupTaintArgs(effect="NO_SCHEDULE", **SYSTEM_TAINT)],
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            tags={**args.tags, "Name": f"{args.cluster_name}-system"},
            opts=self.child(depends_on=[*depends_on, *attachments]),
        )
