"""Backup area: the `backup` section (AWS Backup plans per tier, copies elsewhere, vault locks and the
recovery targets), its tier defaults, prod lock and checks, and the build step.

- Every region of an environment stack gets a `Backup`: a vault with its own KMS key and a plan whose
  selection is the tag `BackupPlan: <environment>`; the components put that tag on what they own
  that holds data (`tags_for(cfg)`: Aurora clusters, the media and recording buckets…).
- Prod copies every recovery point to the vault of another region of the stack (survives losing a
  region) and to the shared stack's vault in the tooling account (survives losing the account).
- The shared stack builds that receiving vault, whose policy admits the accounts in `copy_from`, and
  exports its ARN as `backup_copy_vault_arn`.
- Every vault's policy refuses deleting recovery points; prod vaults (and the shared one, a prod
  tier stack) are locked in compliance mode with a minimum and a maximum retention.
- `recovery_targets`: the recovery point and time objectives the stack promises, per scenario;
  `recovery` computes what the rendered stack supports and the guardrail check compares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from social_components.backup import (
    BACKUP_PLAN_TAG,
    Backup,
    BackupArgs,
    BackupPlanArgs,
    CopyDestination,
    VaultLock,
    vault_arn,
)
from social_components.backup import validation as backup_rules
from social_components.backup.args import FrequencyHours
from social_platform.areas.base import ProdLock, Section, Slug, StrictModel, Tier, issue
from social_platform.areas.stack import SHARED, StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

COPY_VAULT_OUTPUT = "backup_copy_vault_arn"
"""The shared stack's output: the vault prod stacks copy their recovery points into."""

Scenario = Literal["deleted_data", "region_lost", "account_lost"]
SCENARIOS: tuple[Scenario, ...] = ("deleted_data", "region_lost", "account_lost")
"""What a recovery target is for: data deleted or corrupted in place, a whole region lost, the
whole account lost (compromised or closed)."""


class RecoveryTarget(StrictModel):
    rpo_minutes: Annotated[int, Field(ge=0, le=525_600)]
    """Most data, in minutes of writes, the stack may lose in this scenario (recovery point)."""
    rto_minutes: Annotated[int, Field(ge=1, le=525_600)]
    """Longest the stack may be down in this scenario (recovery time)."""


def _targets(**scenarios: tuple[int, int]) -> dict[str, dict[str, int]]:
    return {name: {"rpo_minutes": rpo, "rto_minutes": rto} for name, (rpo, rto) in scenarios.items()}


class BackupConfig(Section):
    KEY = "backup"
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {
            "frequency_hours": 24,
            "retention_days": 7,
            "copy_to_other_region": False,
            "copy_to_shared": False,
            "vault_lock": False,
            "recovery_targets": {},
        },
        Tier.staging: {
            "frequency_hours": 24,
            "retention_days": 14,
            "copy_to_other_region": False,
            "copy_to_shared": False,
            "vault_lock": False,
            "recovery_targets": _targets(deleted_data=(60, 240)),
        },
        Tier.prod: {
            "frequency_hours": 4,
            "retention_days": 35,
            "copy_to_other_region": True,
            "copy_to_shared": True,
            "vault_lock": True,
            "recovery_targets": _targets(
                deleted_data=(15, 120), region_lost=(300, 240), account_lost=(300, 1440)
            ),
        },
    }
    PROD_LOCKS = {"vault_lock": ProdLock(lambda v: v is True, "true")}

    @classmethod
    def resolve(cls, raw: Mapping[str, Any], tier: Tier, is_tooling: bool) -> dict[str, Any]:
        """The shared stack holds no data of record: it promises no recovery targets by default."""
        resolved = super().resolve(raw, tier, is_tooling)
        if is_tooling and "recovery_targets" not in raw:
            resolved["recovery_targets"] = {}
        return resolved

    frequency_hours: FrequencyHours
    """Hours between two scheduled backups (tier default: dev and staging 24, prod 4)."""
    start_hour: Annotated[int, Field(ge=0, le=23)] = 3
    """Hour (UTC) of the day's first backup."""
    retention_days: Annotated[int, Field(ge=1, le=36_500)]
    """Days a recovery point is kept in its own region's vault (tier default: dev 7, staging 14,
    prod 35)."""
    copy_to_other_region: bool
    """Copy every recovery point to the vault of another region of the stack (tier default: prod;
    a prod environment may not turn it off)."""
    copy_to_shared: bool
    """Copy every recovery point to the shared stack's vault in the tooling account (tier default:
    prod; a prod environment may not turn it off)."""
    copy_retention_days: Annotated[int, Field(ge=1, le=36_500)] = 35
    """Days a copy is kept in the other region's or the shared account's vault."""
    vault_lock: bool
    """Lock the vaults in compliance mode: no recovery point leaves before `lock_min_retention_days`,
    none stays past `lock_max_retention_days`, and after 3 days nobody can lift the lock (tier
    default: prod; prod may not turn it off)."""
    lock_min_retention_days: Annotated[int, Field(ge=1, le=36_500)] = 7
    """A locked vault's minimum retention."""
    lock_max_retention_days: Annotated[int, Field(ge=1, le=36_500)] = 400
    """A locked vault's maximum retention."""
    copy_from: list[Slug] = ["prod"]
    """(Shared stack) the environments, keys of `accounts`, whose copies its vault admits."""
    recovery_targets: dict[Scenario, RecoveryTarget]
    """What the stack promises per scenario (`deleted_data`, `region_lost`, `account_lost`); a
    scenario left out is not promised. `recovery <stack>` shows what the stack supports; the
    guardrail check fails a stack that misses a target (tier defaults: none in dev, whose data is
    disposable; staging `deleted_data`; prod all three)."""


