"""Arguments of the `AccountBaseline` and `LogArchive` components."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

FindingFrequency = Literal["FIFTEEN_MINUTES", "ONE_HOUR", "SIX_HOURS"]
"""How often GuardDuty publishes updates of existing findings (new findings go out within minutes)."""


@dataclass(frozen=True)
class LogArchiveTarget:
    """Where an account's trail and AWS Config deliver: a `LogArchive` (usually in another account)."""

    bucket_name: pulumi.Input[str]
    """Name of the log-archive bucket."""
    kms_key_arn: pulumi.Input[str]
    """ARN of the archive's customer-managed key (CloudTrail and Config encrypt with it)."""


@dataclass(frozen=True)
class LogArchiveArgs:
    """A central, tamper-resistant bucket for the trails and AWS Config snapshots of several accounts."""

    account_ids: Sequence[str]
    """Accounts whose trail and AWS Config may deliver here (this account included, if it delivers)."""
    trail_name: str
    """Name of the trail every one of those accounts runs (the bucket and key policies name
    `arn:aws:cloudtrail:*:<account>:trail/<trail_name>` for each account)."""
    retention_days: int = 365
    """Object Lock in governance mode: no version can be deleted or overwritten for this many days
    (only a principal with `s3:BypassGovernanceRetention` can shorten it)."""
    transition_days: int | None = 90
    """Move log files to S3 Glacier Instant Retrieval after this many days. Unset: they stay in
    S3 Standard."""
    expiration_days: int | None = None
    """Delete log files this many days after they were written (at least `retention_days`).
    Unset: they are kept."""
    bucket_name: str | None = None
    """Name of the bucket. Unset: derived by Pulumi from the component name."""
    protect: bool = False
    """Protect the bucket and its key from deletion (the platform sets it: the archive is evidence)."""


@dataclass(frozen=True)
class AccountBaselineArgs:
    """The security and audit baseline of one account, in the region of the component's provider (the
    home region: the trail, its log group and alarms, and the account-wide settings) and in every
    region of `other_regions`."""

    home_region: str
    """The region of the component's provider: the trail, its log group and alarms live here."""
    trail_name: str
    """Name of the account's multi-region trail (the log archive's policies name it)."""
    log_archive: LogArchiveTarget
    """Where the trail and AWS Config deliver."""
    other_regions: Mapping[str, pulumi.ProviderResource] = field(default_factory=dict)
    """Further regions the account uses, by region name, each with a provider in this account:
    AWS Config, GuardDuty, Security Hub, Inspector, Access Analyzer and EBS default encryption
    run in each. Unset: the home region only."""
    data_bucket_arns: Sequence[pulumi.Input[str]] = ()
    """Buckets holding user data: the trail records their object-level reads and writes (S3 data
    events). Unset: management events only."""
    alert_topic_arns: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """SNS topic per region name that alarms and GuardDuty findings go to. A region left out gets
    a topic of its own (encrypted, with nobody subscribed: subscribe someone)."""
    trail_log_retention_days: int = 365
    """Retention of the trail's CloudWatch log group (the copy the metric filters read)."""
    finding_publishing_frequency: FindingFrequency = "FIFTEEN_MINUTES"
    """How often GuardDuty publishes updated findings to EventBridge."""
    enable_security_hub: bool = True
    """Security Hub with the AWS Foundational Security Best Practices and CIS v3.0.0 standards."""
    enable_inspector: bool = True
    """Amazon Inspector scanning of EC2 instances, ECR images and Lambda functions."""
    minimum_password_length: int = 14
    """IAM users' minimum password length (CIS asks for 14 or more)."""
    protect: bool = False
    """Protect the keys and log groups from deletion (the platform sets it in prod)."""


@dataclass(frozen=True)
class RegionalBaselineArgs:
    """What an account runs in one region (the region of the component's provider)."""

    config_role_arn: pulumi.Input[str]
    """ARN of AWS Config's service-linked role (`AccountBaseline` creates it once per account)."""
    log_archive: LogArchiveTarget
    """Where AWS Config delivers its snapshots and history."""
    record_global_resources: bool = False
    """Record IAM and other global resources here (one region per account: the home region)."""
    alert_topic_arn: pulumi.Input[str] | None = None
    """SNS topic GuardDuty findings go to. Unset: the component creates an encrypted topic."""
    finding_publishing_frequency: FindingFrequency = "FIFTEEN_MINUTES"
    """How often GuardDuty publishes updated findings to EventBridge."""
    enable_security_hub: bool = True
    """Security Hub with the AWS Foundational Security Best Practices and CIS v3.0.0 standards."""
    enable_inspector: bool = True
    """Amazon Inspector scanning of EC2 instances, ECR images and Lambda functions."""
    protect: bool = False
    """Protect the keys from deletion (the platform sets it in prod)."""
