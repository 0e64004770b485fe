"""One line for what went wrong talking to AWS, for the commands that call it (`bootstrap`, `preflight`).

An operator who runs a command without credentials, with expired ones or with another account's
should read one sentence saying what is missing and what to do, not botocore's traceback.
"""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    SSOError,
    TokenRetrievalError,
)

AwsError = (BotoCoreError, ClientError)
"""What boto3 raises for anything between the caller and AWS (catch these, then `describe`)."""

EXPIRED_CODES = frozenset({"ExpiredToken", "ExpiredTokenException", "RequestExpired"})
INVALID_CODES = frozenset(
    {"InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidAccessKeyId"}
)
MAX_DETAIL = 300
"""AWS's own message is echoed up to this many characters, so one line stays one line."""


def _detail(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= MAX_DETAIL else text[: MAX_DETAIL - 1] + "…"


def is_credentials_problem(exc: BotoCoreError | ClientError) -> bool:
    """The caller's own credentials are missing, expired or unknown (not a refusal of one call)."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code")) in EXPIRED_CODES | INVALID_CODES
    return isinstance(exc, NoCredentialsError | PartialCredentialsError | SSOError | TokenRetrievalError)


def describe(exc: BotoCoreError | ClientError) -> str:
    """The one line an operator reads: what is wrong and what to do about it."""
    if isinstance(exc, NoCredentialsError):
        return (
            "no AWS credentials found: sign in first (for example `aws sso login --profile <name>` "
            "and `export AWS_PROFILE=<name>`), or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
        )
    if isinstance(exc, PartialCredentialsError):
        return f"incomplete AWS credentials ({_detail(str(exc))}); set the missing value or use a profile"
    if isinstance(exc, SSOError | TokenRetrievalError):
        return "the AWS SSO session has expired or is missing: run `aws sso login` and try again"
    if isinstance(exc, NoRegionError):
        return "no AWS region set: export AWS_REGION (for example eu-west-1)"
    if isinstance(exc, EndpointConnectionError):
        return f"cannot reach AWS ({_detail(str(exc))}); check the network or proxy settings"
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code = str(error.get("Code", "Unknown"))
        message = _detail(str(error.get("Message", "")))
        operation = getattr(exc, "operation_name", "the call")
        if code in EXPIRED_CODES:
            return (
                "the AWS credentials have expired: refresh them (for example `aws sso login`) and try again"
            )
        if code in INVALID_CODES:
            return (
                f"AWS does not accept these credentials ({code}): check AWS_PROFILE or the access key, "
                "or sign in again"
            )
        return f"AWS refused {operation}: {code}: {message}".rstrip(": ")
    return _detail(str(exc))
