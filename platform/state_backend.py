"""The self-managed Pulumi state backend: names, object layout and policies, as plain data.

One S3 bucket in the shared account holds every stack's state; each stack's secrets are encrypted
with its own KMS key (`<key_alias_prefix>-<stack>`), so one environment's account can never decrypt
another's secrets. `bootstrap` creates both; the CI roles (`areas/ci.py`, which also reads the backend
from config) get exactly the objects and key of their own stack. Pulumi's DIY layout (project-scoped
stacks) is::

    .pulumi/meta.yaml
    .pulumi/stacks/<project>/<stack>.json(.bak|.gz)
    .pulumi/history/<project>/<stack>/…
    .pulumi/backups/<project>/<stack>/…
    .pulumi/locks/<project>/<stack>/…
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from social_components.ci_roles import StateBackendAccess
from social_platform.areas.stack import SHARED

PROJECT_NAME = "social-platform"
"""`name` in Pulumi.yaml: the state layout is scoped by it."""


@dataclass(frozen=True)
class StateBackend:
    bucket: str
    region: str
    key_alias_prefix: str
    shared_account_id: str

    # Names -------------------------------------------------------------------------------------

    def key_alias(self, stack: str) -> str:
        return f"{self.key_alias_prefix}-{stack}"

    @property
    def bucket_arn(self) -> str:
        return f"arn:aws:s3:::{self.bucket}"

    @property
    def login_url(self) -> str:
        return f"s3://{self.bucket}?region={self.region}&awssdk=v2"

    def secrets_provider(self, key_arn: str) -> str:
        """By key ARN: an alias only resolves in its own account, the ARN works from every account."""
        return f"awskms:///{key_arn}?region={self.region}"

    # Object layout -----------------------------------------------------------------------------

    @staticmethod
    def writable_keys(stack: str) -> tuple[str, ...]:
        """What an update of `stack` writes: its checkpoint, history, backups and locks."""
        return (
            f".pulumi/stacks/{PROJECT_NAME}/{stack}.json*",
            f".pulumi/history/{PROJECT_NAME}/{stack}/*",
            f".pulumi/backups/{PROJECT_NAME}/{stack}/*",
            f".pulumi/locks/{PROJECT_NAME}/{stack}/*",
        )

    @staticmethod
    def readable_keys(stack: str) -> tuple[str, ...]:
        """What `stack` reads besides its own objects: the backend's metadata and, for an
        environment, the shared stack's checkpoint (its StackReference)."""
        keys = [".pulumi/meta.yaml"]
        if stack != SHARED:
            keys.append(f".pulumi/stacks/{PROJECT_NAME}/{SHARED}.json*")
        return tuple(keys)

    def access(self, stack: str) -> StateBackendAccess:
        """What the CI roles of `stack` may touch."""
        return StateBackendAccess(
            bucket_name=self.bucket,
            readable_keys=self.readable_keys(stack),
            writable_keys=self.writable_keys(stack),
            kms_key_alias=self.key_alias(stack),
            kms_key_account_id=self.shared_account_id,
            kms_key_region=self.region,
        )

    # Policies ----------------------------------------------------------------------------------

    def bucket_policy(self, stack_accounts: Mapping[str, str]) -> dict[str, Any]:
        """TLS only; every other account may reach its own stack's objects (and what that stack
        reads), nothing else. The shared account's own principals are governed by IAM."""
        statements: list[dict[str, Any]] = [
            {
                "Sid": "TlsOnly",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [self.bucket_arn, f"{self.bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
        for stack, account in sorted(stack_accounts.items()):
            if account == self.shared_account_id:
                continue
            root = f"arn:aws:iam::{account}:root"
            statements += [
                {
                    "Sid": f"List{_sid(stack)}",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "s3:ListBucket",
                    "Resource": self.bucket_arn,
                },
                {
                    "Sid": f"Read{_sid(stack)}",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": "s3:GetObject",
                    "Resource": [
                        f"{self.bucket_arn}/{key}"
                        for key in (*self.readable_keys(stack), *self.writable_keys(stack))
                    ],
                },
                {
                    "Sid": f"Write{_sid(stack)}",
                    "Effect": "Allow",
                    "Principal": {"AWS": root},
                    "Action": ["s3:PutObject", "s3:DeleteObject"],
                    "Resource": [f"{self.bucket_arn}/{key}" for key in self.writable_keys(stack)],
                },
            ]
        return {"Version": "2012-10-17", "Statement": statements}

    def key_policy(self, stack: str, account: str) -> dict[str, Any]:
        """The shared account administers the key; the stack's own account uses it. No other."""
        statements: list[dict[str, Any]] = [
            {
                "Sid": "SharedAccountAdministers",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{self.shared_account_id}:root"},
                "Action": "kms:*",
                "Resource": "*",
            }
        ]
        if account != self.shared_account_id:
            statements.append(
                {
                    "Sid": f"{_sid(stack)}AccountUsesIt",
                    "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                    "Action": ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"],
                    "Resource": "*",
                }
            )
        return {"Version": "2012-10-17", "Statement": statements}


def _sid(stack: str) -> str:
    return "".join(part.capitalize() for part in stack.replace("_", "-").split("-"))
