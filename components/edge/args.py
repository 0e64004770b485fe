"""Arguments of `Edge`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

PriceClass = Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
TlsPolicy = Literal["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"]

MEDIA_PATH_PREFIX = "media/"
"""`/media/*` is served from the media bucket with the path unchanged, so media objects are
stored under this key prefix (`media/avatars/42.webp` is `https://<alias>/media/avatars/42.webp`)."""

DEFAULT_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; "
    "style-src 'self'; script-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests"
)
"""Same-origin only: the web app, its media and its API are all served from the aliases."""


@dataclass(frozen=True)
class GeoRestriction:
    mode: Literal["allow", "deny"]
    """`allow`: only viewers in `countries` are served; `deny`: viewers in `countries` get 403."""
    countries: Sequence[str]
    """ISO 3166-1 alpha-2 codes, for example `("DE", "FR")`."""


@dataclass(frozen=True)
class LoggedBucket:
    """Another bucket in the edge's account and region whose S3 server access logs go to the edge's
    log bucket (S3 delivers access logs only within one account and region)."""

    name: pulumi.Input[str]
    """The bucket's name (its ID: `aws.s3.Bucket.id`)."""
    arn: pulumi.Input[str]
    """The bucket's ARN: the log bucket's policy admits server access logs from it."""


@dataclass(frozen=True)
class EdgeArgs:
    bucket_name_prefix: str
    """Globally unique prefix of the three bucket names: `<prefix>-web`, `<prefix>-media`,
    `<prefix>-logs`. Include something account-specific (the platform uses
    `<org>-<env>-<account id>`)."""
    zone_id: pulumi.Input[str]
    """Route53 zone that holds `zone_name`: certificate validation, alias and API records go here."""
    zone_name: str
    """The zone's domain, for example `dev.social.example.com`."""
    api_origin_domain: str
    """Host CloudFront sends `/api/*` to, over HTTPS only. Its certificate must cover this name."""
    us_east_1_provider: pulumi.ProviderResource
    """Provider for the same account in us-east-1, where CloudFront reads its certificate and web
    ACL from (and where its log delivery is configured). Everything else uses this component's
    provider."""
    waf_rate_limit: int
    """Requests per client IP per 5 minutes before the web ACL blocks the IP."""
    log_retention_days: int
    """Retention of WAF logs (a value CloudWatch Logs accepts) and of the access logs in the log
    bucket."""
    aliases: Sequence[str] = ()
    """Custom domain names served by the distribution, all inside `zone_name`. Unset: the zone's
    apex alone. The first is the certificate's subject, the rest its alternative names."""
    api_vpc_origin_id: pulumi.Input[str] | None = None
    """CloudFront VPC origin that serves `api_origin_domain`: an internal load balancer only this
    distribution reaches (`Ingress.vpc_origin_id`). Unset: `api_origin_domain` is a public origin."""
    api_regional_origins: Mapping[str, str] = field(default_factory=dict)
    """Region name → regional API host. When given, `api_origin_domain` (which must then be in
    `zone_name`) is published as one Route53 latency record per region, each with an HTTPS health
    check, so traffic drains from a failed region. Unset: no records; `api_origin_domain` resolves
    by whatever publishes it."""
    api_health_check_path: str = "/healthz"
    """Path the health checks request from each regional API host (HTTPS, port 443)."""
    price_class: PriceClass = "PriceClass_100"
    """CloudFront price class (edge locations used). Unset: North America and Europe only."""
    minimum_tls_version: TlsPolicy = "TLSv1.2_2021"
    """Oldest TLS security policy CloudFront accepts from viewers."""
    content_security_policy: str = DEFAULT_CONTENT_SECURITY_POLICY
    """Content-Security-Policy header sent with every response. Unset: same-origin only."""
    geo_restriction: GeoRestriction | None = None
    """Countries to serve or refuse. Unset: every country is served."""
    enable_hsts_preload: bool = False
    """Add `preload` to the Strict-Transport-Security header (two years, subdomains included), as
    hstspreload.org asks before it lists the domain in browsers. Unset: no preload; submitting
    the domain is a separate, hard-to-undo step (every subdomain then needs HTTPS)."""
    enable_anonymous_ip_rules: bool = False
    """Add AWS's anonymous-IP rule group to the web ACL. Unset: not used."""
    enable_bot_control: bool = False
    """Add AWS's Bot Control rule group (COMMON level, billed per request). Unset: not used."""
    noncurrent_version_retention_days: int = 30
    """Days an overwritten or deleted object version of the web app or media is kept (the window
    to restore it) before it expires."""
    certificate_extra_domains: Sequence[str] = ()
    """Names the us-east-1 certificate also covers without being aliases of the distribution, for
    example the Cognito custom sign-in domain. Unset: the certificate covers the aliases only."""
    backup_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags that put the media bucket under a backup plan (`social_components.backup`: for example
    ``{"BackupPlan": "prod"}``). Unset: no backup plan selects it by tag."""
    logged_buckets: Mapping[str, LoggedBucket] = field(default_factory=dict)
    """Other buckets of the same account and region, by role (for example ``recordings``), whose
    server access logs go to the log bucket too, under `s3-access/<role>/`. Unset: only the web and
    media buckets log there."""
    media_replica_provider: pulumi.ProviderResource | None = None
    """A provider for the same account in another region: the media bucket is replicated there
    (S3 Replication Time Control, 15-minute SLA) into a versioned bucket with its own KMS key, and
    `/media/*` is served by a CloudFront origin group that fails over to the replica when the media
    bucket answers 5xx. Unset: no replica; media lives in one region."""
    protect: bool = False
    """Protect the buckets and the WAF log group from deletion (the platform sets it in prod).
    Unset: they go with the stack (and a non-empty bucket makes the delete fail)."""

    @property
    def domain_names(self) -> list[str]:
        """The distribution's aliases, defaulting to the zone apex."""
        return list(self.aliases) or [self.zone_name]
