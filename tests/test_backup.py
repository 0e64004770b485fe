"""Backups (AWS Backup): what every stack builds, per tier, and the guards.

Read as a specification: a vault with its own key in every region of an environment, a plan that
selects by tag what the components tag, prod copies to another region and to the shared account,
vault policies that refuse deleting recovery points, compliance-mode locks on prod vaults.
Expectations come from AWS Backup's API model in botocore (names, operations, the lock's 3-day
cooling-off) and AWS's documented ARN form, not from the component.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import botocore.session
import pytest

from social_components.backup import BackupArgs, BackupPlanArgs, CopyDestination, VaultLock
from social_components.backup.validation import validate
from social_components.streaming import StreamingArgs
from social_components.streaming.validation import validate as validate_streaming
from social_platform.mocks import SHARED_STACK_OUTPUTS
from social_platform.render import RenderedResource, RenderedStack

from .conftest import ENVIRONMENTS, assert_config_error, raw_config

VAULT = "aws:backup/vault:Vault"
PLAN = "aws:backup/plan:Plan"
SELECTION = "aws:backup/selection:Selection"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
KMS_KEY = "aws:kms/key:Key"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
BUCKET = "aws:s3/bucket:Bucket"
# AWS Backup's ARN form (API reference, CreateBackupVault):
# arn:aws:backup:<region>:<account>:backup-vault:<name>.
VAULT_ARN = re.compile(
    r"^arn:aws:backup:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):backup-vault:(?P<name>.+)$"
)


@cache
def backup_model() -> Any:
    return botocore.session.get_session().get_service_model("backup")


def member_doc(shape: str, member: str) -> str:
    return str(backup_model().shape_for(shape).members[member].documentation)


def vaults_by_region(stack: RenderedStack) -> dict[str, RenderedResource]:
    return {str(v.region): v for v in stack.of_type(VAULT)}


def policy_of(stack: RenderedStack, vault: RenderedResource) -> dict[str, Any]:
    found = [p for p in stack.of_type(VAULT_POLICY) if p.inputs["backupVaultName"] == vault.inputs["name"]]
    assert len(found) == 1, vault.name
    document = found[0].inputs["policy"]
    return json.loads(document) if isinstance(document, str) else document


def copy_destinations(plan: RenderedResource) -> list[str]:
    return [
        copy["destinationVaultArn"] for rule in plan.inputs["rules"] for copy in rule.get("copyActions") or []
    ]


def stack_regions(stack: RenderedStack) -> list[str]:
    return list(stack.outputs["regions"])


# --- every environment -------------------------------------------------------------------------


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_every_region_of_an_environment_has_a_vault_with_its_own_customer_key(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    vaults = vaults_by_region(r)
    assert sorted(vaults) == sorted(stack_regions(r))
    key_arns = {k.arn: k for k in r.of_type(KMS_KEY)}
    for region, vault in vaults.items():
        key = key_arns.get(vault.inputs.get("kmsKeyArn"))
        assert key is not None, f"{vault.name} is not encrypted with a key of this stack"
        assert key.region == region and key.inputs["enableKeyRotation"] is True
        assert vault.inputs.get("forceDestroy") is not True


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_vault_names_are_what_aws_backup_accepts(stack: str, rendered: dict[str, RenderedStack]) -> None:
    pattern = (
        backup_model().shape_for("CreateBackupVaultInput").members["BackupVaultName"].metadata["pattern"]
    )
    for vault in rendered[stack].of_type(VAULT):
        assert re.match(pattern, vault.inputs["name"]), vault.inputs["name"]


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_each_plan_selects_by_the_environment_tag_with_a_role_backup_assumes(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    plans = r.of_type(PLAN)
    assert sorted(str(p.region) for p in plans) == sorted(stack_regions(r))
    condition_types = backup_model().shape_for("ConditionType").enum
    for plan in plans:
        (selection,) = [s for s in r.of_type(SELECTION) if s.inputs["planId"] == plan.id]
        assert [(t["type"], t["key"], t["value"]) for t in selection.inputs["selectionTags"]] == [
            ("STRINGEQUALS", "BackupPlan", stack)
        ]
        assert {t["type"] for t in selection.inputs["selectionTags"]} <= set(condition_types)
        role = next(x for x in r.of_type("aws:iam/role:Role") if x.arn == selection.inputs["iamRoleArn"])
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert trust["Statement"][0]["Principal"] == {"Service": "backup.amazonaws.com"}
        (rule,) = plan.inputs["rules"]
        assert rule["targetVaultName"] in {
            v.inputs["name"] for v in r.of_type(VAULT) if v.region == plan.region
        }


def _hours_between_backups(cron: str) -> int:
    """Hours between two runs of an AWS cron expression whose hour field is `h`, `a/b` or `*`."""
    minutes, hours, *_ = cron.removeprefix("cron(").removesuffix(")").split()
    assert minutes.isdigit(), cron
    if "/" in hours:
        return int(hours.split("/")[1])
    return 24 if hours.isdigit() else 1


@pytest.mark.parametrize(("stack", "hours", "days"), [("dev", 24, 7), ("staging", 24, 14), ("prod", 4, 35)])
def test_backup_frequency_and_retention_per_tier(
    stack: str, hours: int, days: int, rendered: dict[str, RenderedStack]
) -> None:
    for plan in rendered[stack].of_type(PLAN):
        (rule,) = plan.inputs["rules"]
        assert _hours_between_backups(rule["schedule"]) == hours
        assert rule["lifecycle"]["deleteAfter"] == days


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_every_vault_policy_refuses_deleting_recovery_points_to_everyone(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    operations = set(backup_model().operation_names)
    for vault in rendered[stack].of_type(VAULT):
        denies = [s for s in policy_of(rendered[stack], vault)["Statement"] if s["Effect"] == "Deny"]
        denied = {a for s in denies if s["Principal"] in ("*", {"AWS": "*"}) for a in s["Action"]}
        assert "backup:DeleteRecoveryPoint" in denied, vault.name
        # Every denied action is one of AWS Backup's real operations (a typo would deny nothing).
        assert {a.removeprefix("backup:") for a in denied} <= operations


def test_the_platform_tags_what_holds_data_with_its_plan(rendered: dict[str, RenderedStack]) -> None:
    prod = rendered["prod"]
    for cluster in prod.of_type(RDS_CLUSTER):
        assert cluster.inputs["tags"]["BackupPlan"] == "prod", cluster.name
    tagged = {
        b.name for b in prod.of_type(BUCKET) if (b.inputs.get("tags") or {}).get("BackupPlan") == "prod"
    }
    assert {"edge-media", "streaming-recordings"} <= tagged
    assert "edge-logs" not in tagged


def test_an_unversioned_recording_bucket_is_not_tagged_for_aws_backup(
    rendered: dict[str, RenderedStack],
) -> None:
    """AWS Backup backs up versioned buckets only; dev's recording bucket is not versioned."""
    bucket = rendered["dev"].named("streaming-recordings", BUCKET)
    assert "BackupPlan" not in (bucket.inputs.get("tags") or {})
    with pytest.raises(ValueError, match="versioned"):
        validate_streaming(StreamingArgs(enable_recording_versioning=False, backup_tags={"BackupPlan": "x"}))


