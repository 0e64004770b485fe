"""What the pay-per-request services bill: the realtime area's WebSocket API (messages, connection
minutes), its functions (requests, GB-seconds), connections table (on-demand reads and writes,
storage, point-in-time recovery) and event bus (custom events), and EventBridge Scheduler runs.

The render knows the shape (memory size, architecture, indexes, PITR, the schedule's expression);
the traffic comes from the `usage` section's realtime assumptions, per active user, and follows what
the handlers in `components/realtime/handlers/` do with each connection, ping and event (see
`RealtimeTraffic`). A resource of these types outside the realtime area has no traffic model and
stops the estimate (`costbook.NoUsageModel`) rather than count as zero.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from social_platform.costbook import (
    HOURS_PER_MONTH,
    Charge,
    Context,
    NoUsageModel,
    assumed,
    rule,
    said,
)
from social_platform.render import RenderedResource

REALTIME = "social:realtime:Realtime"
"""The component whose resources the realtime traffic model prices."""
MINUTES_PER_MONTH = HOURS_PER_MONTH * 60
DAYS_PER_MONTH = HOURS_PER_MONTH / 24
CONNECTION_ITEM_BYTES = 300
"""Storage of one open connection: its item (connection ID, user ID, two timestamps) and its
`by-user` index entry, each with the 100 bytes DynamoDB adds per item for indexing."""
EVENTUALLY_CONSISTENT_READ_UNITS = 0.5
"""Request units of an eventually consistent read up to 4 KB (index queries always are), per the
DynamoDB on-demand pricing page."""


Figure = tuple[float, str]
"""A monthly quantity and the assumptions it rests on, as printed beside it."""


@dataclass(frozen=True)
class RealtimeTraffic:
    """One region's realtime traffic per month.

    What the browsers do is split evenly over the stack's realtime APIs (a browser connects to the
    nearest region): connection minutes, connections opened, pings and the messages delivered over
    those connections. What the backend does is not: it publishes every notification to every
    region's bus (docs/realtime.md, "Multi-region"), so each region's bus carries every event, its
    fan-out runs once per event and queries its table once per recipient, whether or not the
    recipient is connected there (`handlers/fanout.py`), and posts only to the connections it finds.

    Per connection: the authorizer runs once, the connections function twice (`$connect` writes
    the item, `$disconnect` deletes it); per ping the connections function runs once and the API
    carries the ping and its pong; per delivered message the API carries one message."""

    connection_minutes: Figure
    connections: Figure
    pings: Figure
    deliveries: Figure
    """Messages sent to this region's connections (its share of the recipients)."""
    lookups: Figure
    """Index queries of this region's fan-out: one per recipient of every event, in every region."""
    events: Figure
    """Events on this region's bus and fan-out calls: every event, in every region."""

    @classmethod
    def of(cls, ctx: Context) -> RealtimeTraffic:
        apis = [r for r in ctx.stack if r.type == "aws:apigatewayv2/api:Api" and _within(ctx, r, REALTIME)]
        users, said_users = assumed(ctx, "active_users", " MAU")
        regions = max(len(apis), 1)
        share = users / regions
        said_share = said_every = said_users
        if regions > 1:
            said_share += f" split over {regions} regions"
            said_every += f" (every event published to each of {regions} regions)"
        hours, said_hours = assumed(ctx, "realtime_connected_hours_per_user", " h")
        session, said_session = assumed(ctx, "realtime_session_minutes", " min")
        ping, said_ping = assumed(ctx, "realtime_ping_minutes", " min")
        messages, said_messages = assumed(ctx, "realtime_messages_per_user")
        recipients, said_recipients = assumed(ctx, "realtime_recipients_per_event")
        minutes = share * hours * 60
        return cls(
            connection_minutes=(minutes, said(said_share, said_hours)),
            connections=(minutes / session, said(said_share, said_hours, said_session)),
            pings=(minutes / ping, said(said_share, said_hours, said_ping)),
            deliveries=(share * messages, said(said_share, said_messages)),
            lookups=(users * messages, said(said_every, said_messages)),
            events=(users * messages / recipients, said(said_every, said_messages, said_recipients)),
        )


