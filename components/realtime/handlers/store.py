"""The connections table: one item per open WebSocket connection.

The component creates the table from these names and the functions read and write it with them,
so the two cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

CONNECTION_ID = "connection_id"
"""Partition key: API Gateway's connection ID."""
USER_ID = "user_id"
"""The Cognito user (`sub`) the connection belongs to; partition key of `BY_USER_INDEX`."""
CONNECTED_AT = "connected_at"
"""Epoch seconds when the connection opened."""
EXPIRES_AT = "expires_at"
"""Epoch seconds after which DynamoDB's TTL may delete the item (a lost `$disconnect`)."""
BY_USER_INDEX = "by-user"
"""Global secondary index: a user's open connections (a user may have several devices)."""

MAX_CONNECTION_SECONDS = 2 * 3600
"""API Gateway closes every WebSocket connection after 2 hours; an item older than that is stale."""


def put_connection(table: Any, connection_id: str, user_id: str, now: int) -> None:
    table.put_item(
        Item={
            CONNECTION_ID: connection_id,
            USER_ID: user_id,
            CONNECTED_AT: now,
            EXPIRES_AT: now + MAX_CONNECTION_SECONDS,
        }
    )


def delete_connection(table: Any, connection_id: str) -> None:
    table.delete_item(Key={CONNECTION_ID: connection_id})


def connections_of(table: Any, user_id: str) -> Iterator[str]:
    """The IDs of `user_id`'s connections, all pages."""
    query: dict[str, Any] = {
        "IndexName": BY_USER_INDEX,
        "KeyConditionExpression": "#u = :u",
        "ExpressionAttributeNames": {"#u": USER_ID},
        "ExpressionAttributeValues": {":u": user_id},
        "ProjectionExpression": CONNECTION_ID,
    }
    while True:
        page = table.query(**query)
        for item in page.get("Items", []):
            yield str(item[CONNECTION_ID])
        if "LastEvaluatedKey" not in page:
            return
        query["ExclusiveStartKey"] = page["LastEvaluatedKey"]
