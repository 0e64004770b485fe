"""The platform's own monitoring inside the cluster, added to kube-prometheus-stack's values: Karpenter
scraped and its failures alerted on, the severities of the chart's default alerts the platform relies
on, and the Grafana dashboards kept as JSON in `dashboards/` (provisioned through the chart's
dashboard sidecar).

What kube-prometheus-stack already alerts on is not repeated here: crash loops
(``KubePodCrashLooping``), nodes not ready or under pressure (``KubeNodeNotReady``,
``KubeNodePressure``) and volumes filling up (``KubePersistentVolumeFillingUp``,
``KubePersistentVolumeInodesFillingUp``) come with its default rules (kubernetes-mixin).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from social_components.cluster.catalog import KARPENTER_NAMESPACE, KARPENTER_RELEASE

Values = dict[str, Any]

KARPENTER_JOB = KARPENTER_RELEASE
"""Prometheus's ``job`` of Karpenter's targets: the name of the chart's Service (its fullname, the
release's name), which a ServiceMonitor without ``jobLabel`` uses."""
KARPENTER_METRICS_PORT = "http-metrics"
"""The named port of the Karpenter chart's Service."""

SEVERITY_OVERRIDES: dict[str, str] = {
    # The chart ships it as `info`, which Alertmanager sends nowhere (`alertmanager_routes`); a node
    # under memory, disk or PID pressure evicts pods, so someone should look.
    "KubeNodePressure": "warning",
}
"""Severities of kube-prometheus-stack's default alerts changed by the platform (its ``customRules``)."""

DASHBOARDS = Path(__file__).parent / "dashboards"
"""Grafana dashboards as JSON, one file each (the file name without ``.json`` is its key)."""


def karpenter_service_monitor() -> Values:
    """Karpenter's metrics, scraped by the cluster's Prometheus.

    Declared in kube-prometheus-stack's values (``prometheus.additionalServiceMonitors``), not through
    the Karpenter chart's own ``serviceMonitor.enabled``: that template renders only when the
    ``monitoring.coreos.com/v1`` API already exists, and Karpenter is installed before
    kube-prometheus-stack brings it, so the first deploy would silently skip it. Here the
    ServiceMonitor comes with the chart that defines its kind and carries that chart's ``release``
    label, which its Prometheus selects by."""
    return {
        "name": KARPENTER_RELEASE,
        "selector": {
            "matchLabels": {
                "app.kubernetes.io/name": KARPENTER_RELEASE,
                "app.kubernetes.io/instance": KARPENTER_RELEASE,
            }
        },
        "namespaceSelector": {"matchNames": [KARPENTER_NAMESPACE]},
        "endpoints": [{"port": KARPENTER_METRICS_PORT, "path": "/metrics", "interval": "30s"}],
    }


def _alert(name: str, expr: str, minutes: int, severity: str, summary: str, description: str) -> Values:
    return {
        "alert": name,
        "expr": expr,
        "for": f"{minutes}m",
        "labels": {"severity": severity},
        "annotations": {"summary": summary, "description": description},
    }


def karpenter_rules() -> Values:
    """Alerts on Karpenter failing to give the cluster nodes (metric names from Karpenter's metrics
    reference). ``critical`` pages, ``warning`` makes a ticket (`alertmanager_routes`)."""
    job = f'job="{KARPENTER_JOB}"'
    return {
        "groups": [
            {
                "name": "karpenter",
                "rules": [
                    _alert(
                        "KarpenterDown",
                        f"absent(up{{{job}}} == 1)",
                        10,
                        "critical",
                        "Karpenter is not running",
                        "No Karpenter controller has been scraped for 10 minutes: no node is launched,"
                        " replaced or removed, and pods that need a new node stay pending.",
                    ),
                    _alert(
                        "KarpenterCloudProviderErrors",
                        "sum by (method, error) (increase(karpenter_cloudprovider_errors_total[15m])) > 5",
                        15,
                        "warning",
                        "Karpenter's EC2 calls are failing",
                        "{{ $labels.method }} returned {{ $labels.error }} more than 5 times in 15 minutes"
                        " (capacity, quota or permission errors).",
                    ),
                    _alert(
                        "KarpenterNodeClaimStuck",
                        "max by (name, type) (operator_nodeclaim_status_condition_current_status_seconds"
                        '{type=~"Launched|Registered|Initialized", status!="True"}) > 900',
                        5,
                        "warning",
                        "A NodeClaim is not becoming a node",
                        "NodeClaim {{ $labels.name }} has not been {{ $labels.type }} for 15 minutes:"
                        " the instance did not launch, join the cluster or become ready.",
                    ),
                    _alert(
                        "KarpenterUnschedulablePods",
                        "max(karpenter_scheduler_unschedulable_pods_count) > 0",
                        15,
                        "warning",
                        "Pods no NodePool can place",
                        "{{ $value }} pods have fit no NodePool for 15 minutes (requirements, taints or"
                        " limits).",
                    ),
                    _alert(
                        "KarpenterNodePoolNearLimit",
                        "karpenter_nodepools_usage / karpenter_nodepools_limit > 0.9",
                        15,
                        "warning",
                        "A NodePool is close to its limit",
                        "NodePool {{ $labels.nodepool }} uses over 90% of its limit: raise the limit"
                        " before pods stay pending.",
                    ),
                    _alert(
                        "KarpenterClusterStateNotSynced",
                        "max(karpenter_cluster_state_synced) == 0",
                        15,
                        "warning",
                        "Karpenter's view of the cluster is out of sync",
                        "Karpenter's cluster state has not matched the API server's nodes and NodeClaims"
                        " for 15 minutes; it holds back scheduling and disruption decisions.",
                    ),
                ],
            }
        ]
    }


def dashboards() -> dict[str, str]:
    """Every dashboard of `DASHBOARDS`: key → its JSON text (checked to parse and to have a title
    and a uid)."""
    found = {}
    for path in sorted(DASHBOARDS.glob("*.json")):
        text = path.read_text()
        model = json.loads(text)
        if not model.get("title") or not model.get("uid"):
            raise ValueError(f"{path.name}: a dashboard needs a title and a uid")
        found[path.stem] = text
    return found
