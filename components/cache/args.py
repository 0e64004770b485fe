"""Arguments of the `Cache` component."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

import pulumi

MaxmemoryPolicy = Literal[
    "allkeys-lru", "allkeys-lfu", "volatile-lru", "volatile-lfu", "volatile-ttl", "noeviction"
]


@dataclass(frozen=True)
class CacheArgs:
    vpc_id: pulumi.Input[str]
    """VPC of the cache's security group."""
    subnet_group_name: pulumi.Input[str]
    """ElastiCache subnet group over the data subnets (`Network.cache_subnet_group_name`)."""
    engine_version: str = "8.0"
    """Pinned Valkey version 'major.minor' (7.2 or 8.x); upgrades are a reviewed change of this value."""
    node_type: str = "cache.r7g.large"
    """Node type of the primary and every replica."""
    replicas: int = 2
    """Read replicas beside the primary (0 to 5). At least one gives automatic failover."""
    enable_multi_az: bool = True
    """Multi-AZ: replicas in other AZs and automatic failover to them (needs `replicas` ≥ 1)."""
    snapshot_retention_days: int = 7
    """Daily snapshots kept (0 to 35; 0 turns automatic snapshots off). A final snapshot is taken on
    delete whatever this says."""
    snapshot_window: str = "02:00-03:00"
    """Daily snapshot window, UTC (at least 60 minutes, apart from `maintenance_window`)."""
    maintenance_window: str = "sun:04:30-sun:05:30"
    """Weekly maintenance window, UTC (at least 60 minutes)."""
    auth_token: pulumi.Input[str] | None = None
    """AUTH token clients present (16 to 128 printable characters, no space, '"', '/' or '@'); pass
    a Pulumi secret. Unset: a random 64-character token is generated (a Pulumi secret)."""
    maxmemory_policy: MaxmemoryPolicy = "allkeys-lru"
    """What Valkey evicts when memory is full. A cache evicts least-recently-used keys rather than
    failing writes."""
    log_retention_days: int = 365
    """Retention of the slow-log and engine-log groups (a value CloudWatch Logs accepts)."""
    port: int = 6379
    client_security_group_ids: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Security groups, by a stable name, admitted to the cache port. More can be added later with
    `Cache.allow_from`. Unset: nothing can connect yet."""
