"""Identity area: the `identity` section (Cognito pools, app clients, social sign-in, triggers),
its tier defaults, prod locks and checks, and the build step: the `Identity` component in the
primary region."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

import pulumi
from pydantic import AfterValidator, Field, model_validator

from social_components.identity import AppClientUrls as UrlsArgs
from social_components.identity import (
    CustomAttribute as CustomAttributeArgs,
)
from social_components.identity import (
    Identity,
    IdentityArgs,
    SocialIdentityProvider,
    TokenLifetimes,
)
from social_components.identity import (
    SesEmail as SesEmailArgs,
)
from social_platform.areas.base import Hostname, ProdLock, PulumiSecret, Section, Slug, StrictModel, Tier
from social_platform.areas.stack import StackConfig, environment_zone_name
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

EmailAddress = Annotated[str, Field(pattern=r"^[^@\s<>]+@([a-z0-9-]+\.)+[a-z]{2,}$")]
SesIdentityArn = Annotated[str, Field(pattern=r"^arn:aws:ses:[a-z0-9-]+:\d{12}:identity/[^\s/]+$")]
LambdaArn = Annotated[
    str,
    Field(
        pattern=r"^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$"
    ),
]


def _redirect_url(value: str) -> str:
    """What Cognito accepts as a callback or sign-out URL (custom schemes are for native apps)."""
    parts = urlsplit(value)
    if (
        not parts.scheme
        or not parts.netloc
        or parts.fragment
        or "*" in value
        or any(c.isspace() for c in value)
    ):
        raise ValueError(f"{value!r} is not allowed; use an absolute URL without '#', spaces or wildcards")
    if parts.scheme == "http" and parts.hostname != "localhost":
        raise ValueError(f"{value!r} is not allowed; use https (plain http only for http://localhost)")
    return value


RedirectUrl = Annotated[str, AfterValidator(_redirect_url)]


class AppClientUrls(StrictModel):
    """Where Cognito may send users back to after sign-in and after sign-out."""

    callback_urls: Annotated[list[RedirectUrl], Field(min_length=1, max_length=100)]
    """Allowed redirect URLs after sign-in (https; `http://localhost` outside prod; custom
    schemes such as `social://auth/callback` for the mobile client only)."""
    logout_urls: Annotated[list[RedirectUrl], Field(max_length=100)] = []
    """Allowed redirect URLs after sign-out (unset: none, the app shows its own page)."""


class SocialLogin(StrictModel):
    """An OAuth app at Google or Facebook that users may sign in with."""

    client_id: Annotated[str, Field(min_length=1, max_length=256)]
    """The app's client id (Google) or app id (Facebook)."""
    client_secret: PulumiSecret
    """The app's client secret; stored encrypted, reaches AWS only as a Pulumi secret."""
    authorize_scopes: list[Annotated[str, Field(pattern=r"^[\w.:/-]+$")]] | None = None
    """Scopes asked for (unset: `openid email profile` for Google, `public_profile,email` for Facebook)."""


class FacebookLogin(SocialLogin):
    api_version: Annotated[str, Field(pattern=r"^v\d{1,2}\.0$")] = "v22.0"
    """Pinned Facebook Graph API version Cognito calls."""


class CustomAttribute(StrictModel):
    """A `custom:<name>` user attribute. Fixed once the pool exists (Cognito cannot change it)."""

    type: Literal["String", "Number", "Boolean", "DateTime"] = "String"
    """Attribute data type."""
    mutable: bool = True
    """Whether the value may change after sign-up."""
    user_writable: bool = True
    """Whether users may set it through the web and mobile clients (off: only the backend, through
    the admin API, can set it — for values such as the account type)."""
    min_length: Annotated[int, Field(ge=0, le=2048)] | None = None
    """Strings: minimum length (unset: 0)."""
    max_length: Annotated[int, Field(ge=1, le=2048)] | None = None
    """Strings: maximum length (unset: 2048)."""
    min_value: int | None = None
    """Numbers: smallest value (unset: no bound)."""
    max_value: int | None = None
    """Numbers: largest value (unset: no bound)."""

    @model_validator(mode="after")
    def _constraints_fit_the_type(self) -> CustomAttribute:
        if self.type != "String" and (self.min_length is not None or self.max_length is not None):
            raise ValueError(f"min_length/max_length apply to String attributes only (type is {self.type})")
        if self.type != "Number" and (self.min_value is not None or self.max_value is not None):
            raise ValueError(f"min_value/max_value apply to Number attributes only (type is {self.type})")
        for low, high in ((self.min_length, self.max_length), (self.min_value, self.max_value)):
            if low is not None and high is not None and low > high:
                raise ValueError(f"minimum {low} is greater than maximum {high}")
        return self


