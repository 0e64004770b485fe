"""`preflight` (against moto): every provider's role is assumed and must land in its pinned account."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator

import boto3
import pytest

from social_platform import preflight
from social_platform.config import load_config

from .conftest import raw_config
from .fake_aws import fake_aws


@pytest.fixture(scope="module", autouse=True)
def aws() -> Iterator[None]:
    with fake_aws():
        yield


def test_preflight_passes_for_a_correct_stack_with_one_line_per_account_and_region(rendered: dict) -> None:
    targets = preflight.targets_of(rendered["prod"], load_config(raw_config("prod")))
    out = io.StringIO()
    assert preflight.check(boto3.Session(), "prod", targets, out) == 0, out.getvalue()
    lines = [line for line in out.getvalue().splitlines() if line.startswith("ok")]
    assert [line.split(":")[0] for line in lines] == [
        "ok   prod (444444444444) eu-central-1",
        "ok   prod (444444444444) eu-west-1",
        "ok   prod (444444444444) us-east-1",  # CloudFront's certificate and web ACL
        "ok   shared (111111111111) eu-west-1",  # the NS delegation in the root zone
    ]
    assert "arn:aws:iam::444444444444:role/social-platform-deploy" in lines[0]


def test_preflight_fails_naming_the_account_when_a_role_lands_in_another(rendered: dict) -> None:
    """A provider pinned to prod's account whose role ARN points at staging's: the role is assumed
    fine, but lands in the wrong account; preflight stops there."""
    targets = preflight.targets_of(rendered["prod"], load_config(raw_config("prod")))
    wrong = dataclasses.replace(
        targets[0], role_arn=targets[0].role_arn.replace("444444444444", "333333333333")
    )
    out = io.StringIO()
    assert preflight.check(boto3.Session(), "prod", [wrong, *targets[1:]], out) == 1
    text = out.getvalue()
    assert (
        f"FAIL prod (444444444444) {wrong.region}: {wrong.role_arn} landed in account 333333333333, "
        "not in prod's account 444444444444"
    ) in text
    assert not any(line.startswith("ok") for line in text.splitlines())  # it stops at the first mismatch


def test_the_command_checks_the_preview_roles_in_preview_mode() -> None:
    """End to end: `preflight dev --role preview` renders dev and checks its providers' roles."""
    out = io.StringIO()
    assert preflight.main(["dev", "--role", "preview"], out=out) == 0, out.getvalue()
    assert "arn:aws:iam::222222222222:role/social-platform-ci-preview" in out.getvalue()
    assert "social-platform-deploy" not in out.getvalue()


def test_preflight_of_an_unknown_stack_is_a_config_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert preflight.main(["qa"], out=io.StringIO()) == 2
    assert "no Pulumi.qa.yaml" in capsys.readouterr().err