def _within(ctx: Context, resource: RenderedResource, component_type: str) -> bool:
    parent = resource.parent
    while parent:
        owner = ctx.stack.resources[parent]
        if owner.type == component_type:
            return True
        parent = owner.parent
    return False


def _realtime(ctx: Context, resource: RenderedResource) -> RealtimeTraffic:
    if not _within(ctx, resource, REALTIME):
        raise NoUsageModel(resource, "only the realtime area's have a traffic model")
    return RealtimeTraffic.of(ctx)


def _millions(figure: Figure) -> float:
    return figure[0] / 1e6


@rule("aws:apigatewayv2/api:Api")
def _websocket_api(r: RenderedResource, ctx: Context) -> list[Charge]:
    """Messages both ways (deliveries, pings and pongs; each up to 32 KB) and connection minutes."""
    if r.inputs.get("protocolType") != "WEBSOCKET":
        raise NoUsageModel(r, "only WebSocket APIs are priced")
    traffic = _realtime(ctx, r)
    region = ctx.region_of(r)
    messages = traffic.deliveries[0] + 2 * traffic.pings[0]
    return [
        Charge(
            "messages (deliveries, pings and pongs)",
            "apigateway.websocket_million_messages",
            messages / 1e6,
            region,
            assumption=said(traffic.deliveries[1], traffic.pings[1]),
        ),
        Charge(
            "connection minutes",
            "apigateway.websocket_million_connection_minutes",
            _millions(traffic.connection_minutes),
            region,
            assumption=traffic.connection_minutes[1],
        ),
    ]


_INVOCATIONS: dict[str, Callable[[RealtimeTraffic], Figure]] = {
    "authorizer": lambda t: t.connections,
    "connections": lambda t: (2 * t.connections[0] + t.pings[0], said(t.connections[1], t.pings[1])),
    "fanout": lambda t: t.events,
}
"""What runs each realtime function (its handler module `handlers.<name>`): once per connection
opened, twice per connection ($connect, $disconnect) and once per ping, once per bus event."""


@rule("aws:lambda/function:Function")
def _function(r: RenderedResource, ctx: Context) -> list[Charge]:
    traffic = _realtime(ctx, r)
    handler = str(r.inputs.get("handler", ""))
    name = handler.split(".")[1] if handler.count(".") == 2 else handler
    if name not in _INVOCATIONS:
        raise NoUsageModel(r, f"no traffic model for its handler {handler!r}")
    invocations, assumption = _INVOCATIONS[name](traffic)
    duration, said_duration = assumed(ctx, "lambda_duration_ms", " ms")
    memory_gb = float(r.inputs.get("memorySize", 128)) / 1024
    architecture = (r.inputs.get("architectures") or ["x86_64"])[0]
    region = ctx.region_of(r)
    return [
        Charge("requests", "lambda.million_requests", invocations / 1e6, region, assumption=assumption),
        Charge(
            f"duration ({memory_gb * 1024:g} MB, {architecture})",
            "lambda.gb_second",
            invocations * duration / 1000 * memory_gb,
            region,
            architecture,
            assumption=said(assumption, said_duration),
        ),
    ]


