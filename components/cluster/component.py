"""The `Cluster` component: EKS (through `pulumi_eks`), a system node group, Karpenter and the add-ons."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from social_components.base import SocialComponent, assume_role_policy
from social_components.cluster import manifests, policies
from social_components.cluster.addon import Addon
from social_components.cluster.args import AddonArgs, ClusterArgs
from social_components.cluster.catalog import ADDONS, TRAITS, AddonName
from social_components.cluster.karpenter import NODE_POLICIES, Karpenter, KarpenterPlacement
from social_components.cluster.validation import (
    access_grants,
    require_pinned,
    system_node_architecture,
    validate_cluster_args,
)

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
"""Every control-plane log type EKS can send to CloudWatch."""
SYSTEM_LABEL = "social-platform/node-group"
SYSTEM_TAINT = {"key": "CriticalAddonsOnly", "value": "true"}
"""The taint of the system nodes: only pods tolerating it (critical add-ons) land there."""
SYSTEM_TOLERATIONS = [{"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"}]
EVERY_NODE = [{"operator": "Exists"}]
"""Tolerations of node agents (DaemonSets) that must run on every node, the system nodes included."""
AMI_TYPES = {
    ("AL2023", "arm64"): "AL2023_ARM_64_STANDARD",
    ("AL2023", "amd64"): "AL2023_x86_64_STANDARD",
    ("Bottlerocket", "arm64"): "BOTTLEROCKET_ARM_64",
    ("Bottlerocket", "amd64"): "BOTTLEROCKET_x86_64",
}
GRAFANA_ADMIN_SECRET = "grafana-admin"


class Cluster(SocialComponent):
    """An EKS cluster ready for workloads.

    - control plane: access entries only (authentication mode ``API``, no aws-auth ConfigMap), private
      endpoint (public only for listed CIDRs), secrets encrypted with its own KMS key, all five log
      types to a KMS-encrypted log group, an IAM OIDC provider, deletion protection;
    - a small on-demand system node group (tainted ``CriticalAddonsOnly``) for Karpenter and the
      critical add-ons; Karpenter launches everything else;
    - add-ons, each with its own Pod Identity role when it calls AWS.
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
    addons: dict[AddonName, Addon]
    karpenter: Karpenter

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None, protect: bool = False
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        validate_cluster_args(args)
        self.cluster_name = args.cluster_name
        self._args = args
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._region = aws.get_region_output(opts=invoke).region
        account = self.account_id()
        self.arn = pulumi.Output.concat(
            "arn:aws:eks:", self._region, ":", account, ":cluster/", args.cluster_name
        )

        self.eks = self._control_plane(args, account)
        self.endpoint = self.eks.core.endpoint
        self.oidc_issuer = self.eks.oidc_issuer
        self.oidc_provider_arn = self.eks.oidc_provider_arn
        self.cluster_security_group_id = self.eks.cluster_security_group_id
        self.node_security_group_id = self.eks.node_security_group_id
        self.kubeconfig = pulumi.Output.secret(self.eks.kubeconfig_json)
        self.provider = k8s.Provider(
            self.child_name("k8s"), kubeconfig=self.kubeconfig, opts=self.child(depends_on=[self.eks])
        )
        self._team_namespaces(args)

        enabled = {
            name: args.addons.get(name, AddonArgs())
            for name in ADDONS
            if args.addons.get(name, AddonArgs()).enabled
        }
        self.addons = {}
        # Add-ons a node needs to become Ready (CNI, kube-proxy, Pod Identity agent) go first,
        # then the system nodes, then everything that runs pods.
        for addon in enabled:
            if TRAITS[addon].before_compute:
                self._eks_addon(addon, enabled[addon], depends_on=[self.eks])
        system_nodes = self._system_nodes(
            args, depends_on=[self.eks, *(a.installed for a in self.addons.values())]
        )
        # CoreDNS and the EBS CSI controller tolerate the system nodes' taint and run there.
        for addon in ("coredns", "aws-ebs-csi-driver"):
            if addon in enabled:
                self._eks_addon(addon, enabled[addon], depends_on=[system_nodes])  # type: ignore[arg-type]
        nodes_ready: list[pulumi.Resource] = [system_nodes]
        if "coredns" in self.addons:
            nodes_ready.append(self.addons["coredns"].installed)

        self.karpenter = Karpenter(
            self.child_name("karpenter"),
            args.karpenter,
            cluster_name=args.cluster_name,
            cluster_arn=self.arn,
            cluster_endpoint=self.endpoint,
            region=self._region,
            account_id=account,
            provider=self.provider,
            placement=KarpenterPlacement({SYSTEM_LABEL: "system"}, SYSTEM_TOLERATIONS),
            after_cluster=[self.eks],
            after_nodes=nodes_ready,
            tags=dict(args.tags),
            opts=self.child(),
            protect=self._protect_state,
        )
        self.node_role_arn = self.karpenter.node_role.arn
        pools = list(self.karpenter.node_pools.values())
        if "amazon-cloudwatch-observability" in enabled:
            # Its operator runs on Karpenter's nodes: create it once the pools exist.
            self._eks_addon(
                "amazon-cloudwatch-observability",
                enabled["amazon-cloudwatch-observability"],
                depends_on=[system_nodes, *pools],
            )
        self._helm_addons(args, enabled, nodes_ready)

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

    # Control plane --------------------------------------------------------------------------------

    def _control_plane(self, args: ClusterArgs, account: pulumi.Output[str]) -> eks.Cluster:
        secrets_key = self.kms_key(
            "secrets", f"{args.cluster_name}: envelope encryption of Kubernetes secrets"
        )
        logs_key = self.log_key("logs", f"{args.cluster_name}: control-plane and container logs")
        self._logs_key = logs_key
        # EKS writes to this name; creating it first sets retention and encryption.
        log_group = aws.cloudwatch.LogGroup(
            self.child_name("control-plane-logs"),
            name=f"/aws/eks/{args.cluster_name}/cluster",
            retention_in_days=args.log_retention_days,
            kms_key_id=logs_key.arn,
            opts=self.stateful(),
        )
        grants = access_grants(args.teams)
        return eks.Cluster(
            self.child_name("eks"),
            name=args.cluster_name,
            version=args.kubernetes_version,
            vpc_id=args.vpc_id,
            private_subnet_ids=list(args.private_subnet_ids),
            node_associate_public_ip_address=False,
            endpoint_private_access=True,
            endpoint_public_access=args.endpoint_public_access or args.ci_access_cidrs is not None,
            public_access_cidrs=_endpoint_cidrs(args),
            authentication_mode=eks.AuthenticationMode.API,
            access_entries={
                grant.entry: eks.AccessEntryArgs(
                    principal_arn=grant.principal_arn,
                    type=eks.AccessEntryType.STANDARD,
                    access_policies={
                        "access": eks.AccessPolicyAssociationArgs(
                            policy_arn=grant.policy_arn,
                            access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(
                                type="namespace", namespaces=list(grant.namespaces)
                            )
                            if grant.namespaces
                            else aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
                        )
                    },
                )
                for grant in grants
            },
            skip_default_node_group=True,
            create_oidc_provider=True,
            encryption_config_key_arn=secrets_key.arn,
            enabled_cluster_log_types=list(LOG_TYPES),
            deletion_protection=args.deletion_protection,
            # Add-ons are EKS managed add-ons created below, each at a pinned version.
            bootstrap_self_managed_addons=False,
            use_default_vpc_cni=True,
            coredns_addon_options=eks.CoreDnsAddonOptionsArgs(enabled=False),
            kube_proxy_addon_options=eks.KubeProxyAddonOptionsArgs(enabled=False),
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type="STANDARD"),
            provider_credential_opts=eks.KubeconfigOptionsArgs(role_arn=args.kubeconfig_role_arn)
            if args.kubeconfig_role_arn
            else None,
            # Karpenter finds the node security group by this tag.
            node_security_group_tags={"karpenter.sh/discovery": args.cluster_name},
            # Not the discovery tag: pulumi-eks puts `tags` on the cluster security group too, which
            # Karpenter would then attach to every node.
            tags=dict(args.tags),
            opts=self.stateful(depends_on=[log_group]),
        )

    def _team_namespaces(self, args: ClusterArgs) -> None:
        for team, access in sorted(args.teams.items()):
            for namespace in access.namespaces:
                k8s.core.v1.Namespace(
                    self.child_name(f"ns-{namespace}"),
                    metadata={"name": namespace, "labels": {"social-platform/team": team}},
                    opts=self.child(provider=self.provider),
                )

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

    # Add-ons --------------------------------------------------------------------------------------

    def _addon(self, name: AddonName) -> Addon:
        addon = Addon(self.child_name(name), name, opts=self.child(), protect=self._protect_state)
        self.addons[name] = addon
        return addon

    def _pinned_version(self, name: AddonName, settings: AddonArgs) -> str:
        return require_pinned(f"addons.{name}.version", settings.version or ADDONS[name].version)

    def _eks_addon(
        self, name: AddonName, settings: AddonArgs, depends_on: Sequence[pulumi.Resource]
    ) -> Addon:
        addon = self._addon(name)
        managed = {
            "vpc-cni": ("arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",),
            "aws-ebs-csi-driver": ("arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",),
            "amazon-cloudwatch-observability": (
                "arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy",
                "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",
            ),
        }
        if name in managed:
            addon.grant(
                cluster_name=self.cluster_name,
                cluster_arn=self.arn,
                managed_policy_arns=managed[name],
                depends_on=[self.eks],
            )
        configuration: dict[str, Any] | None = None
        if name == "amazon-cloudwatch-observability" and self._addon_on("fluent-bit"):
            # Container logs are shipped by the fluent-bit add-on; Container Insights keeps the metrics.
            configuration = {"containerLogs": {"enabled": False}}
        addon.eks_addon(
            cluster_name=self.cluster_name,
            source=ADDONS[name],
            version=self._pinned_version(name, settings),
            configuration=configuration,
            depends_on=[*depends_on, *addon.credentials],
        )
        if name == "aws-ebs-csi-driver":
            k8s.storage.v1.StorageClass(
                addon.child_name("gp3"),
                metadata={
                    "name": "gp3",
                    "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
                },
                provisioner="ebs.csi.aws.com",
                parameters={"type": "gp3", "encrypted": "true", "fsType": "ext4"},
                reclaim_policy="Delete",
                volume_binding_mode="WaitForFirstConsumer",
                allow_volume_expansion=True,
                opts=addon.child(provider=self.provider, depends_on=[addon.installed]),
            )
        addon.done()
        return addon

    def _addon_on(self, name: AddonName) -> bool:
        settings = self._args.addons.get(name)
        return settings is None or settings.enabled

    def _helm_addons(
        self,
        args: ClusterArgs,
        enabled: Mapping[AddonName, AddonArgs],
        nodes_ready: Sequence[pulumi.Resource],
    ) -> None:
        on_system_nodes = {"nodeSelector": {SYSTEM_LABEL: "system"}, "tolerations": SYSTEM_TOLERATIONS}
        pools = list(self.karpenter.node_pools.values())
        self.grafana_admin_password = None
        for name in enabled:
            if ADDONS[name].kind != "helm":
                continue
            addon = self._addon(name)
            traits = TRAITS[name]
            depends_on: list[pulumi.Resource] = list(nodes_ready)
            if traits.namespace != "kube-system":
                depends_on.append(addon.namespace(self.provider))
            values: dict[str, Any]
            if name == "aws-load-balancer-controller":
                addon.grant(
                    cluster_name=self.cluster_name,
                    cluster_arn=self.arn,
                    statements=policies.load_balancer_controller(),
                    depends_on=[self.eks],
                )
                values = {
                    "clusterName": self.cluster_name,
                    "region": self._region,
                    "vpcId": args.vpc_id,
                    "serviceAccount": {"name": traits.service_account},
                    "replicaCount": 2,
                    **on_system_nodes,
                }
            elif name == "metrics-server":
                values = {"replicas": 2, **on_system_nodes}
            elif name == "cert-manager":
                values = {
                    "crds": {"enabled": True, "keep": True},
                    **on_system_nodes,
                    **{part: dict(on_system_nodes) for part in ("webhook", "cainjector", "startupapicheck")},
                }
            elif name == "external-dns":
                addon.grant(
                    cluster_name=self.cluster_name,
                    cluster_arn=self.arn,
                    statements=policies.external_dns(args.dns_domain or "", args.hosted_zone_id),
                    depends_on=[self.eks],
                )
                values = {
                    "provider": {"name": "aws"},
                    "domainFilters": [args.dns_domain],
                    "policy": "upsert-only",
                    "registry": "txt",
                    "txtOwnerId": self.cluster_name,
                    "serviceAccount": {"name": traits.service_account},
                    "env": [{"name": "AWS_DEFAULT_REGION", "value": self._region}],
                    **(
                        {"extraArgs": [pulumi.Output.concat("--zone-id-filter=", args.hosted_zone_id)]}
                        if args.hosted_zone_id is not None
                        else {}
                    ),
                    **on_system_nodes,
                }
            elif name == "fluent-bit":
                group = aws.cloudwatch.LogGroup(
                    addon.child_name("logs"),
                    name=f"/social/eks/{self.cluster_name}/containers",
                    retention_in_days=args.log_retention_days,
                    kms_key_id=self._logs_key.arn,
                    opts=addon.stateful(),
                )
                addon.grant(
                    cluster_name=self.cluster_name,
                    cluster_arn=self.arn,
                    statements=policies.log_shipping(group.arn),
                    depends_on=[self.eks],
                )
                values = {
                    "serviceAccount": {"name": traits.service_account},
                    "cloudWatch": {"enabled": False},
                    "cloudWatchLogs": {
                        "enabled": True,
                        "region": self._region,
                        "logGroupName": group.name,
                        "logGroupTemplate": None,
                        "logStreamPrefix": "fluentbit-",
                        "autoCreateGroup": False,
                    },
                    "tolerations": EVERY_NODE,
                }
            elif name == "kube-prometheus-stack":
                depends_on += [*pools, self.addons["aws-ebs-csi-driver"].installed]
                depends_on.append(self._grafana_admin(addon, args.grafana_admin_password))
                values = {
                    "grafana": {
                        "admin": {
                            "existingSecret": GRAFANA_ADMIN_SECRET,
                            "userKey": "admin-user",
                            "passwordKey": "admin-password",
                        }
                    },
                    "prometheus": {
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
                        }
                    },
                }
            else:  # pragma: no cover - every helm add-on of the catalogue is handled above
                raise ValueError(f"no values for add-on {name}")
            depends_on += addon.credentials
            addon.chart(
                source=ADDONS[name],
                version=self._pinned_version(name, enabled[name]),
                values=values,
                provider=self.provider,
                depends_on=depends_on,
            )
            addon.done()

    def _grafana_admin(self, addon: Addon, password: pulumi.Input[str] | None) -> k8s.core.v1.Secret:
        """Grafana's admin credentials as a Kubernetes Secret the chart reads (never in chart values)."""
        if password is None:
            password = addon.generated_password("grafana-admin", 32, addon.stateful())
        self.grafana_admin_password = pulumi.Output.secret(password)
        return k8s.core.v1.Secret(
            addon.child_name("grafana-admin"),
            metadata={"name": GRAFANA_ADMIN_SECRET, "namespace": addon.traits.namespace},
            type="Opaque",
            string_data={"admin-user": "admin", "admin-password": self.grafana_admin_password},
            opts=addon.child(provider=self.provider, depends_on=[addon.ns] if addon.ns is not None else []),
        )


def _endpoint_cidrs(args: ClusterArgs) -> pulumi.Input[list[str]] | None:
    """Who reaches the public endpoint: the configured ranges (when it is on) and CI's addresses."""
    configured = list(args.public_access_cidrs) if args.endpoint_public_access else []
    if args.ci_access_cidrs is None:
        return configured or None
    return pulumi.Output.from_input(args.ci_access_cidrs).apply(lambda ci: sorted({*configured, *ci}))
