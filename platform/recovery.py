"""`recovery <stack…>`: the recovery point and time objectives (RPO, RTO) a rendered stack supports.

It reads the same render as the tests, the guardrails and `cost` (never a second copy of the
program): for every data store the guardrail `backup-covered` looks at (Aurora, DynamoDB, S3 …, the
same exemptions), it finds the mechanisms the render declares and what each supports per scenario:

- `deleted_data` — data deleted or corrupted in place: Aurora point-in-time restore (its backup
  retention), DynamoDB PITR, S3 object versions, the AWS Backup plan that selects it;
- `region_lost` — the whole region gone: Aurora Global Database (a secondary cluster in another
  region), S3 replication to another region (with a CloudFront origin group failing over to it),
  an AWS Backup copy in another region;
- `account_lost` — the whole account gone (compromised, closed): an AWS Backup copy in another account.

Per scenario the best mechanism counts for a resource, the worst resource for the stack. The
figures each mechanism stands for are the model in `MODEL`, each with where it comes from; RPO from
a backup schedule is read from the plan's cron expression. The stack's targets come from its config
(`backup.recovery_targets`); `misses()` lists what falls short, and `guardrails check` fails on it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from social_platform import stackfiles
from social_platform.areas.backup import SCENARIOS, RecoveryTarget
from social_platform.config import load_config
from social_platform.render import RenderedStack
from social_platform.rulebook import ResourceView, StackView, _seq, _truthy, exempt
from social_platform.rules.backup import BACKED_UP, PLAN, SELECTION, selects, vault_place
from social_platform.rules.encryption import _is_global_secondary
from social_platform.stackview import stack_view

RDS_CLUSTER = "aws:rds/cluster:Cluster"
DYNAMODB_TABLE = "aws:dynamodb/table:Table"
BUCKET_TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


@dataclass(frozen=True)
class Figure:
    minutes: float
    source: str


MODEL: Mapping[str, Figure] = {
    "aurora_pitr_rpo": Figure(
        5,
        "RDS user guide, 'Restoring a DB cluster to a specified time': the latest restorable time is"
        " typically within 5 minutes of now",
    ),
    "aurora_restore_rto": Figure(
        90,
        "assumption: restore-db-cluster-to-point-in-time, an instance, and renaming into place"
        " (docs/runbooks/aurora-point-in-time-restore.md); grows with the volume's size",
    ),
    "global_rpo": Figure(
        1,
        "Aurora user guide, 'Using Amazon Aurora Global Database': replication lag typically under a"
        " second; a minute allowed",
    ),
    "global_failover_rto": Figure(
        30,
        "assumption: failover-global-cluster (or switchover when healthy) takes minutes, plus the"
        " applications reconnecting (docs/runbooks/regional-failover.md)",
    ),
    "dynamodb_pitr_rpo": Figure(
        5, "DynamoDB developer guide: the latest restorable time is about 5 minutes ago"
    ),
    "dynamodb_restore_rto": Figure(
        60, "assumption: restore-table-to-point-in-time into a new table, then switch"
    ),
    "dynamodb_replica_rpo": Figure(
        1, "DynamoDB global tables: replicas typically within a second; a minute allowed"
    ),
    "dynamodb_replica_rto": Figure(
        15, "assumption: the application switches to the replica region's endpoint"
    ),
    "s3_versions_rpo": Figure(
        0, "S3 versioning keeps every overwritten or deleted version (within its expiry)"
    ),
    "s3_versions_rto": Figure(60, "assumption: restoring versions with the runbook's script"),
    "s3_replication_rtc_rpo": Figure(
        15, "S3 Replication Time Control: 99.99% of objects within 15 minutes (SLA)"
    ),
    "s3_replication_rpo": Figure(
        60, "assumption: S3 replication without RTC has no SLA; most objects replicate within minutes"
    ),
    "s3_origin_failover_rto": Figure(
        5,
        "CloudFront origin groups fail over per request on the listed status codes; cached objects and"
        " retries settle within minutes",
    ),
    "s3_manual_switch_rto": Figure(120, "assumption: pointing the distribution at the replica by a change"),
    "backup_copy_minutes": Figure(
        60,
        "assumption: a copy job finishes within an hour of its backup (AWS Backup starts it after"
        " the backup)",
    ),
    "backup_restore_rto": Figure(
        240, "assumption: restoring a recovery point with AWS Backup and pointing the stack at it"
    ),
    "backup_other_account_rto": Figure(
        1440, "assumption: a new account, the stack deployed there, then restores from the shared vault"
    ),
}
"""What each mechanism stands for, in minutes. Sources are AWS documentation where it gives a
figure; the rest are stated assumptions about the runbooks."""


@dataclass(frozen=True)
class Objective:
    rpo_minutes: float
    rto_minutes: float
    how: str

    @property
    def key(self) -> tuple[float, float]:
        return (self.rpo_minutes, self.rto_minutes)


@dataclass
class ResourceRecovery:
    name: str
    kind: str
    region: str | None
    scenarios: dict[str, Objective | None]


@dataclass
class StackRecovery:
    stack: str
    tier: str
    resources: list[ResourceRecovery]
    targets: Mapping[str, RecoveryTarget] = field(default_factory=dict)

    def supported(self, scenario: str) -> Objective | None:
        """The stack's figure for `scenario`: the worst resource's (None if one cannot recover)."""
        found = [r.scenarios.get(scenario) for r in self.resources]
        if any(objective is None for objective in found):
            return None
        objectives = [o for o in found if o is not None]
        return Objective(
            max((o.rpo_minutes for o in objectives), default=0),
            max((o.rto_minutes for o in objectives), default=0),
            "worst data store",
        )

    def misses(self) -> list[str]:
        """Every target the stack does not support, with the resources that miss it."""
        out = []
        for scenario, target in self.targets.items():
            for resource in self.resources:
                got = resource.scenarios.get(scenario)
                if got is None:
                    out.append(
                        f"{resource.name}: not recoverable when {scenario_text(scenario)}"
                        f" (target RPO {duration_text(target.rpo_minutes)})"
                    )
                    continue
                if got.rpo_minutes > target.rpo_minutes:
                    out.append(
                        f"{resource.name}: RPO {duration_text(got.rpo_minutes)}"
                        f" when {scenario_text(scenario)} ({got.how}),"
                        f" target {duration_text(target.rpo_minutes)}"
                    )
                if got.rto_minutes > target.rto_minutes:
                    out.append(
                        f"{resource.name}: RTO {duration_text(got.rto_minutes)}"
                        f" when {scenario_text(scenario)} ({got.how}),"
                        f" target {duration_text(target.rto_minutes)}"
                    )
        return out


# ---------------------------------------------------------------------------------------------
# What the render supports


def _m(name: str) -> float:
    return MODEL[name].minutes


def hours_between(cron: str) -> float | None:
    """Hours between runs of an AWS cron expression (`cron(m h dom mon dow y)`) whose minutes are
    fixed and whose hours are `h`, `a/b`, `*` or a list; None when it cannot tell."""
    fields = str(cron).removeprefix("cron(").removesuffix(")").split()
    if len(fields) != 6 or not fields[0].isdigit():
        return None
    hours = fields[1]
    if hours == "*":
        return 1
    if "/" in hours:
        step = hours.split("/")[1]
        return float(step) if step.isdigit() else None
    if all(part.isdigit() for part in hours.split(",")):
        runs = sorted({int(part) for part in hours.split(",")})
        gaps = [b - a for a, b in itertools.pairwise(runs)] + [24 - runs[-1] + runs[0]]
        return float(max(gaps))
    return None


def _plans_for(r: ResourceView, stack: StackView) -> list[ResourceView]:
    plans = {p.id: p for p in stack.of_type(PLAN)}
    return [
        plans[str(selection.get("planId"))]
        for selection in stack.same_place(r, SELECTION)
        if selects(selection, r) and str(selection.get("planId")) in plans
    ]


def _backup_objectives(r: ResourceView, stack: StackView) -> dict[str, list[Objective]]:
    found: dict[str, list[Objective]] = {s: [] for s in SCENARIOS}
    for plan in _plans_for(r, stack):
        for backup_rule in _seq(plan.get("rules")):
            if not isinstance(backup_rule, Mapping):
                continue
            hours = hours_between(backup_rule.get("schedule", ""))
            if hours is None:
                continue
            rpo = hours * 60
            found["deleted_data"].append(
                Objective(rpo, _m("backup_restore_rto"), f"AWS Backup every {hours:g} h")
            )
            for copy in _seq(backup_rule.get("copyActions")):
                place = vault_place(copy.get("destinationVaultArn")) if isinstance(copy, Mapping) else None
                if place is None:
                    continue
                region, account = place
                copied = rpo + _m("backup_copy_minutes")
                if region != r.region:
                    found["region_lost"].append(
                        Objective(copied, _m("backup_restore_rto"), f"AWS Backup copy to {region}")
                    )
                if account != r.account:
                    found["account_lost"].append(
                        Objective(
                            copied, _m("backup_other_account_rto"), f"AWS Backup copy to account {account}"
                        )
                    )
    return found


def _aurora(r: ResourceView, stack: StackView, found: dict[str, list[Objective]]) -> None:
    days = float(r.get("backupRetentionPeriod", 1))
    found["deleted_data"].append(
        Objective(
            _m("aurora_pitr_rpo"), _m("aurora_restore_rto"), f"Aurora point-in-time restore ({days:g} days)"
        )
    )
    global_id = r.get("globalClusterIdentifier")
    if global_id:
        secondaries = [
            c
            for c in stack.of_type(RDS_CLUSTER)
            if c is not r and c.get("globalClusterIdentifier") == global_id and c.region != r.region
        ]
        if secondaries:
            found["region_lost"].append(
                Objective(
                    _m("global_rpo"),
                    _m("global_failover_rto"),
                    f"Aurora Global Database secondary in {secondaries[0].region}",
                )
            )


def _dynamodb(r: ResourceView, stack: StackView, found: dict[str, list[Objective]]) -> None:
    if _truthy(r.get("pointInTimeRecovery.enabled")):
        found["deleted_data"].append(
            Objective(_m("dynamodb_pitr_rpo"), _m("dynamodb_restore_rto"), "DynamoDB point-in-time recovery")
        )
    replicas = [
        x for x in _seq(r.get("replicas")) if isinstance(x, Mapping) and x.get("regionName") != r.region
    ]
    if replicas:
        found["region_lost"].append(
            Objective(
                _m("dynamodb_replica_rpo"),
                _m("dynamodb_replica_rto"),
                f"DynamoDB global table replica in {replicas[0].get('regionName')}",
            )
        )


def _bucket(r: ResourceView, stack: StackView, found: dict[str, list[Objective]]) -> None:
    versioned = any(
        isinstance(v.get("versioningConfiguration"), Mapping)
        and v.get("versioningConfiguration.status") == "Enabled"
        for v in stack.referring_to(r, (VERSIONING,), "bucket")
    )
    if versioned:
        found["deleted_data"].append(
            Objective(_m("s3_versions_rpo"), _m("s3_versions_rto"), "S3 object versions")
        )
    for replication in stack.referring_to(r, (REPLICATION,), "bucket"):
        for replication_rule in _seq(replication.get("rules")):
            if not isinstance(replication_rule, Mapping) or replication_rule.get("status") != "Enabled":
                continue
            destination = replication_rule.get("destination") or {}
            target = _bucket_by_arn(stack, destination.get("bucket"))
            if target is None or target.region == r.region:
                continue
            rtc = (destination.get("replicationTime") or {}).get("status") == "Enabled"
            rpo = _m("s3_replication_rtc_rpo") if rtc else _m("s3_replication_rpo")
            failover = _origin_group_fails_over(stack, r, target)
            rto = _m("s3_origin_failover_rto") if failover else _m("s3_manual_switch_rto")
            how = f"S3 replication to {target.region}" + (
                " with a CloudFront origin group" if failover else ""
            )
            found["region_lost"].append(Objective(rpo, rto, how))


def _bucket_by_arn(stack: StackView, arn: Any) -> ResourceView | None:
    return next((b for b in stack.of_type(*BUCKET_TYPES) if arn is not None and b.arn == arn), None)


def _origin_group_fails_over(stack: StackView, primary: ResourceView, replica: ResourceView) -> bool:
    """A distribution has an origin group whose first member serves `primary` and whose second
    serves `replica` (by their regional domain names)."""
    for distribution in stack.of_type(DISTRIBUTION):
        origins = {
            o.get("originId"): str(o.get("domainName", ""))
            for o in _seq(distribution.get("origins"))
            if isinstance(o, Mapping)
        }
        for group in _seq(distribution.get("originGroups")):
            members = [m.get("originId") for m in _seq(group.get("members")) if isinstance(m, Mapping)]
            if len(members) < 2 or not _seq((group.get("failoverCriteria") or {}).get("statusCodes")):
                continue
            first, second = origins.get(members[0], ""), origins.get(members[1], "")
            if _serves(first, primary) and _serves(second, replica):
                return True
    return False


def _serves(domain: str, bucket: ResourceView) -> bool:
    name = bucket.get("bucket") or bucket.name
    return bool(name) and domain.startswith(f"{name}.s3.")


KINDS: Mapping[str, Any] = {
    RDS_CLUSTER: _aurora,
    DYNAMODB_TABLE: _dynamodb,
    **{t: _bucket for t in BUCKET_TYPES},
}


def data_stores(stack: StackView) -> list[ResourceView]:
    """What `backup-covered` looks at, without its exemptions and without global secondaries (their
    data is the primary's, reported there)."""
    return [
        r
        for r in stack.of_type(*BACKED_UP)
        if not exempt("backup-covered", r) and not (r.type == RDS_CLUSTER and _is_global_secondary(r))
    ]


def analyse(stack: StackView, targets: Mapping[str, RecoveryTarget] | None = None) -> StackRecovery:
    resources = []
    for r in data_stores(stack):
        found = _backup_objectives(r, stack)
        kind = KINDS.get(r.type)
        if kind is not None:
            kind(r, stack, found)
        resources.append(
            ResourceRecovery(
                name=r.name,
                kind=BACKED_UP[r.type],
                region=r.region,
                scenarios={s: min(found[s], key=lambda o: o.key) if found[s] else None for s in SCENARIOS},
            )
        )
    return StackRecovery(stack.name, stack.tier, resources, dict(targets or {}))


def recovery_of(rendered: RenderedStack, project_dir: Path = stackfiles.PROJECT_ROOT) -> StackRecovery:
    """The stack's recovery, against the targets of its config."""
    raw = stackfiles.read_stack_files(rendered.stack, project_dir)
    cfg = load_config(raw.values, secret_keys=raw.secret_keys)
    view = stack_view(rendered, tier=cfg.tier.value)
    targets = {str(s): t for s, t in cfg.backup.recovery_targets.items()} if cfg.backup.enabled else {}
    return analyse(view, targets)


def duration_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 60 and value % 60 == 0:
        return f"{value / 60:g} h"
    return f"{value:g} min"


def scenario_text(scenario: str) -> str:
    return {
        "deleted_data": "data is deleted",
        "region_lost": "a region is lost",
        "account_lost": "the account is lost",
    }[scenario]
