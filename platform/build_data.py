"""Build step: the data tier. Aurora PostgreSQL (a global database in prod) and a Valkey cache.

- Database: one per stack in the primary region; with `database.global_database` (prod) the primary
  region's cluster is the primary of an Aurora Global Database and the secondary region gets a
  read-only secondary cluster, each through its own region's provider.
- Cache: one per region of the stack (each region's pods use their local cache).
Clients are admitted by security group only: `client_security_groups` (per region, by name), or
later with `DataTier.allow_from`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pulumi

from social_components.cache import Cache, CacheArgs
from social_components.database import Database, DatabaseArgs

if TYPE_CHECKING:
    from social_components.network import Network
    from social_platform.program import Platform


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


def build_data(
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
    if cfg.database.enabled:
        db_regions = regions if cfg.database.global_database else regions[:1]
        primary: Database | None = None
        for region in db_regions:
            database = _database(platform, region, networks[region], clients.get(region, {}), primary)
            tier.databases[region] = database
            primary = primary or database
    if cfg.cache.enabled:
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
    section = platform.cfg.database
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
        ),
        opts=pulumi.ResourceOptions(provider=platform.providers.get(platform.cfg.environment.name, region)),
        protect=platform.protect,
    )


def _cache(
    platform: Platform, region: str, network: Network, clients: Mapping[str, pulumi.Input[str]]
) -> Cache:
    section = platform.cfg.cache
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
        opts=pulumi.ResourceOptions(provider=platform.providers.get(platform.cfg.environment.name, region)),
        protect=platform.protect,
    )


def data_outputs(tier: DataTier) -> dict[str, object]:
    """Endpoints and the names of the secrets, never a secret value."""
    return {
        "database": {
            region: {
                "writer_endpoint": db.writer_endpoint,
                "reader_endpoint": db.reader_endpoint,
                "proxy_endpoint": db.proxy_endpoint,
                "port": db.port,
                "secret_arn": db.secret_arn,
                "security_group_id": db.security_group_id,
                "global_cluster_id": db.global_cluster_id,
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
