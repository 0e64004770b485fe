"""Arguments of `PublicZone`."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class PublicZoneArgs:
    domain_name: str
    """The zone's domain, lower case without the trailing dot, for example `dev.social.example.com`."""
    parent_zone_id: pulumi.Input[str] | None = None
    """Route53 zone that delegates to this one (NS records for `domain_name` are created there).
    Unset: no delegation; the zone answers only once its name servers are registered with the
    parent (or the registrar) by hand."""
    parent_zone_provider: pulumi.ProviderResource | None = None
    """Provider of the account that holds `parent_zone_id` (delegation across accounts).
    Unset: this component's own provider (the parent zone is in the same account)."""
    signing_provider: pulumi.ProviderResource | None = None
    """Provider of this zone's account in us-east-1, where Route 53 requires the key-signing key's
    KMS key and the query-log group. Set: the zone is signed with DNSSEC (an ECC P-256 key, a
    key-signing key, signing on, the DS record in the parent zone when there is one) and its
    queries are logged. Unset: no DNSSEC and no query logging."""
    query_log_retention_days: int = 365
    """Retention of the query-log group (with `signing_provider`)."""
    delegation_ttl_seconds: int = 86_400
    """TTL of the NS delegation records in the parent zone."""
    protect: bool = False
    """Protect the zone (and its delegation) from deletion; the platform sets it in prod. Unset: a
    `pulumi destroy` removes the zone and the delegation."""
