"""The pay-per-request services are priced from the realtime traffic assumptions: the WebSocket API
(messages and connection minutes), its functions (requests and GB-seconds), the connections table
(on-demand reads, writes, storage, PITR), the event bus and the wallet's settlement schedule.

Expectations follow AWS's pricing pages, not the price table: API Gateway bills WebSocket messages
and connection minutes per million (linear below a billion messages), Lambda bills requests and
GB-seconds (memory x duration; Arm cheaper than x86), DynamoDB on demand bills a write request unit
per item write up to 1 KB (index writes included) and half a read unit per eventually consistent
read up to 4 KB, EventBridge bills custom events and Scheduler invocations per million."""

from __future__ import annotations

import dataclasses

import pytest

from social_platform import cost, costbook, stackfiles
from social_platform.charges import serverless
from social_platform.config import load_config
from social_platform.render import RenderedStack
from tests.conftest import ENVIRONMENTS, assert_config_error, with_stray

SERVERLESS_TYPES = {
    "aws:lambda/function:Function",
    "aws:apigatewayv2/api:Api",
    "aws:dynamodb/table:Table",
    "aws:cloudwatch/eventBus:EventBus",
    "aws:scheduler/schedule:Schedule",
}


def usage(stack: str) -> cost.UsageConfig:
    raw = stackfiles.read_stack_files(stack)
    return load_config(raw.values, secret_keys=raw.secret_keys).usage


@pytest.fixture(scope="module")
def estimates(rendered: dict[str, RenderedStack]) -> dict[str, cost.Estimate]:
    return {name: cost.estimate(rendered[name], usage(name)) for name in ENVIRONMENTS}


def charges(result: cost.Estimate, price: str) -> list[costbook.CostLine]:
    return [line for line in result.lines if line.charge.price == price]


def total(result: cost.Estimate, price: str) -> float:
    return sum(line.charge.quantity for line in charges(result, price))


def with_usage(stack: RenderedStack, base: cost.UsageConfig, **changes: float) -> cost.Estimate:
    return cost.estimate(stack, base.model_copy(update=changes))


# --- every pay-per-request resource has a price --------------------------------------------------


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_every_pay_per_request_resource_is_priced_never_unpriced(
    stack: str, estimates: dict[str, cost.Estimate], rendered: dict[str, RenderedStack]
) -> None:
    result = estimates[stack]
    serverless_lines = [line for line in result.lines if line.type in SERVERLESS_TYPES]
    present = {r.name for r in rendered[stack] if r.type in SERVERLESS_TYPES}
    assert present and {line.resource for line in serverless_lines} == present
    assert all(line.usd is not None for line in serverless_lines)
    assert not [line for line in result.unpriced if line.type in SERVERLESS_TYPES]


def test_prods_wallet_settlement_is_priced_from_its_daily_schedule(
    estimates: dict[str, cost.Estimate],
) -> None:
    (settlement,) = [
        line for line in estimates["prod"].lines if line.type == "aws:scheduler/schedule:Schedule"
    ]
    assert settlement.component.startswith("wallet")
    assert settlement.usd is not None
    # cron(0 3 * * ? *): once a day, 365 days a year
    assert settlement.charge.quantity * 1e6 == pytest.approx(365 / 12, rel=0.01)


def test_prod_prices_the_realtime_api_of_each_of_its_regions(estimates: dict[str, cost.Estimate]) -> None:
    regions = set(stackfiles.read_stack_files("prod").values["regions"])
    for price in (
        "apigateway.websocket_million_connection_minutes",
        "lambda.gb_second",
        "dynamodb.million_write_units",
    ):
        assert {line.charge.region for line in charges(estimates["prod"], price)} == regions


# --- the traffic model ----------------------------------------------------------------------


def test_connection_minutes_are_each_active_users_connected_hours_over_all_regions(
    estimates: dict[str, cost.Estimate],
) -> None:
    for stack in ENVIRONMENTS:
        u = usage(stack)
        minutes = total(estimates[stack], "apigateway.websocket_million_connection_minutes") * 1e6
        assert minutes == pytest.approx(u.active_users * u.realtime_connected_hours_per_user * 60)


