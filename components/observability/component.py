"""Where alerts go and what raises them.

- `AlertTopic` (one per account and region): a customer-managed key and one SNS topic per severity
  (page, ticket) that CloudWatch, EventBridge, AWS Budgets and Cost Anomaly Detection may publish
  to; e-mail/HTTPS subscriptions; EventBridge rules forwarding AWS Health, RDS and ElastiCache
  events.
- `Alarms` (one per region): a CloudWatch alarm for every rule of the catalogue that applies to each
  watchable, with alarm and OK actions to the topic of the rule's severity, and an EventBridge rule
  for each event rule (`catalog.EVENT_RULES`) whose kind the region has, to the same topics.
- `Dashboard` (one per region): golden signals per area, from the same watchables.
- `AccountAlerts` (one per account): a monthly budget, a cost anomaly monitor, and Slack through
  AWS Chatbot with a read-only role and guardrail.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import KeyGrant, SocialComponent, assume_role_policy, policy_json
from social_components.observability.args import (
    AccountAlertsArgs,
    AlarmsArgs,
    AlertTopicArgs,
    DashboardArgs,
)
from social_components.observability.catalog import (
    AREAS,
    EVENT_RULES,
    LOG_QUERIES,
    SEVERITIES,
    AlarmRule,
    Severity,
    rules_for,
)
from social_components.watch import Watchable

PUBLISHERS = ("cloudwatch.amazonaws.com", "budgets.amazonaws.com", "costalerts.amazonaws.com")
"""Services that publish to the topics on this account's behalf, scoped by `aws:SourceAccount`."""
EVENTS = "events.amazonaws.com"

ELASTICACHE_FAILURES = (
    "Cache Creation Failed",
    "Cache Update Failed",
    "Cache Limit Approaching",
    "Snapshot Creation Failed",
    "Snapshot Export Failed",
    "Snapshot Copy Failed",
)
"""The ElastiCache service events that need a person, of those it sends to EventBridge (EventBridge
events reference, "Amazon ElastiCache events"). Matching on the source alone would also forward
every ElastiCache API call CloudTrail delivers (``AWS API Call via CloudTrail``), each deploy's
included. ElastiCache sends these for serverless caches only: a self-designed cluster (a replication
group, what the Cache component builds) publishes its events, failover and node replacement among
them, to EventBridge not at all and to SNS only on an unencrypted topic whose policy uses
``aws:SourceOwner`` (ElastiCache user guide, "Event Notifications and Amazon SNS"); the platform's
topics are KMS-encrypted, so its replication-lag, CPU and memory alarms stand in for them
(docs/components/observability.md)."""

EVENT_PATTERNS: Mapping[str, Mapping[str, Any]] = {
    "health": {"source": ["aws.health"], "detail-type": ["AWS Health Event"]},
    "rds": {
        "source": ["aws.rds"],
        "detail-type": ["RDS DB Cluster Event", "RDS DB Instance Event", "RDS DB Proxy Event"],
        "detail": {
            "EventCategories": ["failover", "maintenance", "low storage", "configuration change", "failure"]
        },
    },
    "elasticache": {"source": ["aws.elasticache"], "detail-type": list(ELASTICACHE_FAILURES)},
}
"""What EventBridge forwards to the ticket topic: AWS Health events of the account, RDS events of
the categories that need a person, and ElastiCache's failure events (`ELASTICACHE_FAILURES`)."""

CHATBOT_READ_ACTIONS = ("cloudwatch:Describe*", "cloudwatch:Get*", "cloudwatch:List*")
"""All a Slack channel may do through Chatbot: read alarms and graphs (AWS's notifications-only
policy). The guardrail caps every channel member at the same."""


