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


BUCKET = "aws:s3/bucket:Bucket"
BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
S3_OBJECT = "AWS::S3::Object"


def _audited_objects(trail: ResourceView) -> list[str]:
    """The S3 object ARNs (prefixes) whose reads and writes `trail` records as data events, from its
    basic (`dataResources`) and advanced (`resources.ARN` field) event selectors."""
    arns = [
        str(value)
        for selector in _seq(trail.get("eventSelectors"))
        for resource in _seq(selector.get("dataResources"))
        if resource.get("type") == S3_OBJECT
        for value in _seq(resource.get("values"))
    ]
    for selector in _seq(trail.get("advancedEventSelectors")):
        fields = _seq(selector.get("fieldSelectors"))
        if not any(f.get("field") == "resources.type" and S3_OBJECT in _seq(f.get("equals")) for f in fields):
            continue
        arns += [
            str(value)
            for f in fields
            if f.get("field") == "resources.ARN"
            for value in (*_seq(f.get("equals")), *_seq(f.get("startsWiths")))
        ]
    return arns


def _audits(trail: ResourceView, bucket: ResourceView) -> bool:
    """Whether `trail` records object-level data events of `bucket` (a bucket holding user data)."""
    deps = trail.property_deps or {}
    if any(bucket.urn in deps.get(p, ()) for p in ("eventSelectors", "advancedEventSelectors")):
        return True
    names = _bucket_names(bucket)
    return any(value.split("/", 1)[0].rpartition(":")[2] in names for value in _audited_objects(trail))


def _bucket_names(bucket: ResourceView) -> set[str]:
    """The names `bucket` goes by (its `bucket` input, its ID, the tail of its ARN `arn:aws:s3:::<name>`)."""
    return {str(v) for v in (bucket.get("bucket"), bucket.id, (bucket.arn or "").rpartition(":")[2]) if v}


@rule(
    "user-data-access-logged",
    "Every bucket holding user data (one whose object reads and writes a trail records) also has S3 "
    "server access logging to a log bucket",
    types=(BUCKET,),
    needs_stack=True,
)
def _user_data_access_logged(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not any(_audits(trail, r) for trail in stack.of_type(TRAIL)):
        return
    inline = [entry for entry in _seq(r.get("logging")) if entry.get("targetBucket")]
    names = _bucket_names(r)
    logging = [
        x
        for x in stack.of_type(BUCKET_LOGGING)
        if x.get("targetBucket") and (x.refers_to("bucket", r) or str(x.get("bucket")) in names)
    ]
    if not inline and not logging:
        yield (
            "holds user data (a trail records its object events) but has no aws.s3.BucketLogging "
            "with a targetBucket: its server access logs go nowhere"
        )
