"""`LogArchive`, `AccountBaseline` and `RegionalBaseline`: an account's audit trail, threat detection
and posture, delivered to a central log archive."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import KeyGrant, SocialComponent, deny_insecure_transport, policy_json
from social_components.baseline.args import (
    AccountBaselineArgs,
    LogArchiveArgs,
    LogArchiveTarget,
    RegionalBaselineArgs,
)
from social_components.baseline.validation import validate_account_baseline_args, validate_log_archive_args

SECURITY_ALARMS: Mapping[str, tuple[str, str]] = {
    # name → (CloudWatch Logs filter pattern over CloudTrail events, what it catches). The patterns
    # are the CIS AWS Foundations Benchmark's (section "Monitoring"), as Security Hub's
    # CloudWatch.1, .3, .4, .5, .7, .9 and .10 controls check them.
    "root-usage": (
        '{ $.userIdentity.type = "Root" && $.userIdentity.invokedBy NOT EXISTS'
        ' && $.eventType != "AwsServiceEvent" }',
        "the root user was used",
    ),
    "console-sign-in-without-mfa": (
        '{ ($.eventName = "ConsoleLogin") && ($.additionalEventData.MFAUsed != "Yes")'
        ' && ($.userIdentity.type = "IAMUser") && ($.responseElements.ConsoleLogin = "Success") }',
        "an IAM user signed in to the console without MFA",
    ),
    "iam-policy-changes": (
        "{ ($.eventName = DeleteGroupPolicy) || ($.eventName = DeleteRolePolicy)"
        " || ($.eventName = DeleteUserPolicy) || ($.eventName = PutGroupPolicy)"
        " || ($.eventName = PutRolePolicy) || ($.eventName = PutUserPolicy)"
        " || ($.eventName = CreatePolicy) || ($.eventName = DeletePolicy)"
        " || ($.eventName = CreatePolicyVersion) || ($.eventName = DeletePolicyVersion)"
        " || ($.eventName = AttachRolePolicy) || ($.eventName = DetachRolePolicy)"
        " || ($.eventName = AttachUserPolicy) || ($.eventName = DetachUserPolicy)"
        " || ($.eventName = AttachGroupPolicy) || ($.eventName = DetachGroupPolicy) }",
        "an IAM policy was created, changed, attached or detached",
    ),
    "cloudtrail-changes": (
        "{ ($.eventName = CreateTrail) || ($.eventName = UpdateTrail) || ($.eventName = DeleteTrail)"
        " || ($.eventName = StartLogging) || ($.eventName = StopLogging) }",
        "a trail was created, changed, stopped or deleted",
    ),
    "config-changes": (
        "{ ($.eventSource = config.amazonaws.com) && (($.eventName = StopConfigurationRecorder)"
        " || ($.eventName = DeleteDeliveryChannel) || ($.eventName = PutDeliveryChannel)"
        " || ($.eventName = PutConfigurationRecorder)) }",
        "AWS Config recording or delivery was changed or stopped",
    ),
    "kms-key-deletion": (
        "{ ($.eventSource = kms.amazonaws.com) && (($.eventName = DisableKey)"
        " || ($.eventName = ScheduleKeyDeletion)) }",
        "a customer-managed KMS key was disabled or scheduled for deletion",
    ),
    "security-group-changes": (
        "{ ($.eventName = AuthorizeSecurityGroupIngress) || ($.eventName = AuthorizeSecurityGroupEgress)"
        " || ($.eventName = RevokeSecurityGroupIngress) || ($.eventName = RevokeSecurityGroupEgress)"
        " || ($.eventName = CreateSecurityGroup) || ($.eventName = DeleteSecurityGroup) }",
        "a security group or one of its rules was created, changed or deleted",
    ),
}
"""The metric filters on the trail's log group, each with an alarm to the alert topic."""
ALARM_NAMESPACE = "SecurityBaseline"

