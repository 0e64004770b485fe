"""`Ingress`: one region's API origin — an internal Application Load Balancer that only CloudFront
reaches.

What it builds (the provider passed in `opts`):
- a security group admitting HTTPS and HTTP only from CloudFront's origin-facing prefix list
  (`com.amazonaws.global.cloudfront.origin-facing`), sending only to the application's pods;
- the load balancer: internal, in private subnets, dropping invalid header fields, deletion
  protection, an idle timeout suited to WebSockets, access logs to S3 in this region;
- an ACM certificate for `domain_name` (DNS-validated in the zone) and an alias record to the load
  balancer; an HTTPS listener (TLS 1.3 policy) forwarding to the `api` target group (IP targets:
  the AWS Load Balancer Controller registers pods through a `TargetGroupBinding`), and an HTTP
  listener that only redirects to HTTPS;
- the REGIONAL WAF web ACL's association, when one is given;
- the CloudFront VPC origin for the load balancer (HTTPS only, TLS 1.2): the distribution's origin.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, deny_insecure_transport, policy_json
from social_components.ingress.args import CLOUDFRONT_ORIGIN_FACING, IngressArgs
from social_components.ingress.validation import validate_ingress_args

ELB_LOG_DELIVERY = "logdelivery.elasticloadbalancing.amazonaws.com"
"""Service principal of ELB log delivery (regions opened since August 2022; older regions deliver
as the region's Elastic Load Balancing account, `aws.elb.get_service_account`)."""


def load_balancer_log_delivery(
    bucket_arn: pulumi.Input[str],
    prefix: str,
    account_id: pulumi.Input[str],
    elb_account_arn: pulumi.Input[str],
) -> list[Mapping[str, Any]]:
    """The bucket-policy statement letting Elastic Load Balancing write this account's access logs
    under `prefix` (ELB user guide, "Enable access logs": the region's ELB account, or the log
    delivery service principal in newer regions). Nobody is granted reads."""
    return [
        {
            "Sid": "LoadBalancerAccessLogs",
            "Effect": "Allow",
            "Principal": {"AWS": elb_account_arn, "Service": ELB_LOG_DELIVERY},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(bucket_arn, "/", prefix, "/AWSLogs/", account_id, "/*"),
        }
    ]


class Ingress(SocialComponent):
    """An internal ALB, its certificate, listeners, target group, web ACL and CloudFront VPC origin."""

    MODULE = "ingress"

    load_balancer_arn: pulumi.Output[str]
    load_balancer_dns_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    """The `api` target group: what the application's `TargetGroupBinding` names."""
    vpc_origin_id: pulumi.Output[str]
    """The CloudFront VPC origin (a distribution's origin refers to it)."""
    vpc_origin_arn: pulumi.Output[str]
    domain_name: str
    """The origin's host name (CloudFront's SNI and Host)."""
    access_log_bucket: pulumi.Output[str]
    target_port: int

    def __init__(self, name: str, args: IngressArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_ingress_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        self.domain_name = args.domain_name
        self.target_port = args.target_port
        account_id = self.account_id()

        # Access logs: in this region, as ELB requires --------------------------------------
        if args.access_log_bucket is None:
            bucket, guards = self.private_bucket("logs")
            self.expire_objects(
                "logs-lifecycle", bucket, rule_id="expire-access-logs", days=args.log_retention_days
            )
            elb_account = aws.elb.get_service_account_output(opts=pulumi.InvokeOutputOptions(parent=self))
            log_policy: list[pulumi.Resource] = [
                aws.s3.BucketPolicy(
                    self.child_name("logs-policy"),
                    bucket=bucket.id,
                    policy=policy_json(
                        [
                            *deny_insecure_transport(bucket.arn),
                            *load_balancer_log_delivery(
                                bucket.arn, args.access_log_prefix, account_id, elb_account.arn
                            ),
                        ]
                    ),
                    opts=self.child(depends_on=guards),
                )
            ]
            self.access_log_bucket = bucket.bucket
        else:
            log_policy = []
            self.access_log_bucket = pulumi.Output.from_input(args.access_log_bucket)

        # Security group: CloudFront in, the application's pods out ------------------------------
        cloudfront = aws.ec2.get_managed_prefix_list_output(
            name=CLOUDFRONT_ORIGIN_FACING, opts=pulumi.InvokeOutputOptions(parent=self)
        )
        group = aws.ec2.SecurityGroup(
            self.child_name("sg"),
            vpc_id=args.vpc_id,
            description="API load balancer: HTTPS and HTTP from CloudFront's origin-facing addresses only",
            tags={"Name": self.child_name("sg")},
            opts=self.child(),
        )
        self.security_group_id = group.id
        for port in (443, 80):
            aws.vpc.SecurityGroupIngressRule(
                self.child_name(f"from-cloudfront-{port}"),
                security_group_id=group.id,
                prefix_list_id=cloudfront.id,
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"tcp {port} from CloudFront (VPC origin)",
                opts=self.child(),
            )

        # Load balancer ------------------------------------------------------------------------
        balancer = aws.lb.LoadBalancer(
            self.child_name("alb"),
            load_balancer_type="application",
            internal=True,
            subnets=list(args.subnet_ids),
            security_groups=[group.id],
            ip_address_type="ipv4",
            idle_timeout=args.idle_timeout_seconds,
            drop_invalid_header_fields=True,
            desync_mitigation_mode="defensive",
            enable_deletion_protection=args.deletion_protection,
            access_logs=aws.lb.LoadBalancerAccessLogsArgs(
                bucket=self.access_log_bucket, prefix=args.access_log_prefix, enabled=True
            ),
            opts=self.child(
                depends_on=log_policy, protect=args.protect or None, retain_on_delete=args.protect or None
            ),
        )
        self.load_balancer_arn = balancer.arn
        self.load_balancer_dns_name = balancer.dns_name

        # Certificate for the origin's name (CloudFront checks it) ---------------------------------
        certificate_arn = self.dns_validated_certificate(args.domain_name, args.zone_id)
        aws.route53.Record(
            self.child_name("alias"),
            zone_id=args.zone_id,
            name=args.domain_name,
            type="A",
            aliases=[
                aws.route53.RecordAliasArgs(
                    name=balancer.dns_name, zone_id=balancer.zone_id, evaluate_target_health=False
                )
            ],
            opts=self.child(),
        )

        # Target group and listeners ----------------------------------------------------------
        target_group = aws.lb.TargetGroup(
            self.child_name("api"),
            vpc_id=args.vpc_id,
            target_type="ip",
            protocol="HTTP",
            protocol_version="HTTP1",
            port=args.target_port,
            deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True,
                path=args.health_check_path,
                protocol="HTTP",
                matcher="200-399",
                interval=15,
                healthy_threshold=2,
                unhealthy_threshold=3,
            ),
            opts=self.child(),
        )
        self.target_group_arn = target_group.arn
        self.watch("load-balancer", "alb", {"LoadBalancer": balancer.arn_suffix})
        self.watch(
            "target-group",
            "api",
            {"TargetGroup": target_group.arn_suffix, "LoadBalancer": balancer.arn_suffix},
        )
        aws.lb.Listener(
            self.child_name("https"),
            load_balancer_arn=balancer.arn,
            port=443,
            protocol="HTTPS",
            ssl_policy=args.ssl_policy,
            certificate_arn=certificate_arn,
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=target_group.arn)
            ],
            opts=self.child(),
        )
        aws.lb.Listener(
            self.child_name("http"),
            load_balancer_arn=balancer.arn,
            port=80,
            protocol="HTTP",
            default_actions=[
                aws.lb.ListenerDefaultActionArgs(
                    type="redirect",
                    redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        protocol="HTTPS", port="443", status_code="HTTP_301"
                    ),
                )
            ],
            opts=self.child(),
        )

        # Web ACL ----------------------------------------------------------------------------
        if args.web_acl_arn is not None:
            aws.wafv2.WebAclAssociation(
                self.child_name("waf"),
                resource_arn=balancer.arn,
                web_acl_arn=args.web_acl_arn,
                opts=self.child(),
            )

        # CloudFront VPC origin --------------------------------------------------------------
        origin = aws.cloudfront.VpcOrigin(
            self.child_name("vpc-origin"),
            vpc_origin_endpoint_config=aws.cloudfront.VpcOriginVpcOriginEndpointConfigArgs(
                name=self.child_name("vpc-origin"),
                arn=balancer.arn,
                http_port=80,
                https_port=443,
                origin_protocol_policy="https-only",
                origin_ssl_protocols=aws.cloudfront.VpcOriginVpcOriginEndpointConfigOriginSslProtocolsArgs(
                    items=["TLSv1.2"], quantity=1
                ),
            ),
            opts=self.child(),
        )
        self.vpc_origin_id = origin.id
        self.vpc_origin_arn = origin.arn

        self.register_outputs(
            {
                "load_balancer_arn": self.load_balancer_arn,
                "target_group_arn": self.target_group_arn,
                "vpc_origin_id": self.vpc_origin_id,
                "security_group_id": self.security_group_id,
            }
        )

    # Intent methods ------------------------------------------------------------------------

    def allow_to(self, role: str, security_group_id: pulumi.Input[str]) -> None:
        """Let the load balancer reach the application's pods in `security_group_id` (the nodes'
        group, whose ENIs carry the pods' IPs) on the target port, and nothing else."""
        self.admit(
            f"to-{role}",
            security_group_id,
            self.security_group_id,
            self.target_port,
            f"API load balancer {self.name} to the application's pods",
        )
        aws.vpc.SecurityGroupEgressRule(
            self.child_name(f"egress-{role}"),
            security_group_id=self.security_group_id,
            referenced_security_group_id=security_group_id,
            ip_protocol="tcp",
            from_port=self.target_port,
            to_port=self.target_port,
            description=f"to the application's pods ({role})",
            opts=self.child(),
        )
