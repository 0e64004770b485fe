"""`cost <stack>`: an offline monthly estimate of a rendered stack.

The estimate reads the same `RenderedStack` as the tests, the policies and the preview: each
resource type the render can contain either has a pricing rule here (`RULES`) or is on the
reviewed list of types that cost nothing by themselves (`FREE`, each with its reason). A type on
neither list stops the estimate (`UncoveredTypes`): nothing is priced as a silent zero.

Prices come from `prices.yaml` (one line per price, item and region, each with its source and the
date it was read). A charge whose line has no price (`usd: null`, "not found by search") is shown
as UNPRICED and left out of the total, which says how many were left out. What the render cannot
know (users, traffic, log volume…) comes from the stack's `usage` config section, whose tier
defaults are printed beside the figures.
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from social_platform import stackfiles
from social_platform.areas.usage import UsageConfig
from social_platform.config import load_config
from social_platform.errors import ConfigError
from social_platform.preview import config_error_text, stacks_parser
from social_platform.render import RenderedResource, RenderedStack, render

HOURS_PER_MONTH = 730
IMAGE_STORAGE_GB_PER_REPOSITORY = 5.0
"""Image storage of one repository once its lifecycle policy holds it steady (releases, a week of builds)."""
IMAGE_SCANS_PER_MONTH = 100.0
"""Images a region's registry receives per month (pushes, replicas), each scanned by Inspector once."""
ALB_AVERAGE_LCU = 1.0
"""Load balancer capacity units an API load balancer uses on average (ELB bills the busiest dimension)."""
"""The month AWS's pricing calculator bills always-on resources for (24 * 365 / 12)."""
PRICES_FILE = Path(__file__).with_name("prices.yaml")
GLOBAL = "global"
"""Region of charges that AWS bills globally (CloudFront, Route 53)."""
ANY_REGION = "all"
"""A price line that holds in every region."""


# ---------------------------------------------------------------------------------------------
# The price table


@dataclass(frozen=True)
class PriceLine:
    price: str
    region: str
    usd: float | None
    per: str
    source: str
    read: str
    region_verified: bool
    item: str | None = None


class PriceTable:
    def __init__(self, lines: Iterable[PriceLine]) -> None:
        self.lines = list(lines)
        self._index = {(line.price, line.item, line.region): line for line in self.lines}

    @classmethod
    def load(cls, path: Path = PRICES_FILE) -> PriceTable:
        lines = []
        for raw in yaml.safe_load(path.read_text())["lines"]:
            fields: dict[str, Any] = dict(raw)
            fields["read"] = str(fields["read"])  # YAML reads 2026-12-01 as a date
            lines.append(PriceLine(**fields))
        return cls(lines)

    def find(self, price: str, item: str | None, region: str) -> PriceLine | None:
        """The line for `region`, else the line that holds in every region."""
        return self._index.get((price, item, region)) or self._index.get((price, item, ANY_REGION))


@cache
def price_table() -> PriceTable:
    return PriceTable.load()


# ---------------------------------------------------------------------------------------------
# Charges: what a resource bills, in quantities of priced units


@dataclass(frozen=True)
class Charge:
    what: str
    price: str
    quantity: float
    region: str
    item: str | None = None
    assumption: str | None = None
    """The usage assumption the quantity rests on (None: read from the render)."""


@dataclass
class CostLine:
    resource: str
    type: str
    component: str
    charge: Charge
    line: PriceLine

    @property
    def usd(self) -> float | None:
        return None if self.line.usd is None else self.line.usd * self.charge.quantity


class UncoveredTypes(Exception):
    """The render holds resource types with neither a pricing rule nor a reviewed free entry."""

    def __init__(self, types: Iterable[str]) -> None:
        self.types = sorted(set(types))
        super().__init__(
            "no pricing rule and not on the reviewed free list: "
            + ", ".join(self.types)
            + " (add a rule in platform/cost.py RULES, or an entry with its reason in FREE)"
        )


class MissingPrices(Exception):
    """A charge has no line in the price table (a line may say 'not found', but it must exist)."""

    def __init__(self, missing: Iterable[tuple[str, str | None, str]]) -> None:
        self.missing = sorted(set(missing), key=str)
        listed = ", ".join(f"{p}[{i}] in {r}" if i else f"{p} in {r}" for p, i, r in self.missing)
        super().__init__(f"no line in platform/prices.yaml for: {listed}")


