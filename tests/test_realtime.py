"""Realtime (WebSocket API, connections, fan-out) and the coin wallet plumbing, as every environment
renders them.

Read as a specification: each region of each environment has a WebSocket API whose `$connect` is
behind a Cognito authorizer, a throttled stage with an encrypted access log, ``ws.<zone>`` with a
regional certificate, a connections table with TTL/PITR/customer key, a bus whose notifications
reach the fan-out; the primary region has the FIFO coin-transactions queue, its schedule and the
wallet service's role. Each function may do what its code calls and nothing the others need.
IAM action names are checked against botocore's service models, not against this code.
"""

from __future__ import annotations

import ast
import json
from typing import Any

import botocore.session
import pytest

from social_components.realtime import RealtimeArgs
from social_components.realtime.component import HANDLERS, function_code
from social_components.realtime.handlers import events, store
from social_components.realtime.validation import validate as validate_realtime
from social_components.wallet import WalletArgs
from social_components.wallet.validation import validate as validate_wallet
from social_platform.config import environment_zone_name, load_config, region_code
from social_platform.render import RenderedResource, RenderedStack

from .conftest import ENVIRONMENTS, assert_config_error, raw_config
from .iam import allows

API, AUTHORIZER, ROUTE, STAGE = (
    "aws:apigatewayv2/api:Api",
    "aws:apigatewayv2/authorizer:Authorizer",
    "aws:apigatewayv2/route:Route",
    "aws:apigatewayv2/stage:Stage",
)
DOMAIN, MAPPING, RECORD, CERTIFICATE = (
    "aws:apigatewayv2/domainName:DomainName",
    "aws:apigatewayv2/apiMapping:ApiMapping",
    "aws:route53/record:Record",
    "aws:acm/certificate:Certificate",
)
TABLE, BUS, RULE, TARGET = (
    "aws:dynamodb/table:Table",
    "aws:cloudwatch/eventBus:EventBus",
    "aws:cloudwatch/eventRule:EventRule",
    "aws:cloudwatch/eventTarget:EventTarget",
)
FUNCTION, LOG_GROUP, ROLE, ROLE_POLICY = (
    "aws:lambda/function:Function",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:iam/role:Role",
    "aws:iam/rolePolicy:RolePolicy",
)
QUEUE, SCHEDULE, KEY = "aws:sqs/queue:Queue", "aws:scheduler/schedule:Schedule", "aws:kms/key:Key"


def realtime_of(stack: RenderedStack) -> list[RenderedResource]:
    return stack.components("social:realtime:Realtime")


def inside(stack: RenderedStack, component: RenderedResource, type_: str) -> list[RenderedResource]:
    return [r for r in stack.descendants(component) if r.type == type_]


def one(stack: RenderedStack, component: RenderedResource, type_: str, role: str) -> RenderedResource:
    return stack.named(f"{component.name}-{role}", type_)


def document(value: Any) -> dict[str, Any]:
    return json.loads(value) if isinstance(value, str) else value


def role_policy(stack: RenderedStack, component: RenderedResource, role: str) -> dict[str, Any]:
    return document(one(stack, component, ROLE_POLICY, f"{role}-role").inputs["policy"])


