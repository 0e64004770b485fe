"""What every component shares: its type token, child naming and resource options.

Conventions (the contract other projects rely on):
- type tokens are ``social:<module>:<Class>``;
- children are named ``f"{name}-<role>"`` and parented to the component;
- stateful children (data, keys, secrets, logs of record) take `self.stateful()` options, which add
  Pulumi `protect` (and retain-on-delete) when the caller passes ``protect=True`` in the args;
- a component never creates providers or reads config: providers come in through `opts`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import pulumi
import pulumi_aws as aws

from social_components import watch
from social_components.watch import Watchable, WatchKind


@dataclass(frozen=True)
class KeyGrant:
    """Lets an AWS service use a customer-managed key, under a condition (see `SocialComponent.kms_key`)."""

    sid: str
    service: pulumi.Input[str]
    """Service principal, for example ``events.amazonaws.com`` (with `principal_kind` ``AWS``: an
    AWS principal, ``*`` for any principal the condition admits)."""
    condition: Mapping[str, Any]
    """Empty: none, where the service's requests carry no condition key to scope it with (EventBridge
    delivering to an encrypted SNS topic)."""
    actions: tuple[str, ...] = (
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
    )
    principal_kind: Literal["Service", "AWS"] = "Service"

    def statement(self) -> Mapping[str, Any]:
        statement = {
            "Sid": self.sid,
            "Effect": "Allow",
            "Principal": {self.principal_kind: self.service},
            "Action": list(self.actions),
            "Resource": "*",
        }
        return {**statement, "Condition": dict(self.condition)} if self.condition else statement


class SocialComponent(pulumi.ComponentResource):
    """Base class of the project's components."""

    MODULE: ClassVar[str]
    """Second part of the type token, for example ``network``."""

    def __init__(
        self,
        name: str,
        *,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
        moved_from: pulumi.Resource | None = None,
    ) -> None:
        super().__init__(f"social:{self.MODULE}:{type(self).__name__}", name, None, opts)
        self.name = name
        self._protect_state = protect
        self._moved_from = moved_from
        self._aws_provider = _aws_provider(opts)
        self.watchables: list[Watchable] = []
        """What of this component can be watched (`watch`); the observability component alarms on it."""
        watch.record(self)

    def watch(
        self,
        kind: WatchKind,
        role: str,
        dimensions: Mapping[str, pulumi.Input[str]],
        *,
        provider: pulumi.ProviderResource | None = None,
        metric_region: str | None = None,
        traits: Sequence[str] = (),
        log_group_name: pulumi.Input[str] | None = None,
        capacity: Mapping[str, float] | None = None,
    ) -> None:
        """Offer the child `role` to be watched as a `kind` (alarms, dashboards), by the CloudWatch
        `dimensions` that select its metrics. `provider`: the one the child was declared with, when
        not the component's own."""
        self.watchables.append(
            Watchable(
                kind=kind,
                key=self.child_name(role),
                dimensions=dimensions,
                provider=provider or self._aws_provider,
                metric_region=metric_region,
                traits=frozenset(traits),
                log_group_name=log_group_name,
                capacity=dict(capacity or {}),
            )
        )

    def child_name(self, role: str) -> str:
        return f"{self.name}-{role}"

    def child(self, **extra: Any) -> pulumi.ResourceOptions:
        """Options for an ordinary child: parented here, inheriting the component's providers.

        A component whose children used to be direct children of another (`moved_from`, when a
        component was split) gives each of them an alias to its old parent, so their URNs, and
        those of everything below them, still match what is deployed: nothing is replaced."""
        if self._moved_from is not None:
            extra.setdefault("aliases", [pulumi.Alias(parent=self._moved_from)])
        return pulumi.ResourceOptions(parent=self, **extra)

    def stateful(self, **extra: Any) -> pulumi.ResourceOptions:
        """Options for a child that holds data: protected (and kept on delete) when asked for."""
        if self._protect_state:
            extra.setdefault("protect", True)
            extra.setdefault("retain_on_delete", True)
        return self.child(**extra)

    def admit(
        self,
        role: str,
        security_group_id: pulumi.Input[str],
        source_security_group_id: pulumi.Input[str],
        port: int,
        description: str,
    ) -> aws.vpc.SecurityGroupIngressRule:
        """Admit TCP `port` into a security group from another security group, never from a CIDR."""
        return aws.vpc.SecurityGroupIngressRule(
            self.child_name(role),
            security_group_id=security_group_id,
            referenced_security_group_id=source_security_group_id,
            ip_protocol="tcp",
            from_port=port,
            to_port=port,
            description=description,
            opts=self.child(),
        )

    def generated_password(self, role: str, length: int, opts: pulumi.ResourceOptions) -> pulumi.Output[str]:
        """A `random.RandomPassword` child of `length` letters and digits (nothing to escape in
        connection strings, and AUTH tokens forbid some punctuation). Needs pulumi-random, the
        ``passwords`` extra of social-components; only components that generate a secret import it."""
        random = self._pulumi_random(f"its {role}")
        return random.RandomPassword(self.child_name(role), length=length, special=False, opts=opts).result

    def _pulumi_random(self, what: str) -> Any:
        """pulumi-random, imported on use (the ``passwords`` extra of social-components)."""
        try:
            import pulumi_random
        except ModuleNotFoundError as missing:
            raise ModuleNotFoundError(
                f"{type(self).__name__} {self.name!r} generates {what} with pulumi-random: "
                "pip install 'social-components[passwords]', or pass the secret in yourself"
            ) from missing
        return pulumi_random

    def account_id(self) -> pulumi.Output[str]:
        """The account this component's provider deploys into (a look-up, cached per component)."""
        if not hasattr(self, "_account_id"):
            identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
            self._account_id = identity.account_id
        return self._account_id

    def region(self) -> pulumi.Output[str]:
        """The region this component's provider deploys into (a look-up, cached per component)."""
        if not hasattr(self, "_region_name"):
            self._region_name = aws.get_region_output(opts=pulumi.InvokeOutputOptions(parent=self)).region
        return self._region_name

    def final_snapshot_identifier(self, prefix: str, key: aws.kms.Key) -> pulumi.Output[str]:
        """``<prefix>-final-<8 hex>``: unique per creation of this component, stable across updates.
        The suffix is the first group of the ID AWS gives `key` (a UUID), the component's own data
        key: created with the component, never changed by an update, and replacing it replaces the
        data store too. A fixed name would make destroying a re-created stack fail, because the
        final snapshot an earlier one left behind already has it."""
        suffix = key.key_id.apply(lambda key_id: key_id.split("-")[0][:8])
        return pulumi.Output.concat(prefix, "-final-", suffix)

    def logs_grant(self, log_groups: pulumi.Input[str] = "*") -> KeyGrant:
        """CloudWatch Logs in this region may encrypt this account's log groups matching `log_groups`."""
        region, account = self.region(), self.account_id()
        return KeyGrant(
            sid="CloudWatchLogsEncrypts",
            service=pulumi.Output.concat("logs.", region, ".amazonaws.com"),
            condition={
                "ArnLike": {
                    "kms:EncryptionContext:aws:logs:arn": pulumi.Output.concat(
                        "arn:aws:logs:", region, ":", account, ":log-group:", log_groups
                    )
                }
            },
        )

    def events_grant(self) -> KeyGrant:
        """EventBridge may encrypt what it delivers (to an SQS queue) for this account."""
        return KeyGrant(
            sid="EventBridgeEncrypts",
            service="events.amazonaws.com",
            condition={"StringEquals": {"aws:SourceAccount": self.account_id()}},
            actions=("kms:GenerateDataKey", "kms:Decrypt"),
        )

    def queue_for_rule(
        self, role: str, queue: aws.sqs.Queue, rule: aws.cloudwatch.EventRule, sid: str
    ) -> aws.sqs.QueuePolicy:
        """The queue policy that lets EventBridge send to `queue`, for messages from `rule` only (as
        its target, or as its target's dead-letter queue). Make the target depend on it."""
        return aws.sqs.QueuePolicy(
            self.child_name(role),
            queue_url=queue.url,
            policy=policy_json(
                [
                    {
                        "Sid": sid,
                        "Effect": "Allow",
                        "Principal": {"Service": "events.amazonaws.com"},
                        "Action": "sqs:SendMessage",
                        "Resource": queue.arn,
                        "Condition": {"ArnEquals": {"aws:SourceArn": rule.arn}},
                    }
                ]
            ),
            opts=self.child(),
        )

    def log_key(self, role: str, description: str, log_groups: str = "*") -> aws.kms.Key:
        """A key for this account's log groups matching `log_groups`, usable by CloudWatch Logs."""
        return self.kms_key(role, description, grants=[self.logs_grant(log_groups)])

    def expire_objects(
        self,
        child: str,
        bucket: aws.s3.Bucket,
        *,
        rule_id: str,
        days: pulumi.Input[int],
        abort_incomplete_after_days: int | None = None,
    ) -> aws.s3.BucketLifecycleConfiguration:
        """A lifecycle that deletes every object of `bucket` `days` after it was written (logs, a
        cache), and with `abort_incomplete_after_days` the parts of uploads never completed."""
        abort = (
            None
            if abort_incomplete_after_days is None
            else aws.s3.BucketLifecycleConfigurationRuleAbortIncompleteMultipartUploadArgs(
                days_after_initiation=abort_incomplete_after_days
            )
        )
        return aws.s3.BucketLifecycleConfiguration(
            self.child_name(child),
            bucket=bucket.id,
            rules=[
                aws.s3.BucketLifecycleConfigurationRuleArgs(
                    id=rule_id,
                    status="Enabled",
                    filter=aws.s3.BucketLifecycleConfigurationRuleFilterArgs(prefix=""),
                    expiration=aws.s3.BucketLifecycleConfigurationRuleExpirationArgs(days=days),
                    abort_incomplete_multipart_upload=abort,
                )
            ],
            opts=self.child(),
        )

    def private_bucket(
        self,
        role: str,
        *,
        bucket_name: pulumi.Input[str] | None = None,
        kms_key: aws.kms.Key | None = None,
        disposable: bool = False,
        object_lock: bool = False,
        tags: Mapping[str, str] | None = None,
        provider: pulumi.ProviderResource | None = None,
    ) -> tuple[aws.s3.Bucket, list[pulumi.Resource]]:
        """An S3 bucket nobody outside the account can reach: public access blocked, ACLs disabled
        (owner enforced), encrypted by default with `kms_key` (unset: SSE-S3) and SSE-C refused.
        Stateful unless `disposable` (a cache: deleted with its objects). `object_lock` creates it
        with S3 Object Lock available (it cannot be turned on later; the caller sets the rule).
        Returns the bucket and its guard resources, which a bucket policy should depend on (S3
        rejects concurrent changes to one bucket's access settings). The caller adds the policy:
        start it with `deny_insecure_transport(bucket.arn)`. `tags`: the bucket's own (a backup
        plan's, say); `provider`: another region's (a replica), else the component's."""
        placed = {} if provider is None else {"provider": provider}
        bucket = aws.s3.Bucket(
            self.child_name(role),
            bucket=bucket_name,
            force_destroy=disposable,
            object_lock_enabled=object_lock or None,
            tags=dict(tags) if tags else None,
            opts=self.child(**placed) if disposable else self.stateful(**placed),
        )
        default = aws.s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgs(
            sse_algorithm="AES256" if kms_key is None else "aws:kms",
            kms_master_key_id=None if kms_key is None else kms_key.arn,
        )
        guards: list[pulumi.Resource] = [
            aws.s3.BucketPublicAccessBlock(
                self.child_name(f"{role}-public-access"),
                bucket=bucket.id,
                block_public_acls=True,
                block_public_policy=True,
                ignore_public_acls=True,
                restrict_public_buckets=True,
                opts=self.child(**placed),
            ),
            aws.s3.BucketOwnershipControls(
                self.child_name(f"{role}-ownership"),
                bucket=bucket.id,
                rule=aws.s3.BucketOwnershipControlsRuleArgs(object_ownership="BucketOwnerEnforced"),
                opts=self.child(**placed),
            ),
            aws.s3.BucketServerSideEncryptionConfiguration(
                self.child_name(f"{role}-encryption"),
                bucket=bucket.id,
                rules=[
                    aws.s3.BucketServerSideEncryptionConfigurationRuleArgs(
                        apply_server_side_encryption_by_default=default,
                        bucket_key_enabled=kms_key is not None or None,
                        blocked_encryption_types=["SSE-C"],
                    )
                ],
                opts=self.child(**placed),
            ),
        ]
        return bucket, guards

    def dns_validated_certificate(
        self, domain_name: str, zone_id: pulumi.Input[str], role: str = "certificate"
    ) -> pulumi.Output[str]:
        """An ACM certificate for `domain_name` in this component's region, validated through a DNS
        record in the Route 53 zone `zone_id` (children `<name>-<role>` and `<name>-<role>-validation`);
        returns its ARN once validated. Each region's certificate for the same name asks for the same
        record, so the record may be overwritten."""
        certificate = aws.acm.Certificate(
            self.child_name(role), domain_name=domain_name, validation_method="DNS", opts=self.child()
        )

        def option(field: str) -> pulumi.Output[str]:
            return certificate.domain_validation_options.apply(
                lambda options: str(getattr(options[0], field))
            )

        record = aws.route53.Record(
            self.child_name(f"{role}-validation"),
            zone_id=zone_id,
            name=option("resource_record_name"),
            type=option("resource_record_type"),
            records=[option("resource_record_value")],
            ttl=300,
            allow_overwrite=True,
            opts=self.child(),
        )
        return aws.acm.CertificateValidation(
            self.child_name(f"{role}-validation"),
            certificate_arn=certificate.arn,
            validation_record_fqdns=[record.fqdn],
            opts=self.child(),
        ).certificate_arn

    def json_secret(
        self, role: str, description: str, value: Mapping[str, Any], kms_key: aws.kms.Key
    ) -> aws.secretsmanager.Secret:
        """A Secrets Manager secret holding `value` (which may contain Outputs) as JSON: encrypted
        with `kms_key`, recoverable for 30 days after deletion, a Pulumi secret in state, and
        stateful (protected in prod). Applications read it with `GetSecretValue`."""
        secret = aws.secretsmanager.Secret(
            self.child_name(role),
            description=description,
            kms_key_id=kms_key.arn,
            recovery_window_in_days=30,
            opts=self.stateful(),
        )
        aws.secretsmanager.SecretVersion(
            self.child_name(role),
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(pulumi.Output.json_dumps(value)),  # type: ignore[arg-type]
            opts=self.stateful(additional_secret_outputs=["secretString"]),
        )
        return secret

    def kms_key(
        self,
        role: str,
        description: str,
        grants: Sequence[KeyGrant] = (),
        provider: pulumi.ProviderResource | None = None,
    ) -> aws.kms.Key:
        """A customer-managed key with rotation on, usable by this account's IAM policies and by
        the AWS services `grants` name, each under its condition. Stateful: losing it loses the data
        it encrypts. `provider`: another region's, else the component's."""
        placed = {} if provider is None else {"provider": provider}
        statements: list[Mapping[str, Any]] = [
            {
                "Sid": "AccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": pulumi.Output.concat("arn:aws:iam::", self.account_id(), ":root")},
                "Action": "kms:*",
                "Resource": "*",
            },
            *(grant.statement() for grant in grants),
        ]
        key = aws.kms.Key(
            self.child_name(f"{role}-key"),
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=policy_json(statements),
            opts=self.stateful(**placed),
        )
        aws.kms.Alias(
            self.child_name(f"{role}-key-alias"),
            name=f"alias/{self.child_name(role)}",
            target_key_id=key.key_id,
            opts=self.child(**placed),
        )
        return key


