"""The alarms the platform knows how to raise, by kind of watched resource.

Each `AlarmRule` says which CloudWatch metric of a `Watchable` of its `kind` to watch, how, and the
default threshold (the platform's tier defaults and the stack file may override it by `id`). A rule
with `requires` applies only to watchables carrying that trait (a global secondary's replication lag,
a serverless cluster's ACU utilisation). Metric names, namespaces and dimensions are AWS's own: see
the "CloudWatch metrics" page of each service's user guide (tests/test_observability.py checks them
against those pages).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from social_components.watch import WatchKind

Severity = Literal["page", "ticket"]
"""page: someone acts now, day or night; ticket: someone looks within working hours."""
SEVERITIES: tuple[Severity, ...] = ("page", "ticket")

Statistic = Literal["Average", "Maximum", "Minimum", "Sum", "p99"]
"""A CloudWatch statistic, or a percentile (an extended statistic)."""
Comparison = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
Area = Literal["edge", "ingress", "cluster", "data", "queues", "network", "realtime"]
"""The dashboard row (golden signals per tier) a kind's metrics appear in."""


@dataclass(frozen=True)
class AlarmRule:
    id: str
    """Stable name: the alarm's name suffix and the key of its threshold in config."""
    kind: WatchKind
    title: str
    namespace: str
    metric: str
    statistic: Statistic
    comparison: Comparison
    threshold: float
    """Default threshold, in `unit`."""
    unit: str
    severity: Severity = "ticket"
    period_seconds: int = 300
    evaluation_periods: int = 3
    datapoints_to_alarm: int | None = None
    """How many of the evaluated periods must breach. Unset: all of them."""
    treat_missing_data: Literal["notBreaching", "breaching", "ignore", "missing"] = "notBreaching"
    requires: str | None = None
    """Trait a watchable needs for this rule to apply. Unset: every watchable of the kind."""
    scale: float = 1
    """What one `unit` is in the metric's own unit (MiB of a metric in bytes: 1048576)."""
    composite: str | None = None
    """Id of a composite alarm this rule feeds: rules of one watchable with the same `composite` are
    combined with AND into one composite alarm, which alone notifies (at the members' severity);
    the members have no actions of their own. Unset: the alarm notifies by itself."""
    divide_by: str | None = None
    """A metric of the same namespace, dimensions and statistic: the alarm watches the rate
    ``100 * metric / divide_by`` in percent (CloudWatch metric math). Unset: the metric itself."""
    of_capacity: str | None = None
    """A capacity of the watchable (`Watchable.capacity`) the threshold is a percentage of: the
    alarm fires above `threshold` % of it. A watchable without that capacity gets no alarm of this
    rule. Unset: the threshold is absolute, in `unit`."""

    @property
    def symbol(self) -> str:
        return {
            "GreaterThanThreshold": ">",
            "GreaterThanOrEqualToThreshold": "≥",
            "LessThanThreshold": "<",
            "LessThanOrEqualToThreshold": "≤",
        }[self.comparison]


MiB = 1024 * 1024

