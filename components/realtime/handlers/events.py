"""The notification event: what the backend puts on the bus and the fan-out reads.

The component builds the bus rule from `EVENT_PATTERN`, so the rule and the function agree.
"""

from __future__ import annotations

from typing import Any

DETAIL_TYPE = "Notification"
MAX_RECIPIENTS = 1000
"""Recipients per event; publish larger audiences as several events."""
EVENT_PATTERN: dict[str, Any] = {"detail-type": [DETAIL_TYPE], "detail": {"recipients": [{"exists": True}]}}
"""The bus rule's pattern: what reaches the fan-out."""