# --- prod: copies elsewhere, locks -------------------------------------------------------------


def test_prod_copies_every_recovery_point_to_another_region_and_to_the_shared_account(
    rendered: dict[str, RenderedStack],
) -> None:
    prod = rendered["prod"]
    own_account = prod.outputs["account_id"]
    vault_arns = {v.arn for v in prod.of_type(VAULT)}
    for plan in prod.of_type(PLAN):
        places = [VAULT_ARN.match(arn) for arn in copy_destinations(plan)]
        assert all(places), copy_destinations(plan)
        other_regions = [
            m for m in places if m and m["region"] != plan.region and m["account"] == own_account
        ]
        other_accounts = [m for m in places if m and m["account"] != own_account]
        assert other_regions and other_accounts, plan.name
        # the other region's copy goes to a vault this stack builds
        assert {m.group(0) for m in other_regions} <= vault_arns


def test_the_shared_vault_prod_copies_into_is_the_one_the_shared_stack_exports(
    rendered: dict[str, RenderedStack],
) -> None:
    shared = rendered["shared"]
    (vault,) = shared.of_type(VAULT)
    assert (
        shared.outputs["backup_copy_vault_arn"] == vault.arn == SHARED_STACK_OUTPUTS["backup_copy_vault_arn"]
    )
    prod_account = rendered["prod"].outputs["account_id"]
    allows = [s for s in policy_of(shared, vault)["Statement"] if s["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": "AllowCopiesFromSourceAccounts",
            "Effect": "Allow",
            "Principal": {"AWS": [f"arn:aws:iam::{prod_account}:root"]},
            "Action": "backup:CopyIntoBackupVault",
            "Resource": "*",
        }
    ]
    assert shared.of_type(PLAN) == []


