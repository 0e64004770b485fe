"""Arguments of `Ingress`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
"""The AWS-managed prefix list of CloudFront's origin-facing addresses (the only addresses the load
balancer's security group admits)."""

CLOUDFRONT_ORIGIN_FACING_IDS: dict[str, str] = {
    "ap-northeast-1": "pl-58a04531",
    "ap-northeast-2": "pl-22a6434b",
    "ap-south-1": "pl-9aa247f3",
    "ap-southeast-1": "pl-31a34658",
    "ap-southeast-2": "pl-b8a742d1",
    "ca-central-1": "pl-38a64351",
    "eu-central-1": "pl-a3a144ca",
    "eu-north-1": "pl-fab65393",
    "eu-west-1": "pl-4fa04526",
    "eu-west-2": "pl-93a247fa",
    "eu-west-3": "pl-75b1541c",
    "sa-east-1": "pl-5da64334",
    "us-east-1": "pl-3b927c52",
    "us-east-2": "pl-b6a144df",
    "us-west-1": "pl-4ea04527",
    "us-west-2": "pl-82a045eb",
}
"""Region → ID of `CLOUDFRONT_ORIGIN_FACING` there (AWS-owned, one ID per region, the same in every
account; as published in AWS samples and `aws ec2 describe-managed-prefix-lists`, read 2026-12-02).
The guardrail `load-balancers-only-from-cloudfront` recognises CloudFront by these IDs."""


@dataclass(frozen=True)
class IngressArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets, one per availability zone (at least two): the load balancer is internal and
    CloudFront reaches it through a VPC origin."""
    zone_id: pulumi.Input[str]
    """Route 53 zone holding `domain_name`: the certificate's validation record and the alias to the
    load balancer go here."""
    domain_name: str
    """The origin's host name, for example `api-euw1.dev.social.example.com`: the name CloudFront
    sends (SNI and Host) and the regional certificate covers."""
    access_log_bucket: str | None = None
    """S3 bucket in this region (SSE-S3: the only encryption ELB log delivery supports) receiving
    the load balancer's access logs under `access_log_prefix`; its policy must let Elastic Load
    Balancing write there (`load_balancer_log_delivery` gives the statements). Unset: a private
    bucket of this component (`<name>-logs`), expiring logs after `log_retention_days`."""
    log_retention_days: int = 365
    """Days the component's own log bucket keeps access logs (unused with `access_log_bucket`)."""
    access_log_prefix: str = "alb"
    """Key prefix of the access logs in `access_log_bucket`."""
    web_acl_arn: pulumi.Input[str] | None = None
    """REGIONAL WAF web ACL to associate with the load balancer. Unset: no web ACL (the guardrail
    `alb-waf` refuses that)."""
    idle_timeout_seconds: int = 600
    """Seconds a connection may stay idle, WebSockets included (chat, live events): clients ping
    more often than this. Unset: 10 minutes (the ALB's own default is 60 s)."""
    ssl_policy: str = "ELBSecurityPolicy-TLS13-1-2-Res-2021-06"
    """TLS policy of the HTTPS listener (TLS 1.2 and 1.3, forward secrecy only)."""
    target_port: int = 8080
    """Port the application's pods listen on; the target group forwards there."""
    health_check_path: str = "/healthz"
    """Path the target group checks on each pod."""
    deletion_protection: bool = True
    """The ELB API refuses to delete the load balancer until this is turned off. Unset: on."""
    protect: bool = False
    """Protect the load balancer from `pulumi destroy` too (the platform sets it in prod)."""
