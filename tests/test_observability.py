"""Observability: every part of the platform watched, every alert reaching a person.

Read as a specification: each environment has page and ticket topics per region (encrypted with a
key CloudWatch, EventBridge, Budgets and Cost Anomaly Detection may use), Slack through Chatbot
with a read-only guardrail, a budget and an anomaly monitor, a dashboard per region, and an alarm
on every database, cache node, queue, dead-letter queue, NAT gateway and CloudFront distribution it
creates — derived from what the components offer, so a third region adds its own (test_regions.py).
Metric names, namespaces and dimensions are checked against AWS's own pages; alarm settings
against botocore's CloudWatch API model.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any

import botocore.session
import pulumi
import pulumi_aws as aws
import pytest

from social_components.observability import ALARM_RULES, EVENT_RULES
from social_components.observability.catalog import AREAS
from social_components.streaming.component import Streaming
from social_platform import docs
from social_platform.areas.observability import ObservabilityConfig
from social_platform.config import Tier
from social_platform.policies import evaluate
from social_platform.render import RenderedResource, RenderedStack, render
from social_platform.stackview import stack_view

from .conftest import ENVIRONMENTS, assert_config_error, load_with, render_variant

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TOPIC = "aws:sns/topic:Topic"
SLACK = "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration"

AURORA = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Aurora.AuroraMonitoring.Metrics.html"
PROXY = "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/rds-proxy.monitoring.html"
VALKEY = "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.Redis.html"
SQS = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-available-cloudwatch-metrics.html"
NAT = "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway-cloudwatch.html"
CLOUDFRONT = (
    "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/programming-cloudwatch-metrics.html"
)
WAF = "https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html"
DYNAMODB = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/metrics-dimensions.html"
CONTAINER_INSIGHTS = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Container-Insights-metrics-EKS.html"
)
LAMBDA = "https://docs.aws.amazon.com/lambda/latest/dg/monitoring-metrics-types.html"
WEBSOCKET = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-websocket-api-logging.html"
)
ALB = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html"
COGNITO = "https://docs.aws.amazon.com/cognito/latest/developerguide/metrics-for-cognito-user-pools.html"
IVS_EVENTS = "https://docs.aws.amazon.com/ivs/latest/LowLatencyUserGuide/eventbridge.html"

# What AWS documents, per (namespace, metric): the dimension the platform selects it by, and where
# it says so. Written from the pages, not from the catalogue.
DOCUMENTED: dict[tuple[str, str], tuple[str, str]] = {
    ("AWS/RDS", "CPUUtilization"): ("DBInstanceIdentifier", AURORA),
    ("AWS/RDS", "FreeableMemory"): ("DBInstanceIdentifier", AURORA),
    ("AWS/RDS", "DatabaseConnections"): ("DBClusterIdentifier", AURORA),
    ("AWS/RDS", "AuroraReplicaLagMaximum"): ("DBClusterIdentifier", AURORA),
    ("AWS/RDS", "AuroraGlobalDBReplicationLag"): ("DBClusterIdentifier", AURORA),
    ("AWS/RDS", "Deadlocks"): ("DBClusterIdentifier", AURORA),
    ("AWS/RDS", "ACUUtilization"): ("DBClusterIdentifier", AURORA),
    ("AWS/RDS", "ClientConnectionsSetupFailedAuth"): ("ProxyName", PROXY),
    ("AWS/ElastiCache", "EngineCPUUtilization"): ("CacheClusterId", VALKEY),
    ("AWS/ElastiCache", "DatabaseMemoryUsagePercentage"): ("CacheClusterId", VALKEY),
    ("AWS/ElastiCache", "Evictions"): ("CacheClusterId", VALKEY),
    ("AWS/ElastiCache", "ReplicationLag"): ("CacheClusterId", VALKEY),
    ("AWS/ElastiCache", "CurrConnections"): ("CacheClusterId", VALKEY),
    ("AWS/DynamoDB", "ReadThrottleEvents"): ("TableName", DYNAMODB),
    ("AWS/DynamoDB", "WriteThrottleEvents"): ("TableName", DYNAMODB),
    ("AWS/SQS", "ApproximateAgeOfOldestMessage"): ("QueueName", SQS),
    ("AWS/SQS", "ApproximateNumberOfMessagesVisible"): ("QueueName", SQS),
    ("AWS/NATGateway", "ErrorPortAllocation"): ("NatGatewayId", NAT),
    ("AWS/NATGateway", "PacketsDropCount"): ("NatGatewayId", NAT),
    ("AWS/CloudFront", "5xxErrorRate"): ("DistributionId", CLOUDFRONT),
    ("AWS/WAFV2", "BlockedRequests"): ("WebACL", WAF),
    ("ContainerInsights", "cluster_failed_node_count"): ("ClusterName", CONTAINER_INSIGHTS),
    ("ContainerInsights", "node_cpu_utilization"): ("ClusterName", CONTAINER_INSIGHTS),
    ("ContainerInsights", "node_memory_utilization"): ("ClusterName", CONTAINER_INSIGHTS),
    ("AWS/Lambda", "Errors"): ("FunctionName", LAMBDA),
    ("AWS/Lambda", "Throttles"): ("FunctionName", LAMBDA),
    ("AWS/ApiGateway", "ExecutionError"): ("ApiId", WEBSOCKET),
    ("AWS/ApplicationELB", "RequestCount"): ("LoadBalancer", ALB),
    ("AWS/ApplicationELB", "HTTPCode_ELB_5XX_Count"): ("LoadBalancer", ALB),
    ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count"): ("TargetGroup", ALB),
    ("AWS/ApplicationELB", "TargetResponseTime"): ("TargetGroup", ALB),
    ("AWS/ApplicationELB", "UnHealthyHostCount"): ("TargetGroup", ALB),
    ("AWS/Cognito", "SignInThrottles"): ("UserPoolClient", COGNITO),
    ("AWS/Cognito", "TokenRefreshThrottles"): ("UserPoolClient", COGNITO),
}

# The IVS events AWS documents (IVS_EVENTS, the event table and example events): detail-type → the
# detail field that names the event → its documented values. Written from the page.
DOCUMENTED_IVS_EVENTS: dict[str, tuple[str, set[str]]] = {
    "IVS Stream State Change": (
        "event_name",
        {"Session Created", "Session Ended", "Stream Start", "Stream End", "Stream Failure",
         "Stream Takeover", "Stream Takeover Failure"},
    ),
    "IVS Stream Health Change": ("event_name", {"Starvation Start", "Starvation End"}),
    "IVS Limit Breach": (
        "limit_name",
        {"Ingest Bitrate", "Ingest Resolution", "Concurrent Broadcasts", "Concurrent Viewers"},
    ),
    "IVS Recording State Change": (
        "recording_status",
        {"Recording Start", "Recording End", "Recording Start Failure", "Recording End Failure"},
    ),
}  # fmt: skip


def _cloudwatch() -> Any:
    return botocore.session.get_session().get_service_model("cloudwatch")


def alarms(stack: RenderedStack) -> list[RenderedResource]:
    return stack.of_type(ALARM)


def watched_metrics(alarm: RenderedResource) -> list[tuple[str, str, dict[str, str]]]:
    """(namespace, metric, dimensions) of every metric an alarm reads: its own, or its metric math's."""
    if "metricName" in alarm.inputs:
        # Alarms on log metric filters (the security baseline's) have no dimensions.
        return [(alarm.inputs["namespace"], alarm.inputs["metricName"], alarm.inputs.get("dimensions", {}))]
    return [
        (q["metric"]["namespace"], q["metric"]["metricName"], q["metric"].get("dimensions", {}))
        for q in alarm.inputs["metricQueries"]
        if "metric" in q
    ]


