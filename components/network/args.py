"""Arguments of the `Network` component."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import pulumi

from social_components.network.validation import SubnetPrefixes

NatStrategy = Literal["none", "single", "per-az"]
InterfaceEndpoint = Literal[
    "ecr.api",
    "ecr.dkr",
    "sts",
    "ssm",
    "ssmmessages",
    "ec2messages",
    "logs",
    "secretsmanager",
    "ec2",
    "kms",
    "elasticloadbalancing",
    "autoscaling",
    "eks",
    "eks-auth",
    "sqs",
    "monitoring",
]


@dataclass(frozen=True)
class NetworkArgs:
    vpc_cidr: str
    """IPv4 range of the VPC, for example ``10.10.0.0/16``."""
    az_count: int = 3
    """Availability zones to use, 2 to 6; their names come from the region (first N available)."""
    subnet_prefixes: SubnetPrefixes = field(default_factory=SubnetPrefixes)
    """Prefix length per subnet tier. Unset: private 1/8 of the VPC per AZ, public and data 1/256."""
    nat_strategy: NatStrategy = "per-az"
    """Egress for private subnets: ``per-az`` (one NAT gateway per AZ, survives an AZ loss),
    ``single`` (one shared NAT, cheaper), or ``none`` (no internet egress)."""
    flow_log_retention_days: int = 365
    """Retention of the flow-log group (a value CloudWatch Logs accepts)."""
    flow_log_bucket_arn: pulumi.Input[str] | None = None
    """Bring your own S3 bucket for flow logs. Unset: flow logs go to a KMS-encrypted CloudWatch log group."""
    interface_endpoints: tuple[InterfaceEndpoint, ...] = ()
    """Interface VPC endpoints to create in the private subnets (billed per AZ-hour). Unset: none;
    gateway endpoints for S3 and DynamoDB are always created (free)."""
    cluster_name: str | None = None
    """EKS cluster that will use this network: private subnets get ``karpenter.sh/discovery`` and
    ``kubernetes.io/cluster/<name>`` tags. Unset: no cluster tags."""
