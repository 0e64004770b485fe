"""The edge: DNS zones and delegation, CloudFront, WAF, S3 origins and certificates, per tier."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from social_platform import stackfiles
from social_platform.mocks import SHARED_STACK_OUTPUTS
from social_platform.render import RenderedResource, RenderedStack, render

from .conftest import ENVIRONMENTS, assert_config_error, load_with, raw_config

DOMAIN = raw_config("dev")["organization"]["domain"]
ACCOUNTS = {name: account["id"] for name, account in raw_config("dev")["accounts"].items()}
CLOUDFRONT_HOSTED_ZONE = "Z2FDTNDATAQYW2"
US_EAST_1_TYPES = {
    "aws:acm/certificate:Certificate",
    "aws:acm/certificateValidation:CertificateValidation",
    "aws:cloudwatch/logDeliverySource:LogDeliverySource",
    "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
    "aws:cloudwatch/logDelivery:LogDelivery",
}
"""Besides the CLOUDFRONT web ACL: CloudFront reads its certificate from us-east-1, and its
standard logs (v2) are configured there."""
MANAGED_GROUPS = {
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesSQLiRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
}
TIER_PRICE_CLASS = {"dev": "PriceClass_100", "staging": "PriceClass_100", "prod": "PriceClass_All"}
TIER_RATE_LIMITS = {"dev": (2000, 1000), "staging": (2000, 1000), "prod": (1000, 500)}
TIER_NONCURRENT_DAYS = {"dev": 7, "staging": 30, "prod": 90}
TIER_LOG_DAYS = {"dev": 30, "staging": 90, "prod": 365}


# ---------------------------------------------------------------------------------------------
# Helpers


def edge_of(stack: RenderedStack) -> RenderedResource:
    (edge,) = stack.components("social:edge:Edge")
    return edge


def in_edge(stack: RenderedStack, type_: str) -> list[RenderedResource]:
    return [r for r in stack.descendants(edge_of(stack)) if r.type == type_]


def waf_log_groups(stack: RenderedStack) -> list[RenderedResource]:
    """The WAF log groups (the stack has other log groups: flow logs, chat logs …)."""
    groups = {
        g.urn: g
        for acl in stack.components("social:waf:WebAcl")
        for g in stack.descendants(acl)
        if g.type == "aws:cloudwatch/logGroup:LogGroup"
    }
    return list(groups.values())


def one(stack: RenderedStack, type_: str) -> RenderedResource:
    (found,) = in_edge(stack, type_)
    return found


def bucket(stack: RenderedStack, role: str) -> RenderedResource:
    return stack.named(f"edge-{role}", "aws:s3/bucket:Bucket")


def bucket_arn(resource: RenderedResource) -> str:
    return f"arn:aws:s3:::{resource.inputs['bucket']}"


def for_bucket(stack: RenderedStack, type_: str, role: str) -> list[RenderedResource]:
    """Sub-resources (policy, encryption …) of one bucket; they reference it by its ID."""
    return [r for r in stack.of_type(type_) if r.inputs.get("bucket") == bucket(stack, role).id]


def policy(stack: RenderedStack, role: str) -> list[dict[str, Any]]:
    (found,) = for_bucket(stack, "aws:s3/bucketPolicy:BucketPolicy", role)
    return json.loads(found.inputs["policy"])["Statement"]


def distribution(stack: RenderedStack) -> dict[str, Any]:
    return one(stack, "aws:cloudfront/distribution:Distribution").inputs


def distribution_arn(stack: RenderedStack) -> str:
    """The distribution's ARN, as CloudFront's log source names it (outputs are not inputs)."""
    return one(stack, "aws:cloudwatch/logDeliverySource:LogDeliverySource").inputs["resourceArn"]


def web_acls(stack: RenderedStack, scope: str) -> list[RenderedResource]:
    return [r for r in stack.of_type("aws:wafv2/webAcl:WebAcl") if r.inputs["scope"] == scope]


def behaviours(stack: RenderedStack) -> dict[str, dict[str, Any]]:
    dist = distribution(stack)
    return {
        "default": dist["defaultCacheBehavior"],
        **{b["pathPattern"]: b for b in dist.get("orderedCacheBehaviors", [])},
    }


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> RenderedStack:
    """dev without a shared stack, with every optional edge feature turned on."""
    folder: Path = tmp_path_factory.mktemp("edge-variant")
    (folder / "Pulumi.yaml").write_text((stackfiles.PROJECT_ROOT / "Pulumi.yaml").read_text())
    stack = yaml.safe_load(stackfiles.stack_file("dev").read_text())
    config = stack["config"]
    del config["social-platform:shared_stack"]
    config["social-platform:edge"] = {
        "enable_anonymous_ip_rules": True,
        "enable_bot_control": True,
        "geo_restriction": {"mode": "deny", "countries": ["KP", "IR"]},
        "aliases": [f"dev.{DOMAIN}", f"www.dev.{DOMAIN}"],
        "api_origin_domain": "api.partner.example.net",
        "content_security_policy": "default-src 'self' https://cdn.example.net",
    }
    config["social-platform:ingress"] = {"enabled": False}
    (folder / "Pulumi.dev.yaml").write_text(yaml.safe_dump(stack))
    return render("dev", project_dir=folder)


# ---------------------------------------------------------------------------------------------
# DNS


def test_the_shared_stack_owns_the_protected_root_zone_and_exports_its_id(rendered: dict) -> None:
    shared = rendered["shared"]
    (zone,) = shared.of_type("aws:route53/zone:Zone")
    assert zone.inputs["name"] == DOMAIN
    assert zone.account == ACCOUNTS["shared"]
    assert zone.protect and zone.retain_on_delete
    assert shared.outputs["root_zone_id"].startswith("Z")
    assert shared.components("social:edge:Edge") == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_environment_owns_its_zone_in_its_own_account(rendered: dict, env: str) -> None:
    stack = rendered[env]
    (zone,) = stack.of_type("aws:route53/zone:Zone")
    assert zone.inputs["name"] == f"{env}.{DOMAIN}"
    assert zone.account == ACCOUNTS[env]
    assert zone.protect is (env == "prod")
    assert stack.outputs["zone_name"] == f"{env}.{DOMAIN}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_root_zone_delegates_to_each_environment_through_the_shared_account(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    ns_records = [r for r in stack.of_type("aws:route53/record:Record") if r.inputs["type"] == "NS"]
    (delegation,) = ns_records
    assert delegation.account == ACCOUNTS["shared"]
    assert delegation.inputs["zoneId"] == SHARED_STACK_OUTPUTS["root_zone_id"]
    assert delegation.inputs["name"] == f"{env}.{DOMAIN}"
    assert delegation.inputs["records"] == stack.outputs["zone_name_servers"]
    assert len(delegation.inputs["records"]) == 4
    assert delegation.protect is (env == "prod")


def test_without_a_shared_stack_the_zone_stands_alone(variant: RenderedStack) -> None:
    assert variant.of_type("pulumi:pulumi:StackReference") == []
    assert [r.inputs["type"] for r in variant.of_type("aws:route53/record:Record")].count("NS") == 0
    assert variant.outputs["zone_name"] == f"dev.{DOMAIN}"
    assert {r.account for r in variant if r.is_aws} == {ACCOUNTS["dev"]}


# ---------------------------------------------------------------------------------------------
# Buckets


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_no_bucket_allows_public_access(rendered: dict, env: str) -> None:
    stack = rendered[env]
    buckets = in_edge(stack, "aws:s3/bucket:Bucket")
    # prod also keeps a replica of the media bucket in its second region (edge.media_replica)
    replica = {"edge-media-replica"} if env == "prod" else set()
    assert {b.name for b in buckets} == {"edge-web", "edge-media", "edge-logs", *replica}
    for b in buckets:
        role = b.name.removeprefix("edge-")
        assert not {"acl", "grants", "website", "policy"} & set(b.inputs), b.name
        (block,) = for_bucket(stack, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", role)
        for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
            assert block.inputs[setting] is True, (b.name, setting)
        (ownership,) = for_bucket(stack, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", role)
        assert ownership.inputs["rule"]["objectOwnership"] == "BucketOwnerEnforced"
        (encryption,) = for_bucket(
            stack,
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
            role,
        )
        (rule,) = encryption.inputs["rules"]
        # SSE-S3 for what CloudFront and S3 logging write and read (ADR 0003); the replica has its own key
        expected = "aws:kms" if b.name in replica else "AES256"
        assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == expected


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_origin_bucket_grants_reads_only_to_this_distribution(rendered: dict, env: str) -> None:
    stack = rendered[env]
    dist_arn = distribution_arn(stack)
    assert dist_arn.startswith(f"arn:aws:cloudfront::{ACCOUNTS[env]}:distribution/")
    for role in ("web", "media"):
        allows = [s for s in policy(stack, role) if s["Effect"] == "Allow"]
        assert allows == [
            {
                "Sid": "AllowThisDistributionToRead",
                "Effect": "Allow",
                "Principal": {"Service": "cloudfront.amazonaws.com"},
                "Action": "s3:GetObject",
                "Resource": f"{bucket_arn(bucket(stack, role))}/*",
                "Condition": {"StringEquals": {"AWS:SourceArn": dist_arn}},
            }
        ], role
    origins = {o["originId"]: o for o in distribution(stack)["origins"]}
    (oac,) = in_edge(stack, "aws:cloudfront/originAccessControl:OriginAccessControl")
    for role in ("web", "media"):
        assert origins[role]["originAccessControlId"] == oac.id
        assert origins[role]["domainName"].startswith(f"{bucket(stack, role).inputs['bucket']}.s3.")
    assert oac.inputs["signingBehavior"] == "always" and oac.inputs["originAccessControlOriginType"] == "s3"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_log_bucket_takes_writes_from_log_delivery_only_and_grants_no_reads(
    rendered: dict, env: str
) -> None:
    statements = policy(rendered[env], "logs")
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert {s["Principal"]["Service"] for s in allows} == {
        "logging.s3.amazonaws.com",
        "delivery.logs.amazonaws.com",
    }
    for statement in allows:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        assert "s3:GetObject" not in actions and "s3:*" not in actions
        assert statement["Condition"]["StringEquals"]["aws:SourceAccount"] == ACCOUNTS[env]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_bucket_policy_refuses_plain_http_and_old_tls(rendered: dict, env: str) -> None:
    for role in ("web", "media", "logs"):
        denies = [s for s in policy(rendered[env], role) if s["Effect"] == "Deny"]
        conditions = [s["Condition"] for s in denies]
        assert {"Bool": {"aws:SecureTransport": "false"}} in conditions, role
        assert {"NumericLessThan": {"s3:TlsVersion": "1.2"}} in conditions, role
        arn = bucket_arn(bucket(rendered[env], role))
        assert all(s["Principal"] == "*" and s["Resource"] == [arn, f"{arn}/*"] for s in denies)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_media_is_versioned_tiered_and_old_versions_expire_by_tier(rendered: dict, env: str) -> None:
    stack = rendered[env]
    for role in ("web", "media"):
        (versioning,) = for_bucket(stack, "aws:s3/bucketVersioning:BucketVersioning", role)
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
    (lifecycle,) = for_bucket(
        stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "media"
    )
    rules = {rule["id"]: rule for rule in lifecycle.inputs["rules"]}
    expiry = rules["expire-noncurrent-versions"]
    assert expiry["noncurrentVersionExpiration"]["noncurrentDays"] == TIER_NONCURRENT_DAYS[env]
    assert expiry["abortIncompleteMultipartUpload"]["daysAfterInitiation"] > 0
    assert rules["intelligent-tiering"]["transitions"] == [{"storageClass": "INTELLIGENT_TIERING", "days": 0}]
    (log_lifecycle,) = for_bucket(
        stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "logs"
    )
    assert log_lifecycle.inputs["rules"][0]["expiration"]["days"] == TIER_LOG_DAYS[env]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_origin_buckets_log_their_access_to_the_log_bucket(rendered: dict, env: str) -> None:
    stack = rendered[env]
    for role in ("web", "media"):
        (logging,) = for_bucket(stack, "aws:s3/bucketLogging:BucketLogging", role)
        assert logging.inputs["targetBucket"] == bucket(stack, "logs").id
        assert logging.inputs["targetPrefix"] == f"s3-access/{role}/"
        # The log bucket's policy first, or AWS would append its own statements to it.
        (logs_policy,) = for_bucket(stack, "aws:s3/bucketPolicy:BucketPolicy", "logs")
        assert logs_policy.urn in logging.depends_on


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_recordings_bucket_logs_its_access_to_the_edge_log_bucket_too(rendered: dict, env: str) -> None:
    """Recordings are user data like the media: S3 delivers their server access logs to the edge's
    log bucket (same account and region), whose policy admits them as a source."""
    stack = rendered[env]
    recordings = stack.named("streaming-recordings", "aws:s3/bucket:Bucket")
    (logging,) = [
        r for r in stack.of_type("aws:s3/bucketLogging:BucketLogging") if r.inputs["bucket"] == recordings.id
    ]
    assert logging.inputs["targetBucket"] == bucket(stack, "logs").id
    assert (recordings.account, recordings.region) == (
        bucket(stack, "logs").account,
        bucket(stack, "logs").region,
    )
    (admits,) = [
        s for s in policy(stack, "logs") if s["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    ]
    assert recordings.arn in admits["Condition"]["ArnLike"]["aws:SourceArn"]
    assert admits["Resource"].endswith("/s3-access/*") and logging.inputs["targetPrefix"].startswith(
        "s3-access/"
    )


def test_streaming_without_the_edge_is_refused_while_the_security_baseline_is_on() -> None:
    without_edge = {"edge.enabled": False, "ingress.enabled": False}
    assert_config_error("dev", without_edge, "streaming.enabled", "needs edge.enabled")
    # Without the baseline nothing asks for the recordings' access logs: the same stack loads.
    assert not load_with("dev", {**without_edge, "security.enabled": False}).edge.enabled


def test_prod_keeps_its_buckets_and_waf_logs_and_dev_does_not(rendered: dict) -> None:
    for env, protected in (("prod", True), ("dev", False)):
        stack = rendered[env]
        keep = [*in_edge(stack, "aws:s3/bucket:Bucket"), *waf_log_groups(stack)]
        replicas = 1 if env == "prod" else 0  # the media replica in prod's second region
        assert len(keep) == 3 + replicas + 1 + len(stack.outputs["regions"])
        assert all(r.protect is protected and r.retain_on_delete is protected for r in keep), env
        assert all(r.inputs.get("forceDestroy") is False for r in in_edge(stack, "aws:s3/bucket:Bucket"))


# ---------------------------------------------------------------------------------------------
# The distribution


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_distribution_has_the_waf_https_modern_tls_and_security_headers(rendered: dict, env: str) -> None:
    stack = rendered[env]
    dist = distribution(stack)
    (cloudfront_acl,) = web_acls(stack, "CLOUDFRONT")
    assert dist["webAclId"] == stack.outputs["cloudfront_web_acl_arn"]
    assert dist["webAclId"].startswith("arn:aws:wafv2:us-east-1:") and ":global/webacl/" in dist["webAclId"]
    assert cloudfront_acl.region == "us-east-1"

    policies = {b["viewerProtocolPolicy"] for b in behaviours(stack).values()}
    assert behaviours(stack)["default"]["viewerProtocolPolicy"] == "redirect-to-https"
    assert policies <= {"redirect-to-https", "https-only"}

    certificate = dist["viewerCertificate"]
    assert certificate["minimumProtocolVersion"] in ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")
    assert certificate["sslSupportMethod"] == "sni-only"
    assert certificate["acmCertificateArn"] == stack.outputs["certificate_arn"]
    assert "cloudfrontDefaultCertificate" not in certificate

    (headers,) = in_edge(stack, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    security = headers.inputs["securityHeadersConfig"]
    hsts = security["strictTransportSecurity"]
    assert hsts["accessControlMaxAgeSec"] >= 31_536_000 and hsts["includeSubdomains"] and hsts["override"]
    assert security["contentTypeOptions"]["override"] is True
    assert security["frameOptions"]["frameOption"] == "DENY"
    assert security["referrerPolicy"]["referrerPolicy"] == "strict-origin-when-cross-origin"
    assert "frame-ancestors 'none'" in security["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert {b["responseHeadersPolicyId"] for b in behaviours(stack).values()} == {headers.id}

    assert dist["httpVersion"] == "http2and3" and dist["isIpv6Enabled"] is True and dist["enabled"] is True
    assert all(b["compress"] for b in behaviours(stack).values())
    assert dist["priceClass"] == TIER_PRICE_CLASS[env]
    assert dist["restrictions"]["geoRestriction"]["restrictionType"] == "none"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_distribution_logs_to_the_log_bucket(rendered: dict, env: str) -> None:
    stack = rendered[env]
    source = one(stack, "aws:cloudwatch/logDeliverySource:LogDeliverySource")
    destination = one(stack, "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination")
    delivery = one(stack, "aws:cloudwatch/logDelivery:LogDelivery")
    assert source.inputs["logType"] == "ACCESS_LOGS"
    assert source.inputs["resourceArn"] == distribution_arn(stack)
    assert destination.inputs["deliveryDestinationConfiguration"]["destinationResourceArn"] == bucket_arn(
        bucket(stack, "logs")
    )
    assert delivery.inputs["deliverySourceName"] == source.name
    assert delivery.inputs["deliveryDestinationArn"].endswith(destination.name)
    (logs_policy,) = for_bucket(stack, "aws:s3/bucketPolicy:BucketPolicy", "logs")
    assert logs_policy.urn in delivery.depends_on
    assert "loggingConfig" not in distribution(stack)  # legacy logging would need ACLs on the bucket


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_paths_route_to_the_app_the_media_and_the_api(rendered: dict, env: str) -> None:
    stack = rendered[env]
    routes = behaviours(stack)
    assert set(routes) == {"default", "/api/*", "/media/*"}
    assert routes["default"]["targetOriginId"] == "web"
    # prod serves media through an origin group: the media bucket, then its replica (edge.media_replica)
    assert routes["/media/*"]["targetOriginId"] == ("media-failover" if env == "prod" else "media")

    api = routes["/api/*"]
    assert api["targetOriginId"] == "api"
    assert api["cachePolicyId"] == "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"  # Managed-CachingDisabled
    assert api["originRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # AllViewerExceptHostHeader
    assert {"POST", "PUT", "PATCH", "DELETE"} <= set(api["allowedMethods"])
    # The API origin is the serving region's internal load balancer, through its VPC origin.
    origin = next(o for o in distribution(stack)["origins"] if o["originId"] == "api")
    assert origin["domainName"] == stack.outputs["api_origin_domain"] == f"api-euw1.{env}.{DOMAIN}"
    assert "customOriginConfig" not in origin
    (vpc_origin,) = [
        v
        for v in stack.of_type("aws:cloudfront/vpcOrigin:VpcOrigin")
        if v.id == origin["vpcOriginConfig"]["vpcOriginId"]
    ]
    assert vpc_origin.region == "eu-west-1"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_deep_links_serve_the_single_page_app_without_masking_api_errors(rendered: dict, env: str) -> None:
    stack = rendered[env]
    function = one(stack, "aws:cloudfront/function:Function")
    assert function.inputs["runtime"] == "cloudfront-js-2.0" and function.inputs["publish"] is True
    assert "request.uri = '/index.html'" in function.inputs["code"]
    routes = behaviours(stack)
    (association,) = routes["default"]["functionAssociations"]
    assert association["eventType"] == "viewer-request"
    assert association["functionArn"].endswith(f"function/{function.name}")
    assert all("functionAssociations" not in routes[path] for path in ("/api/*", "/media/*"))
    # Error-page rewriting would turn the API's 403/404 into index.html: not used.
    assert "customErrorResponses" not in distribution(stack)
    assert distribution(stack)["defaultRootObject"] == "index.html"


# ---------------------------------------------------------------------------------------------
# Certificate and DNS records


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_certificate_covers_the_aliases_and_is_validated_in_the_environment_zone(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    aliases = distribution(stack)["aliases"]
    assert aliases == stack.outputs["web_domain_names"] == [f"{env}.{DOMAIN}"]
    certificate = one(stack, "aws:acm/certificate:Certificate")
    assert [
        certificate.inputs["domainName"],
        *certificate.inputs.get("subjectAlternativeNames", []),
    ] == aliases
    assert certificate.inputs["validationMethod"] == "DNS"
    zone_id = stack.outputs["zone_id"]
    validations = [r for r in in_edge(stack, "aws:route53/record:Record") if "validation" in r.name]
    assert len(validations) == len(aliases)
    assert all(r.inputs["zoneId"] == zone_id and r.inputs["type"] == "CNAME" for r in validations)
    (validation,) = in_edge(stack, "aws:acm/certificateValidation:CertificateValidation")
    assert sorted(validation.inputs["validationRecordFqdns"]) == sorted(
        r.inputs["name"].rstrip(".") for r in validations
    )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_each_alias_has_a_and_aaaa_records_to_cloudfront(rendered: dict, env: str) -> None:
    stack = rendered[env]
    alias_records = [r for r in in_edge(stack, "aws:route53/record:Record") if r.inputs.get("aliases")]
    assert sorted((r.inputs["name"], r.inputs["type"]) for r in alias_records) == sorted(
        (host, kind) for host in stack.outputs["web_domain_names"] for kind in ("A", "AAAA")
    )
    for record in alias_records:
        (target,) = record.inputs["aliases"]
        assert target["zoneId"] == CLOUDFRONT_HOSTED_ZONE
        assert target["name"] == stack.outputs["distribution_domain_name"]
        assert record.inputs["zoneId"] == stack.outputs["zone_id"]


def test_no_stack_publishes_api_latency_records_or_health_checks_for_hosts_nothing_serves(
    rendered: dict,
) -> None:
    # The API origin is a VPC origin: DNS does not route to it (docs/adr/0010). The only latency
    # records are the realtime API's ws. name, served in each region by its own API Gateway domain.
    for env in ENVIRONMENTS:
        stack = rendered[env]
        records = stack.of_type("aws:route53/record:Record")
        latency = [r for r in records if r.inputs.get("latencyRoutingPolicies")]
        assert all(r.inputs["name"].startswith("ws.") for r in latency), [r.inputs["name"] for r in latency]
        assert stack.of_type("aws:route53/healthCheck:HealthCheck") == []


# ---------------------------------------------------------------------------------------------
# WAF


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_both_web_acls_have_the_managed_rule_groups_and_the_rate_rule(rendered: dict, env: str) -> None:
    stack = rendered[env]
    cloudfront_limit, regional_limit = TIER_RATE_LIMITS[env]
    acls = [(acl, cloudfront_limit) for acl in web_acls(stack, "CLOUDFRONT")] + [
        (acl, regional_limit) for acl in web_acls(stack, "REGIONAL")
    ]
    assert len(acls) == 1 + len(stack.outputs["regions"])
    for acl, limit in acls:
        assert acl.inputs["defaultAction"] == {"allow": {}}
        rules = acl.inputs["rules"]
        groups = {
            r["statement"]["managedRuleGroupStatement"]["name"]
            for r in rules
            if "managedRuleGroupStatement" in r["statement"]
        }
        assert groups == MANAGED_GROUPS, acl.name
        (rate,) = [r for r in rules if "rateBasedStatement" in r["statement"]]
        assert rate["statement"]["rateBasedStatement"] == {
            "aggregateKeyType": "IP",
            "limit": limit,
            "evaluationWindowSec": 300,
        }
        assert rate["action"] == {"block": {}}
        assert len({r["priority"] for r in rules}) == len(rules)
        assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in rules)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_waf_logs_go_to_aws_waf_logs_groups_with_credentials_redacted(rendered: dict, env: str) -> None:
    stack = rendered[env]
    acls = stack.of_type("aws:wafv2/webAcl:WebAcl")
    configs = stack.of_type("aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration")
    groups = {g.region: g for g in waf_log_groups(stack)}
    assert len(configs) == len(acls) == len(groups)
    for config in configs:
        redacted = {field["singleHeader"]["name"] for field in config.inputs["redactedFields"]}
        assert redacted >= {"authorization", "cookie"}
        (destination,) = config.inputs["logDestinationConfigs"]
        group = groups[config.region]
        assert destination.endswith(f":log-group:{group.inputs['name']}")
        assert group.inputs["name"].startswith("aws-waf-logs-")
        assert group.inputs["retentionInDays"] == TIER_LOG_DAYS[env]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_a_regional_web_acl_per_region_is_exported_for_load_balancers_and_cognito(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    regional = web_acls(stack, "REGIONAL")
    assert sorted(r.region for r in regional) == sorted(stack.outputs["regions"])
    exported = stack.outputs["regional_web_acl_arns"]
    assert set(exported) == set(stack.outputs["regions"])
    assert all(
        f"arn:aws:wafv2:{region}:{ACCOUNTS[env]}:regional/webacl/" in arn for region, arn in exported.items()
    )


def test_optional_rule_groups_geo_restriction_and_aliases_follow_config(variant: RenderedStack) -> None:
    for acl in variant.of_type("aws:wafv2/webAcl:WebAcl"):
        statements = [r["statement"].get("managedRuleGroupStatement", {}) for r in acl.inputs["rules"]]
        groups = {s.get("name") for s in statements} - {None}
        assert groups == MANAGED_GROUPS | {
            "AWSManagedRulesAnonymousIpList",
            "AWSManagedRulesBotControlRuleSet",
        }
        bot = next(s for s in statements if s.get("name") == "AWSManagedRulesBotControlRuleSet")
        assert (
            bot["managedRuleGroupConfigs"][0]["awsManagedRulesBotControlRuleSet"]["inspectionLevel"]
            == "COMMON"
        )
    dist = distribution(variant)
    assert dist["restrictions"]["geoRestriction"] == {
        "restrictionType": "blacklist",
        "locations": ["IR", "KP"],
    }
    assert dist["aliases"] == [f"dev.{DOMAIN}", f"www.dev.{DOMAIN}"]
    certificate = one(variant, "aws:acm/certificate:Certificate")
    assert certificate.inputs["subjectAlternativeNames"] == [f"www.dev.{DOMAIN}"]
    assert len([r for r in in_edge(variant, "aws:route53/record:Record") if r.inputs.get("aliases")]) == 4
    # An origin run elsewhere is used as is, over HTTPS; this stack then runs no load balancer.
    assert variant.outputs["api_origin_domain"] == "api.partner.example.net"
    origin = next(o for o in dist["origins"] if o["originId"] == "api")
    assert origin["domainName"] == "api.partner.example.net"
    assert origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    assert origin["customOriginConfig"]["originSslProtocols"] == ["TLSv1.2"]
    assert variant.of_type("aws:lb/loadBalancer:LoadBalancer") == []
    (headers,) = in_edge(variant, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    csp = headers.inputs["securityHeadersConfig"]["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert csp == "default-src 'self' https://cdn.example.net"


# ---------------------------------------------------------------------------------------------
# Providers and outputs


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_certificate_and_cloudfront_waf_use_us_east_1_and_the_rest_the_stack_region(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    primary = stack.outputs["regions"][0]
    assert primary != "us-east-1"  # otherwise this test could not tell the providers apart
    (cloudfront_waf,) = [c for c in stack.children(edge_of(stack)) if c.type == "social:waf:WebAcl"]
    waf_resources = {r.urn for r in stack.descendants(cloudfront_waf) if r.custom}
    assert {r.type for r in stack.descendants(cloudfront_waf) if r.custom} == {
        "aws:wafv2/webAcl:WebAcl",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:kms/key:Key",  # the log group's key lives beside it, in us-east-1
        "aws:kms/alias:Alias",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
    }
    placed = [r for r in stack.descendants(edge_of(stack)) if r.custom]
    assert {r.type for r in placed} >= US_EAST_1_TYPES
    for resource in placed:
        assert resource.account == ACCOUNTS[env], resource.name
        expected = (
            "us-east-1" if resource.urn in waf_resources or resource.type in US_EAST_1_TYPES else primary
        )
        if resource.name.startswith("edge-media-replica") and not resource.name.startswith(
            "edge-media-replication"
        ):
            expected = stack.outputs["regions"][1]  # prod's media replica lives in its second region
        assert resource.region == expected, (resource.name, resource.region)
    regional = [c for c in stack.components("social:waf:WebAcl") if c.parent != edge_of(stack).urn]
    assert len(regional) == len(stack.outputs["regions"])
    for acl in regional:
        regions = {r.region for r in stack.descendants(acl) if r.custom}
        assert len(regions) == 1 and regions <= set(stack.outputs["regions"]), acl.name


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_outputs_name_what_application_teams_need(rendered: dict, env: str) -> None:
    outputs = rendered[env].outputs
    for key in (
        "distribution_id",
        "distribution_domain_name",
        "web_bucket_name",
        "media_bucket_name",
        "cloudfront_web_acl_arn",
        "regional_web_acl_arns",
        "zone_id",
        "certificate_arn",
    ):
        assert outputs.get(key), key
    assert outputs["certificate_arn"].startswith(f"arn:aws:acm:us-east-1:{ACCOUNTS[env]}:certificate/")
    assert outputs["media_bucket_name"] == f"social-{env}-{ACCOUNTS[env]}-media"


# ---------------------------------------------------------------------------------------------
# Content-Security-Policy: what the browser may reach


COGNITO_API = "https://cognito-idp.{region}.amazonaws.com"
"""Cognito user pools' API endpoint (AWS General Reference), called by sign-in SDKs."""
IVS_CHAT = "wss://edge.ivschat.{region}.amazonaws.com"
"""IVS Chat's messaging endpoint (IVS Chat Messaging API Reference), a WebSocket."""