def _aws_provider(opts: pulumi.ResourceOptions | None) -> pulumi.ProviderResource | None:
    """The aws provider a component was given (in `provider` or `providers`), else its parent's."""
    if opts is None:
        return None
    candidates: list[Any] = [opts.provider]
    providers = opts.providers
    candidates.extend(providers.values() if isinstance(providers, Mapping) else providers or [])
    for provider in candidates:
        if isinstance(provider, aws.Provider):
            return provider
    parent = opts.parent
    return parent._aws_provider if isinstance(parent, SocialComponent) else None


def policy_json(statements: Sequence[Mapping[str, Any]]) -> pulumi.Output[str]:
    """An IAM policy document (statements may hold Outputs) as JSON text.

    Built locally rather than through `aws.iam.get_policy_document`, so policies are plain data
    that tests and policy rules can read.
    """
    return pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": statements})


def deny_insecure_transport(bucket_arn: pulumi.Input[str]) -> list[Mapping[str, Any]]:
    """Bucket policy statements refusing any request over plain HTTP or with TLS older than 1.2."""
    resources = [bucket_arn, pulumi.Output.concat(bucket_arn, "/*")]
    return [
        {
            "Sid": "DenyInsecureTransport",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        },
        {
            "Sid": "DenyOutdatedTls",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:*",
            "Resource": resources,
            "Condition": {"NumericLessThan": {"s3:TlsVersion": "1.2"}},
        },
    ]


def assume_role_policy(
    principal: Mapping[str, Any],
    conditions: Mapping[str, Any] | None = None,
    actions: tuple[str, ...] = ("sts:AssumeRole",),
) -> str:
    """Trust policy for one principal, for example ``{"Service": "pods.eks.amazonaws.com"}``."""
    statement: dict[str, Any] = {"Effect": "Allow", "Principal": dict(principal), "Action": list(actions)}
    if conditions:
        statement["Condition"] = dict(conditions)
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})
