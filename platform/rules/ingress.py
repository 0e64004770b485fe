"""Load balancers: only CloudFront reaches the application's origins, and a web ACL guards each."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from social_components.ingress.args import CLOUDFRONT_ORIGIN_FACING, CLOUDFRONT_ORIGIN_FACING_IDS
from social_platform.rulebook import ResourceView, StackView, _seq, _truthy, rule
from social_platform.rules.network import SECURITY_GROUPS, SG_INGRESS_RULE, SG_RULE

LOAD_BALANCERS = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
WEB_ACL_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"


def _sources(group: ResourceView, stack: StackView) -> Iterator[str]:
    """Every ingress source of a security group, inline or in separate rules: CIDRs, prefix lists
    (`pl-…`) and other groups (`sg:…`)."""
    for entry in _seq(group.get("ingress")):
        if isinstance(entry, Mapping):
            yield from map(str, _seq(entry.get("cidrBlocks")) + _seq(entry.get("ipv6CidrBlocks")))
            yield from map(str, _seq(entry.get("prefixListIds")))
            yield from (f"sg:{g}" for g in _seq(entry.get("securityGroups")))
            if _truthy(entry.get("self")):
                yield "sg:self"
    for r in stack.referring_to(group, (SG_INGRESS_RULE,), "securityGroupId"):
        for key in ("cidrIpv4", "cidrIpv6", "prefixListId"):
            if r.get(key):
                yield str(r.get(key))
        if r.get("referencedSecurityGroupId"):
            yield f"sg:{r.get('referencedSecurityGroupId')}"
    for r in stack.referring_to(group, (SG_RULE,), "securityGroupId"):
        if r.get("type") != "ingress":
            continue
        yield from map(str, _seq(r.get("cidrBlocks")) + _seq(r.get("ipv6CidrBlocks")))
        yield from map(str, _seq(r.get("prefixListIds")))
        if r.get("sourceSecurityGroupId"):
            yield f"sg:{r.get('sourceSecurityGroupId')}"
        if _truthy(r.get("self")):
            yield "sg:self"


@rule(
    "load-balancers-only-from-cloudfront",
    "No internet-facing load balancer unless only CloudFront can reach it (its security groups admit "
    f"nothing but {CLOUDFRONT_ORIGIN_FACING}) and a web ACL guards it",
    types=LOAD_BALANCERS,
    needs_stack=True,
)
def _only_from_cloudfront(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _truthy(r.get("internal")):
        return
    cloudfront = CLOUDFRONT_ORIGIN_FACING_IDS.get(r.region or "")
    groups = stack.referred_by(r, "securityGroups", SECURITY_GROUPS)
    if not groups:
        yield (
            "is internet-facing without a security group: anyone reaches it; make it internal "
            "(a CloudFront VPC origin)"
        )
        return
    for group in groups:
        others = sorted({s for s in _sources(group, stack) if s != cloudfront})
        if others:
            shown = ", ".join(others[:5])
            yield (
                f"is internet-facing and its security group {group.name} admits {shown}: only "
                f"{CLOUDFRONT_ORIGIN_FACING} ({cloudfront or 'unknown in this region'}) may reach it, "
                "or make it internal (a CloudFront VPC origin)"
            )
    if not stack.referring_to(r, (WEB_ACL_ASSOCIATION,), "resourceArn"):
        yield "is internet-facing without a web ACL (the web ACL checks CloudFront's secret origin header)"


@rule(
    "load-balancers-web-acl",
    "Every Application Load Balancer has a REGIONAL WAF web ACL",
    types=LOAD_BALANCERS,
    needs_stack=True,
)
def _web_acl(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.get("loadBalancerType", "application") != "application":
        return
    if not stack.referring_to(r, (WEB_ACL_ASSOCIATION,), "resourceArn"):
        yield "has no web ACL: associate the region's REGIONAL web ACL (aws.wafv2.WebAclAssociation)"
