"""Arguments of the `Wallet` component (coin transactions queue, settlement schedule, service role)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi


@dataclass(frozen=True)
class WalletArgs:
    """What to build. Everything lives in the region of the provider the component is given (the
    region of the ledger's writer)."""

    cluster_name: str
    """The EKS cluster the wallet service runs in (its Pod Identity association goes there)."""
    cluster_arn: pulumi.Input[str]
    """That cluster's ARN (the role trusts only its pods)."""
    namespace: str = "wallet"
    """Kubernetes namespace of the wallet service."""
    service_account: str = "wallet"
    """Kubernetes service account of the wallet service; only its pods get the role."""
    settlement_schedule: str = "cron(0 3 * * ? *)"
    """When the settlement/rewards job runs: an EventBridge Scheduler ``cron(…)`` or ``rate(…)``
    expression, in `settlement_timezone`. Default: every day at 03:00."""
    settlement_timezone: str = "UTC"
    """IANA time zone of `settlement_schedule`."""
    visibility_timeout_seconds: int = 60
    """How long a received transaction stays hidden from other consumers (0 to 43,200); give the
    service time to commit it to the ledger."""
    max_receive_count: int = 5
    """Receives before a transaction moves to the dead-letter queue (1 to 1,000)."""
    message_retention_seconds: int = 4 * 24 * 3600
    """How long an unconsumed transaction is kept (60 to 1,209,600 seconds)."""
