"""Arguments of the `Database` component."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pulumi

if TYPE_CHECKING:
    from social_components.database.component import Database

MonitoringInterval = Literal[1, 5, 10, 15, 30, 60]
DatabaseInsightsMode = Literal["standard", "advanced"]


@dataclass(frozen=True)
class DatabaseArgs:
    vpc_id: pulumi.Input[str]
    """VPC of the cluster's security groups."""
    db_subnet_group_name: pulumi.Input[str]
    """DB subnet group over the data subnets (`Network.db_subnet_group_name`)."""
    subnet_ids: Sequence[pulumi.Input[str]] = ()
    """The data subnets, for the RDS Proxy's network interfaces. Required when `enable_proxy`."""
    availability_zones: pulumi.Input[Sequence[str]] | None = None
    """AZs to spread the instances over, in order (instance i goes to AZ i mod n;
    `Network.az_names`). Unset: RDS places the instances."""
    engine_version: str = "16.6"
    """Pinned Aurora PostgreSQL version 'major.minor'; minor upgrades are a reviewed change of this value
    (automatic minor upgrades are off so the running version always matches the code)."""
    instance_class: str = "db.serverless"
    """``db.serverless`` for Aurora Serverless v2 (scaled between `min_acu` and `max_acu`), or a
    provisioned class such as ``db.r7g.large``."""
    instance_count: int = 2
    """Instances: one writer plus readers, spread over `availability_zones` (1 to 16). Two or more
    give a failover target in another AZ."""
    min_acu: float = 0.5
    """Serverless v2 minimum capacity (0 to 256 in 0.5 steps); 0 lets the cluster pause when idle."""
    max_acu: float = 16
    """Serverless v2 maximum capacity (1 to 256)."""
    seconds_until_auto_pause: int | None = None
    """Idle time before a cluster with `min_acu` 0 pauses (300 to 86400). Unset: AWS's default (300)."""
    database_name: str = "app"
    """Database created in the cluster (not used by a secondary cluster, which replicates the primary)."""
    master_username: str = "dbadmin"
    """Master user (not used by a secondary cluster)."""
    port: int = 5432
    backup_retention_days: int = 14
    """Automated backups kept (1 to 35 days)."""
    backup_window: str = "01:00-02:00"
    """Daily backup window, UTC (at least 30 minutes, apart from `maintenance_window`)."""
    maintenance_window: str = "sun:03:00-sun:04:00"
    """Weekly maintenance window, UTC, for the cluster and its instances."""
    deletion_protection: bool = True
    """RDS deletion protection on the cluster (and the global cluster)."""
    log_retention_days: int = 365
    """Retention of the exported PostgreSQL log group (a value CloudWatch Logs accepts)."""
    log_min_duration_statement_ms: int = 1000
    """Statements slower than this are logged with their duration (0 logs all, -1 none)."""
    monitoring_interval_seconds: MonitoringInterval = 60
    """Enhanced Monitoring granularity (always on, with its own IAM role)."""
    database_insights_mode: DatabaseInsightsMode = "standard"
    """Database Insights mode. ``advanced`` keeps Performance Insights data 465 days (15 months, as
    AWS requires); ``standard`` keeps the free 7 days."""
    enable_proxy: bool = False
    """An RDS Proxy (connection pooling; Secrets Manager auth to the database, TLS and IAM auth
    required from clients). Unset: applications connect to the cluster endpoints."""
    proxy_max_connections_percent: int = 90
    """Share of the database's max_connections the proxy may open (1 to 100)."""
    enable_global_database: bool = False
    """Make this cluster the primary of a new Aurora Global Database. The master password is then a
    generated Pulumi secret kept in Secrets Manager (RDS-managed passwords do not work with global
    clusters). Unset: a regional cluster whose master password RDS manages in Secrets Manager."""
    secondary_of: Database | None = None
    """Join that primary `Database`'s global cluster as a read-only secondary cluster in this
    component's region (its provider). It gets its own KMS key and a copy of the master secret.
    Unset: this is a primary or a regional cluster."""
    backup_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags that put the Aurora cluster under a backup plan (`social_components.backup`: for example
    ``{"BackupPlan": "prod"}``). Unset: no backup plan selects it by tag."""
    client_security_group_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Security groups, by a stable name, admitted to port 5432 (cluster and proxy). More can be
    added later with `Database.allow_from`. Unset: nothing can connect yet."""