def dimension_values(stack: RenderedStack, dimension: str) -> set[str]:
    return {
        str(dimensions[dimension])
        for a in alarms(stack)
        for _, _, dimensions in watched_metrics(a)
        if dimension in dimensions
    }


# ---------------------------------------------------------------------------------------------
# The catalogue speaks AWS's language


@pytest.mark.parametrize("rule", ALARM_RULES, ids=lambda r: r.id)
def test_each_alarm_watches_a_metric_aws_documents_by_that_dimension(rule: Any) -> None:
    for metric in (rule.metric, rule.divide_by or rule.metric):
        assert (rule.namespace, metric) in DOCUMENTED, f"{rule.id}: {rule.namespace} {metric} not documented"


def test_alarm_settings_are_values_the_cloudwatch_api_accepts() -> None:
    model = _cloudwatch()
    put = model.operation_model("PutMetricAlarm").input_shape.members
    valid = re.search(r"Valid Values: <code>([^<]+)</code>", put["TreatMissingData"].documentation)
    assert valid is not None
    treat_missing = {value.strip() for value in valid.group(1).split("|")}
    for rule in ALARM_RULES:
        assert rule.comparison in model.shape_for("ComparisonOperator").enum, rule.id
        if rule.statistic.startswith("p"):  # a percentile: ExtendedStatistic's p0.0 to p100
            assert put["ExtendedStatistic"].type_name == "string", rule.id
            assert 0 < float(rule.statistic[1:]) <= 100, rule.id
        else:
            assert rule.statistic in model.shape_for("Statistic").enum, rule.id
        assert rule.treat_missing_data in treat_missing, rule.id
        assert rule.period_seconds in (10, 20, 30) or rule.period_seconds % 60 == 0, rule.id
        assert rule.evaluation_periods >= 1