ALARM_RULES: tuple[AlarmRule, ...] = (
    # Aurora PostgreSQL (AWS/RDS)
    AlarmRule("aurora-cpu", "aurora-instance", "Aurora instance CPU", "AWS/RDS", "CPUUtilization",
              "Average", "GreaterThanThreshold", 80, "percent"),
    AlarmRule("aurora-freeable-memory", "aurora-instance", "Aurora instance freeable memory", "AWS/RDS",
              "FreeableMemory", "Minimum", "LessThanThreshold", 256, "MiB", scale=MiB),
    # Connections as a share of the cluster's max_connections (Serverless v2: from its maximum ACUs).
    AlarmRule("aurora-connections", "aurora-cluster", "Aurora connections", "AWS/RDS", "DatabaseConnections",
              "Maximum", "GreaterThanThreshold", 80, "% of max_connections", of_capacity="max_connections"),
    AlarmRule("aurora-replica-lag", "aurora-cluster", "Aurora replica lag", "AWS/RDS",
              "AuroraReplicaLagMaximum", "Maximum", "GreaterThanThreshold", 2000, "milliseconds",
              requires="readers"),
    AlarmRule("aurora-global-replication-lag", "aurora-cluster", "Aurora global replication lag",
              "AWS/RDS", "AuroraGlobalDBReplicationLag", "Average", "GreaterThanThreshold", 5000,
              "milliseconds", severity="page", requires="global-secondary"),
    AlarmRule("aurora-deadlocks", "aurora-cluster", "Aurora deadlocks", "AWS/RDS", "Deadlocks",
              "Average", "GreaterThanThreshold", 0.1, "per second"),
    AlarmRule("aurora-acu-utilization", "aurora-cluster", "Aurora Serverless v2 ACU utilisation",
              "AWS/RDS", "ACUUtilization", "Average", "GreaterThanThreshold", 90, "percent",
              requires="serverless"),
    AlarmRule("rds-proxy-client-errors", "rds-proxy", "RDS Proxy failed client sign-ins", "AWS/RDS",
              "ClientConnectionsSetupFailedAuth", "Sum", "GreaterThanThreshold", 10, "connections"),
    # Valkey on ElastiCache (AWS/ElastiCache), per node
    AlarmRule("cache-engine-cpu", "cache-node", "Cache engine CPU", "AWS/ElastiCache",
              "EngineCPUUtilization", "Average", "GreaterThanThreshold", 80, "percent"),
    # An LRU cache near full, or evicting, is normal; both at once means it is too small.
    AlarmRule("cache-memory", "cache-node", "Cache memory used", "AWS/ElastiCache",
              "DatabaseMemoryUsagePercentage", "Average", "GreaterThanThreshold", 85, "percent",
              composite="cache-memory-pressure"),
    AlarmRule("cache-evictions", "cache-node", "Cache evictions", "AWS/ElastiCache", "Evictions", "Sum",
              "GreaterThanThreshold", 1000, "keys", composite="cache-memory-pressure"),
    AlarmRule("cache-replication-lag", "cache-node", "Cache replication lag", "AWS/ElastiCache",
              "ReplicationLag", "Maximum", "GreaterThanThreshold", 10, "seconds", requires="replicated"),
    AlarmRule("cache-connections", "cache-node", "Cache client connections", "AWS/ElastiCache",
              "CurrConnections", "Maximum", "GreaterThanThreshold", 5000, "connections"),
    # Queues (AWS/SQS)
    AlarmRule("queue-age", "queue", "Oldest message waiting", "AWS/SQS", "ApproximateAgeOfOldestMessage",
              "Maximum", "GreaterThanThreshold", 900, "seconds"),
    AlarmRule("dead-letters", "dead-letter-queue", "Messages in a dead-letter queue", "AWS/SQS",
              "ApproximateNumberOfMessagesVisible", "Maximum", "GreaterThanThreshold", 0, "messages",
              evaluation_periods=1),
    AlarmRule("interruption-queue-depth", "interruption-queue", "Karpenter interruption queue depth",
              "AWS/SQS", "ApproximateNumberOfMessagesVisible", "Maximum", "GreaterThanThreshold", 50,
              "messages"),
    # DynamoDB tables (AWS/DynamoDB; TableName alone selects the table without its indexes)
    AlarmRule("dynamodb-read-throttles", "dynamodb-table", "DynamoDB read throttle events", "AWS/DynamoDB",
              "ReadThrottleEvents", "Sum", "GreaterThanThreshold", 0, "events", evaluation_periods=1),
    AlarmRule("dynamodb-write-throttles", "dynamodb-table", "DynamoDB write throttle events", "AWS/DynamoDB",
              "WriteThrottleEvents", "Sum", "GreaterThanThreshold", 0, "events", evaluation_periods=1),
    # NAT gateways (AWS/NATGateway)
    AlarmRule("nat-port-allocation-errors", "nat-gateway", "NAT port allocation errors", "AWS/NATGateway",
              "ErrorPortAllocation", "Sum", "GreaterThanThreshold", 0, "errors", evaluation_periods=1),
    AlarmRule("nat-packets-dropped", "nat-gateway", "NAT packets dropped", "AWS/NATGateway",
              "PacketsDropCount", "Sum", "GreaterThanThreshold", 1000, "packets"),
    # Edge (CloudFront in us-east-1, WAF)
    AlarmRule("cloudfront-5xx-rate", "cloudfront-distribution", "CloudFront 5xx error rate",
              "AWS/CloudFront", "5xxErrorRate", "Average", "GreaterThanThreshold", 5, "percent",
              severity="page"),
    AlarmRule("waf-blocked-requests", "web-acl", "WAF blocked requests", "AWS/WAFV2", "BlockedRequests",
              "Sum", "GreaterThanThreshold", 5000, "requests", evaluation_periods=1),
    # Realtime: Lambda handlers, API Gateway WebSocket APIs
    AlarmRule("lambda-errors", "lambda-function", "Lambda errors", "AWS/Lambda", "Errors", "Sum",
              "GreaterThanThreshold", 5, "invocations"),
    AlarmRule("lambda-throttles", "lambda-function", "Lambda throttles", "AWS/Lambda", "Throttles", "Sum",
              "GreaterThanThreshold", 0, "invocations"),
    AlarmRule("websocket-execution-errors", "websocket-api", "WebSocket API execution errors",
              "AWS/ApiGateway", "ExecutionError", "Sum", "GreaterThanThreshold", 10, "errors",
              severity="page"),
    # EKS (Container Insights)
    AlarmRule("eks-failed-nodes", "eks-cluster", "EKS failed nodes", "ContainerInsights",
              "cluster_failed_node_count", "Maximum", "GreaterThanThreshold", 0, "nodes", severity="page"),
    AlarmRule("eks-node-cpu", "eks-cluster", "EKS node CPU", "ContainerInsights", "node_cpu_utilization",
              "Average", "GreaterThanThreshold", 85, "percent"),
    AlarmRule("eks-node-memory", "eks-cluster", "EKS node memory", "ContainerInsights",
              "node_memory_utilization", "Average", "GreaterThanThreshold", 85, "percent"),
    # Application Load Balancers (AWS/ApplicationELB): the ALB's own 5xx (no healthy target, its
    # errors) and the targets' 5xx as a share of requests, slow targets, unhealthy targets.
    AlarmRule("alb-5xx-rate", "load-balancer", "ALB 5xx rate", "AWS/ApplicationELB",
              "HTTPCode_ELB_5XX_Count", "Sum", "GreaterThanThreshold", 5, "percent", severity="page",
              divide_by="RequestCount"),
    AlarmRule("alb-target-5xx-rate", "target-group", "Target 5xx rate", "AWS/ApplicationELB",
              "HTTPCode_Target_5XX_Count", "Sum", "GreaterThanThreshold", 5, "percent", severity="page",
              divide_by="RequestCount"),
    AlarmRule("alb-target-response-time-p99", "target-group", "Target response time (p99)",
              "AWS/ApplicationELB", "TargetResponseTime", "p99", "GreaterThanThreshold", 2, "seconds"),
    AlarmRule("alb-unhealthy-targets", "target-group", "Unhealthy targets", "AWS/ApplicationELB",
              "UnHealthyHostCount", "Maximum", "GreaterThanThreshold", 0, "targets"),
    # Cognito, per app client people sign in with (the metrics exist only per pool *and* client).
    # Throttled sign-ins are people locked out now; throttled refreshes sign people out. Failed
    # sign-ins (SignInSuccesses' average) are left out: wrong passwords and bots move it, not us.
    AlarmRule("cognito-sign-in-throttles", "cognito-client", "Cognito sign-ins throttled",
              "AWS/Cognito", "SignInThrottles", "Sum", "GreaterThanThreshold", 10, "requests",
              severity="page", evaluation_periods=2),
    AlarmRule("cognito-token-refresh-throttles", "cognito-client", "Cognito token refreshes throttled",
              "AWS/Cognito", "TokenRefreshThrottles", "Sum", "GreaterThanThreshold", 10, "requests",
              evaluation_periods=2),
)  # fmt: skip
"""Every alarm rule, by kind: the catalogue `Alarms` draws from."""