class SesEmail(StrictModel):
    """Cognito's e-mail (verification codes, invitations) sent through your own SES identity."""

    source_arn: SesIdentityArn
    """ARN of a verified SES identity (domain or address) that `from_address` belongs to."""
    from_address: EmailAddress
    """Sender address, for example no-reply@social.example.com."""
    reply_to_address: EmailAddress | None = None
    """Reply-to address (unset: replies go to `from_address`)."""


CustomAttributeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
ScopeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9._-]{0,63}$")]


class IdentityConfig(Section):
    KEY = "identity"
    TIER_DEFAULTS = {
        Tier.dev: {"deletion_protection": False, "threat_protection": "audit"},
        Tier.staging: {"deletion_protection": True, "threat_protection": "audit"},
        Tier.prod: {"deletion_protection": True, "threat_protection": "enforced"},
    }
    PROD_LOCKS = {
        "deletion_protection": ProdLock(lambda v: v is True, "true"),
        "threat_protection": ProdLock(lambda v: v == "enforced", "enforced"),
    }

    deletion_protection: bool
    """Cognito user pool deletion protection (tier default; prod may not turn it off)."""
    threat_protection: Literal["off", "audit", "enforced"]
    """Cognito threat protection mode (tier default: audit, enforced in prod). Anything but off puts
    the pools on the Plus feature plan, which threat protection needs (billed per active user)."""
    user_mfa: Literal["off", "optional"] = "optional"
    """TOTP MFA for end users (the admin pool always requires it)."""
    domain_prefix: Slug | None = None
    """Prefix of the managed-login domains `<prefix>.auth.<region>.amazoncognito.com` (admin pool:
    `<prefix>-admin`). Globally unique per region. Unset: `<organization.name>-<environment.name>`."""
    custom_domain: Hostname | None = None
    """End-user sign-in on this host name instead of the prefix domain, with the edge's us-east-1
    certificate (which must cover it). Unset: the prefix domain."""
    web: AppClientUrls | None = None
    """Web app redirect URLs. Unset: `https://<env>.<organization.domain>/auth/callback` and
    sign-out back to `https://<env>.<organization.domain>/`."""
    mobile: AppClientUrls | None = None
    """Mobile app redirect URLs. Unset: `<organization.name>://auth/callback` and
    `<organization.name>://auth/signout` (the app's custom URL scheme)."""
    admin: AppClientUrls | None = None
    """Moderation tool redirect URLs. Unset: `https://admin.<env>.<organization.domain>/auth/callback`
    and sign-out back to `https://admin.<env>.<organization.domain>/`."""
    access_token_minutes: Annotated[int, Field(ge=5, le=1440)] = 60
    """Lifetime of access tokens (5 minutes to 1 day)."""
    id_token_minutes: Annotated[int, Field(ge=5, le=1440)] = 60
    """Lifetime of ID tokens (5 minutes to 1 day)."""
    refresh_token_days: Annotated[int, Field(ge=1, le=3650)] = 30
    """Lifetime of refresh tokens, i.e. how long a user stays signed in (1 day to 10 years)."""
    custom_attributes: dict[CustomAttributeName, CustomAttribute] = Field(
        default_factory=lambda: {
            "handle": CustomAttribute(min_length=3, max_length=30),
            "account_type": CustomAttribute(max_length=16, user_writable=False),
            "terms_version": CustomAttribute(max_length=16),
        }
    )
    """The app's `custom:` attributes (default: handle, account_type set by the backend only,
    terms_version). Changes after the pool exists are ignored: see docs/components/identity.md
    before editing."""
    api_scopes: dict[ScopeName, Annotated[str, Field(min_length=1, max_length=256)]] = {
        "users.read": "Read any user's profile",
        "users.write": "Change users' attributes and groups (moderation, account type)",
    }
    """Scopes of the backend API resource server (name → description) that the backend client is
    granted through the client-credentials flow."""
    google: SocialLogin | None = None
    """Sign in with Google (unset: off)."""
    facebook: FacebookLogin | None = None
    """Sign in with Facebook (unset: off)."""
    email: SesEmail | None = None
    """Send Cognito's e-mail through SES (unset: Cognito's built-in sender, limited to a few
    e-mails a day and meant for development)."""
    pre_sign_up_lambda_arn: LambdaArn | None = None
    """Lambda run before sign-up (for example to block disposable domains); in this account and
    the primary region. Unset: no trigger."""
    post_confirmation_lambda_arn: LambdaArn | None = None
    """Lambda run after a user confirms (for example to create the profile row); in this account
    and the primary region. Unset: no trigger."""


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """The managed-login prefix, the custom domain, redirect URLs per client, trigger Lambdas in
    this account and region, and the SES sender (the custom domain's certificate: `edge.check`)."""
    identity = cfg.section(IdentityConfig)
    if not identity.enabled:
        return
    prefix = identity.domain_prefix or f"{cfg.organization.name}-{cfg.environment.name}"
    reserved = [word for word in ("aws", "amazon", "cognito") if word in prefix]
    if reserved or len(prefix) > 57:
        yield ConfigIssue(
            "identity.domain_prefix",
            f"the managed-login prefix {prefix!r} must be at most 57 characters without "
            "'aws', 'amazon' or 'cognito'; set identity.domain_prefix",
        )
    # The custom domain's certificate-validation and alias records go into the environment's zone,
    # and Route 53 refuses a record whose name that zone does not own.
    zone = environment_zone_name(cfg)
    custom = identity.custom_domain
    if custom is not None and custom != zone and not custom.endswith("." + zone):
        yield ConfigIssue(
            "identity.custom_domain",
            f"must be in this environment's zone {zone!r} (its records are published there; got {custom!r})",
        )
    for client in ("web", "mobile", "admin"):
        urls: AppClientUrls | None = getattr(identity, client)
        if urls is None:
            continue
        for field in ("callback_urls", "logout_urls"):
            for i, url in enumerate(getattr(urls, field)):
                parts = urlsplit(url)
                path = f"identity.{client}.{field}.{i}"
                if parts.scheme not in ("https", "http") and client != "mobile":
                    yield ConfigIssue(
                        path, f"custom URL schemes are for the mobile client only (got {url!r})"
                    )
                if parts.scheme == "http" and cfg.tier is Tier.prod:
                    yield ConfigIssue(path, f"prod allows https only (got {url!r})")
    for field in ("pre_sign_up_lambda_arn", "post_confirmation_lambda_arn"):
        arn = getattr(identity, field)
        if arn is None:
            continue
        region, account = arn.split(":")[3:5]
        own = cfg.accounts.get(cfg.environment.name)
        expected = (cfg.regions.primary.name, own.id if own else account)
        if (region, account) != expected:
            yield ConfigIssue(
                f"identity.{field}",
                f"must be a function in this stack's account {expected[1]} and primary region "
                f"{expected[0]}, where the user pool is (got account {account}, region {region})",
            )
    if identity.email is not None:
        ses_identity = identity.email.source_arn.split(":identity/", 1)[1]
        sender = identity.email.from_address
        sender_domain = sender.rsplit("@", 1)[1]
        if ses_identity != sender and not (
            sender_domain == ses_identity or sender_domain.endswith("." + ses_identity)
        ):
            yield ConfigIssue(
                "identity.email.from_address",
                f"must belong to the SES identity {ses_identity!r} of identity.email.source_arn "
                f"(got {sender!r})",
            )


