"""The security and audit baseline: what every stack's render shows for its own account, and the
shared stack's log archive.

Read as a specification: one multi-region trail per account with log-file validation, delivered to
the shared account's log archive (versioned, Object Lock in governance mode, a bucket policy naming
each account's trail) and to a log group whose metric filters raise the CIS alarms; AWS Config,
GuardDuty with the protections the issue names, Security Hub with FSBP and CIS, Inspector and Access
Analyzer in every region the stack uses; EBS encryption by default with a customer key, S3's account
public access block, the IAM password policy. Expectations come from AWS's own models and
documents (botocore, the CIS benchmark's patterns as AWS Security Hub's CloudWatch controls quote
them, the stack files' account list), not from the component.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import botocore.session
import pytest
import yaml

from social_platform import stackfiles
from social_platform.errors import ConfigError
from social_platform.policies import RULES, evaluate
from social_platform.render import RenderedResource, RenderedStack
from social_platform.stackview import stack_view

from .conftest import ENVIRONMENTS, STACKS, assert_config_error, load_with

TRAIL = "aws:cloudtrail/trail:Trail"
DETECTOR = "aws:guardduty/detector:Detector"
FEATURE = "aws:guardduty/detectorFeature:DetectorFeature"
RECORDER = "aws:cfg/recorder:Recorder"
CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"
HUB_STANDARD = "aws:securityhub/standardsSubscription:StandardsSubscription"
FILTER = "aws:cloudwatch/logMetricFilter:LogMetricFilter"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PROVIDER = "pulumi:providers:aws"


def document(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else dict(value)


def statements(value: Any) -> list[dict[str, Any]]:
    found = document(value)["Statement"]
    return found if isinstance(found, list) else [found]


def project_accounts() -> dict[str, str]:
    """Every account of the organization, read from Pulumi.yaml itself."""
    project = yaml.safe_load((stackfiles.PROJECT_ROOT / "Pulumi.yaml").read_text())
    accounts = project["config"][f"{stackfiles.PREFIX}accounts"]["value"]
    return {name: spec["id"] for name, spec in accounts.items()}


def own_account(stack: RenderedStack) -> str:
    return str(stack.outputs["account_id"])


def used_regions(stack: RenderedStack) -> set[str]:
    """Regions the stack declares resources of its own in, in its own account (NS/DS records it
    writes into the shared account's zone aside)."""
    account = own_account(stack)
    return {r.region for r in stack if r.is_aws and r.account == account and r.region}


# ---------------------------------------------------------------------------------------------
# Every account and region


@pytest.mark.parametrize("name", STACKS)
def test_every_region_a_stack_uses_has_guardduty_config_security_hub_and_a_trail(
    name: str, rendered: dict[str, RenderedStack]
) -> None:
    stack = rendered[name]
    account = own_account(stack)
    regions = used_regions(stack)
    assert {"us-east-1"} < regions  # the edge's and DNSSEC's region is watched too

    def regions_of(type_: str) -> set[str]:
        return {r.region for r in stack.of_type(type_) if r.account == account and r.region}

    assert regions_of(DETECTOR) == regions
    assert regions_of(RECORDER) == regions == regions_of(CHANNEL)
    assert regions_of("aws:securityhub/account:Account") == regions
    assert regions_of("aws:inspector2/enabler:Enabler") == regions
    assert regions_of("aws:accessanalyzer/analyzer:Analyzer") == regions
    trails = [t for t in stack.of_type(TRAIL) if t.account == account]
    assert len(trails) == 1, "one trail per account: its management events are the free copy"
    trail = trails[0].inputs
    assert trail["isMultiRegionTrail"] and trail["includeGlobalServiceEvents"]
    assert trail["enableLogFileValidation"] and trail["kmsKeyId"] and trail["cloudWatchLogsGroupArn"]
    # Global resources (IAM) are recorded once, in the home region, not once per region.
    global_recorders = [
        r for r in stack.of_type(RECORDER) if r.inputs["recordingGroup"].get("includeGlobalResourceTypes")
    ]
    assert [r.region for r in global_recorders] == [stack.outputs["regions"][0]]


def test_a_region_without_guardduty_or_config_breaks_the_rule(rendered: dict[str, RenderedStack]) -> None:
    view = stack_view(rendered["prod"])
    rule = RULES["baseline-every-region"]
    assert evaluate(view, [rule]) == []
    for missing in (DETECTOR, RECORDER, TRAIL):
        broken = replace(
            view,
            resources=tuple(
                r
                for r in view.resources
                if not (r.type == missing and r.region in ("eu-central-1", "eu-west-1"))
            ),
        )
        found = evaluate(broken, [rule])
        assert found and all("444444444444" in v.message for v in found), missing


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_environment_trails_and_config_deliver_to_the_shared_log_archive(
    name: str, rendered: dict[str, RenderedStack]
) -> None:
    stack = rendered[name]
    archive = rendered["shared"].outputs["log_archive"]
    assert not stack.of_type(BUCKET_POLICY) or all(
        "log-archive" not in r.name for r in stack.of_type(BUCKET)
    ), "an environment with a shared stack keeps no archive of its own"
    from social_platform.mocks import SHARED_STACK_OUTPUTS

    shared = SHARED_STACK_OUTPUTS["log_archive"]
    assert archive["bucket"] == shared["bucket"]  # the mock answers with what the shared stack exports
    (trail,) = stack.of_type(TRAIL)
    assert trail.inputs["s3BucketName"] == shared["bucket"]
    assert trail.inputs["kmsKeyId"] == shared["kms_key_arn"]
    for channel in stack.of_type(CHANNEL):
        assert channel.inputs["s3BucketName"] == shared["bucket"]
        assert channel.inputs["s3KmsKeyArn"] == shared["kms_key_arn"]


def test_prod_trail_records_object_reads_and_writes_of_every_user_data_bucket(
    rendered: dict[str, RenderedStack],
) -> None:
    stack = rendered["prod"]
    (trail,) = stack.of_type(TRAIL)
    (selector,) = trail.inputs["eventSelectors"]
    assert selector["readWriteType"] == "All" and selector["includeManagementEvents"]
    (data,) = selector["dataResources"]
    assert data["type"] == "AWS::S3::Object"
    # The media bucket (uploads) and the recordings (ARNs as the offline render names the buckets).
    media = stack.named("edge-media", BUCKET).inputs["bucket"]
    assert sorted(data["values"]) == sorted([f"arn:aws:s3:::{media}/", "arn:aws:s3:::streaming-recordings/"])


# ---------------------------------------------------------------------------------------------
# The log archive


@pytest.fixture(scope="module")
def archive(rendered: dict[str, RenderedStack]) -> dict[str, RenderedResource]:
    stack = rendered["shared"]
    bucket = stack.named("log-archive-archive", BUCKET)

    def of(type_: str) -> RenderedResource:
        (found,) = [r for r in stack.of_type(type_) if r.inputs.get("bucket") == bucket.id]
        return found

    return {
        "bucket": bucket,
        "policy": of(BUCKET_POLICY),
        "lock": of("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration"),
        "versioning": of("aws:s3/bucketVersioning:BucketVersioning"),
        "lifecycle": of("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"),
        "encryption": of(
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
        ),
        "key": stack.named("log-archive-archive-key", "aws:kms/key:Key"),
    }


def test_the_log_archive_lives_in_the_shared_account_and_is_protected(
    archive: dict[str, RenderedResource],
) -> None:
    bucket = archive["bucket"]
    assert bucket.account == project_accounts()["shared"]
    assert bucket.inputs["objectLockEnabled"] is True
    assert bucket.protect and archive["key"].protect
    assert archive["versioning"].inputs["versioningConfiguration"]["status"] == "Enabled"
    (rule,) = archive["encryption"].inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "aws:kms"


def test_the_archive_locks_every_file_in_governance_mode_for_the_configured_days(
    archive: dict[str, RenderedResource], tmp_path: Any
) -> None:
    lock = archive["lock"].inputs
    assert lock["objectLockEnabled"] == "Enabled"
    assert lock["rule"]["defaultRetention"] == {"mode": "GOVERNANCE", "days": 365}
    (rule,) = archive["lifecycle"].inputs["rules"]
    assert rule["status"] == "Enabled" and rule["transitions"][0]["storageClass"] == "GLACIER_IR"
    assert "expiration" not in rule or not rule["expiration"], "prod keeps its audit logs"


def test_the_archive_policy_names_each_account_s_trail_and_its_own_prefix(
    archive: dict[str, RenderedResource],
) -> None:
    found = statements(archive["policy"].inputs["policy"])
    writes = {
        s["Condition"]["ArnLike"]["aws:SourceArn"]: s["Resource"]
        for s in found
        if s["Effect"] == "Allow"
        and s["Principal"] == {"Service": "cloudtrail.amazonaws.com"}
        and s["Action"] == "s3:PutObject"
    }
    accounts = project_accounts()
    expected = {f"arn:aws:cloudtrail:*:{account}:trail/social-account-trail" for account in accounts.values()}
    assert set(writes) == expected
    for account in accounts.values():
        trail = f"arn:aws:cloudtrail:*:{account}:trail/social-account-trail"
        assert writes[trail].endswith(f"/AWSLogs/{account}/*")
    config_writers = {
        s["Condition"]["StringEquals"]["aws:SourceAccount"]
        for s in found
        if s["Principal"] == {"Service": "config.amazonaws.com"} and s["Action"] == "s3:PutObject"
    }
    assert config_writers == set(accounts.values())
    assert any(
        s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in found
    )


def test_the_archive_key_lets_cloudtrail_encrypt_only_for_the_named_trails(
    archive: dict[str, RenderedResource],
) -> None:
    found = statements(archive["key"].inputs["policy"])
    (encrypt,) = [
        s
        for s in found
        if s["Principal"] == {"Service": "cloudtrail.amazonaws.com"} and "kms:GenerateDataKey*" in s["Action"]
    ]
    contexts = encrypt["Condition"]["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"]
    assert sorted(contexts) == sorted(
        f"arn:aws:cloudtrail:*:{account}:trail/social-account-trail"
        for account in project_accounts().values()
    )


# ---------------------------------------------------------------------------------------------
# Alarms: the CIS benchmark's monitoring controls

CIS_EVENTS: Mapping[str, tuple[str, tuple[str, ...]]] = {
    # Control → (service whose API names the events, the event names the CIS pattern watches), as
    # quoted by AWS Security Hub's CloudWatch.4, .5, .7, .9 and .10 controls
    # (https://docs.aws.amazon.com/securityhub/latest/userguide/cloudwatch-controls.html).
    "iam-policy-changes": (
        "iam",
        (
            "DeleteGroupPolicy",
            "DeleteRolePolicy",
            "DeleteUserPolicy",
            "PutGroupPolicy",
            "PutRolePolicy",
            "PutUserPolicy",
            "CreatePolicy",
            "DeletePolicy",
            "CreatePolicyVersion",
            "DeletePolicyVersion",
            "AttachRolePolicy",
            "DetachRolePolicy",
            "AttachUserPolicy",
            "DetachUserPolicy",
            "AttachGroupPolicy",
            "DetachGroupPolicy",
        ),
    ),
    "cloudtrail-changes": (
        "cloudtrail",
        ("CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging"),
    ),
    "config-changes": (
        "config",
        (
            "StopConfigurationRecorder",
            "DeleteDeliveryChannel",
            "PutDeliveryChannel",
            "PutConfigurationRecorder",
        ),
    ),
    "kms-key-deletion": ("kms", ("DisableKey", "ScheduleKeyDeletion")),
    "security-group-changes": (
        "ec2",
        (
            "AuthorizeSecurityGroupIngress",
            "AuthorizeSecurityGroupEgress",
            "RevokeSecurityGroupIngress",
            "RevokeSecurityGroupEgress",
            "CreateSecurityGroup",
            "DeleteSecurityGroup",
        ),
    ),
}
CIS_FIELDS: Mapping[str, tuple[str, ...]] = {
    # CloudWatch.1 (root use) and CloudWatch.3 (console sign-in without MFA): the event fields tested.
    "root-usage": (
        '$.userIdentity.type = "Root"',
        "$.userIdentity.invokedBy NOT EXISTS",
        '$.eventType != "AwsServiceEvent"',
    ),
    "console-sign-in-without-mfa": ('$.eventName = "ConsoleLogin"', '$.additionalEventData.MFAUsed != "Yes"'),
}


def _filters(stack: RenderedStack) -> dict[str, RenderedResource]:
    return {r.name.removeprefix("baseline-"): r for r in stack.of_type(FILTER)}


@pytest.mark.parametrize("control", sorted(CIS_EVENTS))
def test_each_cis_change_alarm_watches_every_api_call_the_benchmark_names(
    control: str, rendered: dict[str, RenderedStack]
) -> None:
    service, events = CIS_EVENTS[control]
    operations = set(botocore.session.get_session().get_service_model(service).operation_names)
    assert set(events) <= operations, "the benchmark's event names are the service's API operations"
    pattern = _filters(rendered["prod"])[control].inputs["pattern"]
    for event in events:
        assert f"$.eventName = {event})" in pattern, event


@pytest.mark.parametrize("control", sorted(CIS_FIELDS))
def test_root_use_and_sign_in_without_mfa_are_caught(
    control: str, rendered: dict[str, RenderedStack]
) -> None:
    pattern = _filters(rendered["prod"])[control].inputs["pattern"]
    for condition in CIS_FIELDS[control]:
        assert condition in pattern


@pytest.mark.parametrize("name", STACKS)
def test_every_security_metric_has_an_alarm_that_notifies_an_encrypted_topic(
    name: str, rendered: dict[str, RenderedStack]
) -> None:
    stack = rendered[name]
    filters = _filters(stack)
    assert set(filters) >= set(CIS_EVENTS) | set(CIS_FIELDS)
    (log_group,) = [
        r for r in stack.of_type("aws:cloudwatch/logGroup:LogGroup") if r.name == "baseline-trail"
    ]
    alarms = {
        (a.inputs["namespace"], a.inputs["metricName"]): a
        for a in stack.of_type(ALARM)
        if "metricName" in a.inputs  # the ALB 5xx-rate alarms are metric math
    }
    topics = {t.id: t for t in stack.of_type("aws:sns/topic:Topic")}
    for metric_filter in filters.values():
        assert metric_filter.inputs["logGroupName"] == log_group.inputs.get("name", log_group.name)
        transform = metric_filter.inputs["metricTransformation"]
        alarm = alarms[(transform["namespace"], transform["name"])]
        assert (
            alarm.inputs["threshold"] == 1
            and alarm.inputs["comparisonOperator"] == "GreaterThanOrEqualToThreshold"
        )
        (action,) = alarm.inputs["alarmActions"]
        topic = next(t for t in topics.values() if action.endswith(t.name))
        assert topic.inputs["kmsMasterKeyId"]


# ---------------------------------------------------------------------------------------------
# Detection and posture


def test_guardduty_runs_the_protections_the_platform_needs(rendered: dict[str, RenderedStack]) -> None:
    model = botocore.session.get_session().get_service_model("guardduty")
    features = set(model.shape_for("DetectorFeature").enum)
    extras = set(model.shape_for("FeatureAdditionalConfiguration").enum)
    stack = rendered["prod"]
    for detector in stack.of_type(DETECTOR):
        assert detector.inputs["enable"] is True
        assert detector.inputs["findingPublishingFrequency"] == "FIFTEEN_MINUTES"
        mine = [f for f in stack.of_type(FEATURE) if f.inputs["detectorId"] == detector.id]
        enabled = {f.inputs["name"]: f for f in mine if f.inputs["status"] == "ENABLED"}
        assert set(enabled) <= features
        # EKS audit logs, runtime monitoring with the managed agent, RDS login activity, S3 data
        # events, malware protection for EC2/EBS (the list).
        assert {"EKS_AUDIT_LOGS", "RDS_LOGIN_EVENTS", "S3_DATA_EVENTS", "EBS_MALWARE_PROTECTION"} <= set(
            enabled
        )
        assert "RUNTIME_MONITORING" in enabled and "EKS_RUNTIME_MONITORING" not in enabled
        agent = {
            c["name"]: c["status"] for c in enabled["RUNTIME_MONITORING"].inputs["additionalConfigurations"]
        }
        assert set(agent) <= extras and agent["EKS_ADDON_MANAGEMENT"] == "ENABLED"


@pytest.mark.parametrize("name", STACKS)
def test_guardduty_findings_reach_the_region_s_alert_topic(
    name: str, rendered: dict[str, RenderedStack]
) -> None:
    stack = rendered[name]
    rules = [r for r in stack.of_type("aws:cloudwatch/eventRule:EventRule") if "guardduty" in r.name]
    assert {r.region for r in rules} == used_regions(stack)
    for rule in rules:
        pattern = document(rule.inputs["eventPattern"])
        assert pattern["source"] == ["aws.guardduty"] and pattern["detail-type"] == ["GuardDuty Finding"]
        (target,) = [
            t
            for t in stack.of_type("aws:cloudwatch/eventTarget:EventTarget")
            if t.inputs["rule"] == rule.inputs.get("name", rule.name)
        ]
        assert f":{rule.region}:" in target.inputs["arn"] and ":sns:" in target.inputs["arn"]


def test_security_hub_runs_fsbp_and_cis_in_every_region(rendered: dict[str, RenderedStack]) -> None:
    stack = rendered["prod"]
    for region in used_regions(stack):
        arns = {s.inputs["standardsArn"] for s in stack.of_type(HUB_STANDARD) if s.region == region}
        # The standards' ARNs as pulumi-aws's StandardsSubscription documentation lists them.
        assert arns == {
            f"arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
            f"arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
        }


@pytest.mark.parametrize("name", STACKS)
def test_account_settings_encrypt_volumes_block_public_buckets_and_demand_strong_passwords(
    name: str, rendered: dict[str, RenderedStack]
) -> None:
    stack = rendered[name]
    keys = {k.id: k for k in stack.of_type("aws:kms/key:Key")}
    for region in used_regions(stack):
        (default,) = [
            r for r in stack.of_type("aws:ebs/encryptionByDefault:EncryptionByDefault") if r.region == region
        ]
        assert default.inputs["enabled"] is True
        (key_setting,) = [
            r for r in stack.of_type("aws:ebs/defaultKmsKey:DefaultKmsKey") if r.region == region
        ]
        key = next(k for k in keys.values() if key_setting.inputs["keyArn"].endswith(f"/{k.name}"))
        assert key.region == region
        # Any principal of the account may use it through EC2 only, as with the AWS-managed aws/ebs key.
        (via_ec2,) = [s for s in statements(key.inputs["policy"]) if s["Principal"] == {"AWS": "*"}]
        assert via_ec2["Condition"]["StringEquals"]["kms:ViaService"] == f"ec2.{region}.amazonaws.com"
        assert via_ec2["Condition"]["StringEquals"]["kms:CallerAccount"] == own_account(stack)
    (block,) = stack.of_type("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock")
    assert all(
        block.inputs[flag]
        for flag in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    (passwords,) = stack.of_type("aws:iam/accountPasswordPolicy:AccountPasswordPolicy")
    # CIS AWS Foundations 1.8 and 1.9: at least 14 characters, no reuse of the last 24.
    assert (
        passwords.inputs["minimumPasswordLength"] >= 14 and passwords.inputs["passwordReusePrevention"] >= 24
    )
    operation = (
        botocore.session.get_session().get_service_model("iam").operation_model("UpdateAccountPasswordPolicy")
    )
    wire = {name[0].lower() + name[1:] for name in operation.input_shape.members}
    assert set(passwords.inputs) - {"maxPasswordAge"} <= wire | {"maxPasswordAge"}


# ---------------------------------------------------------------------------------------------
# Config: tier defaults and prod locks


def test_prod_keeps_the_trail_log_group_a_year(rendered: dict[str, RenderedStack]) -> None:
    (group,) = [
        r for r in rendered["prod"].of_type("aws:cloudwatch/logGroup:LogGroup") if r.name == "baseline-trail"
    ]
    assert group.inputs["retentionInDays"] >= 365


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"security.trail_log_retention_days": 90}, "security.trail_log_retention_days", "365 days or more"),
        ({"security.enable_security_hub": False}, "security.enable_security_hub", "allowed in prod: true"),
        ({"security.enabled": False}, "security.enabled", "allowed in prod: true"),
        (
            {"security.log_archive_expiration_days": 30},
            "security.log_archive_expiration_days",
            "before the Object Lock retention",
        ),
    ],
    ids=["short-trail-logs", "no-security-hub", "baseline-off", "expiry-before-lock"],
)
def test_prod_may_not_weaken_the_baseline(changes: dict[str, Any], key: str, words: str) -> None:
    assert_config_error("prod", changes, key, words)


