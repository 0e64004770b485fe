"""Grafana (kube-prometheus-stack's): reachable only inside the cluster, signing people in through the
Cognito admin pool, with its built-in admin kept as the break-glass way in.

Expectations come from sources the program did not write: kube-prometheus-stack 77.6.2's and the
grafana chart 9.4.5's `values.yaml` (tests/upstream/), Grafana's documented `[auth.generic_oauth]`
settings and environment-override rule (tests/upstream/grafana-9.4.5/generic-oauth-settings.md), and
JMESPath itself evaluating the role mapping over ID tokens shaped as Cognito issues them.
"""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path
from typing import Any

import jmespath
import pytest
import yaml

from social_components.cluster import REGISTRY, merge_values
from social_components.cluster.registry import GRAFANA_OIDC_SECRET, grafana_env
from social_components.cluster.validation import ArgError
from social_components.versions import ADDON_PINS
from social_platform.render import SECRET_MASK, RenderedResource, RenderedStack

from .conftest import assert_config_error, bad_config_cases, render_variant

UPSTREAM = Path(__file__).parent / "upstream"
KPS = UPSTREAM / "kube-prometheus-stack-77.6.2"
GRAFANA = UPSTREAM / "grafana-9.4.5"
CHART = "kubernetes:helm.sh/v4:Chart"
ADDON = "social:cluster:Addon"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
GROUP = "aws:cognito/userGroup:UserGroup"
SECTION = "auth.generic_oauth"
ROLES = {"None", "Viewer", "Editor", "Admin", "GrafanaAdmin"}
"""The valid results of `role_attribute_path` (Grafana's documentation)."""