GUARDDUTY_FEATURES: Mapping[str, tuple[str, ...]] = {
    # Detector feature → additional configurations turned on with it (GuardDuty API names).
    "S3_DATA_EVENTS": (),
    "EKS_AUDIT_LOGS": (),
    "EBS_MALWARE_PROTECTION": (),
    "RDS_LOGIN_EVENTS": (),
    # Runtime monitoring with the agent managed by GuardDuty as an EKS add-on (RUNTIME_MONITORING
    # supersedes EKS_RUNTIME_MONITORING; the two are not enabled together).
    "RUNTIME_MONITORING": ("EKS_ADDON_MANAGEMENT",),
}
"""GuardDuty protections turned on in every region, beyond foundational threat detection."""

SECURITY_HUB_STANDARDS: Mapping[str, str] = {
    "fsbp": "standards/aws-foundational-security-best-practices/v/1.0.0",
    "cis": "standards/cis-aws-foundations-benchmark/v/3.0.0",
}
"""Security Hub standards by short name: the part of the standard's ARN after the region."""

INSPECTOR_RESOURCE_TYPES = ("EC2", "ECR", "LAMBDA")


def trail_arn_pattern(account_id: str, trail_name: str) -> str:
    """The ARN of `account_id`'s trail `trail_name`, in whichever region it was created."""
    return f"arn:aws:cloudtrail:*:{account_id}:trail/{trail_name}"


