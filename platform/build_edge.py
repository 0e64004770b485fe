"""Build step of the edge area: DNS zones, the `Edge` component and the regional web ACLs.

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

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pulumi

from social_components.dns import PublicZone, PublicZoneArgs
from social_components.edge import DEFAULT_CONTENT_SECURITY_POLICY, Edge, EdgeArgs, GeoRestriction
from social_components.waf import WebAcl, WebAclArgs
from social_platform.config import edge_aliases, environment_zone_name

if TYPE_CHECKING:
    from social_platform.program import Platform

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


def build_edge(platform: Platform) -> EdgeBuild:
    """Zones everywhere; the edge itself where `edge.enabled` (environment stacks)."""
    cfg = platform.cfg
    providers = platform.providers
    primary = pulumi.ResourceOptions(provider=providers.primary)

    if cfg.environment.is_tooling:
        root = PublicZone(
            "root-zone",
            PublicZoneArgs(domain_name=cfg.organization.domain, protect=platform.protect),
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
        ),
        opts=primary,
    )
    build = EdgeBuild(
        outputs={"zone_id": zone.zone_id, "zone_name": zone_name, "zone_name_servers": zone.name_servers},
        zone=zone,
    )
    settings = cfg.edge
    if not settings.enabled:
        return build

    regions = cfg.regions.all()
    if settings.api_origin_domain is None:
        api_origin_domain = f"api-origin.{zone_name}"
        regional_origins = {
            region.name: settings.api_regional_origins.get(region.name, f"api-{region.code}.{zone_name}")
            for region in regions
        }
    else:
        api_origin_domain, regional_origins = settings.api_origin_domain, {}

    geo = settings.geo_restriction
    build.edge = Edge(
        "edge",
        EdgeArgs(
            bucket_name_prefix=f"{cfg.organization.name}-{cfg.environment.name}-{cfg.account.id}",
            zone_id=zone.zone_id,
            zone_name=zone_name,
            aliases=edge_aliases(cfg),
            # Cognito's custom sign-in domain needs a us-east-1 certificate too: the same one.
            certificate_extra_domains=[cfg.identity.custom_domain]
            if cfg.identity.enabled and cfg.identity.custom_domain
            else [],
            api_origin_domain=api_origin_domain,
            api_regional_origins=regional_origins,
            api_health_check_path=settings.api_health_check_path,
            us_east_1_provider=providers.cloudfront,
            price_class=settings.price_class,
            minimum_tls_version=settings.minimum_tls_version,
            content_security_policy=settings.content_security_policy or DEFAULT_CONTENT_SECURITY_POLICY,
            geo_restriction=None if geo is None else GeoRestriction(mode=geo.mode, countries=geo.countries),
            waf_rate_limit=settings.waf_rate_limit,
            enable_anonymous_ip_rules=settings.enable_anonymous_ip_rules,
            enable_bot_control=settings.enable_bot_control,
            log_retention_days=settings.log_retention_days,
            noncurrent_version_retention_days=settings.noncurrent_version_retention_days,
            protect=platform.protect,
        ),
        opts=primary,
    )
    for region in regions:
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
            opts=pulumi.ResourceOptions(provider=providers.get(cfg.environment.name, region.name)),
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
            "log_bucket_name": edge.log_bucket_name,
            "cloudfront_web_acl_arn": edge.web_acl.arn,
            "regional_web_acl_arns": {name: acl.arn for name, acl in build.regional_web_acls.items()},
            "certificate_arn": edge.certificate_arn,
        }
    )
    return build
