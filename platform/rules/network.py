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


ROUTE53_RECORD = "aws:route53/record:Record"
ROUTE53_ZONE = "aws:route53/zone:Zone"


@rule(
    "route53-records-in-their-zone",
    "Every Route 53 record's name is the zone's name or below it (Route 53 rejects any other)",
    types=(ROUTE53_RECORD,),
    needs_stack=True,
)
def _route53_records_in_their_zone(r: ResourceView, stack: StackView) -> Iterator[str]:
    name = r.get("name")
    if not isinstance(name, str):
        return
    for zone in stack.referred_by(r, "zoneId", (ROUTE53_ZONE,)):
        zone_name = str(zone.get("name", "")).rstrip(".").lower()
        record = name.rstrip(".").lower()
        if zone_name and record != zone_name and not record.endswith("." + zone_name):
            yield f"{name!r} is not in zone {zone_name!r}"


ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_TABLE_ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
EXITS = {
    # route target input → what it leads to (inline routes use the same names, snake- or camelCase)
    "gatewayId": "an internet gateway",
    "natGatewayId": "a NAT gateway",
    "egressOnlyGatewayId": "an egress-only internet gateway",
    "carrierGatewayId": "a carrier gateway",
    "coreNetworkArn": "a Cloud WAN core network",
}


def _is_data_route_table(table: ResourceView, stack: StackView) -> bool:
    """A route table associated with a subnet tagged ``Tier=data``."""
    for association in stack.referring_to(table, (ROUTE_TABLE_ASSOCIATION,), "routeTableId"):
        subnets = stack.referred_by(association, "subnetId", ("aws:ec2/subnet:Subnet",))
        if any(s.get("tags.Tier") == "data" for s in subnets):
            return True
    return False


def _route_problems(where: str, route: Mapping[str, Any]) -> Iterator[str]:
    destination = route.get("destinationCidrBlock") or route.get("cidrBlock")
    destination6 = route.get("destinationIpv6CidrBlock") or route.get("ipv6CidrBlock")
    if destination in WORLD or destination6 in WORLD:
        yield f"{where}: a default route ({destination or destination6})"
    for target, what in EXITS.items():
        if route.get(target) and not (target == "gatewayId" and str(route[target]).startswith("vpce-")):
            yield f"{where}: a route to {what} ({route.get(target)})"


@rule(
    "data-route-tables-private",
    "Route tables of data subnets have only the VPC's local route: no default route (IPv4 or IPv6), "
    "no internet, NAT or egress-only gateway, no gateway endpoint (their network ACL admits the VPC only)",
    types=(ROUTE_TABLE,),
    needs_stack=True,
)
def _data_route_tables_private(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _is_data_route_table(r, stack):
        return
    for index, route in enumerate(_seq(r.get("routes")) + _seq(r.get("route"))):
        if isinstance(route, Mapping):
            yield from _route_problems(f"routes[{index}]", route)
    for route in stack.referring_to(r, (ROUTE,), "routeTableId"):
        yield from _route_problems(f"route {route.name}", route.props)
    for endpoint in stack.of_type(VPC_ENDPOINT):
        if endpoint.get("vpcEndpointType") == "Gateway" and endpoint.refers_to("routeTableIds", r):
            yield f"gateway endpoint {endpoint.name} routes to its service's public ranges"


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
