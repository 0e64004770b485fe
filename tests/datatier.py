"""Queries the data-tier tests share: the Database and Cache components of a rendered stack."""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from typing import Any

from social_components.testing import fake_id, random_password_value
from social_platform import stackfiles
from social_platform.config import PlatformConfig, load_config
from social_platform.render import RenderedResource, RenderedStack

from .conftest import raw_config

DATABASE = "social:database:Database"
CACHE = "social:cache:Cache"
CLUSTER = "aws:rds/cluster:Cluster"
INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
KEY = "aws:kms/key:Key"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
LEGACY_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SECRET = "aws:secretsmanager/secret:Secret"
SECRET_VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup"
REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup"
RANDOM_PASSWORD = "random:index/randomPassword:RandomPassword"


def assert_final_snapshot_unique_per_creation(
    stack: RenderedStack, component: RenderedResource, identifier: str, data: RenderedResource
) -> None:
    """The final snapshot is named `<identifier>-final-<suffix>`, the suffix taken from the ID of
    the data store's own KMS key (a UUID AWS assigns): new for each creation of the stack, so a
    re-created stack's snapshot never collides with the one its predecessor left, and unchanged by
    updates (no diff on every update)."""
    (key,) = [k for k in inside(stack, component, KEY) if data.inputs.get("kmsKeyId") == k.arn]
    key_id = fake_id(key.name, length=32)  # the key's `keyId` as the mocks report it (AWS: a UUID)
    name = data.inputs["finalSnapshotIdentifier"]
    assert name == f"{identifier}-final-{key_id.split('-')[0][:8]}", name


@cache
def config(stack: str) -> PlatformConfig:
    return load_config(raw_config(stack), other_environments=stackfiles.other_environment_regions(stack))


def inside(stack: RenderedStack, component: RenderedResource, *types: str) -> list[RenderedResource]:
    return [r for r in stack.descendants(component) if r.type in types]


def one(stack: RenderedStack, component: RenderedResource, type_: str) -> RenderedResource:
    (found,) = inside(stack, component, type_)
    return found


def by_region(stack: RenderedStack, type_: str) -> dict[str, RenderedResource]:
    """The stack's components of `type_`, keyed by the region of their resources."""
    out = {}
    for component in stack.components(type_):
        regions = {r.region for r in stack.descendants(component) if r.is_aws}
        (region,) = regions
        out[region] = component
    return out


def data_security_groups(stack: RenderedStack) -> list[RenderedResource]:
    return [
        sg
        for component in stack.components(DATABASE) + stack.components(CACHE)
        for sg in inside(stack, component, SG)
    ]


def rules_admitting_addresses(stack: RenderedStack) -> list[str]:
    """Every way a data-tier security group could admit (or reach) an address range instead of a
    named security group: inline rules, and rule resources attached to those groups."""
    problems = []
    groups = {sg.id: sg.name for sg in data_security_groups(stack)}
    for sg in data_security_groups(stack):
        for direction in ("ingress", "egress"):
            if sg.inputs.get(direction):
                problems.append(f"{sg.name}: inline {direction} rules {sg.inputs[direction]}")
    for rule in stack.of_type(INGRESS, EGRESS, LEGACY_RULE):
        if rule.inputs.get("securityGroupId") not in groups:
            continue
        addresses = {
            k: rule.inputs[k]
            for k in ("cidrIpv4", "cidrIpv6", "prefixListId", "cidrBlocks")
            if k in rule.inputs
        }
        if addresses or not rule.inputs.get(
            "referencedSecurityGroupId", rule.inputs.get("sourceSecurityGroupId")
        ):
            problems.append(f"{rule.name}: admits {addresses or 'no security group'}")
    return problems


def known_secret_values(stack: RenderedStack) -> set[str]:
    """Every secret value the offline render can produce: generated passwords and tokens, and the
    placeholder that `secure:` config values read as."""
    return {random_password_value(r.name) for r in stack.of_type(RANDOM_PASSWORD)} | {
        stackfiles.OFFLINE_SECRET
    }


def plaintext_secrets(stack: RenderedStack, secrets: Iterable[str]) -> list[str]:
    """Where any of `secrets` appears in plain text: a resource's inputs or the stack outputs."""
    found = []
    places: list[tuple[str, Any]] = [(r.name, r.inputs) for r in stack]
    places.append(("stack outputs", stack.outputs))
    for where, value in places:
        text = json.dumps(value, default=str)
        found.extend(f"{where}: {secret[:6]}…" for secret in secrets if secret in text)
    return found
