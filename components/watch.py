"""What a component offers to be watched, and how a program gathers every component it built.

A component knows which of its resources can fail in a way someone must hear about and which
CloudWatch dimensions identify them; it says so with `SocialComponent.watch(...)`, one
`Watchable` per resource. It does not know thresholds, topics or tiers: the observability
component (`social_components.observability`) turns watchables into alarms and dashboards.

A program gathers its components with `collect()`: every `SocialComponent` created after the
call (in the same context) is appended to the returned list, so alarms follow from what the
program actually built — a third region, another database or another queue adds its watchables
with no code in between. Outside a `collect()` nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pulumi

if TYPE_CHECKING:
    from social_components.base import SocialComponent

WatchKind = Literal[
    "aurora-cluster",
    "aurora-instance",
    "rds-proxy",
    "cache-node",
    "dynamodb-table",
    "queue",
    "dead-letter-queue",
    "interruption-queue",
    "nat-gateway",
    "cloudfront-distribution",
    "web-acl",
    "eks-cluster",
    "lambda-function",
    "websocket-api",
    "cognito-client",
    "ivs",
    "load-balancer",
    "target-group",
]
"""The kinds of resource the observability component knows how to watch."""


@dataclass(frozen=True)
class Watchable:
    """One resource that can be watched: its kind, a stable key and its CloudWatch dimensions."""

    kind: WatchKind
    key: str
    """Stable, unique name of the watched resource (the component's child name): alarm names
    derive from it, so it must not change while the resource lives."""
    dimensions: Mapping[str, pulumi.Input[str]]
    """CloudWatch dimensions that select the resource's metrics, for example ``{"QueueName": …}``."""
    provider: pulumi.ProviderResource | None
    """The provider the resource was declared with (its account and region); None: the default."""
    metric_region: str | None = None
    """Where the service publishes the metrics when that is not the resource's own region (CloudFront
    and CLOUDFRONT-scope WAF: us-east-1). Unset: the provider's region."""
    traits: frozenset[str] = field(default_factory=frozenset)
    """What decides which alarms apply, for example ``serverless`` or ``global-secondary``."""
    capacity: Mapping[str, float] = field(default_factory=dict)
    """Limits of the resource that alarm thresholds can be relative to, by name (an Aurora cluster's
    ``max_connections``). Unset: none."""
    log_group_name: pulumi.Input[str] | None = None
    """The resource's CloudWatch Logs group, in its own region, for the saved investigation queries
    of its kind (WAF blocks by rule, slow queries). Unset: none."""


_BUILT: ContextVar[list[SocialComponent] | None] = ContextVar("social_components_built", default=None)


def collect() -> list[SocialComponent]:
    """Start recording components: the list returned grows with every component created from now
    on in this context (a Pulumi program's run, a test's render)."""
    built: list[SocialComponent] = []
    _BUILT.set(built)
    return built


def record(component: SocialComponent) -> None:
    """Called by every component's constructor: append it to the list `collect()` returned, if any."""
    built = _BUILT.get()
    if built is not None:
        built.append(component)
