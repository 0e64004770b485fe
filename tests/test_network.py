"""The network: three tiers per AZ, the data tier cut off from the internet, everything logged."""

from __future__ import annotations

import ipaddress
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from social_components.network import MAX_AZS, SubnetPrefixes, plan_subnets
from social_platform.config import load_config
from social_platform.errors import ConfigError
from social_platform.policies import RULES, evaluate
from social_platform.render import RenderedResource, RenderedStack
from social_platform.stackview import stack_view

from .conftest import STACKS, raw_config, render_variant, set_keys

NETWORK = "social:network:Network"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"


def networks(stack: RenderedStack) -> list[RenderedResource]:
    return stack.components(NETWORK)


def inside(stack: RenderedStack, network: RenderedResource, type_: str) -> list[RenderedResource]:
    return [r for r in stack.descendants(network) if r.type == type_]


def subnets(stack: RenderedStack, network: RenderedResource, tier: str) -> list[RenderedResource]:
    return [s for s in inside(stack, network, SUBNET) if s.inputs["tags"]["Tier"] == tier]


def tables_of(stack: RenderedStack, subnet: RenderedResource) -> list[str]:
    return [a.inputs["routeTableId"] for a in stack.of_type(ASSOC) if a.inputs.get("subnetId") == subnet.id]


def default_routes(stack: RenderedStack, table_id: str) -> list[RenderedResource]:
    return [
        r
        for r in stack.of_type(ROUTE)
        if r.inputs["routeTableId"] == table_id and r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"
    ]


def test_every_stack_has_one_network_per_region(any_stack: RenderedStack) -> None:
    regions = any_stack.outputs["regions"]
    assert sorted(n.name.split("-")[-1] for n in networks(any_stack)) == sorted(
        {"eu-west-1": "euw1", "eu-central-1": "euc1"}[r] for r in regions
    )


@pytest.mark.parametrize("stack", STACKS)
def test_data_subnets_have_no_route_out_of_the_vpc(rendered: dict, stack: str) -> None:
    view = stack_view(rendered[stack])
    tables = [r for r in view.of_type(*RULES["data-route-tables-private"].types) if r.name.endswith("-data")]
    assert tables, "every network has a data route table"
    assert evaluate(view, [RULES["data-route-tables-private"]]) == []