def test_dev_may_turn_inspector_off_and_keep_trail_logs_briefly() -> None:
    cfg = load_with("dev", {"security.enable_inspector": False, "security.trail_log_retention_days": 30})
    assert cfg.security.enable_inspector is False
    with pytest.raises(ConfigError):
        load_with("dev", {"security.trail_log_retention_days": 31})  # not a CloudWatch Logs retention


# ---------------------------------------------------------------------------------------------
# DNSSEC and query logging

ZONE = "aws:route53/zone:Zone"
KSK = "aws:route53/keySigningKey:KeySigningKey"


@pytest.mark.parametrize("name", STACKS)
def test_every_public_zone_is_signed_with_a_key_in_us_east_1_and_logs_its_queries(
    name: str, rendered: dict[str, RenderedStack]
) -> None:
    stack = rendered[name]
    zones = stack.of_type(ZONE)
    assert zones
    for zone in zones:
        (ksk,) = [k for k in stack.of_type(KSK) if k.inputs["hostedZoneId"] == zone.id]
        assert ksk.inputs["status"] == "ACTIVE"
        (key,) = [
            k
            for k in stack.of_type("aws:kms/key:Key")
            if ksk.inputs["keyManagementServiceArn"].endswith(k.name)
        ]
        # Route 53 "Working with customer managed keys for DNSSEC": us-east-1, ECC_NIST_P256, SIGN_VERIFY,
        # and the dnssec-route53 service may DescribeKey, GetPublicKey and Sign.
        assert (key.account, key.region) == (zone.account, "us-east-1")
        assert (
            key.inputs["customerMasterKeySpec"] == "ECC_NIST_P256" and key.inputs["keyUsage"] == "SIGN_VERIFY"
        )
        granted = {
            action
            for s in statements(key.inputs["policy"])
            if s["Principal"] == {"Service": "dnssec-route53.amazonaws.com"}
            for action in s["Action"]
        }
        assert {"kms:DescribeKey", "kms:GetPublicKey", "kms:Sign", "kms:CreateGrant"} <= granted
        (signing,) = [
            d
            for d in stack.of_type("aws:route53/hostedZoneDnsSec:HostedZoneDnsSec")
            if d.inputs["hostedZoneId"] == zone.id
        ]
        assert signing.inputs["signingStatus"] == "SIGNING"
        (query_log,) = [
            q for q in stack.of_type("aws:route53/queryLog:QueryLog") if q.inputs["zoneId"] == zone.id
        ]
        (group,) = [
            g
            for g in stack.of_type("aws:cloudwatch/logGroup:LogGroup")
            if query_log.inputs["cloudwatchLogGroupArn"].endswith(f":log-group:{g.inputs.get('name')}")
        ]
        # Route 53 writes query logs only to us-east-1 groups whose names start with /aws/route53/.
        assert group.region == "us-east-1" and group.inputs["name"].startswith("/aws/route53/")