def upstream(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def documented_settings() -> dict[str, bool]:
    """Setting → required, from the documentation table."""
    rows = re.findall(
        r"^\| `(\w+)` \| (Yes|No) \|$", (GRAFANA / "generic-oauth-settings.md").read_text(), re.M
    )
    return {name: required == "Yes" for name, required in rows}


def prometheus_addons(stack: RenderedStack) -> dict[str, RenderedResource]:
    suffix = "-kube-prometheus-stack"
    return {a.name.removesuffix(suffix): a for a in stack.of_type(ADDON) if a.name.endswith(suffix)}


def grafana_values(stack: RenderedStack) -> dict[str, dict[str, Any]]:
    """Cluster name → the `grafana` values of its kube-prometheus-stack chart."""
    found = {}
    for cluster, addon in prometheus_addons(stack).items():
        (chart,) = [r for r in stack.children(addon) if r.type == CHART]
        found[cluster] = chart.inputs["values"]["grafana"]
    return found


def oidc_objects(stack: RenderedStack, addon: RenderedResource) -> tuple[RenderedResource, RenderedResource]:
    """The add-on's sign-in ConfigMap and Secret."""
    (config,) = [
        c
        for c in stack.children(addon)
        if c.type == CONFIG_MAP and c.inputs["metadata"]["name"] == GRAFANA_OIDC_SECRET
    ]
    (secret,) = [
        s
        for s in stack.children(addon)
        if s.type == SECRET and s.inputs["metadata"]["name"] == GRAFANA_OIDC_SECRET
    ]
    return config, secret


def evaluate(path: str, claims: dict[str, Any]) -> Any:
    """`path` over an ID token's claims, as Grafana evaluates `role_attribute_path`."""
    try:
        return jmespath.search(path, claims)
    except jmespath.exceptions.JMESPathError:
        return None  # Grafana finds no role


def test_the_vendored_charts_are_the_pinned_ones() -> None:
    kps = upstream(KPS / "Chart.yaml")
    assert kps["version"] == ADDON_PINS["kube-prometheus-stack"].version
    assert REGISTRY["kube-prometheus-stack"].source.chart == kps["name"]
    (grafana,) = [d for d in kps["dependencies"] if d["name"] == "grafana"]
    assert grafana["version"] == upstream(GRAFANA / "Chart.yaml")["version"]


def test_the_environment_override_rule_is_grafanas() -> None:
    # The documentation's own examples.
    assert grafana_env("server", "http_port") == "GF_SERVER_HTTP_PORT"
    assert grafana_env("auth.github", "client_id") == "GF_AUTH_GITHUB_CLIENT_ID"


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_grafana_signs_people_in_through_the_admin_pool(rendered: dict, env: str) -> None:
    stack = rendered[env]
    (client,) = [c for c in stack.of_type(CLIENT) if c.name.endswith("-grafana")]
    (admins,) = [p for p in stack.of_type("aws:cognito/userPool:UserPool") if p.name.endswith("-admins")]
    assert client.inputs["userPoolId"] == admins.id
    assert client.inputs["generateSecret"] is True and client.inputs["allowedOauthFlows"] == ["code"]
    assert set(client.inputs["allowedOauthScopes"]) == {"openid", "email", "profile"}
    documented = documented_settings()
    addons = prometheus_addons(stack)
    assert addons
    for name, grafana in grafana_values(stack).items():
        ini = grafana["grafana.ini"]
        oauth = ini[SECTION]
        assert oauth["enabled"] is True
        # Grafana sends <root_url>/login/generic_oauth as the redirect: the client allows exactly that.
        assert client.inputs["callbackUrls"] == [f"{ini['server']['root_url']}/login/generic_oauth"]
        config, secret = oidc_objects(stack, addons[name])
        assert {o.inputs["metadata"]["namespace"] for o in (config, secret)} == {"monitoring"}
        required = [{"name": GRAFANA_OIDC_SECRET, "optional": False}]
        assert grafana["envFromConfigMaps"] == required and grafana["envFromSecrets"] == required
        variables = config.inputs["data"]
        from_env = {
            key: variables[env] for key in documented if (env := grafana_env(SECTION, key)) in variables
        }
        # Every variable overrides a documented setting; with the chart's and the client secret (the
        # Secret's, masked whole in the render), every required setting has a value, none twice.
        assert len(from_env) == len(variables)
        assert not set(from_env) & set(oauth)
        given = set(oauth) | set(from_env) | {"client_secret"}
        assert given >= {k for k, required in documented.items() if required}
        assert set(oauth) <= set(documented) and "client_secret" not in set(oauth) | set(from_env)
        assert from_env["client_id"] == client.id
        # The client secret is a secret, and nowhere in the chart's values.
        assert secret.inputs["stringData"] == SECRET_MASK and "stringData" in secret.secret_paths
        assert "client_secret" not in json.dumps(grafana)
        # The pod waits for both, which must therefore not wait for the chart.
        for waited in (config, secret):
            assert not [d for d in waited.depends_on if stack.resources[d].type == CHART]


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_only_members_of_the_grafana_groups_get_a_role(rendered: dict, env: str) -> None:
    stack = rendered[env]
    groups = {g.inputs["name"] for g in stack.of_type(GROUP)}
    for grafana in grafana_values(stack).values():
        oauth = grafana["grafana.ini"][SECTION]
        assert oauth["role_attribute_strict"] is True
        assert oauth["allow_assign_grafana_admin"] is False
        role = partial(evaluate, oauth["role_attribute_path"])

        # ID tokens as Cognito issues them: the user's groups in `cognito:groups`.
        assert role({"cognito:groups": ["grafana-admins"]}) == "Admin"
        assert role({"cognito:groups": ["moderators", "grafana-viewers"]}) == "Viewer"
        assert role({"cognito:groups": ["grafana-viewers", "grafana-admins"]}) == "Admin"
        for outsider in ({"cognito:groups": ["admins", "moderators"]}, {"email": "a@example.com"}):
            assert role(outsider) not in ROLES  # refused: role_attribute_strict
        assert {"grafana-admins", "grafana-viewers"} <= groups


@pytest.mark.parametrize("env", ["staging", "prod"])
def test_grafana_is_reachable_only_inside_the_cluster(rendered: dict, env: str) -> None:
    kps = upstream(KPS / "values.yaml")["grafana"]
    chart = upstream(GRAFANA / "values.yaml")
    # Upstream defaults, which the render keeps: no ingress, a ClusterIP service.
    assert kps["ingress"]["enabled"] is False and chart["ingress"]["enabled"] is False
    assert chart["service"]["type"] == "ClusterIP"
    for grafana in grafana_values(rendered[env]).values():
        assert "ingress" not in grafana and "service" not in grafana
        # Its URL is the port-forward's (docs/grafana.md).
        assert grafana["grafana.ini"]["server"]["root_url"] == "http://localhost:3000"


@pytest.mark.parametrize(
    "overrides",
    [
        {"grafana": {"ingress": {"enabled": True}}},
        {"grafana": {"service": {"type": "LoadBalancer"}}},
        {"grafana": {"grafana.ini": {"auth": {"disable_login_form": False}}}},
        {"grafana": {"grafana.ini": {SECTION: {"role_attribute_strict": False}}}},
        {"grafana": {"grafana.ini": {"server": {"root_url": "https://grafana.example.com"}}}},
        {"grafana": {"envFromSecrets": []}},
        {"grafana": {"envFromConfigMaps": []}},
    ],
)
def test_users_values_cannot_open_grafana_up(overrides: dict) -> None:
    entry = REGISTRY["kube-prometheus-stack"]
    with pytest.raises(ArgError) as caught:
        merge_values("addons.kube-prometheus-stack.values", {}, overrides, entry.locked)
    assert caught.value.path.startswith("addons.kube-prometheus-stack.values.grafana.")
    # Other settings of grafana.ini stay the user's.
    merge_values("v", {}, {"grafana": {"grafana.ini": {"users": {"default_theme": "light"}}}}, entry.locked)


def test_the_local_admin_stays_as_break_glass_unless_turned_off(rendered: dict, tmp_path: Path) -> None:
    for grafana in grafana_values(rendered["prod"]).values():
        assert grafana["grafana.ini"]["auth"]["disable_login_form"] is False
        assert grafana["admin"]["existingSecret"] == "grafana-admin"
    hidden = render_variant(tmp_path, "staging", {"cluster.grafana.enable_local_admin": False})
    for grafana in grafana_values(hidden).values():
        assert grafana["grafana.ini"]["auth"]["disable_login_form"] is True


def test_dev_runs_no_grafana_and_creates_no_client(rendered: dict) -> None:
    assert grafana_values(rendered["dev"]) == {}
    assert not [c for c in rendered["dev"].of_type(CLIENT) if c.name.endswith("-grafana")]


def test_without_sso_grafana_has_no_client_and_no_oauth(tmp_path: Path) -> None:
    stack = render_variant(tmp_path, "staging", {"cluster.grafana.sso": False})
    assert not [c for c in stack.of_type(CLIENT) if c.name.endswith("-grafana")]
    for grafana in grafana_values(stack).values():
        assert SECTION not in grafana["grafana.ini"] and "envFromSecrets" not in grafana
    named = [
        r for r in stack.resources.values() if r.inputs.get("metadata", {}).get("name") == GRAFANA_OIDC_SECRET
    ]
    assert named == []


GRAFANA_CASES = [
    ("sso without identity", "staging", {"identity.enabled": False}, "cluster.grafana.sso", "identity"),
    (
        "nobody can sign in",
        "staging",
        {"cluster.grafana.sso": False, "cluster.grafana.enable_local_admin": False},
        "cluster.grafana.enable_local_admin",
        "nobody",
    ),
    (
        "a group that is no slug",
        "prod",
        {"cluster.grafana.admin_group": "Grafana Admins"},
        "cluster.grafana.admin_group",
        "",
    ),
]


@bad_config_cases(GRAFANA_CASES)
def test_bad_grafana_config_is_refused_naming_the_key(
    stack: str, changes: dict, key: str, words: str
) -> None:
    assert_config_error(stack, changes, key, words)
