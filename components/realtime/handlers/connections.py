"""`$connect`, `$disconnect` and `$default` (one function, `handler`, dispatching on the route):
keep the connections table in step with API Gateway.

- `connect` runs after the authorizer allowed the handshake: it records the connection under the
  user the authorizer verified (never a user the client names).
- `disconnect` removes it (API Gateway calls it on a best-effort basis; the table's TTL removes the
  items it misses).
- `default` answers ``{"action": "ping"}`` with ``{"type": "pong"}`` through the management API
  (clients use it to keep idle connections open: API Gateway closes them after 10 idle minutes).

Environment: ``TABLE_NAME``.
"""

from __future__ import annotations

import json
import os
import time
from functools import cache
from typing import Any

import boto3

from . import store

OK = {"statusCode": 200}


@cache
def table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def management_client(domain_endpoint: str) -> Any:
    """A client of the API Gateway management API at `domain_endpoint` (``https://…/<stage>``)."""
    return boto3.client("apigatewaymanagementapi", endpoint_url=domain_endpoint)


def callback_endpoint(request: dict[str, Any]) -> str:
    """The management endpoint of the API and stage this request came through (never the custom
    domain, whose API mapping may hide the stage)."""
    region = os.environ["AWS_REGION"]
    return f"https://{request['apiId']}.execute-api.{region}.amazonaws.com/{request['stage']}"


def connect(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    request = event["requestContext"]
    user_id = request["authorizer"]["userId"]
    store.put_connection(table(), request["connectionId"], user_id, int(time.time()))
    return OK


def disconnect(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    store.delete_connection(table(), event["requestContext"]["connectionId"])
    return OK


def default(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    request = event["requestContext"]
    try:
        message = json.loads(event.get("body") or "")
    except ValueError:
        message = None
    if isinstance(message, dict) and message.get("action") == "ping":
        management_client(callback_endpoint(request)).post_to_connection(
            ConnectionId=request["connectionId"], Data=json.dumps({"type": "pong"}).encode()
        )
        return OK
    return {"statusCode": 400, "body": "unknown action"}


ROUTES = {"$connect": connect, "$disconnect": disconnect, "$default": default}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    route = ROUTES.get(event["requestContext"]["routeKey"])
    return {"statusCode": 404} if route is None else route(event, context)
