"""IAM policy statements of the cluster, as plain data (values may be Pulumi Inputs).

Each function returns a list of statements for `social_components.base.policy_json`; called with
plain strings they return plain dicts, which is how the unit tests read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

Statement = dict[str, Any]


def _cat(*parts: pulumi.Input[str]) -> pulumi.Input[str]:
    """Concatenate; stays a plain string when every part is one."""
    if all(isinstance(part, str) for part in parts):
        return "".join(parts)  # type: ignore[arg-type]
    return pulumi.Output.concat(*parts)


def pod_identity_trust(
    cluster_arn: pulumi.Input[str], namespace: str, service_account: str
) -> list[Statement]:
    """Trust for EKS Pod Identity, and only for one service account of one cluster: Pod Identity
    passes the cluster, namespace and service account as session tags, which the condition pins."""
    return [
        {
            "Sid": "EksPodIdentityForOneServiceAccount",
            "Effect": "Allow",
            "Principal": {"Service": "pods.eks.amazonaws.com"},
            "Action": ["sts:AssumeRole", "sts:TagSession"],
            "Condition": {
                "StringEquals": {
                    "aws:RequestTag/eks-cluster-arn": cluster_arn,
                    "aws:RequestTag/kubernetes-namespace": namespace,
                    "aws:RequestTag/kubernetes-service-account": service_account,
                }
            },
        }
    ]


def karpenter_controller(
    *,
    cluster_name: str,
    region: pulumi.Input[str],
    account_id: pulumi.Input[str],
    queue_arn: pulumi.Input[str],
    queue_key_arn: pulumi.Input[str],
    node_role_arn: pulumi.Input[str],
    instance_profile_arn: pulumi.Input[str],
) -> list[Statement]:
    """Karpenter's controller policy, after the upstream getting-started `cloudformation.yaml` (v1),
    scoped to this cluster: instances, fleets, volumes, interfaces and launch templates only with this
    cluster's ``kubernetes.io/cluster/<name>=owned`` and a ``karpenter.sh/nodepool`` tag; reads in
    this region; its interruption queue and that queue's key (decrypt only); passing only the node
    role; describing only this cluster.

    One deliberate difference: the node class uses the instance profile Pulumi creates, so the
    upstream statements that let Karpenter create, tag and delete instance profiles are left out;
    it may only read that one profile."""
    ec2 = _cat("arn:aws:ec2:", region)
    owned = f"aws:RequestTag/kubernetes.io/cluster/{cluster_name}"
    owned_resource = f"aws:ResourceTag/kubernetes.io/cluster/{cluster_name}"
    tagged_on_create = [
        _cat(ec2, f":*:{kind}/*")
        for kind in (
            "fleet",
            "instance",
            "volume",
            "network-interface",
            "launch-template",
            "spot-instances-request",
        )
    ]
    return [
        {
            "Sid": "AllowScopedEC2InstanceAccessActions",
            "Effect": "Allow",
            "Resource": [
                _cat(ec2, "::image/*"),
                _cat(ec2, "::snapshot/*"),
                _cat(ec2, ":*:security-group/*"),
                _cat(ec2, ":*:subnet/*"),
            ],
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
        },
        {
            "Sid": "AllowScopedEC2LaunchTemplateAccessActions",
            "Effect": "Allow",
            "Resource": _cat(ec2, ":*:launch-template/*"),
            "Action": ["ec2:RunInstances", "ec2:CreateFleet"],
            "Condition": {
                "StringEquals": {owned_resource: "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedEC2InstanceActionsWithTags",
            "Effect": "Allow",
            "Resource": tagged_on_create,
            "Action": ["ec2:RunInstances", "ec2:CreateFleet", "ec2:CreateLaunchTemplate"],
            "Condition": {
                "StringEquals": {owned: "owned", "aws:RequestTag/eks:eks-cluster-name": cluster_name},
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedResourceCreationTagging",
            "Effect": "Allow",
            "Resource": tagged_on_create,
            "Action": "ec2:CreateTags",
            "Condition": {
                "StringEquals": {
                    owned: "owned",
                    "aws:RequestTag/eks:eks-cluster-name": cluster_name,
                    "ec2:CreateAction": ["RunInstances", "CreateFleet", "CreateLaunchTemplate"],
                },
                "StringLike": {"aws:RequestTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowScopedResourceTagging",
            "Effect": "Allow",
            "Resource": _cat(ec2, ":*:instance/*"),
            "Action": "ec2:CreateTags",
            "Condition": {
                "StringEquals": {owned_resource: "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
                "StringEqualsIfExists": {"aws:RequestTag/eks:eks-cluster-name": cluster_name},
                "ForAllValues:StringEquals": {
                    "aws:TagKeys": ["eks:eks-cluster-name", "karpenter.sh/nodeclaim", "Name"]
                },
            },
        },
        {
            "Sid": "AllowScopedDeletion",
            "Effect": "Allow",
            "Resource": [_cat(ec2, ":*:instance/*"), _cat(ec2, ":*:launch-template/*")],
            "Action": ["ec2:TerminateInstances", "ec2:DeleteLaunchTemplate"],
            "Condition": {
                "StringEquals": {owned_resource: "owned"},
                "StringLike": {"aws:ResourceTag/karpenter.sh/nodepool": "*"},
            },
        },
        {
            "Sid": "AllowRegionalReadActions",
            "Effect": "Allow",
            "Resource": "*",
            "Action": [
                "ec2:DescribeImages",
                "ec2:DescribeInstances",
                "ec2:DescribeInstanceTypeOfferings",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplates",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeSpotPriceHistory",
                "ec2:DescribeSubnets",
            ],
            "Condition": {"StringEquals": {"aws:RequestedRegion": region}},
        },
        {
            "Sid": "AllowSSMReadActions",
            "Effect": "Allow",
            "Resource": _cat("arn:aws:ssm:", region, "::parameter/aws/service/*"),
            "Action": "ssm:GetParameter",
        },
        {
            "Sid": "AllowPricingReadActions",
            "Effect": "Allow",
            "Resource": "*",
            "Action": "pricing:GetProducts",
        },
        {
            "Sid": "AllowInterruptionQueueActions",
            "Effect": "Allow",
            "Resource": queue_arn,
            "Action": ["sqs:DeleteMessage", "sqs:GetQueueUrl", "sqs:ReceiveMessage"],
        },
        {
            # The queue is encrypted with its own customer key: receiving a message decrypts it.
            "Sid": "AllowInterruptionQueueDecryption",
            "Effect": "Allow",
            "Resource": queue_key_arn,
            "Action": "kms:Decrypt",
        },
        {
            "Sid": "AllowPassingInstanceRole",
            "Effect": "Allow",
            "Resource": node_role_arn,
            "Action": "iam:PassRole",
            "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}},
        },
        {
            "Sid": "AllowInstanceProfileReadActions",
            "Effect": "Allow",
            "Resource": instance_profile_arn,
            "Action": "iam:GetInstanceProfile",
        },
        {
            "Sid": "AllowAPIServerEndpointDiscovery",
            "Effect": "Allow",
            "Resource": _cat("arn:aws:eks:", region, ":", account_id, f":cluster/{cluster_name}"),
            "Action": "eks:DescribeCluster",
        },
    ]


def interruption_queue(queue_arn: pulumi.Input[str]) -> list[Statement]:
    """The queue policy upstream publishes, less its `sqs.amazonaws.com` sender (only EventBridge
    delivers interruption events, and only it may use the queue's key): plain HTTP is refused."""
    return [
        {
            "Sid": "EventBridgeSendsInterruptionEvents",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": queue_arn,
        },
        {
            "Sid": "DenyHTTP",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sqs:*",
            "Resource": queue_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


_LB = "arn:aws:elasticloadbalancing:*:*:"
_LB_TAGGED = [f"{_LB}targetgroup/*/*", f"{_LB}loadbalancer/net/*/*", f"{_LB}loadbalancer/app/*/*"]


def load_balancer_controller() -> list[Statement]:
    """The AWS Load Balancer Controller's published policy (kubernetes-sigs/aws-load-balancer-controller,
    ``docs/install/iam_policy.json``, v2.14): writes only to load balancers, target groups and security
    groups carrying its ``elbv2.k8s.aws/cluster`` tag."""
    cluster_tag_on_request = {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "false"}}
    cluster_tag_on_resource = {"Null": {"aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}
    retag_only = {
        "Null": {
            "aws:RequestTag/elbv2.k8s.aws/cluster": "true",
            "aws:ResourceTag/elbv2.k8s.aws/cluster": "false",
        }
    }
    return [
        {
            "Effect": "Allow",
            "Action": "iam:CreateServiceLinkedRole",
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}},
        },
        {
            "Effect": "Allow",
            "Action": [
                *(
                    f"ec2:{action}"
                    for action in (
                        "DescribeAccountAttributes",
                        "DescribeAddresses",
                        "DescribeAvailabilityZones",
                        "DescribeInternetGateways",
                        "DescribeVpcs",
                        "DescribeVpcPeeringConnections",
                        "DescribeSubnets",
                        "DescribeSecurityGroups",
                        "DescribeInstances",
                        "DescribeNetworkInterfaces",
                        "DescribeTags",
                        "GetCoipPoolUsage",
                        "DescribeCoipPools",
                        "GetSecurityGroupsForVpc",
                        "DescribeIpamPools",
                        "DescribeRouteTables",
                    )
                ),
                *(
                    f"elasticloadbalancing:{action}"
                    for action in (
                        "DescribeLoadBalancers",
                        "DescribeLoadBalancerAttributes",
                        "DescribeListeners",
                        "DescribeListenerCertificates",
                        "DescribeSSLPolicies",
                        "DescribeRules",
                        "DescribeTargetGroups",
                        "DescribeTargetGroupAttributes",
                        "DescribeTargetHealth",
                        "DescribeTags",
                        "DescribeTrustStores",
                        "DescribeListenerAttributes",
                        "DescribeCapacityReservation",
                    )
                ),
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "cognito-idp:DescribeUserPoolClient",
                "acm:ListCertificates",
                "acm:DescribeCertificate",
                "iam:ListServerCertificates",
                "iam:GetServerCertificate",
                "waf-regional:GetWebACL",
                "waf-regional:GetWebACLForResource",
                "waf-regional:AssociateWebACL",
                "waf-regional:DisassociateWebACL",
                "wafv2:GetWebACL",
                "wafv2:GetWebACLForResource",
                "wafv2:AssociateWebACL",
                "wafv2:DisassociateWebACL",
                "shield:GetSubscriptionState",
                "shield:DescribeProtection",
                "shield:CreateProtection",
                "shield:DeleteProtection",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": "ec2:CreateSecurityGroup", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": "ec2:CreateTags",
            "Resource": "arn:aws:ec2:*:*:security-group/*",
            "Condition": {
                "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"},
                **cluster_tag_on_request,
            },
        },
        {
            "Effect": "Allow",
            "Action": ["ec2:CreateTags", "ec2:DeleteTags"],
            "Resource": "arn:aws:ec2:*:*:security-group/*",
            "Condition": retag_only,
        },
        {
            "Effect": "Allow",
            "Action": [
                "ec2:AuthorizeSecurityGroupIngress",
                "ec2:RevokeSecurityGroupIngress",
                "ec2:DeleteSecurityGroup",
            ],
            "Resource": "*",
            "Condition": cluster_tag_on_resource,
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            "Resource": "*",
            "Condition": cluster_tag_on_request,
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
            ],
            "Resource": "*",
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": _LB_TAGGED,
            "Condition": retag_only,
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            "Resource": [
                f"{_LB}listener/net/*/*/*",
                f"{_LB}listener/app/*/*/*",
                f"{_LB}listener-rule/net/*/*/*",
                f"{_LB}listener-rule/app/*/*/*",
            ],
        },
        {
            "Effect": "Allow",
            "Action": [
                f"elasticloadbalancing:{action}"
                for action in (
                    "ModifyLoadBalancerAttributes",
                    "SetIpAddressType",
                    "SetSecurityGroups",
                    "SetSubnets",
                    "DeleteLoadBalancer",
                    "ModifyTargetGroup",
                    "ModifyTargetGroupAttributes",
                    "DeleteTargetGroup",
                    "ModifyListenerAttributes",
                    "ModifyCapacityReservation",
                    "ModifyIpPools",
                )
            ],
            "Resource": "*",
            "Condition": cluster_tag_on_resource,
        },
        {
            "Effect": "Allow",
            "Action": "elasticloadbalancing:AddTags",
            "Resource": _LB_TAGGED,
            "Condition": {
                "StringEquals": {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"]
                },
                **cluster_tag_on_request,
            },
        },
        {
            "Effect": "Allow",
            "Action": ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            "Resource": f"{_LB}targetgroup/*/*",
        },
        {
            "Effect": "Allow",
            "Action": [
                "elasticloadbalancing:SetWebAcl",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
            ],
            "Resource": "*",
        },
    ]


def external_dns(domain: str, hosted_zone_id: pulumi.Input[str] | None) -> list[Statement]:
    """Record changes only under `domain` (and only in `hosted_zone_id` when given); zone look-ups."""
    zone = (
        _cat("arn:aws:route53:::hostedzone/", hosted_zone_id)
        if hosted_zone_id is not None
        else ("arn:aws:route53:::hostedzone/*")
    )
    return [
        {
            "Sid": "ChangeRecordsUnderTheEnvironmentDomainOnly",
            "Effect": "Allow",
            "Action": "route53:ChangeResourceRecordSets",
            "Resource": zone,
            "Condition": {
                "ForAllValues:StringLike": {
                    "route53:ChangeResourceRecordSetsNormalizedRecordNames": [domain, f"*.{domain}"]
                }
            },
        },
        {
            "Sid": "ListZonesAndRecords",
            "Effect": "Allow",
            "Action": [
                "route53:ListHostedZones",
                "route53:ListResourceRecordSets",
                "route53:ListTagsForResources",
            ],
            "Resource": "*",
        },
    ]


def log_shipping(log_group_arn: pulumi.Input[str]) -> list[Statement]:
    """Write log streams and events into one log group (it exists; no CreateLogGroup)."""
    return [
        {
            "Sid": "ShipContainerLogs",
            "Effect": "Allow",
            "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": [log_group_arn, _cat(log_group_arn, ":*")],
        }
    ]


def alert_publishing(topic_arns: Sequence[pulumi.Input[str]], key_arn: pulumi.Input[str]) -> list[Statement]:
    """Publish to the alert topics (and nothing else), encrypting with their key (SNS developer
    guide, "Data encryption": a publisher to an encrypted topic needs GenerateDataKey and Decrypt)."""
    return [
        {"Sid": "PublishAlerts", "Effect": "Allow", "Action": "sns:Publish", "Resource": list(topic_arns)},
        {
            "Sid": "EncryptAlerts",
            "Effect": "Allow",
            "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
            "Resource": key_arn,
        },
    ]
