"""Data area: the `database` (Aurora PostgreSQL, a global database in prod) and `cache` (Valkey)
sections, their tier defaults, prod locks and checks, and the build step of the data tier.

- Database: one per stack in the primary region; with `database.global_database` (prod) the primary
  region's cluster is the primary of an Aurora Global Database and every other region of the stack
  gets a read-only secondary cluster, each through its own region's provider.
- Cache: one per region of the stack (each region's pods use their local cache).
Clients are admitted by security group only: `client_security_groups` (per region, by name), or
later with `DataTier.allow_from`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Literal

import pulumi
from pydantic import Field

from social_components.cache import Cache, CacheArgs
from social_components.cache import validation as cache_rules
from social_components.database import SERVERLESS, Database, DatabaseArgs
from social_components.database import validation as database_rules
from social_components.network import Network
from social_platform.areas.backup import tags_for
from social_platform.areas.base import (
    DailyWindow,
    ProdLock,
    PulumiSecret,
    RetentionDays,
    Section,
    Tier,
    WeeklyWindow,
    check_windows,
    issue,
)
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue


class DatabaseConfig(Section):
    KEY = "database"
    TIER_DEFAULTS = {
        Tier.dev: {
            "min_acu": 0,
            "max_acu": 4,
            "seconds_until_auto_pause": 1800,
            "instances": 1,
            "enable_proxy": False,
            "database_insights": "standard",
            "log_retention_days": 7,
            "backup_retention_days": 1,
            "deletion_protection": False,
            "global_database": False,
        },
        Tier.staging: {
            "min_acu": 0.5,
            "max_acu": 8,
            "seconds_until_auto_pause": None,
            "instances": 2,
            "enable_proxy": True,
            "database_insights": "standard",
            "log_retention_days": 30,
            "backup_retention_days": 7,
            "deletion_protection": True,
            "global_database": False,
        },
        Tier.prod: {
            "min_acu": 2,
            "max_acu": 64,
            "seconds_until_auto_pause": None,
            "instances": 3,
            "enable_proxy": True,
            "database_insights": "advanced",
            "log_retention_days": 365,
            "backup_retention_days": 14,
            "deletion_protection": True,
            "global_database": True,
        },
    }
    PROD_LOCKS = {
        "backup_retention_days": ProdLock(lambda v: v >= 14, "14 to 35 days"),
        "deletion_protection": ProdLock(lambda v: v is True, "true"),
        "instances": ProdLock(lambda v: v >= 2, "2 or more (a writer and a reader in another AZ)"),
    }

    engine_version: Annotated[str, Field(pattern=r"^\d{2}\.\d{1,2}$")] = "16.6"
    """Pinned Aurora PostgreSQL engine version (automatic minor upgrades are off)."""
    instance_class: Annotated[str, Field(pattern=r"^db\.(serverless|[a-z0-9]+\.[a-z0-9]+)$")] = SERVERLESS
    """``db.serverless`` (Aurora Serverless v2, scaled between min_acu and max_acu) or a provisioned
    class such as ``db.r7g.large`` (min_acu and max_acu are then unused)."""
    instances: Annotated[int, Field(ge=1, le=16)]
    """Writer plus readers in the primary region, one AZ after another (tier default: dev 1,
    staging 2, prod 3; prod at least 2)."""
    secondary_instances: Annotated[int, Field(ge=1, le=16)] = 2
    """Instances of each other region's (secondary) cluster of a global database (unused otherwise)."""
    min_acu: Annotated[float, Field(ge=0, le=256, multiple_of=0.5)]
    """Serverless v2 minimum capacity; 0 lets dev pause when idle (tier default: dev 0, staging 0.5,
    prod 2)."""
    max_acu: Annotated[float, Field(ge=1, le=256, multiple_of=0.5)]
    """Serverless v2 maximum capacity (tier default: dev 4, staging 8, prod 64)."""
    seconds_until_auto_pause: Annotated[int, Field(ge=300, le=86_400)] | None
    """Idle seconds before a min_acu 0 cluster pauses (tier default: dev 1800). Unset with min_acu
    0: AWS's default, 300. Only allowed with min_acu 0."""
    enable_proxy: bool
    """RDS Proxy in front of the cluster: connection pooling, TLS and IAM auth required (tier
    default: off in dev, where it would keep the database from pausing; on in staging and prod)."""
    database_insights: Literal["standard", "advanced"]
    """Database Insights mode; advanced keeps Performance Insights 15 months (tier default: prod
    advanced, otherwise standard with the free 7 days)."""
    monitoring_interval_seconds: Literal[1, 5, 10, 15, 30, 60] = 60
    """Enhanced Monitoring granularity (always on)."""
    log_min_duration_statement_ms: Annotated[int, Field(ge=-1, le=3_600_000)] = 1000
    """Statements slower than this are logged (0 logs every statement, -1 none)."""
    log_retention_days: RetentionDays
    """Retention of the exported PostgreSQL logs (tier default: dev 7, staging 30, prod 365)."""
    backup_retention_days: Annotated[int, Field(ge=1, le=35)]
    """Automated backup retention (tier default: dev 1, staging 7, prod 14; prod at least 14)."""
    backup_window: DailyWindow = "01:00-02:00"
    """Daily backup window, UTC, at least 30 minutes, apart from maintenance_window."""
    maintenance_window: WeeklyWindow = "sun:03:00-sun:04:00"
    """Weekly maintenance window, UTC, at least 30 minutes."""
    deletion_protection: bool
    """RDS deletion protection (tier default; prod may not turn it off)."""
    global_database: bool
    """Aurora Global Database across every region of the stack, written in the primary (tier
    default: prod)."""


