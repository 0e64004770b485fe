"""`Edge`: one CloudFront distribution in front of the web app, the media and the API.

What it builds (the provider passed in `opts` unless noted):
- three private S3 buckets — `web` (the single-page app), `media` (uploads, video, recordings) and
  `logs` (S3 and CloudFront access logs): public access blocked, object ownership enforced,
  SSE-S3 encryption, TLS-only bucket policies, lifecycle rules; `web` and `media` are versioned,
  log their access to `logs` and are readable only by this distribution (Origin Access Control);
- the distribution: `/*` → web (deep links rewritten to the app), `/media/*` → media,
  `/api/*` → the API origin (HTTPS only, no caching, viewer headers but Host forwarded); security
  headers, HTTPS only, HTTP/2 and HTTP/3, IPv6, compression;
- in us-east-1 (`args.us_east_1_provider`): the ACM certificate for the aliases, the CLOUDFRONT
  web ACL (`WebAcl`) and the delivery of the distribution's standard logs (v2) to `logs`;
- in the zone: certificate validation records, alias A/AAAA records, and — with
  `api_regional_origins` — latency records for the API origin, each with a health check.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import (
    KeyGrant,
    SocialComponent,
    assume_role_policy,
    deny_insecure_transport,
    policy_json,
)
from social_components.edge.args import MEDIA_PATH_PREFIX, EdgeArgs
from social_components.edge.validation import validate_edge_args
from social_components.waf import WebAcl, WebAclArgs

cf = aws.cloudfront
s3 = aws.s3

# AWS managed CloudFront policies (IDs are fixed and documented by AWS).
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
ALL_VIEWER_EXCEPT_HOST_HEADER = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CORS_S3_ORIGIN = "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf"

CLOUDFRONT_LOG_REGION = "us-east-1"
CLOUDFRONT_METRICS_REGION = "us-east-1"
"""CloudFront publishes every distribution's metrics to CloudWatch in us-east-1."""
S3_ACCESS_LOG_PREFIX = "s3-access/"
HSTS_MAX_AGE_SECONDS = 63_072_000  # two years
ABORT_INCOMPLETE_UPLOADS_DAYS = 7
API_READ_TIMEOUT_SECONDS = 30
API_KEEPALIVE_SECONDS = 5

SPA_ROUTING_CODE = """\
// Deep links of the single-page app: a path whose last segment has no file extension is an app
// route, so CloudFront serves /index.html and the app's router takes over. Files pass unchanged.
function handler(event) {
  var request = event.request;
  var last = request.uri.substring(request.uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
"""


# ---------------------------------------------------------------------------------------------
# Policy statements (plain data; tests read them)


def cloudfront_read(bucket_arn: pulumi.Input[str], distribution_arn: pulumi.Input[str]) -> Mapping[str, Any]:
    """The only read grant of an origin bucket: this distribution, through Origin Access Control."""
    return {
        "Sid": "AllowThisDistributionToRead",
        "Effect": "Allow",
        "Principal": {"Service": "cloudfront.amazonaws.com"},
        "Action": "s3:GetObject",
        "Resource": pulumi.Output.concat(bucket_arn, "/*"),
        "Condition": {"StringEquals": {"AWS:SourceArn": distribution_arn}},
    }


def log_delivery(
    bucket_arn: pulumi.Input[str], account_id: pulumi.Input[str], source_buckets: list[pulumi.Input[str]]
) -> list[Mapping[str, Any]]:
    """Writes into the log bucket: S3 server access logs from `source_buckets`, and CloudFront's
    standard logs (v2), delivered by CloudWatch Logs from us-east-1. Nobody is granted reads."""
    delivery_source = {
        "ArnLike": {
            "aws:SourceArn": pulumi.Output.concat(
                "arn:aws:logs:", CLOUDFRONT_LOG_REGION, ":", account_id, ":delivery-source:*"
            )
        }
    }
    return [
        {
            "Sid": "S3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": "logging.s3.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(bucket_arn, "/", S3_ACCESS_LOG_PREFIX, "*"),
            "Condition": {
                "StringEquals": {"aws:SourceAccount": account_id},
                "ArnLike": {"aws:SourceArn": source_buckets},
            },
        },
        {
            "Sid": "CloudFrontStandardLogs",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(bucket_arn, "/AWSLogs/", account_id, "/*"),
            "Condition": {
                "StringEquals": {
                    "aws:SourceAccount": account_id,
                    "s3:x-amz-acl": "bucket-owner-full-control",
                },
                **delivery_source,
            },
        },
        {
            "Sid": "CloudFrontStandardLogsAclCheck",
            "Effect": "Allow",
            "Principal": {"Service": "delivery.logs.amazonaws.com"},
            "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
            "Resource": bucket_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}, **delivery_source},
        },
    ]


