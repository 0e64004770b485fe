"""Security area: the `security` section (the account baseline and the log archive), its tier
defaults, prod locks and checks, and the build step.

Every stack applies `AccountBaseline` to its own account, in its regions and in us-east-1 (the
region of the edge's certificates and web ACL, and of the DNSSEC signing keys): a multi-region
trail, AWS Config, GuardDuty, Security Hub, Inspector, Access Analyzer, the security alarms and the
account settings. The shared stack also owns the organization's `LogArchive` in the tooling account:
every account's trail and AWS Config deliver there, and its policies name each account's trail.
Environments read the archive from the shared stack's `log_archive` output; a stack without
`shared_stack` keeps a log archive of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import pulumi
from pydantic import Field

from social_components.baseline import (
    AccountBaseline,
    AccountBaselineArgs,
    FindingFrequency,
    LogArchive,
    LogArchiveArgs,
    LogArchiveTarget,
    validation,
)
from social_platform.areas.base import ProdLock, RetentionDays, Section, Tier, args_field, issue
from social_platform.areas.observability import AlertTopics
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue
from social_platform.providers import CLOUDFRONT_REGION

LOG_ARCHIVE_OUTPUT = "log_archive"
"""The shared stack's output naming the log archive (`bucket`, `kms_key_arn`) environments deliver to."""


class SecurityConfig(Section):
    KEY = "security"
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {"trail_log_retention_days": 90, "finding_publishing_frequency": "SIX_HOURS"},
        Tier.staging: {"trail_log_retention_days": 180, "finding_publishing_frequency": "ONE_HOUR"},
        Tier.prod: {"trail_log_retention_days": 365, "finding_publishing_frequency": "FIFTEEN_MINUTES"},
    }
    PROD_LOCKS = {
        "trail_log_retention_days": ProdLock(lambda v: v >= 365, "365 days or more"),
        "enable_security_hub": ProdLock(lambda v: v is True, "true"),
    }

    trail_log_retention_days: RetentionDays
    """Retention of the trail's CloudWatch log group, which the security alarms read (tier default:
    dev 90, staging 180, prod 365 days; prod keeps at least 365). The archive keeps the trail longer."""
    finding_publishing_frequency: FindingFrequency
    """How often GuardDuty publishes updated findings (tier default: dev SIX_HOURS, staging
    ONE_HOUR, prod FIFTEEN_MINUTES)."""
    enable_security_hub: bool = args_field(AccountBaselineArgs, "enable_security_hub")
    enable_inspector: bool = args_field(AccountBaselineArgs, "enable_inspector")
    log_archive_retention_days: Annotated[int, Field(ge=1, le=36500)] = args_field(
        LogArchiveArgs, "retention_days"
    )
    log_archive_transition_days: Annotated[int, Field(ge=1)] | None = args_field(
        LogArchiveArgs, "transition_days"
    )
    log_archive_expiration_days: Annotated[int, Field(ge=1)] | None = args_field(
        LogArchiveArgs, "expiration_days"
    )


def trail_name(cfg: StackConfig) -> str:
    """The name every account's trail has (the log archive's policies name it in each account)."""
    return f"{cfg.organization.name}-account-trail"


def baseline_regions(cfg: StackConfig) -> list[str]:
    """Regions the stack uses in its own account: its regions (the primary first) and us-east-1."""
    return list(dict.fromkeys([*(region.name for region in cfg.regions.all()), CLOUDFRONT_REGION]))


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    section = cfg.section(SecurityConfig)
    if cfg.tier is Tier.prod and not section.enabled:
        yield ConfigIssue("security.enabled", "is a prod safety default; allowed in prod: true (got False)")
    yield from issue(
        "security.log_archive_expiration_days",
        validation.check_archive_lifecycle,
        section.log_archive_retention_days,
        section.log_archive_transition_days,
        section.log_archive_expiration_days,
    )
    yield from issue("organization.name", validation.check_trail_name, trail_name(cfg))


# ---------------------------------------------------------------------------------------------
# Build


@dataclass
class SecurityBuild:
    baseline: AccountBaseline
    log_archive: LogArchive | None
    """The archive this stack owns (shared stack, or a stack without `shared_stack`)."""


def build(
    platform: Platform,
    data_bucket_arns: Sequence[pulumi.Input[str]] = (),
    alerts: AlertTopics | None = None,
) -> SecurityBuild | None:
    """The account baseline, and the log archive where this stack owns it. `data_bucket_arns`: the
    buckets holding user data, whose object reads and writes the trail records. `alerts`: the
    observability area's topics; the security alarms and GuardDuty findings page through each
    region's (unset: the baseline makes a topic per region)."""
    cfg = platform.cfg
    section = cfg.section(SecurityConfig)
    if not section.enabled:
        return None
    providers = platform.providers
    archive: LogArchive | None = None
    if platform.shared is None:
        # The tooling account's archive takes every account's trail; a stack on its own keeps its own.
        accounts = cfg.accounts.values() if cfg.environment.is_tooling else [cfg.account]
        archive = LogArchive(
            "log-archive",
            LogArchiveArgs(
                account_ids=[account.id for account in accounts],
                trail_name=trail_name(cfg),
                retention_days=section.log_archive_retention_days,
                transition_days=section.log_archive_transition_days,
                expiration_days=section.log_archive_expiration_days,
                bucket_name=f"{cfg.organization.name}-log-archive-{cfg.account.id}",
                protect=True,
            ),
            opts=pulumi.ResourceOptions(provider=providers.primary),
        )
        target = archive.target
    else:
        shared = platform.shared.get_output(LOG_ARCHIVE_OUTPUT)
        target = LogArchiveTarget(bucket_name=shared["bucket"], kms_key_arn=shared["kms_key_arn"])
    home, *others = baseline_regions(cfg)
    baseline = AccountBaseline(
        "baseline",
        AccountBaselineArgs(
            home_region=home,
            trail_name=trail_name(cfg),
            log_archive=target,
            other_regions={region: providers.get(cfg.environment.name, region) for region in others},
            data_bucket_arns=tuple(data_bucket_arns),
            alert_topic_arns={}
            if alerts is None
            else {region: alerts.topic_arn(region, "page") for region in (home, *others)},
            trail_log_retention_days=section.trail_log_retention_days,
            finding_publishing_frequency=section.finding_publishing_frequency,
            enable_security_hub=section.enable_security_hub,
            enable_inspector=section.enable_inspector,
            protect=platform.protect,
        ),
        opts=pulumi.ResourceOptions(provider=providers.primary),
    )
    return SecurityBuild(baseline=baseline, log_archive=archive)


def outputs(build: SecurityBuild | None) -> dict[str, Any]:
    if build is None:
        return {}
    result: dict[str, Any] = {
        "security": {
            "trail_arn": build.baseline.trail.arn,
            "trail_log_group": build.baseline.trail_log_group.name,
            "alert_topic_arns": {r: b.alert_topic_arn for r, b in build.baseline.regions.items()},
        }
    }
    if build.log_archive is not None:
        result[LOG_ARCHIVE_OUTPUT] = {
            "bucket": build.log_archive.bucket.bucket,
            "kms_key_arn": build.log_archive.key.arn,
        }
    return result
