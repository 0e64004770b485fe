"""`ControlPlane`: the EKS control plane (through `pulumi_eks`), its keys and logs, and the
Kubernetes provider and team namespaces that need nothing but the API server."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pulumi_eks as eks
import pulumi_kubernetes as k8s

from social_components.base import SocialComponent
from social_components.cluster.args import ClusterArgs
from social_components.cluster.validation import access_grants

LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
"""Every control-plane log type EKS can send to CloudWatch."""


class ControlPlane(SocialComponent):
    """Access entries only (authentication mode ``API``, no aws-auth ConfigMap), private endpoint
    (public only for listed CIDRs), secrets encrypted with its own KMS key, all five log types to a
    KMS-encrypted log group, an IAM OIDC provider, deletion protection. No nodes."""

    MODULE = "cluster"

    eks: eks.Cluster
    logs_key: aws.kms.Key
    """The key of the cluster's log groups (control plane and containers)."""
    kubeconfig: pulumi.Output[str]
    provider: k8s.Provider

    def __init__(
        self,
        name: str,
        args: ClusterArgs,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
        moved_from: pulumi.Resource | None = None,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts, moved_from=moved_from)
        secrets_key = self.kms_key(
            "secrets", f"{args.cluster_name}: envelope encryption of Kubernetes secrets"
        )
        self.logs_key = self.log_key("logs", f"{args.cluster_name}: control-plane and container logs")
        # EKS writes to this name; creating it first sets retention and encryption.
        log_group = aws.cloudwatch.LogGroup(
            self.child_name("control-plane-logs"),
            name=f"/aws/eks/{args.cluster_name}/cluster",
            retention_in_days=args.log_retention_days,
            kms_key_id=self.logs_key.arn,
            opts=self.stateful(),
        )
        grants = access_grants(args.teams)
        self.eks = eks.Cluster(
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
            # Add-ons are EKS managed add-ons created by `Addons`, each at a pinned version.
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
        self.kubeconfig = pulumi.Output.secret(self.eks.kubeconfig_json)
        self.provider = k8s.Provider(
            self.child_name("k8s"), kubeconfig=self.kubeconfig, opts=self.child(depends_on=[self.eks])
        )
        for team, access in sorted(args.teams.items()):
            for namespace in access.namespaces:
                k8s.core.v1.Namespace(
                    self.child_name(f"ns-{namespace}"),
                    metadata={"name": namespace, "labels": {"social-platform/team": team}},
                    opts=self.child(provider=self.provider),
                )
        self.register_outputs({"endpoint": self.eks.core.endpoint, "kubeconfig": self.kubeconfig})


def _endpoint_cidrs(args: ClusterArgs) -> pulumi.Input[list[str]] | None:
    """Who reaches the public endpoint: the configured ranges (when it is on) and CI's addresses."""
    configured = list(args.public_access_cidrs) if args.endpoint_public_access else []
    if args.ci_access_cidrs is None:
        return configured or None
    return pulumi.Output.from_input(args.ci_access_cidrs).apply(lambda ci: sorted({*configured, *ci}))