class AlertTopic(SocialComponent):
    """One SNS topic per severity in one account and region, encrypted with its own key."""

    MODULE = "observability"

    topic_arns: dict[Severity, pulumi.Output[str]]
    """ARN of the page and the ticket topic: what alarms, EventBridge rules and budgets publish to."""
    key_arn: pulumi.Output[str]
    """ARN of the topics' KMS key (a publisher that is not a service named here needs a grant on it)."""

    def __init__(
        self,
        name: str,
        args: AlertTopicArgs,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        account = self.account_id()
        scoped = {"StringEquals": {"aws:SourceAccount": account}}
        grants = [
            *(
                KeyGrant(
                    f"{service.split('.')[0].title()}Publishes",
                    service,
                    scoped,
                    ("kms:GenerateDataKey*", "kms:Decrypt"),
                )
                for service in PUBLISHERS
            ),
            # EventBridge's requests to KMS carry no source condition key: a condition would drop
            # every event silently (SNS developer guide, "encrypted topics").
            KeyGrant("EventBridgePublishes", EVENTS, {}, ("kms:GenerateDataKey*", "kms:Decrypt")),
        ]
        key = self.kms_key("topics", f"{name}: alert topics", grants=grants)
        self.key_arn = key.arn
        self.topics: dict[Severity, aws.sns.Topic] = {}
        for severity in SEVERITIES:
            topic = aws.sns.Topic(
                self.child_name(severity),
                name=self.child_name(severity),
                kms_master_key_id=key.arn,
                opts=self.child(),
            )
            aws.sns.TopicPolicy(
                self.child_name(severity),
                arn=topic.arn,
                policy=policy_json(topic_statements(topic.arn, account)),
                opts=self.child(),
            )
            self.topics[severity] = topic
        self.topic_arns = {severity: topic.arn for severity, topic in self.topics.items()}

        for index, subscription in enumerate(args.subscriptions):
            aws.sns.TopicSubscription(
                self.child_name(f"{subscription.severity}-{subscription.protocol}-{index + 1}"),
                topic=self.topic_arns[subscription.severity],
                protocol=subscription.protocol,
                endpoint=subscription.endpoint,
                opts=self.child(),
            )

        if args.enable_event_rules:
            for source, pattern in EVENT_PATTERNS.items():
                forward_events(
                    self, f"{source}-events", pattern, self.topic_arns["ticket"],
                    f"{name}: {source} events → ticket topic",
                )  # fmt: skip

        self.register_outputs({"topic_arns": self.topic_arns, "key_arn": self.key_arn})


def forward_events(
    owner: SocialComponent,
    role: str,
    pattern: Mapping[str, Any],
    topic_arn: pulumi.Input[str],
    description: str,
) -> aws.cloudwatch.EventRule:
    """An EventBridge rule of `owner`'s account and region matching `pattern`, targeting an alert topic
    (whose key and policy let EventBridge publish)."""
    rule = aws.cloudwatch.EventRule(
        owner.child_name(role), description=description, event_pattern=json.dumps(pattern), opts=owner.child()
    )
    aws.cloudwatch.EventTarget(
        owner.child_name(role), rule=rule.name, target_id="alert-topic", arn=topic_arn, opts=owner.child()
    )
    return rule


def topic_statements(topic_arn: pulumi.Input[str], account: pulumi.Input[str]) -> list[Mapping[str, Any]]:
    """An alert topic's policy: the account uses it; CloudWatch, EventBridge, Budgets and Cost
    Anomaly Detection publish on this account's behalf only; nothing over plain HTTP."""
    return [
        {
            "Sid": "AccountUses",
            "Effect": "Allow",
            "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")},
            "Action": [
                "sns:Publish",
                "sns:Subscribe",
                "sns:GetTopicAttributes",
                "sns:ListSubscriptionsByTopic",
            ],
            "Resource": topic_arn,
        },
        {
            "Sid": "ServicesPublish",
            "Effect": "Allow",
            "Principal": {"Service": [*PUBLISHERS, EVENTS]},
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        },
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "sns:Publish",
            "Resource": topic_arn,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
    ]


