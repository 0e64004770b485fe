"""The edge's config: tier defaults, prod locks, and one clear error per bad value."""

from __future__ import annotations

from typing import Any

from social_platform.config import edge_aliases, environment_zone_name

from .conftest import assert_config_error, bad_config_cases, load_with


def load(stack: str, **changes: Any) -> Any:
    """Load a stack's config after setting dotted keys, e.g. ``load("dev", **{"edge.aliases": [...]})``."""
    return load_with(stack, changes)


def test_tiers_pick_price_class_rate_limits_and_retention() -> None:
    dev, prod = load("dev").edge, load("prod").edge
    assert (dev.price_class, prod.price_class) == ("PriceClass_100", "PriceClass_All")
    assert prod.waf_rate_limit < dev.waf_rate_limit
    assert prod.regional_waf_rate_limit < dev.regional_waf_rate_limit
    assert (dev.log_retention_days, prod.log_retention_days) == (30, 365)
    assert (dev.noncurrent_version_retention_days, prod.noncurrent_version_retention_days) == (7, 90)
    assert not prod.enable_bot_control and not prod.enable_anonymous_ip_rules


def test_the_edge_is_on_in_environments_and_off_in_the_shared_stack() -> None:
    assert load("dev").edge.enabled and load("prod").edge.enabled
    assert not load("shared").edge.enabled


def test_each_environment_gets_its_own_zone_and_serves_its_apex_by_default() -> None:
    cfg = load("staging")
    assert environment_zone_name(cfg) == f"staging.{cfg.organization.domain}"
    assert edge_aliases(cfg) == [f"staging.{cfg.organization.domain}"]
    www = f"www.staging.{cfg.organization.domain}"
    assert edge_aliases(load("staging", **{"edge.aliases": [www]})) == [www]


BAD_EDGE_CONFIG = [
    # (description, stack, changes, key named in the error, words in the message)
    (
        "alias outside the environment zone",
        "dev",
        {"edge.aliases": ["www.social.example.com"]},
        "edge.aliases.0",
        "not in this environment's zone",
    ),
    (
        "alias of another environment",
        "dev",
        {"edge.aliases": ["prod.social.example.com"]},
        "edge.aliases.0",
        "'dev.social.example.com'",
    ),
    ("alias twice", "dev", {"edge.aliases": ["dev.social.example.com"] * 2}, "edge.aliases", "twice"),
    ("alias not a hostname", "dev", {"edge.aliases": ["Dev Site"]}, "edge.aliases.0", "pattern"),
    (
        "API origin is the distribution itself",
        "dev",
        {"edge.api_origin_domain": "dev.social.example.com"},
        "edge.api_origin_domain",
        "the origin must be the API's host",
    ),
    (
        "an external API origin while the stack runs its own load balancers",
        "prod",
        {"edge.api_origin_domain": "api.partner.example.net"},
        "edge.api_origin_domain",
        "unset one of them",
    ),
    (
        "no API origin at all",
        "dev",
        {"ingress.enabled": False},
        "ingress.enabled",
        "the edge needs an API origin",
    ),
    (
        "the API served from a region the stack does not have",
        "staging",
        {"ingress.serving_region": "eu-central-1"},
        "ingress.serving_region",
        "allowed: eu-west-1",
    ),
    ("ingress without the edge", "dev", {"edge.enabled": False}, "ingress.enabled", "only CloudFront"),
    ("ingress without a cluster", "dev", {"cluster.enabled": False}, "ingress.enabled", "cluster.enabled"),
    (
        "prod turns off load balancer deletion protection",
        "prod",
        {"ingress.deletion_protection": False},
        "ingress.deletion_protection",
        "prod safety default",
    ),
    (
        "idle timeout beyond what the ELB API accepts",
        "dev",
        {"ingress.idle_timeout_seconds": 4001},
        "ingress.idle_timeout_seconds",
        "4000",
    ),
    ("edge in the shared stack", "shared", {"edge.enabled": True}, "edge.enabled", "root DNS zone only"),
    (
        "prod keeps WAF and access logs too briefly",
        "prod",
        {"edge.log_retention_days": 90},
        "edge.log_retention_days",
        "365 days or more",
    ),
    (
        "prod keeps old media versions too briefly",
        "prod",
        {"edge.noncurrent_version_retention_days": 7},
        "edge.noncurrent_version_retention_days",
        "30 days or more",
    ),
    (
        "retention CloudWatch rejects",
        "dev",
        {"edge.log_retention_days": 10},
        "edge.log_retention_days",
        "allowed",
    ),
    ("TLS 1.0", "dev", {"edge.minimum_tls_version": "TLSv1"}, "edge.minimum_tls_version", "allowed"),
    (
        "country name instead of code",
        "dev",
        {"edge.geo_restriction": {"mode": "deny", "countries": ["Germany"]}},
        "edge.geo_restriction.countries.0",
        "pattern",
    ),
    (
        "geo restriction mode",
        "dev",
        {"edge.geo_restriction": {"mode": "block", "countries": ["DE"]}},
        "edge.geo_restriction.mode",
        "allowed",
    ),
    (
        "multi-line CSP",
        "dev",
        {"edge.content_security_policy": "default-src 'self';\nscript-src 'self'"},
        "edge.content_security_policy",
        "pattern",
    ),
    ("rate limit below WAF's floor", "dev", {"edge.waf_rate_limit": 50}, "edge.waf_rate_limit", "100"),
    ("unknown edge key", "dev", {"edge.cdn": "fastly"}, "edge.cdn", "unknown key"),
]


@bad_config_cases(BAD_EDGE_CONFIG)
def test_bad_edge_config_names_the_key_and_what_is_allowed(
    stack: str, changes: dict, key: str, words: str
) -> None:
    assert_config_error(stack, changes, key, words)


def test_good_edge_settings_load() -> None:
    cfg = load(
        "prod",
        **{
            "edge.aliases": ["prod.social.example.com", "www.prod.social.example.com"],
            "ingress.serving_region": "eu-central-1",
            "edge.geo_restriction": {"mode": "allow", "countries": ["DE", "FR"]},
            "edge.enable_bot_control": True,
        },
    )
    assert cfg.ingress.serving_region == "eu-central-1"
    assert cfg.edge.geo_restriction.countries == ["DE", "FR"]
