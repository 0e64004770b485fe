"""Realtime area: the `realtime` section (WebSocket API, connections table, event fan-out), its tier
defaults, prod lock and checks, and the build step: one `Realtime` per region of the stack.

Each region's API authorizes with the stack's user pool (Cognito lives in the primary region; its
issuer is global) and, with `custom_domain`, serves ``ws.<environment zone>`` (latency records when
the stack has several regions: a browser connects to the nearest). A notification reaches the
connections of the region whose bus it is put on (see docs/realtime.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

import pulumi
from pydantic import Field

from social_components.identity import Identity
from social_components.realtime import CustomDomain, FunctionName, Realtime, RealtimeArgs, TokenUse
from social_components.realtime import validation as realtime_rules
from social_platform.areas.base import ProdLock, RetentionDays, Section, Tier, arg_default, issue, needs
from social_platform.areas.identity import IdentityConfig
from social_platform.areas.stack import StackConfig, environment_zone_name
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

USER_CLIENTS = ("web", "mobile")
"""The app clients whose users open WebSocket connections."""


class RealtimeConfig(Section):
    """The WebSocket API, its connections table and the event fan-out, in every region of the stack."""

    KEY = "realtime"
    TIER_DEFAULTS = {
        Tier.dev: {
            "throttling_rate_limit": 50,
            "throttling_burst_limit": 100,
            # New accounts may have a concurrency quota of 10, where no reservation is possible.
            "reserved_concurrency": {},
            "log_retention_days": 7,
        },
        Tier.staging: {
            "throttling_rate_limit": 200,
            "throttling_burst_limit": 400,
            "reserved_concurrency": {"authorizer": 20, "connections": 20, "fanout": 10},
            "log_retention_days": 30,
        },
        Tier.prod: {
            "throttling_rate_limit": 2000,
            "throttling_burst_limit": 4000,
            "reserved_concurrency": {"authorizer": 200, "connections": 200, "fanout": 100},
            "log_retention_days": 90,
        },
    }
    PROD_LOCKS = {
        "reserved_concurrency": ProdLock(
            lambda v: set(v) == {"authorizer", "connections", "fanout"},
            "a reservation for each of authorizer, connections and fanout (a cap on what a flood costs)",
        )
    }

    custom_domain: bool = True
    """Serve the API as ``wss://ws.<environment zone>`` (regional certificate, alias record; a latency
    record per region when the stack has several). Off: clients use the execute-api URL."""
    token_uses: list[TokenUse] = arg_default(RealtimeArgs, "token_uses")
    """Which Cognito tokens of the web and mobile clients open a connection."""
    throttling_rate_limit: Annotated[float, Field(gt=0)]
    """Steady messages per second the stage accepts, all clients together (tier default: dev 50,
    staging 200, prod 2,000)."""
    throttling_burst_limit: Annotated[int, Field(ge=1)]
    """Burst above the steady rate (tier default: twice the rate)."""
    reserved_concurrency: dict[FunctionName, Annotated[int, Field(ge=1, le=900)]]
    """Concurrency reserved for (and capping) each function (tier default: none in dev; staging
    20/20/10; prod 200/200/100). A function left out shares the account's unreserved pool."""
    log_retention_days: RetentionDays
    """Retention of the functions' logs and the access log (tier default: dev 7, staging 30, prod 90)."""


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """The user pool it stands on, and the throttling pair."""
    section = cfg.section(RealtimeConfig)
    if not section.enabled:
        return
    yield from needs(
        "realtime.enabled", "connections open with the user pool's tokens", cfg.section(IdentityConfig)
    )
    yield from issue(
        "realtime.throttling_burst_limit",
        realtime_rules.check_throttling,
        section.throttling_rate_limit,
        section.throttling_burst_limit,
    )


# ---------------------------------------------------------------------------------------------
# Build


def build(platform: Platform, identity: Identity | None, zone_id: pulumi.Input[str]) -> dict[str, Realtime]:
    """Region name → `Realtime` (empty where the section is off or there is no user pool)."""
    cfg = platform.cfg
    section = cfg.section(RealtimeConfig)
    if not section.enabled or identity is None:
        return {}
    regions = cfg.regions.all()
    several = len(regions) > 1
    built: dict[str, Realtime] = {}
    for region in regions:
        domain = (
            CustomDomain(
                domain_name=f"ws.{environment_zone_name(cfg)}",
                zone_id=zone_id,
                latency_record_id=region.name if several else None,
            )
            if section.custom_domain
            else None
        )
        built[region.name] = Realtime(
            f"{platform.name(region.name)}-realtime",
            RealtimeArgs(
                user_pool_issuer=identity.issuer_url,
                client_ids=[identity.client_ids[client] for client in USER_CLIENTS],
                token_uses=tuple(section.token_uses),
                custom_domain=domain,
                throttling_rate_limit=section.throttling_rate_limit,
                throttling_burst_limit=section.throttling_burst_limit,
                reserved_concurrency=dict(section.reserved_concurrency),
                log_retention_days=section.log_retention_days,
            ),
            protect=platform.protect,
            opts=platform.options(region.name),
        )
    return built


def outputs(realtime: Mapping[str, Realtime]) -> dict[str, Any]:
    """Per region: the WebSocket URL, the bus to publish to and the policy that allows it."""
    if not realtime:
        return {}
    return {
        "realtime": {
            region: {
                "url": r.url,
                "api_id": r.api.id,
                "management_endpoint": r.management_endpoint,
                "connections_table": r.table.name,
                "bus_name": r.bus.name,
                "bus_arn": r.bus.arn,
                "publish_policy_arn": r.publish_policy.arn,
                "dead_letter_queue_url": r.dead_letter_queue.url,
            }
            for region, r in realtime.items()
        }
    }
