"""`diagram <stack>`: the stack's architecture as a Mermaid flowchart, drawn from its render.

Boxes nest as the render places resources: account → region → VPC → subnet tier (public, private,
data, read from the subnets' `Tier` tags) → the resources that matter for the picture, with the
edge (CloudFront, its WAF, DNS) in a global box. Arrows are relationships the render declares:
security-group ingress between resources (with the port), CloudFront's origins and web ACL, the
regional web ACLs' associations, DNS records, the global database's replication, IVS recordings,
the CI roles GitLab assumes and the shared stack an environment reads. Nothing is drawn from
config or by hand, so the picture changes when the program does (GitLab and GitHub render Mermaid).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from social_platform import stackfiles
from social_platform.errors import ConfigError
from social_platform.preview import config_error_text
from social_platform.render import RenderedResource, RenderedStack, render

GLOBAL = "global"
TIERS = ("public", "private", "data")


@dataclass
class Node:
    id: str
    label: str
    account: str | None
    region: str  # GLOBAL for the edge and DNS
    tier: str | None = None  # a subnet tier inside the region's VPC
    vpc: str | None = None
    shape: str = "box"


@dataclass
class Picture:
    stack: str
    nodes: dict[str, Node] = field(default_factory=dict)
    """By id."""
    owner: dict[str, str] = field(default_factory=dict)
    """Resource URN → node id (several resources can share a node)."""
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    vpcs: dict[str, tuple[str, str]] = field(default_factory=dict)
    """VPC resource id → (name, CIDR)."""

    def add(self, resource: RenderedResource | None, node: Node) -> Node:
        existing = self.nodes.setdefault(node.id, node)
        if resource is not None:
            self.owner[resource.urn] = existing.id
        return existing

    def node_of(self, resource: RenderedResource | None) -> str | None:
        return self.owner.get(resource.urn) if resource else None

    def link(self, source: str | None, target: str | None, label: str) -> None:
        if source and target and source != target:
            self.edges.add((source, target, label))


def _slug(*parts: str | None) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", "_".join(p for p in parts if p)).strip("_")


def _label(text: str) -> str:
    return text.replace('"', "'")


class Drawing:
    """Reads one rendered stack into a `Picture`."""

    def __init__(self, stack: RenderedStack) -> None:
        self.stack = stack
        self.picture = Picture(stack.stack)
        self.by_id = {r.id: r for r in stack}
        self.by_arn = {r.arn: r for r in stack if r.arn}
        self.subnet_tier = {
            r.id: (r.inputs.get("tags") or {}).get("Tier") for r in stack.of_type("aws:ec2/subnet:Subnet")
        }
        self.subnet_vpc = {r.id: r.inputs.get("vpcId") for r in stack.of_type("aws:ec2/subnet:Subnet")}
        self.subnet_groups = {
            r.inputs.get("name"): r.inputs.get("subnetIds", [])
            for r in stack.of_type(
                "aws:rds/subnetGroup:SubnetGroup", "aws:elasticache/subnetGroup:SubnetGroup"
            )
        }

    # placement -------------------------------------------------------------------------------

    def region_of(self, resource: RenderedResource) -> str:
        return self.stack.placement(resource)[1] or GLOBAL

    def account_of(self, resource: RenderedResource) -> str | None:
        return self.stack.placement(resource)[0]

    def subnets(self, resource: RenderedResource) -> list[str]:
        inputs = resource.inputs
        for key in ("subnetIds", "vpcSubnetIds", "vpcZoneIdentifiers", "privateSubnetIds", "subnets"):
            if inputs.get(key):
                return list(inputs[key])
        for key in ("dbSubnetGroupName", "subnetGroupName"):
            if inputs.get(key) in self.subnet_groups:
                return list(self.subnet_groups[inputs[key]])
        return []

    def in_vpc(self, resource: RenderedResource, node_id: str, label: str, tier: str | None = None) -> Node:
        subnets = self.subnets(resource)
        tiers = {tier for s in subnets if (tier := self.subnet_tier.get(s))}
        vpc = next((self.subnet_vpc[s] for s in subnets if s in self.subnet_vpc), None)
        return self.picture.add(
            resource,
            Node(
                node_id,
                label,
                self.account_of(resource),
                self.region_of(resource),
                tier or (next(iter(tiers)) if len(tiers) == 1 else None),
                vpc,
            ),
        )

    def regional(self, resource: RenderedResource, node_id: str, label: str, shape: str = "box") -> Node:
        return self.picture.add(
            resource, Node(node_id, label, self.account_of(resource), self.region_of(resource), shape=shape)
        )

    def edge_node(self, resource: RenderedResource, node_id: str, label: str, shape: str = "box") -> Node:
        return self.picture.add(
            resource, Node(node_id, label, self.account_of(resource), GLOBAL, shape=shape)
        )

    # nodes -----------------------------------------------------------------------------------

    def draw(self) -> Picture:
        p = self.picture
        s = self.stack
        for vpc in s.of_type("aws:ec2/vpc:Vpc"):
            p.vpcs[vpc.id] = (vpc.name.removesuffix("-vpc"), vpc.inputs.get("cidrBlock", ""))
        for cluster in s.of_type("eks:index:Cluster"):
            self.in_vpc(cluster, _slug(cluster.name), f"EKS {cluster.name.removesuffix('-eks')}")
        for group in s.of_type("aws:eks/nodeGroup:NodeGroup"):
            size = group.inputs.get("scalingConfig", {}).get("desiredSize", 0)
            types = ", ".join(group.inputs.get("instanceTypes", []))
            node = self.in_vpc(group, _slug(group.name), f"system nodes {size:g} x {types}")
            template = self.by_id.get(group.inputs.get("launchTemplate", {}).get("id", ""))
            if template:
                p.owner[template.urn] = node.id
        for pool in s.of_type("kubernetes:karpenter.sh/v1:NodePool"):
            clusters = [
                n for n in p.nodes.values() if n.label.startswith("EKS") and n.region == self.region_of(pool)
            ]
            p.add(
                pool,
                Node(
                    _slug(pool.name),
                    f"Karpenter pool {pool.inputs['metadata']['name']}",
                    self.account_of(pool),
                    self.region_of(pool),
                    "private",
                    clusters[0].vpc if clusters else None,
                ),
            )
        self.delivery()
        self.aggregate("aws:ec2/natGateway:NatGateway", "NAT gateway", "public")
        self.aggregate("aws:ec2/vpcEndpoint:VpcEndpoint", "VPC endpoints", None)
        for db in s.of_type("aws:rds/cluster:Cluster"):
            self.in_vpc(
                db, _slug(db.name), f"Aurora PostgreSQL {db.inputs.get('clusterIdentifier', db.name)}"
            )
        for proxy in s.of_type("aws:rds/proxy:Proxy"):
            self.in_vpc(proxy, _slug(proxy.name), "RDS Proxy")
        for balancer in s.of_type("aws:lb/loadBalancer:LoadBalancer"):
            reach = "internal" if balancer.inputs.get("internal") else "internet-facing"
            self.in_vpc(balancer, _slug(balancer.name), f"ALB {balancer.name.removesuffix('-alb')} ({reach})")
        for cache in s.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
            nodes = cache.inputs.get("numCacheClusters", 1)
            self.in_vpc(cache, _slug(cache.name), f"Valkey {nodes:g} x {cache.inputs.get('nodeType')}")
        for asg in s.of_type("aws:autoscaling/group:Group"):
            kind = "manager" if asg.name.endswith("manager") else "workers"
            self.in_vpc(asg, _slug(asg.name), f"GitLab runner {kind}")
        for pool in s.of_type("aws:cognito/userPool:UserPool"):
            self.regional(pool, _slug(pool.name), f"Cognito {pool.name}")
        for channel in s.of_type("aws:ivs/channel:Channel"):
            self.regional(channel, _slug(channel.name), f"IVS {channel.name} ({channel.inputs.get('type')})")
        for room in s.of_type("aws:ivschat/room:Room"):
            self.regional(room, _slug(room.name), f"IVS chat {room.name}")
        for queue in s.of_type("aws:sqs/queue:Queue"):
            self.regional(queue, _slug(queue.name), f"SQS {queue.name}")
        for bucket in s.of_type("aws:s3/bucket:Bucket"):
            self.regional(bucket, _slug(bucket.name), f"S3 {bucket.name}", "cylinder")
        for acl in s.of_type("aws:wafv2/webAcl:WebAcl"):
            if acl.inputs.get("scope") == "CLOUDFRONT":
                self.edge_node(acl, _slug(acl.name), f"WAF {acl.name}")
            else:
                self.regional(acl, _slug(acl.name), f"WAF {acl.name}")
        for distribution in s.of_type("aws:cloudfront/distribution:Distribution"):
            self.edge_node(distribution, _slug(distribution.name), "CloudFront")
        for zone in s.of_type("aws:route53/zone:Zone"):
            self.edge_node(zone, _slug(zone.name), f"Route 53 {zone.inputs.get('name')}", "cylinder")
        checks = s.of_type("aws:route53/healthCheck:HealthCheck")
        for check in checks:
            self.edge_node(check, "health_checks", f"health checks x{len(checks)}")
        ci_roles = [
            r for r in s.of_type("aws:iam/role:Role") if self.component(r) == "social:ci_roles:CiRoles"
        ]
        for role in ci_roles:
            p.add(
                role,
                Node(_slug("ci_roles", role.account), "CI roles (preview, deploy)", role.account, GLOBAL),
            )
        for reference in s.of_type("pulumi:pulumi:StackReference"):
            p.add(
                reference,
                Node(
                    _slug("stack", reference.name), f"stack {reference.name}", None, GLOBAL, shape="stadium"
                ),
            )
        if ci_roles or s.of_type("aws:autoscaling/group:Group"):
            p.add(None, Node("gitlab", "GitLab (OIDC, jobs)", None, GLOBAL, shape="stadium"))
        self.link_all()
        return p

    def component(self, resource: RenderedResource) -> str | None:
        parent = resource.parent
        while parent:
            owner = self.stack.resources[parent]
            if owner.type.startswith("social:"):
                return owner.type
            parent = owner.parent
        return None

    def aggregate(self, type_: str, what: str, tier: str | None) -> None:
        groups: dict[tuple[str | None, str], list[RenderedResource]] = defaultdict(list)
        for resource in self.stack.of_type(type_):
            groups[
                (resource.inputs.get("vpcId") or self._vpc_of_subnet(resource), self.region_of(resource))
            ].append(resource)
        for (vpc, region), members in sorted(groups.items(), key=str):
            if type_.endswith("VpcEndpoint"):
                services = sorted(m.inputs.get("serviceName", "").split(f"{region}.", 1)[-1] for m in members)
                label = f"{what}: {', '.join(services)}"
            else:
                label = f"{what} x{len(members)}"
            node = Node(_slug(what, vpc), label, self.account_of(members[0]), region, tier or "private", vpc)
            for member in members:
                self.picture.add(member, node)

    def delivery(self) -> None:
        """The path from an image to the pods: each region's ECR repositories, and Argo CD in the
        clusters that run it (beside its cluster, which it syncs)."""
        p = self.picture
        repositories: dict[tuple[str | None, str | None], list[RenderedResource]] = defaultdict(list)
        for repository in self.stack.of_type("aws:ecr/repository:Repository"):
            repositories[(self.account_of(repository), self.region_of(repository))].append(repository)
        for (account, region), members in sorted(repositories.items(), key=str):
            names = sorted(m.name.rsplit("-registry-", 1)[-1] for m in members)
            node = Node(_slug("ECR", account, region), f"ECR: {', '.join(names)}", account, region or GLOBAL)
            for member in members:
                p.add(member, node)
        clusters = {c.name.removesuffix("-eks"): c for c in self.stack.of_type("eks:index:Cluster")}
        for chart in self.stack.of_type("kubernetes:helm.sh/v4:Chart"):
            cluster = clusters.get(chart.name.removesuffix("-argo-cd-chart"))
            eks = p.nodes.get(p.node_of(cluster) or "")
            if chart.inputs.get("chart") != "argo-cd" or eks is None:
                continue
            p.add(
                chart,
                Node(_slug(chart.name), "Argo CD (app-of-apps)", eks.account, eks.region, eks.tier, eks.vpc),
            )

    def _vpc_of_subnet(self, resource: RenderedResource) -> str | None:
        subnet = resource.inputs.get("subnetId")
        return self.subnet_vpc.get(subnet) if subnet else None

    # edges -----------------------------------------------------------------------------------

    def link_delivery(self) -> None:
        """Nodes pull from their region's ECR; Argo CD syncs its cluster and, where the migration
        role is, runs the PreSync migration through the region's RDS Proxy (IAM, one user)."""
        p = self.picture
        s = self.stack
        pools = s.of_type("kubernetes:karpenter.sh/v1:NodePool")
        for repository in s.of_type("aws:ecr/repository:Repository"):
            for pool in pools:
                target = p.nodes.get(p.node_of(pool) or "")
                if target is not None and target.region == self.region_of(repository):
                    p.link(p.node_of(repository), target.id, "image pull")
        migration_regions = {self.stack.placement(m)[1] for m in s.components("social:migrations:Migrations")}
        for chart in s.of_type("kubernetes:helm.sh/v4:Chart"):
            argocd = p.nodes.get(p.node_of(chart) or "")
            if chart.inputs.get("chart") != "argo-cd" or argocd is None:
                continue
            cluster = next(
                (
                    c
                    for c in s.of_type("eks:index:Cluster")
                    if chart.name.startswith(c.name.removesuffix("-eks"))
                ),
                None,
            )
            p.link(argocd.id, p.node_of(cluster), "syncs the app-of-apps")
            if argocd.region in migration_regions:
                for proxy in s.of_type("aws:rds/proxy:Proxy"):
                    if proxy.region == argocd.region:
                        p.link(argocd.id, p.node_of(proxy), "PreSync migration (IAM, migrator)")

    def owner_of_security_group(self, group_id: str) -> str | None:
        for resource in self.stack:
            inputs = resource.inputs
            ids = [
                *(inputs.get("vpcSecurityGroupIds") or []),
                *(inputs.get("securityGroupIds") or []),
                *(inputs.get("securityGroups") or []),
            ]
            if group_id in ids and resource.urn in self.picture.owner:
                return self.picture.owner[resource.urn]
        return None

    def link_all(self) -> None:
        p = self.picture
        s = self.stack
        for rule in s.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"):
            source = rule.inputs.get("referencedSecurityGroupId")
            if not source:
                continue
            port = rule.inputs.get("fromPort")
            p.link(
                self.owner_of_security_group(source),
                self.owner_of_security_group(rule.inputs["securityGroupId"]),
                f"{rule.inputs.get('ipProtocol', 'tcp')} {port:g}" if port is not None else "",
            )
        clusters = [p.node_of(c) for c in s.of_type("eks:index:Cluster")]
        buckets = {b.inputs.get("bucket") or b.name: b for b in s.of_type("aws:s3/bucket:Bucket")}
        for distribution in s.of_type("aws:cloudfront/distribution:Distribution"):
            cf = p.node_of(distribution)
            for origin in distribution.inputs.get("origins", []):
                domain = origin.get("domainName", "")
                # An S3 origin's domain is `<bucket>.s3.<region>.amazonaws.com`: match the whole name
                # (`…-media` is a prefix of `…-media-replica`).
                bucket = next(
                    (b for name, b in buckets.items() if name and domain.startswith(f"{name}.")), None
                )
                if bucket is not None:
                    p.link(cf, p.node_of(bucket), origin.get("originId", ""))
                elif not origin.get("vpcOriginConfig"):
                    for cluster in clusters:
                        p.link(cf, cluster, f"{origin.get('originId', 'origin')} (public origin)")
            # VPC origins: the one the distribution uses serves; the others stand by (docs/adr/0010).
            used = {
                o.get("vpcOriginConfig", {}).get("vpcOriginId")
                for o in distribution.inputs.get("origins", [])
            }
            for vpc_origin in s.of_type("aws:cloudfront/vpcOrigin:VpcOrigin"):
                target = self.by_arn.get(vpc_origin.inputs.get("vpcOriginEndpointConfig", {}).get("arn", ""))
                label = "api (VPC origin)" if vpc_origin.id in used else "standby VPC origin"
                p.link(cf, p.node_of(target), label)
            acl = next(
                (
                    a
                    for a in s.of_type("aws:wafv2/webAcl:WebAcl")
                    if a.name in str(distribution.inputs.get("webAclId"))
                ),
                None,
            )
            p.link(p.node_of(acl), cf, "filters")
        self.link_delivery()
        for association in s.of_type("aws:wafv2/webAclAssociation:WebAclAssociation"):
            acl = next(
                (
                    a
                    for a in s.of_type("aws:wafv2/webAcl:WebAcl")
                    if f"/{a.name}/" in association.inputs.get("webAclArn", "")
                ),
                None,
            )
            arn = association.inputs.get("resourceArn", "")
            target = self.by_arn.get(arn) or self.by_id.get(arn.rsplit("/", 1)[-1])
            p.link(p.node_of(acl), p.node_of(target), "filters")
        for record in s.of_type("aws:route53/record:Record"):
            zone = next((p.node_of(z) for z in s.of_type("aws:route53/zone:Zone")), None)
            if record.inputs.get("aliases") and any(
                "cloudfront" in a.get("name", "") for a in record.inputs["aliases"]
            ):
                for distribution in s.of_type("aws:cloudfront/distribution:Distribution"):
                    p.link(zone, p.node_of(distribution), "alias")
            if record.inputs.get("type") == "NS":
                for reference in s.of_type("pulumi:pulumi:StackReference"):
                    p.link(p.node_of(reference), zone, "NS delegation")
            if record.inputs.get("latencyRoutingPolicies") and record.inputs.get("healthCheckId"):
                p.link(zone, "health_checks", "latency records")
        for db in s.of_type("aws:rds/cluster:Cluster"):
            global_cluster = self.by_id.get(db.inputs.get("globalClusterIdentifier", ""))
            if global_cluster and self.region_of(global_cluster) != self.region_of(db):
                primary = next(
                    (
                        d
                        for d in s.of_type("aws:rds/cluster:Cluster")
                        if self.region_of(d) == self.region_of(global_cluster)
                    ),
                    None,
                )
                p.link(p.node_of(primary), p.node_of(db), "global database")
        for channel in s.of_type("aws:ivs/channel:Channel"):
            config = next(
                (
                    c
                    for c in s.of_type("aws:ivs/recordingConfiguration:RecordingConfiguration")
                    if c.id.removeprefix("recordingconfiguration-")
                    in channel.inputs.get("recordingConfigurationArn", "")
                    or channel.inputs.get("recordingConfigurationArn")
                ),
                None,
            )
            if config:
                name = config.inputs.get("destinationConfiguration", {}).get("s3", {}).get("bucketName", "")
                p.link(
                    p.node_of(channel), p.node_of(buckets.get(name) or self._bucket_named(name)), "recordings"
                )
        for node in p.nodes.values():
            if node.id.startswith("ci_roles"):
                p.link("gitlab", node.id, "assumes (OIDC)")
            if node.label == "GitLab runner manager":
                p.link(node.id, "gitlab", "polls jobs")

    def _bucket_named(self, name: str) -> RenderedResource | None:
        return next((b for b in self.stack.of_type("aws:s3/bucket:Bucket") if b.name == name), None)