@dataclass
class Context:
    stack: RenderedStack
    usage: UsageConfig

    def region_of(self, resource: RenderedResource) -> str:
        """Where a resource runs: its provider's region, else (Kubernetes objects) its cluster's."""
        region = self.stack.placement(resource)[1]
        if region is None:
            raise ValueError(f"cannot place {resource.urn} in a region")
        return region

    def by_id(self, id_: str) -> RenderedResource | None:
        return next((r for r in self.stack if r.id == id_), None)

    def siblings(self, resource: RenderedResource, type_: str) -> list[RenderedResource]:
        return [r for r in self.stack.children(resource.parent or "") if r.type == type_]


Rule = Callable[[RenderedResource, Context], list[Charge]]
RULES: dict[str, Rule] = {}


def rule(*types: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for type_ in types:
            RULES[type_] = fn
        return fn

    return register


def _usage(ctx: Context, name: str, unit: str = "") -> tuple[float, str]:
    value = getattr(ctx.usage, name)
    return float(value), f"usage.{name} = {value:g}{unit}"


def _gib(size: Any) -> float:
    """A volume size as the render holds it: a number of GiB or a Kubernetes quantity ("50Gi")."""
    if isinstance(size, int | float):
        return float(size)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)Gi", str(size))
    if not match:
        raise ValueError(f"unexpected volume size {size!r}")
    return float(match.group(1))


def _volume_charges(mappings: list[dict[str, Any]], instance_hours: float, region: str) -> list[Charge]:
    charges = []
    for mapping in mappings or []:
        ebs = mapping.get("ebs") or {}
        size = _gib(ebs.get("volumeSize", 0))
        kind = ebs.get("volumeType", "gp3")
        charges.append(
            Charge(
                f"{kind} volumes ({size:g} GiB each)",
                f"ebs.{kind}_gb_month",
                size * instance_hours / HOURS_PER_MONTH,
                region,
            )
        )
    return charges


@rule("eks:index:Cluster")
def _eks(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge("control plane", "eks.cluster_hour", HOURS_PER_MONTH, ctx.region_of(r))]