@pytest.mark.parametrize("name", ENVIRONMENTS)
def test_the_parent_zone_vouches_for_each_environment_zone_s_key(
    name: str, rendered: dict[str, RenderedStack]
) -> None:
    from social_platform.mocks import SHARED_STACK_OUTPUTS

    stack = rendered[name]
    (zone,) = stack.of_type(ZONE)
    assert len(stack.of_type(KSK)) == 1
    (ds,) = [r for r in stack.of_type("aws:route53/record:Record") if r.inputs["type"] == "DS"]
    assert ds.account == project_accounts()["shared"]
    assert ds.inputs["zoneId"] == SHARED_STACK_OUTPUTS["root_zone_id"]
    assert ds.inputs["name"] == zone.inputs["name"]
    (record,) = ds.inputs["records"]
    _tag, algorithm, digest_type, digest = record.split()
    assert algorithm == "13" and digest_type == "2" and len(digest) == 64  # ECDSA P-256 / SHA-256 (RFC 8624)


def test_an_unsigned_zone_breaks_the_rule(rendered: dict[str, RenderedStack]) -> None:
    view = stack_view(rendered["prod"])
    rule = RULES["public-zones-signed"]
    assert evaluate(view, [rule]) == []
    unsigned = replace(view, resources=tuple(r for r in view.resources if r.type != KSK))
    assert [v.name for v in evaluate(unsigned, [rule])] == ["zone-zone"]