def test_every_kind_of_watchable_has_a_dashboard_row_and_an_alarm_or_event_rule() -> None:
    assert {rule.kind for rule in [*ALARM_RULES, *EVENT_RULES]} == set(AREAS)


@pytest.mark.parametrize("event", EVENT_RULES, ids=lambda e: e.id)
def test_each_forwarded_event_is_one_aws_documents(event: Any) -> None:
    pattern = event.pattern
    assert pattern["source"] == ["aws.ivs"]
    for detail_type in pattern["detail-type"]:
        field, documented = DOCUMENTED_IVS_EVENTS[detail_type]
        assert set(pattern["detail"]) == {field}, (event.id, IVS_EVENTS)
        assert set(pattern["detail"][field]) <= documented, (event.id, IVS_EVENTS)


# ---------------------------------------------------------------------------------------------
# What every environment gets


@pytest.fixture(params=ENVIRONMENTS)
def env(request: pytest.FixtureRequest, rendered: dict[str, RenderedStack]) -> RenderedStack:
    return rendered[request.param]


def test_every_region_of_an_environment_has_a_page_and_a_ticket_topic(env: RenderedStack) -> None:
    topics = Counter((t.region, t.inputs["name"].rsplit("-", 1)[-1]) for t in env.of_type(TOPIC))
    for region in env.outputs["regions"]:
        assert topics[(region, "page")] == 1 and topics[(region, "ticket")] == 1, region


def test_each_topic_is_encrypted_with_a_key_that_cloudwatch_and_eventbridge_may_use(
    env: RenderedStack,
) -> None:
    for topic in env.of_type(TOPIC):
        key = env.named(topic.inputs["kmsMasterKeyId"].rsplit("/", 1)[-1], "aws:kms/key:Key")
        policy = (
            key.inputs["policy"]
            if isinstance(key.inputs["policy"], dict)
            else json.loads(key.inputs["policy"])
        )
        grants = {
            s["Principal"].get("Service"): s for s in policy["Statement"] if "Service" in s["Principal"]
        }
        for service in (
            "cloudwatch.amazonaws.com",
            "events.amazonaws.com",
            "budgets.amazonaws.com",
            "costalerts.amazonaws.com",
        ):
            assert {"kms:GenerateDataKey*", "kms:Decrypt"} <= set(grants[service]["Action"]), service
        # EventBridge's KMS requests carry no source keys: a condition would drop every event.
        assert "Condition" not in grants["events.amazonaws.com"]
        assert grants["cloudwatch.amazonaws.com"]["Condition"]