def draw(stack: RenderedStack) -> Picture:
    return Drawing(stack).draw()


_SHAPES = {"box": '["{}"]', "cylinder": '[("{}")]', "stadium": '(["{}"])'}


def mermaid(stack: RenderedStack) -> str:
    """The picture as Mermaid flowchart text (stable: sorted, ids from resource names)."""
    picture = draw(stack)

    def node_line(node: Node, indent: str) -> str:
        return indent + node.id + _SHAPES[node.shape].format(_label(node.label))

    lines = ["flowchart LR"]
    outside = sorted((n for n in picture.nodes.values() if n.account is None), key=lambda n: n.id)
    lines += [node_line(n, "  ") for n in outside]
    accounts = sorted({n.account for n in picture.nodes.values() if n.account})
    for account in accounts:
        lines.append(f'  subgraph {_slug("account", account)}["account {account} · stack {picture.stack}"]')
        mine = [n for n in picture.nodes.values() if n.account == account]
        for region in sorted({n.region for n in mine}, key=lambda r: (r != GLOBAL, r)):
            title = "global: edge, DNS, CI" if region == GLOBAL else region
            lines.append(f'    subgraph {_slug("in", account, region)}["{title}"]')
            here = [n for n in mine if n.region == region]
            for vpc in sorted({n.vpc for n in here if n.vpc}):
                name, cidr = picture.vpcs.get(vpc, (vpc, ""))
                lines.append(f'      subgraph {_slug(vpc)}["VPC {name} {cidr}"]')
                for tier in TIERS:
                    tiered = sorted((n for n in here if n.vpc == vpc and n.tier == tier), key=lambda n: n.id)
                    if tiered:
                        lines.append(f'        subgraph {_slug(vpc, tier)}["{tier} subnets"]')
                        lines += [node_line(n, "          ") for n in tiered]
                        lines.append("        end")
                lines += [
                    node_line(n, "        ")
                    for n in sorted(here, key=lambda n: n.id)
                    if n.vpc == vpc and n.tier not in TIERS
                ]
                lines.append("      end")
            lines += [node_line(n, "      ") for n in sorted(here, key=lambda n: n.id) if not n.vpc]
            lines.append("    end")
        lines.append("  end")
    for source, target, label in sorted(picture.edges):
        arrow = f'-->|"{_label(label)}"|' if label else "-->"
        lines.append(f"  {source} {arrow} {target}")
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- BEGIN prod architecture (diagram prod --markdown; tests/test_diagram.py) -->"
README_END = "<!-- END prod architecture -->"


def readme_section(stack: RenderedStack) -> str:
    return f"{README_BEGIN}\n```mermaid\n{mermaid(stack)}```\n{README_END}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="diagram", description="Draw a stack's architecture from its offline render (Mermaid)."
    )
    parser.add_argument("stack", help=f"stack name ({', '.join(stackfiles.stack_names())})")
    parser.add_argument("--markdown", action="store_true", help="wrap it as the README's section")
    parser.add_argument("-o", "--output", type=Path, help="write to FILE instead of printing")
    args = parser.parse_args(argv)
    try:
        rendered = render(args.stack)
    except ConfigError as exc:
        print(f"error: {config_error_text(args.stack, exc)}", file=sys.stderr)
        return 2
    text = readme_section(rendered) + "\n" if args.markdown else mermaid(rendered)
    if args.output:
        args.output.write_text(text)
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