# ---------------------------------------------------------------------------------------------
# What every environment renders


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_every_region_of_every_environment_has_the_websocket_api_and_its_parts(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    regions = r.outputs["regions"]
    components = realtime_of(r)
    assert sorted(c.name for c in components) == sorted(
        f"{stack}-{region_code(region)}-realtime" for region in regions
    )
    zone = environment_zone_name(load_config(raw_config(stack)))
    for c in components:
        [api] = inside(r, c, API)
        assert api.inputs["protocolType"] == "WEBSOCKET"
        routes = {route.inputs["routeKey"]: route for route in inside(r, c, ROUTE)}
        assert set(routes) == {"$connect", "$disconnect", "$default"}
        [authorizer] = inside(r, c, AUTHORIZER)
        assert authorizer.inputs["authorizerType"] == "REQUEST"
        assert authorizer.inputs["identitySources"] == ["route.request.querystring.token"]
        assert routes["$connect"].inputs["authorizationType"] == "CUSTOM"
        assert routes["$connect"].inputs["authorizerId"] == authorizer.id
        [domain] = inside(r, c, DOMAIN)
        assert domain.inputs["domainName"] == f"ws.{zone}"
        assert domain.inputs["domainNameConfiguration"]["endpointType"] == "REGIONAL"
        assert domain.inputs["domainNameConfiguration"]["securityPolicy"] == "TLS_1_2"
        [certificate] = inside(r, c, CERTIFICATE)
        assert certificate.region == c_region(r, c) and certificate.inputs["domainName"] == f"ws.{zone}"
        alias = [rec for rec in inside(r, c, RECORD) if rec.inputs.get("aliases")]
        assert [rec.inputs["name"] for rec in alias] == [f"ws.{zone}"]
        assert inside(r, c, TABLE) and inside(r, c, BUS) and len(inside(r, c, FUNCTION)) == 3
    assert r.outputs["realtime"].keys() == set(regions)


def c_region(stack: RenderedStack, component: RenderedResource) -> str | None:
    return inside(stack, component, API)[0].region


def test_several_regions_share_the_name_through_latency_records(rendered: dict[str, RenderedStack]) -> None:
    prod = rendered["prod"]
    records = [rec for c in realtime_of(prod) for rec in inside(prod, c, RECORD) if rec.inputs.get("aliases")]
    assert len(records) == 2
    assert {rec.inputs["setIdentifier"] for rec in records} == {"eu-west-1", "eu-central-1"}
    assert {rec.inputs["latencyRoutingPolicies"][0]["region"] for rec in records} == {
        "eu-west-1",
        "eu-central-1",
    }


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_primary_region_has_the_wallet_queue_schedule_and_role(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    [wallet] = r.components("social:wallet:Wallet")
    primary = r.outputs["regions"][0]
    queue = one(r, wallet, QUEUE, "transactions")
    assert queue.region == primary
    assert queue.inputs["fifoQueue"] is True and queue.inputs["contentBasedDeduplication"] is True
    assert queue.inputs["name"].endswith(".fifo")
    redrive = document(queue.inputs["redrivePolicy"])
    dlq = one(r, wallet, QUEUE, "transactions-dlq")
    assert redrive["deadLetterTargetArn"].endswith(":" + dlq.inputs["name"])
    assert dlq.inputs["fifoQueue"] is True, "a FIFO queue's dead-letter queue must be FIFO too"
    [schedule] = inside(r, wallet, SCHEDULE)
    target = schedule.inputs["target"]
    assert target["arn"].endswith(":" + queue.inputs["name"])
    assert target["sqsParameters"]["messageGroupId"]
    scheduler_dlq = one(r, wallet, QUEUE, "settlement-dlq")
    assert target["deadLetterConfig"]["arn"].endswith(":" + scheduler_dlq.name)
    assert not scheduler_dlq.inputs.get("fifoQueue"), "Scheduler takes only standard queues as its DLQ"
    assert r.outputs["wallet"]["service_role_arn"]


# ---------------------------------------------------------------------------------------------
# Data: the connections table and the queues


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_connections_table_expires_items_recovers_to_a_point_in_time_and_uses_our_key(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    for c in realtime_of(r):
        [table] = inside(r, c, TABLE)
        assert table.inputs["ttl"] == {"attributeName": store.EXPIRES_AT, "enabled": True}
        assert table.inputs["pointInTimeRecovery"]["enabled"] is True
        sse = table.inputs["serverSideEncryption"]
        [key] = inside(r, c, KEY)
        assert sse["enabled"] is True and sse["kmsKeyArn"].endswith("/" + key.name)
        assert table.inputs["hashKey"] == store.CONNECTION_ID
        [index] = table.inputs["globalSecondaryIndexes"]
        assert (index["name"], index["hashKey"]) == (store.BY_USER_INDEX, store.USER_ID)
        assert table.protect is (stack == "prod")
        assert bool(table.inputs.get("deletionProtectionEnabled")) is (stack == "prod")


def test_every_realtime_and_wallet_queue_is_encrypted_with_a_key_of_its_component(
    rendered: dict[str, RenderedStack],
) -> None:
    for stack in ENVIRONMENTS:
        r = rendered[stack]
        for c in [*realtime_of(r), *r.components("social:wallet:Wallet")]:
            keys = {"/" + k.name for k in inside(r, c, KEY)}
            for queue in inside(r, c, QUEUE):
                assert any(str(queue.inputs.get("kmsMasterKeyId")).endswith(k) for k in keys), queue.name


# ---------------------------------------------------------------------------------------------
# Functions


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_each_function_traces_logs_encrypted_has_a_dead_letter_queue_and_its_tier_s_concurrency(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    section = load_config(raw_config(stack)).realtime
    for c in realtime_of(r):
        for fn in inside(r, c, FUNCTION):
            role = fn.name.removeprefix(f"{c.name}-")
            assert fn.inputs["tracingConfig"] == {"mode": "Active"}
            assert fn.inputs["deadLetterConfig"]["targetArn"].endswith(f":{c.name}-dlq")
            [group] = [
                g
                for g in inside(r, c, LOG_GROUP)
                if g.inputs["name"] == fn.inputs["loggingConfig"]["logGroup"]
            ]
            assert group.inputs["kmsKeyId"] and group.inputs["retentionInDays"] == section.log_retention_days
            wanted = section.reserved_concurrency.get(role, -1)  # type: ignore[call-overload]
            assert fn.inputs["reservedConcurrentExecutions"] == wanted


def test_each_function_handler_is_a_function_in_the_package_the_program_uploads(
    rendered: dict[str, RenderedStack],
) -> None:
    archive = function_code().assets
    for fn in rendered["dev"].of_type(FUNCTION):
        module, name = fn.inputs["handler"].rsplit(".", 1)
        path = module.replace(".", "/") + ".py"
        assert path in archive, f"{fn.name}: {path} is not in the package"
        tree = ast.parse((HANDLERS / path.removeprefix("handlers/")).read_text())
        assert name in {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert all(path.endswith(".py") and "test" not in path for path in archive)


def test_the_bus_rule_sends_the_notification_pattern_to_the_fanout_with_a_dead_letter_queue(
    rendered: dict[str, RenderedStack],
) -> None:
    r = rendered["staging"]
    for c in realtime_of(r):
        [rule] = inside(r, c, RULE)
        [bus] = inside(r, c, BUS)
        assert document(rule.inputs["eventPattern"]) == events.EVENT_PATTERN
        assert rule.inputs["eventBusName"] == bus.inputs.get("name", bus.name)
        [target] = inside(r, c, TARGET)
        assert target.inputs["arn"].endswith(f":function:{c.name}-fanout")
        assert target.inputs["deadLetterConfig"]["arn"].endswith(f":{c.name}-dlq")


ACTION_NAMES: dict[str, set[str]] = {}


def operations(service: str) -> set[str]:
    """The operations botocore's model of `service` names (IAM actions share them)."""
    if service not in ACTION_NAMES:
        model = botocore.session.get_session().get_service_model(service)
        ACTION_NAMES[service] = {name.lower() for name in model.operation_names}
    return ACTION_NAMES[service]


IAM_ONLY = {
    # Not API operations, so not in botocore: IAM-only actions from the Service Authorization Reference.
    "execute-api:manageconnections",  # API Gateway management API (POST/GET/DELETE @connections)
    "rds-db:connect",  # IAM database authentication
}
BOTOCORE_NAMES = {
    "xray": "xray",
    "dynamodb": "dynamodb",
    "sqs": "sqs",
    "kms": "kms",
    "logs": "logs",
    "events": "events",
}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_action_the_realtime_and_wallet_roles_use_exists(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    r = rendered[stack]
    owners = [*realtime_of(r), *r.components("social:wallet:Wallet")]
    documents = [
        document(p.inputs["policy"])
        for c in owners
        for p in r.descendants(c)
        if p.type in (ROLE_POLICY, "aws:iam/policy:Policy")
    ]
    assert documents
    for doc in documents:
        for statement in doc["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            for action in actions:
                service, name = action.lower().split(":")
                if action.lower() in IAM_ONLY:
                    continue
                assert name in operations(BOTOCORE_NAMES[service]), f"{action} is not a {service} operation"


def test_each_function_may_do_what_its_code_calls_and_not_what_the_others_need(
    rendered: dict[str, RenderedStack],
) -> None:
    r = rendered["dev"]
    [c] = realtime_of(r)
    [table] = inside(r, c, TABLE)
    table_arn = f"arn:aws:dynamodb:eu-west-1:{r.outputs['account_id']}:table/{table.name}"
    index_arn = f"{table_arn}/index/{store.BY_USER_INDEX}"
    api_id = r.outputs["realtime"]["eu-west-1"]["api_id"]
    connection = (
        f"arn:aws:execute-api:eu-west-1:{r.outputs['account_id']}:{api_id}/live/POST/@connections/abc="
    )
    other_stage = connection.replace("/live/", "/other/")
    authorizer, connections, fanout = (
        role_policy(r, c, role) for role in ("authorizer", "connections", "fanout")
    )

    assert allows(connections, "dynamodb:PutItem", table_arn)
    assert allows(connections, "dynamodb:DeleteItem", table_arn)
    assert allows(connections, "execute-api:ManageConnections", connection)
    assert not allows(connections, "dynamodb:Query", index_arn)
    assert not allows(connections, "execute-api:ManageConnections", other_stage)

    assert allows(fanout, "dynamodb:Query", index_arn)
    assert allows(fanout, "dynamodb:DeleteItem", table_arn)
    assert allows(fanout, "execute-api:ManageConnections", connection)
    assert not allows(fanout, "dynamodb:PutItem", table_arn)
    assert not allows(fanout, "dynamodb:Scan", table_arn)

    for action, resource in [
        ("dynamodb:PutItem", table_arn),
        ("dynamodb:Query", index_arn),
        ("execute-api:ManageConnections", connection),
    ]:
        assert not allows(authorizer, action, resource), f"the authorizer needs no {action}"


def test_the_wallet_service_consumes_and_decrypts_its_queue_and_signs_in_as_its_own_user(
    rendered: dict[str, RenderedStack],
) -> None:
    r = rendered["staging"]
    [wallet] = r.components("social:wallet:Wallet")
    account = r.outputs["account_id"]
    queue = one(r, wallet, QUEUE, "transactions")
    queue_arn = f"arn:aws:sqs:eu-west-1:{account}:{queue.inputs['name']}"
    role = one(r, wallet, ROLE, "service")
    trust = document(role.inputs["assumeRolePolicy"])["Statement"][0]
    assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-namespace"] == "wallet"
    assert trust["Condition"]["StringEquals"]["aws:RequestTag/kubernetes-service-account"] == "wallet"
    policies = [document(p.inputs["policy"]) for p in r.of_type(ROLE_POLICY) if p.inputs["role"] == role.id]
    assert any(allows(p, "sqs:ReceiveMessage", queue_arn) for p in policies)
    assert any(allows(p, "sqs:DeleteMessage", queue_arn) for p in policies)
    key_arn = str(queue.inputs["kmsMasterKeyId"])
    assert any(allows(p, "kms:Decrypt", key_arn) for p in policies), "an encrypted queue needs kms:Decrypt"
    assert not any(allows(p, "sqs:SendMessage", queue_arn) for p in policies)
    connect = [p for p in policies if any(s["Action"] == "rds-db:connect" for s in p["Statement"])]
    assert connect and all(res.endswith("/wallet") for p in connect for res in p["Statement"][0]["Resource"])


# ---------------------------------------------------------------------------------------------
# Config


def test_realtime_needs_the_user_pool() -> None:
    assert_config_error("dev", {"identity.enabled": False}, "realtime.enabled", "identity.enabled")


def test_the_wallet_needs_the_cluster_and_the_database() -> None:
    assert_config_error("dev", {"database.enabled": False}, "wallet.enabled", "database.enabled")


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"wallet.settlement_schedule": "every day"}, "wallet.settlement_schedule", "cron("),
        ({"wallet.settlement_timezone": "Mars/Olympus"}, "wallet.settlement_timezone", "IANA"),
        ({"realtime.throttling_burst_limit": 10}, "realtime.throttling_burst_limit", "burst"),
        (
            {"realtime.reserved_concurrency": {"other": 5}},
            "realtime.reserved_concurrency.other",
            "fanout",
        ),
    ],
)
def test_bad_realtime_and_wallet_settings_are_refused_naming_the_key(
    changes: dict[str, Any], key: str, words: str
) -> None:
    assert_config_error("dev", changes, key, words)


def test_prod_reserves_concurrency_for_every_function() -> None:
    assert_config_error(
        "prod",
        {"realtime.reserved_concurrency": {"authorizer": 10}},
        "realtime.reserved_concurrency",
        "fanout",
    )


def test_tiers_reserve_more_concurrency_and_keep_logs_longer_towards_prod() -> None:
    by_tier = {stack: load_config(raw_config(stack)).realtime for stack in ENVIRONMENTS}
    assert by_tier["dev"].reserved_concurrency == {}
    assert by_tier["staging"].log_retention_days < by_tier["prod"].log_retention_days
    assert by_tier["staging"].throttling_rate_limit < by_tier["prod"].throttling_rate_limit


# ---------------------------------------------------------------------------------------------
# The components' own checks (no Pulumi)


def realtime_args(**changes: Any) -> RealtimeArgs:
    base: dict[str, Any] = {
        "user_pool_issuer": "https://cognito-idp.eu-west-1.amazonaws.com/p",
        "client_ids": ["c"],
    }
    return RealtimeArgs(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"client_ids": []}, "client_ids"),
        ({"token_uses": ()}, "token_uses"),
        ({"token_uses": ("refresh",)}, "token_uses"),
        ({"stage_name": "a b"}, "stage_name"),
        ({"throttling_rate_limit": 0}, "throttling"),
        ({"throttling_rate_limit": 100, "throttling_burst_limit": 50}, "burst"),
        ({"reserved_concurrency": {"authorizer": 0}}, "reserved_concurrency"),
        ({"reserved_concurrency": {"authorizer": 950}}, "reserved_concurrency"),
        ({"log_retention_days": 10}, "log_retention_days"),
    ],
)
def test_realtime_args_are_checked_naming_the_argument(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        validate_realtime(realtime_args(**changes))
    validate_realtime(realtime_args())


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"settlement_schedule": "cron(0 3 * * *)"}, "six fields"),
        ({"settlement_schedule": "rate(1 days)"}, "singular"),
        ({"settlement_schedule": "rate(2 hour)"}, "plural"),
        ({"namespace": "Wallet"}, "namespace"),
        ({"max_receive_count": 0}, "max_receive_count"),
        ({"message_retention_seconds": 1_209_601}, "message_retention_seconds"),
    ],
)
def test_wallet_args_are_checked_naming_the_argument(changes: dict[str, Any], words: str) -> None:
    base: dict[str, Any] = {"cluster_name": "c", "cluster_arn": "arn:aws:eks:eu-west-1:1:cluster/c"}
    with pytest.raises(ValueError, match=words):
        validate_wallet(WalletArgs(**{**base, **changes}))
    validate_wallet(WalletArgs(**base, settlement_schedule="rate(1 day)"))
    validate_wallet(WalletArgs(**base, settlement_schedule="rate(6 hours)"))
