"""Ingress area: the `ingress` section and its build step — in every region of a workload stack, an
internal Application Load Balancer that only CloudFront reaches (a CloudFront VPC origin), with the
region's REGIONAL web ACL, HTTPS with a regional certificate, access logs and the application's
target group; the edge's `/api/*` origin is the serving region's (docs/adr/0009, 0010).

Workloads attach through the AWS Load Balancer Controller: a `TargetGroupBinding` naming the
region's target group (stack output `ingress.<region>.target_group_arn`), which the GitOps
repository's application chart receives from Argo CD.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
from pydantic import Field

from social_components.cluster import Cluster
from social_components.ingress import Ingress, IngressArgs
from social_components.network import Network
from social_platform.areas.base import ProdLock, RetentionDays, Section, Tier, args_field, needs
from social_platform.areas.cluster import ClusterConfig
from social_platform.areas.edge import EdgeConfig
from social_platform.areas.stack import StackConfig, environment_zone_name
from social_platform.context import Platform
from social_platform.errors import ConfigIssue


class IngressConfig(Section):
    KEY = "ingress"
    TIER_DEFAULTS = {
        Tier.dev: {"deletion_protection": False, "log_retention_days": 30},
        Tier.staging: {"deletion_protection": False, "log_retention_days": 90},
        Tier.prod: {"deletion_protection": True, "log_retention_days": 365},
    }
    PROD_LOCKS = {
        "deletion_protection": ProdLock(lambda v: v is True, "true"),
        "log_retention_days": ProdLock(lambda v: v >= 365, "365 days or more"),
    }

    serving_region: str | None = None
    """The region whose load balancer CloudFront sends `/api/*` to (the writer's region; fail over
    by setting the other one and deploying, docs/adr/0010). Unset: the primary region."""
    deletion_protection: bool
    """ELB deletion protection on every load balancer (tier default: on in prod, which may not turn
    it off)."""
    log_retention_days: RetentionDays
    """Days the load balancers' access logs are kept (tier default: dev 30, staging 90, prod 365;
    prod at least 365)."""
    idle_timeout_seconds: Annotated[int, Field(ge=1, le=4000)] = args_field(
        IngressArgs, "idle_timeout_seconds"
    )
    target_port: Annotated[int, Field(ge=1, le=65535)] = args_field(IngressArgs, "target_port")
    health_check_path: Annotated[str, Field(pattern=r"^/[\w./-]*$", max_length=1024)] = args_field(
        IngressArgs, "health_check_path"
    )


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """The load balancers need the cluster (their targets) and the edge (their only client and the
    web ACLs); the serving region is one of the stack's."""
    section = cfg.section(IngressConfig)
    edge = cfg.section(EdgeConfig)
    if not section.enabled:
        if edge.enabled and edge.api_origin_domain is None and not cfg.environment.is_tooling:
            yield ConfigIssue(
                "ingress.enabled",
                "the edge needs an API origin: keep ingress on (this stack's load balancers), or "
                "set edge.api_origin_domain to an origin run elsewhere",
            )
        return
    if cfg.environment.is_tooling:
        yield ConfigIssue("ingress.enabled", "the shared stack serves no application")
        return
    yield from needs("ingress.enabled", "the load balancers' targets are pods", cfg.section(ClusterConfig))
    yield from needs("ingress.enabled", "only CloudFront reaches the load balancers", edge)
    if edge.enabled and edge.api_origin_domain is not None:
        yield ConfigIssue(
            "edge.api_origin_domain",
            "is an API origin run elsewhere; with ingress.enabled the origin is this stack's load "
            "balancer: unset one of them",
        )
    regions = [region.name for region in cfg.regions.all()]
    if section.serving_region is not None and section.serving_region not in regions:
        yield ConfigIssue(
            "ingress.serving_region", f"is not a region of this stack; allowed: {', '.join(regions)}"
        )


def serving_region(cfg: StackConfig) -> str:
    return cfg.section(IngressConfig).serving_region or cfg.regions.primary.name


def origin_domain(cfg: StackConfig, region_code: str) -> str:
    """The regional origin's host name, `api-<region code>.<env zone>`."""
    return f"api-{region_code}.{environment_zone_name(cfg)}"


# ---------------------------------------------------------------------------------------------
# Build


@dataclass
class IngressBuild:
    ingresses: dict[str, Ingress]
    """Region name → the region's ingress (empty when off)."""
    serving_region: str | None = None

    @property
    def serving(self) -> Ingress | None:
        return None if self.serving_region is None else self.ingresses[self.serving_region]


def build(
    platform: Platform,
    networks: Mapping[str, Network],
    clusters: Mapping[str, Cluster],
    zone_id: pulumi.Input[str],
    web_acl_arns: Mapping[str, pulumi.Input[str]],
) -> IngressBuild:
    """One `Ingress` per region that has a cluster; its pods (on the cluster's nodes) are admitted."""
    cfg = platform.cfg
    section = cfg.section(IngressConfig)
    if not section.enabled or not clusters:
        return IngressBuild({})
    ingresses: dict[str, Ingress] = {}
    for region in cfg.regions.all():
        if region.name not in clusters:
            continue
        ingress = Ingress(
            f"{platform.name(region.name)}-ingress",
            IngressArgs(
                **section.args_for(
                    IngressArgs,
                    vpc_id=networks[region.name].vpc_id,
                    subnet_ids=tuple(networks[region.name].subnet_ids["private"]),
                    zone_id=zone_id,
                    domain_name=origin_domain(cfg, region.code),
                    web_acl_arn=web_acl_arns.get(region.name),
                    protect=platform.protect,
                )
            ),
            opts=platform.options(region.name),
        )
        ingress.allow_to("cluster-nodes", clusters[region.name].node_security_group_id)
        ingresses[region.name] = ingress
    return IngressBuild(ingresses, serving_region(cfg))


def outputs(built: IngressBuild) -> dict[str, Any]:
    """Per region: the target group the application's TargetGroupBinding names, the load balancer."""
    if not built.ingresses:
        return {}
    return {
        "ingress": {
            region: {
                "origin_domain": ingress.domain_name,
                "load_balancer_arn": ingress.load_balancer_arn,
                "target_group_arn": ingress.target_group_arn,
                "security_group_id": ingress.security_group_id,
            }
            for region, ingress in built.ingresses.items()
        },
        "api_serving_region": built.serving_region,
    }
