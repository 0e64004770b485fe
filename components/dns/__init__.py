"""DNS: a public Route53 zone, optionally delegated from its parent zone in another account."""

from social_components.dns.args import PublicZoneArgs
from social_components.dns.component import PublicZone, ZoneSigning

__all__ = ["PublicZone", "PublicZoneArgs", "ZoneSigning"]