@pytest.mark.parametrize("stack", ["prod", "shared"])
def test_prod_vaults_are_locked_in_compliance_mode(stack: str, rendered: dict[str, RenderedStack]) -> None:
    r = rendered[stack]
    assert "3 or greater" in member_doc("PutBackupVaultLockConfigurationInput", "ChangeableForDays")
    locks = {lock.inputs["backupVaultName"]: lock for lock in r.of_type(VAULT_LOCK)}
    for vault in r.of_type(VAULT):
        lock = locks[vault.inputs["name"]]
        # ChangeableForDays set = compliance mode (immutable after it); at least 3 days by AWS's rule.
        assert lock.inputs["changeableForDays"] >= 3
        assert 1 <= lock.inputs["minRetentionDays"] <= lock.inputs["maxRetentionDays"]
    for plan in r.of_type(PLAN):
        vault = next(v for v in r.of_type(VAULT) if v.region == plan.region)
        lock = locks[vault.inputs["name"]]
        (rule,) = plan.inputs["rules"]
        assert (
            lock.inputs["minRetentionDays"]
            <= rule["lifecycle"]["deleteAfter"]
            <= lock.inputs["maxRetentionDays"]
        )


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_dev_and_staging_vaults_are_not_locked_and_not_copied(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    assert r.of_type(VAULT_LOCK) == []
    assert all(copy_destinations(p) == [] for p in r.of_type(PLAN))


# --- config guards -----------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["copy_to_shared", "copy_to_other_region", "vault_lock"])
def test_prod_may_not_turn_off_copies_or_the_lock(key: str) -> None:
    assert_config_error("prod", {f"backup.{key}": False}, f"backup.{key}", "prod")


def test_copies_to_another_region_need_a_second_region() -> None:
    assert_config_error(
        "staging", {"backup.copy_to_other_region": True}, "backup.copy_to_other_region", "second region"
    )


def test_copies_to_the_shared_account_need_the_shared_stack() -> None:
    raw = raw_config("staging")
    assert raw.get("shared_stack")
    assert_config_error(
        "staging",
        {"backup.copy_to_shared": True, "shared_stack": None},
        "backup.copy_to_shared",
        "shared_stack",
    )


def test_a_retention_outside_the_lock_is_refused_before_anything_is_built() -> None:
    assert_config_error("prod", {"backup.retention_days": 500}, "backup.retention_days", "vault lock")
    assert_config_error("prod", {"backup.copy_retention_days": 3}, "backup.copy_retention_days", "vault lock")


def test_the_shared_vault_admits_only_environments_that_exist() -> None:
    assert_config_error("shared", {"backup.copy_from": ["qa-env"]}, "backup.copy_from", "not an environment")


# --- the component's own checks ------------------------------------------------------------------


def _plan(**overrides: Any) -> BackupPlanArgs:
    return BackupPlanArgs(**{"selection_tags": {"BackupPlan": "x"}, **overrides})


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (BackupArgs(vault_name="a"), "vault name"),
        (BackupArgs(vault_name="has space"), "vault name"),
        (BackupArgs(vault_lock=VaultLock(min_retention_days=30, max_retention_days=7)), "above"),
        (BackupArgs(vault_lock=VaultLock(7, 30, changeable_for_days=2)), "at least 3"),
        (BackupArgs(plan=_plan(retention_days=400), vault_lock=VaultLock(7, 35)), "outside the vault lock"),
        (BackupArgs(plan=_plan(selection_tags={})), "at least one tag"),
        (BackupArgs(plan=_plan(copies={"x": CopyDestination("arn", 0)})), "copies.x.retention_days"),
        (BackupArgs(copy_source_account_ids=["123"]), "12-digit"),
    ],
)
def test_bad_backup_args_are_refused_with_the_argument_named(args: BackupArgs, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        validate("backup", args)
    validate("backup", BackupArgs(plan=_plan(), vault_lock=VaultLock(7, 35)))


# --- prod media: replica in the second region, CloudFront fails over to it ----------------------

REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"


@cache
def s3_model() -> Any:
    return botocore.session.get_session().get_service_model("s3")


def test_prod_media_replicates_to_a_kms_encrypted_versioned_bucket_in_the_other_region(
    rendered: dict[str, RenderedStack],
) -> None:
    prod = rendered["prod"]
    media = prod.named("edge-media", BUCKET)
    (replication,) = prod.of_type(REPLICATION)
    assert replication.inputs["bucket"] == media.id and replication.region == media.region
    (rule,) = replication.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["deleteMarkerReplication"]["status"] == "Enabled"
    destination = rule["destination"]
    replica = next(b for b in prod.of_type(BUCKET) if b.arn == destination["bucket"])
    assert replica.region != media.region and replica.protect
    # Replication Time Control: botocore's model says the only valid value is 15 minutes.
    assert "Valid value: 15" in str(
        s3_model().shape_for("ReplicationTimeValue").members["Minutes"].documentation
    )
    assert destination["replicationTime"] == {"status": "Enabled", "time": {"minutes": 15}}
    # KMS on the replica side: its default encryption and the replication's replica key are one key there.
    key = next(
        k for k in prod.of_type(KMS_KEY) if k.arn == destination["encryptionConfiguration"]["replicaKmsKeyId"]
    )
    assert key.region == replica.region
    (sse,) = [
        e
        for e in prod.of_type(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        )
        if e.inputs["bucket"] == replica.id
    ]
    assert sse.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key.arn,
    }
    # S3 replicates versioned buckets only, and both sides must be versioned before the rule.
    versionings = prod.of_type("aws:s3/bucketVersioning:BucketVersioning")
    for bucket in (media, replica):
        (versioning,) = [v for v in versionings if v.inputs["bucket"] == bucket.id]
        assert versioning.inputs["versioningConfiguration"]["status"] == "Enabled"
        assert versioning.urn in replication.depends_on


