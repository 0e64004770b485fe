"""`bootstrap` (against moto): the state backend is created once, then reported, never duplicated."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass

import boto3
import pytest

from social_platform import bootstrap
from social_platform.areas.ci import state_backend
from social_platform.config import load_config

from .conftest import STACKS, raw_config
from .fake_aws import fake_aws, session_in
from .iam import allows

SHARED_ID = "111111111111"
BUCKET = f"social-pulumi-state-{SHARED_ID}"


@dataclass
class Runs:
    refused: tuple[int, str]
    """`--no-assume-role` with moto's own credentials (account 123456789012): exit code, stderr."""
    buckets_after_refusal: list[str]
    first: tuple[int, str]
    keys_after_first: list[str]
    second: tuple[int, str]
    shared: boto3.Session


def run(*args: str) -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = bootstrap.main(list(args), out=out)
    return code, out.getvalue() + err.getvalue()


@pytest.fixture(scope="module")
def runs() -> Iterator[Runs]:
    """One fake AWS for the module: a refused run, then bootstrap twice."""
    with fake_aws():
        refused = run("--no-assume-role")
        shared = session_in(SHARED_ID)
        buckets = [b["Name"] for b in shared.client("s3").list_buckets()["Buckets"]]
        first = run()
        keys = [k["KeyId"] for k in shared.client("kms").list_keys()["Keys"]]
        yield Runs(refused, buckets, first, keys, run(), shared)


def test_bootstrap_twice_creates_the_backend_once_and_then_reports_it(runs: Runs) -> None:
    code, first = runs.first
    assert code == 0, first
    assert f"state bucket s3://{BUCKET} (eu-west-1): created" in first
    for stack in STACKS:
        assert f"secrets key alias/pulumi-secrets-{stack} for stack {stack}: created" in first
    code, second = runs.second
    assert code == 0, second
    assert "created" not in second
    assert f"state bucket s3://{BUCKET} (eu-west-1): exists (settings re-applied)" in second
    assert second.count("exists (policy re-applied)") == len(STACKS)
    assert [k["KeyId"] for k in runs.shared.client("kms").list_keys()["Keys"]] == runs.keys_after_first
    assert [b["Name"] for b in runs.shared.client("s3").list_buckets()["Buckets"]] == [BUCKET]


def test_the_bucket_is_versioned_encrypted_private_and_tls_only(runs: Runs) -> None:
    s3 = runs.shared.client("s3")
    assert s3.get_bucket_versioning(Bucket=BUCKET)["Status"] == "Enabled"
    rule = s3.get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    assert all(block.values()) and len(block) == 4
    policy = json.loads(s3.get_bucket_policy(Bucket=BUCKET)["Policy"])
    obj = f"arn:aws:s3:::{BUCKET}/.pulumi/stacks/social-platform/dev.json"
    assert not allows(policy, "s3:GetObject", obj, {"aws:SecureTransport": "false"})


def test_each_stack_gets_its_own_rotating_key_printed_as_its_secrets_provider(runs: Runs) -> None:
    kms = runs.shared.client("kms")
    out = runs.first[1]
    for stack in STACKS:
        meta = kms.describe_key(KeyId=f"alias/pulumi-secrets-{stack}")["KeyMetadata"]
        assert kms.get_key_rotation_status(KeyId=meta["KeyId"])["KeyRotationEnabled"] is True
        assert (
            f"pulumi stack init {stack} --secrets-provider='awskms:///{meta['Arn']}?region=eu-west-1'" in out
        )
    assert f"pulumi login 's3://{BUCKET}?region=eu-west-1&awssdk=v2'" in out


def test_bootstrap_refuses_credentials_of_another_account_before_creating_anything(runs: Runs) -> None:
    code, text = runs.refused
    assert code == 1
    assert f"these credentials are for account 123456789012; the shared account is {SHARED_ID}" in text
    assert runs.buckets_after_refusal == []


def test_each_account_reaches_only_its_own_stacks_state_and_key() -> None:
    backend = state_backend(load_config(raw_config("shared")))
    assert backend is not None
    accounts = {stack: load_config(raw_config(stack)).account.id for stack in STACKS}
    policy = backend.bucket_policy(accounts)
    prefix = f"arn:aws:s3:::{BUCKET}/.pulumi/stacks/social-platform"
    tls = {"aws:SecureTransport": "true"}
    # Resource-policy statements name their principal; keep dev's account's (and the deny) only.
    dev_statements = {
        **policy,
        "Statement": [
            s
            for s in policy["Statement"]
            if s["Effect"] == "Deny" or "222222222222" in json.dumps(s["Principal"])
        ],
    }
    assert allows(dev_statements, "s3:PutObject", f"{prefix}/dev.json", tls)
    assert allows(dev_statements, "s3:GetObject", f"{prefix}/shared.json", tls)  # its StackReference
    assert not allows(dev_statements, "s3:GetObject", f"{prefix}/prod.json", tls)
    assert not allows(dev_statements, "s3:PutObject", f"{prefix}/shared.json", tls)
    principals = [s["Principal"]["AWS"] for s in backend.key_policy("dev", accounts["dev"])["Statement"]]
    assert principals == [f"arn:aws:iam::{SHARED_ID}:root", "arn:aws:iam::222222222222:root"]
    shared_key = backend.key_policy("shared", SHARED_ID)["Statement"]
    assert [s["Principal"]["AWS"] for s in shared_key] == [f"arn:aws:iam::{SHARED_ID}:root"]