# ---------------------------------------------------------------------------------------------
# Secrets rotate, or say why not


def test_every_rendered_secret_rotates_or_is_a_reviewed_exemption(rendered: dict[str, RenderedStack]) -> None:
    from social_platform.policies import EXEMPTIONS

    rule = RULES["secrets-rotate"]
    for name in STACKS:
        assert evaluate(stack_view(rendered[name]), [rule]) == []
    assert all(len(why) > 40 for why in EXEMPTIONS["secrets-rotate"].values())
    prod = stack_view(rendered["prod"])
    (secret,) = [r for r in prod.resources if r.name == "prod-euw1-db-master" and r.type.endswith(":Secret")]
    stray = replace(secret, name="app-api-key", urn=secret.urn.replace("prod-euw1-db-master", "app-api-key"))
    found = evaluate(replace(prod, resources=(*prod.resources, stray)), [rule])
    assert [v.name for v in found] == ["app-api-key"]


def test_single_region_databases_use_the_rds_managed_secret_and_caches_rotate_their_token(
    rendered: dict[str, RenderedStack],
) -> None:
    for name in ENVIRONMENTS:
        stack = rendered[name]
        for cluster in stack.of_type("aws:rds/cluster:Cluster"):
            if not cluster.inputs.get("globalClusterIdentifier"):
                assert cluster.inputs["manageMasterUserPassword"] is True
        for cache in stack.of_type("aws:elasticache/replicationGroup:ReplicationGroup"):
            assert cache.inputs["authTokenUpdateStrategy"] == "ROTATE"
    model = botocore.session.get_session().get_service_model("elasticache")
    assert "ROTATE" in model.shape_for("AuthTokenUpdateStrategyType").enum


