"""Streaming (IVS + IVS Chat): what every environment stack builds, per tier, and the guards.

Read as a specification: channels by tier, a private and encrypted recording bucket, chat rooms that
log to an encrypted log group, IVS events on an encrypted queue with a dead-letter queue that only
this rule may write to, a backend policy limited to this account and region, and stream keys that
never appear in plain text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pulumi_aws as aws
import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from social_components import testing as mocks
from social_components.streaming import ChannelArgs, ChatRoomArgs, StreamingArgs
from social_components.streaming.validation import (
    check_name,
    check_playback_public_key,
    check_recording_lifecycle,
    validate,
)
from social_platform import stackfiles
from social_platform.config import ivs_regions, load_config
from social_platform.errors import ConfigError
from social_platform.render import SECRET_MASK, RenderedResource, RenderedStack, render

from .conftest import ENVIRONMENTS, raw_config

COMPONENT = "social:streaming:Streaming"
CHANNEL = "aws:ivs/channel:Channel"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"
BUCKET_GUARDS = (
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
)
STREAM_KEY_SHAPE = re.compile(r"sk_[a-z]{2}-[a-z]+-\d_\w{8,}")
"""What an IVS stream key looks like (sk_<region>_<secret>)."""


# ---------------------------------------------------------------------------------------------
# Helpers


def public_key_pem(curve: ec.EllipticCurve) -> str:
    key = ec.generate_private_key(curve)
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_key_pem(curve: ec.EllipticCurve) -> str:
    key = ec.generate_private_key(curve)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


P384_PUBLIC_KEY = public_key_pem(ec.SECP384R1())


def streaming_of(stack: RenderedStack) -> list[RenderedResource]:
    (component,) = stack.components(COMPONENT)
    return stack.descendants(component)


def one(stack: RenderedStack, type_: str) -> RenderedResource:
    found = [r for r in streaming_of(stack) if r.type == type_]
    assert len(found) == 1, f"{len(found)} {type_} in {stack.stack}'s streaming component"
    return found[0]


def all_of(stack: RenderedStack, type_: str) -> list[RenderedResource]:
    return [r for r in streaming_of(stack) if r.type == type_]


def document(resource: RenderedResource, key: str = "policy") -> dict[str, Any]:
    value = resource.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


def load(stack: str, streaming: dict[str, Any] | None = None, **top: Any) -> Any:
    raw = raw_config(stack)
    if streaming is not None:
        raw["streaming"] = {**raw.get("streaming", {}), **streaming}
    raw.update(top)
    return load_config(raw)


# ---------------------------------------------------------------------------------------------
# Pure validation (no Pulumi)


def test_a_p384_public_key_is_accepted_as_playback_key() -> None:
    check_playback_public_key(P384_PUBLIC_KEY)


@pytest.mark.parametrize(
    ("pem", "message"),
    [
        (public_key_pem(ec.SECP256R1()), "P-384"),
        (private_key_pem(ec.SECP384R1()), "PRIVATE key; never put it in config"),
        ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAA user@host", "is not PEM"),
        ("-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----\n", "is not PEM"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "'CERTIFICATE'"),
    ],
    ids=["p256", "private-key", "ssh-key", "bad-base64", "certificate"],
)
def test_anything_but_a_p384_public_key_is_refused(pem: str, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        check_playback_public_key(pem)


def test_recordings_cannot_expire_before_they_move_to_cheaper_storage() -> None:
    check_recording_lifecycle(expiration_days=365, transition_days=30)
    check_recording_lifecycle(expiration_days=None, transition_days=None)
    with pytest.raises(ValueError, match="expire"):
        check_recording_lifecycle(expiration_days=30, transition_days=30)
    with pytest.raises(ValueError, match="1 or more"):
        check_recording_lifecycle(expiration_days=0, transition_days=None)


def test_channel_and_room_names_are_stable_slugs() -> None:
    check_name("live")
    for bad in ("Live", "x", "live_1", "-live", "a" * 40):
        with pytest.raises(ValueError, match="lowercase letters"):
            check_name(bad)


def test_component_args_are_checked_with_the_argument_named() -> None:
    validate(StreamingArgs(channels={"live": ChannelArgs()}, chat_rooms={"live": ChatRoomArgs()}))
    with pytest.raises(ValueError, match=r"StreamingArgs\.channels\['vip'\]: an authorized"):
        validate(StreamingArgs(channels={"vip": ChannelArgs(authorized=True)}))
    with pytest.raises(ValueError, match=r"StreamingArgs\.chat_rooms\['live'\]: maximum_message_length"):
        validate(StreamingArgs(chat_rooms={"live": ChatRoomArgs(maximum_message_length=501)}))
    with pytest.raises(ValueError, match=r"StreamingArgs\.chat_log_retention_days"):
        validate(StreamingArgs(chat_log_retention_days=8))
    with pytest.raises(ValueError, match=r"StreamingArgs\.thumbnail_interval_seconds"):
        validate(StreamingArgs(thumbnail_interval_seconds=0))


def test_the_provider_channel_returns_no_stream_key_to_hide() -> None:
    # The IVS API returns the stream key with the channel, but aws.ivs.Channel leaves it out; the
    # component reads it through the getStreamKey data source as a secret. If a provider upgrade
    # adds it to the resource, it must go into the channel's additional_secret_outputs.
    assert not hasattr(aws.ivs.Channel, "stream_key")


# ---------------------------------------------------------------------------------------------
# Config: tier defaults, overrides and guards


def test_tier_defaults_pick_channel_type_recording_and_retention() -> None:
    dev, staging, prod = load("dev").streaming, load("staging").streaming, load("prod").streaming
    assert (dev.channel_type, staging.channel_type, prod.channel_type) == ("BASIC", "STANDARD", "STANDARD")
    assert (dev.recording, staging.recording, prod.recording) == (False, True, True)
    assert dev.recording_expiration_days == 7 and staging.recording_expiration_days == 30
    assert prod.recording_expiration_days is None, "prod keeps recordings (user content)"
    assert prod.recording_transition_days == 30
    assert (dev.recording_versioning, staging.recording_versioning, prod.recording_versioning) == (
        False,
        True,
        True,
    )
    assert (dev.chat_log_retention_days, staging.chat_log_retention_days, prod.chat_log_retention_days) == (
        7,
        30,
        90,
    )


def test_every_environment_has_a_live_channel_and_room_by_default() -> None:
    for stack in ENVIRONMENTS:
        cfg = load(stack).streaming
        assert cfg.enabled
        assert set(cfg.channels) >= {"live"} and set(cfg.chat_rooms) >= {"live"}
    assert not load("shared").streaming.enabled


BAD_STREAMING = [
    pytest.param(
        {"channels": {"vip": {"authorized": True}}},
        "social-platform:streaming.channels.vip.authorized",
        "playback_public_key",
        id="private-channel-without-key",
    ),
    pytest.param(
        {"playback_public_key": public_key_pem(ec.SECP256R1())},
        "social-platform:streaming.playback_public_key",
        "P-384",
        id="wrong-curve",
    ),
    pytest.param(
        {"playback_public_key": private_key_pem(ec.SECP384R1())},
        "social-platform:streaming.playback_public_key",
        "PRIVATE key",
        id="private-key-in-config",
    ),
    pytest.param(
        {"recording_expiration_days": 30, "recording_transition_days": 60},
        "social-platform:streaming.recording_expiration_days",
        "Intelligent-Tiering",
        id="expire-before-transition",
    ),
    pytest.param(
        {"channels": {"live": {"type": "PREMIUM"}}},
        "social-platform:streaming.channels.live.type",
        "allowed:",
        id="unknown-channel-type",
    ),
    pytest.param(
        {"channels": {"Live": {}}},
        "social-platform:streaming.channels.Live",
        "should match pattern",
        id="channel-name-not-a-slug",
    ),
    pytest.param(
        {"chat_rooms": {"live": {"maximum_message_rate_per_second": 0}}},
        "social-platform:streaming.chat_rooms.live.maximum_message_rate_per_second",
        "greater than or equal to 1",
        id="room-rate-zero",
    ),
    pytest.param(
        {"chat_log_retention_days": 8},
        "social-platform:streaming.chat_log_retention_days",
        "allowed:",
        id="retention-cloudwatch-rejects",
    ),
]


@pytest.mark.parametrize(("streaming", "key", "message"), BAD_STREAMING)
def test_bad_streaming_config_names_the_key(streaming: dict[str, Any], key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load("dev", streaming)
    assert any(k.startswith(key) for k in caught.value.keys), caught.value
    assert message in str(caught.value)


def test_prod_may_not_turn_off_recording_versioning_but_dev_may() -> None:
    assert load("dev", {"recording_versioning": False}).streaming.recording_versioning is False
    with pytest.raises(ConfigError) as caught:
        load("prod", {"recording_versioning": False})
    assert caught.value.keys == ["social-platform:streaming.recording_versioning"]


def test_a_private_channel_loads_once_the_playback_key_is_set() -> None:
    cfg = load("dev", {"channels": {"vip": {"authorized": True}}, "playback_public_key": P384_PUBLIC_KEY})
    assert cfg.streaming.channels["vip"].authorized


def test_streaming_needs_a_region_that_offers_ivs() -> None:
    not_offered = next(r for r in ("eu-north-1", "eu-west-3", "sa-east-1") if r not in ivs_regions())
    regions = {not_offered: {"primary": True, "vpc_cidr": "10.10.0.0/16", "az_count": 2}}
    with pytest.raises(ConfigError) as caught:
        load("dev", regions=regions)
    assert caught.value.keys == [f"social-platform:regions.{not_offered}"]
    assert "IVS" in str(caught.value) and "eu-west-1" in str(caught.value)
    # The same region is fine for a stack that does not run streaming.
    assert load("dev", {"enabled": False}, regions=regions).regions.primary.name == not_offered


# ---------------------------------------------------------------------------------------------
# Rendered stacks: placement, channels, recording


def test_every_environment_stack_renders_streaming_in_its_primary_region(rendered: dict) -> None:
    for name in ENVIRONMENTS:
        stack = rendered[name]
        primary = load(name).regions.primary.name
        account = load(name).account.id
        assert len(stack.components(COMPONENT)) == 1
        placed = {(r.account, r.region) for r in streaming_of(stack) if r.custom}
        assert placed == {(account, primary)}, f"{name}: streaming must live in {account}/{primary} only"
    assert rendered["shared"].components(COMPONENT) == []
    assert "streaming" not in rendered["shared"].outputs


@pytest.mark.parametrize(
    ("stack", "channel_type", "records"),
    [("dev", "BASIC", False), ("staging", "STANDARD", True), ("prod", "STANDARD", True)],
)
def test_channels_take_type_and_recording_from_the_tier(
    rendered: dict, stack: str, channel_type: str, records: bool
) -> None:
    channel = rendered[stack].named("streaming-channel-live", CHANNEL)
    assert channel.inputs["type"] == channel_type
    assert channel.inputs["latencyMode"] == "LOW"
    assert channel.inputs["authorized"] is False
    assert ("recordingConfigurationArn" in channel.inputs) is records
    if records:
        assert channel.inputs["recordingConfigurationArn"].startswith("arn:aws:ivs:eu-west-1:")


def test_the_app_gets_channel_endpoints_from_the_stack_outputs(rendered: dict) -> None:
    for name in ENVIRONMENTS:
        out = rendered[name].outputs["streaming"]
        live = out["channels"]["live"]
        assert live["arn"].startswith(f"arn:aws:ivs:eu-west-1:{load(name).account.id}:channel/")
        assert re.fullmatch(r"[a-z0-9]+\.global-contribute\.live-video\.net", live["ingest_endpoint"])
        assert live["playback_url"].startswith("https://") and live["playback_url"].endswith(".m3u8")
        assert out["chat_rooms"]["live"]["arn"].startswith("arn:aws:ivschat:eu-west-1:")
        assert out["events_queue_url"].startswith("https://sqs.eu-west-1.amazonaws.com/")
        assert out["backend_policy_arn"].startswith(f"arn:aws:iam::{load(name).account.id}:policy/")


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_recording_bucket_is_private_encrypted_and_tls_only(rendered: dict, stack: str) -> None:
    r = rendered[stack]
    sse = one(r, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")
    (rule,) = sse.inputs["rules"]
    assert rule["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert rule["blockedEncryptionTypes"] == ["SSE-C"]
    block = one(r, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    for setting in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"):
        assert block.inputs[setting] is True, setting
    ownership = one(r, "aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    plain_http, old_tls = document(one(r, "aws:s3/bucketPolicy:BucketPolicy"))["Statement"]
    for statement in (plain_http, old_tls):
        assert statement["Effect"] == "Deny" and statement["Action"] == "s3:*"
        bucket_arn = statement["Resource"][0]
        assert statement["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    assert plain_http["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert old_tls["Condition"] == {"NumericLessThan": {"s3:TlsVersion": "1.2"}}


@pytest.mark.parametrize(
    ("stack", "expiration", "transition", "versioned"),
    [("dev", 7, None, False), ("staging", 30, None, True), ("prod", None, 30, True)],
)
def test_recording_lifecycle_per_tier(
    rendered: dict, stack: str, expiration: int | None, transition: int | None, versioned: bool
) -> None:
    r = rendered[stack]
    rules = {rule["id"]: rule for rule in one(r, LIFECYCLE).inputs["rules"]}
    assert rules["abort-incomplete-uploads"]["abortIncompleteMultipartUpload"] == {"daysAfterInitiation": 7}
    recordings = rules["recordings"]
    assert recordings.get("expiration", {}).get("days") == expiration
    transitions = recordings.get("transitions", [])
    assert transitions == (
        [{"days": transition, "storageClass": "INTELLIGENT_TIERING"}] if transition else []
    )
    versioning = all_of(r, "aws:s3/bucketVersioning:BucketVersioning")
    assert bool(versioning) is versioned
    assert ("noncurrent-versions" in rules) is versioned
    if versioned:
        assert versioning[0].inputs["versioningConfiguration"] == {"status": "Enabled"}


def test_recordings_go_to_the_bucket_with_thumbnails_on(rendered: dict) -> None:
    for name in ENVIRONMENTS:
        r = rendered[name]
        recording = one(r, "aws:ivs/recordingConfiguration:RecordingConfiguration")
        assert (
            recording.inputs["destinationConfiguration"]["s3"]["bucketName"]
            == (r.outputs["streaming"]["recording_bucket"])
        )
        assert recording.inputs["thumbnailConfiguration"]["recordingMode"] == "INTERVAL"
        # Nothing is recorded before the bucket is private and encrypted.
        assert {one(r, t).urn for t in BUCKET_GUARDS} <= set(recording.depends_on)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_what_holds_data_is_protected_in_prod_only(rendered: dict, stack: str) -> None:
    r = rendered[stack]
    held = [
        one(r, "aws:s3/bucket:Bucket"),
        one(r, "aws:kms/key:Key"),
        one(r, "aws:cloudwatch/logGroup:LogGroup"),
        *all_of(r, CHANNEL),
    ]
    is_prod = stack == "prod"
    for resource in held:
        assert (resource.protect, resource.retain_on_delete) == (is_prod, is_prod), resource.name
    log_group = one(r, "aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["deletionProtectionEnabled"] is is_prod
    assert one(r, "aws:s3/bucket:Bucket").inputs.get("forceDestroy", False) is False


# ---------------------------------------------------------------------------------------------
# Chat


@pytest.mark.parametrize(("stack", "retention"), [("dev", 7), ("staging", 30), ("prod", 90)])
def test_chat_rooms_log_every_message_to_an_encrypted_log_group(
    rendered: dict, stack: str, retention: int
) -> None:
    r = rendered[stack]
    log_group = one(r, "aws:cloudwatch/logGroup:LogGroup")
    assert log_group.inputs["retentionInDays"] == retention
    key_arn = log_group.inputs["kmsKeyId"]
    assert key_arn.startswith("arn:aws:kms:eu-west-1:")
    logging = one(r, "aws:ivschat/loggingConfiguration:LoggingConfiguration")
    assert logging.inputs["destinationConfiguration"] == {
        "cloudwatchLogs": {"logGroupName": log_group.inputs["name"]}
    }
    rooms = all_of(r, "aws:ivschat/room:Room")
    assert rooms, "the default `live` room"
    exported = set(r.outputs["streaming"]["chat_rooms"])
    assert exported == {room.name.removeprefix("streaming-chat-") for room in rooms}
    for room in rooms:
        (attached,) = room.inputs["loggingConfigurationIdentifiers"]
        assert attached.startswith("arn:aws:ivschat:eu-west-1:") and ":logging-configuration/" in attached
    # CloudWatch Logs may use the key for this log group only.
    key = one(r, "aws:kms/key:Key")
    logs = next(
        s for s in document(key)["Statement"] if s["Principal"].get("Service", "").startswith("logs.")
    )
    context = logs["Condition"]["ArnLike"]["kms:EncryptionContext:aws:logs:arn"]
    assert context.endswith(f":log-group:{log_group.inputs['name']}") and "*" not in context


# ---------------------------------------------------------------------------------------------
# IVS events → queue


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_ivs_event_rule_targets_the_backend_queue(rendered: dict, stack: str) -> None:
    r = rendered[stack]
    rule = one(r, "aws:cloudwatch/eventRule:EventRule")
    pattern = json.loads(rule.inputs["eventPattern"])
    assert pattern["source"] == ["aws.ivs"]
    assert set(pattern["detail-type"]) >= {"IVS Stream State Change"}
    target = one(r, "aws:cloudwatch/eventTarget:EventTarget")
    assert target.inputs["rule"] == rule.name
    queue_url = r.outputs["streaming"]["events_queue_url"]
    assert target.inputs["arn"].endswith(":" + queue_url.rsplit("/", 1)[1]), "target is the exported queue"
    assert "roleArn" not in target.inputs, "SQS targets are authorized by the queue policy, not a role"


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_events_queue_has_a_dead_letter_queue_and_both_are_kms_encrypted(
    rendered: dict, stack: str
) -> None:
    r = rendered[stack]
    queue_arn = one(r, "aws:cloudwatch/eventTarget:EventTarget").inputs["arn"]
    queues = all_of(r, "aws:sqs/queue:Queue")
    (queue,) = [q for q in queues if "redrivePolicy" in q.inputs]
    (dlq,) = [q for q in queues if q is not queue]
    redrive = json.loads(queue.inputs["redrivePolicy"])
    assert redrive["deadLetterTargetArn"] != queue_arn
    assert redrive["deadLetterTargetArn"].endswith(
        ":" + r.outputs["streaming"]["events_dead_letter_queue_url"].rsplit("/", 1)[1]
    )
    assert 1 <= redrive["maxReceiveCount"] <= 10
    assert dlq.inputs["messageRetentionSeconds"] == 14 * 24 * 3600
    key = one(r, "aws:kms/key:Key")
    assert key.inputs["enableKeyRotation"] is True
    for q in (queue, dlq):
        assert q.inputs["kmsMasterKeyId"].startswith("arn:aws:kms:eu-west-1:"), q.name
        assert q.inputs["kmsMasterKeyId"] == one(r, "aws:cloudwatch/logGroup:LogGroup").inputs["kmsKeyId"]
        assert not q.inputs.get("sqsManagedSseEnabled"), "the customer-managed key, not SQS-managed SSE"
    allowed = json.loads(one(r, "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy").inputs["redriveAllowPolicy"])
    assert allowed == {"redrivePermission": "byQueue", "sourceQueueArns": [queue_arn]}


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_queue_policy_admits_only_eventbridge_from_this_rule(rendered: dict, stack: str) -> None:
    r = rendered[stack]
    cfg = load(stack)
    target = one(r, "aws:cloudwatch/eventTarget:EventTarget")
    rule_arn = f"arn:aws:events:{cfg.regions.primary.name}:{cfg.account.id}:rule/{target.inputs['rule']}"
    policy = one(r, "aws:sqs/queuePolicy:QueuePolicy")
    assert policy.inputs["queueUrl"] == r.outputs["streaming"]["events_queue_url"]
    allows = [s for s in document(policy)["Statement"] if s["Effect"] == "Allow"]
    assert allows == [
        {
            "Sid": "EventBridgeRuleSends",
            "Effect": "Allow",
            "Principal": {"Service": "events.amazonaws.com"},
            "Action": "sqs:SendMessage",
            "Resource": target.inputs["arn"],
            "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
        }
    ]
    # EventBridge may use the queues' key, but only on behalf of this account.
    key = one(r, "aws:kms/key:Key")
    events = [s for s in document(key)["Statement"] if s["Principal"] == {"Service": "events.amazonaws.com"}]
    assert [s["Condition"] for s in events] == [{"StringEquals": {"aws:SourceAccount": cfg.account.id}}]
    assert policy.urn in target.depends_on, "the target is created once the queue admits it"


# ---------------------------------------------------------------------------------------------
# The backend's policy


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_backend_policy_is_limited_to_this_account_and_region(rendered: dict, stack: str) -> None:
    r = rendered[stack]
    cfg = load(stack)
    region, account = cfg.regions.primary.name, cfg.account.id
    statements = document(one(r, "aws:iam/policy:Policy"))["Statement"]
    actions = {action for s in statements for action in s["Action"]}
    assert {
        "ivs:CreateChannel",
        "ivs:GetStreamKey",
        "ivschat:CreateChatToken",
        "ivschat:CreateRoom",
    } <= actions
    assert {"sqs:ReceiveMessage", "sqs:DeleteMessage", "kms:Decrypt"} <= actions
    assert not any("*" in action for action in actions), "no wildcard actions"
    for statement in statements:
        assert statement["Effect"] == "Allow"
        for resource in statement["Resource"]:
            service = resource.split(":")[2]
            assert resource.startswith(f"arn:aws:{service}:{region}:{account}:"), resource
            assert service in {"ivs", "ivschat", "sqs", "kms"}
    queue_arn = one(r, "aws:cloudwatch/eventTarget:EventTarget").inputs["arn"]
    consume = next(s for s in statements if "sqs:ReceiveMessage" in s["Action"])
    assert consume["Resource"] == [queue_arn]


# ---------------------------------------------------------------------------------------------
# Stream keys are secrets


def test_stream_keys_are_exported_only_as_a_secret(rendered: dict) -> None:
    for name in ENVIRONMENTS:
        stack = rendered[name]
        assert stack.outputs["streaming_stream_keys"] == SECRET_MASK
        text = json.dumps(stack.to_json())
        assert not STREAM_KEY_SHAPE.search(text), f"a stream key shows in plain text in {name}"


# ---------------------------------------------------------------------------------------------
# A stack with its own channels: overrides, a private channel, the playback key, and the stream
# keys read (through an instrumented mock) and still never shown.


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RenderedStack, list[dict[str, Any]]]]:
    project = tmp_path_factory.mktemp("streaming-project")
    (project / "Pulumi.yaml").write_text((stackfiles.PROJECT_ROOT / "Pulumi.yaml").read_text())
    stack_yaml = yaml.safe_load(stackfiles.stack_file("staging").read_text())
    stack_yaml["config"]["social-platform:streaming"] = {
        "playback_public_key": P384_PUBLIC_KEY,
        "channels": {
            "live": {},
            "vip": {"authorized": True, "type": "ADVANCED_HD", "latency_mode": "NORMAL", "recording": False},
        },
        "chat_rooms": {"live": {}, "backstage": {"maximum_message_length": 200}},
    }
    (project / "Pulumi.staging.yaml").write_text(yaml.safe_dump(stack_yaml))

    returned: list[dict[str, Any]] = []
    original = mocks.INVOKES["aws:ivs/getStreamKey:getStreamKey"]

    def recording_invoke(args: dict[str, Any], placement: mocks.Placement) -> dict[str, Any]:
        answer = original(args, placement)
        returned.append(answer)
        return answer

    mocks.INVOKES["aws:ivs/getStreamKey:getStreamKey"] = recording_invoke
    try:
        yield render("staging", project_dir=Path(project)), returned
    finally:
        mocks.INVOKES["aws:ivs/getStreamKey:getStreamKey"] = original


def test_a_channel_overrides_the_tier_defaults(custom: tuple[RenderedStack, list]) -> None:
    stack, _ = custom
    vip = stack.named("streaming-channel-vip", CHANNEL)
    live = stack.named("streaming-channel-live", CHANNEL)
    assert vip.inputs["type"] == "ADVANCED_HD" and vip.inputs["latencyMode"] == "NORMAL"
    assert vip.inputs["authorized"] is True and "recordingConfigurationArn" not in vip.inputs
    assert live.inputs["type"] == "STANDARD" and "recordingConfigurationArn" in live.inputs
    assert set(stack.outputs["streaming"]["channels"]) == {"live", "vip"}
    room = stack.named("streaming-chat-backstage", "aws:ivschat/room:Room")
    assert room.inputs["maximumMessageLength"] == 200


def test_private_channels_get_the_playback_key_pair_from_config(custom: tuple[RenderedStack, list]) -> None:
    stack, _ = custom
    pair = one(stack, "aws:ivs/playbackKeyPair:PlaybackKeyPair")
    assert pair.inputs["publicKey"] == P384_PUBLIC_KEY
    assert stack.outputs["streaming"]["playback_key_pair_arn"].startswith("arn:aws:ivs:eu-west-1:")


def test_no_playback_key_pair_without_a_key(rendered: dict) -> None:
    assert all_of(rendered["staging"], "aws:ivs/playbackKeyPair:PlaybackKeyPair") == []
    assert rendered["staging"].outputs["streaming"]["playback_key_pair_arn"] is None


def test_every_channels_stream_key_is_read_but_never_shown(custom: tuple[RenderedStack, list]) -> None:
    stack, returned = custom
    channel_arns = {c["arn"] for c in stack.outputs["streaming"]["channels"].values()}
    assert {answer["channelArn"] for answer in returned} == channel_arns
    text = json.dumps(stack.to_json())
    for answer in returned:
        assert STREAM_KEY_SHAPE.fullmatch(answer["value"]), "the mock's key looks like a real one"
        assert answer["value"] not in text
    assert stack.outputs["streaming_stream_keys"] == SECRET_MASK