RULES_BY_ID: Mapping[str, AlarmRule] = {rule.id: rule for rule in ALARM_RULES}

AREAS: Mapping[WatchKind, Area] = {
    "cloudfront-distribution": "edge",
    "web-acl": "edge",
    "load-balancer": "ingress",
    "target-group": "ingress",
    "eks-cluster": "cluster",
    "interruption-queue": "cluster",
    "nat-gateway": "network",
    "aurora-cluster": "data",
    "aurora-instance": "data",
    "rds-proxy": "data",
    "cache-node": "data",
    "dynamodb-table": "data",
    "queue": "queues",
    "dead-letter-queue": "queues",
    "lambda-function": "realtime",
    "websocket-api": "realtime",
    "cognito-client": "edge",
    "ivs": "realtime",
}


@dataclass(frozen=True)
class EventRule:
    """Events AWS sends to EventBridge when a watchable of `kind` fails in a way people notice, where
    the service has no metric that says so (IVS): forwarded to the topic of `severity`, by one
    EventBridge rule in each region that has a watchable of the kind. The pattern matches every
    resource of the account in that region: IVS creators' channels are made at run time by the
    backend, not by the stack."""

    id: str
    kind: WatchKind
    title: str
    pattern: Mapping[str, Any]
    """The EventBridge event pattern (source, detail-type, detail)."""
    severity: Severity = "ticket"


