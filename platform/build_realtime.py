"""Build step of realtime and the coin wallet: config → `Realtime` per region, `Wallet` in the primary.

- Realtime: one WebSocket API per region of the stack, each with its own connections table, bus and
  fan-out, authorizing with the stack's user pool (Cognito is in the primary region; its issuer is
  global). With `realtime.custom_domain`, each serves ``ws.<environment zone>`` (latency records
  when the stack has several regions: a browser connects to the nearest). A notification reaches
  the connections of the region whose bus it is put on: the backend publishes in its own region
  (see docs/realtime.md for the limits).
- Wallet: in the primary region, beside the ledger's writer (Aurora) and the cluster whose wallet
  service consumes the queue; the service signs in to the database as `wallet.db_user`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import pulumi

from social_components.realtime import CustomDomain, Realtime, RealtimeArgs
from social_components.wallet import Wallet, WalletArgs
from social_platform.config import environment_zone_name

if TYPE_CHECKING:
    from social_components.cluster import Cluster
    from social_components.database import Database
    from social_components.identity import Identity
    from social_platform.program import Platform

USER_CLIENTS = ("web", "mobile")
"""The app clients whose users open WebSocket connections."""


def build_realtime(
    platform: Platform, identity: Identity | None, zone_id: pulumi.Input[str]
) -> dict[str, Realtime]:
    """Region name → `Realtime` (empty where `realtime.enabled` is false or there is no user pool)."""
    cfg = platform.cfg
    section = cfg.realtime
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
            opts=pulumi.ResourceOptions(provider=platform.providers.get(cfg.environment.name, region.name)),
        )
    return built


def build_wallet(
    platform: Platform, clusters: Mapping[str, Cluster], databases: Mapping[str, Database]
) -> Wallet | None:
    """The wallet plumbing in the primary region (None where `wallet.enabled` is false or the primary
    region has no cluster or database)."""
    cfg = platform.cfg
    section = cfg.wallet
    primary = cfg.regions.primary.name
    cluster, database = clusters.get(primary), databases.get(primary)
    if not section.enabled or cluster is None or database is None:
        return None
    wallet = Wallet(
        f"{platform.name(primary)}-wallet",
        WalletArgs(
            cluster_name=cluster.cluster_name,
            cluster_arn=cluster.arn,
            namespace=section.namespace,
            service_account=section.service_account,
            settlement_schedule=section.settlement_schedule,
            settlement_timezone=section.settlement_timezone,
            visibility_timeout_seconds=section.visibility_timeout_seconds,
            max_receive_count=section.max_receive_count,
            message_retention_seconds=section.message_retention_seconds,
        ),
        protect=platform.protect,
        opts=pulumi.ResourceOptions(provider=platform.providers.primary),
    )
    database.grant_connect("wallet", wallet.service_role, section.db_user)
    return wallet


def realtime_outputs(realtime: Mapping[str, Realtime], wallet: Wallet | None) -> dict[str, Any]:
    """What the apps and the backend need: per region the WebSocket URL, the bus to publish to and the
    policy that allows it; the wallet's queue and roles."""
    outputs: dict[str, Any] = {}
    if realtime:
        outputs["realtime"] = {
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
    if wallet is not None:
        outputs["wallet"] = {
            "queue_url": wallet.queue.url,
            "dead_letter_queue_url": wallet.dead_letter_queue.url,
            "schedule_arn": wallet.schedule.arn,
            "service_role_arn": wallet.service_role.arn,
            "producer_policy_arn": wallet.producer_policy.arn,
        }
    return outputs
