"""The API's origin: in every region an internal ALB that only CloudFront reaches (a VPC origin),
guarded by the region's web ACL, HTTPS only, logging to S3 in its region; `/api/*` goes to the
serving region's. Expectations come from AWS (botocore's elbv2 model, the published ID of CloudFront's
origin-facing prefix list per region), not from the component."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
import pytest

from social_components.ingress import IngressArgs
from social_components.ingress.validation import validate_ingress_args
from social_platform.render import RenderedResource, RenderedStack

from .conftest import ENVIRONMENTS, raw_config

DOMAIN = raw_config("dev")["organization"]["domain"]
CLOUDFRONT_ORIGIN_FACING = {"eu-west-1": "pl-4fa04526", "eu-central-1": "pl-a3a144ca"}
"""`com.amazonaws.global.cloudfront.origin-facing` per region, as AWS publishes it."""
LB, SG = "aws:lb/loadBalancer:LoadBalancer", "aws:ec2/securityGroup:SecurityGroup"
SG_IN, SG_OUT = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
)


def _elbv2_attribute_doc(key: str) -> str:
    doc = botocore.session.get_session().get_service_model("elbv2").shape_for("LoadBalancerAttribute")
    text = re.sub(r"<[^>]+>", "", doc.members["Key"].documentation)
    return text[text.index(key) :].split(" - ", 1)[1][:300]


def balancers(stack: RenderedStack) -> dict[str, RenderedResource]:
    found = {b.region: b for b in stack.of_type(LB)}
    assert len(found) == len(stack.of_type(LB)), "one load balancer per region"
    return found  # type: ignore[return-value]


def group_of(stack: RenderedStack, balancer: RenderedResource) -> RenderedResource:
    (group_id,) = balancer.inputs["securityGroups"]
    return stack.by_id(group_id)


def rules_of(stack: RenderedStack, type_: str, group: RenderedResource) -> list[RenderedResource]:
    return [r for r in stack.of_type(type_) if r.inputs.get("securityGroupId") == group.id]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_region_has_one_internal_application_load_balancer_in_private_subnets(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    found = balancers(stack)
    assert sorted(found) == sorted(stack.outputs["regions"])
    for region, balancer in found.items():
        assert balancer.inputs["loadBalancerType"] == "application"
        assert balancer.inputs["internal"] is True, region
        private = stack.outputs["networks"][region]["private_subnet_ids"]
        assert balancer.inputs["subnets"] == private and len(private) >= 2
        assert balancer.inputs["dropInvalidHeaderFields"] is True
    # Nothing else serves the application: no ingress-nginx, no network load balancer.
    assert not [r for r in stack if "ingress-nginx" in r.name]
    assert all(b.inputs["loadBalancerType"] == "application" for b in stack.of_type(LB))


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_cloudfront_reaches_a_load_balancer_and_it_reaches_only_the_pods(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    nodes = {region: c["node_security_group_id"] for region, c in stack.outputs["clusters"].items()}
    for region, balancer in balancers(stack).items():
        group = group_of(stack, balancer)
        assert not group.inputs.get("ingress") and not group.inputs.get("egress")
        ingress = rules_of(stack, SG_IN, group)
        assert {(r.inputs["prefixListId"], r.inputs["fromPort"]) for r in ingress} == {
            (CLOUDFRONT_ORIGIN_FACING[region], 443),
            (CLOUDFRONT_ORIGIN_FACING[region], 80),
        }
        assert all(not r.inputs.get("cidrIpv4") and not r.inputs.get("cidrIpv6") for r in ingress)
        (egress,) = rules_of(stack, SG_OUT, group)
        assert egress.inputs["referencedSecurityGroupId"] == nodes[region]
        port = egress.inputs["fromPort"]
        # ... and the nodes admit the load balancer on that port.
        admitted = [
            r
            for r in stack.of_type(SG_IN)
            if r.inputs.get("securityGroupId") == nodes[region]
            and r.inputs.get("referencedSecurityGroupId") == group.id
        ]
        assert [(r.inputs["fromPort"], r.inputs["toPort"]) for r in admitted] == [(port, port)]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_https_with_a_regional_certificate_and_http_only_redirects(rendered: dict, env: str) -> None:
    stack = rendered[env]
    for region, balancer in balancers(stack).items():
        listeners = {
            listener.inputs["port"]: listener
            for listener in stack.of_type("aws:lb/listener:Listener")
            if listener.inputs["loadBalancerArn"] == balancer.arn
        }
        assert set(listeners) == {80, 443}
        https, http = listeners[443], listeners[80]
        assert https.inputs["protocol"] == "HTTPS"
        assert https.inputs["sslPolicy"].startswith("ELBSecurityPolicy-TLS13-")
        (certificate,) = [
            c
            for c in stack.of_type("aws:acm/certificate:Certificate")
            if c.region == region and https.inputs["certificateArn"] == c.arn
        ]
        code = {"eu-west-1": "euw1", "eu-central-1": "euc1"}[region]
        assert certificate.inputs["domainName"] == f"api-{code}.{env}.{DOMAIN}"
        (forward,) = https.inputs["defaultActions"]
        target_group = next(
            t for t in stack.of_type("aws:lb/targetGroup:TargetGroup") if t.arn == forward["targetGroupArn"]
        )
        assert target_group.inputs["targetType"] == "ip"  # pods, registered by a TargetGroupBinding
        assert stack.outputs["ingress"][region]["target_group_arn"] == target_group.arn
        (redirect,) = http.inputs["defaultActions"]
        assert redirect["type"] == "redirect"
        assert (
            redirect["redirect"]["protocol"] == "HTTPS" and redirect["redirect"]["statusCode"] == "HTTP_301"
        )


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_access_logs_go_to_a_bucket_in_the_balancers_region_that_elb_may_write(
    rendered: dict, env: str
) -> None:
    # botocore: "The bucket must exist in the same region as the load balancer and have a bucket
    # policy that grants Elastic Load Balancing permissions to write to the bucket."
    assert "same region as the load balancer" in _elbv2_attribute_doc("access_logs.s3.bucket")
    stack = rendered[env]
    for region, balancer in balancers(stack).items():
        logs = balancer.inputs["accessLogs"]
        assert logs["enabled"] is True
        (bucket,) = [
            b for b in stack.of_type("aws:s3/bucket:Bucket") if b.arn == f"arn:aws:s3:::{logs['bucket']}"
        ]
        assert bucket.region == region
        (policy,) = [
            p for p in stack.of_type("aws:s3/bucketPolicy:BucketPolicy") if p.inputs["bucket"] == bucket.id
        ]
        statements = json.loads(policy.inputs["policy"])["Statement"]
        writes = [s for s in statements if s["Effect"] == "Allow"]
        assert [s["Action"] for s in writes] == ["s3:PutObject"]
        assert writes[0]["Resource"].startswith(f"{bucket.arn}/{logs['prefix']}/AWSLogs/")


def test_prod_load_balancers_are_protected_from_deletion_and_dev_ones_are_not(rendered: dict) -> None:
    for env, expected in (("prod", True), ("dev", False)):
        for balancer in balancers(rendered[env]).values():
            assert balancer.inputs["enableDeletionProtection"] is expected, env
            assert balancer.protect is expected, env


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_idle_timeout_holds_websockets_within_what_elb_accepts(rendered: dict, env: str) -> None:
    low, high = map(
        int,
        re.search(
            r"range is (\d+)-(\d+) seconds", _elbv2_attribute_doc("idle_timeout.timeout_seconds")
        ).groups(),
    )  # type: ignore[union-attr]
    for balancer in balancers(rendered[env]).values():
        # Chat and live events keep WebSockets open between messages: minutes, not the default 60 s.
        assert 300 <= balancer.inputs["idleTimeout"] <= high and low <= 300


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_cloudfront_reaches_each_balancer_through_a_vpc_origin_over_tls_12(rendered: dict, env: str) -> None:
    stack = rendered[env]
    origins = stack.of_type("aws:cloudfront/vpcOrigin:VpcOrigin")
    for balancer in balancers(stack).values():
        (origin,) = [o for o in origins if o.inputs["vpcOriginEndpointConfig"]["arn"] == balancer.arn]
        config = origin.inputs["vpcOriginEndpointConfig"]
        assert config["originProtocolPolicy"] == "https-only"
        assert config["originSslProtocols"]["items"] == ["TLSv1.2"]
    # The distribution's API origin is the serving region's (the primary unless config says otherwise).
    (distribution,) = stack.of_type("aws:cloudfront/distribution:Distribution")
    (api,) = [o for o in distribution.inputs["origins"] if o["originId"] == "api"]
    serving = stack.outputs["api_serving_region"]
    assert serving == stack.outputs["regions"][0]
    (served,) = [o for o in origins if o.id == api["vpcOriginConfig"]["vpcOriginId"]]
    assert served.inputs["vpcOriginEndpointConfig"]["arn"] == balancers(stack)[serving].arn
    assert api["domainName"] == stack.outputs["ingress"][serving]["origin_domain"]


# ---------------------------------------------------------------------------------------------
# The component's checks, without Pulumi


def _args(**changes: Any) -> IngressArgs:
    base: dict[str, Any] = {
        "vpc_id": "vpc-1",
        "subnet_ids": ("subnet-a", "subnet-b"),
        "zone_id": "Z1",
        "domain_name": f"api-euw1.dev.{DOMAIN}",
    }
    return IngressArgs(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"idle_timeout_seconds": 4001}, "idle_timeout_seconds"),
        ({"idle_timeout_seconds": 0}, "idle_timeout_seconds"),
        ({"subnet_ids": ("subnet-a",)}, "two zones"),
        ({"domain_name": "API.example.com"}, "domain_name"),
        ({"ssl_policy": "ELBSecurityPolicy-2016-08"}, "TLS13"),
        ({"target_port": 70000}, "target_port"),
        ({"health_check_path": "healthz"}, "health_check_path"),
    ],
)
def test_bad_ingress_args_are_refused_naming_the_field(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        validate_ingress_args(_args(**changes))
    validate_ingress_args(_args())
