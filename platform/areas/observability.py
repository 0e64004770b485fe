"""Observability area: the `observability` section (where alerts go, alarm thresholds, budget) and
the build step that watches everything the other areas built.

- `AlertTopics`: one `AlertTopic` (page and ticket SNS topics, a customer-managed key, EventBridge
  rules for AWS Health, RDS and ElastiCache events) per account and region, made on first use, so
  any area may send to it (`topic_arn`) before the alarms exist.
- `build`: every component the program built offers `watchables`; each becomes alarms (thresholds:
  the catalogue's default ← the tier default ← `observability.thresholds`) in the region its metrics
  are published in, a dashboard per region of the stack, and the account's budget, cost anomaly
  monitor and Slack channels. Nothing is listed per resource: a third region or another queue adds
  its alarms with no code.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

import pulumi
from pydantic import Field, field_validator

from social_components.base import SocialComponent
from social_components.observability import (
    AccountAlerts,
    AccountAlertsArgs,
    Alarms,
    AlarmsArgs,
    AlertTopic,
    AlertTopicArgs,
    Dashboard,
    DashboardArgs,
    Severity,
    SlackArgs,
    SubscriptionArgs,
)
from social_components.observability.catalog import ALARM_RULES, EVENT_RULES, RULES_BY_ID
from social_components.watch import Watchable
from social_platform.areas.base import Section, StrictModel, Tier, region_code
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=254)]
HttpsUrl = Annotated[str, Field(pattern=r"^https://[^\s/]+(/\S*)?$", max_length=2048)]


class Subscription(StrictModel):
    """One address on a severity's topic: an e-mail address or an HTTPS endpoint (PagerDuty, Opsgenie)."""

    severity: Severity
    email: Email | None = None
    """E-mail address (the owner confirms the subscription from the message AWS sends)."""
    https: HttpsUrl | None = None
    """HTTPS endpoint, for example a PagerDuty integration URL."""

    def args(self) -> SubscriptionArgs:
        if self.email is not None:
            return SubscriptionArgs(self.severity, "email", self.email)
        assert self.https is not None  # checked by `check`
        return SubscriptionArgs(self.severity, "https", self.https)


class Slack(StrictModel):
    """Slack through AWS Chatbot. The workspace is authorised once in the Chatbot console."""

    workspace_id: Annotated[str, Field(pattern=r"^T[A-Z0-9]{8,}$")]
    """Slack workspace (team) ID, for example T0123456789."""
    channels: dict[Severity, Annotated[str, Field(pattern=r"^[CG][A-Z0-9]{8,}$")]]
    """Slack channel ID per severity, for example {page: C0123456789, ticket: C0987654321}."""


TIER_THRESHOLDS: Mapping[Tier, Mapping[str, float]] = {
    Tier.dev: {
        "aurora-connections": 90,
        "cache-connections": 1000,
        "queue-age": 3600,
        "waf-blocked-requests": 20000,
    },
    Tier.staging: {"aurora-connections": 85, "queue-age": 1800},
    Tier.prod: {},
}
"""Per-tier thresholds that differ from the catalogue's defaults (`catalog.ALARM_RULES`)."""


