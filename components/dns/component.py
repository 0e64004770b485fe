"""`PublicZone`: a public hosted zone, delegated from its parent zone (possibly in another account)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent
from social_components.dns.args import PublicZoneArgs
from social_components.dns.validation import validate_public_zone_args


class PublicZone(SocialComponent):
    """A public Route53 zone for `domain_name`.

    With `parent_zone_id`, the zone is delegated: an NS record set for `domain_name` is created in
    the parent zone, through `parent_zone_provider` when the parent lives in another account (the
    shared account's root zone delegating to an environment account's zone).
    """

    MODULE = "dns"

    zone_id: pulumi.Output[str]
    """Route53 hosted zone ID."""
    name_servers: pulumi.Output[Sequence[str]]
    """The zone's four name servers (what the parent delegates to)."""
    domain_name: str
    delegation: aws.route53.Record | None
    """The NS record set in the parent zone (None without `parent_zone_id`)."""

    def __init__(self, name: str, args: PublicZoneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_public_zone_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        self.domain_name = args.domain_name

        # A zone's name servers change when it is re-created, which breaks every delegation to it:
        # the zone holds no data but is treated as stateful.
        zone = aws.route53.Zone(
            self.child_name("zone"),
            name=args.domain_name,
            comment=f"Public zone of {args.domain_name}; managed by Pulumi",
            force_destroy=False,
            opts=self.stateful(),
        )
        self.zone_id = zone.zone_id
        self.name_servers = zone.name_servers

        self.delegation = None
        if args.parent_zone_id is not None:
            self.delegation = aws.route53.Record(
                self.child_name("delegation"),
                zone_id=args.parent_zone_id,
                name=args.domain_name,
                type="NS",
                ttl=args.delegation_ttl_seconds,
                records=zone.name_servers,
                # None inherits this component's provider (parent zone in the same account).
                opts=self.stateful(provider=args.parent_zone_provider),
            )

        self.register_outputs(
            {"zone_id": self.zone_id, "name_servers": self.name_servers, "domain_name": self.domain_name}
        )