class CacheConfig(Section):
    KEY = "cache"
    TIER_DEFAULTS = {
        Tier.dev: {
            "node_type": "cache.t4g.micro",
            "replicas": 0,
            "multi_az": False,
            "snapshot_retention_days": 0,
            "log_retention_days": 7,
        },
        Tier.staging: {
            "node_type": "cache.t4g.small",
            "replicas": 1,
            "multi_az": True,
            "snapshot_retention_days": 1,
            "log_retention_days": 30,
        },
        Tier.prod: {
            "node_type": "cache.r7g.large",
            "replicas": 2,
            "multi_az": True,
            "snapshot_retention_days": 7,
            "log_retention_days": 365,
        },
    }
    PROD_LOCKS = {
        "multi_az": ProdLock(lambda v: v is True, "true"),
        "snapshot_retention_days": ProdLock(lambda v: v >= 1, "1 to 35 days"),
    }

    engine_version: Annotated[str, Field(pattern=r"^\d+\.\d+$")] = "8.0"
    """Pinned Valkey engine version (7.2 or 8.x; automatic minor upgrades are off)."""
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")]
    """ElastiCache node type (tier default)."""
    replicas: Annotated[int, Field(ge=0, le=5)]
    """Read replicas beside the primary; one or more also gives automatic failover (tier default)."""
    multi_az: bool
    """Multi-AZ with automatic failover; needs replicas ≥ 1 (tier default; prod may not turn it off)."""
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35)]
    """Daily snapshots kept (tier default); a final snapshot is taken on delete in every tier."""
    snapshot_window: DailyWindow = "02:00-03:00"
    """Daily snapshot window, UTC, at least 60 minutes, apart from maintenance_window."""
    maintenance_window: WeeklyWindow = "sun:04:30-sun:05:30"
    """Weekly maintenance window, UTC, at least 60 minutes."""
    log_retention_days: RetentionDays
    """Retention of the slow-log and engine-log groups (tier default: dev 7, staging 30, prod 365)."""
    auth_token: PulumiSecret | None = None
    """AUTH token (16 to 128 printable characters, no space, '"', '/' or '@'), stored with
    `pulumi config set --secret`. Unset: the program generates one (a Pulumi secret)."""


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Capacity, proxy, windows and the global database's second region; the cache's engine,
    replicas, windows and AUTH token."""
    db = cfg.section(DatabaseConfig)
    if db.enabled:
        if db.global_database and not cfg.regions.others():
            yield ConfigIssue(
                "database.global_database",
                "needs a second region in `regions` (a global database spans two regions or more)",
            )
        yield from issue(
            "database.min_acu",
            database_rules.check_capacity,
            db.instance_class,
            db.min_acu,
            db.max_acu,
            db.seconds_until_auto_pause,
            db.engine_version,
        )
        yield from issue(
            "database.enable_proxy",
            database_rules.check_proxy,
            db.enable_proxy,
            db.instance_class,
            db.min_acu,
        )
        yield from check_windows(
            "database", ("backup_window", db.backup_window), ("maintenance_window", db.maintenance_window), 30
        )
    cache = cfg.section(CacheConfig)
    if cache.enabled:
        yield from issue("cache.engine_version", cache_rules.parameter_group_family, cache.engine_version)
        yield from issue("cache.multi_az", cache_rules.check_replicas, cache.replicas, cache.multi_az)
        yield from check_windows(
            "cache",
            ("snapshot_window", cache.snapshot_window),
            ("maintenance_window", cache.maintenance_window),
            60,
        )
        if cache.auth_token is not None:
            yield from issue(
                "cache.auth_token", cache_rules.check_auth_token, cache.auth_token.get_secret_value()
            )


# ---------------------------------------------------------------------------------------------
# Build


@dataclass
class DataTier:
    databases: dict[str, Database] = field(default_factory=dict)
    """By region name, primary first (one entry unless the database is global)."""
    caches: dict[str, Cache] = field(default_factory=dict)
    """By region name, primary first."""

    def allow_from(self, name: str, security_group_ids: Mapping[str, pulumi.Input[str]]) -> None:
        """Admit a client (e.g. ``nodes``), given its security group in each region, to the
        database and the cache of that region. Security groups are regional, hence the map."""
        for region, security_group_id in security_group_ids.items():
            if region in self.databases:
                self.databases[region].allow_from(name, security_group_id)
            if region in self.caches:
                self.caches[region].allow_from(name, security_group_id)


def build(
    platform: Platform,
    networks: Mapping[str, Network],
    client_security_groups: Mapping[str, Mapping[str, pulumi.Input[str]]] | None = None,
) -> DataTier:
    """The data tier of the stack. `client_security_groups`: region name → client name → security
    group id admitted to the database and cache ports of that region (for example the cluster's node
    security group and the CI runners' for migrations)."""
    cfg = platform.cfg
    clients = client_security_groups or {}
    tier = DataTier()
    regions = [region.name for region in cfg.regions.all()]
    database = cfg.section(DatabaseConfig)
    if database.enabled:
        db_regions = regions if database.global_database else regions[:1]
        primary: Database | None = None
        for region in db_regions:
            made = _database(platform, region, networks[region], clients.get(region, {}), primary)
            tier.databases[region] = made
            primary = primary or made
    if cfg.section(CacheConfig).enabled:
        for region in regions:
            tier.caches[region] = _cache(platform, region, networks[region], clients.get(region, {}))
    return tier


def _database(
    platform: Platform,
    region: str,
    network: Network,
    clients: Mapping[str, pulumi.Input[str]],
    primary: Database | None,
) -> Database:
    section = platform.cfg.section(DatabaseConfig)
    return Database(
        f"{platform.name(region)}-db",
        DatabaseArgs(
            vpc_id=network.vpc_id,
            db_subnet_group_name=network.db_subnet_group_name,
            subnet_ids=network.subnet_ids["data"],
            availability_zones=network.az_names,
            engine_version=section.engine_version,
            instance_class=section.instance_class,
            instance_count=section.instances if primary is None else section.secondary_instances,
            min_acu=section.min_acu,
            max_acu=section.max_acu,
            seconds_until_auto_pause=section.seconds_until_auto_pause,
            backup_retention_days=section.backup_retention_days,
            backup_window=section.backup_window,
            maintenance_window=section.maintenance_window,
            deletion_protection=section.deletion_protection,
            log_retention_days=section.log_retention_days,
            log_min_duration_statement_ms=section.log_min_duration_statement_ms,
            monitoring_interval_seconds=section.monitoring_interval_seconds,
            database_insights_mode=section.database_insights,
            enable_proxy=section.enable_proxy,
            enable_global_database=section.global_database and primary is None,
            secondary_of=primary,
            client_security_group_ids=clients,
            backup_tags=tags_for(platform.cfg),
        ),
        opts=platform.options(region),
        protect=platform.protect,
    )


def _cache(
    platform: Platform, region: str, network: Network, clients: Mapping[str, pulumi.Input[str]]
) -> Cache:
    section = platform.cfg.section(CacheConfig)
    token = section.auth_token
    return Cache(
        f"{platform.name(region)}-cache",
        CacheArgs(
            vpc_id=network.vpc_id,
            subnet_group_name=network.cache_subnet_group_name,
            engine_version=section.engine_version,
            node_type=section.node_type,
            replicas=section.replicas,
            enable_multi_az=section.multi_az,
            snapshot_retention_days=section.snapshot_retention_days,
            snapshot_window=section.snapshot_window,
            maintenance_window=section.maintenance_window,
            auth_token=None if token is None else pulumi.Output.secret(token.get_secret_value()),
            log_retention_days=section.log_retention_days,
            client_security_group_ids=clients,
        ),
        opts=platform.options(region),
        protect=platform.protect,
    )


def outputs(tier: DataTier) -> dict[str, object]:
    """Endpoints and the names of the secrets, never a secret value."""
    return {
        "database": {
            region: {
                "cluster_identifier": db.cluster_identifier,
                "writer_endpoint": db.writer_endpoint,
                "reader_endpoint": db.reader_endpoint,
                "proxy_endpoint": db.proxy_endpoint,
                "port": db.port,
                "secret_arn": db.secret_arn,
                "security_group_id": db.security_group_id,
                "global_cluster_id": db.global_cluster_id,
                "kms_key_arn": db.kms_key_arn,
            }
            for region, db in tier.databases.items()
        },
        "cache": {
            region: {
                "primary_endpoint": cache.primary_endpoint,
                "reader_endpoint": cache.reader_endpoint,
                "port": cache.port,
                "auth_token_secret_arn": cache.auth_token_secret_arn,
                "security_group_id": cache.security_group_id,
            }
            for region, cache in tier.caches.items()
        },
    }
