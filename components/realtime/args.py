"""Arguments of the `Realtime` component (WebSocket API, connections table, event fan-out)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

FunctionName = Literal["authorizer", "connections", "fanout"]
"""The component's functions: the `$connect` authorizer; the `$connect`/`$disconnect`/`$default`
routes; the fan-out from the event bus to open connections."""
FUNCTION_NAMES: tuple[FunctionName, ...] = ("authorizer", "connections", "fanout")

TokenUse = Literal["access", "id"]
Architecture = Literal["arm64", "x86_64"]

LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
"""The retention values CloudWatch Logs accepts."""


@dataclass(frozen=True)
class CustomDomain:
    """A custom domain for the WebSocket API (``wss://<domain_name>``), with a regional certificate
    validated in `zone_id` and an alias record there."""

    domain_name: str
    """For example ``ws.dev.social.example.com``."""
    zone_id: pulumi.Input[str]
    """The public hosted zone that owns `domain_name` (validation records and the alias go there)."""
    latency_record_id: str | None = None
    """Set when the same name is served from several regions: the alias becomes a latency record
    with this set identifier (use the region's name). Unset: a simple record."""


@dataclass(frozen=True)
class RealtimeArgs:
    """What to build. Everything lives in the region of the provider the component is given."""

    user_pool_issuer: pulumi.Input[str]
    """Issuer URL of the Cognito user pool whose tokens open connections
    (``https://cognito-idp.<region>.amazonaws.com/<pool id>``); its keys are at ``/.well-known/jwks.json``."""
    client_ids: Sequence[pulumi.Input[str]]
    """App clients whose tokens are accepted (``client_id`` of an access token, ``aud`` of an ID token)."""
    token_uses: tuple[TokenUse, ...] = ("access",)
    """Which Cognito tokens open a connection. Default: access tokens only."""
    custom_domain: CustomDomain | None = None
    """Unset: clients use the API's own ``wss://<id>.execute-api.<region>.amazonaws.com/<stage>``."""
    stage_name: str = "live"
    """The stage (part of the management endpoint's path)."""
    throttling_rate_limit: float = 100.0
    """Steady-state messages per second (all routes, all clients) the stage accepts."""
    throttling_burst_limit: int = 200
    """Messages the stage accepts in a burst above the steady rate."""
    reserved_concurrency: Mapping[FunctionName, int] = field(default_factory=dict)
    """Concurrent executions reserved for (and capping) each function. A function left out is not
    reserved: it shares the account's unreserved pool and has no cap of its own."""
    log_retention_days: int = 30
    """Retention of the functions' log groups and the stage's access log."""
    architecture: Architecture = "arm64"
    """CPU architecture of the functions (the code is pure Python; arm64 costs less)."""
    enable_account_logging_role: bool = True
    """Set API Gateway's account-wide CloudWatch Logs role in this region, which WebSocket stage
    logging requires. Off: the account already has one (the setting is one per account and region)."""
