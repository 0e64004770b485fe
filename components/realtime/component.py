"""The `Realtime` component: a WebSocket API for notifications, presence and live comments.

What it builds, all in the region of the provider it is given:

- an API Gateway WebSocket API with the routes ``$connect`` (behind a Lambda authorizer that
  verifies the Cognito user pool's token), ``$disconnect`` and ``$default``; one stage with
  throttling and a KMS-encrypted access log; optionally a custom domain with a regional
  certificate and its DNS record;
- a DynamoDB table of open connections (TTL, point-in-time recovery, customer-managed key);
- an EventBridge bus for the platform's domain events and a rule sending notifications to the
  fan-out function, which posts to the recipients' connections through the management API;
- three functions (code in `handlers/`, packaged here): each with its own KMS-encrypted log group,
  X-Ray tracing, optional reserved concurrency, a dead-letter queue and a role allowed exactly what
  its code calls;
- `publish_policy`, a managed policy letting the backend put events on the bus.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from ..base import SocialComponent, assume_role_policy, policy_json
from .args import FunctionName, RealtimeArgs
from .handlers import events, store
from .handlers.authorizer import TOKEN_PARAMETER
from .validation import validate

HANDLERS = Path(__file__).parent / "handlers"
RUNTIME = "python3.13"
DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: time to look at what failed
NOTIFICATION_MAX_AGE_SECONDS = 3600
"""A notification not delivered within an hour is dropped to the dead-letter queue, not retried."""
ACCESS_LOG_FORMAT = json.dumps(
    {
        "requestId": "$context.requestId",
        "time": "$context.requestTimeEpoch",
        "apiId": "$context.apiId",
        "stage": "$context.stage",
        "routeKey": "$context.routeKey",
        "eventType": "$context.eventType",
        "connectionId": "$context.connectionId",
        "status": "$context.status",
        "sourceIp": "$context.identity.sourceIp",
        "userAgent": "$context.identity.userAgent",
        "user": "$context.authorizer.principalId",
        "authorizerError": "$context.authorizer.error",
        "integrationLatency": "$context.integrationLatency",
    },
    separators=(",", ":"),
)
"""One JSON line per connection event or message. The query string (which carries the token on
``$connect``) is deliberately not logged."""


def function_code() -> pulumi.AssetArchive:
    """The functions' package: the modules of `handlers/` under ``handlers/`` (what `handler`
    settings such as ``handlers.fanout.handler`` name), nothing else."""
    return pulumi.AssetArchive(
        {f"handlers/{path.name}": pulumi.FileAsset(str(path)) for path in sorted(HANDLERS.glob("*.py"))}
    )


class Realtime(SocialComponent):
    """WebSocket API, connections table and event fan-out for one environment and region."""

    MODULE = "realtime"

    def __init__(
        self,
        name: str,
        args: RealtimeArgs,
        *,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate(args)
        super().__init__(name, protect=protect, opts=opts)
        self._args = args
        invoke = pulumi.InvokeOutputOptions(parent=self)
        self._partition = aws.get_partition_output(opts=invoke).partition
        self.log_prefix = f"/social/realtime/{name}"

        self.key = self.kms_key(
            "data",
            f"{name}: connections table, dead-letter queue and logs of the realtime API",
            grants=[self.logs_grant(f"{self.log_prefix}/*"), self.events_grant()],
        )
        self.dead_letter_queue = aws.sqs.Queue(
            self.child_name("dlq"),
            kms_master_key_id=self.key.arn,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            opts=self.stateful(),
        )
        self.watch("dead-letter-queue", "dlq", {"QueueName": self.dead_letter_queue.name})
        self._table()
        self._api()
        self._functions()
        self._routes()
        self._stage_and_domain()
        self._bus()
        self._watch()

        self.register_outputs(
            {
                "api_id": self.api.id,
                "url": self.url,
                "management_endpoint": self.management_endpoint,
                "table_name": self.table.name,
                "bus_name": self.bus.name,
                "publish_policy_arn": self.publish_policy.arn,
                "dead_letter_queue_url": self.dead_letter_queue.url,
            }
        )

    def _watch(self) -> None:
        """What the observability component alarms on besides the table and the dead-letter queue
        (offered where they are made): the handlers and the API."""
        for role, function in self.functions.items():
            self.watch("lambda-function", role, {"FunctionName": function.name})
        self.watch("websocket-api", "api", {"ApiId": self.api.id, "Stage": self.stage.name})

    # ------------------------------------------------------------------------------------------
    # Connections table

    def _table(self) -> None:
        self.table = aws.dynamodb.Table(
            self.child_name("connections"),
            billing_mode="PAY_PER_REQUEST",
            hash_key=store.CONNECTION_ID,
            attributes=[
                {"name": store.CONNECTION_ID, "type": "S"},
                {"name": store.USER_ID, "type": "S"},
            ],
            global_secondary_indexes=[
                {"name": store.BY_USER_INDEX, "hash_key": store.USER_ID, "projection_type": "KEYS_ONLY"}
            ],
            ttl={"attribute_name": store.EXPIRES_AT, "enabled": True},
            point_in_time_recovery={"enabled": True},
            server_side_encryption={"enabled": True, "kms_key_arn": self.key.arn},
            deletion_protection_enabled=self._protect_state,
            opts=self.stateful(),
        )
        self.watch("dynamodb-table", "connections", {"TableName": self.table.name})

    # ------------------------------------------------------------------------------------------
    # WebSocket API

    def _api(self) -> None:
        self.api = aws.apigatewayv2.Api(
            self.child_name("api"),
            protocol_type="WEBSOCKET",
            route_selection_expression="$request.body.action",
            description=f"{self.name}: notifications, presence and live comments",
            opts=self.child(),
        )
        stage = self._args.stage_name
        self.management_endpoint = pulumi.Output.concat(
            "https://", self.api.id, ".execute-api.", self.region(), ".amazonaws.com/", stage
        )
        # What the management API calls of this stage may touch (POST/GET/DELETE @connections/<id>).
        self._connections_arn = pulumi.Output.concat(
            "arn:",
            self._partition,
            ":execute-api:",
            self.region(),
            ":",
            self.account_id(),
            ":",
            self.api.id,
            f"/{stage}/POST/@connections/*",
        )

    # ------------------------------------------------------------------------------------------
    # Functions

    def _functions(self) -> None:
        table_arn = self.table.arn
        index_arn = pulumi.Output.concat(table_arn, "/index/", store.BY_USER_INDEX)
        manage = {
            "Sid": "PostToConnections",
            "Effect": "Allow",
            "Action": "execute-api:ManageConnections",
            "Resource": self._connections_arn,
        }
        self.functions: dict[FunctionName, aws.lambda_.Function] = {
            "authorizer": self._function(
                "authorizer",
                "handlers.authorizer.handler",
                timeout=5,
                environment={
                    "USER_POOL_ISSUER": self._args.user_pool_issuer,
                    "CLIENT_IDS": pulumi.Output.all(*self._args.client_ids).apply(",".join),
                    "TOKEN_USES": ",".join(self._args.token_uses),
                },
                statements=[],
            ),
            "connections": self._function(
                "connections",
                "handlers.connections.handler",
                timeout=10,
                environment={"TABLE_NAME": self.table.name},
                statements=[
                    {
                        "Sid": "RecordConnections",
                        "Effect": "Allow",
                        "Action": ["dynamodb:PutItem", "dynamodb:DeleteItem"],
                        "Resource": table_arn,
                    },
                    manage,
                ],
            ),
            "fanout": self._function(
                "fanout",
                "handlers.fanout.handler",
                timeout=60,
                environment={"TABLE_NAME": self.table.name, "MANAGEMENT_ENDPOINT": self.management_endpoint},
                statements=[
                    {
                        "Sid": "FindConnections",
                        "Effect": "Allow",
                        "Action": "dynamodb:Query",
                        "Resource": index_arn,
                    },
                    {
                        "Sid": "ForgetGoneConnections",
                        "Effect": "Allow",
                        "Action": "dynamodb:DeleteItem",
                        "Resource": table_arn,
                    },
                    manage,
                ],
            ),
        }
        aws.lambda_.FunctionEventInvokeConfig(
            self.child_name("fanout-async"),
            function_name=self.functions["fanout"].name,
            maximum_event_age_in_seconds=NOTIFICATION_MAX_AGE_SECONDS,
            maximum_retry_attempts=2,
            opts=self.child(),
        )

    def _function(
        self,
        role: FunctionName,
        handler: str,
        *,
        timeout: int,
        environment: Mapping[str, pulumi.Input[str]],
        statements: Sequence[Mapping[str, Any]],
    ) -> aws.lambda_.Function:
        """One function: its log group, its role (logs, traces, dead letters, the key, `statements`)."""
        log_group = aws.cloudwatch.LogGroup(
            self.child_name(f"{role}-log"),
            name=f"{self.log_prefix}/{role}",
            retention_in_days=self._args.log_retention_days,
            kms_key_id=self.key.arn,
            deletion_protection_enabled=self._protect_state,
            opts=self.stateful(),
        )
        iam_role = aws.iam.Role(
            self.child_name(f"{role}-role"),
            description=f"{self.name}: the {role} function",
            assume_role_policy=assume_role_policy({"Service": "lambda.amazonaws.com"}),
            opts=self.child(),
        )
        policy = aws.iam.RolePolicy(
            self.child_name(f"{role}-role"),
            role=iam_role.id,
            policy=policy_json(
                [
                    {
                        "Sid": "WriteOwnLogs",
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": pulumi.Output.concat(log_group.arn, ":*"),
                    },
                    {
                        # X-Ray has no resource-level permissions for these actions.
                        "Sid": "SendTraces",
                        "Effect": "Allow",
                        "Action": ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
                        "Resource": "*",
                    },
                    {
                        "Sid": "DeadLetters",
                        "Effect": "Allow",
                        "Action": "sqs:SendMessage",
                        "Resource": self.dead_letter_queue.arn,
                    },
                    {
                        # The table and the dead-letter queue are encrypted with this key.
                        "Sid": "UseDataKey",
                        "Effect": "Allow",
                        "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                        "Resource": self.key.arn,
                    },
                    *statements,
                ]
            ),
            opts=self.child(),
        )
        reserved = self._args.reserved_concurrency.get(role)
        return aws.lambda_.Function(
            self.child_name(role),
            runtime=RUNTIME,
            architectures=[self._args.architecture],
            handler=handler,
            code=function_code(),
            role=iam_role.arn,
            timeout=timeout,
            memory_size=256,
            reserved_concurrent_executions=-1 if reserved is None else reserved,
            environment={"variables": dict(environment)},
            tracing_config={"mode": "Active"},
            dead_letter_config={"target_arn": self.dead_letter_queue.arn},
            logging_config={"log_format": "JSON", "log_group": log_group.name},
            # The role must be able to write logs and dead letters before the first invocation.
            opts=self.child(depends_on=[policy]),
        )

    # ------------------------------------------------------------------------------------------
    # Routes and their authorizer

    def _routes(self) -> None:
        authorizer_fn = self.functions["authorizer"]
        self.authorizer = aws.apigatewayv2.Authorizer(
            self.child_name("authorizer"),
            api_id=self.api.id,
            name=f"{self.name}-cognito",
            authorizer_type="REQUEST",
            authorizer_uri=authorizer_fn.invoke_arn,
            identity_sources=[f"route.request.querystring.{TOKEN_PARAMETER}"],
            opts=self.child(),
        )
        aws.lambda_.Permission(
            self.child_name("authorizer-invoke"),
            function=authorizer_fn.name,
            action="lambda:InvokeFunction",
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, "/authorizers/", self.authorizer.id),
            opts=self.child(),
        )
        connections_fn = self.functions["connections"]
        integration = aws.apigatewayv2.Integration(
            self.child_name("connections"),
            api_id=self.api.id,
            integration_type="AWS_PROXY",
            integration_uri=connections_fn.invoke_arn,
            opts=self.child(),
        )
        aws.lambda_.Permission(
            self.child_name("connections-invoke"),
            function=connections_fn.name,
            action="lambda:InvokeFunction",
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, f"/{self._args.stage_name}/*"),
            opts=self.child(),
        )
        self.routes: dict[str, aws.apigatewayv2.Route] = {}
        for key, slug in (("$connect", "connect"), ("$disconnect", "disconnect"), ("$default", "default")):
            authorized = key == "$connect"
            self.routes[key] = aws.apigatewayv2.Route(
                self.child_name(f"route-{slug}"),
                api_id=self.api.id,
                route_key=key,
                target=pulumi.Output.concat("integrations/", integration.id),
                # Only $connect can carry an authorizer; the other routes run on connections it allowed.
                authorization_type="CUSTOM" if authorized else "NONE",
                authorizer_id=self.authorizer.id if authorized else None,
                opts=self.child(),
            )

    # ------------------------------------------------------------------------------------------
    # Stage (throttling, access log) and custom domain

    def _stage_and_domain(self) -> None:
        args = self._args
        depends: list[pulumi.Resource] = list(self.routes.values())
        if args.enable_account_logging_role:
            logging_role = aws.iam.Role(
                self.child_name("apigateway-logging"),
                description="API Gateway (account-wide, this region): write execution and access logs",
                assume_role_policy=assume_role_policy({"Service": "apigateway.amazonaws.com"}),
                opts=self.child(),
            )
            attachment = aws.iam.RolePolicyAttachment(
                self.child_name("apigateway-logging"),
                role=logging_role.name,
                policy_arn=pulumi.Output.concat(
                    "arn:",
                    self._partition,
                    ":iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs",
                ),
                opts=self.child(),
            )
            depends.append(
                aws.apigateway.Account(
                    self.child_name("apigateway-account"),
                    cloudwatch_role_arn=logging_role.arn,
                    opts=self.child(depends_on=[attachment]),
                )
            )
        self.access_log_group = aws.cloudwatch.LogGroup(
            self.child_name("access-log"),
            name=f"{self.log_prefix}/access",
            retention_in_days=args.log_retention_days,
            kms_key_id=self.key.arn,
            deletion_protection_enabled=self._protect_state,
            opts=self.stateful(),
        )
        self.stage = aws.apigatewayv2.Stage(
            self.child_name("stage"),
            api_id=self.api.id,
            name=args.stage_name,
            auto_deploy=True,
            default_route_settings={
                "throttling_rate_limit": args.throttling_rate_limit,
                "throttling_burst_limit": args.throttling_burst_limit,
                # Execution logs would go to a log group API Gateway creates, without our key.
                "logging_level": "OFF",
                "data_trace_enabled": False,
            },
            access_log_settings={
                "destination_arn": self.access_log_group.arn,
                "format": ACCESS_LOG_FORMAT,
            },
            opts=self.child(depends_on=depends),
        )
        self.url: pulumi.Output[str] = pulumi.Output.concat(self.api.api_endpoint, "/", args.stage_name)
        self.domain_name: aws.apigatewayv2.DomainName | None = None
        if args.custom_domain is not None:
            self._custom_domain()

    def _custom_domain(self) -> None:
        domain = self._args.custom_domain
        assert domain is not None
        certificate_arn = self.dns_validated_certificate(domain.domain_name, domain.zone_id)
        self.domain_name = aws.apigatewayv2.DomainName(
            self.child_name("domain"),
            domain_name=domain.domain_name,
            domain_name_configuration={
                "certificate_arn": certificate_arn,
                "endpoint_type": "REGIONAL",
                "security_policy": "TLS_1_2",
            },
            opts=self.child(),
        )
        aws.apigatewayv2.ApiMapping(
            self.child_name("domain-mapping"),
            api_id=self.api.id,
            domain_name=self.domain_name.id,
            stage=self.stage.id,
            opts=self.child(),
        )
        configuration = self.domain_name.domain_name_configuration
        latency = domain.latency_record_id
        aws.route53.Record(
            self.child_name("domain-record"),
            zone_id=domain.zone_id,
            name=domain.domain_name,
            type="A",
            aliases=[
                {
                    "name": configuration.target_domain_name,
                    "zone_id": configuration.hosted_zone_id,
                    "evaluate_target_health": True,
                }
            ],
            set_identifier=latency,
            latency_routing_policies=None if latency is None else [{"region": self.region()}],
            opts=self.child(),
        )
        self.url = pulumi.Output.concat("wss://", domain.domain_name)

    # ------------------------------------------------------------------------------------------
    # Event bus → fan-out

    def _bus(self) -> None:
        self.bus = aws.cloudwatch.EventBus(
            self.child_name("bus"),
            description=f"{self.name}: the platform's domain events",
            opts=self.child(),
        )
        rule = aws.cloudwatch.EventRule(
            self.child_name("notifications"),
            event_bus_name=self.bus.name,
            description=f"{self.name}: notifications for open WebSocket connections",
            event_pattern=json.dumps(events.EVENT_PATTERN),
            opts=self.child(),
        )
        fanout_fn = self.functions["fanout"]
        permission = aws.lambda_.Permission(
            self.child_name("fanout-invoke"),
            function=fanout_fn.name,
            action="lambda:InvokeFunction",
            principal="events.amazonaws.com",
            source_arn=rule.arn,
            opts=self.child(),
        )
        queue_policy = self.queue_for_rule(
            "dlq-policy", self.dead_letter_queue, rule, "EventBridgeRuleDeadLetters"
        )
        aws.cloudwatch.EventTarget(
            self.child_name("notifications-target"),
            rule=rule.name,
            event_bus_name=self.bus.name,
            arn=fanout_fn.arn,
            retry_policy={
                "maximum_event_age_in_seconds": NOTIFICATION_MAX_AGE_SECONDS,
                "maximum_retry_attempts": 10,
            },
            dead_letter_config={"arn": self.dead_letter_queue.arn},
            opts=self.child(depends_on=[permission, queue_policy]),
        )
        self.publish_policy = aws.iam.Policy(
            self.child_name("publish"),
            description=f"{self.name}: put the platform's domain events on the realtime bus",
            policy=policy_json(
                [
                    {
                        "Sid": "PublishDomainEvents",
                        "Effect": "Allow",
                        "Action": "events:PutEvents",
                        "Resource": self.bus.arn,
                    }
                ]
            ),
            opts=self.child(),
        )
