"""Arguments of `Ingress`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi

CLOUDFRONT_ORIGIN_FACING = "com.amazonaws.global.cloudfront.origin-facing"
"""The AWS-managed prefix list of CloudFront's origin-facing addresses (the only addresses the load
balancer's security group admits)."""


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
