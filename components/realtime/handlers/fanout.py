"""A domain event from the platform's EventBridge bus → every open connection of its recipients.

The backend publishes to the bus (``PutEvents``) an event of detail-type `DETAIL_TYPE` whose detail
is ``{"recipients": ["<user sub>", …], "message": {…}}``. Each of the recipients' connections
receives ``{"id": <event id>, "type": <detail-type>, "message": …}``; the ID lets the browser drop
a message it already has (a retried invocation delivers again).

A connection API Gateway reports gone (HTTP 410: the browser left without `$disconnect`) is removed
from the table. Any other failure is raised after every connection was tried, so Lambda retries
the event and, when retries run out, sends it to the function's dead-letter queue.

Environment: ``TABLE_NAME``, ``MANAGEMENT_ENDPOINT`` (``https://<api>.execute-api.<region>.amazonaws.com/<stage>``).
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError

from . import store
from .events import DETAIL_TYPE, EVENT_PATTERN, MAX_RECIPIENTS

__all__ = ["DETAIL_TYPE", "EVENT_PATTERN", "MAX_RECIPIENTS", "handler"]

log = logging.getLogger(__name__)
log.setLevel(logging.INFO)


@dataclass
class Delivery:
    delivered: int = 0
    gone: int = 0
    failed: int = 0


class DeliveryFailed(Exception):
    """Some connections could not be reached for a reason other than being gone (retry)."""


@cache
def table() -> Any:
    return boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


@cache
def management() -> Any:
    return boto3.client("apigatewaymanagementapi", endpoint_url=os.environ["MANAGEMENT_ENDPOINT"])


def handler(event: dict[str, Any], context: Any = None) -> dict[str, int]:
    detail = event.get("detail") or {}
    recipients = detail.get("recipients")
    if not isinstance(recipients, list) or not all(isinstance(r, str) for r in recipients):
        log.warning("event %s dropped: detail.recipients is not a list of user ids", event.get("id"))
        return vars(Delivery())
    if len(recipients) > MAX_RECIPIENTS:
        log.warning(
            "event %s dropped: %d recipients, at most %d", event.get("id"), len(recipients), MAX_RECIPIENTS
        )
        return vars(Delivery())
    data = json.dumps(
        {"id": event.get("id"), "type": event.get("detail-type"), "message": detail.get("message")},
        separators=(",", ":"),
    ).encode()
    result = Delivery()
    for user_id in dict.fromkeys(recipients):
        for connection_id in store.connections_of(table(), user_id):
            try:
                management().post_to_connection(ConnectionId=connection_id, Data=data)
                result.delivered += 1
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") == "GoneException":
                    store.delete_connection(table(), connection_id)
                    result.gone += 1
                else:
                    log.warning("posting to %s failed: %s", connection_id, exc)
                    result.failed += 1
    log.info("event %s: %s", event.get("id"), vars(result))
    if result.failed:
        raise DeliveryFailed(f"{result.failed} connection(s) not reached; retrying the event")
    return vars(result)