# ---------------------------------------------------------------------------------------------
# Build


def build(
    platform: Platform,
    *,
    waf_web_acl_arn: pulumi.Input[str] | None = None,
    certificate_arn: pulumi.Input[str] | None = None,
    dns_zone_id: pulumi.Input[str] | None = None,
) -> Identity | None:
    """The stack's Cognito pools (None when `identity.enabled` is false).

    Cognito is regional and has no cross-region replication, so the pools live in the primary
    region only; the other regions' workloads use the same issuer. The edge provides the
    regional WAF web ACL, the us-east-1 certificate and the DNS zone for a custom domain.
    """
    cfg = platform.cfg
    identity = cfg.section(IdentityConfig)
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
            name: CustomAttributeArgs(**attribute.model_dump())
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
        else SesEmailArgs(
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


def outputs(identity: Identity) -> dict[str, Any]:
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


def _urls(given: AppClientUrls | None, callback: str, logout: str) -> UrlsArgs:
    if given is None:
        return UrlsArgs(callback_urls=[callback], logout_urls=[logout])
    return UrlsArgs(callback_urls=list(given.callback_urls), logout_urls=list(given.logout_urls))


def _social(login: SocialLogin | None) -> SocialIdentityProvider | None:
    if login is None:
        return None
    return SocialIdentityProvider(
        client_id=login.client_id,
        client_secret=pulumi.Output.secret(login.client_secret.get_secret_value()),
        authorize_scopes=tuple(login.authorize_scopes or ()),
        api_version=login.api_version if isinstance(login, FacebookLogin) else None,
    )
