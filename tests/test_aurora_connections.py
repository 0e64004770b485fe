"""Aurora connections are alarmed as a share of the cluster's own max_connections, and ElastiCache's
events are forwarded only where they mean something.

Expectations come from AWS's documentation (tests/upstream/aws-docs/): the Aurora User Guide's table
of Serverless v2 max_connections by maximum ACUs, and the EventBridge and ElastiCache pages on which
ElastiCache events reach EventBridge.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from social_components.database import serverless_max_connections
from social_components.observability.component import EVENT_PATTERNS
from social_platform.render import RenderedStack

from .conftest import assert_config_error, render_variant

DOCS = Path(__file__).parent / "upstream" / "aws-docs"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CLUSTER = "aws:rds/cluster:Cluster"
RATIO = {"dev": 90, "staging": 85, "prod": 80}
"""The tier defaults of `aurora-connections`, in % of max_connections (README, the alarm table)."""


def documented_table() -> dict[float, int]:
    """Maximum ACUs → Aurora PostgreSQL's default max_connections."""
    text = (DOCS / "aurora-serverless-v2-max-connections.md").read_text()
    rows = re.findall(r"^\| (\d+) \| [\d,]+ \| ([\d,]+) \|$", text, re.M)
    return {float(acu): int(n.replace(",", "")) for acu, n in rows}


def documented_examples() -> list[tuple[float, float, int]]:
    text = (DOCS / "aurora-serverless-v2-max-connections.md").read_text().split("walkthrough")[1]
    return [
        (float(a), float(b), int(n))
        for a, b, n in re.findall(r"^\| ([\d.]+) \| (\d+) \| (\d+) \|$", text, re.M)
    ]


def test_max_connections_follows_aws_s_table() -> None:
    table = documented_table()
    assert len(table) == 7
    for max_acu, expected in table.items():
        assert serverless_max_connections(1, max_acu) == expected, max_acu
    for min_acu, max_acu, expected in documented_examples():
        assert serverless_max_connections(min_acu, max_acu) == expected, (min_acu, max_acu)
    # Between rows it grows with the maximum (linear in memory) and stays within the rows around it.
    assert table[4] < serverless_max_connections(1, 6) < table[8]
    assert serverless_max_connections(0, 64) == 2000  # scale-to-zero: a minimum below 1 ACU


def connection_alarms(stack: RenderedStack) -> dict[str, float]:
    """DB cluster identifier → threshold of its connections alarm."""
    return {
        a.inputs["dimensions"]["DBClusterIdentifier"]: a.inputs["threshold"]
        for a in stack.of_type(ALARM)
        if a.inputs.get("metricName") == "DatabaseConnections"
    }


@pytest.mark.parametrize("env", ["dev", "staging", "prod"])
def test_the_connections_alarm_is_a_share_of_each_cluster_s_max_connections(rendered: dict, env: str) -> None:
    stack = rendered[env]
    table = documented_table()
    alarms = connection_alarms(stack)
    clusters = [c for c in stack.of_type(CLUSTER) if c.inputs.get("serverlessv2ScalingConfiguration")]
    assert clusters and len(alarms) == len(clusters)
    for cluster in clusters:
        scaling = cluster.inputs["serverlessv2ScalingConfiguration"]
        # The tier defaults' maximums (4, 8, 64 ACUs) are rows of AWS's table.
        limit = table[float(scaling["maxCapacity"])]
        if scaling["minCapacity"] < 1:
            limit = min(limit, 2000)
        identifier = cluster.inputs["clusterIdentifier"]
        assert alarms[identifier] == pytest.approx(RATIO[env] / 100 * limit), identifier


def test_the_ratio_is_overridable_and_follows_the_maximum(tmp_path: Path) -> None:
    stack = render_variant(
        tmp_path,
        "staging",
        {"observability.thresholds": {"aurora-connections": 50}, "database.max_acu": 16},
    )
    for threshold in connection_alarms(stack).values():
        assert threshold == pytest.approx(0.5 * min(documented_table()[16], 2000))  # staging: min 0.5


def test_only_elasticache_failures_are_forwarded() -> None:
    text = (DOCS / "elasticache-events.md").read_text()
    service_events = set(re.findall(r"^- (.+)$", text, re.M))
    pattern = EVENT_PATTERNS["elasticache"]
    assert pattern["source"] == ["aws.elasticache"]
    # Service events only (never CloudTrail's "AWS API Call via CloudTrail"), and of those the failures.
    forwarded = set(pattern["detail-type"])
    assert forwarded <= service_events
    assert {e for e in service_events if "Failed" in e} <= forwarded
    assert not {e for e in forwarded if e.endswith(("Created", "Deleted", "Updated"))}


def test_a_ratio_over_100_percent_is_refused_naming_the_key() -> None:
    assert_config_error(
        "staging",
        {"observability.thresholds": {"aurora-connections": 800}},
        "observability.thresholds",
        "percentage",
    )
