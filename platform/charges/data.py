"""What the data stores bill: Aurora (capacity, storage, I/O, proxy), the cache, AWS Backup and
S3 replication (queues, buckets and vaults: `operations.PER_USAGE`; the realtime table:
`serverless`)."""

from __future__ import annotations

from social_platform.costbook import (
    HOURS_PER_MONTH,
    Charge,
    Context,
    assumed,
    rule,
)
from social_platform.render import RenderedResource


@rule("aws:rds/cluster:Cluster")
def _aurora_cluster(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    gb, said_gb = assumed(ctx, "db_storage_gb", " GB")
    io, said_io = assumed(ctx, "db_io_millions", "M")
    charges = [
        Charge("storage", "aurora.storage_gb_month", gb, region, assumption=said_gb),
        Charge("I/O requests", "aurora.io_million", io, region, assumption=said_io),
    ]
    global_id = r.inputs.get("globalClusterIdentifier")
    global_cluster = ctx.by_id(global_id) if global_id else None
    if global_cluster and ctx.region_of(global_cluster) != region:
        charges.append(
            Charge(
                "replicated write I/Os (global database)",
                "aurora.replicated_io_million",
                io,
                region,
                assumption=said_io,
            )
        )
    return charges


def _acu_hours(instance: RenderedResource, ctx: Context) -> tuple[float, str]:
    cluster = ctx.by_id(instance.inputs["clusterIdentifier"])
    scaling = (cluster.inputs if cluster else {}).get("serverlessv2ScalingConfiguration", {})
    minimum = float(scaling.get("minCapacity", 0.5))
    average, said = assumed(ctx, "db_average_acu", " ACU")
    acu = max(minimum, average)
    if minimum == 0:
        hours, said_hours = assumed(ctx, "db_active_hours", " h")
        return acu * hours, f"{said}, {said_hours} (min_acu 0 pauses when idle)"
    return acu * HOURS_PER_MONTH, f"{said} (min_acu {minimum:g})"


@rule("aws:rds/clusterInstance:ClusterInstance")
def _aurora_instance(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    klass = r.inputs["instanceClass"]
    if klass != "db.serverless":
        return [Charge(f"{klass} instance", "rds.instance_hour", HOURS_PER_MONTH, region, klass)]
    acu_hours, said = _acu_hours(r, ctx)
    return [Charge("Serverless v2 capacity", "aurora.acu_hour", acu_hours, region, assumption=said)]


@rule("aws:rds/proxy:Proxy")
def _rds_proxy(r: RenderedResource, ctx: Context) -> list[Charge]:
    instances = ctx.siblings(r, "aws:rds/clusterInstance:ClusterInstance")
    acu_hours = [_acu_hours(i, ctx) for i in instances if i.inputs["instanceClass"] == "db.serverless"]
    total = sum(hours for hours, _ in acu_hours)
    minimum = 8 * HOURS_PER_MONTH
    said = (acu_hours[0][1] if acu_hours else "") + ", billed for at least 8 ACUs"
    return [
        Charge(
            "proxy capacity (ACUs of its cluster)",
            "rds_proxy.acu_hour",
            max(total, minimum),
            ctx.region_of(r),
            assumption=said,
        )
    ]


@rule("aws:elasticache/replicationGroup:ReplicationGroup")
def _cache(r: RenderedResource, ctx: Context) -> list[Charge]:
    nodes = float(r.inputs.get("numCacheClusters", 1))
    node_type = r.inputs["nodeType"]
    return [
        Charge(
            f"{nodes:g} x {node_type}",
            "elasticache.node_hour",
            nodes * HOURS_PER_MONTH,
            ctx.region_of(r),
            node_type,
        )
    ]


@rule("aws:backup/plan:Plan")
def _backup_plan(r: RenderedResource, ctx: Context) -> list[Charge]:
    """Copies to another region are billed as cross-region transfer, per GB copied."""
    region = ctx.region_of(r)
    gb, said = assumed(ctx, "backup_copied_gb", " GB")
    destinations = [
        str(copy.get("destinationVaultArn", ""))
        for rule in r.inputs.get("rules", [])
        for copy in rule.get("copyActions", []) or []
    ]
    elsewhere = [arn for arn in destinations if arn.split(":")[3:4] != [region]]
    return [
        Charge("copy to another region", "backup.cross_region_gb", gb, region, assumption=said)
        for _ in elsewhere
    ]


@rule("aws:s3/bucketReplicationConfig:BucketReplicationConfig")
def _replication(r: RenderedResource, ctx: Context) -> list[Charge]:
    """Cross-region transfer per GB replicated, and Replication Time Control's fee where it is on.
    (The replica's storage is its own bucket's charge.)"""
    region = ctx.region_of(r)
    gb, said = assumed(ctx, "replicated_gb", " GB")
    charges = []
    for rule_ in r.inputs.get("rules", []):
        charges.append(
            Charge("replication to another region", "s3.replication_gb", gb, region, assumption=said)
        )
        if ((rule_.get("destination") or {}).get("replicationTime") or {}).get("status") == "Enabled":
            charges.append(
                Charge(
                    "Replication Time Control", "s3.replication_time_control_gb", gb, region, assumption=said
                )
            )
    return charges