class ObservabilityConfig(Section):
    KEY = "observability"
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {"monthly_budget_usd": 500, "anomaly_threshold_usd": 50},
        Tier.staging: {"monthly_budget_usd": 2000, "anomaly_threshold_usd": 100},
        Tier.prod: {"monthly_budget_usd": 20000, "anomaly_threshold_usd": 250},
    }

    subscriptions: list[Subscription] = []
    """E-mail and HTTPS subscribers of the alert topics, each with its severity (page or ticket).
    Unset: none (Slack only). Prod needs a page destination: a subscription or a Slack channel."""
    slack: Slack | None = None
    """Slack channels per severity through AWS Chatbot. Unset: no Chatbot configuration."""
    thresholds: dict[str, float] = {}
    """Alarm thresholds by rule id (see README, "Alerts and dashboards"), over the tier defaults."""
    monthly_budget_usd: Annotated[float, Field(gt=0)] | None
    """Monthly cost budget of the stack's account in USD: notified at 80 % and 100 % of actual and
    100 % of forecast spend (tier default: dev 500, staging 2000, prod 20000). Unset: no budget."""
    anomaly_threshold_usd: Annotated[float, Field(gt=0)] | None
    """Cost anomalies with a total impact of at least this many USD are notified (tier default:
    dev 50, staging 100, prod 250). Unset: no anomaly monitor."""
    event_rules: bool = True
    """Forward AWS Health, RDS and ElastiCache events to the ticket topic."""
    dashboards: bool = True
    """A CloudWatch dashboard per region of the stack."""

    @field_validator("thresholds")
    @classmethod
    def _known_rules(cls, value: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(value) - set(RULES_BY_ID))
        if unknown:
            raise ValueError(f"unknown alarm {', '.join(unknown)}; allowed: {', '.join(sorted(RULES_BY_ID))}")
        for rule_id, threshold in value.items():
            rule = RULES_BY_ID[rule_id]
            if rule.of_capacity is not None and not 0 < threshold <= 100:
                raise ValueError(
                    f"{rule_id} is a percentage of {rule.of_capacity}: 1 to 100 (got {threshold:g})"
                )
        return value

    def resolved_thresholds(self, tier: Tier) -> dict[str, float]:
        """Every threshold that differs from the catalogue: tier default ← stack file."""
        return {**TIER_THRESHOLDS[tier], **self.thresholds}


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Each subscription has one address; prod pages someone."""
    section = cfg.section(ObservabilityConfig)
    if not section.enabled:
        return
    for index, subscription in enumerate(section.subscriptions):
        if (subscription.email is None) == (subscription.https is None):
            yield ConfigIssue(
                f"observability.subscriptions[{index}]", "needs exactly one of `email` or `https`"
            )
    if cfg.tier is Tier.prod and not destinations(section, "page"):
        yield ConfigIssue(
            "observability.subscriptions",
            "prod needs somewhere to page: a subscription with severity: page, "
            "or observability.slack.channels.page",
        )


def destinations(section: ObservabilityConfig, severity: Severity) -> list[str]:
    """Where alerts of `severity` reach a person."""
    found = [s.email or s.https or "" for s in section.subscriptions if s.severity == severity]
    if section.slack is not None and severity in section.slack.channels:
        found.append(f"slack:{section.slack.channels[severity]}")
    return found


# ---------------------------------------------------------------------------------------------
# Build


class AlertTopics:
    """The stack's alert topics, one `AlertTopic` per (account, region), made on first use."""

    def __init__(self, platform: Platform) -> None:
        self._platform = platform
        self.environment = platform.cfg.environment.name
        """The stack's own account key."""
        self.topics: dict[tuple[str, str], AlertTopic] = {}

    def get(self, region: str, account: str | None = None) -> AlertTopic:
        """The alert topics of `account` (a key of `accounts`; unset: the stack's own) in `region`."""
        platform = self._platform
        account = account or platform.cfg.environment.name
        key = (account, region)
        if key not in self.topics:
            section = platform.cfg.section(ObservabilityConfig)
            prefix = (
                platform.name(region)
                if account == platform.cfg.environment.name
                else f"{account}-{region_code(region)}"
            )
            self.topics[key] = AlertTopic(
                f"{prefix}-alerts",
                AlertTopicArgs(
                    subscriptions=tuple(s.args() for s in section.subscriptions),
                    enable_event_rules=section.event_rules,
                ),
                opts=pulumi.ResourceOptions(provider=platform.providers.get(account, region)),
                protect=platform.protect,
            )
        return self.topics[key]

    def topic_arn(self, region: str, severity: Severity = "ticket") -> pulumi.Output[str]:
        """The ARN of the stack's own `severity` topic in `region` (for another area's alarms or
        EventBridge rules, which must publish in their own region)."""
        return self.get(region).topic_arns[severity]


def _prefix(platform: Platform, account: str, region: str) -> str:
    """Base name of the observability components of `account` in `region` (``prod-euw1``)."""
    return (
        platform.name(region)
        if account == platform.cfg.environment.name
        else f"{account}-{region_code(region)}"
    )


@dataclass
class Observability:
    topics: AlertTopics
    alarms: dict[str, Alarms] = field(default_factory=dict)
    """By region the metrics are published in."""
    dashboards: dict[str, Dashboard] = field(default_factory=dict)
    account: AccountAlerts | None = None


def topics(platform: Platform) -> AlertTopics | None:
    """The stack's alert topics (None where the section is off); the stack regions' are made now."""
    if not platform.cfg.section(ObservabilityConfig).enabled:
        return None
    alert_topics = AlertTopics(platform)
    for region in platform.cfg.regions.all():
        alert_topics.get(region.name)
    return alert_topics