class LogArchive(SocialComponent):
    """A bucket that keeps the trails and AWS Config deliveries of several accounts as evidence:
    SSE-KMS with its own customer-managed key, versioned, S3 Object Lock in governance mode, moved
    to colder storage over time. Its bucket and key policies name each account's trail (and admit
    each account's AWS Config), each writing under its own ``AWSLogs/<account>/`` prefix only."""

    MODULE = "baseline"

    bucket: aws.s3.Bucket
    key: aws.kms.Key
    """The archive's key (CloudTrail and AWS Config encrypt with it)."""
    target: LogArchiveTarget
    """What an `AccountBaseline` needs to deliver here."""

    def __init__(self, name: str, args: LogArchiveArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_log_archive_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        accounts = list(dict.fromkeys(args.account_ids))
        trails = [trail_arn_pattern(account, args.trail_name) for account in accounts]
        self.key = self.kms_key(
            "archive",
            "Log archive: trails and AWS Config snapshots of the organization's accounts",
            grants=[
                # CloudTrail "Configure AWS KMS key policies for CloudTrail": encrypt for the named
                # trails only (the encryption context carries the trail's ARN).
                KeyGrant(
                    sid="CloudTrailEncryptsForTheNamedTrails",
                    service="cloudtrail.amazonaws.com",
                    condition={"StringLike": {"kms:EncryptionContext:aws:cloudtrail:arn": trails}},
                    actions=("kms:GenerateDataKey*",),
                ),
                KeyGrant(
                    sid="CloudTrailDescribesTheKey",
                    service="cloudtrail.amazonaws.com",
                    condition={"ArnLike": {"aws:SourceArn": trails}},
                    actions=("kms:DescribeKey",),
                ),
                KeyGrant(
                    sid="ConfigEncryptsForTheAccounts",
                    service="config.amazonaws.com",
                    condition={"StringEquals": {"aws:SourceAccount": accounts}},
                    actions=("kms:Decrypt", "kms:GenerateDataKey"),
                ),
            ],
        )
        self.bucket, guards = self.private_bucket(
            "archive", bucket_name=args.bucket_name, kms_key=self.key, object_lock=True
        )
        versioning = aws.s3.BucketVersioning(
            self.child_name("archive-versioning"),
            bucket=self.bucket.id,
            versioning_configuration=aws.s3.BucketVersioningVersioningConfigurationArgs(status="Enabled"),
            opts=self.child(),
        )
        aws.s3.BucketObjectLockConfiguration(
            self.child_name("archive-object-lock"),
            bucket=self.bucket.id,
            object_lock_enabled="Enabled",
            rule=aws.s3.BucketObjectLockConfigurationRuleArgs(
                default_retention=aws.s3.BucketObjectLockConfigurationRuleDefaultRetentionArgs(
                    mode="GOVERNANCE", days=args.retention_days
                )
            ),
            opts=self.child(depends_on=[versioning]),
        )
        aws.s3.BucketLifecycleConfiguration(
            self.child_name("archive-lifecycle"),
            bucket=self.bucket.id,
            rules=[self._lifecycle_rule(args)],
            opts=self.child(depends_on=[versioning]),
        )
        arn = self.bucket.arn
        statements: list[Mapping[str, Any]] = [
            *deny_insecure_transport(arn),
            {
                "Sid": "CloudTrailChecksTheBucket",
                "Effect": "Allow",
                "Principal": {"Service": "cloudtrail.amazonaws.com"},
                "Action": "s3:GetBucketAcl",
                "Resource": arn,
                "Condition": {"ArnLike": {"aws:SourceArn": trails}},
            },
            {
                "Sid": "ConfigChecksTheBucket",
                "Effect": "Allow",
                "Principal": {"Service": "config.amazonaws.com"},
                "Action": ["s3:GetBucketAcl", "s3:ListBucket"],
                "Resource": arn,
                "Condition": {"StringEquals": {"aws:SourceAccount": accounts}},
            },
        ]
        for account, trail in zip(accounts, trails, strict=True):
            statements += [
                {
                    "Sid": f"CloudTrailWrites{account}",
                    "Effect": "Allow",
                    "Principal": {"Service": "cloudtrail.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(arn, f"/AWSLogs/{account}/*"),
                    "Condition": {
                        "StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"},
                        "ArnLike": {"aws:SourceArn": trail},
                    },
                },
                {
                    "Sid": f"ConfigWrites{account}",
                    "Effect": "Allow",
                    "Principal": {"Service": "config.amazonaws.com"},
                    "Action": "s3:PutObject",
                    "Resource": pulumi.Output.concat(arn, f"/AWSLogs/{account}/Config/*"),
                    "Condition": {
                        "StringEquals": {
                            "s3:x-amz-acl": "bucket-owner-full-control",
                            "aws:SourceAccount": account,
                        }
                    },
                },
            ]
        aws.s3.BucketPolicy(
            self.child_name("archive-policy"),
            bucket=self.bucket.id,
            policy=policy_json(statements),
            opts=self.child(depends_on=guards),
        )
        self.target = LogArchiveTarget(bucket_name=self.bucket.bucket, kms_key_arn=self.key.arn)
        self.register_outputs({"bucket": self.bucket.bucket, "kms_key_arn": self.key.arn})

    def _lifecycle_rule(self, args: LogArchiveArgs) -> aws.s3.BucketLifecycleConfigurationRuleArgs:
        transitions = (
            [
                aws.s3.BucketLifecycleConfigurationRuleTransitionArgs(
                    days=args.transition_days, storage_class="GLACIER_IR"
                )
            ]
            if args.transition_days is not None
            else None
        )
        expiration = (
            aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=args.expiration_days)
            if args.expiration_days is not None
            else None
        )
        return aws.s3.BucketLifecycleConfigurationRuleArgs(
            id="archive",
            status="Enabled",
            filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
            transitions=transitions,
            expiration=expiration,
            abort_incomplete_multipart_upload=aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=7
            ),
        )


class RegionalBaseline(SocialComponent):
    """What an account runs in each region it uses: AWS Config recording to the log archive,
    GuardDuty (findings to the alert topic through EventBridge), Security Hub with its standards,
    Inspector, IAM Access Analyzer and EBS encryption by default with a customer-managed key."""

    MODULE = "baseline"

    alert_topic_arn: pulumi.Output[str]
    """The topic alarms and findings of this region go to (the one passed in, else this component's)."""
    detector_id: pulumi.Output[str]
    """GuardDuty detector ID."""
    ebs_key_arn: pulumi.Output[str]
    """The customer-managed key new EBS volumes are encrypted with by default."""

    def __init__(
        self, name: str, args: RegionalBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(name, protect=args.protect, opts=opts)
        region, account = self.region(), self.account_id()
        self.alert_topic_arn = pulumi.Output.from_input(
            args.alert_topic_arn if args.alert_topic_arn is not None else self._alert_topic().arn
        )

        # EBS encryption by default, with a key whose policy mirrors the AWS-managed aws/ebs key's:
        # any principal of this account may use it, through EC2 only (node groups' service-linked
        # role and Karpenter launch instances with it as they did with aws/ebs).
        ebs_key = self.kms_key(
            "ebs",
            "Default key of new EBS volumes in this account and region",
            grants=[
                KeyGrant(
                    sid="AccountUsesItThroughEc2",
                    service="*",
                    principal_kind="AWS",
                    condition={
                        "StringEquals": {
                            "kms:CallerAccount": account,
                            "kms:ViaService": pulumi.Output.concat("ec2.", region, ".amazonaws.com"),
                        }
                    },
                    actions=(
                        "kms:Encrypt",
                        "kms:Decrypt",
                        "kms:ReEncrypt*",
                        "kms:GenerateDataKey*",
                        "kms:CreateGrant",
                        "kms:DescribeKey",
                    ),
                )
            ],
        )
        aws.ebs.EncryptionByDefault(self.child_name("ebs-encryption"), enabled=True, opts=self.child())
        aws.ebs.DefaultKmsKey(self.child_name("ebs-default-key"), key_arn=ebs_key.arn, opts=self.child())
        self.ebs_key_arn = ebs_key.arn

        # AWS Config: every supported resource type, snapshots daily, to the log archive.
        recorder = aws.cfg.Recorder(
            self.child_name("config"),
            name=self.child_name("config"),
            role_arn=args.config_role_arn,
            recording_group=aws.cfg.RecorderRecordingGroupArgs(
                all_supported=True, include_global_resource_types=args.record_global_resources
            ),
            opts=self.child(),
        )
        channel = aws.cfg.DeliveryChannel(
            self.child_name("config"),
            name=self.child_name("config"),
            s3_bucket_name=args.log_archive.bucket_name,
            s3_kms_key_arn=args.log_archive.kms_key_arn,
            snapshot_delivery_properties=aws.cfg.DeliveryChannelSnapshotDeliveryPropertiesArgs(
                delivery_frequency="TwentyFour_Hours"
            ),
            opts=self.child(depends_on=[recorder]),
        )
        aws.cfg.RecorderStatus(
            self.child_name("config"),
            name=recorder.name,
            is_enabled=True,
            opts=self.child(depends_on=[channel]),
        )

        # GuardDuty with the protections that matter here; findings of medium severity and up to the topic.
        detector = aws.guardduty.Detector(
            self.child_name("guardduty"),
            enable=True,
            finding_publishing_frequency=args.finding_publishing_frequency,
            opts=self.child(),
        )
        for feature, extras in GUARDDUTY_FEATURES.items():
            aws.guardduty.DetectorFeature(
                self.child_name(f"guardduty-{feature.lower().replace('_', '-')}"),
                detector_id=detector.id,
                name=feature,
                status="ENABLED",
                additional_configurations=[
                    aws.guardduty.DetectorFeatureAdditionalConfigurationArgs(name=extra, status="ENABLED")
                    for extra in extras
                ]
                or None,
                opts=self.child(),
            )
        self.detector_id = detector.id
        findings = aws.cloudwatch.EventRule(
            self.child_name("guardduty-findings"),
            description="GuardDuty findings of medium severity and up, to the alert topic",
            event_pattern=pulumi.Output.json_dumps(
                {
                    "source": ["aws.guardduty"],
                    "detail-type": ["GuardDuty Finding"],
                    "detail": {"severity": [{"numeric": [">=", 4]}]},
                }
            ),
            opts=self.child(),
        )
        aws.cloudwatch.EventTarget(
            self.child_name("guardduty-findings"),
            rule=findings.name,
            arn=self.alert_topic_arn,
            opts=self.child(),
        )

        if args.enable_security_hub:
            hub = aws.securityhub.Account(
                self.child_name("security-hub"),
                enable_default_standards=False,
                control_finding_generator="SECURITY_CONTROL",
                auto_enable_controls=True,
                opts=self.child(),
            )
            for short, path in SECURITY_HUB_STANDARDS.items():
                aws.securityhub.StandardsSubscription(
                    self.child_name(f"security-hub-{short}"),
                    standards_arn=pulumi.Output.concat("arn:aws:securityhub:", region, "::", path),
                    opts=self.child(depends_on=[hub]),
                )
        if args.enable_inspector:
            aws.inspector2.Enabler(
                self.child_name("inspector"),
                account_ids=[account],
                resource_types=list(INSPECTOR_RESOURCE_TYPES),
                opts=self.child(),
            )
        aws.accessanalyzer.Analyzer(
            self.child_name("access-analyzer"),
            analyzer_name=self.child_name("access-analyzer"),
            type="ACCOUNT",
            opts=self.child(),
        )
        self.register_outputs(
            {
                "alert_topic_arn": self.alert_topic_arn,
                "detector_id": self.detector_id,
                "ebs_key_arn": self.ebs_key_arn,
            }
        )

    def _alert_topic(self) -> aws.sns.Topic:
        """An encrypted topic CloudWatch alarms and EventBridge of this account may publish to."""
        account = self.account_id()
        publishers = ("cloudwatch.amazonaws.com", "events.amazonaws.com")
        key = self.kms_key(
            "alerts",
            "Alert topic of the security baseline",
            grants=[
                KeyGrant(
                    sid=f"{service.split('.')[0].capitalize()}Publishes",
                    service=service,
                    condition={"StringEquals": {"aws:SourceAccount": account}},
                    actions=("kms:GenerateDataKey*", "kms:Decrypt"),
                )
                for service in publishers
            ],
        )
        topic = aws.sns.Topic(self.child_name("alerts"), kms_master_key_id=key.arn, opts=self.child())
        aws.sns.TopicPolicy(
            self.child_name("alerts"),
            arn=topic.arn,
            policy=policy_json(
                [
                    {
                        "Sid": "ServicesOfTheAccountPublish",
                        "Effect": "Allow",
                        "Principal": {"Service": list(publishers)},
                        "Action": "sns:Publish",
                        "Resource": topic.arn,
                        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                    }
                ]
            ),
            opts=self.child(),
        )
        return topic


class AccountBaseline(SocialComponent):
    """The security and audit baseline of one account.

    In the home region (the component's provider): a multi-region trail with log-file validation
    (management events, and data events for `data_bucket_arns`) delivered to the log archive and to
    a CloudWatch log group whose metric filters raise alarms (`SECURITY_ALARMS`); the IAM password
    policy; S3's account-level public access block; AWS Config's service-linked role. In the home
    region and every one of `other_regions`: a `RegionalBaseline`.
    """

    MODULE = "baseline"

    trail: aws.cloudtrail.Trail
    trail_log_group: aws.cloudwatch.LogGroup
    regions: dict[str, RegionalBaseline]
    """The regional baselines, by region name (the home region first)."""
    alarms: dict[str, aws.cloudwatch.MetricAlarm]
    """The security alarms by name (keys of `SECURITY_ALARMS`)."""

    def __init__(
        self, name: str, args: AccountBaselineArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        validate_account_baseline_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        config_role = aws.iam.ServiceLinkedRole(
            self.child_name("config-role"), aws_service_name="config.amazonaws.com", opts=self.child()
        )
        providers: dict[str, pulumi.ProviderResource | None] = {args.home_region: None, **args.other_regions}
        self.regions = {
            region: RegionalBaseline(
                self.child_name(region),
                RegionalBaselineArgs(
                    config_role_arn=config_role.arn,
                    log_archive=args.log_archive,
                    record_global_resources=region == args.home_region,
                    alert_topic_arn=args.alert_topic_arns.get(region),
                    finding_publishing_frequency=args.finding_publishing_frequency,
                    enable_security_hub=args.enable_security_hub,
                    enable_inspector=args.enable_inspector,
                    protect=args.protect,
                ),
                # None: the home region, through this component's own provider.
                opts=self.child(provider=provider),
            )
            for region, provider in providers.items()
        }
        alert_topic_arn = self.regions[args.home_region].alert_topic_arn

        self.trail_log_group = aws.cloudwatch.LogGroup(
            self.child_name("trail"),
            retention_in_days=args.trail_log_retention_days,
            kms_key_id=self.log_key("trail-logs", "The account trail's CloudWatch log group").arn,
            opts=self.stateful(),
        )
        delivery_role = aws.iam.Role(
            self.child_name("trail-delivery"),
            description="CloudTrail delivers the account trail to its CloudWatch log group",
            assume_role_policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "cloudtrail.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": self.account_id()}},
                    }
                ]
            ),
            opts=self.child(),
        )
        delivery = aws.iam.RolePolicy(
            self.child_name("trail-delivery"),
            role=delivery_role.id,
            policy=policy_json(
                [
                    {
                        "Sid": "WriteTheTrailLogGroup",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": pulumi.Output.concat(self.trail_log_group.arn, ":log-stream:*"),
                    }
                ]
            ),
            opts=self.child(),
        )
        self.trail = aws.cloudtrail.Trail(
            self.child_name("trail"),
            name=args.trail_name,
            s3_bucket_name=args.log_archive.bucket_name,
            kms_key_id=args.log_archive.kms_key_arn,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_log_file_validation=True,
            enable_logging=True,
            cloud_watch_logs_group_arn=pulumi.Output.concat(self.trail_log_group.arn, ":*"),
            cloud_watch_logs_role_arn=delivery_role.arn,
            event_selectors=[self._event_selector(args.data_bucket_arns)],
            opts=self.child(depends_on=[delivery]),
        )

        self.alarms = {}
        for alarm, (pattern, what) in SECURITY_ALARMS.items():
            metric = "".join(part.capitalize() for part in alarm.split("-"))
            aws.cloudwatch.LogMetricFilter(
                self.child_name(alarm),
                log_group_name=self.trail_log_group.name,
                pattern=pattern,
                metric_transformation=aws.cloudwatch.LogMetricFilterMetricTransformationArgs(
                    name=metric, namespace=ALARM_NAMESPACE, value="1"
                ),
                opts=self.child(),
            )
            self.alarms[alarm] = aws.cloudwatch.MetricAlarm(
                self.child_name(alarm),
                alarm_description=f"Security baseline: {what} (CloudTrail, account trail)",
                namespace=ALARM_NAMESPACE,
                metric_name=metric,
                statistic="Sum",
                period=300,
                evaluation_periods=1,
                threshold=1,
                comparison_operator="GreaterThanOrEqualToThreshold",
                treat_missing_data="notBreaching",
                alarm_actions=[alert_topic_arn],
                ok_actions=[alert_topic_arn],
                opts=self.child(),
            )

        aws.iam.AccountPasswordPolicy(
            self.child_name("password-policy"),
            minimum_password_length=args.minimum_password_length,
            require_lowercase_characters=True,
            require_uppercase_characters=True,
            require_numbers=True,
            require_symbols=True,
            allow_users_to_change_password=True,
            password_reuse_prevention=24,
            max_password_age=90,
            opts=self.child(),
        )
        aws.s3.AccountPublicAccessBlock(
            self.child_name("s3-public-access"),
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=self.child(),
        )
        self.register_outputs(
            {
                "trail_arn": self.trail.arn,
                "trail_log_group": self.trail_log_group.name,
                "alert_topic_arn": alert_topic_arn,
            }
        )

    @staticmethod
    def _event_selector(
        data_bucket_arns: Sequence[pulumi.Input[str]],
    ) -> aws.cloudtrail.TrailEventSelectorArgs:
        """Every management event; object-level reads and writes of the user-data buckets."""
        return aws.cloudtrail.TrailEventSelectorArgs(
            read_write_type="All",
            include_management_events=True,
            data_resources=[
                aws.cloudtrail.TrailEventSelectorDataResourceArgs(
                    type="AWS::S3::Object",
                    values=[pulumi.Output.concat(arn, "/") for arn in data_bucket_arns],
                )
            ]
            if data_bucket_arns
            else None,
        )
