"""Alert topics, alarms derived from what components offer to watch, dashboards, budgets and Slack."""

from social_components.observability.args import (
    AccountAlertsArgs,
    AlarmsArgs,
    AlertTopicArgs,
    DashboardArgs,
    SlackArgs,
    SubscriptionArgs,
)
from social_components.observability.catalog import (
    ALARM_RULES,
    EVENT_RULES,
    SEVERITIES,
    AlarmRule,
    EventRule,
    Severity,
    rules_for,
)
from social_components.observability.component import AccountAlerts, Alarms, AlertTopic, Dashboard

__all__ = [
    "ALARM_RULES",
    "EVENT_RULES",
    "SEVERITIES",
    "AccountAlerts",
    "AccountAlertsArgs",
    "AlarmRule",
    "Alarms",
    "AlarmsArgs",
    "AlertTopic",
    "AlertTopicArgs",
    "Dashboard",
    "DashboardArgs",
    "EventRule",
    "Severity",
    "SlackArgs",
    "SubscriptionArgs",
    "rules_for",
]