def test_every_alarm_selects_its_metric_by_the_dimension_aws_documents(env: RenderedStack) -> None:
    for alarm in alarms(env):
        for namespace, metric, dimensions in watched_metrics(alarm):
            if not namespace.startswith("AWS/"):
                continue  # the security baseline's metric filters: custom metrics, no dimensions
            dimension, page = DOCUMENTED[(namespace, metric)]
            assert dimension in dimensions, (alarm.name, page)


def test_alarms_act_on_a_topic_in_their_own_account_and_region(env: RenderedStack) -> None:
    for alarm in alarms(env):
        for action in [*alarm.inputs["alarmActions"], *alarm.inputs["okActions"]]:
            assert action.startswith(f"arn:aws:sns:{alarm.region}:{alarm.account}:"), (alarm.name, action)


def test_the_render_shows_chatbot_budget_anomaly_monitor_and_a_dashboard_per_region(
    env: RenderedStack,
) -> None:
    assert env.of_type(SLACK)
    assert len(env.of_type("aws:budgets/budget:Budget")) == 1
    assert len(env.of_type("aws:costexplorer/anomalyMonitor:AnomalyMonitor")) == 1
    subscription = env.of_type("aws:costexplorer/anomalySubscription:AnomalySubscription")[0]
    assert subscription.inputs["subscribers"][0]["type"] == "SNS"
    dashboards = env.of_type("aws:cloudwatch/dashboard:Dashboard")
    assert sorted(d.region for d in dashboards) == sorted(env.outputs["regions"])


def test_alarms_reference_every_aurora_cluster_cache_and_cloudfront_distribution(env: RenderedStack) -> None:
    clusters = {c.inputs["clusterIdentifier"] for c in env.of_type("aws:rds/cluster:Cluster")}
    assert clusters and clusters <= dimension_values(env, "DBClusterIdentifier")
    instances = {i.inputs["identifier"] for i in env.of_type("aws:rds/clusterInstance:ClusterInstance")}
    assert instances <= dimension_values(env, "DBInstanceIdentifier")
    nodes = dimension_values(env, "CacheClusterId")
    for group in env.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
        # ElastiCache names a replication group's nodes <id>-001, <id>-002, …
        expected = {
            f"{group.inputs['replicationGroupId']}-{n:03d}"
            for n in range(1, int(group.inputs["numCacheClusters"]) + 1)
        }
        assert expected <= nodes
    distributions = env.of_type("aws:cloudfront/distribution:Distribution")
    cloudfront_alarms = [a for a in alarms(env) if a.inputs.get("namespace") == "AWS/CloudFront"]
    assert {d.id for d in distributions} <= {
        a.inputs["dimensions"]["DistributionId"] for a in cloudfront_alarms
    }
    assert {a.region for a in cloudfront_alarms} == {"us-east-1"}  # where CloudFront publishes


def test_every_app_client_people_sign_in_with_is_alarmed_by_pool_and_client(env: RenderedStack) -> None:
    # Cognito publishes SignInThrottles and TokenRefreshThrottles by UserPool *and* UserPoolClient
    # (COGNITO): an alarm naming only the pool would watch a metric that never exists.
    pools = {p.id for p in env.of_type("aws:cognito/userPool:UserPool")}
    interactive = {
        (c.inputs["userPoolId"], c.id)
        for c in env.of_type("aws:cognito/userPoolClient:UserPoolClient")
        if "code" in c.inputs.get("allowedOauthFlows", [])
    }
    assert pools and interactive and {pool for pool, _ in interactive} == pools
    for metric in ("SignInThrottles", "TokenRefreshThrottles"):
        watched = {
            (a.inputs["dimensions"]["UserPool"], a.inputs["dimensions"]["UserPoolClient"])
            for a in alarms(env)
            if a.inputs.get("namespace") == "AWS/Cognito" and a.inputs.get("metricName") == metric
        }
        assert watched == interactive, metric
    page = {
        a.inputs.get("metricName")
        for a in alarms(env)
        if any(x.endswith("-page") for x in a.inputs["alarmActions"])
    }
    assert "SignInThrottles" in page  # people who cannot sign in: someone acts now