@rule("aws:eks/nodeGroup:NodeGroup")
def _node_group(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    nodes = float(r.inputs["scalingConfig"]["desiredSize"])
    itype = r.inputs["instanceTypes"][0]
    hours = nodes * HOURS_PER_MONTH
    charges = [Charge(f"{nodes:g} x {itype} (desired size)", "ec2.instance_hour", hours, region, itype)]
    template = ctx.by_id(r.inputs.get("launchTemplate", {}).get("id", ""))
    if template:
        charges += _volume_charges(template.inputs.get("blockDeviceMappings", []), hours, region)
    return charges


@rule("kubernetes:karpenter.sh/v1:NodePool")
def _node_pool(r: RenderedResource, ctx: Context) -> list[Charge]:
    if r.inputs["metadata"]["name"] != "general":
        return []  # extra pools scale from zero; the workload baseline is priced on the general pool
    region = ctx.region_of(r)
    nodes, said = _usage(ctx, "workload_nodes", " nodes")
    itype = ctx.usage.workload_node_type
    hours = nodes * HOURS_PER_MONTH
    charges = [
        Charge(f"Karpenter workload nodes as {itype}", "ec2.instance_hour", hours, region, itype, said)
    ]
    for node_class in ctx.siblings(r, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        charges += [
            Charge(c.what, c.price, c.quantity, c.region, c.item, said)
            for c in _volume_charges(node_class.inputs["spec"].get("blockDeviceMappings", []), hours, region)
        ]
    return charges


@rule("aws:autoscaling/group:Group")
def _auto_scaling_group(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    spec = r.inputs.get("launchTemplate") or {}
    template_id = spec.get("id") or r.inputs.get("mixedInstancesPolicy", {}).get("launchTemplate", {}).get(
        "launchTemplateSpecification", {}
    ).get("launchTemplateId")
    template = ctx.by_id(template_id or "")
    inputs = template.inputs if template else {}
    if inputs.get("instanceType"):
        itype = inputs["instanceType"]
        desired = float(r.inputs.get("desiredCapacity", r.inputs.get("minSize", 0)))
        hours, said = desired * HOURS_PER_MONTH, None
        what = f"{desired:g} x {itype} (desired capacity)"
    else:  # instances chosen by attributes: priced from the usage assumption
        itype = ctx.usage.ci_worker_instance_type
        hours, said = _usage(ctx, "ci_worker_hours", " instance-hours")
        said += f", priced as usage.ci_worker_instance_type = {itype}"
        what = f"workers chosen by attributes, priced as {itype}"
    if hours == 0:
        return []
    charges = [Charge(what, "ec2.instance_hour", hours, region, itype, said)]
    return charges + [
        Charge(c.what, c.price, c.quantity, c.region, c.item, said)
        for c in _volume_charges(inputs.get("blockDeviceMappings", []), hours, region)
    ]


@rule("aws:ec2/natGateway:NatGateway")
def _nat(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    gb, said = _usage(ctx, "nat_processed_gb", " GB")
    return [
        Charge("gateway hours", "nat.hour", HOURS_PER_MONTH, region),
        Charge("data processed", "nat.gb", gb, region, assumption=said),
    ]


@rule("aws:ec2/eip:Eip")
def _eip(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge("public IPv4 address", "ipv4.hour", HOURS_PER_MONTH, ctx.region_of(r))]


@rule("aws:ec2/vpcEndpoint:VpcEndpoint")
def _endpoint(r: RenderedResource, ctx: Context) -> list[Charge]:
    if r.inputs.get("vpcEndpointType") != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) have no hourly or data charge
    region = ctx.region_of(r)
    zones = len(r.inputs.get("subnetIds", []))
    gb, said = _usage(ctx, "endpoint_processed_gb", " GB")
    return [
        Charge(f"interface endpoint in {zones} AZs", "endpoint.az_hour", zones * HOURS_PER_MONTH, region),
        Charge("data processed", "endpoint.gb", gb, region, assumption=said),
    ]


@rule("aws:rds/cluster:Cluster")
def _aurora_cluster(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    gb, said_gb = _usage(ctx, "db_storage_gb", " GB")
    io, said_io = _usage(ctx, "db_io_millions", "M")
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
    average, said = _usage(ctx, "db_average_acu", " ACU")
    acu = max(minimum, average)
    if minimum == 0:
        hours, said_hours = _usage(ctx, "db_active_hours", " h")
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


@rule("aws:cloudfront/distribution:Distribution")
def _distribution(r: RenderedResource, ctx: Context) -> list[Charge]:
    gb, said_gb = _usage(ctx, "cdn_egress_gb", " GB")
    requests, said_requests = _usage(ctx, "cdn_requests_millions", "M")
    return [
        Charge("data transfer to viewers", "cloudfront.gb", gb, GLOBAL, assumption=said_gb),
        Charge("HTTPS requests", "cloudfront.https_10k", requests * 100, GLOBAL, assumption=said_requests),
    ]


@rule("aws:cloudfront/function:Function")
def _function(r: RenderedResource, ctx: Context) -> list[Charge]:
    requests, said = _usage(ctx, "cdn_requests_millions", "M")
    return [
        Charge(
            "invocations (every viewer request)",
            "cloudfront.function_million",
            requests,
            GLOBAL,
            assumption=said,
        )
    ]


@rule("aws:wafv2/webAcl:WebAcl")
def _web_acl(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    rules = len(r.inputs.get("rules", []))
    usage = "cdn_requests_millions" if r.inputs.get("scope") == "CLOUDFRONT" else "api_requests_millions"
    requests, said = _usage(ctx, usage, "M")
    return [
        Charge("web ACL", "waf.acl_month", 1, region),
        Charge(f"{rules} rules", "waf.rule_month", rules, region),
        Charge("requests inspected", "waf.million_requests", requests, region, assumption=said),
    ]


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
    gb, said = _usage(ctx, "log_ingest_gb", " GB")
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


@rule("aws:route53/zone:Zone")
def _zone(r: RenderedResource, ctx: Context) -> list[Charge]:
    queries, said = _usage(ctx, "dns_queries_millions", "M")
    return [
        Charge("hosted zone", "route53.zone_month", 1, GLOBAL),
        Charge("queries", "route53.query_million", queries, GLOBAL, assumption=said),
    ]


@rule("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    kind = r.inputs.get("loadBalancerType", "application")
    return [
        Charge(f"{kind} load balancer hours", "elb.alb_hour", HOURS_PER_MONTH, region),
        Charge(
            "capacity units",
            "elb.lcu_hour",
            HOURS_PER_MONTH * ALB_AVERAGE_LCU,
            region,
            assumption=f"{ALB_AVERAGE_LCU:g} LCU on average (25 new connections/s, 3,000 active/min, 1 GB/h)",
        ),
    ]


@rule("aws:ecr/repository:Repository")
def _repository(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [
        Charge(
            "image storage",
            "ecr.gb_month",
            IMAGE_STORAGE_GB_PER_REPOSITORY,
            ctx.region_of(r),
            assumption=f"{IMAGE_STORAGE_GB_PER_REPOSITORY:g} GB of images kept per repository",
        )
    ]


@rule("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
def _image_scanning(r: RenderedResource, ctx: Context) -> list[Charge]:
    if r.inputs.get("scanType") != "ENHANCED":
        return []
    return [
        Charge(
            "Amazon Inspector image scans",
            "inspector.ecr_image_scan",
            IMAGE_SCANS_PER_MONTH,
            ctx.region_of(r),
            assumption=f"{IMAGE_SCANS_PER_MONTH:g} images pushed or replicated per month",
        )
    ]


@rule("aws:route53/healthCheck:HealthCheck")
def _health_check(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge(f"{r.inputs.get('type', 'HTTP')} health check", "route53.health_check_month", 1, GLOBAL)]


@rule("aws:cognito/userPool:UserPool")
def _user_pool(r: RenderedResource, ctx: Context) -> list[Charge]:
    admins = r.name.endswith("admins")
    users, said = _usage(ctx, "admin_users" if admins else "active_users", " MAU")
    tier = r.inputs.get("userPoolTier", "ESSENTIALS")
    return [Charge(f"monthly active users ({tier})", "cognito.mau", users, ctx.region_of(r), tier, said)]


@rule("aws:ivs/channel:Channel")
def _channel(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    kind = r.inputs.get("type", "STANDARD")
    hours, said_in = _usage(ctx, "streaming_input_hours", " h")
    viewers, said_out = _usage(ctx, "streaming_viewer_hours", " h")
    return [
        Charge(f"video input ({kind})", "ivs.input_hour", hours, region, kind, said_in),
        Charge("video output to viewers", "ivs.output_hour", viewers, region, assumption=said_out),
    ]


@rule("aws:ivschat/room:Room")
def _chat(r: RenderedResource, ctx: Context) -> list[Charge]:
    messages, said = _usage(ctx, "chat_messages_millions", "M")
    return [
        Charge("messages delivered", "ivschat.message_million", messages, ctx.region_of(r), assumption=said)
    ]


@rule("aws:sqs/queue:Queue")
def _queue(r: RenderedResource, ctx: Context) -> list[Charge]:
    requests, said = _usage(ctx, "queue_requests_millions", "M")
    return [Charge("requests", "sqs.million_requests", requests, ctx.region_of(r), assumption=said)]


@rule("aws:s3/bucket:Bucket")
def _bucket(r: RenderedResource, ctx: Context) -> list[Charge]:
    gb, said = _usage(ctx, "bucket_storage_gb", " GB")
    return [Charge("storage (S3 Standard)", "s3.gb_month", gb, ctx.region_of(r), assumption=said)]


@rule("aws:cloudtrail/trail:Trail")
def _trail(r: RenderedResource, ctx: Context) -> list[Charge]:
    # The account's only trail: its copy of management events is free; data events are billed.
    if not any(s.get("dataResources") for s in r.inputs.get("eventSelectors", [])):
        return []
    events, said = _usage(ctx, "trail_data_events_millions", "M")
    return [
        Charge(
            "S3 data events", "cloudtrail.data_events_100k", events * 10, ctx.region_of(r), assumption=said
        )
    ]


@rule("aws:cfg/recorder:Recorder")
def _config_recorder(r: RenderedResource, ctx: Context) -> list[Charge]:
    items, said = _usage(ctx, "config_items", " items")
    return [Charge("configuration items recorded", "config.item", items, ctx.region_of(r), assumption=said)]


@rule("aws:guardduty/detector:Detector")
def _guardduty(r: RenderedResource, ctx: Context) -> list[Charge]:
    events, said = _usage(ctx, "guardduty_events_millions", "M")
    return [
        Charge(
            "CloudTrail events analysed (other protection plans not priced)",
            "guardduty.cloudtrail_million",
            events,
            ctx.region_of(r),
            assumption=said,
        )
    ]


@rule("aws:securityhub/account:Account")
def _security_hub(r: RenderedResource, ctx: Context) -> list[Charge]:
    checks, said = _usage(ctx, "security_hub_checks", " checks")
    return [Charge("security checks", "securityhub.check", checks, ctx.region_of(r), assumption=said)]


@rule("aws:inspector2/enabler:Enabler")
def _inspector(r: RenderedResource, ctx: Context) -> list[Charge]:
    nodes, said = _usage(ctx, "workload_nodes", " nodes")
    return [
        Charge("EC2 instances scanned", "inspector.instance_month", nodes, ctx.region_of(r), assumption=said)
    ]


@rule("aws:cloudwatch/logMetricFilter:LogMetricFilter")
def _metric_filter(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge("custom metric it publishes", "cloudwatch.metric_month", 1, ctx.region_of(r))]


@rule("aws:backup/vault:Vault")
def _vault(r: RenderedResource, ctx: Context) -> list[Charge]:
    gb, said = _usage(ctx, "backup_storage_gb", " GB")
    return [Charge("recovery point storage (warm)", "backup.gb_month", gb, ctx.region_of(r), assumption=said)]


@rule("aws:backup/plan:Plan")
def _backup_plan(r: RenderedResource, ctx: Context) -> list[Charge]:
    """Copies to another region are billed as cross-region transfer, per GB copied."""
    region = ctx.region_of(r)
    gb, said = _usage(ctx, "backup_copied_gb", " GB")
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
    gb, said = _usage(ctx, "replicated_gb", " GB")
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


_SERVERLESS = "usage not modelled yet: see docs/realtime.md; priced when the usage section has it"


@rule(
    "aws:lambda/function:Function",
    "aws:apigatewayv2/api:Api",
    "aws:dynamodb/table:Table",
    "aws:cloudwatch/eventBus:EventBus",
    "aws:scheduler/schedule:Schedule",
)
def _serverless(r: RenderedResource, ctx: Context) -> list[Charge]:
    """Pay-per-request services (realtime and wallet): shown UNPRICED until their usage is modelled."""
    price = {
        "aws:lambda/function:Function": "lambda.million_requests",
        "aws:apigatewayv2/api:Api": "apigateway.websocket_million_messages",
        "aws:dynamodb/table:Table": "dynamodb.million_requests",
        "aws:cloudwatch/eventBus:EventBus": "events.million_custom_events",
        "aws:scheduler/schedule:Schedule": "scheduler.million_invocations",
    }[r.type]
    return [Charge(f"requests ({_SERVERLESS})", price, 1, ctx.region_of(r))]


_CONFIG_ONLY = "configuration object, not billed"
_NETWORK = "VPC plumbing, not billed"
FREE: dict[str, str] = {
    # Reviewed list: each type costs nothing by itself, or is billed through another resource.
    "pulumi:providers:aws": "Pulumi provider, not an AWS resource",
    "pulumi:providers:kubernetes": "Pulumi provider, not an AWS resource",
    "pulumi:pulumi:StackReference": "reads another stack's outputs",
    "random:index/randomPassword:RandomPassword": "generated locally by Pulumi",
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": "a wait on validation, not a resource",
    "aws:backup/selection:Selection": _CONFIG_ONLY,
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": _CONFIG_ONLY,
    "aws:backup/vaultPolicy:VaultPolicy": _CONFIG_ONLY,
    "aws:cloudfront/originAccessControl:OriginAccessControl": _CONFIG_ONLY,
    "aws:cloudfront/vpcOrigin:VpcOrigin": "VPC origins have no additional charge (CloudFront pricing)",
    "aws:lb/listener:Listener": "part of the load balancer's hours and capacity units",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": _CONFIG_ONLY,
    "aws:ecr/repositoryPolicy:RepositoryPolicy": _CONFIG_ONLY,
    "aws:ecr/replicationConfiguration:ReplicationConfiguration": "billed as storage in the destination"
    " repositories (and cross-region transfer, not estimated)",
    "aws:lb/targetGroup:TargetGroup": "part of the load balancer's hours and capacity units",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": _CONFIG_ONLY,
    "aws:budgets/budget:Budget": "an account's first two active budgets are free ($0.02/day each beyond"
    " two: AWS Billing user guide, 'Managing your costs with AWS Budgets'); this is its only one",
    "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration": "AWS Chatbot has no charge of its"
    " own; its SNS notifications are billed as SNS deliveries",
    "aws:costexplorer/anomalyMonitor:AnomalyMonitor": "Cost Anomaly Detection is offered at no charge",
    "aws:costexplorer/anomalySubscription:AnomalySubscription": "Cost Anomaly Detection is offered at no"
    " charge",
    "aws:cloudwatch/eventRule:EventRule": "AWS service events on the default bus are not billed",
    "aws:cloudwatch/queryDefinition:QueryDefinition": "a saved query is not billed; running it is, as"
    " data scanned by Logs Insights (not modelled)",
    "aws:apigatewayv2/authorizer:Authorizer": "part of the API's price (its function is priced)",
    "aws:apigatewayv2/integration:Integration": "part of the API's price",
    "aws:apigatewayv2/route:Route": "part of the API's price",
    "aws:apigatewayv2/stage:Stage": "part of the API's price",
    "aws:apigatewayv2/apiMapping:ApiMapping": _CONFIG_ONLY,
    "aws:apigatewayv2/domainName:DomainName": "part of the API's price (its certificate is free)",
    "aws:apigateway/account:Account": _CONFIG_ONLY,
    "aws:lambda/permission:Permission": _CONFIG_ONLY,
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": _CONFIG_ONLY,
    "aws:cloudwatch/eventTarget:EventTarget": "billed, if at all, as its target's requests (SQS)",
    "aws:cloudwatch/logDelivery:LogDelivery": "priced at its destination log group",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination": "priced at its destination log group",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource": "priced at its destination log group",
    "aws:cognito/managedLoginBranding:ManagedLoginBranding": "part of the user pool's MAU price",
    "aws:cognito/resourceServer:ResourceServer": "part of the user pool's MAU price",
    "aws:cognito/riskConfiguration:RiskConfiguration": "part of the user pool's MAU price (Plus tier)",
    "aws:cognito/userGroup:UserGroup": "part of the user pool's MAU price",
    "aws:cognito/userPoolClient:UserPoolClient": "part of the pool's MAU price (no M2M grants)",
    "aws:cognito/userPoolDomain:UserPoolDomain": "part of the user pool's MAU price",
    "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl": _NETWORK,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _NETWORK,
    "aws:ec2/flowLog:FlowLog": "priced at its destination log group",
    "aws:ec2/internetGateway:InternetGateway": _NETWORK,
    "aws:ec2/launchTemplate:LaunchTemplate": "priced through the node group or auto scaling group using it",
    "aws:ec2/networkAcl:NetworkAcl": _NETWORK,
    "aws:ec2/route:Route": _NETWORK,
    "aws:ec2/routeTable:RouteTable": _NETWORK,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _NETWORK,
    "aws:ec2/securityGroup:SecurityGroup": _NETWORK,
    "aws:ec2/subnet:Subnet": _NETWORK,
    "aws:ec2/vpc:Vpc": _NETWORK,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _NETWORK,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _NETWORK,
    "aws:eks/accessEntry:AccessEntry": "part of the cluster's price",
    "aws:eks/addon:Addon": "part of the cluster's price (runs on the priced nodes)",
    "aws:eks/podIdentityAssociation:PodIdentityAssociation": "part of the cluster's price",
    "aws:elasticache/parameterGroup:ParameterGroup": _CONFIG_ONLY,
    "aws:elasticache/subnetGroup:SubnetGroup": _CONFIG_ONLY,
    "aws:rds/clusterParameterGroup:ClusterParameterGroup": _CONFIG_ONLY,
    "aws:rds/subnetGroup:SubnetGroup": _CONFIG_ONLY,
    "aws:rds/globalCluster:GlobalCluster": "its member clusters are priced (with replicated I/O)",
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": "part of the proxy's price",
    "aws:rds/proxyTarget:ProxyTarget": "part of the proxy's price",
    "aws:iam/instanceProfile:InstanceProfile": "IAM is not billed",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": "IAM is not billed",
    "aws:iam/policy:Policy": "IAM is not billed",
    "aws:iam/role:Role": "IAM is not billed",
    "aws:iam/rolePolicy:RolePolicy": "IAM is not billed",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is not billed",
    "aws:ivs/recordingConfiguration:RecordingConfiguration": "recordings are priced as the bucket's storage",
    "aws:ivschat/loggingConfiguration:LoggingConfiguration": "priced at its destination log group",
    "aws:kms/alias:Alias": "aliases are not billed; the key is",
    "aws:route53/record:Record": "queries are priced on the hosted zone",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _CONFIG_ONLY,
    "aws:s3/bucketLogging:BucketLogging": "priced as the log bucket's storage",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _CONFIG_ONLY,
    "aws:s3/bucketPolicy:BucketPolicy": _CONFIG_ONLY,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _CONFIG_ONLY,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _CONFIG_ONLY,
    "aws:s3/bucketVersioning:BucketVersioning": "old versions: in the bucket's storage assumption",
    "aws:secretsmanager/secretVersion:SecretVersion": "part of the secret's price",
    "aws:sns/topic:Topic": "billed per request and delivery: alerts are a few thousand a month, inside"
    " SNS's free first million requests",
    "aws:sns/topicPolicy:TopicPolicy": _CONFIG_ONLY,
    "aws:sns/topicSubscription:TopicSubscription": "deliveries are billed on the topic (see it)",
    "aws:sqs/queuePolicy:QueuePolicy": _CONFIG_ONLY,
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": _CONFIG_ONLY,
    "aws:ssm/parameter:Parameter": "standard-tier parameters are not billed",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "part of the web ACL's price",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "priced at its destination log group",
    "aws:accessanalyzer/analyzer:Analyzer": "external access analyzers are free (unused-access ones are not)",
    "aws:cfg/deliveryChannel:DeliveryChannel": "priced through the recorder and the archive bucket",
    "aws:cfg/recorderStatus:RecorderStatus": "priced through the recorder",
    "aws:ebs/defaultKmsKey:DefaultKmsKey": "an account setting; the key is priced",
    "aws:ebs/encryptionByDefault:EncryptionByDefault": "an account setting, not billed",
    "aws:guardduty/detectorFeature:DetectorFeature": "priced with the detector (foundational events only)",
    "aws:iam/accountPasswordPolicy:AccountPasswordPolicy": "IAM is not billed",
    "aws:iam/serviceLinkedRole:ServiceLinkedRole": "IAM is not billed",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock": _CONFIG_ONLY,
    "aws:route53/keySigningKey:KeySigningKey": "Route 53 bills no DNSSEC signing; its KMS key is",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec": "Route 53 bills no DNSSEC signing; its KMS key is",
    "aws:route53/queryLog:QueryLog": "priced at its destination log group",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": _CONFIG_ONLY,
    "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration": _CONFIG_ONLY,
    "aws:securityhub/standardsSubscription:StandardsSubscription": "priced as the hub's security checks",
    "kubernetes:core/v1:Namespace": "Kubernetes object: runs on the priced nodes",
    "kubernetes:core/v1:Secret": "Kubernetes object: runs on the priced nodes",
    "kubernetes:storage.k8s.io/v1:StorageClass": "Kubernetes object (its volumes are not in the render)",
    "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass": "its volumes are priced with the NodePool's nodes",
    "kubernetes:helm.sh/v4:Chart": "Kubernetes workloads: run on the priced nodes",
}


def _priceable(resource: RenderedResource) -> bool:
    """Every resource except the stack and the platform's own components (whose children are priced)."""
    return resource.type != "pulumi:pulumi:Stack" and not resource.type.startswith("social:")


def uncovered_types(stack: RenderedStack) -> set[str]:
    return {r.type for r in stack if _priceable(r) and r.type not in RULES and r.type not in FREE}


# ---------------------------------------------------------------------------------------------
# The estimate


@dataclass
class Estimate:
    stack: str
    tier: str
    usage: dict[str, Any]
    lines: list[CostLine] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.usd or 0.0 for line in self.lines)

    @property
    def unpriced(self) -> list[CostLine]:
        return [line for line in self.lines if line.usd is None]

    @property
    def unverified(self) -> list[CostLine]:
        return [line for line in self.lines if line.usd is not None and not line.line.region_verified]

    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.component] += line.usd or 0.0
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "tier": self.tier,
            "total_usd": round(self.total, 2),
            "by_component_usd": {k: round(v, 2) for k, v in self.by_component().items()},
            "unpriced": len(self.unpriced),
            "usage": self.usage,
            "lines": [
                {
                    "resource": line.resource,
                    "type": line.type,
                    "component": line.component,
                    **asdict(line.charge),
                    "unit_usd": line.line.usd,
                    "usd": None if line.usd is None else round(line.usd, 4),
                    "per": line.line.per,
                    "source": line.line.source,
                    "region_verified": line.line.region_verified,
                }
                for line in self.lines
            ],
        }


def _component(stack: RenderedStack, resource: RenderedResource) -> str:
    """The outermost platform component a resource belongs to ("stack" for top-level resources)."""
    found = "stack"
    parent = resource.parent
    while parent:
        owner = stack.resources[parent]
        if owner.type.startswith("social:"):
            found = f"{owner.type.split(':')[1]} {owner.name}"
        parent = owner.parent
    return found


def estimate(stack: RenderedStack, usage: UsageConfig, table: PriceTable | None = None) -> Estimate:
    """Price every resource of a rendered stack. Raises `UncoveredTypes` or `MissingPrices` rather
    than count anything as zero without saying so."""
    table = table or price_table()
    uncovered = uncovered_types(stack)
    if uncovered:
        raise UncoveredTypes(uncovered)
    ctx = Context(stack, usage)
    result = Estimate(stack.stack, "", usage.model_dump(exclude={"enabled"}))
    missing = []
    for resource in stack:
        if not _priceable(resource) or resource.type in FREE:
            continue
        for charge in RULES[resource.type](resource, ctx):
            line = table.find(charge.price, charge.item, charge.region)
            if line is None:
                missing.append((charge.price, charge.item, charge.region))
                continue
            result.lines.append(
                CostLine(resource.name, resource.type, _component(stack, resource), charge, line)
            )
    if missing:
        raise MissingPrices(missing)
    return result


def estimate_stack(
    name: str, project_dir: Path = stackfiles.PROJECT_ROOT, rendered: RenderedStack | None = None
) -> Estimate:
    """Render (unless given) and price one stack with its own usage assumptions."""
    raw = stackfiles.read_stack_files(name, project_dir)
    cfg = load_config(raw.values, secret_keys=raw.secret_keys)
    result = estimate(rendered or render(name, project_dir), cfg.usage)
    result.tier = cfg.tier.value
    return result


# ---------------------------------------------------------------------------------------------
# Output


def _usd(value: float | None) -> str:
    return "UNPRICED" if value is None else f"${value:,.2f}"


def text_report(result: Estimate) -> list[str]:
    out = [
        f"Monthly estimate for stack '{result.stack}' (tier {result.tier}): offline, list prices from "
        "platform/prices.yaml, no free tier, no discounts.",
        "",
        f"  {'USD/month':>11}  {'component':<28} {'resource':<40} what",
    ]
    for line in sorted(result.lines, key=lambda c: (c.component, c.resource, c.charge.what)):
        flag = "" if line.line.region_verified or line.usd is None else " *"
        note = f"  [{line.charge.assumption}]" if line.charge.assumption else ""
        out.append(
            f"  {_usd(line.usd):>11}  {line.component:<28} {line.resource:<40} "
            f"{line.charge.what}: {line.charge.quantity:,.4g} {line.line.per}{flag}{note}"
        )
    out += ["", "By component:"]
    out += [f"  {_usd(v):>11}  {k}" for k, v in result.by_component().items()]
    out += ["", f"Total: {_usd(result.total)} per month"]
    if result.unpriced:
        names = sorted(
            {c.charge.price + (f"[{c.charge.item}]" if c.charge.item else "") for c in result.unpriced}
        )
        out.append(
            f"  + {len(result.unpriced)} charges UNPRICED (no price found; see platform/prices.yaml): "
            + ", ".join(names)
        )
    if result.unverified:
        out.append(
            f"  * {len(result.unverified)} charges use a price not verified for their region "
            "(the line's source says which)"
        )
    out += ["", "Usage assumptions (social-platform:usage; tier defaults unless the stack file sets them):"]
    out += ["  " + ", ".join(f"{k}={v}" for k, v in result.usage.items())]
    return out


def compare_report(before: dict[str, Any], after: Estimate) -> list[str]:
    """What changes between a saved estimate (`--json` of main) and this one, per component."""
    old = before.get("by_component_usd", {})
    new = {k: round(v, 2) for k, v in after.by_component().items()}
    out = [f"Cost change for stack '{after.stack}' against the saved estimate:"]
    for component in sorted(set(old) | set(new)):
        delta = new.get(component, 0.0) - old.get(component, 0.0)
        if abs(delta) >= 0.005:
            out.append(f"  {delta:+12,.2f}  {component}")
    delta_total = after.total - before.get("total_usd", 0.0)
    out.append(f"  {delta_total:+12,.2f}  total (now {_usd(after.total)} per month)")
    unpriced_delta = len(after.unpriced) - before.get("unpriced", 0)
    if unpriced_delta:
        out.append(f"  {unpriced_delta:+d} UNPRICED charges")
    return out


README_BEGIN = "<!-- BEGIN cost estimates (cost --readme dev staging prod; tests/test_cost.py) -->"
README_END = "<!-- END cost estimates -->"


def readme_section(results: Sequence[Estimate]) -> str:
    """The README's cost table: per stack the total, the largest components and what is unpriced."""
    rows = ["| stack | estimate (USD/month) | largest parts | unpriced charges |", "|---|---:|---|---:|"]
    for result in results:
        top = ", ".join(f"{k} ${v:,.0f}" for k, v in list(result.by_component().items())[:3])
        rows.append(f"| {result.stack} | ${result.total:,.0f} | {top} | {len(result.unpriced)} |")
    return "\n".join([README_BEGIN, *rows, README_END])


def main(argv: Sequence[str] | None = None) -> int:
    parser = stacks_parser(
        "cost",
        "Estimate a stack's monthly AWS cost offline, from its render and platform/prices.yaml.",
        "the estimate",
    )
    parser.add_argument(
        "--compare",
        metavar="FILE",
        type=Path,
        help="print the change against a saved --json estimate (one stack)",
    )
    parser.add_argument("--readme", action="store_true", help="print the README's table for the given stacks")
    args = parser.parse_args(argv)

    results = []
    for name in args.stacks:
        try:
            result = estimate_stack(name)
        except ConfigError as exc:
            print(f"error: {config_error_text(name, exc)}", file=sys.stderr)
            return 2
        except (UncoveredTypes, MissingPrices) as exc:
            print(f"error: stack '{name}' cannot be priced: {exc}", file=sys.stderr)
            return 3
        results.append(result)
        if args.compare:
            print("\n".join(compare_report(json.loads(args.compare.read_text()), result)))
        elif not args.readme:
            print("\n".join(text_report(result)) + "\n")
        if args.json:
            target = args.json / f"{name}.json" if len(args.stacks) > 1 else args.json
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(result.to_json(), indent=2))
    if args.readme:
        print(readme_section(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
