"""Answers the program's resource registrations and look-ups during an offline render.

The only module besides `render.py` that knows about Pulumi's mock runtime. Values are realistic
where the program reads them: AZ names per region come from moto's region data, caller identity is
the account the provider is pinned to, ARNs carry the right partition, region and account.
Multi-language components (`eks:index:Cluster` …) get the outputs the program reads from them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import pulumi

# ---------------------------------------------------------------------------------------------
# Where a resource lives, from its provider


@dataclass(frozen=True)
class Placement:
    account: str | None
    region: str | None


def provider_placement(inputs: dict[str, Any]) -> Placement:
    """Account and region of an aws provider, from its inputs (nested values arrive as JSON)."""
    accounts = inputs.get("allowedAccountIds")
    if isinstance(accounts, str):
        accounts = json.loads(accounts)
    return Placement(account=(accounts or [None])[0], region=inputs.get("region"))


@cache
def availability_zones(region: str) -> tuple[tuple[str, str], ...]:
    """(name, zone id) of each AZ in `region`, from moto's copy of AWS's region data."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    zones = RegionsAndZonesBackend.zones.get(region) or []
    return tuple(sorted((zone.name, zone.zone_id) for zone in zones))


def fake_id(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


# ---------------------------------------------------------------------------------------------
# Outputs of particular resource types (beyond echoing the inputs)


@dataclass(frozen=True)
class NewResource:
    type: str
    name: str
    inputs: dict[str, Any]
    placement: Placement

    @property
    def arn_prefix(self) -> str:
        return f"arn:aws:{self.service}:{self.placement.region or ''}:{self.placement.account or ''}"

    @property
    def service(self) -> str:
        return self.type.split(":")[1].split("/")[0] if self.type.startswith("aws:") else "unknown"


OutputRule = Callable[[NewResource], dict[str, Any]]
OUTPUTS: dict[str, OutputRule] = {
    "aws:ec2/vpc:Vpc": lambda r: {
        "defaultSecurityGroupId": f"sg-{fake_id(r.name, 'default')}",
        "defaultNetworkAclId": f"acl-{fake_id(r.name, 'default')}",
        "mainRouteTableId": f"rtb-{fake_id(r.name, 'main')}",
    },
    "aws:kms/key:Key": lambda r: {"keyId": fake_id(r.name, length=32)},
    "aws:iam/role:Role": lambda r: {
        "arn": f"arn:aws:iam::{r.placement.account}:role/{r.inputs.get('name', r.name)}"
    },
    "pulumi:pulumi:StackReference": lambda r: {"outputs": SHARED_STACK_OUTPUTS, "secretOutputNames": []},
    # Delivery: runners' auto scaling groups and launch templates, the CI roles' OIDC provider.
    "aws:autoscaling/group:Group": lambda r: {
        "arn": f"arn:aws:autoscaling:{r.placement.region}:{r.placement.account}:autoScalingGroup:"
        f"{fake_id(r.name, length=8)}-{fake_id(r.name, 'uuid', length=4)}-0000-0000-"
        f"{fake_id(r.name, 'node', length=12)}:autoScalingGroupName/{r.inputs.get('name', r.name)}",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": lambda r: {"latestVersion": 1, "defaultVersion": 1},
    "aws:iam/instanceProfile:InstanceProfile": lambda r: {
        "arn": f"arn:aws:iam::{r.placement.account}:instance-profile/{r.inputs.get('name', r.name)}"
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda r: {
        "arn": f"arn:aws:iam::{r.placement.account}:oidc-provider/"
        + str(r.inputs.get("url", "")).removeprefix("https://")
    },
}
"""Per-type outputs. Add an entry when the program reads an output that is not an input."""

SHARED_STACK_OUTPUTS: dict[str, Any] = {
    "runner_security_group_id": "sg-0offline0runners0",
}
"""What an environment stack's StackReference to the shared stack returns in the offline render."""

INVOKES: dict[str, Callable[[dict[str, Any], Placement], dict[str, Any]]] = {
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda args, p: {
        "names": [name for name, _ in availability_zones(p.region or "")],
        "zoneIds": [zone_id for _, zone_id in availability_zones(p.region or "")],
        "id": p.region,
    },
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args, p: {
        "accountId": p.account,
        "arn": f"arn:aws:sts::{p.account}:assumed-role/deploy/pulumi",
        "userId": "AROAOFFLINE:pulumi",
        "id": p.account,
    },
    "aws:index/getPartition:getPartition": lambda args, p: {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
    },
    "aws:index/getRegion:getRegion": lambda args, p: {"name": p.region, "region": p.region, "id": p.region},
    "aws:ssm/getParameter:getParameter": lambda args, p: {
        "name": args.get("name"),
        "type": "String",
        "value": f"ami-{fake_id(str(args.get('name')))}",
        "id": args.get("name"),
    },
}
"""Answers to data-source look-ups, by token. An unknown token fails the render, naming it."""


class PlatformMocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.placements: dict[str, Placement] = {}
        """Provider reference (``urn::id``) → where its resources live; filled as providers register."""

    def placement_of(self, provider_ref: str | None) -> Placement:
        return self.placements.get(provider_ref or "", Placement(None, None))

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id = f"{args.typ.rsplit(':', 1)[-1].lower()}-{args.name}"
        if args.typ.startswith("pulumi:providers:"):
            return resource_id, dict(args.inputs)
        new = NewResource(args.typ, args.name, args.inputs, self.placement_of(args.provider))
        outputs: dict[str, Any] = {"id": resource_id, **args.inputs}
        if args.custom and new.service != "unknown":
            outputs.setdefault("arn", f"{new.arn_prefix}:{args.typ.split(':')[-1].lower()}/{args.name}")
            outputs.setdefault("name", args.name)
        rule = OUTPUTS.get(args.typ)
        if rule is not None:
            outputs.update(rule(new))
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        answer = INVOKES.get(args.token)
        if answer is None:
            raise NotImplementedError(
                f"the offline render has no answer for {args.token}; add one in mocks.INVOKES"
            )
        return answer(dict(args.args), self.placement_of(args.provider)), []
