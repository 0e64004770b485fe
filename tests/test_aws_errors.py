"""`bootstrap` and `preflight` without usable credentials: one line saying what is missing, exit 1.

Each case goes through the command's own `main`, with boto3 resolving credentials as it would on an
operator's machine (none, expired, not accepted by AWS, another account's), and checks that what
reaches the terminal is a single line with the cause and no traceback.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError
from moto import mock_aws
from moto.core import set_initial_no_auth_action_count

from social_platform import bootstrap, preflight

from .fake_aws import fake_aws

Command = Callable[..., int]
EXPIRED_MESSAGE = "The security token included in the request is expired"
COMMANDS: dict[str, tuple[Command, list[str]]] = {
    "bootstrap": (bootstrap.main, []),
    "preflight": (preflight.main, ["dev"]),
}


def run(command: str) -> tuple[int, str, str]:
    main, argv = COMMANDS[command]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = main(argv, out=out)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No keys, no profile files, no instance or container role to fall back on."""
    for name in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_SECURITY_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_PROFILE",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_ROLE_ARN",
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    yield


def assert_one_line(err: str, *phrases: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for phrase in phrases:
        assert phrase in lines[0], lines[0]


@pytest.mark.parametrize("command", COMMANDS)
def test_without_credentials_the_command_says_so_in_one_line(command: str, no_credentials: None) -> None:
    code, _, err = run(command)
    assert code == 1
    assert_one_line(err, f"{command}: no AWS credentials found", "aws sso login")


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("error_code", ["ExpiredToken", "ExpiredTokenException", "RequestExpired"])
def test_with_expired_credentials_the_command_asks_to_refresh_them(
    command: str, error_code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AWS answers every call made with an expired session token with one of these codes (the
    request never reaches the service's own logic); botocore turns it into a ClientError."""

    def expired(self: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        raise ClientError(
            {
                "Error": {
                    "Code": error_code,
                    "Message": "The security token included in the request is expired",
                }
            },
            operation,
        )

    with fake_aws():
        monkeypatch.setattr(BaseClient, "_make_api_call", expired)
        code, _, err = run(command)
    assert code == 1
    assert_one_line(err, f"{command}: the AWS credentials have expired", "aws sso login")


@pytest.mark.parametrize("command", COMMANDS)
def test_with_keys_aws_does_not_know_the_command_says_they_are_not_accepted(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """moto checks access keys against its IAM users once authentication is switched on."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")

    @set_initial_no_auth_action_count(0)
    def with_authentication() -> tuple[int, str, str]:
        return run(command)

    with mock_aws(config={"core": {"mock_credentials": False}}):
        code, _, err = with_authentication()
    assert code == 1
    assert_one_line(err, f"{command}: AWS does not accept these credentials (InvalidClientTokenId)")