def test_every_region_with_ivs_pages_on_its_failures_through_its_own_topics(env: RenderedStack) -> None:
    # IVS creators' channels are made at run time: the rules match every channel of the region.
    ivs_regions = {c.region for c in env.of_type("aws:ivs/channel:Channel")}
    rules = {r.name: r for r in env.of_type("aws:cloudwatch/eventRule:EventRule")}
    paged: dict[str, set[str]] = {}
    for target in env.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        rule = rules[target.inputs["rule"]]
        pattern = json.loads(rule.inputs["eventPattern"])
        if pattern.get("source") != ["aws.ivs"] or not target.inputs["arn"].startswith("arn:aws:sns:"):
            continue  # the streaming backend's own queue of IVS events is not an alert
        assert target.inputs["arn"].startswith(f"arn:aws:sns:{rule.region}:{rule.account}:"), rule.name
        if target.inputs["arn"].endswith("-page"):
            paged.setdefault(rule.region, set()).update(
                value for values in pattern["detail"].values() for value in values
            )
    assert ivs_regions and set(paged) == ivs_regions  # every region with IVS, and no other
    for region in ivs_regions:
        assert {"Stream Failure", "Concurrent Viewers"} <= paged[region], region


def test_every_load_balancer_and_target_group_is_alarmed_by_5xx_rate_latency_and_health(
    env: RenderedStack,
) -> None:
    # CloudWatch names an ALB by the end of its ARN, ``app/<name>/<id>``, and a target group by
    # ``targetgroup/<name>/<id>`` (ALB).
    balancers = {
        str(b.arn).split(":loadbalancer/")[1] for b in env.of_type("aws:lb/loadBalancer:LoadBalancer")
    }
    groups = {str(g.arn).rsplit(":", 1)[1] for g in env.of_type("aws:lb/targetGroup:TargetGroup")}
    assert balancers and groups
    by_metric: dict[str, set[str]] = {}
    for alarm in alarms(env):
        metrics = watched_metrics(alarm)
        if metrics[0][0] != "AWS/ApplicationELB":
            continue
        (dimensions,) = {json.dumps(d, sort_keys=True) for _, _, d in metrics}  # one resource
        named = json.loads(dimensions)
        for _, metric, _ in metrics:
            by_metric.setdefault(metric, set()).add(named.get("TargetGroup") or named["LoadBalancer"])
        if len(metrics) > 1:  # a rate: errors over requests of the same resource, in percent
            (expression,) = [q["expression"] for q in alarm.inputs["metricQueries"] if "expression" in q]
            assert expression.startswith("100 *") and {m for _, m, _ in metrics} >= {"RequestCount"}
            assert alarm.inputs["comparisonOperator"] == "GreaterThanThreshold"
    assert balancers <= by_metric["HTTPCode_ELB_5XX_Count"]
    for metric in ("HTTPCode_Target_5XX_Count", "TargetResponseTime", "UnHealthyHostCount"):
        assert groups <= by_metric[metric], metric
    latency = [a for a in alarms(env) if a.inputs.get("metricName") == "TargetResponseTime"]
    assert {a.inputs["extendedStatistic"] for a in latency} == {"p99"}


def test_a_cache_notifies_when_near_full_and_evicting_not_for_either_alone(env: RenderedStack) -> None:
    composites = env.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm")
    nodes = dimension_values(env, "CacheClusterId")
    assert len(composites) == len(nodes)
    by_name = {a.inputs["name"]: a for a in alarms(env) if "name" in a.inputs}
    for composite in composites:
        members = re.findall(r'ALARM\("([^"]+)"\)', composite.inputs["alarmRule"])
        assert {by_name[m].inputs["metricName"] for m in members} == {
            "DatabaseMemoryUsagePercentage",
            "Evictions",
        }
        assert " AND " in composite.inputs["alarmRule"] and composite.inputs["alarmActions"]
        assert all(not by_name[m].inputs.get("alarmActions") for m in members)