@rule("aws:dynamodb/table:Table")
def _table(r: RenderedResource, ctx: Context) -> list[Charge]:
    """On demand: a write per item put or deleted in the table and in each index; half a read unit
    per index query (the fan-out's, one per recipient of every event); the open connections' items
    stored (and their PITR backup)."""
    if r.inputs.get("billingMode") != "PAY_PER_REQUEST":
        raise NoUsageModel(r, "only on-demand tables are priced")
    traffic = _realtime(ctx, r)
    region = ctx.region_of(r)
    copies = 1 + len(r.inputs.get("globalSecondaryIndexes") or [])
    writes, said_writes = traffic.connections
    reads, said_reads = traffic.lookups
    open_connections = traffic.connection_minutes[0] / MINUTES_PER_MONTH
    stored_gb = open_connections * CONNECTION_ITEM_BYTES / 1e9
    said_stored = said(traffic.connection_minutes[1], f"{CONNECTION_ITEM_BYTES} bytes per open connection")
    charges = [
        Charge(
            f"writes (put and delete per connection, x{copies} with indexes)",
            "dynamodb.million_write_units",
            2 * copies * writes / 1e6,
            region,
            assumption=said_writes,
        ),
        Charge(
            "reads (one index query per recipient of each event)",
            "dynamodb.million_read_units",
            EVENTUALLY_CONSISTENT_READ_UNITS * reads / 1e6,
            region,
            assumption=said_reads,
        ),
        Charge("storage", "dynamodb.gb_month", stored_gb, region, assumption=said_stored),
    ]
    if (r.inputs.get("pointInTimeRecovery") or {}).get("enabled"):
        charges.append(
            Charge(
                "point-in-time recovery", "dynamodb.pitr_gb_month", stored_gb, region, assumption=said_stored
            )
        )
    return charges


@rule("aws:cloudwatch/eventBus:EventBus")
def _bus(r: RenderedResource, ctx: Context) -> list[Charge]:
    """Custom events put on the bus (each up to 64 KB); delivery to a target in the account is free."""
    events, assumption = _realtime(ctx, r).events
    region = ctx.region_of(r)
    return [
        Charge("custom events", "events.million_custom_events", events / 1e6, region, assumption=assumption),
    ]


@rule("aws:scheduler/schedule:Schedule")
def _schedule(r: RenderedResource, ctx: Context) -> list[Charge]:
    expression = str(r.inputs.get("scheduleExpression", ""))
    runs = runs_per_month(expression) / 1e6
    return [Charge(f"invocations ({expression})", "scheduler.million_invocations", runs, ctx.region_of(r))]


# ---------------------------------------------------------------------------------------------
# Schedule expressions


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_NAMES = {
    name: str(number)
    for names in ("SUN MON TUE WED THU FRI SAT", "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")
    for number, name in enumerate(names.split(), start=1)
}


def _count(field: str, low: int, high: int) -> int:
    """How many values a cron field takes: `*`, `?`, lists, ranges `a-b` and steps `/n`, with day
    and month names (a value with `L`, `W` or `#` counts as one)."""
    total = 0
    field = re.sub(r"[A-Z]{3}", lambda m: _NAMES.get(m.group(0), m.group(0)), field.upper())
    for part in field.split(","):
        base, _, step_text = part.partition("/")
        step = int(step_text) if step_text else 1
        if base in ("*", "?"):
            first, last = low, high
        elif re.fullmatch(r"\d+-\d+", base):
            first, last = (int(v) for v in base.split("-"))
        elif re.fullmatch(r"\d+", base):
            first, last = int(base), (high if step_text else int(base))
        elif re.fullmatch(r"[0-9LW#]+", base):
            first = last = low  # L, 15W, 6#3: one value
        else:
            raise ValueError(f"cannot count the values of cron field {field!r}")
        total += len(range(first, last + 1, step))
    return total


def runs_per_month(expression: str) -> float:
    """Average runs per month of an EventBridge Scheduler expression (`rate(…)` or six-field
    `cron(…)`; a one-time `at(…)` has no monthly runs)."""
    if expression.startswith("at("):
        return 0.0
    rate = _RATE.fullmatch(expression)
    if rate:
        return MINUTES_PER_MONTH / (int(rate.group(1)) * _UNIT_MINUTES[rate.group(2).rstrip("s")])
    cron = _CRON.fullmatch(expression)
    if not cron:
        raise ValueError(f"cannot price schedule expression {expression!r}")
    minutes, hours, day_of_month, month, day_of_week, _year = cron.groups()
    per_day = _count(minutes, 0, 59) * _count(hours, 0, 23)
    if day_of_month not in ("*", "?"):
        days = float(_count(day_of_month, 1, 31))
    elif day_of_week not in ("*", "?"):
        days = _count(day_of_week, 1, 7) * DAYS_PER_MONTH / 7
    else:
        days = DAYS_PER_MONTH
    return per_day * days * _count(month, 1, 12) / 12
