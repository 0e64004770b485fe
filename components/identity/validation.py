"""Checks of `IdentityArgs` that Cognito would otherwise reject half-way through a deployment.

Pure functions: each raises `ValueError` naming the argument and what is allowed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from urllib.parse import urlsplit

from .args import AppClientUrls, CustomAttribute, IdentityArgs, TokenLifetimes

_PREFIX = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,55}[a-z0-9])?$")
_RESERVED_IN_PREFIX = ("aws", "amazon", "cognito")
_ATTRIBUTE_NAME = re.compile(r"^[A-Za-z0-9_]{1,20}$")
_SCOPE_NAME = re.compile(r"^[\x21\x23-\x2e\x30-\x5b\x5d-\x7e]+$")
_HOSTNAME = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,}$")


def validate_domain_prefix(prefix: str) -> None:
    # The admin pool's prefix adds "-admin", so leave room for it within Cognito's 63 characters.
    if not _PREFIX.match(prefix):
        raise ValueError(
            f"domain_prefix {prefix!r} is not allowed; use 1-57 lowercase letters, digits and inner hyphens"
        )
    for word in _RESERVED_IN_PREFIX:
        if word in prefix:
            raise ValueError(f"domain_prefix {prefix!r} may not contain {word!r} (Cognito reserves it)")


def validate_redirect_urls(client: str, urls: AppClientUrls, *, allow_custom_scheme: bool) -> None:
    if not urls.callback_urls:
        raise ValueError(f"{client}.callback_urls needs at least one URL")
    for kind, values in (("callback_urls", urls.callback_urls), ("logout_urls", urls.logout_urls)):
        if len(values) > 100:
            raise ValueError(f"{client}.{kind} allows at most 100 URLs (got {len(values)})")
        for url in values:
            parts = urlsplit(url)
            bad_shape = not parts.scheme or not parts.netloc or parts.fragment or "*" in url
            if bad_shape or any(c.isspace() for c in url):
                raise ValueError(
                    f"{client}.{kind}: {url!r} is not allowed; use an absolute URL without '#', "
                    "spaces or wildcards"
                )
            if parts.scheme == "http" and parts.hostname != "localhost":
                raise ValueError(f"{client}.{kind}: {url!r} must use https (http only for localhost)")
            if parts.scheme not in ("http", "https") and not allow_custom_scheme:
                raise ValueError(f"{client}.{kind}: {url!r} uses a custom scheme; only the mobile client may")


def validate_custom_attributes(attributes: Mapping[str, CustomAttribute]) -> None:
    if len(attributes) > 50:
        raise ValueError(f"custom_attributes allows at most 50 attributes (got {len(attributes)})")
    for name, attribute in attributes.items():
        if not _ATTRIBUTE_NAME.match(name):
            raise ValueError(
                f"custom_attributes: {name!r} is not allowed; use 1-20 letters, digits or underscores "
                "(without the 'custom:' prefix)"
            )
        lengths = (attribute.min_length, attribute.max_length)
        values = (attribute.min_value, attribute.max_value)
        if attribute.type != "String" and lengths != (None, None):
            raise ValueError(f"custom_attributes.{name}: min_length/max_length apply to String only")
        if attribute.type != "Number" and values != (None, None):
            raise ValueError(f"custom_attributes.{name}: min_value/max_value apply to Number only")
        for low, high in (lengths, values):
            if low is not None and high is not None and low > high:
                raise ValueError(f"custom_attributes.{name}: minimum {low} is greater than maximum {high}")
        if attribute.max_length is not None and not 1 <= attribute.max_length <= 2048:
            raise ValueError(f"custom_attributes.{name}.max_length must be 1 to 2048")


def validate_tokens(tokens: TokenLifetimes) -> None:
    for field, value in (
        ("access_token_minutes", tokens.access_token_minutes),
        ("id_token_minutes", tokens.id_token_minutes),
    ):
        if not 5 <= value <= 1440:
            raise ValueError(f"tokens.{field} must be 5 to 1440 minutes (got {value})")
    if not 1 <= tokens.refresh_token_days <= 3650:
        raise ValueError(
            f"tokens.refresh_token_days must be 1 to 3650 days (got {tokens.refresh_token_days})"
        )
    if tokens.refresh_token_days * 1440 <= max(tokens.access_token_minutes, tokens.id_token_minutes):
        raise ValueError("tokens.refresh_token_days must outlast the access and ID tokens")


def validate_api_scopes(identifier: str, scopes: Mapping[str, str]) -> None:
    if not identifier or len(identifier) > 256:
        raise ValueError("api_identifier must be 1 to 256 characters, for example the API's URL")
    if not scopes:
        raise ValueError("api_scopes needs at least one scope for the backend client")
    if len(scopes) > 100:
        raise ValueError(f"api_scopes allows at most 100 scopes (got {len(scopes)})")
    for name, description in scopes.items():
        if not _SCOPE_NAME.match(name) or len(name) > 256:
            raise ValueError(
                f"api_scopes: {name!r} is not a valid scope name (printable, no spaces, '/', '\\\\')"
            )
        if not 1 <= len(description) <= 256:
            raise ValueError(f"api_scopes.{name}: the description must be 1 to 256 characters")


def validate_custom_domain(custom_domain: str | None, certificate_arn: object | None) -> None:
    if custom_domain is None:
        return
    if not _HOSTNAME.match(custom_domain):
        raise ValueError(f"custom_domain {custom_domain!r} is not a host name")
    if certificate_arn is None:
        raise ValueError(
            "custom_domain needs certificate_arn: an ISSUED ACM certificate in us-east-1 covering "
            f"{custom_domain!r}"
        )


def validate_ses_sender(source_arn: object, from_address: str) -> None:
    """The sender must belong to the SES identity (checked when the ARN is known up front)."""
    if "@" not in from_address:
        raise ValueError(f"email.from_address {from_address!r} is not an e-mail address")
    if not isinstance(source_arn, str):
        return
    if not re.match(r"^arn:aws[\w-]*:ses:[a-z0-9-]+:\d{12}:identity/[^\s/]+$", source_arn):
        raise ValueError(f"email.source_arn {source_arn!r} is not an SES identity ARN")
    identity = source_arn.split(":identity/", 1)[1]
    domain = from_address.rsplit("@", 1)[1]
    if identity != from_address and domain != identity and not domain.endswith("." + identity):
        raise ValueError(
            f"email.from_address {from_address!r} does not belong to the SES identity {identity!r}"
        )


def validate_args(args: IdentityArgs) -> None:
    """Every check above, in the order a reader meets the arguments."""
    validate_domain_prefix(args.domain_prefix)
    validate_redirect_urls("web", args.web, allow_custom_scheme=False)
    validate_redirect_urls("mobile", args.mobile, allow_custom_scheme=True)
    validate_redirect_urls("admin", args.admin, allow_custom_scheme=False)
    validate_api_scopes(args.api_identifier, args.api_scopes)
    validate_custom_attributes(args.custom_attributes)
    validate_tokens(args.tokens)
    if not 8 <= args.password_minimum_length <= 99:
        raise ValueError(f"password_minimum_length must be 8 to 99 (got {args.password_minimum_length})")
    validate_custom_domain(args.custom_domain, args.certificate_arn)
    if args.dns_zone_id is not None and args.custom_domain is None:
        raise ValueError("dns_zone_id is only used with custom_domain; set both or neither")
    if args.email is not None:
        validate_ses_sender(args.email.source_arn, args.email.from_address)
    if not args.admin_groups:
        raise ValueError("admin_groups needs at least one group")
