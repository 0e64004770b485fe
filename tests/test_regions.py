"""Regions are a keyed collection with one primary: a third region is config only.

A prod stack with a third region (written in the stack file alone, checked against the committed
schema) renders with everything that is per region in that region too, through that region's
own provider: network, cluster, cache, a database secondary of the global database, the regional
web ACL and the API's load balancer, which that web ACL guards. Single-region services (identity,
streaming) stay in the primary.
"""

from __future__ import annotations

import json

import jsonschema
import pytest

from social_platform.errors import NAMESPACE
from social_platform.render import RenderedResource, RenderedStack
from social_platform.schema import SCHEMA_FILE

from .conftest import load_with, render_variant

THIRD = {"regions.us-east-1": {"vpc_cidr": "10.32.0.0/16", "az_count": 3}}

PER_REGION = {
    # what: (resource type, how many per region)
    "VPC": ("aws:ec2/vpc:Vpc", 1),
    "VPC flow log": ("aws:ec2/flowLog:FlowLog", 1),
    "EKS cluster": ("eks:index:Cluster", 1),
    "Aurora cluster": ("aws:rds/cluster:Cluster", 1),
    "Valkey replication group": ("aws:elasticache/replicationGroup:ReplicationGroup", 1),
    "page and ticket alert topics": ("aws:sns/topic:Topic", 2),
    "CloudWatch dashboard": ("aws:cloudwatch/dashboard:Dashboard", 1),
}


@pytest.fixture(scope="module")
def three(tmp_path_factory: pytest.TempPathFactory) -> RenderedStack:
    return render_variant(tmp_path_factory.mktemp("three"), "prod", THIRD)


def regions_of(stack: RenderedStack) -> list[str]:
    return list(stack.outputs["regions"])


def test_a_third_region_needs_no_schema_change() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    cfg = load_with("prod", THIRD)
    stack_file = {"config": {f"{NAMESPACE}:regions": cfg.regions.model_dump(mode="json")}}
    jsonschema.validate(stack_file, schema)
    assert [r.name for r in cfg.regions.all()] == ["eu-west-1", "eu-central-1", "us-east-1"]


def test_every_region_of_the_stack_file_is_rendered_primary_first(three: RenderedStack) -> None:
    assert regions_of(three) == ["eu-west-1", "eu-central-1", "us-east-1"]


@pytest.mark.parametrize("what", PER_REGION)
def test_each_region_has_its_own(three: RenderedStack, what: str) -> None:
    type_, count = PER_REGION[what]
    found = three.of_type(type_)
    assert sorted(r.region for r in found) == sorted(regions_of(three) * count), what


def test_each_regions_resources_go_through_that_regions_provider(three: RenderedStack) -> None:
    providers = {
        p.region: p.urn for p in three.of_type("pulumi:providers:aws") if p.name.startswith("aws-prod-")
    }
    assert set(regions_of(three)) <= set(providers)
    for resource in three:
        own = resource.account == three.outputs["account_id"]  # not the shared account's NS delegation
        if resource.is_aws and own and resource.region in regions_of(three):
            assert resource.provider == providers[resource.region], resource.name


def test_the_networks_follow_the_config(three: RenderedStack) -> None:
    cfg = load_with("prod", THIRD)
    vpcs = {vpc.region: vpc.inputs["cidrBlock"] for vpc in three.of_type("aws:ec2/vpc:Vpc")}
    assert vpcs == {region.name: str(region.vpc_cidr) for region in cfg.regions.all()}


def test_every_other_region_joins_the_global_database_as_a_secondary(three: RenderedStack) -> None:
    (global_cluster,) = three.of_type("aws:rds/globalCluster:GlobalCluster")
    clusters = {c.region: c for c in three.of_type("aws:rds/cluster:Cluster")}
    primary, *others = regions_of(three)
    assert global_cluster.region == primary
    for region in [primary, *others]:
        assert clusters[region].inputs["globalClusterIdentifier"] == global_cluster.id, region
    for region in others:
        assert "masterUsername" not in clusters[region].inputs, f"{region} is a read-only secondary"
    assert (
        "masterUsername" in clusters[primary].inputs or "manageMasterUserPassword" in clusters[primary].inputs
    )


def test_each_region_gets_a_regional_web_acl_and_a_load_balancer_it_guards(three: RenderedStack) -> None:
    regional = [a for a in three.of_type("aws:wafv2/webAcl:WebAcl") if a.inputs["scope"] == "REGIONAL"]
    assert sorted(a.region for a in regional) == sorted(regions_of(three))
    balancers = three.of_type("aws:lb/loadBalancer:LoadBalancer")
    assert sorted(b.region for b in balancers) == sorted(regions_of(three))
    associations = three.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    for balancer in balancers:
        (association,) = [a for a in associations if a.inputs["resourceArn"] == balancer.arn]
        (acl,) = [a for a in regional if a.arn == association.inputs["webAclArn"]]
        assert acl.region == balancer.region


def test_every_latency_routed_name_has_one_record_per_region(three: RenderedStack) -> None:
    latency = [
        r for r in three.of_type("aws:route53/record:Record") if r.inputs.get("latencyRoutingPolicies")
    ]
    by_name: dict[str, list[str]] = {}
    for r in latency:
        by_name.setdefault(r.inputs["name"], []).append(r.inputs["latencyRoutingPolicies"][0]["region"])
    assert by_name, "the realtime API's ws. name is latency-routed"
    for name, record_regions in by_name.items():
        assert sorted(record_regions) == sorted(regions_of(three)), name


def test_the_outputs_are_keyed_by_every_region(three: RenderedStack) -> None:
    for key in ("networks", "clusters", "database", "cache"):
        assert list(three.outputs[key]) == regions_of(three), key


def single(stack: RenderedStack, type_: str) -> RenderedResource:
    (found,) = stack.components(type_)
    return found


@pytest.mark.parametrize("type_", ["social:identity:Identity", "social:streaming:Streaming"])
def test_single_region_services_stay_in_the_primary(three: RenderedStack, type_: str) -> None:
    component = single(three, type_)
    regions = {r.region for r in three.descendants(component) if r.is_aws}
    assert regions == {regions_of(three)[0]}


def test_a_third_region_brings_alarms_on_its_own_database_cache_and_nat_gateways(
    three: RenderedStack,
) -> None:
    region = "us-east-1"
    alarms = [a for a in three.of_type("aws:cloudwatch/metricAlarm:MetricAlarm") if a.region == region]
    watched = {value for a in alarms for value in a.inputs.get("dimensions", {}).values()}
    clusters = [c for c in three.of_type("aws:rds/cluster:Cluster") if c.region == region]
    groups = [
        g for g in three.of_type("aws:elasticache/replicationGroup:ReplicationGroup") if g.region == region
    ]
    nats = [n for n in three.of_type("aws:ec2/natGateway:NatGateway") if n.region == region]
    assert clusters and groups and nats
    assert {c.inputs["clusterIdentifier"] for c in clusters} <= watched
    assert {f"{g.inputs['replicationGroupId']}-001" for g in groups} <= watched
    assert {n.id for n in nats} <= watched
    # and they page through the new region's own topic
    notifying = [
        *alarms,
        *(c for c in three.of_type("aws:cloudwatch/compositeAlarm:CompositeAlarm") if c.region == region),
    ]
    assert {action.split(":")[3] for a in notifying for action in a.inputs["alarmActions"]} == {region}
