"""Data-tier security: only named security groups reach the ports, and no secret is ever in plain text."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from social_components.base import assume_role_policy
from social_components.checks import check_client
from social_components.testing import random_password_value
from social_platform.areas import data
from social_platform.areas.data import DataTier
from social_platform.render import RenderedResource, RenderedStack, render

from .conftest import STACKS
from .datatier import (
    CACHE,
    CLUSTER,
    DATABASE,
    INGRESS,
    RANDOM_PASSWORD,
    REPLICATION_GROUP,
    SECRET_VERSION,
    SG,
    by_region,
    config,
    data_security_groups,
    inside,
    known_secret_values,
    plaintext_secrets,
    rules_admitting_addresses,
)

NODES, RUNNERS = "sg-0a1b2c3d4e5f60001", "sg-0a1b2c3d4e5f60002"
SECONDARY_NODES = "sg-0a1b2c3d4e5f60003"


def render_with(
    monkeypatch: pytest.MonkeyPatch, stack: str, after: Callable[[Any, DataTier], None]
) -> RenderedStack:
    """Render `stack` with the data tier's build step followed by `after(platform, tier)`, as the
    composition will do once the cluster and the runners hand over their security groups."""

    def build_data_then(platform: Any, networks: Any, client_security_groups: Any = None) -> DataTier:
        tier = build(platform, networks, client_security_groups)
        after(platform, tier)
        return tier

    build = data.build
    monkeypatch.setattr(data, "build", build_data_then)
    return render(stack)


@pytest.fixture(scope="module")
def with_clients() -> RenderedStack:
    """Staging (it has a proxy) with the nodes and the CI runners admitted, and an application role
    granted IAM sign-in, the master secret (for migrations) and the cache secret."""

    def wire(platform: Any, tier: DataTier) -> None:
        region = platform.cfg.regions.primary.name
        tier.allow_from("nodes", {region: NODES})
        tier.allow_from("runners", {region: RUNNERS})
        role = aws.iam.Role(
            "api-pods",
            assume_role_policy=assume_role_policy({"Service": "pods.eks.amazonaws.com"}),
            opts=pulumi.ResourceOptions(provider=platform.providers.primary),
        )
        tier.databases[region].grant_connect("api", role, "api")
        tier.databases[region].grant_secret_read("migrations", role)
        tier.caches[region].grant_auth_token_read("api", role)

    with pytest.MonkeyPatch.context() as monkeypatch:
        return render_with(monkeypatch, "staging", wire)


def rules_into(stack: RenderedStack, sg: RenderedResource) -> list[tuple[Any, ...]]:
    return sorted(
        (
            r.inputs["referencedSecurityGroupId"],
            r.inputs["fromPort"],
            r.inputs["toPort"],
            r.inputs["ipProtocol"],
        )
        for r in stack.of_type(INGRESS)
        if r.inputs["securityGroupId"] == sg.id
    )


# ---------------------------------------------------------------------------------------------
# Security groups


def test_no_database_or_cache_security_group_rule_admits_an_address_range(any_stack: RenderedStack) -> None:
    assert rules_admitting_addresses(any_stack) == []


def test_with_clients_still_no_rule_admits_an_address_range(with_clients: RenderedStack) -> None:
    assert data_security_groups(with_clients)
    assert rules_admitting_addresses(with_clients) == []


def test_the_address_check_catches_a_cidr_rule_and_an_inline_rule(rendered: dict) -> None:
    stack = rendered["dev"]
    sg = data_security_groups(stack)[0]
    rule = RenderedResource(
        urn="urn:x::world",
        id="rule-world",
        type=INGRESS,
        name="world",
        custom=True,
        parent=None,
        provider=None,
        account=None,
        region=None,
        inputs={"securityGroupId": sg.id, "cidrIpv4": "0.0.0.0/0", "fromPort": 5432, "toPort": 5432},
    )
    inline = dataclasses.replace(sg, inputs={**sg.inputs, "ingress": [{"cidrBlocks": ["10.0.0.0/8"]}]})
    broken = RenderedStack(stack.stack, {**stack.resources, rule.urn: rule, sg.urn: inline}, stack.outputs)
    problems = rules_admitting_addresses(broken)
    assert len(problems) == 2
    assert any(p.startswith("world: admits {'cidrIpv4': '0.0.0.0/0'}") for p in problems)


def test_only_the_cluster_nodes_and_the_proxy_reach_the_data_ports(rendered: dict) -> None:
    """The composition admits the EKS nodes of the same region; the proxy has its own path."""
    for stack in ("dev", "staging", "prod"):
        s = rendered[stack]
        for component in s.components(DATABASE) + s.components(CACHE):
            region = inside(s, component, SG)[0].region
            nodes = s.outputs["clusters"][region]["node_security_group_id"]
            own = {sg.id for sg in inside(s, component, SG)}
            sources = {rule.inputs["referencedSecurityGroupId"] for rule in inside(s, component, INGRESS)}
            assert nodes in sources, component.name
            assert sources <= own | {nodes}, component.name


def test_allow_from_admits_exactly_the_named_security_groups_on_the_right_ports(
    with_clients: RenderedStack,
) -> None:
    s = with_clients
    region = config("staging").regions.primary.name
    db, cache = by_region(s, DATABASE)[region], by_region(s, CACHE)[region]
    db_sg, proxy_sg = s.named(f"{db.name}-sg", SG), s.named(f"{db.name}-proxy-sg", SG)
    cache_sg = s.named(f"{cache.name}-sg", SG)
    cluster_nodes = s.outputs["clusters"][region]["node_security_group_id"]  # wired by the composition
    clients = sorted(
        [(cluster_nodes, 5432, 5432, "tcp"), (NODES, 5432, 5432, "tcp"), (RUNNERS, 5432, 5432, "tcp")]
    )
    assert rules_into(s, proxy_sg) == clients
    assert rules_into(s, db_sg) == sorted([*clients, (proxy_sg.id, 5432, 5432, "tcp")])
    assert rules_into(s, cache_sg) == sorted(
        [(cluster_nodes, 6379, 6379, "tcp"), (NODES, 6379, 6379, "tcp"), (RUNNERS, 6379, 6379, "tcp")]
    )
    assert s.named(f"{db.name}-proxy-from-runners", INGRESS).parent == db.urn
    assert s.named(f"{cache.name}-from-nodes", INGRESS).region == region


def test_prod_clients_are_admitted_region_by_region(monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = config("prod")
    (other_region,) = cfg.regions.others()
    primary, secondary = cfg.regions.primary.name, other_region.name
    s = render_with(
        monkeypatch,
        "prod",
        lambda platform, tier: tier.allow_from("nodes", {primary: NODES, secondary: SECONDARY_NODES}),
    )
    for region, expected in ((primary, NODES), (secondary, SECONDARY_NODES)):
        for component in (by_region(s, DATABASE)[region], by_region(s, CACHE)[region]):
            rules = [r for r in inside(s, component, INGRESS) if r.name.endswith("from-nodes")]
            assert rules and {r.inputs["referencedSecurityGroupId"] for r in rules} == {expected}
            assert {r.region for r in rules} == {region}
    assert rules_admitting_addresses(s) == []


@pytest.mark.parametrize("bad", ["0.0.0.0/0", "10.0.0.0/8", "::/0", "default", "sg-XYZ"])
def test_allow_from_refuses_anything_but_a_security_group(bad: str) -> None:
    with pytest.raises(ValueError, match="never a CIDR"):
        check_client("office", bad)


# ---------------------------------------------------------------------------------------------
# Grants: how applications get in


def test_grant_connect_allows_iam_sign_in_as_one_user_to_the_cluster_and_the_proxy(
    with_clients: RenderedStack,
) -> None:
    s = with_clients
    (db,) = s.components(DATABASE)
    policy = json.loads(s.named(f"{db.name}-connect-api").inputs["policy"])
    (statement,) = policy["Statement"]
    cluster = inside(s, db, CLUSTER)[0]
    assert statement["Action"] == "rds-db:connect"
    account, region = cluster.account, cluster.region
    cluster_user, proxy_user = statement["Resource"]
    assert (
        cluster_user
        == f"arn:aws:rds-db:{region}:{account}:dbuser:cluster-{cluster_user.split(':dbuser:cluster-')[1]}"
    )
    assert cluster_user.endswith("/api") and ":dbuser:prx-" in proxy_user and proxy_user.endswith("/api")


def test_secret_grants_read_one_secret_and_decrypt_only_through_secrets_manager(
    with_clients: RenderedStack,
) -> None:
    s = with_clients
    region = config("staging").regions.primary.name
    for name, arn in (
        (
            f"{by_region(s, DATABASE)[region].name}-secret-migrations",
            s.outputs["database"][region]["secret_arn"],
        ),
        (
            f"{by_region(s, CACHE)[region].name}-secret-api",
            s.outputs["cache"][region]["auth_token_secret_arn"],
        ),
    ):
        read, decrypt = json.loads(s.named(name).inputs["policy"])["Statement"]
        assert read["Resource"] == arn and read["Action"] == [
            "secretsmanager:GetSecretValue",
            "secretsmanager:DescribeSecret",
        ]
        assert decrypt["Condition"] == {
            "StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}
        }


# ---------------------------------------------------------------------------------------------
# Secrets


@pytest.mark.parametrize("stack", STACKS)
def test_no_password_token_or_secret_appears_in_plain_text(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    assert plaintext_secrets(s, known_secret_values(s)) == []


def test_the_plain_text_scan_would_catch_a_leak(rendered: dict) -> None:
    s = rendered["prod"]
    (password,) = [p for p in s.of_type(RANDOM_PASSWORD) if p.name.endswith("-db-master-password")]
    value = random_password_value(password.name)
    assert value in known_secret_values(s)
    version = s.named(password.name.removesuffix("-password"), SECRET_VERSION)
    leak = dataclasses.replace(
        version, inputs={**version.inputs, "secretString": json.dumps({"password": value})}
    )
    broken = RenderedStack(s.stack, {**s.resources, leak.urn: leak}, {**s.outputs, "oops": value})
    assert plaintext_secrets(broken, known_secret_values(s)) == [
        f"{leak.name}: {value[:6]}…",
        f"stack outputs: {value[:6]}…",
    ]


def test_every_secret_carrying_input_is_masked_and_every_secret_output_is_declared(rendered: dict) -> None:
    s = rendered["prod"]
    expected_inputs = {
        CLUSTER: ["masterPassword"],
        SECRET_VERSION: ["secretString"],
        REPLICATION_GROUP: ["authToken"],
    }
    expected_outputs = {
        RANDOM_PASSWORD: "result",
        REPLICATION_GROUP: "authToken",
        SECRET_VERSION: "secretString",
        CLUSTER: "masterPassword",
    }
    (primary_cluster,) = [c for c in s.of_type(CLUSTER) if "masterPassword" in c.inputs]
    for type_, paths in expected_inputs.items():
        resources = [primary_cluster] if type_ == CLUSTER else s.of_type(type_)
        assert resources
        for resource in resources:
            assert resource.secret_paths == paths, resource.name
            assert all(resource.inputs[p] == "[secret]" for p in paths)
    for type_, output in expected_outputs.items():
        for resource in s.of_type(type_):
            assert output in resource.additional_secret_outputs, resource.name


def test_stack_outputs_name_secrets_but_hold_none(rendered: dict) -> None:
    for stack in ("dev", "staging", "prod"):
        outputs = rendered[stack].outputs
        for region_outputs in [*outputs["database"].values(), *outputs["cache"].values()]:
            assert not any(key in region_outputs for key in ("password", "auth_token", "master_password"))
            assert "[secret]" not in json.dumps(region_outputs)
