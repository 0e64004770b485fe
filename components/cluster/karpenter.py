"""Karpenter: node autoscaling for one cluster, in pure Python, in two components.

- `KarpenterAws`, its AWS side, usable on its own with any EKS cluster: the node role (with
  instance profile and `EC2_LINUX` access entry), the controller's Pod Identity role scoped to this
  cluster, the encrypted interruption queue and its four EventBridge rules.
- `Karpenter`, all of it: `KarpenterAws`, then the Helm chart (which installs the CRDs) on the
  system nodes, then the default `EC2NodeClass` and the NodePools.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from social_components.base import SocialComponent, assume_role_policy, policy_json
from social_components.cluster import manifests, policies
from social_components.cluster.addon import pod_identity_role
from social_components.cluster.args import KarpenterArgs
from social_components.cluster.catalog import (
    KARPENTER_CHART,
    KARPENTER_NAMESPACE,
    KARPENTER_RELEASE,
    KARPENTER_SERVICE_ACCOUNT,
)

NODE_POLICIES = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore",
)
"""What a node itself needs. No AmazonEKS_CNI_Policy: the VPC CNI has its own Pod Identity role."""

INTERRUPTION_EVENTS: dict[str, dict[str, list[str]]] = {
    "scheduled-change": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "spot-interruption": {"source": ["aws.ec2"], "detail-type": ["EC2 Spot Instance Interruption Warning"]},
    "rebalance": {"source": ["aws.ec2"], "detail-type": ["EC2 Instance Rebalance Recommendation"]},
    "instance-state-change": {
        "source": ["aws.ec2"],
        "detail-type": ["EC2 Instance State-change Notification"],
    },
}
"""The events Karpenter acts on before AWS takes a node away, by rule name."""


@dataclass(frozen=True)
class KarpenterPlacement:
    """Where the controller runs: the system nodes (selector and the tolerations for their taint)."""

    node_selector: Mapping[str, str]
    tolerations: Sequence[Mapping[str, str]]


class KarpenterAws(SocialComponent):
    """Karpenter's AWS side for the EKS cluster `cluster_name` (in this component's account and region).

    Install the controller yourself with service account `kube-system/karpenter`, the settings
    ``clusterName`` and ``interruptionQueue`` (`queue`'s name), and `instance_profile` in an
    EC2NodeClass; its credentials come through EKS Pod Identity (the cluster needs the
    eks-pod-identity-agent add-on)."""

    MODULE = "cluster"

    node_role: aws.iam.Role
    """Role of the nodes Karpenter launches."""
    instance_profile: aws.iam.InstanceProfile
    controller_role: aws.iam.Role
    association: aws.eks.PodIdentityAssociation
    """The controller's pods get their credentials only if created after this exists."""
    queue: aws.sqs.Queue
    queue_key: aws.kms.Key

    def __init__(
        self,
        name: str,
        *,
        cluster_name: str,
        cluster_arn: pulumi.Input[str],
        after_cluster: Sequence[pulumi.Resource] = (),
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
        moved_from: pulumi.Resource | None = None,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts, moved_from=moved_from)
        # Nodes: role, instance profile, and an EC2_LINUX access entry so they may join.
        self.node_role = aws.iam.Role(
            self.child_name("node"),
            description=f"{cluster_name}: nodes launched by Karpenter",
            assume_role_policy=assume_role_policy({"Service": "ec2.amazonaws.com"}),
            opts=self.child(),
        )
        for arn in NODE_POLICIES:
            aws.iam.RolePolicyAttachment(
                self.child_name(f"node-{arn.rsplit('/', 1)[-1]}"),
                role=self.node_role.name,
                policy_arn=arn,
                opts=self.child(),
            )
        self.instance_profile = aws.iam.InstanceProfile(
            self.child_name("node"), role=self.node_role.name, opts=self.child()
        )
        aws.eks.AccessEntry(
            self.child_name("node"),
            cluster_name=cluster_name,
            principal_arn=self.node_role.arn,
            type="EC2_LINUX",
            opts=self.child(depends_on=list(after_cluster)),
        )

        # Interruption handling: an encrypted queue fed by four EventBridge rules.
        # EventBridge encrypts for this account with the queue's own key; Karpenter decrypts what it reads.
        self.queue_key = self.kms_key(
            "interruptions", f"{cluster_name}: Karpenter interruption queue", grants=[self.events_grant()]
        )
        self.queue = aws.sqs.Queue(
            self.child_name("interruptions"),
            name=f"{cluster_name}-karpenter",
            message_retention_seconds=300,
            kms_master_key_id=self.queue_key.arn,
            opts=self.stateful(),
        )
        self.watch("interruption-queue", "interruptions", {"QueueName": self.queue.name})
        aws.sqs.QueuePolicy(
            self.child_name("interruptions"),
            queue_url=self.queue.url,
            policy=policy_json(policies.interruption_queue(self.queue.arn)),
            opts=self.child(),
        )
        for rule_name, pattern in INTERRUPTION_EVENTS.items():
            rule = aws.cloudwatch.EventRule(
                self.child_name(rule_name),
                description=f"{cluster_name}: {pattern['detail-type'][0]} → Karpenter",
                event_pattern=pulumi.Output.json_dumps(pattern),
                opts=self.child(),
            )
            aws.cloudwatch.EventTarget(
                self.child_name(rule_name),
                rule=rule.name,
                target_id="karpenter-interruption-queue",
                arn=self.queue.arn,
                opts=self.child(),
            )

        # The controller's own role, scoped to this cluster, through Pod Identity.
        self.controller_role, self.association = pod_identity_role(
            self,
            role="controller",
            cluster_name=cluster_name,
            cluster_arn=cluster_arn,
            namespace=KARPENTER_NAMESPACE,
            service_account=KARPENTER_SERVICE_ACCOUNT,
            statements=policies.karpenter_controller(
                cluster_name=cluster_name,
                region=self.region(),
                account_id=self.account_id(),
                queue_arn=self.queue.arn,
                queue_key_arn=self.queue_key.arn,
                node_role_arn=self.node_role.arn,
                instance_profile_arn=self.instance_profile.arn,
            ),
            depends_on=after_cluster,
        )

        self.register_outputs(
            {
                "node_role_arn": self.node_role.arn,
                "controller_role_arn": self.controller_role.arn,
                "queue_arn": self.queue.arn,
            }
        )


class Karpenter(SocialComponent):
    """Karpenter for a cluster built here: `KarpenterAws`, the chart on the system nodes, the default
    `EC2NodeClass` and the NodePools."""

    MODULE = "cluster"

    aws_side: KarpenterAws
    node_role: aws.iam.Role
    chart: k8s.helm.v4.Chart
    node_class: k8s.apiextensions.CustomResource
    node_pools: dict[str, k8s.apiextensions.CustomResource]

    def __init__(
        self,
        name: str,
        args: KarpenterArgs,
        *,
        cluster_name: str,
        cluster_arn: pulumi.Input[str],
        cluster_endpoint: pulumi.Input[str],
        provider: k8s.Provider,
        placement: KarpenterPlacement,
        after_cluster: Sequence[pulumi.Resource],
        after_nodes: Sequence[pulumi.Resource],
        tags: Mapping[str, str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        # Same name: its children keep theirs (and, by alias, their URNs from before the split).
        self.aws_side = KarpenterAws(
            name,
            cluster_name=cluster_name,
            cluster_arn=cluster_arn,
            after_cluster=after_cluster,
            opts=self.child(),
            protect=protect,
            moved_from=self,
        )
        self.node_role = self.aws_side.node_role
        queue, association = self.aws_side.queue, self.aws_side.association

        # The chart installs the CRDs and the controller, on the system nodes.
        self.chart = k8s.helm.v4.Chart(
            self.child_name("chart"),
            name=KARPENTER_RELEASE,
            chart=KARPENTER_CHART,
            version=args.chart_version,
            namespace=KARPENTER_NAMESPACE,
            values={
                "replicas": args.replicas,
                "serviceAccount": {"name": KARPENTER_SERVICE_ACCOUNT},
                "settings": {
                    "clusterName": cluster_name,
                    "clusterEndpoint": cluster_endpoint,
                    "interruptionQueue": queue.name,
                },
                "nodeSelector": dict(placement.node_selector),
                "tolerations": [dict(t) for t in placement.tolerations],
                "controller": {"resources": {"requests": {"cpu": "250m", "memory": "512Mi"}}},
            },
            opts=self.child(provider=provider, depends_on=[*after_nodes, association]),
        )

        # The default node class and the pools: only once the CRDs and the controller exist.
        self.node_class = k8s.apiextensions.CustomResource(
            self.child_name("node-class"),
            api_version="karpenter.k8s.aws/v1",
            kind="EC2NodeClass",
            metadata={"name": manifests.NODE_CLASS},
            spec=manifests.ec2_node_class_spec(
                cluster_name=cluster_name,
                instance_profile=self.aws_side.instance_profile.name,
                ami_alias=args.ami_alias,
                root_volume_size_gib=args.root_volume_size_gib,
                tags={**(tags or {}), "karpenter.sh/discovery": cluster_name},
            ),
            opts=self.child(provider=provider, depends_on=[self.chart]),
        )
        self.node_pools = {
            pool_name: k8s.apiextensions.CustomResource(
                self.child_name(f"pool-{pool_name}"),
                api_version="karpenter.sh/v1",
                kind="NodePool",
                metadata={"name": pool_name},
                spec=manifests.node_pool_spec(pool_name, pool),
                opts=self.child(provider=provider, depends_on=[self.chart, self.node_class]),
            )
            for pool_name, pool in args.node_pools.items()
        }
        self.register_outputs(
            {
                "node_role_arn": self.node_role.arn,
                "controller_role_arn": self.aws_side.controller_role.arn,
                "queue_arn": queue.arn,
            }
        )
