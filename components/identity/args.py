"""Arguments of the `Identity` component (Cognito)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

ThreatProtection = Literal["off", "audit", "enforced"]
AttributeType = Literal["String", "Number", "Boolean", "DateTime"]


@dataclass(frozen=True)
class AppClientUrls:
    """Where Cognito may send users back to, for one app client."""

    callback_urls: Sequence[str]
    """Allowed redirect URLs after sign-in (at least one)."""
    logout_urls: Sequence[str] = ()
    """Allowed redirect URLs after sign-out (unset: none)."""


@dataclass(frozen=True)
class SocialIdentityProvider:
    """An OAuth app at Google or Facebook."""

    client_id: pulumi.Input[str]
    """The app's client id (Google) or app id (Facebook)."""
    client_secret: pulumi.Input[str]
    """The app's client secret. Pass a secret (`pulumi.Output.secret`); the component marks it
    secret again either way, so it never reaches the state in plain text."""
    authorize_scopes: Sequence[str] = ()
    """Scopes asked for (unset: `openid email profile` for Google, `public_profile,email` for
    Facebook)."""
    api_version: str | None = None
    """Facebook only: the pinned Graph API version (unset: the provider's current default)."""


@dataclass(frozen=True)
class CustomAttribute:
    """A `custom:<name>` attribute of the end-user pool."""

    type: AttributeType = "String"
    """Data type."""
    mutable: bool = True
    """Whether the value may change after sign-up."""
    user_writable: bool = True
    """Whether the web and mobile clients may write it (off: only the backend, through the admin API)."""
    min_length: int | None = None
    """Strings: minimum length (unset: 0)."""
    max_length: int | None = None
    """Strings: maximum length (unset: 2048)."""
    min_value: int | None = None
    """Numbers: smallest value (unset: no bound)."""
    max_value: int | None = None
    """Numbers: largest value (unset: no bound)."""


@dataclass(frozen=True)
class SesEmail:
    """Send the pools' e-mail through an SES identity you own."""

    source_arn: pulumi.Input[str]
    """ARN of the verified SES identity that `from_address` belongs to."""
    from_address: str
    """Sender address."""
    reply_to_address: str | None = None
    """Reply-to address (unset: replies go to `from_address`)."""


@dataclass(frozen=True)
class TokenLifetimes:
    """Lifetimes of the tokens every app client issues."""

    access_token_minutes: int = 60
    """Access tokens, 5 to 1440 minutes."""
    id_token_minutes: int = 60
    """ID tokens, 5 to 1440 minutes."""
    refresh_token_days: int = 30
    """Refresh tokens (how long a user stays signed in), 1 to 3650 days."""


def _default_admin_groups() -> dict[str, str]:
    return {
        "admins": "Run the moderation tool and manage its users",
        "moderators": "Review reports and take moderation actions",
    }


@dataclass(frozen=True)
class IdentityArgs:
    """Everything the `Identity` component needs. Only the redirect URLs, the domain prefix and the
    API identifier have no default; the defaults are the safe choice."""

    domain_prefix: str
    """Prefix of the managed-login domain `<prefix>.auth.<region>.amazoncognito.com`; the admin pool
    uses `<prefix>-admin`. Lowercase letters, digits and hyphens, without `aws`, `amazon`, `cognito`."""
    web: AppClientUrls
    """Redirect URLs of the web app's client."""
    mobile: AppClientUrls
    """Redirect URLs of the mobile app's client (custom URL schemes allowed)."""
    admin: AppClientUrls
    """Redirect URLs of the moderation tool's client (admin pool)."""
    api_identifier: str
    """Identifier of the backend API resource server, usually its URL; prefixes the scope names."""
    api_scopes: Mapping[str, str] = field(
        default_factory=lambda: {"read": "Read access to the backend API", "write": "Write access"}
    )
    """Scopes of the resource server (name → description), all granted to the backend client."""
    threat_protection: ThreatProtection = "enforced"
    """Cognito threat protection on both pools. Anything but `off` needs the Plus feature plan, so
    the pools are created on PLUS (else ESSENTIALS)."""
    user_mfa: Literal["off", "optional"] = "optional"
    """TOTP MFA for end users (the admin pool always requires it)."""
    enable_deletion_protection: bool = True
    """Cognito deletion protection on both pools."""
    custom_attributes: Mapping[str, CustomAttribute] = field(default_factory=dict)
    """The end-user pool's `custom:` attributes by name (unset: none). Fixed at creation: later
    changes are ignored, because Cognito cannot change or remove an attribute in place."""
    tokens: TokenLifetimes = field(default_factory=TokenLifetimes)
    """Token lifetimes (unset: 60-minute access and ID tokens, 30-day refresh tokens)."""
    password_minimum_length: int = 12
    """Minimum password length, 8 to 99 (every character class is required as well)."""
    google: SocialIdentityProvider | None = None
    """Sign in with Google (unset: off)."""
    facebook: SocialIdentityProvider | None = None
    """Sign in with Facebook (unset: off)."""
    email: SesEmail | None = None
    """E-mail through SES (unset: Cognito's built-in sender, a few e-mails a day, for development)."""
    pre_sign_up_lambda_arn: pulumi.Input[str] | None = None
    """Lambda run before sign-up; the component lets Cognito invoke it (unset: no trigger)."""
    post_confirmation_lambda_arn: pulumi.Input[str] | None = None
    """Lambda run after a user confirms; the component lets Cognito invoke it (unset: no trigger)."""
    custom_domain: str | None = None
    """Host name for the end-user managed login, served with `certificate_arn` (unset: the prefix
    domain). The parent domain must already resolve (an A record), as Cognito checks it."""
    certificate_arn: pulumi.Input[str] | None = None
    """ISSUED ACM certificate in us-east-1 covering `custom_domain`; required with it."""
    dns_zone_id: pulumi.Input[str] | None = None
    """Route 53 zone in which to create the alias record for `custom_domain` (unset: you create the
    record yourself, pointing at the `custom_domain_target` output)."""
    waf_web_acl_arn: pulumi.Input[str] | None = None
    """Regional WAF web ACL to associate with both pools (unset: no WAF on the pools)."""
    admin_groups: Mapping[str, str] = field(default_factory=_default_admin_groups)
    """Groups of the admin pool (name → description); earlier entries take precedence."""
    protect: bool = False
    """Protect the pools (Pulumi `protect` and retain on delete). The platform sets it in prod."""
