"""Add-ons as data: the registry, value overrides from config, and the recipe for a new add-on."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pulumi
import pytest

from social_components import testing
from social_components.cluster import (
    REGISTRY,
    AddonEntry,
    AddonSource,
    AddonTraits,
    KarpenterAws,
    merge_values,
)
from social_components.cluster.validation import ArgError
from social_platform.render import RenderedStack

from .conftest import assert_config_error, bad_config_cases, render_variant

ADDON = "social:cluster:Addon"
CHART = "kubernetes:helm.sh/v4:Chart"
NAMESPACE = "kubernetes:core/v1:Namespace"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
CLUSTER = "staging-euw1"

# ---------------------------------------------------------------------------------------------
# Overrides: deep merge, JSON only, locked paths refused


def test_overrides_merge_key_by_key_and_replace_everything_else() -> None:
    base = {"a": {"b": 1, "c": [1, 2]}, "d": "x"}
    merged = merge_values("v", base, {"a": {"c": [3]}, "e": None}, locked={})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": "x", "e": None}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": "x"}, "the entry's values are not mutated"


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"serviceAccount": {"name": "other"}}, "v.serviceAccount.name"),
        ({"serviceAccount": {"name": {"deeper": 1}}}, "v.serviceAccount.name"),
        ({"serviceAccount": "other"}, "v.serviceAccount"),
    ],
    ids=["the path", "below the path", "its parent, replaced"],
)
def test_a_locked_path_cannot_be_overridden_in_any_shape(overrides: dict[str, Any], path: str) -> None:
    with pytest.raises(ArgError) as caught:
        merge_values("v", {}, overrides, locked={"serviceAccount.name": "Pod Identity"})
    assert caught.value.path == path and "Pod Identity" in caught.value.message


def test_siblings_of_a_locked_path_can_be_overridden() -> None:
    merged = merge_values(
        "v",
        {"serviceAccount": {"name": "sa"}},
        {"serviceAccount": {"annotations": {"a": "b"}}},
        {"serviceAccount.name": "x"},
    )
    assert merged["serviceAccount"] == {"name": "sa", "annotations": {"a": "b"}}


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"a": object()}, "v.a"),
        ({"a": {1: "x"}}, "v.a"),
        ({"a": [{"b": b"bytes"}]}, "v.a[0].b"),
    ],
    ids=["an object", "a non-string key", "bytes"],
)
def test_overrides_must_be_json_data(overrides: dict[str, Any], path: str) -> None:
    with pytest.raises(ArgError) as caught:
        merge_values("v", {}, overrides, locked={})
    assert caught.value.path == path


def test_overrides_may_not_nest_without_end() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(40):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(ArgError, match="nested deeper"):
        merge_values("v", {}, deep, locked={})


@bad_config_cases(
    [
        (
            "external-dns's service account",
            "staging",
            {"cluster.addons.external-dns.values": {"serviceAccount": {"name": "mine"}}},
            "cluster.addons.external-dns.values.serviceAccount.name",
            "Pod Identity association names this service account",
        ),
        (
            "external-dns's domain filter",
            "staging",
            {"cluster.addons.external-dns.values": {"domainFilters": ["example.org"]}},
            "cluster.addons.external-dns.values.domainFilters",
            "cannot be overridden",
        ),
        (
            "Grafana's password in chart values",
            "prod",
            {"cluster.addons.kube-prometheus-stack.values": {"grafana": {"adminPassword": "hunter2"}}},
            "cluster.addons.kube-prometheus-stack.values.grafana.adminPassword",
            "never in chart values",
        ),
        (
            "values that are not a mapping",
            "staging",
            {"cluster.addons.metrics-server.values": ["replicas", 3]},
            "cluster.addons.metrics-server.values",
            "",
        ),
        (
            "an add-on the registry does not have",
            "staging",
            {"cluster.addons.no-such-addon": {"enabled": True}},
            "cluster.addons.no-such-addon",
            "",
        ),
    ]
)
def test_bad_add_on_overrides_are_config_errors(stack: str, changes: dict, key: str, words: str) -> None:
    assert_config_error(stack, changes, key, words)


def chart_of(stack: RenderedStack, addon: str) -> dict[str, Any]:
    component = stack.named(f"{CLUSTER}-{addon}", ADDON)
    (chart,) = [r for r in stack.children(component) if r.type == CHART]
    return chart.inputs


def test_prometheus_retention_and_volume_come_from_config_over_the_entrys_values(tmp_path: Path) -> None:
    spec = {
        "retention": "30d",
        "storageSpec": {"volumeClaimTemplate": {"spec": {"resources": {"requests": {"storage": "200Gi"}}}}},
    }
    stack = render_variant(
        tmp_path,
        "staging",
        {"cluster.addons.kube-prometheus-stack.values": {"prometheus": {"prometheusSpec": spec}}},
    )
    prometheus = chart_of(stack, "kube-prometheus-stack")["values"]["prometheus"]["prometheusSpec"]
    assert prometheus["retention"] == "30d"
    claim = prometheus["storageSpec"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == "200Gi"
    assert claim["storageClassName"] == "gp3", "what the override leaves out keeps the entry's value"


def test_without_overrides_prometheus_keeps_15_days_on_50_gib(rendered: dict) -> None:
    prometheus = chart_of(rendered["staging"], "kube-prometheus-stack")["values"]["prometheus"][
        "prometheusSpec"
    ]
    assert prometheus["retention"] == "15d"
    assert (
        prometheus["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "50Gi"
    )


# ---------------------------------------------------------------------------------------------
# The recipe: one entry (and this test) adds an add-on

DUMMY_STATEMENT = {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::dummy-charts/*"}
DUMMY = AddonEntry(
    AddonSource("helm", "1.2.3", "dummy", "https://charts.example.com"),
    AddonTraits("dummy", "dummy-sa", requires=("eks-pod-identity-agent",)),
    policy=lambda ctx: [DUMMY_STATEMENT],
    values=lambda ctx: {
        "clusterName": ctx.cluster_name,
        "replicas": 1,
        "serviceAccount": {"name": "dummy-sa"},
    },
    locked={"serviceAccount.name": "its Pod Identity association names it"},
)


@pytest.fixture
def with_dummy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rendered: dict
) -> tuple[RenderedStack, RenderedStack]:
    before = rendered["staging"]  # the shared render, made (if not yet) without the dummy
    monkeypatch.setitem(REGISTRY, "dummy", DUMMY)
    after = render_variant(tmp_path, "staging", {"cluster.addons.dummy.values": {"replicas": 3}})
    return before, after


def test_a_registry_entry_is_all_it_takes_to_add_an_add_on(
    with_dummy: tuple[RenderedStack, RenderedStack],
) -> None:
    before, after = with_dummy
    component = after.named(f"{CLUSTER}-dummy", ADDON)
    subtree = {component.urn} | {r.urn for r in after.descendants(component)}
    assert set(after.resources) - subtree == set(before.resources), "nothing else changes"
    kinds = sorted(r.type for r in after.descendants(component))
    assert kinds == sorted([NAMESPACE, ROLE, ROLE_POLICY, ASSOCIATION, CHART])

    chart = chart_of(after, "dummy")
    assert (chart["chart"], chart["version"], chart["namespace"]) == ("dummy", "1.2.3", "dummy")
    assert chart["repositoryOpts"]["repo"] == "https://charts.example.com"
    eks_name = after.named(f"{CLUSTER}-eks").inputs["name"]
    assert chart["values"] == {"clusterName": eks_name, "replicas": 3, "serviceAccount": {"name": "dummy-sa"}}

    (role,) = [r for r in after.descendants(component) if r.type == ROLE]
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    (association,) = [r for r in after.descendants(component) if r.type == ASSOCIATION]
    assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == ("dummy", "dummy-sa")
    (inline,) = [r for r in after.descendants(component) if r.type == ROLE_POLICY]
    assert json.loads(inline.inputs["policy"])["Statement"] == [DUMMY_STATEMENT]
    (chart_resource,) = [r for r in after.descendants(component) if r.type == CHART]
    assert association.urn in chart_resource.depends_on, "its pods start with their credentials"


def test_every_entry_is_pinned_and_its_waits_are_known() -> None:
    milestones = {"cluster", "system-nodes", "nodes-ready", "node-pools"}
    for name, entry in REGISTRY.items():
        assert entry.source.kind in ("eks", "helm"), name
        assert set(entry.traits.waits_for) <= milestones | set(REGISTRY), name
        assert set(entry.traits.requires) <= set(REGISTRY), name
        assert entry.calls_aws == (entry.traits.service_account is not None), name


# ---------------------------------------------------------------------------------------------
# Karpenter's AWS side on its own


def test_karpenters_aws_side_stands_alone_for_a_cluster_built_elsewhere() -> None:
    mocks = testing.set_mocks(account="111111111111", region="eu-west-1")
    arn = "arn:aws:eks:eu-west-1:111111111111:cluster/apps"

    @pulumi.runtime.test
    def build() -> None:
        KarpenterAws("karpenter", cluster_name="apps", cluster_arn=arn)

    build()
    created = {(r.type, r.name): r.inputs for r in mocks.created}
    kinds = Counter(kind for kind, _ in created)
    assert kinds["aws:cloudwatch/eventRule:EventRule"] == kinds["aws:cloudwatch/eventTarget:EventTarget"] == 4
    assert not [kind for kind in kinds if kind.startswith("kubernetes:")], "nothing inside the cluster"
    queue = created[("aws:sqs/queue:Queue", "karpenter-interruptions")]
    assert queue["name"] == "apps-karpenter" and queue["kmsMasterKeyId"]
    association = created[(ASSOCIATION, "karpenter-controller-pod-identity")]
    assert (association["clusterName"], association["namespace"], association["serviceAccount"]) == (
        "apps",
        "kube-system",
        "karpenter",
    )
    entry = created[("aws:eks/accessEntry:AccessEntry", "karpenter-node")]
    assert entry["clusterName"] == "apps" and entry["type"] == "EC2_LINUX"
    (trust,) = json.loads(created[(ROLE, "karpenter-controller")]["assumeRolePolicy"])["Statement"]
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/eks-cluster-arn"] == arn
