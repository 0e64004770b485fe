"""`PublicZone`: a public hosted zone, delegated from its parent zone (possibly in another account)."""

from __future__ import annotations

from collections.abc import Sequence

import pulumi
import pulumi_aws as aws

from social_components.base import KeyGrant, SocialComponent, policy_json
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
    signing: ZoneSigning | None
    """DNSSEC signing and query logging (None without `signing_provider`)."""

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

        self.signing = None
        if args.signing_provider is not None:
            self.signing = ZoneSigning(
                self.child_name("signing"),
                zone_id=zone.id,  # the same ID as zone_id; its dependency names the zone itself
                domain_name=args.domain_name,
                log_retention_days=args.query_log_retention_days,
                protect=args.protect,
                opts=self.child(provider=args.signing_provider),
            )
            if args.parent_zone_id is not None:
                # The chain of trust: the parent vouches for this zone's key-signing key.
                aws.route53.Record(
                    self.child_name("ds"),
                    zone_id=args.parent_zone_id,
                    name=args.domain_name,
                    type="DS",
                    ttl=args.delegation_ttl_seconds,
                    records=[self.signing.key_signing_key.ds_record],
                    opts=self.child(provider=args.parent_zone_provider),
                )

        self.register_outputs(
            {"zone_id": self.zone_id, "name_servers": self.name_servers, "domain_name": self.domain_name}
        )


class ZoneSigning(SocialComponent):
    """DNSSEC signing and query logging of one public zone, in us-east-1 (the component's provider):
    an asymmetric ECC_NIST_P256 KMS key only Route 53's DNSSEC service may sign with, for this
    account's zones; the key-signing key; signing on; queries to an encrypted log group."""

    MODULE = "dns"

    key_signing_key: aws.route53.KeySigningKey
    query_log_group: aws.cloudwatch.LogGroup

    def __init__(
        self,
        name: str,
        *,
        zone_id: pulumi.Input[str],
        domain_name: str,
        log_retention_days: int,
        protect: bool,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        account = self.account_id()
        own_zones = {
            "StringEquals": {"aws:SourceAccount": account},
            "ArnLike": {"aws:SourceArn": "arn:aws:route53:::hostedzone/*"},
        }
        # Route 53 "Working with customer managed keys for DNSSEC": the key policy.
        key = aws.kms.Key(
            self.child_name("ksk-key"),
            description=f"DNSSEC key-signing key of {domain_name}",
            customer_master_key_spec="ECC_NIST_P256",
            key_usage="SIGN_VERIFY",
            deletion_window_in_days=30,
            policy=policy_json(
                [
                    {
                        "Sid": "AccountAdministers",
                        "Effect": "Allow",
                        "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", account, ":root")},
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    KeyGrant(
                        sid="Route53DnssecSigns",
                        service="dnssec-route53.amazonaws.com",
                        condition=own_zones,
                        actions=("kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"),
                    ).statement(),
                    KeyGrant(
                        sid="Route53DnssecGrants",
                        service="dnssec-route53.amazonaws.com",
                        condition={"Bool": {"kms:GrantIsForAWSResource": True}},
                        actions=("kms:CreateGrant",),
                    ).statement(),
                ]
            ),
            opts=self.stateful(),
        )
        self.key_signing_key = aws.route53.KeySigningKey(
            self.child_name("ksk"),
            hosted_zone_id=zone_id,
            key_management_service_arn=key.arn,
            name="ksk",
            status="ACTIVE",
            opts=self.child(),
        )
        aws.route53.HostedZoneDnsSec(
            self.child_name("dnssec"),
            hosted_zone_id=self.key_signing_key.hosted_zone_id,
            signing_status="SIGNING",
            opts=self.child(depends_on=[self.key_signing_key]),
        )

        group_name = f"/aws/route53/{domain_name}"
        self.query_log_group = aws.cloudwatch.LogGroup(
            self.child_name("queries"),
            name=group_name,
            retention_in_days=log_retention_days,
            kms_key_id=self.log_key("queries", f"DNS query log of {domain_name}", group_name).arn,
            opts=self.stateful(),
        )
        log_policy = aws.cloudwatch.LogResourcePolicy(
            self.child_name("queries"),
            policy_name=self.child_name("queries"),
            policy_document=policy_json(
                [
                    {
                        "Sid": "Route53WritesQueryLogs",
                        "Effect": "Allow",
                        "Principal": {"Service": "route53.amazonaws.com"},
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": pulumi.Output.concat(self.query_log_group.arn, ":*"),
                        "Condition": own_zones,
                    }
                ]
            ),
            opts=self.child(),
        )
        aws.route53.QueryLog(
            self.child_name("queries"),
            zone_id=zone_id,
            cloudwatch_log_group_arn=self.query_log_group.arn,
            opts=self.child(depends_on=[log_policy]),
        )
        self.register_outputs({"key_signing_key_ds": self.key_signing_key.ds_record})