def tags_for(cfg: StackConfig) -> dict[str, str]:
    """The tags that put a resource under this stack's backup plan (none where there is no plan)."""
    section = cfg.section(BackupConfig)
    if not section.enabled or cfg.environment.is_tooling:
        return {}
    return {BACKUP_PLAN_TAG: cfg.environment.name}


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Copies where they can go (and, in prod environments, where they must), retentions within the
    vault lock, and the shared vault's source accounts."""
    section = cfg.section(BackupConfig)
    if not section.enabled:
        return
    if section.vault_lock:
        yield from issue(
            "backup.lock_min_retention_days",
            backup_rules.check_lock,
            section.lock_min_retention_days,
            section.lock_max_retention_days,
            backup_rules.MIN_CHANGEABLE_DAYS,
        )
        for key in ("retention_days", "copy_retention_days"):
            yield from issue(
                f"backup.{key}",
                backup_rules.check_within_lock,
                getattr(section, key),
                section.lock_min_retention_days,
                section.lock_max_retention_days,
                key,
            )
    if cfg.environment.is_tooling:
        for name in section.copy_from:
            if name == SHARED or name not in cfg.accounts:
                yield ConfigIssue(
                    "backup.copy_from",
                    f"{name!r} is not an environment in `accounts` (allowed: "
                    f"{', '.join(a for a in cfg.accounts if a != SHARED)})",
                )
        return
    if cfg.tier is Tier.prod:
        for key in ("copy_to_other_region", "copy_to_shared"):
            if not getattr(section, key):
                yield ConfigIssue(
                    f"backup.{key}", "is a prod safety default; allowed in prod: true (got False)"
                )
    if section.copy_to_other_region and not cfg.regions.others():
        yield ConfigIssue(
            "backup.copy_to_other_region", "needs a second region in `regions` (or set it to false)"
        )
    if section.copy_to_shared and cfg.shared_stack is None:
        yield ConfigIssue(
            "backup.copy_to_shared",
            "needs `shared_stack`: the copies go to the shared stack's vault (or set it to false)",
        )


# ---------------------------------------------------------------------------------------------
# Build


def _lock(section: BackupConfig) -> VaultLock | None:
    if not section.vault_lock:
        return None
    return VaultLock(
        min_retention_days=section.lock_min_retention_days, max_retention_days=section.lock_max_retention_days
    )


def build(platform: Platform) -> dict[str, Backup]:
    """The stack's vaults by region: a plan and a vault per region of an environment; the receiving
    vault alone in the shared stack's primary region."""
    cfg = platform.cfg
    section = cfg.section(BackupConfig)
    if not section.enabled:
        return {}
    if cfg.environment.is_tooling:
        region = cfg.regions.primary.name
        return {
            region: Backup(
                f"{platform.name(region)}-backup",
                BackupArgs(
                    copy_source_account_ids=tuple(cfg.accounts[name].id for name in section.copy_from),
                    vault_lock=_lock(section),
                ),
                opts=platform.options(region),
                protect=platform.protect,
            )
        }
    regions = [region.name for region in cfg.regions.all()]
    backups: dict[str, Backup] = {}
    for region in regions:
        copies: dict[str, CopyDestination] = {}
        others = [other for other in regions if other != region]
        if section.copy_to_other_region and others:
            other = others[0]
            copies[f"region-{other}"] = CopyDestination(
                vault_arn=vault_arn(other, cfg.account.id, f"{platform.name(other)}-backup"),
                retention_days=section.copy_retention_days,
            )
        if section.copy_to_shared and platform.shared is not None:
            copies["shared-account"] = CopyDestination(
                vault_arn=platform.shared.require_output(COPY_VAULT_OUTPUT),
                retention_days=section.copy_retention_days,
            )
        backups[region] = Backup(
            f"{platform.name(region)}-backup",
            BackupArgs(
                plan=BackupPlanArgs(
                    selection_tags=tags_for(cfg),
                    frequency_hours=section.frequency_hours,
                    retention_days=section.retention_days,
                    start_hour=section.start_hour,
                    copies=copies,
                ),
                vault_lock=_lock(section),
            ),
            opts=platform.options(region),
            protect=platform.protect,
        )
    return backups


def outputs(cfg: StackConfig, backups: dict[str, Backup]) -> dict[str, Any]:
    """Vault names and ARNs by region (what the runbooks name); the shared stack's copy vault."""
    if not backups:
        return {}
    if cfg.environment.is_tooling:
        return {COPY_VAULT_OUTPUT: next(iter(backups.values())).vault_arn}
    return {
        "backup": {
            region: {
                "vault_name": backup.vault_name,
                "vault_arn": backup.vault_arn,
                "plan_id": backup.plan_id,
                "role_arn": backup.role_arn,
            }
            for region, backup in backups.items()
        }
    }