EVENT_RULES: tuple[EventRule, ...] = (
    # IVS publishes usage and ingest metrics (views, bitrate, frame rate), none of which says a
    # viewer could not watch; its failures arrive as events ("Using Amazon EventBridge with IVS").
    EventRule(
        "ivs-stream-failures",
        "ivs",
        "IVS stream failed (processing capacity exceeded)",
        {"source": ["aws.ivs"], "detail-type": ["IVS Stream State Change"],
         "detail": {"event_name": ["Stream Failure"]}},
        severity="page",
    ),
    EventRule(
        "ivs-recording-failures",
        "ivs",
        "IVS recording failed to start or ended with an error",
        {"source": ["aws.ivs"], "detail-type": ["IVS Recording State Change"],
         "detail": {"recording_status": ["Recording Start Failure", "Recording End Failure"]}},
    ),
    EventRule(
        "ivs-capacity-limits",
        "ivs",
        "IVS account limit reached: concurrent viewers or broadcasts refused",
        {"source": ["aws.ivs"], "detail-type": ["IVS Limit Breach"],
         "detail": {"limit_name": ["Concurrent Viewers", "Concurrent Broadcasts"]}},
        severity="page",
    ),
)  # fmt: skip
"""Events forwarded to the alert topics, by kind. Ingest bitrate/resolution breaches and stream
starvation are left out: they are one creator's encoder or uplink, not the platform."""


def rules_for(
    kind: WatchKind, traits: frozenset[str], capacities: Collection[str] = ()
) -> tuple[AlarmRule, ...]:
    """The rules that apply to a watchable of `kind` with `traits` and the named `capacities`."""
    return tuple(
        rule
        for rule in ALARM_RULES
        if rule.kind == kind
        and (rule.requires is None or rule.requires in traits)
        and (rule.of_capacity is None or rule.of_capacity in capacities)
    )


@dataclass(frozen=True)
class LogQuery:
    """A saved CloudWatch Logs Insights query over the log groups of every watchable of `kind`."""

    id: str
    kind: WatchKind
    title: str
    query: str


LOG_QUERIES: tuple[LogQuery, ...] = (
    LogQuery(
        "waf-blocks-by-rule",
        "web-acl",
        "WAF blocks by rule",
        "fields terminatingRuleId, httpRequest.clientIp, httpRequest.uri"
        " | filter action = 'BLOCK'"
        " | stats count(*) as blocks by terminatingRuleId, httpRequest.uri"
        " | sort blocks desc | limit 50",
    ),
    LogQuery(
        "slow-queries",
        "aurora-cluster",
        "Slowest statements (log_min_duration_statement)",
        "fields @timestamp, @message"
        " | filter @message like /duration: /"
        " | parse @message 'duration: * ms' as duration_ms"
        " | sort duration_ms desc | limit 50",
    ),
)
"""Saved queries for the common investigations. 5xx by path is not among them: CloudFront's access
logs go to S3 (standard logging v2), where Logs Insights cannot read them."""
