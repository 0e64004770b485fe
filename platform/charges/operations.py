"""What watching and auditing bill: flat monthly items (keys, secrets, alarms, dashboards), log
groups, metric filters, CloudTrail data events, AWS Config, GuardDuty, Security Hub, Inspector."""

from __future__ import annotations

from social_platform.costbook import (
    Charge,
    Context,
    assumed,
    rule,
)
from social_platform.render import RenderedResource

FLAT_MONTHLY: dict[str, tuple[str, str]] = {
    "aws:kms/key:Key": ("customer managed key", "kms.key_month"),
    "aws:secretsmanager/secret:Secret": ("secret", "secrets.secret_month"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("standard-resolution alarm", "cloudwatch.alarm_month"),
    "aws:cloudwatch/compositeAlarm:CompositeAlarm": ("composite alarm", "cloudwatch.composite_alarm_month"),
    "aws:cloudwatch/dashboard:Dashboard": ("dashboard", "cloudwatch.dashboard_month"),
}
"""Types billed a flat price per resource and month: type → (what, price line)."""


def _flat_monthly(r: RenderedResource, ctx: Context) -> list[Charge]:
    what, price = FLAT_MONTHLY[r.type]
    return [Charge(what, price, 1, ctx.region_of(r))]


rule(*FLAT_MONTHLY)(_flat_monthly)


@rule("aws:cloudwatch/logGroup:LogGroup")
def _log_group(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    gb, said = assumed(ctx, "log_ingest_gb", " GB")
    retention = r.inputs.get("retentionInDays")
    months = float(retention) / 30 if retention else 12.0  # never-expiring groups: a year's worth
    return [
        Charge("ingestion", "logs.ingest_gb", gb, region, assumption=said),
        Charge(
            f"storage ({retention or 'no'} days retention)",
            "logs.stored_gb_month",
            gb * months,
            region,
            assumption=said,
        ),
    ]


@rule("aws:cloudtrail/trail:Trail")
def _trail(r: RenderedResource, ctx: Context) -> list[Charge]:
    # The account's only trail: its copy of management events is free; data events are billed.
    if not any(s.get("dataResources") for s in r.inputs.get("eventSelectors", [])):
        return []
    events, said = assumed(ctx, "trail_data_events_millions", "M")
    return [
        Charge(
            "S3 data events", "cloudtrail.data_events_100k", events * 10, ctx.region_of(r), assumption=said
        )
    ]


@rule("aws:cloudwatch/logMetricFilter:LogMetricFilter")
def _metric_filter(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge("custom metric it publishes", "cloudwatch.metric_month", 1, ctx.region_of(r))]


PER_USAGE: dict[str, tuple[str, str, str, str]] = {
    "aws:cfg/recorder:Recorder": ("configuration items recorded", "config.item", "config_items", " items"),
    "aws:guardduty/detector:Detector": (
        "CloudTrail events analysed (other protection plans not priced)",
        "guardduty.cloudtrail_million",
        "guardduty_events_millions",
        "M",
    ),
    "aws:securityhub/account:Account": (
        "security checks",
        "securityhub.check",
        "security_hub_checks",
        " checks",
    ),
    "aws:inspector2/enabler:Enabler": (
        "EC2 instances scanned",
        "inspector.instance_month",
        "workload_nodes",
        " nodes",
    ),
    "aws:sqs/queue:Queue": ("requests", "sqs.million_requests", "queue_requests_millions", "M"),
    "aws:s3/bucket:Bucket": ("storage (S3 Standard)", "s3.gb_month", "bucket_storage_gb", " GB"),
    "aws:backup/vault:Vault": (
        "recovery point storage (warm)",
        "backup.gb_month",
        "backup_storage_gb",
        " GB",
    ),
}
"""Types billed one price line times one usage assumption: type → (what, price line, usage field, unit)."""


def _per_usage(r: RenderedResource, ctx: Context) -> list[Charge]:
    what, price, field, unit = PER_USAGE[r.type]
    quantity, said = assumed(ctx, field, unit)
    return [Charge(what, price, quantity, ctx.region_of(r), assumption=said)]


rule(*PER_USAGE)(_per_usage)
