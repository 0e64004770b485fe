"""The edge components' own guards and policy documents, without Pulumi."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pytest

from social_components.dns import PublicZoneArgs
from social_components.dns.validation import validate_public_zone_args
from social_components.edge import EdgeArgs, GeoRestriction, LoggedBucket
from social_components.edge.component import (
    cloudfront_read,
    deny_insecure_transport,
    media_write_statements,
    web_publish_statements,
)
from social_components.edge.validation import validate_edge_args
from social_components.waf import MANAGED_RULE_GROUPS, WebAclArgs
from social_components.waf.validation import validate_web_acl_args

ZONE = "dev.example.com"
BUCKET = "arn:aws:s3:::acme-dev-web"
DISTRIBUTION = "arn:aws:cloudfront::222222222222:distribution/E2EXAMPLE"


class _Provider(pulumi.ProviderResource):
    """Stands in for an aws.Provider; validation never looks inside it."""

    def __init__(self) -> None:  # no registration: validation runs before anything is declared
        pass


def edge_args(**changes: Any) -> EdgeArgs:
    base = EdgeArgs(
        bucket_name_prefix="acme-dev-222222222222",
        zone_id="Z123",
        zone_name=ZONE,
        api_origin_domain=f"api-origin.{ZONE}",
        us_east_1_provider=_Provider(),
        waf_rate_limit=2000,
        log_retention_days=30,
    )
    return dataclasses.replace(base, **changes)


def test_valid_edge_args_pass_and_default_to_the_zone_apex() -> None:
    args = edge_args(api_regional_origins={"eu-west-1": f"api-euw1.{ZONE}"})
    validate_edge_args(args)
    assert args.domain_names == [ZONE]


BAD_EDGE_ARGS = [
    ({"bucket_name_prefix": "Acme_Dev"}, "bucket_name_prefix"),
    ({"bucket_name_prefix": "a" * 60}, "bucket_name_prefix"),
    ({"aliases": ("www.other.com",)}, "not in zone_name"),
    ({"aliases": (ZONE, ZONE)}, "distinct"),
    ({"aliases": tuple(f"h{i}.{ZONE}" for i in range(11))}, "1 to 10"),
    ({"api_origin_domain": ZONE}, "is an alias"),
    ({"api_origin_domain": "api.other.net", "api_regional_origins": {"eu-west-1": "a.b.net"}}, "must be in"),
    ({"api_regional_origins": {"Ireland": f"api.{ZONE}"}}, "not an AWS region"),
    ({"api_regional_origins": {"eu-west-1": "not a host"}}, "api_regional_origins['eu-west-1']"),
    ({"api_health_check_path": "healthz"}, "api_health_check_path"),
    ({"price_class": "PriceClass_Cheap"}, "price_class"),
    ({"minimum_tls_version": "TLSv1"}, "minimum_tls_version"),
    ({"content_security_policy": "a\nb"}, "one line"),
    ({"content_security_policy": "x" * 1784}, "1783"),
    ({"geo_restriction": GeoRestriction(mode="deny", countries=("Germany",))}, "alpha-2"),
    ({"log_retention_days": 10}, "log_retention_days"),
    ({"noncurrent_version_retention_days": 0}, "noncurrent_version_retention_days"),
    ({"waf_rate_limit": 5}, "waf_rate_limit"),
    ({"logged_buckets": {"media": LoggedBucket("other", "arn:aws:s3:::other")}}, "logged_buckets"),
    ({"logged_buckets": {"Recordings": LoggedBucket("rec", "arn:aws:s3:::rec")}}, "logged_buckets"),
]


@pytest.mark.parametrize(("changes", "words"), BAD_EDGE_ARGS, ids=[w for _, w in BAD_EDGE_ARGS])
def test_bad_edge_args_are_refused_naming_the_arg(changes: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words.replace("[", r"\[").replace("]", r"\]")):
        validate_edge_args(edge_args(**changes))


def test_zone_args_guard_names_and_delegation() -> None:
    validate_public_zone_args(PublicZoneArgs(domain_name=ZONE, parent_zone_id="Z1"))
    with pytest.raises(ValueError, match="domain_name"):
        validate_public_zone_args(PublicZoneArgs(domain_name="Dev.Example.com."))
    with pytest.raises(ValueError, match="parent_zone_provider: set only together with parent_zone_id"):
        validate_public_zone_args(PublicZoneArgs(domain_name=ZONE, parent_zone_provider=_Provider()))
    with pytest.raises(ValueError, match="delegation_ttl_seconds"):
        validate_public_zone_args(PublicZoneArgs(domain_name=ZONE, delegation_ttl_seconds=5))


def test_web_acl_args_guard_scope_limits_retention_and_header_names() -> None:
    good = WebAclArgs(scope="REGIONAL", rate_limit=500, log_retention_days=30)
    validate_web_acl_args(good)
    for changes, words in (
        ({"scope": "GLOBAL"}, "scope"),
        ({"rate_limit": 1}, "rate_limit"),
        ({"log_retention_days": 2}, "log_retention_days"),
        ({"redacted_headers": ("Authorization",)}, "lower case"),
    ):
        with pytest.raises(ValueError, match=words):
            validate_web_acl_args(dataclasses.replace(good, **changes))


def test_optional_rule_groups_keep_every_other_rule_priority() -> None:
    plain = WebAclArgs(scope="CLOUDFRONT", rate_limit=500, log_retention_days=30)
    full = dataclasses.replace(plain, enable_anonymous_ip_rules=True, enable_bot_control=True)
    assert set(full.rule_groups) - set(plain.rule_groups) == {"anonymous-ip", "bot-control"}
    priorities = [priority for priority, _ in MANAGED_RULE_GROUPS.values()]
    assert len(set(priorities)) == len(priorities)


def test_origin_bucket_statements_deny_insecure_transport_and_allow_one_distribution() -> None:
    denies = deny_insecure_transport(BUCKET)
    assert all(s["Effect"] == "Deny" and s["Principal"] == "*" for s in denies)
    read = cloudfront_read(BUCKET, DISTRIBUTION)
    assert read["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert read["Action"] == "s3:GetObject"
    assert read["Condition"] == {"StringEquals": {"AWS:SourceArn": DISTRIBUTION}}


def test_publish_grants_are_scoped_to_the_bucket_the_media_prefix_and_this_distribution() -> None:
    publish = web_publish_statements(BUCKET, DISTRIBUTION)
    actions = {a for s in publish for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert "cloudfront:CreateInvalidation" in actions and "s3:PutObject" in actions
    assert not any(a.endswith("*") for a in actions)
    invalidation = next(s for s in publish if "cloudfront:CreateInvalidation" in s["Action"])
    assert invalidation["Resource"] == DISTRIBUTION
    media = media_write_statements(BUCKET)
    assert media[0]["Condition"] == {"StringLike": {"s3:prefix": "media/*"}}