def test_doubling_active_users_doubles_the_websocket_message_and_connection_charges(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    base = usage("staging")
    doubled = with_usage(rendered["staging"], base, active_users=2 * base.active_users)
    for price in ("apigateway.websocket_million_messages", "apigateway.websocket_million_connection_minutes"):
        before = sum(line.usd or 0 for line in charges(estimates["staging"], price))
        after = sum(line.usd or 0 for line in charges(doubled, price))
        assert before > 0 and after == pytest.approx(2 * before)


def test_a_ping_is_two_billed_messages_and_one_call_of_the_connections_function(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    # components/realtime/handlers/connections.py: `default` answers each ping with a pong.
    base = usage("dev")
    hours = base.active_users * base.realtime_connected_hours_per_user
    faster = with_usage(rendered["dev"], base, realtime_ping_minutes=base.realtime_ping_minutes / 2)
    extra_pings = hours * 60 / base.realtime_ping_minutes  # halving the interval doubles the pings
    messages = total(faster, "apigateway.websocket_million_messages") - total(
        estimates["dev"], "apigateway.websocket_million_messages"
    )
    assert messages * 1e6 == pytest.approx(2 * extra_pings)
    calls = [
        after.charge.quantity - before.charge.quantity
        for before, after in zip(
            charges(estimates["dev"], "lambda.million_requests"),
            charges(faster, "lambda.million_requests"),
            strict=True,
        )
        if after.charge.quantity != before.charge.quantity
    ]
    assert len(calls) == 1 and calls[0] * 1e6 == pytest.approx(extra_pings)


def test_a_function_is_billed_for_its_memory_times_duration(estimates: dict[str, cost.Estimate]) -> None:
    dev = estimates["dev"]
    duration_s = usage("dev").lambda_duration_ms / 1000
    functions = {line.resource: line for line in charges(dev, "lambda.million_requests")}
    for line in charges(dev, "lambda.gb_second"):
        requests = functions[line.resource].charge.quantity * 1e6
        assert "256 MB" in line.charge.what  # memory_size of components/realtime
        assert line.charge.quantity == pytest.approx(requests * duration_s * 256 / 1024)


def test_arm_functions_cost_less_per_gb_second_than_x86(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    dev = rendered["dev"]
    x86 = {
        urn: dataclasses.replace(r, inputs={**r.inputs, "architectures": ["x86_64"]})
        if r.type == "aws:lambda/function:Function"
        else r
        for urn, r in dev.resources.items()
    }
    on_x86 = cost.estimate(RenderedStack(dev.stack, x86, dev.outputs), usage("dev"))
    arm_cost = sum(line.usd or 0 for line in charges(estimates["dev"], "lambda.gb_second"))
    x86_cost = sum(line.usd or 0 for line in charges(on_x86, "lambda.gb_second"))
    assert 0 < arm_cost < x86_cost
    assert {line.charge.item for line in charges(on_x86, "lambda.gb_second")} == {"x86_64"}


def test_each_connection_writes_and_deletes_its_item_in_the_table_and_its_index(
    estimates: dict[str, cost.Estimate], rendered: dict[str, RenderedStack]
) -> None:
    u = usage("dev")
    connections = u.active_users * u.realtime_connected_hours_per_user * 60 / u.realtime_session_minutes
    (table,) = [r for r in rendered["dev"] if r.type == "aws:dynamodb/table:Table"]
    indexes = len(table.inputs["globalSecondaryIndexes"])
    assert indexes == 1
    assert total(estimates["dev"], "dynamodb.million_write_units") * 1e6 == pytest.approx(
        2 * connections * (1 + indexes)
    )


def test_each_recipient_of_an_event_is_one_eventually_consistent_index_query(
    estimates: dict[str, cost.Estimate],
) -> None:
    # components/realtime/handlers/fanout.py queries the by-user index once per recipient.
    u = usage("dev")
    reads = total(estimates["dev"], "dynamodb.million_read_units") * 1e6
    assert reads == pytest.approx(0.5 * u.active_users * u.realtime_messages_per_user)


# --- several regions: what is split, what each region carries in full ---------------------------
# docs/realtime.md ("Multi-region"): a browser connects to the nearest region's API, and the backend
# publishes every notification to every region's bus. So connections, pings and the messages sent
# over them split over the regions, while each region's bus takes every event, its fan-out runs for
# every event and queries its table once per recipient (handlers/fanout.py), connected there or not.

PER_REGION_IN_FULL = ("events.million_custom_events", "dynamodb.million_read_units", "fanout requests")
SPLIT_OVER_REGIONS = (
    "apigateway.websocket_million_connection_minutes",
    "apigateway.websocket_million_messages",
)


def in_region(stack: RenderedStack, result: cost.Estimate, what: str, region: str) -> float:
    """A monthly quantity of one region: a price's, or "fanout requests" (the fan-out's calls)."""
    fanout = {r.name for r in stack if str(r.inputs.get("handler", "")).endswith(".fanout.handler")}
    if what == "fanout requests":
        lines = [line for line in charges(result, "lambda.million_requests") if line.resource in fanout]
    else:
        lines = charges(result, what)
    return sum(line.charge.quantity for line in lines if line.charge.region == region) * 1e6


def without_realtime_api(stack: RenderedStack, region: str) -> RenderedStack:
    """The stack as if `region` had no realtime API (one region fewer for the browsers to use)."""
    kept = {
        urn: r
        for urn, r in stack.resources.items()
        if not (r.type == "aws:apigatewayv2/api:Api" and stack.placement(r)[1] == region)
    }
    return RenderedStack(stack.stack, kept, stack.outputs)


def test_every_region_takes_every_event_on_its_bus_fanout_and_table(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    u = usage("prod")
    regions = set(stackfiles.read_stack_files("prod").values["regions"])
    assert len(regions) > 1
    events = u.active_users * u.realtime_messages_per_user / u.realtime_recipients_per_event
    recipients = u.active_users * u.realtime_messages_per_user
    for region in regions:
        prod = rendered["prod"], estimates["prod"]
        assert in_region(*prod, "events.million_custom_events", region) == pytest.approx(events)
        assert in_region(*prod, "fanout requests", region) == pytest.approx(events)
        assert in_region(*prod, "dynamodb.million_read_units", region) == pytest.approx(0.5 * recipients)


def test_adding_a_region_splits_the_connections_but_not_each_regions_events(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    home, other = list(stackfiles.read_stack_files("prod").values["regions"])[:2]
    one_region = without_realtime_api(rendered["prod"], other)
    alone = cost.estimate(one_region, usage("prod"))
    for what in PER_REGION_IN_FULL:
        two = in_region(rendered["prod"], estimates["prod"], what, home)
        one = in_region(one_region, alone, what, home)
        assert two > 0 and two == pytest.approx(one), what
    for what in SPLIT_OVER_REGIONS:
        two = in_region(rendered["prod"], estimates["prod"], what, home)
        one = in_region(one_region, alone, what, home)
        assert two > 0 and two == pytest.approx(one / 2), what


def test_point_in_time_recovery_is_charged_only_where_it_is_on(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    assert charges(estimates["dev"], "dynamodb.pitr_gb_month")
    dev = rendered["dev"]
    off = {
        urn: dataclasses.replace(r, inputs={**r.inputs, "pointInTimeRecovery": {"enabled": False}})
        if r.type == "aws:dynamodb/table:Table"
        else r
        for urn, r in dev.resources.items()
    }
    without = cost.estimate(RenderedStack(dev.stack, off, dev.outputs), usage("dev"))
    assert not charges(without, "dynamodb.pitr_gb_month")
    assert charges(without, "dynamodb.gb_month")


def test_more_recipients_per_event_means_fewer_bus_events_and_fanout_calls(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    base = usage("dev")
    wider = with_usage(
        rendered["dev"], base, realtime_recipients_per_event=2 * base.realtime_recipients_per_event
    )
    events = total(estimates["dev"], "events.million_custom_events")
    assert events > 0 and total(wider, "events.million_custom_events") == pytest.approx(events / 2)


def test_every_realtime_figure_prints_the_assumptions_it_rests_on(
    estimates: dict[str, cost.Estimate],
) -> None:
    for line in estimates["prod"].lines:
        if line.component.startswith("realtime") and line.type in SERVERLESS_TYPES:
            assert "usage.active_users" in (line.charge.assumption or ""), line
    api = charges(estimates["prod"], "apigateway.websocket_million_connection_minutes")[0]
    assert "split over 2 regions" in (api.charge.assumption or "")
    bus = charges(estimates["prod"], "events.million_custom_events")[0]
    assert "split" not in (bus.charge.assumption or "")
    assert "each of 2 regions" in (bus.charge.assumption or "")


# --- no silent zero outside the model ----------------------------------------------------------


def test_a_function_outside_the_realtime_area_stops_the_estimate(rendered: dict[str, RenderedStack]) -> None:
    function = {"handler": "app.handler", "memorySize": 128}
    stray = with_stray(rendered["dev"], "aws:lambda/function:Function", "stray", function)
    with pytest.raises(costbook.NoUsageModel, match="stray"):
        cost.estimate(stray, usage("dev"))


# --- schedule expressions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "runs"),
    [
        ("cron(0 3 * * ? *)", 365 / 12),
        ("rate(1 hour)", 730),
        ("rate(5 minutes)", 730 * 12),
        ("rate(2 days)", 365 / 24),
        ("cron(0/15 * * * ? *)", 4 * 24 * 365 / 12),
        ("cron(0 9 ? * MON-FRI *)", 5 * 365 / 12 / 7),
        ("cron(30 1 1,15 * ? *)", 2),
        ("cron(0 0 1 JAN ? *)", 1 / 12),
        ("at(2027-01-01T00:00:00)", 0),
        # EventBridge Scheduler's cron fields (docs.aws.amazon.com/scheduler/latest/UserGuide/
        # schedule-types.html#cron-based): L in day-of-month is the month's last day, 15W the weekday
        # nearest the 15th; in day-of-week L alone is the week's last day (Saturday), 5L the month's
        # last Thursday and 6#3 its third Friday.
        ("cron(0 0 L * ? *)", 1),
        ("cron(0 0 15W * ? *)", 1),
        ("cron(0 0 LW * ? *)", 1),
        ("cron(0 12 ? * L *)", 365 / 12 / 7),
        ("cron(0 12 ? * 6#3 *)", 1),
        ("cron(0 12 ? * FRI#3 *)", 1),
        ("cron(0 12 ? * 5L *)", 1),
        ("cron(0 8,20 ? * 2#1 *)", 2),
        ("cron(0 12 ? JAN,JUL 5L *)", 2 / 12),
    ],
)
def test_schedule_runs_per_month_follow_eventbridge_scheduler_expressions(
    expression: str, runs: float
) -> None:
    assert serverless.runs_per_month(expression) == pytest.approx(runs, rel=0.01)


@pytest.mark.parametrize(
    ("expression", "year", "runs"),
    [
        ("cron(0 0 1 1 ? 2020)", 2026, 0),  # a past year: never again
        ("cron(0 0 1 1 ? 2027)", 2026, 0),  # not yet
        ("cron(0 0 1 1 ? 2026)", 2026, 1 / 12),  # its year: the yearly run over twelve months
        ("cron(0 3 * * ? 2025-2027)", 2026, 365 / 12),
        ("cron(0 3 * * ? 2025-2027)", 2028, 0),
        ("cron(0 3 * * ? 2024,2026)", 2026, 365 / 12),
        ("cron(0 3 * * ? 2020/2)", 2026, 365 / 12),
        ("cron(0 3 * * ? 2020/2)", 2027, 0),
        ("cron(0 3 * * ? *)", 2199, 365 / 12),
    ],
)
def test_a_schedule_limited_to_some_years_runs_only_in_those_years(
    expression: str, year: int, runs: float
) -> None:
    assert serverless.runs_per_month(expression, year=year) == pytest.approx(runs, rel=0.01)


@pytest.mark.parametrize(
    "expression",
    [
        "every day at three",
        "rate(0 minutes)",
        "cron(0 3 * * * *)",  # day-of-month and day-of-week both set: one of them must be ?
        "cron(0 3 ? * ? *)",
        "cron(0 3 ? * 6#6 *)",  # there is no sixth Friday
        "cron(0 3 ? * 8 *)",
        "cron(0 3 ? * 2#1,6#3 *)",  # with #, day-of-week holds one expression only
        "cron(0 3 * * ? 1969)",
    ],
)
def test_an_expression_it_cannot_read_is_an_error_not_a_zero(expression: str) -> None:
    with pytest.raises(ValueError, match="cannot price schedule expression"):
        serverless.runs_per_month(expression)


def test_a_disabled_schedule_costs_nothing(rendered: dict[str, RenderedStack]) -> None:
    prod = rendered["prod"]
    (schedule,) = [r for r in prod if r.type == "aws:scheduler/schedule:Schedule"]
    ctx = costbook.Context(prod, usage("prod"))
    (enabled,) = costbook.RULES[schedule.type](schedule, ctx)
    assert enabled.quantity > 0
    disabled = dataclasses.replace(schedule, inputs={**schedule.inputs, "state": "DISABLED"})
    (charge,) = costbook.RULES[schedule.type](disabled, ctx)
    assert charge.quantity == 0 and "DISABLED" in (charge.assumption or "")


# --- the assumptions are settings ------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("usage.realtime_ping_minutes", 11, "less than or equal to 10"),
        ("usage.realtime_session_minutes", 121, "less than or equal to 120"),
        ("usage.realtime_recipients_per_event", 0, "greater than or equal to 1"),
        ("usage.realtime_messages_per_user", -1, "greater than or equal to 0"),
        ("usage.lambda_duration_ms", 0, "greater than 0"),
    ],
)
def test_realtime_usage_assumptions_are_validated_like_any_setting(
    key: str, value: float, words: str
) -> None:
    assert_config_error("dev", {key: value}, key, words)
