"""The `Streaming` component: Amazon IVS channels, recording, playback keys, IVS Chat and events.

What it builds, all in the region of the provider it is given:

- IVS channels (`channels`), each optionally recording to S3 and optionally private (authorized);
- one recording configuration writing recordings and thumbnails to an S3 bucket that is encrypted
  (SSE-S3), private, TLS-only and kept by lifecycle rules;
- a playback key pair, imported from a public key, for private channels;
- IVS Chat rooms (`chat_rooms`) logging every message to a KMS-encrypted CloudWatch Logs group;
- an EventBridge rule for IVS stream and recording state changes, delivering to a KMS-encrypted SQS
  queue with a dead-letter queue, which the backend consumes;
- a managed IAM policy for the backend's service role: create channels and chat tokens at run time,
  consume the events queue, all limited to this account and region.

Stream keys are readable only through `stream_keys`, a secret Output.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..base import SocialComponent, deny_insecure_transport, policy_json
from .args import StreamingArgs
from .validation import validate

EVENT_DETAIL_TYPES = ("IVS Stream State Change", "IVS Recording State Change")
"""IVS events the backend reacts to: a stream starts or ends; a recording starts, ends or fails."""

EVENTS_RETENTION_SECONDS = 4 * 24 * 3600
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: time to look at what failed
EVENTS_MAX_RECEIVE_COUNT = 5
NONCURRENT_VERSION_DAYS = 30


class Streaming(SocialComponent):
    """Live video (IVS) and chat (IVS Chat) for one environment and region."""

    MODULE = "streaming"

    channel_arns: dict[str, pulumi.Output[str]]
    """Channel ARNs by channel name."""
    ingest_endpoints: dict[str, pulumi.Output[str]]
    """Each channel's ingest server host, by channel name (encoders stream to `rtmps://<host>:443/app/`)."""
    playback_urls: dict[str, pulumi.Output[str]]
    """Each channel's playback URL (an HLS playlist), by channel name; players get it from the backend."""
    stream_keys: pulumi.Output[dict[str, str]]
    """Stream keys by channel name, one **secret** Output (read with the `getStreamKey` data source,
    since `aws.ivs.Channel` does not return the key)."""
    chat_room_arns: dict[str, pulumi.Output[str]]
    """Chat room ARNs by room name."""
    channels: dict[str, aws.ivs.Channel]
    chat_rooms: dict[str, aws.ivschat.Room]
    recording_bucket: aws.s3.Bucket
    """Where recordings land (SSE-S3; see docs/adr/0003)."""
    recording_configuration: aws.ivs.RecordingConfiguration
    """Attach its ARN to a channel to record it (the backend does, for creators' channels)."""
    playback_key_pair: aws.ivs.PlaybackKeyPair | None
    """Verifies private channels' playback tokens (None without `playback_public_key`)."""
    events_queue: aws.sqs.Queue
    """Stream and recording state changes from EventBridge, for the backend to consume."""
    events_dead_letter_queue: aws.sqs.Queue
    """Events that failed 5 receives."""
    events_rule: aws.cloudwatch.EventRule
    key: aws.kms.Key
    """Encrypts the queues and the chat log."""
    backend_policy: aws.iam.Policy
    """Managed policy for the backend's service role: channels, stream keys, chat rooms and tokens,
    the events queue; every resource in this account and region."""

    def __init__(
        self,
        name: str,
        args: StreamingArgs,
        *,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate(args)
        super().__init__(name, protect=protect, opts=opts)
        self._args = args

        # Account, region and partition of the provider this component was given: policies below
        # name them instead of "*".
        self._invoke = pulumi.InvokeOutputOptions(parent=self)
        self._account = self.account_id()
        self._region = aws.get_region_output(opts=self._invoke).region
        self._partition = aws.get_partition_output(opts=self._invoke).partition

        self.chat_log_group_name = f"/aws/vendedlogs/ivschat/{name}"
        self.key = self._encryption_key()
        self._recording()
        self._playback_key()
        self._channels()
        # IVS in this account and region: its failures (streams, recordings, account limits) reach
        # people as events, whichever channel they hit (creators' channels are made at run time).
        self.watch("ivs", "ivs", {})
        self._chat()
        self._events()
        self.backend_policy = self._backend_policy()

        self.register_outputs(
            {
                "channel_arns": self.channel_arns,
                "ingest_endpoints": self.ingest_endpoints,
                "playback_urls": self.playback_urls,
                "stream_keys": self.stream_keys,
                "chat_room_arns": self.chat_room_arns,
                "recording_bucket": self.recording_bucket.bucket,
                "recording_configuration_arn": self.recording_configuration.arn,
                "events_queue_url": self.events_queue.url,
                "backend_policy_arn": self.backend_policy.arn,
            }
        )

    # ------------------------------------------------------------------------------------------
    # One customer-managed key for the component's queues and chat logs

    def _encryption_key(self) -> aws.kms.Key:
        return self.kms_key(
            "encryption",
            f"{self.name}: IVS events queues and IVS Chat logs",
            grants=[self.events_grant(), self.logs_grant(self.chat_log_group_name)],
        )

    # ------------------------------------------------------------------------------------------
    # Recording: bucket + recording configuration

    def _recording(self) -> None:
        args = self._args
        # SSE-S3, not SSE-KMS: IVS writes recordings through its service-linked role
        # (AWSServiceRoleForIVSRecordToS3), whose AWS-managed policy grants s3:PutObject only and
        # no KMS permission, so a bucket defaulting to a customer-managed key would fail recording.
        bucket, guards = self.private_bucket("recordings", tags=args.backup_tags)
        self.recording_bucket = bucket
        aws.s3.BucketPolicy(
            self.child_name("recordings-policy"),
            bucket=bucket.id,
            policy=policy_json(deny_insecure_transport(bucket.arn)),
            # S3 rejects concurrent changes to one bucket's access settings; apply them in order.
            opts=self.child(depends_on=guards[:1]),
        )
        rules: list[dict[str, object]] = [
            {
                "id": "abort-incomplete-uploads",
                "status": "Enabled",
                "filter": {},
                "abort_incomplete_multipart_upload": {"days_after_initiation": 7},
            }
        ]
        if args.recording_transition_days is not None or args.recording_expiration_days is not None:
            rule: dict[str, object] = {"id": "recordings", "status": "Enabled", "filter": {}}
            if args.recording_transition_days is not None:
                rule["transitions"] = [
                    {"days": args.recording_transition_days, "storage_class": "INTELLIGENT_TIERING"}
                ]
            if args.recording_expiration_days is not None:
                rule["expiration"] = {"days": args.recording_expiration_days}
            rules.append(rule)
        lifecycle_after: list[pulumi.Resource] = []
        if args.enable_recording_versioning:
            lifecycle_after.append(
                aws.s3.BucketVersioning(
                    self.child_name("recordings-versioning"),
                    bucket=bucket.id,
                    versioning_configuration={"status": "Enabled"},
                    opts=self.child(),
                )
            )
            rules.append(
                {
                    "id": "noncurrent-versions",
                    "status": "Enabled",
                    "filter": {},
                    "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_VERSION_DAYS},
                }
            )
        aws.s3.BucketLifecycleConfiguration(
            self.child_name("recordings-lifecycle"),
            bucket=bucket.id,
            rules=rules,  # type: ignore[arg-type]
            opts=self.child(depends_on=lifecycle_after),
        )
        self.recording_configuration = aws.ivs.RecordingConfiguration(
            self.child_name("recording"),
            name=self.name,
            destination_configuration={"s3": {"bucket_name": bucket.bucket}},
            thumbnail_configuration={
                "recording_mode": "INTERVAL",
                "target_interval_seconds": args.thumbnail_interval_seconds,
            },
            # No recording may land in the bucket before it is private and encrypted.
            opts=self.child(depends_on=guards),
        )

    # ------------------------------------------------------------------------------------------
    # Playback key pair and channels

    def _playback_key(self) -> None:
        self.playback_key_pair = None
        if self._args.playback_public_key is not None:
            self.playback_key_pair = aws.ivs.PlaybackKeyPair(
                self.child_name("playback-key"),
                name=self.name,
                public_key=self._args.playback_public_key,
                opts=self.child(),
            )

    def _channels(self) -> None:
        self.channels = {}
        for key, channel in self._args.channels.items():
            self.channels[key] = aws.ivs.Channel(
                self.child_name(f"channel-{key}"),
                name=f"{self.name}-{key}",
                type=channel.type,
                latency_mode=channel.latency_mode,
                authorized=channel.authorized,
                recording_configuration_arn=(
                    self.recording_configuration.arn if channel.enable_recording else None
                ),
                # Creators' encoders hold the channel's ingest endpoint and stream key, viewers its
                # playback URL: a replaced channel breaks both, so channels are kept like data.
                opts=self.stateful(),
            )
        self.channel_arns = {key: c.arn for key, c in self.channels.items()}
        self.ingest_endpoints = {key: c.ingest_endpoint for key, c in self.channels.items()}
        self.playback_urls = {key: c.playback_url for key, c in self.channels.items()}
        # aws.ivs.Channel does not return the stream key (the IVS API does, but the provider leaves
        # it out); the getStreamKey data source reads it. It is wrapped as a secret here and never
        # leaves the component any other way.
        keys = {
            key: aws.ivs.get_stream_key_output(channel_arn=c.arn, opts=self._invoke).value
            for key, c in self.channels.items()
        }
        self.stream_keys = pulumi.Output.secret(pulumi.Output.all(**keys) if keys else {})

    # ------------------------------------------------------------------------------------------
    # Chat rooms and their message log

    def _chat(self) -> None:
        args = self._args
        self.chat_log_group = aws.cloudwatch.LogGroup(
            self.child_name("chat-log"),
            # /aws/vendedlogs/ is AWS's prefix for log groups that services deliver to; it keeps
            # the account's CloudWatch Logs resource policy small.
            name=self.chat_log_group_name,
            retention_in_days=args.chat_log_retention_days,
            kms_key_id=self.key.arn,
            deletion_protection_enabled=self._protect_state,
            opts=self.stateful(),
        )
        self.chat_logging = aws.ivschat.LoggingConfiguration(
            self.child_name("chat-logging"),
            name=self.name,
            destination_configuration={"cloudwatch_logs": {"log_group_name": self.chat_log_group.name}},
            opts=self.child(),
        )
        self.chat_rooms = {
            key: aws.ivschat.Room(
                self.child_name(f"chat-{key}"),
                name=f"{self.name}-{key}",
                maximum_message_length=room.maximum_message_length,
                maximum_message_rate_per_second=room.maximum_message_rate_per_second,
                logging_configuration_identifiers=[self.chat_logging.arn],
                opts=self.child(),
            )
            for key, room in args.chat_rooms.items()
        }
        self.chat_room_arns = {key: room.arn for key, room in self.chat_rooms.items()}

    # ------------------------------------------------------------------------------------------
    # IVS events → EventBridge rule → encrypted SQS queue (+ dead-letter queue)

    def _events(self) -> None:
        self.events_dead_letter_queue = aws.sqs.Queue(
            self.child_name("events-dlq"),
            kms_master_key_id=self.key.arn,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            opts=self.stateful(),
        )
        self.events_queue = aws.sqs.Queue(
            self.child_name("events"),
            kms_master_key_id=self.key.arn,
            message_retention_seconds=EVENTS_RETENTION_SECONDS,
            redrive_policy=pulumi.Output.json_dumps(
                {
                    "deadLetterTargetArn": self.events_dead_letter_queue.arn,
                    "maxReceiveCount": EVENTS_MAX_RECEIVE_COUNT,
                }
            ),
            opts=self.stateful(),
        )
        self.watch("queue", "events", {"QueueName": self.events_queue.name})
        self.watch("dead-letter-queue", "events-dlq", {"QueueName": self.events_dead_letter_queue.name})
        aws.sqs.RedriveAllowPolicy(
            self.child_name("events-dlq-sources"),
            queue_url=self.events_dead_letter_queue.url,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [self.events_queue.arn]}
            ),
            opts=self.child(),
        )
        self.events_rule = aws.cloudwatch.EventRule(
            self.child_name("events"),
            description=f"{self.name}: IVS stream and recording state changes for the backend",
            event_pattern=json.dumps({"source": ["aws.ivs"], "detail-type": list(EVENT_DETAIL_TYPES)}),
            opts=self.child(),
        )
        queue_policy = self.queue_for_rule(
            "events-policy", self.events_queue, self.events_rule, "EventBridgeRuleSends"
        )
        aws.cloudwatch.EventTarget(
            self.child_name("events-target"),
            rule=self.events_rule.name,
            arn=self.events_queue.arn,
            opts=self.child(depends_on=[queue_policy]),
        )

    # ------------------------------------------------------------------------------------------
    # What the backend's service role may do

    def _backend_policy(self) -> aws.iam.Policy:
        def arn(service: str, resource: str) -> pulumi.Output[str]:
            return pulumi.Output.format(
                "arn:{0}:{1}:{2}:{3}:{4}", self._partition, service, self._region, self._account, resource
            )

        return aws.iam.Policy(
            self.child_name("backend"),
            description=f"{self.name}: create IVS channels and chat tokens, consume IVS events",
            policy=policy_json(
                [
                    {
                        "Sid": "ManageChannels",
                        "Effect": "Allow",
                        "Action": [
                            "ivs:CreateChannel",
                            "ivs:GetChannel",
                            "ivs:BatchGetChannel",
                            "ivs:UpdateChannel",
                            "ivs:DeleteChannel",
                            "ivs:CreateStreamKey",
                            "ivs:GetStreamKey",
                            "ivs:BatchGetStreamKey",
                            "ivs:ListStreamKeys",
                            "ivs:DeleteStreamKey",
                            "ivs:GetStream",
                            "ivs:StopStream",
                            "ivs:PutMetadata",
                            "ivs:GetRecordingConfiguration",
                            "ivs:TagResource",
                        ],
                        "Resource": [
                            arn("ivs", "channel/*"),
                            arn("ivs", "stream-key/*"),
                            arn("ivs", "recording-configuration/*"),
                        ],
                    },
                    {
                        "Sid": "ManageChatRoomsAndTokens",
                        "Effect": "Allow",
                        "Action": [
                            "ivschat:CreateChatToken",
                            "ivschat:CreateRoom",
                            "ivschat:GetRoom",
                            "ivschat:UpdateRoom",
                            "ivschat:DeleteRoom",
                            "ivschat:SendEvent",
                            "ivschat:DeleteMessage",
                            "ivschat:DisconnectUser",
                            "ivschat:TagResource",
                        ],
                        "Resource": [arn("ivschat", "room/*"), arn("ivschat", "logging-configuration/*")],
                    },
                    {
                        "Sid": "ConsumeStreamEvents",
                        "Effect": "Allow",
                        "Action": [
                            "sqs:ReceiveMessage",
                            "sqs:DeleteMessage",
                            "sqs:ChangeMessageVisibility",
                            "sqs:GetQueueAttributes",
                            "sqs:GetQueueUrl",
                        ],
                        "Resource": [self.events_queue.arn],
                    },
                    {
                        "Sid": "DecryptStreamEvents",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt"],
                        "Resource": [self.key.arn],
                    },
                ]
            ),
            opts=self.child(),
        )
