"""`$connect` authorizer: lets a WebSocket connection open only with a valid Cognito token.

Browsers cannot set headers on a WebSocket handshake, so the app passes its access token in the
query string (``wss://ws.<domain>/?token=<jwt>``); the route's identity source requires it, so
API Gateway refuses a handshake without one before this function runs. The stage's access log
format leaves the query string out.

Environment: ``USER_POOL_ISSUER`` (the pool's issuer URL), ``CLIENT_IDS`` (comma-separated app
clients), ``TOKEN_USES`` (comma-separated, default ``access``).
"""

from __future__ import annotations

import logging
import os
from functools import cache
from typing import Any

from .tokens import CognitoVerifier, InvalidToken

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)

TOKEN_PARAMETER = "token"
"""Query string parameter holding the token (the route's identity source)."""
MAX_TOKEN_LENGTH = 8192


@cache
def verifier() -> CognitoVerifier:
    """One verifier per warm function: it keeps the pool's keys between invocations."""
    return CognitoVerifier(
        issuer=os.environ["USER_POOL_ISSUER"],
        client_ids=frozenset(filter(None, os.environ["CLIENT_IDS"].split(","))),
        token_uses=frozenset(filter(None, os.environ.get("TOKEN_USES", "access").split(","))),
    )


def policy(
    principal_id: str, effect: str, method_arn: str, context: dict[str, str] | None = None
) -> dict[str, Any]:
    """The authorizer's answer: an IAM policy on this connection request (and context for the route)."""
    answer: dict[str, Any] = {
        "principalId": principal_id,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": method_arn}],
        },
    }
    if context:
        answer["context"] = context
    return answer


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    token = (event.get("queryStringParameters") or {}).get(TOKEN_PARAMETER) or ""
    method_arn = event["methodArn"]
    if len(token) > MAX_TOKEN_LENGTH:
        log.info("denied: token too long")
        return policy("anonymous", "Deny", method_arn)
    try:
        claims = verifier().verify(token)
    except InvalidToken as exc:
        log.info("denied: %s", exc)
        return policy("anonymous", "Deny", method_arn)
    user_id = str(claims["sub"])
    return policy(user_id, "Allow", method_arn, {"userId": user_id})
