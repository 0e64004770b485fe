"""The edge: CloudFront TLS and WAF."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from social_platform.rulebook import ResourceView, StackView, _seq, _truthy, rule

DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
HTTPS_VIEWER_POLICIES = ("redirect-to-https", "https-only")
OLD_TLS = ("SSLv3", "TLSv1", "TLSv1.1")


@rule(
    "cloudfront-tls",
    "CloudFront serves HTTPS only with TLS 1.2 or newer, and talks TLS 1.2+ to its origins",
    types=(DISTRIBUTION,),
)
def _cloudfront_tls(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _truthy(r.get("viewerCertificate.cloudfrontDefaultCertificate")):
        yield "uses the default *.cloudfront.net certificate, which allows TLS 1.0: use an ACM certificate"
    elif not str(r.get("viewerCertificate.minimumProtocolVersion", "")).startswith(("TLSv1.2", "TLSv1.3")):
        yield "viewerCertificate.minimumProtocolVersion must be TLSv1.2_2021 or newer"
    behaviors = [("defaultCacheBehavior", r.get("defaultCacheBehavior"))] + [
        (f"orderedCacheBehaviors[{i}]", b) for i, b in enumerate(_seq(r.get("orderedCacheBehaviors")))
    ]
    for where, behavior in behaviors:
        if (
            isinstance(behavior, Mapping)
            and behavior.get("viewerProtocolPolicy") not in HTTPS_VIEWER_POLICIES
        ):
            yield f"{where}.viewerProtocolPolicy must be redirect-to-https or https-only"
    for i, origin in enumerate(_seq(r.get("origins"))):
        custom = origin.get("customOriginConfig") if isinstance(origin, Mapping) else None
        if not isinstance(custom, Mapping):
            continue
        if custom.get("originProtocolPolicy") != "https-only":
            yield f"origins[{i}].customOriginConfig.originProtocolPolicy must be https-only"
        old = sorted(set(map(str, _seq(custom.get("originSslProtocols")))) & set(OLD_TLS))
        if old:
            yield f"origins[{i}].customOriginConfig.originSslProtocols must not include {', '.join(old)}"


@rule(
    "cloudfront-waf",
    "Every CloudFront distribution has a WAF web ACL",
    types=(DISTRIBUTION,),
)
def _cloudfront_waf(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not r.get("webAclId"):
        yield "webAclId must name a WAF web ACL"


WEB_ACL = "aws:wafv2/webAcl:WebAcl"
KNOWN_BAD_INPUTS = "AWSManagedRulesKnownBadInputsRuleSet"


@rule(
    "waf-known-bad-inputs",
    "Every web ACL runs AWS's known-bad-inputs managed rule group (Log4j/Log4Shell, Java deserialization, "
    "localhost Host headers), not in count mode",
    types=(WEB_ACL,),
)
def _waf_known_bad_inputs(r: ResourceView, stack: StackView) -> Iterator[str]:
    for entry in _seq(r.get("rules")):
        if not isinstance(entry, Mapping):
            continue
        group = entry.get("statement", {}).get("managedRuleGroupStatement", {})
        if isinstance(group, Mapping) and group.get("name") == KNOWN_BAD_INPUTS:
            if isinstance(entry.get("overrideAction"), Mapping) and "count" in entry["overrideAction"]:
                yield f"{KNOWN_BAD_INPUTS} only counts (overrideAction count): let it block"
            return
    yield f"rules must include the managed rule group {KNOWN_BAD_INPUTS}"
