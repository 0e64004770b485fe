"""Instances and the network: IMDSv2, ingress from the world, public IPs, flow logs."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from social_platform.rulebook import WORLD, ResourceView, StackView, _num, _seq, _truthy, rule
from social_platform.rules.encryption import EC2_INSTANCE, LAUNCH_TEMPLATE


@rule(
    "imdsv2-launch-templates",
    "Launch templates require IMDSv2 (metadata tokens)",
    types=(LAUNCH_TEMPLATE,),
)
def _imdsv2_launch_templates(r: ResourceView, stack: StackView) -> Iterator[str]:
    if (
        r.get("metadataOptions.httpEndpoint") != "disabled"
        and r.get("metadataOptions.httpTokens") != "required"
    ):
        yield 'metadataOptions.httpTokens must be "required"'


@rule(
    "imdsv2-instances",
    "EC2 instances require IMDSv2 (metadata tokens)",
    types=(EC2_INSTANCE,),
)
def _imdsv2_instances(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.get("launchTemplate") and r.get("metadataOptions") is None:
        return  # the launch template's metadata options apply, checked there
    if (
        r.get("metadataOptions.httpEndpoint") != "disabled"
        and r.get("metadataOptions.httpTokens") != "required"
    ):
        yield 'metadataOptions.httpTokens must be "required"'


# ---------------------------------------------------------------------------------------------
# Network

SECURITY_GROUPS = ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
SG_INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
WEB_PORTS = (80, 443)


def _fronts_public_load_balancer(group: ResourceView, stack: StackView) -> bool:
    return any(
        not _truthy(lb.get("internal")) and lb.get("loadBalancerType", "application") == "application"
        for lb in stack.referring_to(group, (LOAD_BALANCER,), "securityGroups")
    )


def _world_ingress(
    cidrs: Iterable[Any],
    protocol: Any,
    from_port: Any,
    to_port: Any,
    groups: list[ResourceView],
    stack: StackView,
) -> Iterator[str]:
    world = [str(c) for c in cidrs if str(c) in WORLD]
    if not world:
        return
    web_port = str(protocol) in ("tcp", "6") and _num(from_port, -1) == _num(to_port, -2) in WEB_PORTS
    if web_port and groups and all(_fronts_public_load_balancer(g, stack) for g in groups):
        return
    ports = f"{protocol} {_num(from_port):.0f}-{_num(to_port):.0f}"
    yield (
        f"ingress {ports} from {', '.join(world)}:"
        " only 80/443 to an internet-facing load balancer may be open to the world"
    )


@rule(
    "no-world-ingress",
    "No security group ingress from 0.0.0.0/0 or ::/0, except 80/443 on internet-facing load balancers",
    types=(*SECURITY_GROUPS, SG_INGRESS_RULE, SG_RULE),
    needs_stack=True,
)
def _no_world_ingress(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type in SECURITY_GROUPS:
        for entry in _seq(r.get("ingress")):
            if isinstance(entry, Mapping):
                cidrs = _seq(entry.get("cidrBlocks")) + _seq(entry.get("ipv6CidrBlocks"))
                yield from _world_ingress(
                    cidrs, entry.get("protocol"), entry.get("fromPort"), entry.get("toPort"), [r], stack
                )
        return
    groups = stack.referred_by(r, "securityGroupId", SECURITY_GROUPS)
    if r.type == SG_INGRESS_RULE:
        cidrs = [r.get("cidrIpv4"), r.get("cidrIpv6")]
        yield from _world_ingress(
            cidrs, r.get("ipProtocol"), r.get("fromPort"), r.get("toPort"), groups, stack
        )
    elif r.get("type") == "ingress":
        cidrs = _seq(r.get("cidrBlocks")) + _seq(r.get("ipv6CidrBlocks"))
        yield from _world_ingress(cidrs, r.get("protocol"), r.get("fromPort"), r.get("toPort"), groups, stack)


@rule(
    "subnets-no-public-ip-on-launch",
    "Subnets do not hand out public IPs automatically",
    types=("aws:ec2/subnet:Subnet",),
)
def _subnets_no_public_ip(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _truthy(r.get("mapPublicIpOnLaunch")):
        yield "mapPublicIpOnLaunch must be false"


VPC = "aws:ec2/vpc:Vpc"
FLOW_LOG = "aws:ec2/flowLog:FlowLog"


@rule(
    "vpc-flow-logs",
    "Every VPC has flow logs of all traffic",
    types=(VPC,),
    needs_stack=True,
)
def _vpc_flow_logs(r: ResourceView, stack: StackView) -> Iterator[str]:
    logs = stack.referring_to(r, (FLOW_LOG,), "vpcId")
    if not any(log.get("trafficType") == "ALL" for log in logs):
        yield "needs an aws.ec2.FlowLog with trafficType ALL"
