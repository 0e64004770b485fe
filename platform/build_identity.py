"""Build step for identity: config → `Identity` component in the primary region."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi

from social_components.identity import (
    AppClientUrls,
    CustomAttribute,
    Identity,
    IdentityArgs,
    SesEmail,
    SocialIdentityProvider,
    TokenLifetimes,
)
from social_platform.config import AppClientUrls as UrlsConfig
from social_platform.config import FacebookLogin, SocialLogin

if TYPE_CHECKING:
    from social_platform.program import Platform


def build_identity(
    platform: Platform,
    *,
    waf_web_acl_arn: pulumi.Input[str] | None = None,
    certificate_arn: pulumi.Input[str] | None = None,
    dns_zone_id: pulumi.Input[str] | None = None,
) -> Identity | None:
    """The stack's Cognito pools (None when `identity.enabled` is false).

    Cognito is regional and has no cross-region replication, so the pools live in the primary
    region only; the secondary region's workloads use the same issuer. The edge provides the
    regional WAF web ACL, the us-east-1 certificate and the DNS zone for a custom domain.
    """
    cfg = platform.cfg
    identity = cfg.identity
    if not identity.enabled:
        return None
    env, org = cfg.environment.name, cfg.organization
    site = f"{env}.{org.domain}"
    args = IdentityArgs(
        domain_prefix=identity.domain_prefix or f"{org.name}-{env}",
        web=_urls(identity.web, f"https://{site}/auth/callback", f"https://{site}/"),
        mobile=_urls(identity.mobile, f"{org.name}://auth/callback", f"{org.name}://auth/signout"),
        admin=_urls(identity.admin, f"https://admin.{site}/auth/callback", f"https://admin.{site}/"),
        api_identifier=f"https://api.{site}",
        api_scopes=dict(identity.api_scopes),
        threat_protection=identity.threat_protection,
        user_mfa=identity.user_mfa,
        enable_deletion_protection=identity.deletion_protection,
        custom_attributes={
            name: CustomAttribute(**attribute.model_dump())
            for name, attribute in identity.custom_attributes.items()
        },
        tokens=TokenLifetimes(
            access_token_minutes=identity.access_token_minutes,
            id_token_minutes=identity.id_token_minutes,
            refresh_token_days=identity.refresh_token_days,
        ),
        google=_social(identity.google),
        facebook=_social(identity.facebook),
        email=None
        if identity.email is None
        else SesEmail(
            source_arn=identity.email.source_arn,
            from_address=identity.email.from_address,
            reply_to_address=identity.email.reply_to_address,
        ),
        pre_sign_up_lambda_arn=identity.pre_sign_up_lambda_arn,
        post_confirmation_lambda_arn=identity.post_confirmation_lambda_arn,
        custom_domain=identity.custom_domain,
        certificate_arn=certificate_arn,
        dns_zone_id=dns_zone_id if identity.custom_domain else None,
        waf_web_acl_arn=waf_web_acl_arn,
        protect=platform.protect,
    )
    return Identity(
        f"identity-{cfg.regions.primary.code}",
        args,
        opts=pulumi.ResourceOptions(provider=platform.providers.primary),
    )


def identity_outputs(identity: Identity) -> dict[str, Any]:
    """What the apps need (stack output `identity`); the backend's secret only by ARN."""
    return {
        "user_pool_id": identity.user_pool_id,
        "user_pool_arn": identity.user_pool_arn,
        "admin_pool_id": identity.admin_pool_id,
        "admin_pool_arn": identity.admin_pool_arn,
        "client_ids": identity.client_ids,
        "domain": identity.domain,
        "admin_domain": identity.admin_domain,
        "issuer_url": identity.issuer_url,
        "jwks_url": identity.jwks_url,
        "admin_issuer_url": identity.admin_issuer_url,
        "admin_jwks_url": identity.admin_jwks_url,
        "api_scopes": identity.api_scopes,
        "backend_client_secret_arn": identity.backend_client_secret_arn,
    }


def _urls(given: UrlsConfig | None, callback: str, logout: str) -> AppClientUrls:
    if given is None:
        return AppClientUrls(callback_urls=[callback], logout_urls=[logout])
    return AppClientUrls(callback_urls=list(given.callback_urls), logout_urls=list(given.logout_urls))


def _social(login: SocialLogin | None) -> SocialIdentityProvider | None:
    if login is None:
        return None
    return SocialIdentityProvider(
        client_id=login.client_id,
        client_secret=pulumi.Output.secret(login.client_secret.get_secret_value()),
        authorize_scopes=tuple(login.authorize_scopes or ()),
        api_version=login.api_version if isinstance(login, FacebookLogin) else None,
    )