@pytest.mark.parametrize(
    "breach",
    [
        {"routes": [{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]},
        {"routes": [{"ipv6CidrBlock": "::/0", "gatewayId": "igw-1"}]},
        {"routes": [{"cidrBlock": "192.0.2.0/24", "natGatewayId": "nat-1"}]},
        {"routes": [{"ipv6CidrBlock": "2001:db8::/32", "egressOnlyGatewayId": "eigw-1"}]},
    ],
    ids=["inline IPv4 default", "IPv6 default", "NAT", "egress-only"],
)
def test_the_data_route_rule_catches_every_way_out_on_a_rendered_network(
    rendered: dict, breach: dict
) -> None:
    view = stack_view(rendered["dev"])
    broken = tuple(
        replace(r, props={**r.props, **breach})
        if r.type.endswith(":RouteTable") and r.name.endswith("-data")
        else r
        for r in view.resources
    )
    assert evaluate(replace(view, resources=broken), [RULES["data-route-tables-private"]])


def test_prod_private_route_tables_use_the_nat_in_their_own_az(rendered: dict) -> None:
    stack = rendered["prod"]
    for network in networks(stack):
        nats = {n.id: n for n in inside(stack, network, "aws:ec2/natGateway:NatGateway")}
        privates = subnets(stack, network, "private")
        assert len(nats) == len(privates) == 3
        for subnet in privates:
            (table,) = tables_of(stack, subnet)
            (route,) = default_routes(stack, table)
            nat = nats[route.inputs["natGatewayId"]]
            nat_subnet = stack.by_id(nat.inputs["subnetId"])
            assert nat_subnet.inputs["availabilityZone"] == subnet.inputs["availabilityZone"]
            assert nat_subnet.inputs["tags"]["Tier"] == "public"


@pytest.mark.parametrize("az_count", [2, 3, 6])
@pytest.mark.parametrize("nat", ["none", "single", "per-az"])
def test_resource_counts_per_tier(tmp_path: Path, az_count: int, nat: str) -> None:
    region = "us-east-1" if az_count > 3 else "eu-west-1"  # eu-west-1 has three AZs
    changes = {
        "regions": {region: {"primary": True, "vpc_cidr": "10.10.0.0/16", "az_count": az_count}},
        "network.nat_strategy": nat,
    }
    stack = render_variant(tmp_path, "dev", changes)
    (network,) = networks(stack)
    for tier in ("public", "private", "data"):
        assert len(subnets(stack, network, tier)) == az_count
    nat_count = {"none": 0, "single": 1, "per-az": az_count}[nat]
    assert len(inside(stack, network, "aws:ec2/natGateway:NatGateway")) == nat_count
    assert len(inside(stack, network, "aws:ec2/eip:Eip")) == nat_count
    # public + one private table per AZ + data
    assert len(inside(stack, network, "aws:ec2/routeTable:RouteTable")) == az_count + 2
    assert len(inside(stack, network, ASSOC)) == 3 * az_count
    private_defaults = [r for r in inside(stack, network, ROUTE) if "natGatewayId" in r.inputs]
    assert len(private_defaults) == (0 if nat == "none" else az_count)
    assert len(inside(stack, network, "aws:ec2/internetGateway:InternetGateway")) == 1


def test_subnets_are_spread_over_distinct_azs_named_by_the_region(rendered: dict) -> None:
    stack = rendered["prod"]
    for network in networks(stack):
        azs = [s.inputs["availabilityZone"] for s in subnets(stack, network, "private")]
        region = inside(stack, network, "aws:ec2/vpc:Vpc")[0].region
        assert len(set(azs)) == len(azs) == 3
        assert all(az.startswith(region) for az in azs)


def test_flow_logs_capture_all_traffic_into_an_encrypted_log_group(any_stack: RenderedStack) -> None:
    for network in networks(any_stack):
        (flow_log,) = inside(any_stack, network, "aws:ec2/flowLog:FlowLog")
        (group,) = inside(any_stack, network, "aws:cloudwatch/logGroup:LogGroup")
        (key,) = inside(any_stack, network, "aws:kms/key:Key")
        assert flow_log.inputs["trafficType"] == "ALL"
        assert flow_log.inputs["logDestinationType"] == "cloud-watch-logs"
        assert flow_log.inputs["vpcId"] == inside(any_stack, network, "aws:ec2/vpc:Vpc")[0].id
        assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:")
        assert group.inputs["kmsKeyId"].endswith("/" + key.name)
        assert key.inputs["enableKeyRotation"] is True


def test_flow_log_retention_follows_the_tier(rendered: dict) -> None:
    retention = {
        name: inside(rendered[name], networks(rendered[name])[0], "aws:cloudwatch/logGroup:LogGroup")[
            0
        ].inputs["retentionInDays"]
        for name in ("dev", "prod")
    }
    assert retention == {"dev": 14, "prod": 365}


def test_default_security_group_and_acl_take_no_traffic(any_stack: RenderedStack) -> None:
    for network in networks(any_stack):
        (sg,) = inside(any_stack, network, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
        (acl,) = inside(any_stack, network, "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl")
        for resource in (sg, acl):
            assert resource.inputs.get("ingress", []) == [] and resource.inputs.get("egress", []) == []


def test_data_subnet_acl_admits_only_the_vpc(rendered: dict) -> None:
    stack = rendered["prod"]
    for network in networks(stack):
        vpc = inside(stack, network, "aws:ec2/vpc:Vpc")[0]
        (acl,) = [
            a for a in inside(stack, network, "aws:ec2/networkAcl:NetworkAcl") if a.name.endswith("data-nacl")
        ]
        for rule in acl.inputs["ingress"] + acl.inputs["egress"]:
            assert rule["cidrBlock"] == vpc.inputs["cidrBlock"]


def test_load_balancer_and_karpenter_tags(rendered: dict) -> None:
    stack = rendered["dev"]
    (network,) = networks(stack)
    for subnet in subnets(stack, network, "public"):
        assert subnet.inputs["tags"]["kubernetes.io/role/elb"] == "1"
    for subnet in subnets(stack, network, "private"):
        assert subnet.inputs["tags"]["kubernetes.io/role/internal-elb"] == "1"
        assert subnet.inputs["tags"]["karpenter.sh/discovery"] == "social-dev-euw1"
    for subnet in subnets(stack, network, "data"):
        assert not any(tag.startswith(("kubernetes.io", "karpenter")) for tag in subnet.inputs["tags"])


def test_every_network_resource_is_tagged_through_its_provider(any_stack: RenderedStack) -> None:
    providers = {p.urn: p for p in any_stack.of_type("pulumi:providers:aws")}
    for network in networks(any_stack):
        for resource in any_stack.descendants(network):
            if resource.custom:
                tags = providers[resource.provider].inputs["defaultTags"]["tags"]
                assert {"Project", "Environment", "Owner", "CostCenter", "ManagedBy", "Stack"} <= set(tags)


def test_gateway_endpoints_always_and_interface_endpoints_by_tier(rendered: dict) -> None:
    def endpoints(name: str) -> dict[str, list[str]]:
        stack = rendered[name]
        found: dict[str, list[str]] = {"Gateway": [], "Interface": []}
        for endpoint in inside(stack, networks(stack)[0], "aws:ec2/vpcEndpoint:VpcEndpoint"):
            found[endpoint.inputs["vpcEndpointType"]].append(
                endpoint.inputs["serviceName"].rsplit(".", 1)[-1]
            )
        return found

    dev, prod = endpoints("dev"), endpoints("prod")
    assert sorted(dev["Gateway"]) == sorted(prod["Gateway"]) == ["dynamodb", "s3"]
    assert dev["Interface"] == []
    assert {"dkr", "sts", "logs", "secretsmanager"} <= set(prod["Interface"])


def test_interface_endpoint_security_group_admits_https_from_the_vpc_only(rendered: dict) -> None:
    stack = rendered["prod"]
    for network in networks(stack):
        vpc = inside(stack, network, "aws:ec2/vpc:Vpc")[0]
        (sg,) = inside(stack, network, "aws:ec2/securityGroup:SecurityGroup")
        for rule in sg.inputs["ingress"]:
            assert (rule["fromPort"], rule["toPort"], rule["cidrBlocks"]) == (
                443,
                443,
                [vpc.inputs["cidrBlock"]],
            )


def test_subnet_groups_sit_on_the_data_tier(any_stack: RenderedStack) -> None:
    for network in networks(any_stack):
        data_ids = sorted(s.id for s in subnets(any_stack, network, "data"))
        for type_ in ("aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup"):
            (group,) = inside(any_stack, network, type_)
            assert sorted(group.inputs["subnetIds"]) == data_ids


def test_prod_second_region_has_its_own_network_through_its_own_provider(rendered: dict) -> None:
    stack = rendered["prod"]
    cfg = load_config(raw_config("prod"))
    (secondary,) = cfg.regions.others()
    (network,) = [n for n in networks(stack) if n.name == "prod-euc1"]
    vpc = inside(stack, network, "aws:ec2/vpc:Vpc")[0]
    assert vpc.inputs["cidrBlock"] == str(secondary.vpc_cidr)
    for resource in stack.descendants(network):
        if resource.custom:
            assert (resource.account, resource.region) == ("444444444444", "eu-central-1"), resource.name


def test_prod_flow_logs_are_protected(rendered: dict) -> None:
    for network in networks(rendered["prod"]):
        stateful = inside(rendered["prod"], network, "aws:cloudwatch/logGroup:LogGroup") + inside(
            rendered["prod"], network, "aws:kms/key:Key"
        )
        assert stateful and all(r.protect for r in stateful)


# ---------------------------------------------------------------------------------------------
# The subnet plan


@settings(max_examples=300, deadline=None)
@given(
    second=st.integers(0, 255),
    third=st.integers(0, 255),
    prefix=st.integers(16, 22),
    az_count=st.integers(2, MAX_AZS),
)
def test_subnets_never_overlap_and_stay_inside_the_vpc(
    second: int, third: int, prefix: int, az_count: int
) -> None:
    vpc = ipaddress.IPv4Network(f"10.{second}.{third}.0/{prefix}", strict=False)
    try:
        plan = plan_subnets(vpc, az_count)
    except ValueError as exc:
        assert "too small" in str(exc)
        with pytest.raises(ConfigError, match="too small"):
            load_config(
                set_keys(
                    raw_config("dev"),
                    {"regions.eu-west-1.vpc_cidr": str(vpc), "regions.eu-west-1.az_count": az_count},
                )
            )
        return
    everything = [cidr for cidrs in plan.values() for cidr in cidrs]
    assert all(cidr.subnet_of(vpc) for cidr in everything)
    for i, a in enumerate(everything):
        for b in everything[i + 1 :]:
            assert not a.overlaps(b)


def test_adding_an_az_never_moves_an_existing_subnet() -> None:
    three, six = plan_subnets("10.0.0.0/16", 3), plan_subnets("10.0.0.0/16", 6)
    for tier, cidrs in three.items():
        assert six[tier][:3] == cidrs


def test_too_small_a_vpc_says_how_big_it_must_be() -> None:
    with pytest.raises(ValueError, match=r"need a /21 or larger"):
        plan_subnets("10.0.0.0/22", 2, SubnetPrefixes(private=24))


def test_too_small_a_vpc_is_a_config_error_naming_the_key() -> None:
    raw = set_keys(raw_config("dev"), {"network.subnet_prefixes": {"private": 17}})
    with pytest.raises(ConfigError) as caught:
        load_config(raw)
    assert "social-platform:regions.eu-west-1.vpc_cidr" in caught.value.keys
    assert "need a /" in str(caught.value)
