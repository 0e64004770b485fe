"""Wallet area: the `wallet` section (coin transactions queue, settlement schedule, the wallet
service's role and database user), its tier defaults, prod lock and checks, and the build step: one
`Wallet` in the primary region, beside the ledger's writer (Aurora) and the cluster that runs the
wallet service, which signs in to the database as `db_user`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import Field

from social_components.cluster import Cluster
from social_components.database import Database
from social_components.runners.validation import check_timezone
from social_components.wallet import Wallet, WalletArgs
from social_components.wallet import validation as wallet_rules
from social_platform.areas.base import K8sName, ProdLock, Section, Tier, arg_default, issue, needs
from social_platform.areas.cluster import ClusterConfig
from social_platform.areas.data import DatabaseConfig
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

MIN_PROD_RETENTION_SECONDS = 4 * 24 * 3600


class WalletConfig(Section):
    """Coin wallet plumbing in the primary region."""

    KEY = "wallet"
    TIER_DEFAULTS = {
        Tier.dev: {"message_retention_seconds": 24 * 3600},
        Tier.staging: {"message_retention_seconds": 4 * 24 * 3600},
        Tier.prod: {"message_retention_seconds": 14 * 24 * 3600},
    }
    PROD_LOCKS = {
        "message_retention_seconds": ProdLock(
            lambda v: v >= MIN_PROD_RETENTION_SECONDS,
            f"at least {MIN_PROD_RETENTION_SECONDS} (4 days: a long weekend of a stopped consumer)",
        )
    }

    settlement_schedule: str = arg_default(WalletArgs, "settlement_schedule")
    """When the settlement/rewards job runs (EventBridge Scheduler ``cron(…)`` with six fields, or
    ``rate(…)``). Default: every day at 03:00."""
    settlement_timezone: str = arg_default(WalletArgs, "settlement_timezone")
    """IANA time zone of `settlement_schedule`."""
    namespace: K8sName = arg_default(WalletArgs, "namespace")
    """Kubernetes namespace of the wallet service."""
    service_account: K8sName = arg_default(WalletArgs, "service_account")
    """Its service account (the only one that gets the role)."""
    db_user: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")] = "wallet"
    """The PostgreSQL user the service signs in as with IAM authentication (needs ``GRANT rds_iam``)."""
    visibility_timeout_seconds: Annotated[int, Field(ge=0, le=43_200)] = arg_default(
        WalletArgs, "visibility_timeout_seconds"
    )
    """How long a received transaction stays hidden from other consumers."""
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = arg_default(WalletArgs, "max_receive_count")
    """Receives before a transaction moves to the dead-letter queue."""
    message_retention_seconds: Annotated[int, Field(ge=60, le=1_209_600)]
    """How long an unconsumed transaction is kept (tier default: dev 1 day, staging 4, prod 14)."""


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """The cluster and database it stands on, the schedule and its time zone."""
    section = cfg.section(WalletConfig)
    if not section.enabled:
        return
    yield from needs(
        "wallet.enabled",
        "the wallet service runs on the cluster and keeps its ledger in the database",
        cfg.section(ClusterConfig),
        cfg.section(DatabaseConfig),
    )
    yield from issue("wallet.settlement_schedule", wallet_rules.check_schedule, section.settlement_schedule)
    yield from issue("wallet.settlement_timezone", check_timezone, section.settlement_timezone)


# ---------------------------------------------------------------------------------------------
# Build


def build(
    platform: Platform, clusters: Mapping[str, Cluster], databases: Mapping[str, Database]
) -> Wallet | None:
    """The wallet plumbing in the primary region (None where the section is off or the primary region
    has no cluster or database)."""
    cfg = platform.cfg
    section = cfg.section(WalletConfig)
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
        opts=platform.options(primary),
    )
    database.grant_connect("wallet", wallet.service_role, section.db_user)
    return wallet


def outputs(wallet: Wallet | None) -> dict[str, Any]:
    """The queue for producers and operators, the roles and policies to hand to services."""
    if wallet is None:
        return {}
    return {
        "wallet": {
            "queue_url": wallet.queue.url,
            "dead_letter_queue_url": wallet.dead_letter_queue.url,
            "schedule_arn": wallet.schedule.arn,
            "service_role_arn": wallet.service_role.arn,
            "producer_policy_arn": wallet.producer_policy.arn,
        }
    }
