"""Alerting: what can fail unseen is watched, and every alarm reaches someone.

The watched types are those whose failure loses or strands data at run time: Aurora clusters and
instances, ElastiCache replication groups, DynamoDB tables, and queues that have a dead-letter queue
(the queue, whose backlog ages, and its dead-letter queue, where messages that failed land). A
watched resource is covered by a CloudWatch alarm one of whose dimensions names it. Buckets, keys,
secrets and log groups hold data too but fail loudly (an access error in the caller's own logs) and
are guarded by protection and backups instead (rules in `data.py`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from social_platform.rulebook import ResourceView, StackView, _document, _seq, rule

METRIC_ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
COMPOSITE_ALARM = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
QUEUE = "aws:sqs/queue:Queue"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
CACHE_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"

WATCHED: Mapping[str, tuple[str, str]] = {
    # type: (CloudWatch dimension that names it, the input holding that name)
    RDS_CLUSTER: ("DBClusterIdentifier", "clusterIdentifier"),
    RDS_CLUSTER_INSTANCE: ("DBInstanceIdentifier", "identifier"),
    CACHE_GROUP: ("CacheClusterId", "replicationGroupId"),
    DYNAMODB_TABLE: ("TableName", "name"),
    QUEUE: ("QueueName", "name"),
}
"""What must be watched, and how an alarm names it."""


def physical_name(r: ResourceView) -> str:
    """The AWS name of a watched resource: the input that names it, else its (auto-)name."""
    return str(r.props.get(WATCHED[r.type][1]) or r.name)


def _names(alarm: ResourceView, dimension: str) -> set[str]:
    """The values `alarm` gives `dimension`, directly or in any of its metric queries."""
    found: set[str] = set()
    dimensions = [alarm.get("dimensions")]
    for query in _seq(alarm.get("metricQueries")):
        if isinstance(query, Mapping):
            dimensions.append((query.get("metric") or {}).get("dimensions"))
    for mapping in dimensions:
        if isinstance(mapping, Mapping) and mapping.get(dimension) is not None:
            found.add(str(mapping[dimension]))
    return found


def covered(r: ResourceView, stack: StackView) -> bool:
    """Whether some alarm's dimensions name `r`. A replication group is covered by an alarm on any of
    its nodes (`<id>-001`…), which is how ElastiCache publishes."""
    dimension, _ = WATCHED[r.type]
    name = physical_name(r)
    for alarm in stack.of_type(METRIC_ALARM):
        for value in _names(alarm, dimension):
            if value == name or (r.type == CACHE_GROUP and value.startswith(f"{name}-")):
                return True
    return False


def dead_letter_queue_names(stack: StackView) -> set[str]:
    """Names of the queues some queue's redrive policy sends failed messages to (from the ARN)."""
    names = set()
    for queue in stack.of_type(QUEUE):
        target = _document(queue.get("redrivePolicy")).get("deadLetterTargetArn")
        if isinstance(target, str) and target:
            names.add(target.rsplit(":", 1)[-1])
    return names


def _needs_alarm(r: ResourceView, stack: StackView) -> bool:
    if r.type != QUEUE:
        return True
    return bool(_document(r.get("redrivePolicy"))) or physical_name(r) in dead_letter_queue_names(stack)


@rule(
    "watched-by-an-alarm",
    "Every database, cache, DynamoDB table, queue with a dead-letter queue and dead-letter queue has a "
    "CloudWatch alarm naming it in its dimensions",
    types=tuple(WATCHED),
    needs_stack=True,
)
def _watched(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _needs_alarm(r, stack) and not covered(r, stack):
        dimension, _ = WATCHED[r.type]
        yield f"no CloudWatch alarm has {dimension}={physical_name(r)!r}: nobody would hear it fail"


def _actions(r: ResourceView) -> list[Any]:
    actions: Any = r.get("alarmActions")
    if isinstance(actions, str):
        try:
            actions = json.loads(actions)
        except json.JSONDecodeError:
            actions = [actions]
    return [a for a in _seq(actions) if a] if r.get("actionsEnabled") is not False else []


def _alarm_name(r: ResourceView) -> str:
    return str(r.props.get("name") or r.props.get("alarmName") or r.name)


def notifying_composites(alarm: ResourceView, stack: StackView) -> list[ResourceView]:
    """Composite alarms with actions whose rule reads `alarm`'s state (``ALARM("<name>")``)."""
    pattern = re.compile(r'(ALARM|OK|INSUFFICIENT_DATA)\(\s*"?' + re.escape(_alarm_name(alarm)) + r'"?\s*\)')
    return [
        c
        for c in stack.of_type(COMPOSITE_ALARM)
        if c is not alarm and _actions(c) and pattern.search(str(c.get("alarmRule") or ""))
    ]


@rule(
    "alarm-has-action",
    "Every CloudWatch alarm notifies someone: it has an enabled alarm action, or feeds a composite "
    "alarm that has one",
    types=(METRIC_ALARM, COMPOSITE_ALARM),
    needs_stack=True,
)
def _alarm_has_action(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _actions(r) or notifying_composites(r, stack):
        return
    if r.get("actionsEnabled") is False:
        yield "actionsEnabled is false: the alarm's actions never run"
    else:
        yield "alarmActions is empty and no composite alarm with actions reads it: nobody hears it"