def test_prod_media_is_served_by_an_origin_group_that_fails_over_to_the_replica(
    rendered: dict[str, RenderedStack],
) -> None:
    prod = rendered["prod"]
    (distribution,) = prod.of_type(DISTRIBUTION)
    origins = {o["originId"]: o["domainName"] for o in distribution.inputs["origins"]}
    (group,) = distribution.inputs["originGroups"]
    first, second = (m["originId"] for m in group["members"])
    assert origins[first].startswith(prod.named("edge-media", BUCKET).inputs["bucket"] + ".s3.eu-west-1.")
    assert origins[second].startswith(
        prod.named("edge-media-replica", BUCKET).inputs["bucket"] + ".s3.eu-central-1."
    )
    assert {int(c) for c in group["failoverCriteria"]["statusCodes"]} == {500, 502, 503, 504}
    (media,) = [b for b in distribution.inputs["orderedCacheBehaviors"] if b["pathPattern"] == "/media/*"]
    assert media["targetOriginId"] == group["originId"]
    # CloudFront fails over only GET, HEAD and OPTIONS requests; the behaviour allows nothing else.
    assert set(media["allowedMethods"]) <= {"GET", "HEAD", "OPTIONS"}
    # The replica is readable by this distribution only, like the media bucket.
    replica = prod.named("edge-media-replica", BUCKET)
    (policy,) = [
        p for p in prod.of_type("aws:s3/bucketPolicy:BucketPolicy") if p.inputs["bucket"] == replica.id
    ]
    document = (
        json.loads(policy.inputs["policy"])
        if isinstance(policy.inputs["policy"], str)
        else policy.inputs["policy"]
    )
    reads = [s for s in document["Statement"] if s["Effect"] == "Allow"]
    assert reads and all(s["Condition"]["StringEquals"]["AWS:SourceArn"] == distribution.arn for s in reads)


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_media_has_no_replica_outside_prod(stack: str, rendered: dict[str, RenderedStack]) -> None:
    r = rendered[stack]
    assert r.of_type(REPLICATION) == []
    (distribution,) = r.of_type(DISTRIBUTION)
    assert not distribution.inputs.get("originGroups")


def test_prod_may_not_turn_off_the_media_replica() -> None:
    assert_config_error("prod", {"edge.media_replica": False}, "edge.media_replica", "prod")
    assert_config_error("staging", {"edge.media_replica": True}, "edge.media_replica", "second region")