def test_every_dead_letter_queue_and_nat_gateway_is_watched(env: RenderedStack) -> None:
    dead_letter = set()
    for queue in env.of_type("aws:sqs/queue:Queue"):
        redrive = queue.inputs.get("redrivePolicy")
        if redrive:
            dead_letter.add(json.loads(redrive)["deadLetterTargetArn"].rsplit(":", 1)[-1])
    visible = {
        a.inputs["dimensions"]["QueueName"]
        for a in alarms(env)
        if a.inputs.get("metricName") == "ApproximateNumberOfMessagesVisible" and a.inputs["threshold"] == 0
    }
    assert dead_letter and dead_letter <= visible
    nats = {n.id for n in env.of_type("aws:ec2/natGateway:NatGateway")}
    assert nats <= dimension_values(env, "NatGatewayId")


def test_saved_queries_cover_every_waf_and_database_log_group_in_its_own_region(env: RenderedStack) -> None:
    queried = {
        (q.region, group)
        for q in env.of_type("aws:cloudwatch/queryDefinition:QueryDefinition")
        for group in q.inputs["logGroupNames"]
    }
    logs = [
        g for g in env.of_type("aws:cloudwatch/logGroup:LogGroup") if "waf-logs" in g.inputs.get("name", "")
    ]
    logs += [
        g
        for g in env.of_type("aws:cloudwatch/logGroup:LogGroup")
        if g.inputs.get("name", "").endswith("/postgresql")
    ]
    assert logs and {(g.region, g.inputs["name"]) for g in logs} <= queried


def test_the_chatbot_role_and_guardrail_only_read_cloudwatch(env: RenderedStack) -> None:
    operations = _cloudwatch().operation_names
    writes = [op for op in operations if not op.startswith(("Describe", "Get", "List"))]
    assert "PutMetricAlarm" in writes and "SetAlarmState" in writes
    for policy in [*env.of_type("aws:iam/policy:Policy"), *env.of_type("aws:iam/rolePolicy:RolePolicy")]:
        if "chatbot" not in policy.name:
            continue
        document = (
            policy.inputs["policy"]
            if isinstance(policy.inputs["policy"], dict)
            else json.loads(policy.inputs["policy"])
        )
        for statement in document["Statement"]:
            for action in statement["Action"]:
                service, pattern = action.split(":")
                assert service == "cloudwatch", action
                granted = [op for op in writes if fnmatchcase(op, pattern)]
                assert not granted, f"{policy.name} lets Slack {granted}"
    for slack in env.of_type(SLACK):
        assert slack.inputs["guardrailPolicyArns"] and slack.inputs["snsTopicArns"]


# ---------------------------------------------------------------------------------------------
# Config: thresholds over tier defaults; prod pages someone


def test_a_threshold_in_the_stack_file_wins_over_the_tier_default(tmp_path: Path) -> None:
    stack = render_variant(
        tmp_path, "dev", {"observability.thresholds": {"queue-age": 120, "aurora-freeable-memory": 512}}
    )
    ages = {
        a.inputs["threshold"]
        for a in alarms(stack)
        if a.inputs.get("metricName") == "ApproximateAgeOfOldestMessage"
    }
    assert ages == {120}
    memory = {a.inputs["threshold"] for a in alarms(stack) if a.inputs.get("metricName") == "FreeableMemory"}
    assert memory == {512 * 1024 * 1024}  # configured in MiB, the metric is in bytes


def test_tier_defaults_relax_dev_and_keep_prod_at_the_catalogue() -> None:
    dev = load_with("dev", {}).section(ObservabilityConfig).resolved_thresholds(Tier.dev)
    prod = load_with("prod", {}).section(ObservabilityConfig).resolved_thresholds(Tier.prod)
    assert dev["queue-age"] > next(r.threshold for r in ALARM_RULES if r.id == "queue-age")
    assert prod == {}


def test_an_unknown_alarm_threshold_is_named() -> None:
    assert_config_error(
        "dev",
        {"observability.thresholds": {"queue-ages": 60}},
        "observability.thresholds",
        "unknown alarm queue-ages",
    )


