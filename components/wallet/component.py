"""The `Wallet` component: the plumbing around the coin ledger, which stays in Aurora (relational,
ACID).

What it builds, in the region of the provider it is given:

- an SQS FIFO queue of coin transactions (ordered per message group, content-based
  de-duplication, high-throughput mode) encrypted with a customer-managed key, and its FIFO
  dead-letter queue;
- an EventBridge Scheduler schedule that puts a "settle" message on that queue for the periodic
  settlement/rewards job (the wallet service does the work, inside the ledger's transactions), with
  a retry policy and its own dead-letter queue (Scheduler allows standard queues only there);
- the wallet service's IAM role for EKS Pod Identity: consume the queue (with `kms:Decrypt`);
  `Database.grant_connect` adds signing in to Aurora as its own user;
- `producer_policy`, a managed policy for services that submit transactions.
"""

from __future__ import annotations

import json

import pulumi
import pulumi_aws as aws

from ..base import SocialComponent, policy_json
from ..cluster import pod_identity_role
from .args import WalletArgs
from .validation import validate

DEAD_LETTER_RETENTION_SECONDS = 14 * 24 * 3600  # the SQS maximum: time to look at what failed
SETTLEMENT_GROUP = "settlement"
"""Message group of the settlement messages: settlements never run side by side."""
SETTLEMENT_MESSAGE = json.dumps(
    {"type": "Settlement", "scheduled_time": "<aws.scheduler.scheduled-time>"}, separators=(",", ":")
)
"""Scheduler fills in the run's time, so each run's message is distinct to content-based
de-duplication while a retried delivery of the same run is not."""
CONSUME_ACTIONS = (
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
    "sqs:GetQueueUrl",
)


