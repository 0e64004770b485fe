"""Cognito user pools for the app's users and for the moderation tool."""

from .args import (
    AppClientUrls,
    CustomAttribute,
    IdentityArgs,
    SesEmail,
    SocialIdentityProvider,
    TokenLifetimes,
)
from .component import Identity

__all__ = [
    "AppClientUrls",
    "CustomAttribute",
    "Identity",
    "IdentityArgs",
    "SesEmail",
    "SocialIdentityProvider",
    "TokenLifetimes",
]