def build(
    platform: Platform, alert_topics: AlertTopics | None, built: Sequence[SocialComponent]
) -> Observability | None:
    """Alarms, dashboards and account alerts for every watchable of the components in `built`."""
    if alert_topics is None:
        return None
    cfg = platform.cfg
    section = cfg.section(ObservabilityConfig)
    thresholds = section.resolved_thresholds(cfg.tier)
    own = cfg.environment.name
    primary = cfg.regions.primary.name
    # Where each watchable's resource lives, and where its metrics are published.
    placed: list[tuple[Watchable, str, str, str]] = []
    for component in built:
        for watchable in component.watchables:
            account, region = platform.providers.placement(watchable.provider)
            placed.append((watchable, account, region, watchable.metric_region or region))
    result = Observability(topics=alert_topics)
    by_metric_region: dict[tuple[str, str], list[Watchable]] = {}
    for watchable, account, _, metric_region in placed:
        by_metric_region.setdefault((account, metric_region), []).append(watchable)
    for (account, region), watchables in by_metric_region.items():
        topic = alert_topics.get(region, account)
        result.alarms[region if account == own else f"{account}/{region}"] = Alarms(
            f"{_prefix(platform, account, region)}-alarms",
            AlarmsArgs(watchables=tuple(watchables), topic_arns=topic.topic_arns, thresholds=thresholds),
            opts=pulumi.ResourceOptions(provider=platform.providers.get(account, region)),
        )
    if section.dashboards:
        stack_regions = [region.name for region in cfg.regions.all()]
        for stack_region in stack_regions:
            # A resource outside the stack's regions (none today) shows on the primary's dashboard.
            panels = [
                (watchable, metric_region)
                for watchable, account, home, metric_region in placed
                if account == own
                and (home == stack_region or (stack_region == primary and home not in stack_regions))
            ]
            result.dashboards[stack_region] = Dashboard(
                platform.name(stack_region),
                DashboardArgs(panels=tuple(panels), thresholds=thresholds),
                opts=platform.options(stack_region),
            )
    topic_arns: dict[Severity, list[pulumi.Output[str]]] = {"page": [], "ticket": []}
    for (account, _), topic in alert_topics.topics.items():
        if account == own:
            for severity, arn in topic.topic_arns.items():
                topic_arns[severity].append(arn)
    slack = section.slack
    result.account = AccountAlerts(
        f"{cfg.environment.name}-account-alerts",
        AccountAlertsArgs(
            topic_arns=topic_arns,
            budget_topic_arn=alert_topics.topic_arn(primary, "ticket"),
            monthly_budget_usd=section.monthly_budget_usd,
            anomaly_threshold_usd=section.anomaly_threshold_usd,
            slack=None if slack is None else SlackArgs(slack.workspace_id, dict(slack.channels)),
        ),
        opts=pulumi.ResourceOptions(provider=platform.providers.primary),
    )
    return result


def outputs(result: Observability | None) -> dict[str, Any]:
    """The alert topics by region (what operators subscribe to) and the dashboards' names."""
    if result is None:
        return {}
    return {
        "alerts": {
            region if account == result.topics.environment else f"{account}/{region}": {
                f"{severity}_topic_arn": arn for severity, arn in topic.topic_arns.items()
            }
            for (account, region), topic in result.topics.topics.items()
        },
        "dashboards": {region: d.dashboard_name for region, d in result.dashboards.items()},
    }


# ---------------------------------------------------------------------------------------------
# The README's alarm table


def alarm_table() -> str:
    """Every alarm rule with its threshold per tier (catalogue default ← tier default), as Markdown (a
    rule "with" a composite notifies only when the composite's other members alarm too):
    the README's "Alerts and dashboards" table (`docs` writes it; `docs --check` keeps it in sync)."""
    lines = [
        "| alarm | watches | metric | when | unit | dev | staging | prod | periods | severity |",
        "|---|---|---|---|---|---:|---:|---:|---|---|",
    ]
    for rule in ALARM_RULES:
        watches = rule.kind + (f" ({rule.requires})" if rule.requires else "")
        cells = [f"{TIER_THRESHOLDS[tier].get(rule.id, rule.threshold):g}" for tier in Tier]
        periods = f"{rule.evaluation_periods} of {rule.period_seconds // 60} min"
        severity = rule.severity if rule.composite is None else f"{rule.severity}, with `{rule.composite}`"
        lines.append(
            f"| `{rule.id}` | {watches} | `{rule.namespace}` `{rule.metric}` "
            f"| {rule.statistic} {rule.symbol} | {rule.unit} | "
            + " | ".join(cells)
            + f" | {periods} | {severity} |"
        )
    lines += [
        "",
        "Failures a service reports only as events, forwarded by an EventBridge rule in each region that"
        " has the kind:",
        "",
        "| event rule | watches | events | severity |",
        "|---|---|---|---|",
    ]
    for event in EVENT_RULES:
        detail = "; ".join(
            f"{field} {', '.join(values)}" for field, values in event.pattern.get("detail", {}).items()
        )
        kinds = ", ".join(event.pattern["detail-type"])
        lines.append(f"| `{event.id}` | {event.kind} | {kinds}: {detail} | {event.severity} |")
    return "\n".join(lines)
