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
from datetime import UTC, datetime

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
    """Scheduler invocations per month; a DISABLED schedule invokes nothing."""
    expression = str(r.inputs.get("scheduleExpression", ""))
    year = _this_year()
    runs = runs_per_month(expression, year=year)  # also refuses what it cannot read when disabled
    cron = _CRON.fullmatch(expression)
    note = (
        f"runs only in the years {cron.group(6)}: priced for {year}"
        if cron and cron.group(6) != "*"
        else None
    )
    if r.inputs.get("state") == "DISABLED":
        runs, note = 0.0, "state DISABLED: no runs"
    return [
        Charge(
            f"invocations ({expression})",
            "scheduler.million_invocations",
            runs / 1e6,
            ctx.region_of(r),
            assumption=note,
        )
    ]


# ---------------------------------------------------------------------------------------------
# Schedule expressions, as EventBridge Scheduler reads them:
# https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html (rate-, cron-based and
# one-time schedules; the cron fields and wildcards are those of
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cron-expressions.html). Six fields:
# minutes (0-59), hours (0-23), day-of-month (1-31; also L, W), month (1-12 or JAN-DEC),
# day-of-week (1-7 or SUN-SAT; also L, #) and year (1970-2199), each with `, - * /`, and `?` in one
# of the two day fields (they cannot both be set). L is the last day of the month (day-of-month) or
# of the week, Saturday (day-of-week, alone); 15W the weekday nearest the 15th; LW the month's last
# weekday; in day-of-week 5L is the month's last Thursday and 6#3 its third Friday, so those run
# once a month; with # the field holds that one expression only.


_RATE = re.compile(r"rate\((\d+) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\((\S+) (\S+) (\S+) (\S+) (\S+) (\S+)\)")
_UNIT_MINUTES = {"minute": 1, "hour": 60, "day": 1440}
_NAMES = {
    name: str(number)
    for names in ("SUN MON TUE WED THU FRI SAT", "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC")
    for number, name in enumerate(names.split(), start=1)
}
_ONCE_A_MONTH_DAY = re.compile(r"L|LW|([1-9]|[12]\d|3[01])W")
"""Day-of-month values that fall on one day each month: the last day, the last weekday, the
weekday nearest a date."""
_ONCE_A_MONTH_WEEKDAY = re.compile(r"[1-7](#[1-5]|L)")
"""Day-of-week values that fall on one day each month: the n-th or the last of a weekday."""


def _named(field: str) -> str:
    """A cron field with day and month names replaced by their numbers (SUN is 1, JAN is 1)."""
    return re.sub(r"[A-Z]{3}", lambda m: _NAMES.get(m.group(0), m.group(0)), field.upper())


def _this_year() -> int:
    return datetime.now(UTC).year


def _values(field: str, low: int, high: int) -> set[int]:
    """The values a cron field takes from `*`, lists, ranges `a-b`, increments `a/n` and `*/n`, and
    day or month names."""
    values: set[int] = set()
    for part in _named(field).split(","):
        base, slash, step_text = part.partition("/")
        if slash and not (step_text.isdigit() and int(step_text) > 0):
            raise ValueError(f"{field!r}: the increment after / must be a positive number")
        step = int(step_text) if slash else 1
        if base == "*":
            first, last = low, high
        elif re.fullmatch(r"\d+-\d+", base):
            first, last = (int(v) for v in base.split("-"))
        elif base.isdigit():
            first, last = int(base), (high if slash else int(base))
        else:
            raise ValueError(f"cannot read {field!r}")
        if not low <= first <= last <= high:
            raise ValueError(f"{field!r} is outside {low}-{high}")
        values.update(range(first, last + 1, step))
    return values


def _days_per_month(day_of_month: str, day_of_week: str) -> float:
    if (day_of_month == "?") == (day_of_week == "?"):
        raise ValueError("one of day-of-month and day-of-week must be ?, and only one")
    if "*" in (day_of_month, day_of_week):
        return DAYS_PER_MONTH
    if day_of_week == "?":
        parts = day_of_month.upper().split(",")
        monthly = [p for p in parts if _ONCE_A_MONTH_DAY.fullmatch(p)]
        dated = ",".join(p for p in parts if p not in monthly)
        return len(monthly) + (len(_values(dated, 1, 31)) if dated else 0)
    parts = _named(day_of_week).split(",")
    if "#" in day_of_week and len(parts) > 1:
        raise ValueError(f"{day_of_week!r}: with #, day-of-week holds one expression only")
    monthly = [p for p in parts if _ONCE_A_MONTH_WEEKDAY.fullmatch(p)]
    weekly = ",".join("7" if p == "L" else p for p in parts if p not in monthly)
    return len(monthly) + (len(_values(weekly, 1, 7)) * DAYS_PER_MONTH / 7 if weekly else 0)


def runs_per_month(expression: str, year: int | None = None) -> float:
    """Average runs per month of an EventBridge Scheduler expression (`rate(…)` or six-field
    `cron(…)`; a one-time `at(…)` has no monthly runs).

    A cron schedule limited to some years (its sixth field) runs at its rate in those years and not
    at all in the others: it is priced for `year` (default: the current one, UTC), so a schedule
    for past years costs nothing, and one for a later year nothing until then. An expression it
    cannot read is an error, never zero runs."""
    if expression.startswith("at("):
        return 0.0
    rate = _RATE.fullmatch(expression)
    if rate and int(rate.group(1)) > 0:
        return MINUTES_PER_MONTH / (int(rate.group(1)) * _UNIT_MINUTES[rate.group(2).rstrip("s")])
    cron = _CRON.fullmatch(expression)
    try:
        if not cron:
            raise ValueError("not rate(…), cron(…) with six fields or at(…)")
        minutes, hours, day_of_month, month, day_of_week, years = cron.groups()
        per_day = len(_values(minutes, 0, 59)) * len(_values(hours, 0, 23))
        days = _days_per_month(day_of_month, day_of_week) * len(_values(month, 1, 12)) / 12
        runs_this_year = (year or _this_year()) in _values(years, 1970, 2199)
    except ValueError as error:
        raise ValueError(f"cannot price schedule expression {expression!r}: {error}") from None
    return per_day * days if runs_this_year else 0.0