def csp_sources(csp: str, directive: str) -> list[str]:
    for part in csp.split(";"):
        name, *values = part.split()
        if name == directive:
            return values
    return []


def origin_of(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def source_allows(source: str, url: str) -> bool:
    import fnmatch

    return "://" in source and fnmatch.fnmatchcase(origin_of(url), source)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_csp_lets_the_app_reach_every_endpoint_the_platform_gives_it_and_nothing_else(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    out = stack.outputs
    (headers,) = in_edge(stack, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
    csp = headers.inputs["securityHeadersConfig"]["contentSecurityPolicy"]["contentSecurityPolicy"]
    connect = csp_sources(csp, "connect-src")
    (pool, *_) = stack.of_type("aws:cognito/userPool:UserPool")
    given = [f"https://{name}" for name in out["web_domain_names"]]
    given += [out["identity"]["domain"], COGNITO_API.format(region=pool.region)]
    media: list[str] = []
    if out.get("streaming"):
        media = [c["playback_url"] for c in out["streaming"]["channels"].values()]
        (room, *_) = stack.of_type("aws:ivschat/room:Room")
        given += [*media, IVS_CHAT.format(region=room.region)]
    for url in given:
        assert any(source_allows(s, url) for s in connect), f"connect-src blocks {url}"
    for url in media:
        assert any(source_allows(s, url) for s in csp_sources(csp, "media-src")), f"media-src blocks {url}"
    for source in connect:
        assert source == "'self'" or any(source_allows(source, url) for url in given), (
            f"{source} is not needed"
        )
