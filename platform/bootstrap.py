"""`bootstrap`: create the Pulumi state backend in the shared account, once, before the first `pulumi up`.

- an S3 bucket: versioned, encrypted at rest, public access blocked, objects owned by the bucket
  owner, a TLS-only policy that also lets each environment's account reach only its own stack's
  objects (and the shared stack's checkpoint, which its StackReference reads);
- one KMS key per stack (`<key_alias_prefix>-<stack>`, rotating) as that stack's secrets provider,
  usable by that stack's account only.

Safe to run again: what exists is reported, its settings re-applied, nothing created twice. It then
prints the `pulumi login` URL and each stack's `--secrets-provider`.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.exceptions import ClientError

from social_platform import stackfiles
from social_platform.areas.ci import state_backend
from social_platform.aws_errors import AwsError, describe, is_credentials_problem
from social_platform.config import SHARED, load_config
from social_platform.errors import ConfigError
from social_platform.state_backend import PROJECT_NAME, StateBackend

NONCURRENT_VERSION_DAYS = 365
"""How long superseded state versions are kept (a year of history to roll back to)."""


class BootstrapError(RuntimeError):
    """A problem the operator must fix; the message says what."""


@dataclass
class Result:
    bucket_created: bool = False
    keys: dict[str, str] = field(default_factory=dict)
    """Stack → key ARN."""
    created_keys: list[str] = field(default_factory=list)


def assume(session: boto3.Session, role_arn: str, expected_account: str, session_name: str) -> boto3.Session:
    """A session in `role_arn`, checked to be in `expected_account`."""
    try:
        creds = session.client("sts").assume_role(RoleArn=role_arn, RoleSessionName=session_name)[
            "Credentials"
        ]
    except ClientError as exc:
        if is_credentials_problem(exc):
            raise  # main() says what is wrong with the caller's credentials
        raise BootstrapError(
            f"cannot assume {role_arn}: {exc.response['Error'].get('Message', exc)}"
        ) from None
    assumed = boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=session.region_name,
    )
    landed = assumed.client("sts").get_caller_identity()["Account"]
    if landed != expected_account:
        raise BootstrapError(f"{role_arn} landed in account {landed}, expected {expected_account}")
    return assumed


def ensure_backend(
    session: boto3.Session, backend: StateBackend, stack_accounts: Mapping[str, str], out: TextIO
) -> Result:
    """Create what is missing, re-apply every setting, report each item on `out`."""
    result = Result()
    result.bucket_created = _ensure_bucket(session, backend, stack_accounts, out)
    kms = session.client("kms", region_name=backend.region)
    for stack, account in sorted(stack_accounts.items()):
        alias = backend.key_alias(stack)
        policy = json.dumps(backend.key_policy(stack, account))
        try:
            key_id = kms.describe_key(KeyId=alias)["KeyMetadata"]["KeyId"]
            kms.put_key_policy(KeyId=key_id, PolicyName="default", Policy=policy)
            state = "exists (policy re-applied)"
        except kms.exceptions.NotFoundException:
            key_id = kms.create_key(
                Description=f"Pulumi secrets provider of stack {stack} ({PROJECT_NAME})",
                KeyUsage="ENCRYPT_DECRYPT",
                KeySpec="SYMMETRIC_DEFAULT",
                Policy=policy,
                Tags=[
                    {"TagKey": "Project", "TagValue": PROJECT_NAME},
                    {"TagKey": "Stack", "TagValue": stack},
                    {"TagKey": "ManagedBy", "TagValue": "bootstrap"},
                ],
            )["KeyMetadata"]["KeyId"]
            kms.create_alias(AliasName=alias, TargetKeyId=key_id)
            result.created_keys.append(stack)
            state = "created"
        kms.enable_key_rotation(KeyId=key_id)
        arn = kms.describe_key(KeyId=key_id)["KeyMetadata"]["Arn"]
        result.keys[stack] = arn
        print(f"secrets key {alias} for stack {stack}: {state}", file=out)
    return result


def _ensure_bucket(
    session: boto3.Session, backend: StateBackend, stack_accounts: Mapping[str, str], out: TextIO
) -> bool:
    s3 = session.client("s3", region_name=backend.region)
    created = False
    try:
        s3.head_bucket(Bucket=backend.bucket, ExpectedBucketOwner=backend.shared_account_id)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code"))
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise BootstrapError(
                f"bucket {backend.bucket} exists but is not this account's or denies access ({code}); "
                "set ci.state.bucket in Pulumi.yaml to another name"
            ) from None
        location: dict[str, Any] = (
            {}
            if backend.region == "us-east-1"
            else {"CreateBucketConfiguration": {"LocationConstraint": backend.region}}
        )
        s3.create_bucket(Bucket=backend.bucket, ObjectOwnership="BucketOwnerEnforced", **location)
        created = True
    s3.put_public_access_block(
        Bucket=backend.bucket,
        PublicAccessBlockConfiguration={
            "BlockPublicAcls": True,
            "IgnorePublicAcls": True,
            "BlockPublicPolicy": True,
            "RestrictPublicBuckets": True,
        },
    )
    s3.put_bucket_ownership_controls(
        Bucket=backend.bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]}
    )
    s3.put_bucket_versioning(Bucket=backend.bucket, VersioningConfiguration={"Status": "Enabled"})
    # SSE-S3 at rest; the secrets inside the state are encrypted again with the stack's own KMS key.
    s3.put_bucket_encryption(
        Bucket=backend.bucket,
        ServerSideEncryptionConfiguration={
            "Rules": [{"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]
        },
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=backend.bucket,
        LifecycleConfiguration={
            "Rules": [
                {
                    "ID": "keep-a-year-of-history",
                    "Status": "Enabled",
                    "Filter": {"Prefix": ""},
                    "NoncurrentVersionExpiration": {"NoncurrentDays": NONCURRENT_VERSION_DAYS},
                    "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 7},
                }
            ]
        },
    )
    s3.put_bucket_policy(Bucket=backend.bucket, Policy=json.dumps(backend.bucket_policy(stack_accounts)))
    state = "created" if created else "exists (settings re-applied)"
    print(f"state bucket s3://{backend.bucket} ({backend.region}): {state}", file=out)
    return created


def next_steps(backend: StateBackend, keys: Mapping[str, str]) -> list[str]:
    lines = ["", "Next, from the repository root:", f"  pulumi login '{backend.login_url}'"]
    for stack, arn in sorted(keys.items(), key=lambda kv: (kv[0] != SHARED, kv[0])):
        lines.append(f"  pulumi stack init {stack} --secrets-provider='{backend.secrets_provider(arn)}'")
    return lines


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="bootstrap", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--no-assume-role",
        action="store_true",
        help="use the caller's credentials as they are (they must be in the shared account) "
        "instead of assuming the shared account's deploy role",
    )
    parser.add_argument("--project-dir", type=Path, default=stackfiles.PROJECT_ROOT, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    try:
        stack_accounts: dict[str, str] = {}
        for stack in stackfiles.stack_names(args.project_dir):
            raw = stackfiles.read_stack_files(stack, args.project_dir)
            stack_accounts[stack] = load_config(raw.values, secret_keys=raw.secret_keys).account.id
        shared_raw = stackfiles.read_stack_files(SHARED, args.project_dir)
        cfg = load_config(shared_raw.values, secret_keys=shared_raw.secret_keys)
        backend = state_backend(cfg)
        if backend is None:
            raise BootstrapError(
                "ci.state is unset in Pulumi.yaml; set ci.state.region to use the S3 backend"
            )
        session = boto3.Session(region_name=backend.region)
        shared = cfg.shared_account
        if args.no_assume_role:
            landed = session.client("sts").get_caller_identity()["Account"]
            if landed != shared.id:
                raise BootstrapError(
                    f"these credentials are for account {landed}; the shared account is {shared.id}"
                )
        else:
            session = assume(session, shared.deploy_role_arn, shared.id, "bootstrap")
        print(f"shared account {shared.id}, region {backend.region}", file=out)
        result = ensure_backend(session, backend, stack_accounts, out)
    except (ConfigError, BootstrapError) as exc:
        print(f"bootstrap: {exc}", file=sys.stderr)
        return 2 if isinstance(exc, ConfigError) else 1
    except AwsError as exc:
        print(f"bootstrap: {describe(exc)}", file=sys.stderr)
        return 1
    print("\n".join(next_steps(backend, result.keys)), file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
