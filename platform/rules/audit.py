"""Audit and detection: every account and region the stack uses is watched, the trail can be trusted,
public zones are signed."""

from __future__ import annotations

import json
from collections.abc import Iterator

from social_platform.rulebook import ResourceView, StackView, _seq, _truthy, rule

AWS_PROVIDER = "pulumi:providers:aws"
TRAIL = "aws:cloudtrail/trail:Trail"
DETECTOR = "aws:guardduty/detector:Detector"
RECORDER = "aws:cfg/recorder:Recorder"
RECORDER_STATUS = "aws:cfg/recorderStatus:RecorderStatus"
DELIVERY_CHANNEL = "aws:cfg/deliveryChannel:DeliveryChannel"

BORROWED = frozenset({"aws:route53/record:Record"})
"""Types a stack writes into another account's resources (an NS or DS record in the shared account's
root zone): declaring one does not make the stack the user of that account and region."""


def _placement(provider: ResourceView) -> tuple[str | None, str | None]:
    """(account, region) of an aws provider, from its own inputs (the render also knows it)."""
    accounts = provider.props.get("allowedAccountIds")
    if isinstance(accounts, str):
        try:
            accounts = json.loads(accounts)
        except json.JSONDecodeError:
            accounts = [accounts]
    account = next((str(a) for a in _seq(accounts)), None) or provider.account
    region = provider.props.get("region") or provider.region
    return account, (str(region) if region else None)


def _uses(stack: StackView, account: str, region: str) -> bool:
    """Whether the stack declares anything of its own in `account` and `region`."""
    return any(
        (r.account, r.region) == (account, region) and r.custom and r.type not in BORROWED
        for r in stack.resources
        if r.type != AWS_PROVIDER
    )


@rule(
    "baseline-every-region",
    "Every account and region the stack uses has a multi-region trail (in the account), GuardDuty "
    "and an enabled AWS Config recorder with a delivery channel",
    types=(AWS_PROVIDER,),
    needs_stack=True,
)
def _baseline_every_region(r: ResourceView, stack: StackView) -> Iterator[str]:
    account, region = _placement(r)
    if account is None or region is None or not _uses(stack, account, region):
        return
    where = f"account {account} in {region}"

    def here(*types: str) -> list[ResourceView]:
        return [o for o in stack.of_type(*types) if (o.account, o.region) == (account, region)]

    trails = [t for t in stack.of_type(TRAIL) if t.account == account]
    if not any(
        _truthy(t.get("isMultiRegionTrail")) and t.get("enableLogging", True) is not False for t in trails
    ):
        yield f"{where}: no logging multi-region CloudTrail trail in the account"
    if not any(d.get("enable", True) is not False for d in here(DETECTOR)):
        yield f"{where}: no enabled GuardDuty detector"
    if not here(RECORDER) or not here(DELIVERY_CHANNEL):
        yield f"{where}: no AWS Config recorder with a delivery channel"
    elif not any(_truthy(s.get("isEnabled")) for s in here(RECORDER_STATUS)):
        yield f"{where}: the AWS Config recorder is not started (no RecorderStatus with isEnabled)"