# ---------------------------------------------------------------------------------------------
# Hardening leftovers


def test_prod_keeps_control_plane_and_waf_logs_a_year(rendered: dict[str, RenderedStack]) -> None:
    stack = rendered["prod"]
    groups = [g for g in stack.of_type("aws:cloudwatch/logGroup:LogGroup")]
    audit = [g for g in groups if "/aws/eks/" in str(g.inputs.get("name", "")) or "waf" in g.name]
    assert audit
    assert all(g.inputs["retentionInDays"] >= 365 for g in audit), [
        (g.name, g.inputs["retentionInDays"]) for g in audit
    ]
    assert_config_error("prod", {"cluster.log_retention_days": 90}, "cluster.log_retention_days", "365 days")


def test_every_web_acl_blocks_known_bad_inputs(rendered: dict[str, RenderedStack]) -> None:
    rule = RULES["waf-known-bad-inputs"]
    for name in STACKS:
        assert evaluate(stack_view(rendered[name]), [rule]) == []
    assert any(rendered["prod"].of_type("aws:wafv2/webAcl:WebAcl"))


def test_hsts_preload_is_off_unless_the_stack_asks(rendered: dict[str, RenderedStack], tmp_path: Any) -> None:
    from .conftest import render_variant

    def preload(stack: RenderedStack) -> bool:
        (policy,) = stack.of_type("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy")
        return policy.inputs["securityHeadersConfig"]["strictTransportSecurity"]["preload"]

    assert preload(rendered["dev"]) is False
    assert preload(render_variant(tmp_path, "dev", {"edge.hsts_preload": True})) is True
