"""Serverless parts: queues have somewhere for failures to go; functions trace, log encrypted and
keep failed events; tables keep point-in-time recovery under a customer key."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from social_platform.rulebook import ResourceView, StackView, _customer_key, _document, _truthy, rule
from social_platform.rules.encryption import LOG_GROUP, SQS_QUEUE

DEAD_LETTER_PROPS: Mapping[str, str] = {
    SQS_QUEUE: "redrivePolicy",
    "aws:lambda/function:Function": "deadLetterConfig",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "destinationConfig",
    "aws:cloudwatch/eventTarget:EventTarget": "deadLetterConfig",
    "aws:scheduler/schedule:Schedule": "target",
}
"""Where a resource names the queue its failures go to (a queue is a dead-letter queue if one does)."""


def _strings(value: Any) -> Iterator[str]:
    """Every string inside a nested input (JSON documents given as text are read)."""
    if isinstance(value, str):
        document = _document(value)
        yield from [value] if not document else _strings(document)
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, Sequence):
        for item in value:
            yield from _strings(item)


def _names_queue(source: ResourceView, prop: str, queue: ResourceView) -> bool:
    """Whether `source`'s input `prop` names `queue`: by dependency where the source knows them (the
    pack), else by the queue's ARN, which ends with ``:<queue name>`` (the offline render)."""
    if source.property_deps is not None and prop in source.property_deps:
        return queue.urn in source.property_deps[prop]
    name = str(queue.props.get("name") or queue.name)
    return any(
        text.startswith("arn:") and text.endswith(f":{name}") for text in _strings(source.props.get(prop))
    )


@rule(
    "sqs-dead-letter-queue",
    "Every SQS queue has a dead-letter queue (redrive policy), or is one",
    types=(SQS_QUEUE,),
    needs_stack=True,
)
def _sqs_dead_letter(r: ResourceView, stack: StackView) -> Iterator[str]:
    redrive = r.get("redrivePolicy")
    # Set and naming a target, or set but not readable yet (a preview, before the target exists).
    if redrive and (_document(redrive).get("deadLetterTargetArn") or not _document(redrive)):
        return
    for source_type, prop in DEAD_LETTER_PROPS.items():
        if any(_names_queue(s, prop, r) for s in stack.same_place(r, source_type) if s.urn != r.urn):
            return
    yield "has no redrivePolicy with a deadLetterTargetArn, and nothing sends its failures here"


LAMBDA_FUNCTION = "aws:lambda/function:Function"
LAMBDA_INVOKE_CONFIG = "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig"


@rule(
    "lambda-tracing",
    "Lambda functions trace with X-Ray (tracingConfig.mode Active)",
    types=(LAMBDA_FUNCTION,),
)
def _lambda_tracing(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.get("tracingConfig.mode") != "Active":
        yield "tracingConfig.mode must be Active"


@rule(
    "lambda-failure-destination",
    "Lambda functions send failed asynchronous events to a dead-letter queue or on-failure destination",
    types=(LAMBDA_FUNCTION,),
    needs_stack=True,
)
def _lambda_failure_destination(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.get("deadLetterConfig.targetArn"):
        return
    configs = stack.referring_to(r, (LAMBDA_INVOKE_CONFIG,), "functionName")
    if any(c.get("destinationConfig.onFailure.destination") for c in configs):
        return
    yield "needs deadLetterConfig.targetArn or an event invoke config with destinationConfig.onFailure"


@rule(
    "lambda-logs-encrypted",
    "Lambda functions log to a log group of the stack that a customer-managed KMS key encrypts",
    types=(LAMBDA_FUNCTION,),
    needs_stack=True,
)
def _lambda_logs_encrypted(r: ResourceView, stack: StackView) -> Iterator[str]:
    # Unset, Lambda writes to /aws/lambda/<function name>, which it creates unencrypted on first use.
    name = r.get("loggingConfig.logGroup") or f"/aws/lambda/{r.get('name') or r.name}"
    groups = [g for g in stack.same_place(r, LOG_GROUP) if g.get("name") == name]
    if not groups:
        yield f"logs to {name}, which the stack does not create (Lambda would, without a key)"
    elif not _customer_key(groups[0].get("kmsKeyId")):
        yield f"its log group {name} has no customer-managed kmsKeyId"


DYNAMODB_TABLE = "aws:dynamodb/table:Table"


@rule(
    "dynamodb-pitr-and-customer-key",
    "DynamoDB tables have point-in-time recovery and a customer-managed KMS key",
    types=(DYNAMODB_TABLE,),
)
def _dynamodb_pitr_and_key(r: ResourceView, stack: StackView) -> Iterator[str]:
    if not _truthy(r.get("pointInTimeRecovery.enabled")):
        yield "pointInTimeRecovery.enabled must be true"
    if not (
        _truthy(r.get("serverSideEncryption.enabled"))
        and _customer_key(r.get("serverSideEncryption.kmsKeyArn"))
    ):
        yield "serverSideEncryption must be enabled with a customer-managed kmsKeyArn"