def web_publish_statements(
    bucket_arn: pulumi.Input[str], distribution_arn: pulumi.Input[str]
) -> list[Mapping[str, Any]]:
    """What a web app's deploy job needs: sync the build to the web bucket, then invalidate."""
    return [
        {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn},
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": pulumi.Output.concat(bucket_arn, "/*"),
        },
        {
            "Effect": "Allow",
            "Action": ["cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"],
            "Resource": distribution_arn,
        },
    ]


def media_write_statements(bucket_arn: pulumi.Input[str]) -> list[Mapping[str, Any]]:
    """What the application's backend needs: read and write media under `media/` (including
    presigned uploads made with its credentials)."""
    return [
        {
            "Effect": "Allow",
            "Action": "s3:ListBucket",
            "Resource": bucket_arn,
            "Condition": {"StringLike": {"s3:prefix": f"{MEDIA_PATH_PREFIX}*"}},
        },
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
            "Resource": pulumi.Output.concat(bucket_arn, "/", MEDIA_PATH_PREFIX, "*"),
        },
    ]


MEDIA_FAILOVER_GROUP = "media-failover"
MEDIA_FAILOVER_STATUS_CODES = (500, 502, 503, 504)
"""The media bucket's answers on which CloudFront retries the replica (server errors only: a 403 or
404 is the object's own answer)."""


def replication_statements(
    source_arn: pulumi.Input[str], replica_arn: pulumi.Input[str], replica_key_arn: pulumi.Input[str]
) -> list[Mapping[str, Any]]:
    """What S3 needs to replicate a bucket (AWS's S3 user guide, 'Setting up permissions for live
    replication'): read the source's versions, write replicas, encrypt them with the replica's key."""
    return [
        {
            "Effect": "Allow",
            "Action": ["s3:GetReplicationConfiguration", "s3:ListBucket"],
            "Resource": source_arn,
        },
        {
            "Effect": "Allow",
            "Action": [
                "s3:GetObjectVersionForReplication",
                "s3:GetObjectVersionAcl",
                "s3:GetObjectVersionTagging",
            ],
            "Resource": pulumi.Output.concat(source_arn, "/*"),
        },
        {
            "Effect": "Allow",
            "Action": ["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            "Resource": pulumi.Output.concat(replica_arn, "/*"),
        },
        {"Effect": "Allow", "Action": ["kms:Encrypt", "kms:GenerateDataKey"], "Resource": replica_key_arn},
    ]


def _slug(host: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", host).strip("-")


# ---------------------------------------------------------------------------------------------


class Edge(SocialComponent):
    """CloudFront, WAF, TLS certificate, S3 origins and DNS records for one environment."""

    MODULE = "edge"

    distribution_id: pulumi.Output[str]
    distribution_arn: pulumi.Output[str]
    distribution_domain_name: pulumi.Output[str]
    """The `*.cloudfront.net` name (the aliases point here)."""
    web_bucket_name: pulumi.Output[str]
    media_bucket_name: pulumi.Output[str]
    media_bucket_arn: pulumi.Output[str]
    """The media bucket (user uploads): an audit trail records its object reads and writes."""
    media_replica_bucket_name: pulumi.Output[str] | None
    """The media bucket's replica in another region (None without `media_replica_provider`)."""
    log_bucket_name: pulumi.Output[str]
    web_acl: WebAcl
    """The CLOUDFRONT-scope web ACL (in us-east-1)."""
    certificate_arn: pulumi.Output[str]
    """The validated us-east-1 certificate for the aliases (also usable by Cognito's custom domain)."""
    domain_names: list[str]
    api_origin_domain: str

    def __init__(self, name: str, args: EdgeArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_edge_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        self.domain_names = args.domain_names
        self.api_origin_domain = args.api_origin_domain
        us_east_1 = args.us_east_1_provider
        account_id = self.account_id()

        # Buckets ---------------------------------------------------------------------------
        logs = self._bucket("logs", f"{args.bucket_name_prefix}-logs")
        web = self._bucket("web", f"{args.bucket_name_prefix}-web")
        media = self._bucket("media", f"{args.bucket_name_prefix}-media", args.backup_tags)
        self.web_bucket_name = web.bucket
        self.media_bucket_name = media.bucket
        self.log_bucket_name = logs.bucket
        self._web_bucket_arn, self._media_bucket_arn = web.arn, media.arn
        self.media_bucket_arn = media.arn
        # The log bucket's policy exists before anything delivers to it; otherwise AWS appends its
        # own statements to the policy, which the next `pulumi up` would then take away again.
        logs_policy = s3.BucketPolicy(
            self.child_name("logs-policy"),
            bucket=logs.id,
            policy=policy_json(
                [
                    *deny_insecure_transport(logs.arn),
                    *log_delivery(
                        logs.arn,
                        account_id,
                        [web.arn, media.arn, *(b.arn for b in args.logged_buckets.values())],
                    ),
                ]
            ),
            opts=self.child(),
        )

        versionings: dict[str, s3.BucketVersioning] = {}
        for role, bucket in (("web", web), ("media", media)):
            versioning = versionings[role] = s3.BucketVersioning(
                self.child_name(f"{role}-versioning"),
                bucket=bucket.id,
                versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
                opts=self.child(),
            )
            rules = [self._noncurrent_expiry(args.noncurrent_version_retention_days)]
            if role == "media":
                rules.append(
                    s3.BucketLifecycleConfigurationRuleArgs(
                        id="intelligent-tiering",
                        status="Enabled",
                        filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                        transitions=[
                            s3.BucketLifecycleConfigurationRuleTransitionArgs(
                                days=0, storage_class="INTELLIGENT_TIERING"
                            )
                        ],
                    )
                )
            s3.BucketLifecycleConfiguration(
                self.child_name(f"{role}-lifecycle"),
                bucket=bucket.id,
                rules=rules,
                opts=self.child(depends_on=[versioning]),
            )
        # Server access logs of the web and media buckets, and of the other buckets given.
        logged: dict[str, pulumi.Input[str]] = {"web": web.id, "media": media.id}
        logged.update({role: other.name for role, other in args.logged_buckets.items()})
        for role, bucket_name in logged.items():
            s3.BucketLogging(
                self.child_name(f"{role}-access-logging"),
                bucket=bucket_name,
                target_bucket=logs.id,
                target_prefix=f"{S3_ACCESS_LOG_PREFIX}{role}/",
                opts=self.child(depends_on=[logs_policy]),
            )
        self.expire_objects(
            "logs-lifecycle",
            logs,
            rule_id="expire-logs",
            days=args.log_retention_days,
            abort_incomplete_after_days=ABORT_INCOMPLETE_UPLOADS_DAYS,
        )

        # Certificate and web ACL (us-east-1) --------------------------------------------------
        certified = [
            *self.domain_names,
            *(d for d in args.certificate_extra_domains if d not in self.domain_names),
        ]
        certificate = aws.acm.Certificate(
            self.child_name("certificate"),
            domain_name=certified[0],
            subject_alternative_names=certified[1:],
            validation_method="DNS",
            key_algorithm="RSA_2048",
            opts=self.child(provider=us_east_1),
        )
        validation_records = [
            aws.route53.Record(
                self.child_name(f"certificate-validation-{_slug(host)}"),
                zone_id=args.zone_id,
                name=self._validation_option(certificate, host, "resource_record_name"),
                type=self._validation_option(certificate, host, "resource_record_type"),
                records=[self._validation_option(certificate, host, "resource_record_value")],
                ttl=300,
                allow_overwrite=True,
                opts=self.child(),
            )
            for host in certified
        ]
        validation = aws.acm.CertificateValidation(
            self.child_name("certificate-validation"),
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn for record in validation_records],
            opts=self.child(provider=us_east_1),
        )
        self.certificate_arn = validation.certificate_arn

        self.web_acl = WebAcl(
            self.child_name("waf"),
            WebAclArgs(
                scope="CLOUDFRONT",
                rate_limit=args.waf_rate_limit,
                log_retention_days=args.log_retention_days,
                enable_anonymous_ip_rules=args.enable_anonymous_ip_rules,
                enable_bot_control=args.enable_bot_control,
                protect=args.protect,
            ),
            opts=self.child(provider=us_east_1),
        )

        # Distribution ---------------------------------------------------------------------
        oac = cf.OriginAccessControl(
            self.child_name("oac"),
            description=f"{name}: CloudFront reads the S3 origins with SigV4",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
            opts=self.child(),
        )
        spa_routing = cf.Function(
            self.child_name("spa-routing"),
            runtime="cloudfront-js-2.0",
            comment="Serve /index.html for the single-page app's routes",
            code=SPA_ROUTING_CODE,
            publish=True,
            opts=self.child(),
        )
        headers = cf.ResponseHeadersPolicy(
            self.child_name("security-headers"),
            comment="HSTS, nosniff, DENY framing, strict referrer, CSP",
            security_headers_config=cf.ResponseHeadersPolicySecurityHeadersConfigArgs(
                strict_transport_security=cf.ResponseHeadersPolicySecurityHeadersConfigStrictTransportSecurityArgs(
                    access_control_max_age_sec=HSTS_MAX_AGE_SECONDS,
                    include_subdomains=True,
                    preload=args.enable_hsts_preload,
                    override=True,
                ),
                content_type_options=cf.ResponseHeadersPolicySecurityHeadersConfigContentTypeOptionsArgs(
                    override=True
                ),
                frame_options=cf.ResponseHeadersPolicySecurityHeadersConfigFrameOptionsArgs(
                    frame_option="DENY", override=True
                ),
                referrer_policy=cf.ResponseHeadersPolicySecurityHeadersConfigReferrerPolicyArgs(
                    referrer_policy="strict-origin-when-cross-origin", override=True
                ),
                content_security_policy=cf.ResponseHeadersPolicySecurityHeadersConfigContentSecurityPolicyArgs(
                    content_security_policy=args.content_security_policy, override=True
                ),
            ),
            opts=self.child(),
        )

        replica = (
            None
            if args.media_replica_provider is None
            else self._media_replica(args, media, versionings["media"], args.media_replica_provider)
        )
        self.media_replica_bucket_name = None if replica is None else replica.bucket
        media_origins = (
            [("media", media)] if replica is None else [("media", media), ("media-replica", replica)]
        )

        geo = args.geo_restriction
        restriction_type = "none" if geo is None else {"allow": "whitelist", "deny": "blacklist"}[geo.mode]
        distribution = cf.Distribution(
            self.child_name("distribution"),
            comment=f"{name}: web app, media and API",
            enabled=True,
            aliases=self.domain_names,
            default_root_object="index.html",
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=args.price_class,
            web_acl_id=self.web_acl.arn,
            origins=[
                cf.DistributionOriginArgs(
                    origin_id="web",
                    domain_name=web.bucket_regional_domain_name,
                    origin_access_control_id=oac.id,
                ),
                *(
                    cf.DistributionOriginArgs(
                        origin_id=origin_id,
                        domain_name=bucket.bucket_regional_domain_name,
                        origin_access_control_id=oac.id,
                    )
                    for origin_id, bucket in media_origins
                ),
                self._api_origin(args),
            ],
            # With a replica, /media/* goes to a group: the media bucket, then the replica when
            # the media bucket answers with a server error (GET and HEAD only, as groups require).
            origin_groups=[
                cf.DistributionOriginGroupArgs(
                    origin_id=MEDIA_FAILOVER_GROUP,
                    failover_criteria=cf.DistributionOriginGroupFailoverCriteriaArgs(
                        status_codes=list(MEDIA_FAILOVER_STATUS_CODES)
                    ),
                    members=[cf.DistributionOriginGroupMemberArgs(origin_id=o) for o, _ in media_origins],
                )
            ]
            if replica is not None
            else None,
            default_cache_behavior=cf.DistributionDefaultCacheBehaviorArgs(
                target_origin_id="web",
                viewer_protocol_policy="redirect-to-https",
                allowed_methods=["GET", "HEAD", "OPTIONS"],
                cached_methods=["GET", "HEAD"],
                cache_policy_id=CACHING_OPTIMIZED,
                response_headers_policy_id=headers.id,
                compress=True,
                function_associations=[
                    cf.DistributionDefaultCacheBehaviorFunctionAssociationArgs(
                        event_type="viewer-request", function_arn=spa_routing.arn
                    )
                ],
            ),
            ordered_cache_behaviors=[
                cf.DistributionOrderedCacheBehaviorArgs(
                    path_pattern="/api/*",
                    target_origin_id="api",
                    # A redirect would replay a POST's body in clear first; refuse plain HTTP instead.
                    viewer_protocol_policy="https-only",
                    allowed_methods=["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_DISABLED,
                    origin_request_policy_id=ALL_VIEWER_EXCEPT_HOST_HEADER,
                    response_headers_policy_id=headers.id,
                    compress=True,
                ),
                cf.DistributionOrderedCacheBehaviorArgs(
                    path_pattern=f"/{MEDIA_PATH_PREFIX}*",
                    target_origin_id="media" if replica is None else MEDIA_FAILOVER_GROUP,
                    viewer_protocol_policy="redirect-to-https",
                    allowed_methods=["GET", "HEAD", "OPTIONS"],
                    cached_methods=["GET", "HEAD"],
                    cache_policy_id=CACHING_OPTIMIZED,
                    origin_request_policy_id=CORS_S3_ORIGIN,
                    response_headers_policy_id=headers.id,
                    compress=True,
                ),
            ],
            restrictions=cf.DistributionRestrictionsArgs(
                geo_restriction=cf.DistributionRestrictionsGeoRestrictionArgs(
                    restriction_type=restriction_type,
                    locations=[] if geo is None else sorted(geo.countries),
                )
            ),
            viewer_certificate=cf.DistributionViewerCertificateArgs(
                acm_certificate_arn=self.certificate_arn,
                ssl_support_method="sni-only",
                minimum_protocol_version=args.minimum_tls_version,
            ),
            opts=self.child(),
        )
        # CloudFront publishes its metrics in us-east-1, whichever provider declared it.
        self.watch(
            "cloudfront-distribution",
            "distribution",
            {"DistributionId": distribution.id, "Region": "Global"},
            metric_region=CLOUDFRONT_METRICS_REGION,
        )
        self.distribution_id = distribution.id
        self.distribution_arn = distribution.arn
        self.distribution_domain_name = distribution.domain_name

        # Bucket policies: the origins are readable by this distribution only ------------------
        readable: list[tuple[str, s3.Bucket, dict[str, Any]]] = [("web", web, {}), ("media", media, {})]
        if replica is not None and args.media_replica_provider is not None:
            readable.append(("media-replica", replica, {"provider": args.media_replica_provider}))
        for role, bucket, placed in readable:
            s3.BucketPolicy(
                self.child_name(f"{role}-policy"),
                bucket=bucket.id,
                policy=policy_json(
                    [*deny_insecure_transport(bucket.arn), cloudfront_read(bucket.arn, distribution.arn)]
                ),
                opts=self.child(**placed),
            )

        # Standard logging (v2): CloudWatch Logs delivers the access logs to the log bucket ------
        log_source = aws.cloudwatch.LogDeliverySource(
            self.child_name("access-log-source"),
            log_type="ACCESS_LOGS",
            resource_arn=distribution.arn,
            opts=self.child(provider=us_east_1),
        )
        log_destination = aws.cloudwatch.LogDeliveryDestination(
            self.child_name("access-log-destination"),
            output_format="w3c",
            delivery_destination_configuration=aws.cloudwatch.LogDeliveryDestinationDeliveryDestinationConfigurationArgs(
                destination_resource_arn=logs.arn
            ),
            opts=self.child(provider=us_east_1),
        )
        aws.cloudwatch.LogDelivery(
            self.child_name("access-logs"),
            delivery_source_name=log_source.name,
            delivery_destination_arn=log_destination.arn,
            opts=self.child(provider=us_east_1, depends_on=[logs_policy]),
        )

        # DNS: the aliases, and the API origin's latency records ------------------------------
        for host in self.domain_names:
            for record_type in ("A", "AAAA"):
                aws.route53.Record(
                    self.child_name(f"alias-{_slug(host)}-{record_type.lower()}"),
                    zone_id=args.zone_id,
                    name=host,
                    type=record_type,
                    aliases=[
                        aws.route53.RecordAliasArgs(
                            name=distribution.domain_name,
                            zone_id=distribution.hosted_zone_id,
                            evaluate_target_health=False,
                        )
                    ],
                    opts=self.child(),
                )
        self._latency_records(args)

        self.register_outputs(
            {
                "distribution_id": self.distribution_id,
                "distribution_domain_name": self.distribution_domain_name,
                "web_bucket_name": self.web_bucket_name,
                "media_bucket_name": self.media_bucket_name,
                "media_replica_bucket_name": self.media_replica_bucket_name,
                "log_bucket_name": self.log_bucket_name,
                "web_acl_arn": self.web_acl.arn,
                "certificate_arn": self.certificate_arn,
            }
        )

    # Intent methods ------------------------------------------------------------------------

    def grant_web_publish(self, role: str, role_name: pulumi.Input[str]) -> aws.iam.RolePolicy:
        """Let an IAM role (a web app's deploy job) sync the web bucket and invalidate the cache."""
        return aws.iam.RolePolicy(
            self.child_name(f"web-publish-{role}"),
            role=role_name,
            policy=policy_json(web_publish_statements(self._web_bucket_arn, self.distribution_arn)),
            opts=self.child(),
        )

    def grant_media_write(self, role: str, role_name: pulumi.Input[str]) -> aws.iam.RolePolicy:
        """Let an IAM role (the application's backend) read and write media under `media/`."""
        return aws.iam.RolePolicy(
            self.child_name(f"media-write-{role}"),
            role=role_name,
            policy=policy_json(media_write_statements(self._media_bucket_arn)),
            opts=self.child(),
        )

    # Media replica ---------------------------------------------------------------------------

    def _media_replica(
        self,
        args: EdgeArgs,
        media: s3.Bucket,
        media_versioning: s3.BucketVersioning,
        provider: pulumi.ProviderResource,
    ) -> s3.Bucket:
        """A versioned bucket in the provider's region with its own KMS key (CloudFront of this
        account may decrypt with it), and the replication of every media object and delete marker
        into it with Replication Time Control."""
        key = self.kms_key(
            "media-replica",
            f"{self.name}: the media replica bucket",
            grants=[
                KeyGrant(
                    sid="CloudFrontReadsTheReplica",
                    service="cloudfront.amazonaws.com",
                    condition={
                        "ArnLike": {
                            "AWS:SourceArn": pulumi.Output.concat(
                                "arn:aws:cloudfront::", self.account_id(), ":distribution/*"
                            )
                        }
                    },
                    actions=("kms:Decrypt",),
                )
            ],
            provider=provider,
        )
        replica, guards = self.private_bucket(
            "media-replica",
            bucket_name=f"{args.bucket_name_prefix}-media-replica",
            kms_key=key,
            provider=provider,
        )
        placed = self.child(provider=provider)
        versioning = s3.BucketVersioning(
            self.child_name("media-replica-versioning"),
            bucket=replica.id,
            versioning_configuration=s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=placed,
        )
        s3.BucketLifecycleConfiguration(
            self.child_name("media-replica-lifecycle"),
            bucket=replica.id,
            rules=[self._noncurrent_expiry(args.noncurrent_version_retention_days)],
            opts=self.child(provider=provider, depends_on=[versioning]),
        )
        role = aws.iam.Role(
            self.child_name("media-replication"),
            description=f"{self.name}: S3 replicates the media bucket to its replica",
            assume_role_policy=assume_role_policy({"Service": "s3.amazonaws.com"}),
            opts=self.child(),
        )
        aws.iam.RolePolicy(
            self.child_name("media-replication"),
            role=role.name,
            policy=policy_json(replication_statements(media.arn, replica.arn, key.arn)),
            opts=self.child(),
        )
        s3.BucketReplicationConfig(
            self.child_name("media-replication"),
            bucket=media.id,
            role=role.arn,
            rules=[
                s3.BucketReplicationConfigRuleArgs(
                    id="media-replica",
                    status="Enabled",
                    filter=s3.BucketReplicationConfigRuleFilterArgs(prefix=""),
                    delete_marker_replication=s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs(
                        status="Enabled"
                    ),
                    source_selection_criteria=s3.BucketReplicationConfigRuleSourceSelectionCriteriaArgs(
                        sse_kms_encrypted_objects=s3.BucketReplicationConfigRuleSourceSelectionCriteriaSseKmsEncryptedObjectsArgs(
                            status="Enabled"
                        )
                    ),
                    destination=s3.BucketReplicationConfigRuleDestinationArgs(
                        bucket=replica.arn,
                        storage_class="STANDARD",
                        encryption_configuration=s3.BucketReplicationConfigRuleDestinationEncryptionConfigurationArgs(
                            replica_kms_key_id=key.arn
                        ),
                        replication_time=s3.BucketReplicationConfigRuleDestinationReplicationTimeArgs(
                            status="Enabled",
                            time=s3.BucketReplicationConfigRuleDestinationReplicationTimeTimeArgs(minutes=15),
                        ),
                        metrics=s3.BucketReplicationConfigRuleDestinationMetricsArgs(
                            status="Enabled",
                            event_threshold=s3.BucketReplicationConfigRuleDestinationMetricsEventThresholdArgs(
                                minutes=15
                            ),
                        ),
                    ),
                )
            ],
            # Replication needs versioning on both sides first.
            opts=self.child(depends_on=[media_versioning, versioning, *guards]),
        )
        return replica

    # Helpers -------------------------------------------------------------------------------

    @staticmethod
    def _api_origin(args: EdgeArgs) -> cf.DistributionOriginArgs:
        """`/api/*`'s origin: the VPC origin (an internal load balancer) when given, else a public
        host; HTTPS with TLS 1.2+ either way (the VPC origin sets its protocol itself)."""
        if args.api_vpc_origin_id is not None:
            return cf.DistributionOriginArgs(
                origin_id="api",
                domain_name=args.api_origin_domain,
                vpc_origin_config=cf.DistributionOriginVpcOriginConfigArgs(
                    vpc_origin_id=args.api_vpc_origin_id,
                    origin_read_timeout=API_READ_TIMEOUT_SECONDS,
                    origin_keepalive_timeout=API_KEEPALIVE_SECONDS,
                ),
            )
        return cf.DistributionOriginArgs(
            origin_id="api",
            domain_name=args.api_origin_domain,
            custom_origin_config=cf.DistributionOriginCustomOriginConfigArgs(
                origin_protocol_policy="https-only",
                origin_ssl_protocols=["TLSv1.2"],
                http_port=80,
                https_port=443,
                origin_read_timeout=API_READ_TIMEOUT_SECONDS,
                origin_keepalive_timeout=API_KEEPALIVE_SECONDS,
            ),
        )

    def _bucket(self, role: str, bucket_name: str, tags: Mapping[str, str] | None = None) -> s3.Bucket:
        """A private bucket with SSE-S3 (why not SSE-KMS behind CloudFront: docs/adr/0003)."""
        bucket, _ = self.private_bucket(role, bucket_name=bucket_name, tags=tags)
        return bucket

    @staticmethod
    def _noncurrent_expiry(days: int) -> s3.BucketLifecycleConfigurationRuleArgs:
        return s3.BucketLifecycleConfigurationRuleArgs(
            id="expire-noncurrent-versions",
            status="Enabled",
            filter=s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            noncurrent_version_expiration=s3.BucketLifecycleConfigurationRuleNoncurrentVersionExpirationArgs(
                noncurrent_days=days
            ),
            expiration=s3.BucketLifecycleConfigurationRuleExpirationArgs(expired_object_delete_marker=True),
            abort_incomplete_multipart_upload=s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=ABORT_INCOMPLETE_UPLOADS_DAYS
            ),
        )

    @staticmethod
    def _validation_option(certificate: aws.acm.Certificate, host: str, field: str) -> pulumi.Output[str]:
        """One field of the certificate's DNS validation record for `host` (known after creation)."""
        return certificate.domain_validation_options.apply(
            lambda options: next(getattr(o, field) for o in options if o.domain_name == host)
        )

    def _latency_records(self, args: EdgeArgs) -> None:
        """`api_origin_domain` → each region's API host, by latency, each answer health-checked."""
        for region, host in sorted(args.api_regional_origins.items()):
            health_check = aws.route53.HealthCheck(
                self.child_name(f"api-health-{region}"),
                type="HTTPS",
                fqdn=host,
                port=443,
                resource_path=args.api_health_check_path,
                enable_sni=True,
                request_interval=30,
                failure_threshold=3,
                tags={"Name": f"{args.api_origin_domain} via {region}"},
                opts=self.child(),
            )
            aws.route53.Record(
                self.child_name(f"api-origin-{region}"),
                zone_id=args.zone_id,
                name=args.api_origin_domain,
                type="CNAME",
                ttl=60,
                records=[host],
                set_identifier=region,
                latency_routing_policies=[aws.route53.RecordLatencyRoutingPolicyArgs(region=region)],
                health_check_id=health_check.id,
                opts=self.child(),
            )
