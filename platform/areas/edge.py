"""Edge area: the `edge` section (CloudFront, WAF, the API origin), its tier defaults, prod locks and
checks, and the build step: DNS zones, the `Edge` component and the regional web ACLs.

- The shared stack owns the organization's root zone (`organization.domain`) and exports its ID
  as `root_zone_id`.
- Every environment stack owns `<env>.<domain>` in its own account. With `shared_stack` set, the
  NS delegation is written into the root zone through the shared account's provider; unset, the
  zone stands alone (delegate it by hand). The zone exists even with `edge.enabled: false`:
  other components publish records in it.
- With the edge enabled: the `Edge` component (CloudFront, S3, certificate and CLOUDFRONT web ACL
  in us-east-1) and one REGIONAL web ACL per region of the stack, for load balancers and Cognito.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

import pulumi
from pydantic import Field

from social_components.dns import PublicZone, PublicZoneArgs
from social_components.edge import Edge, EdgeArgs, LoggedBucket
from social_components.edge import GeoRestriction as GeoRestrictionArgs
from social_components.waf import WebAcl, WebAclArgs
from social_platform.areas.backup import tags_for
from social_platform.areas.base import (
    Hostname,
    ProdLock,
    RetentionDays,
    Section,
    StrictModel,
    Tier,
    args_field,
    needs,
)
from social_platform.areas.identity import IdentityConfig
from social_platform.areas.security import SecurityConfig
from social_platform.areas.stack import StackConfig, environment_zone_name
from social_platform.areas.streaming import StreamingConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code")]


class GeoRestriction(StrictModel):
    mode: Literal["allow", "deny"]
    """`allow`: only viewers in `countries` are served; `deny`: viewers in `countries` are refused."""
    countries: Annotated[list[CountryCode], Field(min_length=1, max_length=250)]
    """ISO 3166-1 alpha-2 codes, for example `[DE, FR]`."""


class EdgeConfig(Section):
    KEY = "edge"
    TIER_DEFAULTS = {
        Tier.dev: {
            "price_class": "PriceClass_100",
            "waf_rate_limit": 2000,
            "regional_waf_rate_limit": 1000,
            "log_retention_days": 30,
            "noncurrent_version_retention_days": 7,
            "media_replica": False,
        },
        Tier.staging: {
            "price_class": "PriceClass_100",
            "waf_rate_limit": 2000,
            "regional_waf_rate_limit": 1000,
            "log_retention_days": 90,
            "noncurrent_version_retention_days": 30,
            "media_replica": False,
        },
        Tier.prod: {
            "price_class": "PriceClass_All",
            "waf_rate_limit": 1000,
            "regional_waf_rate_limit": 500,
            "log_retention_days": 365,
            "noncurrent_version_retention_days": 90,
            "media_replica": True,
        },
    }
    PROD_LOCKS = {
        "log_retention_days": ProdLock(lambda v: v >= 365, "365 days or more"),
        "noncurrent_version_retention_days": ProdLock(lambda v: v >= 30, "30 days or more"),
        "media_replica": ProdLock(lambda v: v is True, "true"),
    }

    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
    """CloudFront price class (tier default: PriceClass_100 outside prod, PriceClass_All in prod)."""
    waf_rate_limit: Annotated[int, Field(ge=100, le=2_000_000_000)]
    """Requests per client IP per 5 minutes before the CloudFront web ACL blocks (tier default)."""
    regional_waf_rate_limit: Annotated[int, Field(ge=100, le=2_000_000_000)]
    """Requests per client IP per 5 minutes before the REGIONAL web ACL (load balancer, Cognito)
    blocks (tier default: dev/staging 1000, prod 500)."""
    enable_anonymous_ip_rules: bool = False
    """Add AWS's anonymous-IP rule group (VPNs, Tor, hosting providers). Off by default: it also
    turns away privacy-minded users and clients that run in the cloud."""
    enable_bot_control: bool = False
    """Add AWS's Bot Control rule group (COMMON level; billed per request). Off by default."""
    log_retention_days: RetentionDays
    """Retention of WAF logs and of the CloudFront and S3 access logs (tier default: dev 30,
    staging 90, prod 365; prod at least 365)."""
    noncurrent_version_retention_days: Annotated[int, Field(ge=1, le=3650)]
    """Days an overwritten or deleted object version is kept before it expires, i.e. the window to
    restore it (tier default: dev 7, staging 30, prod 90; prod at least 30)."""
    media_replica: bool
    """Replicate the media bucket to the stack's second region (Replication Time Control) and let
    CloudFront fail over to the replica (tier default: prod; prod may not turn it off)."""
    minimum_tls_version: Literal["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] = "TLSv1.2_2021"
    """Oldest TLS security policy CloudFront accepts from viewers."""
    aliases: Annotated[list[Hostname], Field(min_length=1, max_length=10)] | None = None
    """Custom domain names of the distribution, all inside the environment's zone `<env>.<domain>`
    (the certificate is validated and the alias records are published there). Unset: the zone's
    apex alone, for example `dev.social.example.com`."""
    api_origin_domain: Hostname | None = None
    """An API origin run elsewhere (a public HTTPS host) that CloudFront sends `/api/*` to, used as
    is; needs `ingress.enabled: false`. Unset: this stack's load balancer in the serving region,
    reached through a CloudFront VPC origin (section `ingress`)."""
    content_security_policy: Annotated[str, Field(pattern=r"^[^\r\n]+$", max_length=1783)] | None = None
    """Content-Security-Policy header sent with every response. Unset: a policy derived from the
    config (`content_security_policy`: same origin plus exactly the
    endpoints the platform gives the browser)."""
    hsts_preload: bool = args_field(EdgeArgs, "enable_hsts_preload")
    geo_restriction: GeoRestriction | None = None
    """Countries to serve or refuse. Unset: the distribution serves every country."""


def edge_aliases(cfg: StackConfig) -> list[str]:
    """The distribution's domain names: `edge.aliases`, else the environment zone's apex."""
    return list(cfg.section(EdgeConfig).aliases or [environment_zone_name(cfg)])


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Aliases in the environment's zone, the API origin; and identity's custom domain, which needs
    the edge's us-east-1 certificate."""
    edge = cfg.section(EdgeConfig)
    identity = cfg.section(IdentityConfig)
    if identity.enabled and identity.custom_domain is not None:
        yield from needs("identity.custom_domain", "its us-east-1 certificate serves the domain", edge)
    if cfg.section(StreamingConfig).enabled and cfg.section(SecurityConfig).enabled:
        yield from needs(
            "streaming.enabled",
            "with the security baseline on, the recordings bucket's access logs go to the edge's log bucket",
            edge,
        )
    if not edge.enabled:
        return
    if edge.media_replica and not cfg.regions.others():
        yield ConfigIssue("edge.media_replica", "needs a second region in `regions` (or set it to false)")
    if cfg.environment.is_tooling:
        yield ConfigIssue(
            "edge.enabled", "the shared stack holds the root DNS zone only; the edge runs in environments"
        )
        return
    zone = environment_zone_name(cfg)
    for index, alias in enumerate(edge.aliases or []):
        if alias != zone and not alias.endswith(f".{zone}"):
            yield ConfigIssue(
                f"edge.aliases.{index}", f"{alias!r} is not in this environment's zone {zone!r}"
            )
    if edge.aliases and len(set(edge.aliases)) != len(edge.aliases):
        yield ConfigIssue("edge.aliases", "lists a name twice")
    if edge.api_origin_domain is not None and edge.api_origin_domain in edge_aliases(cfg):
        yield ConfigIssue(
            "edge.api_origin_domain",
            f"{edge.api_origin_domain!r} is one of the distribution's own aliases; "
            "the origin must be the API's host, not CloudFront",
        )


# ---------------------------------------------------------------------------------------------
# Build


ROOT_ZONE_OUTPUT = "root_zone_id"
"""The shared stack's output with the root zone's ID (environments read it to delegate)."""


@dataclass
class EdgeBuild:
    """What the edge step made, for the stack outputs and for other build steps."""

    outputs: dict[str, Any]
    zone: PublicZone
    edge: Edge | None = None
    regional_web_acls: dict[str, WebAcl] = field(default_factory=dict)
    """Region name → REGIONAL web ACL (empty when the edge is off)."""

    @property
    def regional_web_acl_arn(self) -> pulumi.Output[str] | None:
        """The primary region's REGIONAL web ACL (Cognito, the primary load balancer)."""
        first = next(iter(self.regional_web_acls.values()), None)
        return None if first is None else first.arn

    @property
    def certificate_arn(self) -> pulumi.Output[str] | None:
        """The us-east-1 certificate for the aliases (what CloudFront-backed custom domains need)."""
        return None if self.edge is None else self.edge.certificate_arn


IVS_PLAYBACK = "https://*.live-video.net"
"""Where IVS players fetch playlists and segments (IVS "Getting started": playback URLs are
``https://<id>.<region>.playback.live-video.net/...``)."""


def browser_endpoints(cfg: StackConfig) -> list[str]:
    """Every origin beyond the page's own that the platform hands the web app's browser code: the
    other web aliases, Cognito's sign-in domain and API (token and user calls), IVS playback and
    IVS Chat's WebSocket messaging endpoint."""
    primary = cfg.regions.primary.name
    identity, streaming = cfg.section(IdentityConfig), cfg.section(StreamingConfig)
    sources = [f"https://{alias}" for alias in edge_aliases(cfg)]
    if identity.enabled:
        prefix = identity.domain_prefix or f"{cfg.organization.name}-{cfg.environment.name}"
        sources.append(
            f"https://{identity.custom_domain}"
            if identity.custom_domain
            else f"https://{prefix}.auth.{primary}.amazoncognito.com"
        )
        sources.append(f"https://cognito-idp.{primary}.amazonaws.com")
    if streaming.enabled:
        sources += [IVS_PLAYBACK, f"wss://edge.ivschat.{primary}.amazonaws.com"]
    return sources


def content_security_policy(cfg: StackConfig) -> str:
    """The edge's Content-Security-Policy: same-origin, plus exactly the endpoints the platform gives
    the browser (`browser_endpoints`) for fetch/XHR/WebSocket and IVS playback for media. Nothing
    else is allowed. `edge.content_security_policy` replaces it entirely."""
    connect = " ".join(["'self'", *browser_endpoints(cfg)])
    live = [IVS_PLAYBACK] if cfg.section(StreamingConfig).enabled else []
    media = " ".join(["'self'", "blob:", *live])
    return (
        f"default-src 'self'; img-src 'self' data: blob:; media-src {media}; connect-src {connect}; "
        "style-src 'self'; script-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; "
        "form-action 'self'; frame-ancestors 'none'; upgrade-insecure-requests"
    )


@dataclass(frozen=True)
class ApiOrigin:
    """Where CloudFront sends `/api/*`: a host name and, for an internal load balancer, its
    CloudFront VPC origin."""

    domain_name: str
    vpc_origin_id: pulumi.Input[str] | None = None


def foundation(platform: Platform) -> EdgeBuild:
    """What the regional origins need before the distribution exists: the zones everywhere, and
    where `edge.enabled` one REGIONAL web ACL per region (load balancers, Cognito)."""
    cfg = platform.cfg
    providers = platform.providers
    primary = pulumi.ResourceOptions(provider=providers.primary)
    # Every public zone is signed (DNSSEC, key in us-east-1) and logs its queries, with the security
    # baseline; the query log keeps what the trail's log group keeps.
    security = cfg.section(SecurityConfig)
    signing: dict[str, Any] = (
        {
            "signing_provider": providers.cloudfront,
            "query_log_retention_days": security.trail_log_retention_days,
        }
        if security.enabled
        else {}
    )

    if cfg.environment.is_tooling:
        root = PublicZone(
            "root-zone",
            PublicZoneArgs(domain_name=cfg.organization.domain, protect=platform.protect, **signing),
            opts=primary,
        )
        return EdgeBuild(
            outputs={ROOT_ZONE_OUTPUT: root.zone_id, "root_zone_name_servers": root.name_servers},
            zone=root,
        )

    zone_name = environment_zone_name(cfg)
    zone = PublicZone(
        "zone",
        PublicZoneArgs(
            domain_name=zone_name,
            parent_zone_id=None
            if platform.shared is None
            else platform.shared.require_output(ROOT_ZONE_OUTPUT),
            parent_zone_provider=None if platform.shared is None else providers.shared,
            protect=platform.protect,
            **signing,
        ),
        opts=primary,
    )
    build = EdgeBuild(
        outputs={"zone_id": zone.zone_id, "zone_name": zone_name, "zone_name_servers": zone.name_servers},
        zone=zone,
    )
    settings = cfg.section(EdgeConfig)
    if not settings.enabled:
        return build
    for region in cfg.regions.all():
        build.regional_web_acls[region.name] = WebAcl(
            f"regional-waf-{region.code}",
            WebAclArgs(
                scope="REGIONAL",
                rate_limit=settings.regional_waf_rate_limit,
                log_retention_days=settings.log_retention_days,
                enable_anonymous_ip_rules=settings.enable_anonymous_ip_rules,
                enable_bot_control=settings.enable_bot_control,
                protect=platform.protect,
            ),
            opts=platform.options(region.name),
        )
    return build


def build(
    platform: Platform,
    build: EdgeBuild,
    api_origin: ApiOrigin | None,
    logged_buckets: Mapping[str, LoggedBucket] | None = None,
) -> EdgeBuild:
    """The distribution (where `edge.enabled` in an environment stack), in front of the web app, the
    media and `api_origin` — this stack's serving load balancer — or `edge.api_origin_domain`. The
    edge's log bucket also takes the server access logs of `logged_buckets` (other user-data buckets
    in the primary region, by role)."""
    cfg = platform.cfg
    providers = platform.providers
    primary = pulumi.ResourceOptions(provider=providers.primary)
    settings = cfg.section(EdgeConfig)
    identity = cfg.section(IdentityConfig)
    if cfg.environment.is_tooling or not settings.enabled:
        return build
    if settings.api_origin_domain is not None:
        api_origin = ApiOrigin(settings.api_origin_domain)
    if api_origin is None:  # config checks refuse this (ingress.check); never a made-up origin
        raise ValueError("the edge needs an API origin: ingress.enabled or edge.api_origin_domain")
    zone_name = environment_zone_name(cfg)
    zone = build.zone

    geo = settings.geo_restriction
    build.edge = Edge(
        "edge",
        EdgeArgs(
            bucket_name_prefix=f"{cfg.organization.name}-{cfg.environment.name}-{cfg.account.id}",
            zone_id=zone.zone_id,
            zone_name=zone_name,
            aliases=edge_aliases(cfg),
            # Cognito's custom sign-in domain needs a us-east-1 certificate too: the same one.
            certificate_extra_domains=[identity.custom_domain]
            if identity.enabled and identity.custom_domain
            else [],
            api_origin_domain=api_origin.domain_name,
            api_vpc_origin_id=api_origin.vpc_origin_id,
            us_east_1_provider=providers.cloudfront,
            price_class=settings.price_class,
            minimum_tls_version=settings.minimum_tls_version,
            content_security_policy=settings.content_security_policy or content_security_policy(cfg),
            enable_hsts_preload=settings.hsts_preload,
            geo_restriction=None
            if geo is None
            else GeoRestrictionArgs(mode=geo.mode, countries=geo.countries),
            waf_rate_limit=settings.waf_rate_limit,
            enable_anonymous_ip_rules=settings.enable_anonymous_ip_rules,
            enable_bot_control=settings.enable_bot_control,
            log_retention_days=settings.log_retention_days,
            noncurrent_version_retention_days=settings.noncurrent_version_retention_days,
            backup_tags=tags_for(cfg),
            logged_buckets=dict(logged_buckets or {}),
            media_replica_provider=(
                providers.get(cfg.environment.name, cfg.regions.others()[0].name)
                if settings.media_replica and cfg.regions.others()
                else None
            ),
            protect=platform.protect,
        ),
        opts=primary,
    )
    edge = build.edge
    build.outputs.update(
        {
            "distribution_id": edge.distribution_id,
            "distribution_domain_name": edge.distribution_domain_name,
            "web_domain_names": edge.domain_names,
            "api_origin_domain": edge.api_origin_domain,
            "web_bucket_name": edge.web_bucket_name,
            "media_bucket_name": edge.media_bucket_name,
            "media_replica_bucket_name": edge.media_replica_bucket_name,
            "log_bucket_name": edge.log_bucket_name,
            "cloudfront_web_acl_arn": edge.web_acl.arn,
            "regional_web_acl_arns": {name: acl.arn for name, acl in build.regional_web_acls.items()},
            "certificate_arn": edge.certificate_arn,
        }
    )
    return build
