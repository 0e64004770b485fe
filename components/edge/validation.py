"""Checks on `EdgeArgs`, run before anything is declared."""

from __future__ import annotations

import re

from social_components.edge.args import EdgeArgs
from social_components.waf.validation import LOG_RETENTION_DAYS

_HOST = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_BUCKET_PREFIX = re.compile(r"^[a-z0-9][a-z0-9-]{1,55}$")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
_PATH = re.compile(r"^/[\w./-]{0,254}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_ROLE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
OWN_BUCKETS = ("web", "media", "logs")
"""The roles of the edge's own buckets (their access logs are under `s3-access/<role>/`)."""
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
TLS_POLICIES = ("TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025")


def in_zone(host: str, zone: str) -> bool:
    return host == zone or host.endswith(f".{zone}")


def _host(value: str, arg: str) -> None:
    if not _HOST.match(value):
        raise ValueError(
            f"{arg}: {value!r} is not allowed; use a lower-case DNS name without the trailing dot"
        )


def validate_edge_args(args: EdgeArgs) -> None:
    if not _BUCKET_PREFIX.match(args.bucket_name_prefix) or "--" in args.bucket_name_prefix:
        raise ValueError(
            f"bucket_name_prefix: {args.bucket_name_prefix!r} is not allowed; use 2 to 56 lower-case "
            "letters, digits and single hyphens (bucket names are `<prefix>-media` and so on)"
        )
    _host(args.zone_name, "zone_name")
    _host(args.api_origin_domain, "api_origin_domain")
    if args.api_vpc_origin_id is not None and args.api_regional_origins:
        raise ValueError(
            "api_regional_origins: a VPC origin is one load balancer; latency records cannot route "
            "to it (leave api_regional_origins unset with api_vpc_origin_id)"
        )
    names = args.domain_names
    for alias in names:
        _host(alias, "aliases")
        if not in_zone(alias, args.zone_name):
            raise ValueError(f"aliases: {alias!r} is not in zone_name {args.zone_name!r}")
    if len(set(names)) != len(names) or len(names) > 10:
        raise ValueError("aliases: list 1 to 10 distinct names (the certificate's limit)")
    if args.api_origin_domain in names:
        raise ValueError(
            f"api_origin_domain: {args.api_origin_domain!r} is an alias of this distribution; "
            "point it at the API's own host"
        )
    if args.api_regional_origins and not in_zone(args.api_origin_domain, args.zone_name):
        raise ValueError(
            f"api_origin_domain: {args.api_origin_domain!r} must be in zone_name {args.zone_name!r} "
            "when api_regional_origins are given (its latency records are created there)"
        )
    for region, host in args.api_regional_origins.items():
        if not _REGION.match(region):
            raise ValueError(f"api_regional_origins: {region!r} is not an AWS region name")
        _host(host, f"api_regional_origins[{region!r}]")
    if not _PATH.match(args.api_health_check_path):
        raise ValueError(
            f"api_health_check_path: {args.api_health_check_path!r} is not allowed; use a path like /healthz"
        )
    if args.price_class not in PRICE_CLASSES:
        raise ValueError(f"price_class: {args.price_class!r} is not allowed; use one of {PRICE_CLASSES}")
    if args.minimum_tls_version not in TLS_POLICIES:
        raise ValueError(
            f"minimum_tls_version: {args.minimum_tls_version!r} is not allowed; use one of {TLS_POLICIES}"
        )
    if not args.content_security_policy or len(args.content_security_policy) > 1783:
        raise ValueError("content_security_policy: use 1 to 1783 characters (CloudFront's limit)")
    if any(c in args.content_security_policy for c in "\r\n"):
        raise ValueError("content_security_policy: must be one line")
    if args.geo_restriction is not None:
        geo = args.geo_restriction
        if geo.mode not in ("allow", "deny"):
            raise ValueError(f"geo_restriction.mode: {geo.mode!r} is not allowed; use allow or deny")
        if not geo.countries or not all(_COUNTRY.match(c) for c in geo.countries):
            raise ValueError("geo_restriction.countries: list ISO 3166-1 alpha-2 codes, such as DE")
    if args.log_retention_days not in LOG_RETENTION_DAYS:
        raise ValueError(
            f"log_retention_days: {args.log_retention_days} is not allowed; use one of "
            + ", ".join(map(str, LOG_RETENTION_DAYS))
        )
    if not 1 <= args.noncurrent_version_retention_days <= 3650:
        raise ValueError(
            f"noncurrent_version_retention_days: {args.noncurrent_version_retention_days} is not "
            "allowed; use 1 to 3650"
        )
    for role in args.logged_buckets:
        if not _ROLE.match(role) or role in OWN_BUCKETS:
            raise ValueError(
                f"logged_buckets: {role!r} is not allowed; name the bucket's role in lower-case letters, "
                f"digits and hyphens (up to 31), other than the edge's own {', '.join(OWN_BUCKETS)}"
            )
    if not 10 <= args.waf_rate_limit <= 2_000_000_000:
        raise ValueError(f"waf_rate_limit: {args.waf_rate_limit} is not allowed; use 10 to 2000000000")