def test_prod_without_anyone_to_page_is_refused() -> None:
    changes = {
        "observability.subscriptions": [{"severity": "ticket", "email": "a@example.com"}],
        "observability.slack": None,
    }
    assert_config_error("prod", changes, "observability.subscriptions", "prod needs somewhere to page")


def test_a_subscription_has_exactly_one_address() -> None:
    both = [{"severity": "page", "email": "a@example.com", "https": "https://x.example.com/hook"}]
    assert_config_error(
        "dev", {"observability.subscriptions": both}, "observability.subscriptions[0]", "exactly one"
    )


# ---------------------------------------------------------------------------------------------
# The README table is the code's


def test_the_readme_alarm_table_is_generated_from_the_catalogue() -> None:
    text = docs.README.read_text(encoding="utf-8")
    assert docs.generated_alarms(text) == text, "run ./scripts/docs"
    for rule in [*ALARM_RULES, *EVENT_RULES]:
        assert f"| `{rule.id}` |" in text


# ---------------------------------------------------------------------------------------------
# Another queue: its alarms follow from the component, and the guardrail catches a forgotten one


def _another_queue(monkeypatch: pytest.MonkeyPatch, *, watched: bool) -> RenderedStack:
    """Dev rendered with the Streaming component declaring one more queue and its dead-letter queue."""
    original = Streaming._events

    def events(self: Streaming) -> None:
        original(self)
        dead_letters = aws.sqs.Queue(self.child_name("moderation-dlq"), opts=self.stateful())
        redrive = {"deadLetterTargetArn": dead_letters.arn, "maxReceiveCount": 3}
        queue = aws.sqs.Queue(
            self.child_name("moderation"),
            redrive_policy=pulumi.Output.json_dumps(redrive),
            opts=self.stateful(),
        )
        if watched:
            self.watch("queue", "moderation", {"QueueName": queue.name})
            self.watch("dead-letter-queue", "moderation-dlq", {"QueueName": dead_letters.name})

    monkeypatch.setattr(Streaming, "_events", events)
    return render("dev")


def test_another_queue_gets_its_alarms_with_no_change_to_the_observability_area(
    monkeypatch: pytest.MonkeyPatch, rendered: dict[str, RenderedStack]
) -> None:
    stack = _another_queue(monkeypatch, watched=True)
    added = dimension_values(stack, "QueueName") - dimension_values(rendered["dev"], "QueueName")
    assert added == {"streaming-moderation", "streaming-moderation-dlq"}
    assert not [
        v for v in evaluate(stack_view(stack)) if v.rule in ("watched-by-an-alarm", "alarm-has-action")
    ]


def test_a_queue_nobody_watches_fails_the_guardrail(monkeypatch: pytest.MonkeyPatch) -> None:
    stack = _another_queue(monkeypatch, watched=False)
    flagged = {v.name for v in evaluate(stack_view(stack)) if v.rule == "watched-by-an-alarm"}
    assert flagged == {"streaming-moderation", "streaming-moderation-dlq"}


# ---------------------------------------------------------------------------------------------
# Inside the clusters: Alertmanager pages and tickets through the same topics

CHART = "kubernetes:helm.sh/v4:Chart"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"

# Alertmanager v0.28.1 (the image kube-prometheus-stack 77.6.2 runs), docs/configuration.md,
# `<sns_config>` and `<sigv4_config>`: the keys it accepts. Written from that page.
SNS_CONFIG_KEYS = {
    "send_resolved", "api_url", "sigv4", "topic_arn", "subject", "phone_number", "target_arn",
    "message", "attributes", "http_config",
}  # fmt: skip
SIGV4_KEYS = {"region", "access_key", "secret_key", "profile", "role_arn"}


def _prometheus_charts(stack: RenderedStack) -> list[RenderedResource]:
    return [c for c in stack.of_type(CHART) if c.inputs.get("chart") == "kube-prometheus-stack"]