class Alarms(SocialComponent):
    """A CloudWatch alarm per applicable catalogue rule and watchable, acting on the topics, and the
    saved Logs Insights queries (`catalog.LOG_QUERIES`) over the watchables' log groups."""

    MODULE = "observability"

    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    """By alarm name (`<watchable key>-<rule id>`)."""

    def __init__(self, name: str, args: AlarmsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, opts=opts)
        self.alarms = {}
        self.composites: dict[str, aws.cloudwatch.CompositeAlarm] = {}
        for watchable in args.watchables:
            members: dict[str, list[tuple[AlarmRule, str]]] = {}
            for rule in rules_for(watchable.kind, watchable.traits, watchable.capacity):
                alarm_name = f"{watchable.key}-{rule.id}"
                # A composite's members notify through it, never alone.
                actions = [] if rule.composite else [args.topic_arns[rule.severity]]
                if rule.composite:
                    members.setdefault(rule.composite, []).append((rule, alarm_name))
                self.alarms[alarm_name] = aws.cloudwatch.MetricAlarm(
                    self.child_name(alarm_name),
                    name=alarm_name,
                    alarm_description=describe(rule, watchable, threshold(rule, args.thresholds)),
                    **metric_args(rule, watchable),
                    comparison_operator=rule.comparison,
                    threshold=metric_threshold(rule, watchable, args.thresholds),
                    period=None if rule.divide_by else rule.period_seconds,
                    evaluation_periods=rule.evaluation_periods,
                    datapoints_to_alarm=rule.datapoints_to_alarm,
                    treat_missing_data=rule.treat_missing_data,
                    alarm_actions=actions,
                    ok_actions=actions,
                    opts=self.child(),
                )
            for composite, rules in members.items():
                self._composite(f"{watchable.key}-{composite}", rules, args)
        # Failure events of the kinds this region has (IVS), to the topic of their severity.
        self.event_rules: dict[str, aws.cloudwatch.EventRule] = {}
        kinds = {w.kind for w in args.watchables}
        for event in EVENT_RULES:
            if event.kind not in kinds:
                continue
            self.event_rules[event.id] = forward_events(
                self, event.id, event.pattern, args.topic_arns[event.severity],
                f"{event.title} ({event.severity})",
            )  # fmt: skip
        # Saved Logs Insights queries over this region's log groups of each kind.
        for query in LOG_QUERIES:
            groups = [w.log_group_name for w in args.watchables if w.kind == query.kind and w.log_group_name]
            if groups:
                aws.cloudwatch.QueryDefinition(
                    self.child_name(query.id),
                    name=f"{name}/{query.title}",
                    log_group_names=groups,
                    query_string=query.query,
                    opts=self.child(),
                )
        self.register_outputs({"alarm_names": sorted(self.alarms)})

    def _composite(self, name: str, members: list[tuple[AlarmRule, str]], args: AlarmsArgs) -> None:
        """One composite alarm, in ALARM when every member is, notifying at the members' severity."""
        severity: Severity = "page" if any(rule.severity == "page" for rule, _ in members) else "ticket"
        actions = [args.topic_arns[severity]]
        self.composites[name] = aws.cloudwatch.CompositeAlarm(
            self.child_name(name),
            alarm_name=name,
            alarm_description=" and ".join(rule.title for rule, _ in members) + f" ({severity})",
            alarm_rule=" AND ".join(f'ALARM("{member}")' for _, member in members),
            alarm_actions=actions,
            ok_actions=actions,
            opts=self.child(depends_on=[self.alarms[member] for _, member in members]),
        )


def metric_args(rule: AlarmRule, watchable: Watchable) -> dict[str, Any]:
    """What a `MetricAlarm` watches for `rule` on `watchable`: the metric with its statistic (a
    percentile as an extended statistic), or, for a rate, the metric-math expression over two."""
    dimensions = dict(watchable.dimensions)
    if rule.divide_by is None:
        statistic = "extended_statistic" if rule.statistic.startswith("p") else "statistic"
        return {
            "namespace": rule.namespace,
            "metric_name": rule.metric,
            "dimensions": dimensions,
            statistic: rule.statistic,
        }

    def query(query_id: str, metric: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
        return aws.cloudwatch.MetricAlarmMetricQueryArgs(
            id=query_id,
            return_data=False,
            metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
                namespace=rule.namespace,
                metric_name=metric,
                dimensions=dimensions,
                period=rule.period_seconds,
                stat=rule.statistic,
            ),
        )

    return {
        "metric_queries": [
            query("part", rule.metric),
            query("whole", rule.divide_by),
            aws.cloudwatch.MetricAlarmMetricQueryArgs(
                id="rate", expression="100 * part / whole", label=rule.title, return_data=True
            ),
        ]
    }


def threshold(rule: AlarmRule, thresholds: Mapping[str, float]) -> float:
    """The rule's threshold in `rule.unit` (given, else the rule's default)."""
    return thresholds.get(rule.id, rule.threshold)