class Wallet(SocialComponent):
    """Coin transactions queue, settlement schedule and the wallet service's role."""

    MODULE = "wallet"

    def __init__(
        self,
        name: str,
        args: WalletArgs,
        *,
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate(args)
        super().__init__(name, protect=protect, opts=opts)
        self._args = args
        self.key = self.kms_key("transactions", f"{name}: coin transactions queues and settlement schedule")
        self._queues()
        self._schedule()
        self._service_role()
        self.producer_policy = aws.iam.Policy(
            self.child_name("producer"),
            description=f"{name}: submit coin transactions",
            policy=policy_json(
                [
                    {
                        "Sid": "SubmitTransactions",
                        "Effect": "Allow",
                        "Action": ["sqs:SendMessage", "sqs:GetQueueUrl"],
                        "Resource": self.queue.arn,
                    },
                    {
                        "Sid": "EncryptTransactions",
                        "Effect": "Allow",
                        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                        "Resource": self.key.arn,
                    },
                ]
            ),
            opts=self.child(),
        )
        self.register_outputs(
            {
                "queue_url": self.queue.url,
                "dead_letter_queue_url": self.dead_letter_queue.url,
                "schedule_arn": self.schedule.arn,
                "service_role_arn": self.service_role.arn,
                "producer_policy_arn": self.producer_policy.arn,
            }
        )

    # ------------------------------------------------------------------------------------------

    def _queues(self) -> None:
        args = self._args
        # FIFO queues need a name ending in .fifo; explicit names keep that visible and stable.
        self.dead_letter_queue = aws.sqs.Queue(
            self.child_name("transactions-dlq"),
            name=f"{self.name}-transactions-dlq.fifo",
            fifo_queue=True,
            content_based_deduplication=True,
            kms_master_key_id=self.key.arn,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            opts=self.stateful(),
        )
        self.queue = aws.sqs.Queue(
            self.child_name("transactions"),
            name=f"{self.name}-transactions.fifo",
            fifo_queue=True,
            content_based_deduplication=True,
            # High-throughput FIFO: de-duplication and ordering per message group (one per wallet).
            deduplication_scope="messageGroup",
            fifo_throughput_limit="perMessageGroupId",
            kms_master_key_id=self.key.arn,
            visibility_timeout_seconds=args.visibility_timeout_seconds,
            message_retention_seconds=args.message_retention_seconds,
            redrive_policy=pulumi.Output.json_dumps(
                {"deadLetterTargetArn": self.dead_letter_queue.arn, "maxReceiveCount": args.max_receive_count}
            ),
            opts=self.stateful(),
        )
        self.watch("queue", "transactions", {"QueueName": self.queue.name})
        self.watch("dead-letter-queue", "transactions-dlq", {"QueueName": self.dead_letter_queue.name})
        aws.sqs.RedriveAllowPolicy(
            self.child_name("transactions-dlq-sources"),
            queue_url=self.dead_letter_queue.url,
            redrive_allow_policy=pulumi.Output.json_dumps(
                {"redrivePermission": "byQueue", "sourceQueueArns": [self.queue.arn]}
            ),
            opts=self.child(),
        )

    def _schedule(self) -> None:
        args = self._args
        self.schedule_dead_letter_queue = aws.sqs.Queue(
            self.child_name("settlement-dlq"),
            kms_master_key_id=self.key.arn,
            message_retention_seconds=DEAD_LETTER_RETENTION_SECONDS,
            opts=self.stateful(),
        )
        self.watch("dead-letter-queue", "settlement-dlq", {"QueueName": self.schedule_dead_letter_queue.name})
        account = self.account_id()
        role = aws.iam.Role(
            self.child_name("scheduler"),
            description=f"{self.name}: EventBridge Scheduler puts settlement messages on the queue",
            assume_role_policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "scheduler.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                        "Condition": {"StringEquals": {"aws:SourceAccount": account}},
                    }
                ]
            ),
            opts=self.child(),
        )
        policy = aws.iam.RolePolicy(
            self.child_name("scheduler"),
            role=role.id,
            policy=policy_json(
                [
                    {
                        "Sid": "SendSettlement",
                        "Effect": "Allow",
                        "Action": "sqs:SendMessage",
                        "Resource": [self.queue.arn, self.schedule_dead_letter_queue.arn],
                    },
                    {
                        # The queues and the schedule are encrypted with this key.
                        "Sid": "EncryptSettlement",
                        "Effect": "Allow",
                        "Action": ["kms:GenerateDataKey", "kms:Decrypt"],
                        "Resource": self.key.arn,
                    },
                ]
            ),
            opts=self.child(),
        )
        self.schedule = aws.scheduler.Schedule(
            self.child_name("settlement"),
            description=f"{self.name}: the periodic settlement and rewards job",
            schedule_expression=args.settlement_schedule,
            schedule_expression_timezone=args.settlement_timezone,
            flexible_time_window={"mode": "OFF"},
            kms_key_arn=self.key.arn,
            target={
                "arn": self.queue.arn,
                "role_arn": role.arn,
                "input": SETTLEMENT_MESSAGE,
                "sqs_parameters": {"message_group_id": SETTLEMENT_GROUP},
                "retry_policy": {"maximum_event_age_in_seconds": 3600, "maximum_retry_attempts": 10},
                "dead_letter_config": {"arn": self.schedule_dead_letter_queue.arn},
            },
            opts=self.child(depends_on=[policy]),
        )

    def _service_role(self) -> None:
        args = self._args
        self.service = pod_identity_role(
            self,
            cluster_name=args.cluster_name,
            cluster_arn=args.cluster_arn,
            namespace=args.namespace,
            service_account=args.service_account,
            role="service",
            statements=[
                {
                    "Sid": "ConsumeTransactions",
                    "Effect": "Allow",
                    "Action": list(CONSUME_ACTIONS),
                    "Resource": self.queue.arn,
                },
                {
                    "Sid": "DecryptTransactions",
                    "Effect": "Allow",
                    "Action": "kms:Decrypt",
                    "Resource": self.key.arn,
                },
            ],
        )
        self.service_role = self.service.role
