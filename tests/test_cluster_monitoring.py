"""Monitoring inside the clusters: Karpenter scraped and alerted on, the chart's own alerts for crash
loops, node pressure and filling volumes reaching a person, dashboards provisioned as code.

Expectations come from sources the program did not write: the Karpenter chart's templates and its
metrics reference (tests/upstream/karpenter-1.14.1/), kube-prometheus-stack 77.6.2's values and
default rule templates and the grafana chart's values (tests/upstream/).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from social_components.cluster.monitoring import dashboards
from social_components.cluster.registry import alertmanager_routes
from social_platform.render import RenderedResource, RenderedStack

UPSTREAM = Path(__file__).parent / "upstream"
KARPENTER = UPSTREAM / "karpenter-1.14.1"
KPS = UPSTREAM / "kube-prometheus-stack-77.6.2"
GRAFANA = UPSTREAM / "grafana-9.4.5"
CHART = "kubernetes:helm.sh/v4:Chart"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
ADDON = "social:cluster:Addon"

PLATFORM_ALERTS = {
    # What issue 14 asks the cluster to alert on, and the chart's alert that does it (kubernetes-mixin).
    "crash loops": "KubePodCrashLooping",
    "node pressure": "KubeNodePressure",
    "node not ready": "KubeNodeNotReady",
    "PVC filling": "KubePersistentVolumeFillingUp",
    "PVC inodes filling": "KubePersistentVolumeInodesFillingUp",
}


def upstream(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def charts(stack: RenderedStack, name: str) -> dict[str, RenderedResource]:
    """Cluster → its Helm chart `name` (the release name)."""
    return {c.name.split(f"-{name}")[0]: c for c in stack.of_type(CHART) if c.inputs.get("name") == name}


def prometheus_values(stack: RenderedStack) -> list[dict[str, Any]]:
    return [c.inputs["values"] for c in charts(stack, "kube-prometheus-stack").values()]


def documented_karpenter_metrics() -> set[str]:
    return set(re.findall(r"^### `(\w+)`$", (KARPENTER / "metrics.md.txt").read_text(), re.M))


def metric_names(expr: str) -> set[str]:
    """Metric names in a PromQL expression: identifiers not followed by ``(`` (functions) and not
    label names, keywords or aggregation modifiers."""
    without_strings = re.sub(r'"[^"]*"', '""', expr)
    without_labels = re.sub(r"\{[^}]*\}", "", without_strings)
    without_groupings = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", without_labels)
    words = set(re.findall(r"\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", without_groupings))
    return {w for w in words if "_" in w or w == "up"}


def test_the_vendored_karpenter_chart_is_the_pinned_line() -> None:
    from social_components.versions import KARPENTER as PIN

    chart = upstream(KARPENTER / "Chart.yaml")
    # The newest chart in the repository snapshot (1.14.1); the pin is a patch of the same line.
    assert PIN.version.rsplit(".", 1)[0] == chart["version"].rsplit(".", 1)[0]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_prometheus_scrapes_karpenter_s_service(rendered: dict, env: str) -> None:
    stack = rendered[env]
    karpenter = charts(stack, "karpenter")
    assert karpenter
    helpers = (KARPENTER / "templates" / "_helpers.tpl").read_text()
    service = (KARPENTER / "templates" / "service.yaml").read_text()
    # The chart's Service: selector labels name and instance (the chart's name, the release's), its
    # metrics on the named port http-metrics, in the release's namespace.
    assert 'app.kubernetes.io/name: {{ include "karpenter.name" . }}' in helpers
    assert "app.kubernetes.io/instance: {{ .Release.Name }}" in helpers
    assert "- name: http-metrics" in service
    chart_name = upstream(KARPENTER / "Chart.yaml")["name"]
    prometheus = charts(stack, "kube-prometheus-stack")
    assert set(prometheus) == set(karpenter)
    for cluster, chart in prometheus.items():
        values = chart.inputs["values"]
        release = karpenter[cluster].inputs["name"]
        (monitor,) = [m for m in values["prometheus"]["additionalServiceMonitors"] if m["name"] == release]
        assert monitor["selector"]["matchLabels"] == {
            "app.kubernetes.io/name": chart_name,
            "app.kubernetes.io/instance": release,
        }
        assert monitor["namespaceSelector"] == {"matchNames": [karpenter[cluster].inputs["namespace"]]}
        assert [e["port"] for e in monitor["endpoints"]] == ["http-metrics"]
        # Karpenter's own ServiceMonitor stays off (it would render only once the CRD exists, and
        # scrape the same targets twice once it did).
        assert not karpenter[cluster].inputs["values"].get("serviceMonitor", {}).get("enabled", False)


def test_prometheus_selects_what_the_chart_declares() -> None:
    # kube-prometheus-stack's Prometheus selects ServiceMonitors and rules by its release label, which
    # the chart puts on its additionalServiceMonitors and additionalPrometheusRulesMap: nothing in
    # the render may turn that selection off or narrow it.
    spec = upstream(KPS / "values.yaml")["prometheus"]["prometheusSpec"]
    assert spec["serviceMonitorSelectorNilUsesHelmValues"] is True
    assert spec["ruleSelectorNilUsesHelmValues"] is True


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_karpenter_alerts_use_karpenter_s_documented_metrics_and_reach_a_topic(
    rendered: dict, env: str
) -> None:
    documented = documented_karpenter_metrics()
    conditions = set(re.findall(r"Type:\s+(\w+)", (KARPENTER / "nodeclaims.md.txt").read_text()))
    routed = routed_severities()
    for values in prometheus_values(rendered[env]):
        spec = values["prometheus"]["prometheusSpec"]
        assert spec.get("serviceMonitorSelectorNilUsesHelmValues", True) is True
        assert spec.get("ruleSelectorNilUsesHelmValues", True) is True
        rules = [r for g in values["additionalPrometheusRulesMap"]["karpenter"]["groups"] for r in g["rules"]]
        assert {r["alert"] for r in rules} >= {
            "KarpenterDown",
            "KarpenterCloudProviderErrors",
            "KarpenterNodeClaimStuck",
        }
        for rule in rules:
            used = metric_names(rule["expr"])
            assert used and used - {"up"} <= documented, (rule["alert"], used - documented)
            for types in re.findall(r'type=~"([^"]+)"', rule["expr"]):
                assert set(types.split("|")) <= conditions
            assert rule["labels"]["severity"] in routed, rule["alert"]
        (down,) = [r for r in rules if r["alert"] == "KarpenterDown"]
        assert 'job="karpenter"' in down["expr"] and down["labels"]["severity"] == "critical"


def routed_severities() -> set[str]:
    """Severities Alertmanager sends to a topic (the page or ticket receiver)."""
    routes = alertmanager_routes("eu-west-1", "page-arn", "ticket-arn")["route"]
    to_null = [r for r in routes["routes"] if r["receiver"] == "null"]
    sent = {"critical", "warning", "high", "low", "info", "none"}
    for route in to_null:
        for matcher in route["matchers"]:
            if matcher.startswith("severity"):
                pattern = matcher.split("~", 1)[-1].strip().strip('"')
                sent -= {s for s in sent if re.fullmatch(pattern, s)}
    return sent


def chart_default_severities() -> dict[str, set[str]]:
    """Alert → the severities kube-prometheus-stack's rule templates give it by default."""
    found: dict[str, set[str]] = {}
    for path in (KPS / "rules-1.14").glob("*.yaml"):
        for alert, severity in re.findall(r'severity: \{\{ dig "(\w+)" "severity" "(\w+)"', path.read_text()):
            found.setdefault(alert, set()).add(severity)
    return found


@pytest.mark.parametrize(("what", "alert"), sorted(PLATFORM_ALERTS.items()))
def test_the_chart_s_own_alerts_cover_it_and_reach_a_topic(rendered: dict, what: str, alert: str) -> None:
    defaults = chart_default_severities()
    assert alert in defaults, f"{what}: kube-prometheus-stack has no {alert}"
    routed = routed_severities()
    for env in ("staging", "prod"):
        for values in prometheus_values(rendered[env]):
            rules = values.get("defaultRules", {}).get("rules", {})
            # The rule groups holding these alerts stay on (the chart's default).
            for group in ("kubernetesApps", "kubernetesStorage", "kubernetesSystem"):
                assert rules.get(group, True) is True
            assert not values.get("defaultRules", {}).get("disabled", {}).get(alert, False)
            override = values.get("customRules", {}).get(alert, {}).get("severity")
            severities = {override} if override else defaults[alert]
            assert severities <= routed, f"{what}: {alert} is {severities}, which Alertmanager drops"


def test_every_dashboard_is_valid_and_queries_provisioned_data_sources(rendered: dict) -> None:
    found = dashboards()
    assert {"karpenter", "golden-signals"} <= set(found)
    kps_sources = upstream(KPS / "values.yaml")["grafana"]["sidecar"]["datasources"]
    documented = documented_karpenter_metrics()
    chart_metrics = {
        m
        for p in (KPS / "rules-1.14").glob("*.yaml")
        for m in re.findall(r"\b[a-z_]+_[a-z_]+\b", p.read_text())
    }
    for values in prometheus_values(rendered["staging"]):
        uids = {kps_sources["uid"], kps_sources["alertmanager"]["uid"]}
        uids |= {d["uid"] for d in values["grafana"]["additionalDataSources"]}
        uids_by_type = {"prometheus": kps_sources["uid"]} | {
            d["type"]: d["uid"] for d in values["grafana"]["additionalDataSources"]
        }
        for name, text in found.items():
            model = json.loads(text)
            seen: set[str] = set()
            for panel in model["panels"]:
                for target in panel.get("targets", []):
                    source = target["datasource"]
                    assert source["uid"] in uids and uids_by_type[source["type"]] == source["uid"], name
                    if source["type"] == "prometheus":
                        used = metric_names(target["expr"]) - {"up"}
                        # Karpenter's documented metrics, or ones the chart's own rules query
                        # (kube-state-metrics, kubelet).
                        assert used <= documented | chart_metrics, (name, used - documented - chart_metrics)
                        seen |= used
            assert seen, name


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_dashboards_reach_grafana_through_the_chart_s_sidecar(rendered: dict, env: str) -> None:
    stack = rendered[env]
    sidecar = upstream(KPS / "values.yaml")["grafana"]["sidecar"]["dashboards"]
    # kube-prometheus-stack's sidecar: on, label grafana_dashboard = "1", every namespace.
    assert sidecar["enabled"] is True and sidecar["searchNamespace"] == "ALL"
    label, value = sidecar["label"], sidecar["labelValue"]
    for addon in [a for a in stack.of_type(ADDON) if a.name.endswith("-kube-prometheus-stack")]:
        maps = [
            c
            for c in stack.children(addon)
            if c.type == CONFIG_MAP and label in c.inputs["metadata"].get("labels", {})
        ]
        provisioned = {}
        for config_map in maps:
            assert config_map.inputs["metadata"]["labels"][label] == value
            assert config_map.inputs["metadata"]["namespace"] == "monitoring"
            provisioned.update(config_map.inputs["data"])
        assert provisioned == {f"{name}.json": text for name, text in dashboards().items()}
    for values in prometheus_values(stack):
        grafana_sidecar = values["grafana"].get("sidecar", {}).get("dashboards", {})
        assert grafana_sidecar.get("enabled", True) and grafana_sidecar.get("label", label) == label