def metric_threshold(rule: AlarmRule, watchable: Watchable, thresholds: Mapping[str, float]) -> float:
    """The alarm's threshold in the metric's own unit: `rule.scale` times the rule's threshold, or
    that percentage of the watchable's capacity `rule.of_capacity`."""
    value = threshold(rule, thresholds)
    if rule.of_capacity is not None:
        return value / 100 * watchable.capacity[rule.of_capacity]
    return value * rule.scale


def describe(rule: AlarmRule, watchable: Watchable, value: float) -> str:
    of = ""
    if rule.of_capacity is not None:
        capacity = watchable.capacity[rule.of_capacity]
        of = f" ({value / 100 * capacity:g} of {capacity:g})"
    return (
        f"{rule.title} of {watchable.key}: {rule.statistic} {rule.metric}"
        + (f" / {rule.divide_by}" if rule.divide_by else "")
        + f" {rule.symbol} {value:g} "
        f"{rule.unit}{of} for {rule.evaluation_periods} periods of {rule.period_seconds // 60} min "
        f"({rule.severity})"
    )


class Dashboard(SocialComponent):
    """A CloudWatch dashboard: one row per area (edge, cluster, network, data, queues, realtime), one
    graph per alarm rule with every watchable of its kind, the threshold drawn as a line."""

    MODULE = "observability"

    dashboard_name: pulumi.Output[str]
    """Name of the dashboard (the component's name)."""

    def __init__(self, name: str, args: DashboardArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(name, opts=opts)
        dashboard = aws.cloudwatch.Dashboard(
            self.child_name("dashboard"),
            dashboard_name=name,
            dashboard_body=pulumi.Output.json_dumps({"widgets": widgets(args)}),
            opts=self.child(),
        )
        self.dashboard_name = dashboard.dashboard_name
        self.register_outputs({"dashboard_name": self.dashboard_name})


def widgets(args: DashboardArgs) -> list[dict[str, Any]]:
    """Dashboard widgets, area by area: a title, then a graph per rule and metric region."""
    out: list[dict[str, Any]] = []
    y = 0
    for area in dict.fromkeys(AREAS.values()):
        graphs: dict[tuple[str, str], list[tuple[AlarmRule, Watchable]]] = {}
        for watchable, region in args.panels:
            if AREAS[watchable.kind] != area:
                continue
            for rule in rules_for(watchable.kind, watchable.traits, watchable.capacity):
                graphs.setdefault((rule.id, region), []).append((rule, watchable))
        if not graphs:
            continue
        out.append(
            {
                "type": "text",
                "x": 0,
                "y": y,
                "width": 24,
                "height": 1,
                "properties": {"markdown": f"## {area}"},
            }
        )
        y += 1
        for index, ((rule_id, region), members) in enumerate(graphs.items()):
            rule = members[0][0]
            metrics: list[list[Any]] = []
            for index_w, (_, watchable) in enumerate(members):
                dims = _flatten(watchable.dimensions)
                if rule.divide_by is None:
                    metrics.append([rule.namespace, rule.metric, *dims, {"label": watchable.key}])
                    continue
                part, whole = f"p{index_w}", f"w{index_w}"
                metrics += [
                    [{"expression": f"100 * {part} / {whole}", "label": watchable.key}],
                    [rule.namespace, rule.metric, *dims, {"id": part, "visible": False}],
                    [rule.namespace, rule.divide_by, *dims, {"id": whole, "visible": False}],
                ]
            out.append(
                {
                    "type": "metric",
                    "x": (index % 3) * 8,
                    "y": y + (index // 3) * 6,
                    "width": 8,
                    "height": 6,
                    "properties": {
                        "title": rule.title,
                        "region": region,
                        "stat": rule.statistic,
                        "period": rule.period_seconds,
                        "view": "timeSeries",
                        "metrics": metrics,
                        # One line per distinct threshold (relative ones differ by watchable).
                        "annotations": {
                            "horizontal": [
                                {"label": label, "value": value}
                                for value, label in {
                                    metric_threshold(rule, w, args.thresholds): rule_id
                                    if rule.of_capacity is None
                                    else f"{rule_id} ({w.key})"
                                    for _, w in members
                                }.items()
                            ]
                        },
                    },
                }
            )
        y += ((len(graphs) + 2) // 3) * 6
    return out


def _flatten(dimensions: Mapping[str, pulumi.Input[str]]) -> list[pulumi.Input[str]]:
    return [part for key, value in dimensions.items() for part in (key, value)]


class AccountAlerts(SocialComponent):
    """What an account has once, whatever its regions: the budget, the cost anomaly monitor and the
    Slack channels."""

    MODULE = "observability"

    def __init__(
        self, name: str, args: AccountAlertsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, opts=opts)
        if args.monthly_budget_usd is not None:
            notifications = [
                aws.budgets.BudgetNotificationArgs(
                    comparison_operator="GREATER_THAN",
                    notification_type=kind,
                    threshold=percent,
                    threshold_type="PERCENTAGE",
                    subscriber_sns_topic_arns=[args.budget_topic_arn],
                )
                for kind, percents in (
                    ("ACTUAL", args.budget_actual_percent),
                    ("FORECASTED", args.budget_forecast_percent),
                )
                for percent in percents
            ]
            aws.budgets.Budget(
                self.child_name("budget"),
                name=self.child_name("monthly"),
                budget_type="COST",
                limit_amount=f"{args.monthly_budget_usd:.2f}",
                limit_unit="USD",
                time_unit="MONTHLY",
                notifications=notifications,
                opts=self.child(),
            )
        if args.anomaly_threshold_usd is not None:
            monitor = aws.costexplorer.AnomalyMonitor(
                self.child_name("cost-anomalies"),
                name=self.child_name("cost-anomalies"),
                monitor_type="DIMENSIONAL",
                monitor_dimension="SERVICE",
                opts=self.child(),
            )
            aws.costexplorer.AnomalySubscription(
                self.child_name("cost-anomalies"),
                name=self.child_name("cost-anomalies"),
                frequency="IMMEDIATE",  # what an SNS subscriber requires
                monitor_arn_lists=[monitor.arn],
                subscribers=[
                    aws.costexplorer.AnomalySubscriptionSubscriberArgs(
                        type="SNS", address=args.budget_topic_arn
                    )
                ],
                threshold_expression=aws.costexplorer.AnomalySubscriptionThresholdExpressionArgs(
                    dimension=aws.costexplorer.AnomalySubscriptionThresholdExpressionDimensionArgs(
                        key="ANOMALY_TOTAL_IMPACT_ABSOLUTE",
                        match_options=["GREATER_THAN_OR_EQUAL"],
                        values=[f"{args.anomaly_threshold_usd:g}"],
                    )
                ),
                opts=self.child(),
            )
        if args.slack is not None:
            self._slack(args)
        self.register_outputs({})

    def _slack(self, args: AccountAlertsArgs) -> None:
        assert args.slack is not None
        read_only = policy_json([{"Effect": "Allow", "Action": list(CHATBOT_READ_ACTIONS), "Resource": "*"}])
        role = aws.iam.Role(
            self.child_name("chatbot"),
            description="AWS Chatbot: post alerts to Slack and show alarm graphs (read-only)",
            assume_role_policy=assume_role_policy({"Service": "chatbot.amazonaws.com"}),
            opts=self.child(),
        )
        aws.iam.RolePolicy(self.child_name("chatbot"), role=role.id, policy=read_only, opts=self.child())
        guardrail = aws.iam.Policy(
            self.child_name("chatbot-guardrail"),
            description="Most any Slack channel member may do through AWS Chatbot: read CloudWatch",
            policy=read_only,
            opts=self.child(),
        )
        for severity, channel_id in args.slack.channel_ids.items():
            aws.chatbot.SlackChannelConfiguration(
                self.child_name(f"slack-{severity}"),
                configuration_name=self.child_name(f"slack-{severity}"),
                iam_role_arn=role.arn,
                slack_team_id=args.slack.workspace_id,
                slack_channel_id=channel_id,
                sns_topic_arns=list(args.topic_arns.get(severity, ())),
                guardrail_policy_arns=[guardrail.arn],
                logging_level="ERROR",
                user_authorization_required=True,
                opts=self.child(),
            )
