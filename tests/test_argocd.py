"""Delivery onto the clusters: Argo CD in staging and prod (not dev), configured by the program.

Expectations come from the chart itself: argo-helm's argo-cd 10.1.1 `values.yaml` and its README's
"HA mode without autoscaling" block, vendored under tests/upstream/argo-cd-10.1.1/ (Apache-2.0).
Upstream defaults are what a key left out would mean (a public admin, Dex, one replica), so each
test reads the chart's default and shows the render does not leave it that way.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from social_components.cluster import REGISTRY, merge_values
from social_components.cluster.registry import ARGOCD_OIDC_SECRET, argocd_protected_namespaces
from social_components.cluster.validation import ArgError
from social_components.versions import ADDON_PINS
from social_platform.render import SECRET_MASK, RenderedResource, RenderedStack

from .conftest import assert_config_error, bad_config_cases, render_variant

UPSTREAM = Path(__file__).parent / "upstream" / "argo-cd-10.1.1"
CHART = "kubernetes:helm.sh/v4:Chart"
ADDON = "social:cluster:Addon"
SECRET = "kubernetes:core/v1:Secret"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
GROUP = "aws:cognito/userGroup:UserGroup"
FREE_FORM = {("configs", "cm"), ("configs", "params"), ("configs", "rbac")}
"""Maps the chart copies verbatim into argocd-cm, argocd-cmd-params-cm and argocd-rbac-cm."""


def upstream(name: str) -> Any:
    return yaml.safe_load((UPSTREAM / name).read_text())


def argocd_addons(stack: RenderedStack) -> dict[str, RenderedResource]:
    """Cluster name → its argo-cd `Addon` component."""
    return {a.name.removesuffix("-argo-cd"): a for a in stack.of_type(ADDON) if a.name.endswith("-argo-cd")}


def argocd_charts(stack: RenderedStack) -> dict[str, dict[str, Any]]:
    """Cluster name → inputs of its argo-cd Chart."""
    found = {}
    for cluster, addon in argocd_addons(stack).items():
        (chart,) = [r for r in stack.children(addon) if r.type == CHART]
        found[cluster] = chart.inputs
    return found


def leaf_paths(values: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(values, dict) and values:
        return [p for key, value in values.items() for p in leaf_paths(value, (*path, key))]
    return [path]


def clusters(stack: RenderedStack) -> set[str]:
    return {c.name for c in stack.components("social:cluster:Cluster")}


def test_the_pin_is_the_charts_own_version() -> None:
    chart = upstream("Chart.yaml")
    assert (chart["name"], chart["version"]) == ("argo-cd", ADDON_PINS["argo-cd"].version)
    assert REGISTRY["argo-cd"].source.chart == chart["name"]


def test_argo_cd_runs_in_every_staging_and_prod_cluster_and_not_in_dev(rendered: dict) -> None:
    assert argocd_charts(rendered["dev"]) == {}
    for env in ("staging", "prod"):
        charts = argocd_charts(rendered[env])
        assert set(charts) == clusters(rendered[env]) != set(), env
        for chart in charts.values():
            assert (chart["chart"], chart["version"], chart["namespace"]) == (
                "argo-cd",
                ADDON_PINS["argo-cd"].version,
                "argocd",
            )


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_every_value_it_sets_is_a_key_of_the_chart(rendered: dict, env: str) -> None:
    defaults = upstream("values.yaml")
    for chart in argocd_charts(rendered[env]).values():
        for path in leaf_paths(chart["values"]):
            node = defaults
            for depth, key in enumerate(path):
                if path[:depth] in FREE_FORM or node in ({}, []):
                    break
                assert isinstance(node, dict) and key in node, f"{'.'.join(path)}: not in the chart's values"
                node = node[key]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_no_public_service_local_admin_or_dex_where_the_chart_would_have_them(
    rendered: dict, env: str
) -> None:
    defaults = upstream("values.yaml")
    # What leaving them out would mean:
    assert defaults["configs"]["cm"]["admin.enabled"] is True
    assert defaults["dex"]["enabled"] is True
    for chart in argocd_charts(rendered[env]).values():
        values = chart["values"]
        assert values["server"]["service"]["type"] == defaults["server"]["service"]["type"] == "ClusterIP"
        assert values["server"]["ingress"]["enabled"] is False
        assert values["configs"]["cm"]["admin.enabled"] is False
        assert values["dex"]["enabled"] is False


@pytest.mark.parametrize(
    ("overrides", "path"),
    [
        ({"server": {"service": {"type": "LoadBalancer"}}}, "server.service"),
        ({"server": {"service": "x"}}, "server.service"),
        ({"configs": {"cm": {"admin.enabled": True}}}, "configs.cm"),
        (
            {"configs": {"repositories": {"r": {"url": "https://x", "password": "plain"}}}},
            "configs.repositories",
        ),
        ({"extraObjects": []}, "extraObjects"),
    ],
)
def test_what_keeps_it_private_cannot_be_overridden(overrides: dict[str, Any], path: str) -> None:
    with pytest.raises(ArgError) as caught:
        merge_values("addons.argo-cd.values", {}, overrides, REGISTRY["argo-cd"].locked)
    assert caught.value.path == f"addons.argo-cd.values.{path}"


def test_prod_runs_the_charts_high_availability_shape_and_staging_does_not(rendered: dict) -> None:
    ha = upstream("ha-values.yaml")
    for chart in argocd_charts(rendered["prod"]).values():
        values = chart["values"]
        for path in leaf_paths(ha):
            node: Any = values
            for key in path:
                node = node[key]
            expected: Any = ha
            for key in path:
                expected = expected[key]
            assert node == expected, ".".join(path)
    for chart in argocd_charts(rendered["staging"]).values():
        assert "redis-ha" not in chart["values"]


def test_prod_has_the_three_system_nodes_redis_ha_needs(rendered: dict) -> None:
    # The chart's README: "You need at least 3 worker nodes as the HA mode of redis enforces Pods to
    # run on separate nodes." Argo CD runs on Karpenter's nodes; the system nodes alone are three.
    for group in rendered["prod"].of_type("aws:eks/nodeGroup:NodeGroup"):
        assert group.inputs["scalingConfig"]["minSize"] >= 3


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_the_root_application_follows_the_repository_from_config(rendered: dict, env: str) -> None:
    from .conftest import raw_config

    argocd = raw_config(env)["cluster"]["argocd"]
    for chart in argocd_charts(rendered[env]).values():
        objects = chart["values"]["extraObjects"]
        (root,) = [o for o in objects if o["kind"] == "Application"]
        assert root["spec"]["source"]["repoURL"] == argocd["repository_url"]
        assert root["spec"]["source"]["path"] == argocd["path"]
        assert root["spec"]["project"] == "platform"


def test_applications_stay_out_of_every_system_namespace(rendered: dict) -> None:
    for chart in argocd_charts(rendered["prod"]).values():
        projects = {
            o["metadata"]["name"]: o["spec"]
            for o in chart["values"]["extraObjects"]
            if o["kind"] == "AppProject"
        }
        # Argo CD's deny syntax: a destination namespace prefixed with "!" (user-guide/projects).
        denied = {
            d["namespace"][1:] for d in projects["apps"]["destinations"] if d["namespace"].startswith("!")
        }
        assert denied >= {"kube-system", "argocd", *(e.traits.namespace for e in REGISTRY.values())}
        assert projects["apps"]["clusterResourceWhitelist"] == []
        # The root's project may create Applications in Argo CD's namespace and nothing else.
        assert projects["platform"]["namespaceResourceWhitelist"] == [
            {"group": "argoproj.io", "kind": "Application"}
        ]
        assert [d["namespace"] for d in projects["platform"]["destinations"]] == ["argocd"]
        assert projects["default"]["destinations"] == [] and projects["default"]["sourceRepos"] == []
    assert "argocd" in argocd_protected_namespaces(REGISTRY)


def test_repository_credentials_reach_the_cluster_only_as_a_secret(tmp_path: Path) -> None:
    stack = render_variant(
        tmp_path,
        "staging",
        {"cluster.argocd.repository_password": {"secure": "v1:dG9rZW4="}},
    )
    for chart in argocd_charts(stack).values():
        assert "password" not in json.dumps(chart["values"]).lower()
        assert "token" not in json.dumps(chart["values"]), "the decrypted stack-file value"
    (repo,) = [s for s in stack.of_type(SECRET) if s.inputs["metadata"]["name"] == "gitops-repository"]
    assert repo.inputs["metadata"]["labels"] == {"argocd.argoproj.io/secret-type": "repository"}
    assert repo.inputs["stringData"] == SECRET_MASK and "stringData" in repo.secret_paths


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_sign_in_goes_through_the_admin_pool_and_every_reference_has_its_key(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    (client,) = [c for c in stack.of_type(CLIENT) if c.name.endswith("-argocd")]
    (admins,) = [p for p in stack.of_type("aws:cognito/userPool:UserPool") if p.name.endswith("-admins")]
    assert client.inputs["userPoolId"] == admins.id
    assert client.inputs["generateSecret"] is True and client.inputs["allowedOauthFlows"] == ["code"]
    assert "https://localhost:8080/auth/callback" in client.inputs["callbackUrls"]
    groups = {g.inputs["name"] for g in stack.of_type(GROUP)}
    addons = argocd_addons(stack)
    assert addons
    for name, chart in argocd_charts(stack).items():
        cm = chart["values"]["configs"]["cm"]
        oidc = yaml.safe_load(cm["oidc.config"])
        refs = {v for v in oidc.values() if isinstance(v, str) and v.startswith("$")}
        (secret,) = [
            s
            for s in stack.children(addons[name])
            if s.type == SECRET and s.inputs["metadata"]["name"] == ARGOCD_OIDC_SECRET
        ]
        assert secret.inputs["metadata"]["labels"]["app.kubernetes.io/part-of"] == "argocd"
        assert secret.inputs["metadata"]["namespace"] == "argocd"
        # Every value Argo CD needs is a reference into that Secret (whose data the render masks).
        assert refs == {f"${ARGOCD_OIDC_SECRET}:{key}" for key in ("issuer", "clientID", "clientSecret")}
        assert set(oidc) >= {"issuer", "clientID", "clientSecret"}
        assert "stringData" in secret.secret_paths
        rbac = chart["values"]["configs"]["rbac"]
        assert rbac["scopes"] == "[cognito:groups]"
        (admin_group,) = [line.split(",")[1].strip() for line in rbac["policy.csv"].splitlines()]
        assert admin_group in groups
        assert rbac["policy.default"] == ""


ARGOCD_CASES = [
    (
        "no repository",
        "staging",
        {"cluster.argocd.repository_url": None},
        "cluster.argocd.repository_url",
        "required",
    ),
    (
        "prod local admin",
        "prod",
        {"cluster.argocd.enable_local_admin": True},
        "cluster.argocd.enable_local_admin",
        "prod",
    ),
    (
        "sso without identity",
        "staging",
        {"identity.enabled": False},
        "cluster.argocd.sso",
        "identity",
    ),
    (
        "plain-text token",
        "staging",
        {"cluster.argocd.repository_password": "glpat-plain"},
        "cluster.argocd.repository_password",
        "secret",
    ),
]


@bad_config_cases(ARGOCD_CASES)
def test_bad_argo_cd_config_is_refused_naming_the_key(
    stack: str, changes: dict, key: str, words: str
) -> None:
    assert_config_error(stack, changes, key, words)
