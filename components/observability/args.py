"""Arguments of the observability components: `AlertTopic`, `Alarms`, `Dashboard`, `AccountAlerts`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

from social_components.observability.catalog import Severity
from social_components.watch import Watchable


@dataclass(frozen=True)
class SubscriptionArgs:
    """A person's or a paging service's address on one severity's topic."""

    severity: Severity
    protocol: Literal["email", "https"]
    endpoint: str
    """An e-mail address, or an HTTPS URL (a PagerDuty or Opsgenie integration endpoint)."""


@dataclass(frozen=True)
class AlertTopicArgs:
    subscriptions: Sequence[SubscriptionArgs] = ()
    """E-mail and HTTPS subscribers. Unset: none (Slack through `AccountAlerts`, or subscribe later)."""
    enable_event_rules: bool = True
    """Forward AWS Health, RDS (failover, maintenance, low storage, configuration change, failure)
    and ElastiCache failure events of this account and region to the ticket topic through
    EventBridge."""


@dataclass(frozen=True)
class AlarmsArgs:
    watchables: Sequence[Watchable]
    """What to alarm on (every watchable whose metrics live in this component's region)."""
    topic_arns: Mapping[Severity, pulumi.Input[str]]
    """Alarm and OK actions: the topic of each severity, in this region."""
    thresholds: Mapping[str, float] = field(default_factory=dict)
    """Threshold by alarm rule id (`catalog.ALARM_RULES`). Unset ids: the rule's default."""


@dataclass(frozen=True)
class DashboardArgs:
    panels: Sequence[tuple[Watchable, str]]
    """Watchables to graph, each with the region its metrics are published in."""
    thresholds: Mapping[str, float] = field(default_factory=dict)
    """Thresholds drawn as horizontal lines, by alarm rule id. Unset ids: the rule's default."""


@dataclass(frozen=True)
class SlackArgs:
    workspace_id: str
    """The Slack workspace (team) ID, for example ``T0123456789``, authorised once in the AWS
    Chatbot console (a person's OAuth consent; no API does it)."""
    channel_ids: Mapping[Severity, str]
    """Slack channel ID per severity, for example ``{"page": "C0123456789"}``. A severity without a
    channel reaches Slack nowhere."""


@dataclass(frozen=True)
class AccountAlertsArgs:
    topic_arns: Mapping[Severity, Sequence[pulumi.Input[str]]]
    """Every region's topic of each severity (Slack subscribes to them all)."""
    budget_topic_arn: pulumi.Input[str]
    """Where budget and cost-anomaly notifications go (a ticket topic)."""
    monthly_budget_usd: float | None = None
    """Monthly cost budget of the account, in USD. Unset: no budget."""
    budget_actual_percent: Sequence[int] = (80, 100)
    """Notify when actual spend passes these percentages of the budget."""
    budget_forecast_percent: Sequence[int] = (100,)
    """Notify when forecast spend passes these percentages of the budget."""
    anomaly_threshold_usd: float | None = 100
    """Notify of a cost anomaly whose total impact reaches this many USD. Unset: no anomaly monitor."""
    slack: SlackArgs | None = None
    """Slack through AWS Chatbot. Unset: no Chatbot configuration."""