def _topics_by_severity(stack: RenderedStack, region: str) -> dict[str, RenderedResource]:
    return {
        t.inputs["name"].rsplit("-", 1)[-1]: t
        for t in stack.of_type(TOPIC)
        if t.region == region and t.inputs["name"].startswith(stack.outputs["environment"])
    }


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_alertmanager_pages_critical_alerts_and_tickets_the_rest_through_its_regions_topics(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    env = rendered[stack]
    charts = _prometheus_charts(env)
    assert charts
    for chart in charts:
        topics = _topics_by_severity(env, chart.region)
        config = chart.inputs["values"]["alertmanager"]["config"]
        receivers = {r["name"]: r for r in config["receivers"]}
        for severity in ("page", "ticket"):
            (sns,) = receivers[severity]["sns_configs"]
            assert set(sns) <= SNS_CONFIG_KEYS and set(sns["sigv4"]) <= SIGV4_KEYS
            assert sns["topic_arn"] == topics[severity].arn, (chart.region, severity)
            assert sns["sigv4"]["region"] == chart.region  # the topic's region; keys from the pod
            assert "access_key" not in sns["sigv4"] and len(sns["subject"]) < 100
        routes = {tuple(r["matchers"]): r["receiver"] for r in config["route"]["routes"]}
        assert routes[('severity = "critical"',)] == "page"
        assert config["route"]["receiver"] == "ticket"


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_alertmanagers_role_may_publish_to_its_alert_topics_and_use_their_key_only(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    env = rendered[stack]
    for chart in _prometheus_charts(env):
        account = chart.inputs["values"]["alertmanager"]["serviceAccount"]["name"]
        (association,) = [
            a
            for a in env.of_type(ASSOCIATION)
            if a.region == chart.region
            and (a.inputs["namespace"], a.inputs["serviceAccount"]) == (chart.inputs["namespace"], account)
        ]
        (role,) = [r for r in env.of_type("aws:iam/role:Role") if r.arn == association.inputs["roleArn"]]
        policies = [p for p in env.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]
        statements = [s for p in policies for s in json.loads(p.inputs["policy"])["Statement"]]
        topics = _topics_by_severity(env, chart.region)
        key_arns = {topics[s].inputs["kmsMasterKeyId"] for s in ("page", "ticket")}
        granted = {
            (action, resource)
            for s in statements
            for action in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
            for resource in ([s["Resource"]] if isinstance(s["Resource"], str) else s["Resource"])
        }
        assert granted == {("sns:Publish", topics[s].arn) for s in ("page", "ticket")} | {
            (action, key) for action in ("kms:GenerateDataKey", "kms:Decrypt") for key in key_arns
        }
    # The stack rule over who may use which key agrees.
    assert not [v for v in evaluate(stack_view(env)) if v.rule == "encrypted-data-key-access"]


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_grafana_reads_cloudwatch_with_its_own_read_only_role_and_stays_inside_the_cluster(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    env = rendered[stack]
    for chart in _prometheus_charts(env):
        grafana = chart.inputs["values"]["grafana"]
        (cloudwatch,) = [d for d in grafana["additionalDataSources"] if d["type"] == "cloudwatch"]
        # The pod's credentials (the SDK's default chain: EKS Pod Identity), in the cluster's region.
        assert cloudwatch["jsonData"] == {"authType": "default", "defaultRegion": chart.region}
        assert "ingress" not in grafana  # the chart's default: no ingress, a ClusterIP service
        (association,) = [
            a
            for a in env.of_type(ASSOCIATION)
            if a.region == chart.region
            and (a.inputs["namespace"], a.inputs["serviceAccount"])
            == (chart.inputs["namespace"], grafana["serviceAccount"]["name"])
        ]
        (role,) = [r for r in env.of_type("aws:iam/role:Role") if r.arn == association.inputs["roleArn"]]
        attached = {
            a.inputs["policyArn"]
            for a in env.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            if a.inputs["role"] == role.name
        }
        assert attached == {"arn:aws:iam::aws:policy/service-role/AmazonGrafanaCloudWatchAccess"}
        assert not [p for p in env.of_type("aws:iam/rolePolicy:RolePolicy") if p.inputs["role"] == role.id]