@rule(
    "trail-integrity",
    "Trails cover every region and global services, validate their log files, encrypt them with a "
    "customer-managed key and copy them to CloudWatch Logs (where the security alarms read them)",
    types=(TRAIL,),
)
def _trail_integrity(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _truthy(r.get("isMultiRegionTrail")):
        yield "isMultiRegionTrail must be true"
    if r.get("includeGlobalServiceEvents") is False:
        yield "includeGlobalServiceEvents must not be false (IAM and STS events come from us-east-1)"
    if not _truthy(r.get("enableLogFileValidation")):
        yield "enableLogFileValidation must be true (digest files prove the logs were not altered)"
    if not r.get("kmsKeyId"):
        yield "kmsKeyId must name a customer-managed KMS key"
    if not r.get("cloudWatchLogsGroupArn"):
        yield "cloudWatchLogsGroupArn must be set (the security alarms' metric filters read that copy)"


ZONE = "aws:route53/zone:Zone"
KSK = "aws:route53/keySigningKey:KeySigningKey"
DNSSEC = "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec"


@rule(
    "public-zones-signed",
    "Every public hosted zone is signed with DNSSEC: an active key-signing key and signing on",
    types=(ZONE,),
    needs_stack=True,
)
def _public_zones_signed(r: ResourceView, stack: StackView) -> Iterator[str]:
    if _seq(r.get("vpcs")):
        return  # a private zone: DNSSEC signing is for public zones
    keys = [k for k in stack.referring_to(r, (KSK,), "hostedZoneId") if k.get("status", "ACTIVE") == "ACTIVE"]
    signing = [
        d
        for d in stack.referring_to(r, (DNSSEC,), "hostedZoneId")
        if d.get("signingStatus", "SIGNING") == "SIGNING"
    ]
    if not keys:
        yield "has no active aws.route53.KeySigningKey"
    if not signing:
        yield "has no aws.route53.HostedZoneDnsSec with signingStatus SIGNING"


S3_BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BUCKET_LOGGINGS = ("aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2")
S3_OBJECT = "AWS::S3::Object"
EVERY_BUCKET = ("arn:aws:s3", "arn:aws:s3:::")
"""Data-resource values that select the objects of every bucket (CloudTrail's `DataResource.Values`)."""


def _audited_objects(trail: ResourceView) -> tuple[bool, list[str]]:
    """Whether `trail` records the object-level data events of every bucket, and the object ARNs
    (prefixes) it records them for, from its basic (`dataResources`) and advanced (`resources.type` /
    `resources.ARN` fields) event selectors."""
    arns = [
        str(value)
        for selector in _seq(trail.get("eventSelectors"))
        for resource in _seq(selector.get("dataResources"))
        if resource.get("type") == S3_OBJECT
        for value in _seq(resource.get("values"))
    ]
    every = any(value in EVERY_BUCKET for value in arns)
    for selector in _seq(trail.get("advancedEventSelectors")):
        fields = _seq(selector.get("fieldSelectors"))
        if not any(f.get("field") == "resources.type" and S3_OBJECT in _seq(f.get("equals")) for f in fields):
            continue
        named = [
            str(value)
            for f in fields
            if f.get("field") == "resources.ARN"
            for value in (*_seq(f.get("equals")), *_seq(f.get("startsWiths")))
        ]
        every = every or not named or any(value in EVERY_BUCKET for value in named)
        arns += named
    return every, arns


def _audits(trail: ResourceView, bucket: ResourceView, stack: StackView) -> bool:
    """Whether `trail` records object-level data events of `bucket` (a bucket holding user data). A trail
    that records every bucket's objects leaves out only the buckets that receive access logs."""
    selectors = ("eventSelectors", "advancedEventSelectors")
    deps = trail.property_deps or {}
    # During a preview the selectors' ARNs may be unknown: the dependency names the bucket.
    if any(bucket.urn in deps.get(p, ()) for p in selectors):
        return True
    every, arns = _audited_objects(trail)
    if every:
        return not any(x.refers_to("targetBucket", bucket) for x in stack.of_type(*BUCKET_LOGGINGS))
    if any(p in deps for p in selectors):
        return False
    names = {str(v) for v in (bucket.get("bucket"), bucket.id, (bucket.arn or "").rpartition(":")[2]) if v}
    return any(value.split("/", 1)[0].rpartition(":")[2] in names for value in arns)


@rule(
    "user-data-access-logged",
    "Every bucket holding user data (one whose object reads and writes a trail records) also has S3 "
    "server access logging to a log bucket",
    types=S3_BUCKETS,
    needs_stack=True,
)
def _user_data_access_logged(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not any(_audits(trail, r, stack) for trail in stack.of_type(TRAIL)):
        return
    # `targetBucket` is required on both logging types: the resource's existence is the setting.
    if stack.referring_to(r, BUCKET_LOGGINGS, "bucket"):
        return
    if any(entry.get("targetBucket") for key in ("logging", "loggings") for entry in _seq(r.get(key))):
        return
    yield (
        "holds user data (a trail records its object events) but has no aws.s3.BucketLogging: its "
        "server access logs go nowhere"
    )
