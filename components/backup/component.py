"""The `Backup` component: an AWS Backup vault and, optionally, the plan of one account and region."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.backup.args import BackupArgs, BackupPlanArgs
from social_components.backup.validation import validate
from social_components.base import SocialComponent, assume_role_policy, policy_json

SERVICE_ROLE_POLICIES: Mapping[str, str] = {
    "backup": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup",
    "restores": "arn:aws:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForRestores",
    "s3-backup": "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Backup",
    "s3-restore": "arn:aws:iam::aws:policy/AWSBackupServiceRolePolicyForS3Restore",
}
"""AWS's managed policies for the role AWS Backup assumes to back up and restore (S3 has its own)."""

RECOVERY_POINT_GUARDS = ("backup:DeleteRecoveryPoint", "backup:UpdateRecoveryPointLifecycle")
"""What the vault policy refuses to everyone: deleting a recovery point or shortening its life.
(Vault access policies take no wildcard in `Action`.) The plan's own lifecycle still expires them."""


def vault_arn(region: str, account_id: str, vault_name: str) -> str:
    """A vault's ARN, known before it exists (AWS Backup's documented form)."""
    return f"arn:aws:backup:{region}:{account_id}:backup-vault:{vault_name}"


def schedule(plan: BackupPlanArgs) -> str:
    """The plan's cron expression (UTC): every `frequency_hours`, the first at `start_hour`."""
    if plan.frequency_hours == 24:
        return f"cron(0 {plan.start_hour} * * ? *)"
    return f"cron(0 {plan.start_hour % plan.frequency_hours}/{plan.frequency_hours} * * ? *)"


class Backup(SocialComponent):
    """A vault encrypted with its own KMS key whose policy refuses deleting recovery points, an
    optional vault lock, and (with `plan`) a backup plan: a scheduled rule with its retention and
    copies elsewhere, the IAM role AWS Backup works as, and a selection of every resource of this
    account and region that carries the plan's tag.

    The vault is stateful (protected when `protect`): it holds the recovery points."""

    MODULE = "backup"

    vault_name: pulumi.Output[str]
    vault_arn: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    plan_id: pulumi.Output[str] | None
    """The plan's ID (None for a vault only)."""
    role_arn: pulumi.Output[str] | None
    """The role AWS Backup assumes for this plan's jobs and for restores (None for a vault only)."""

    def __init__(
        self, name: str, args: BackupArgs, opts: pulumi.ResourceOptions | None = None, protect: bool = False
    ) -> None:
        validate(name, args)
        super().__init__(name, protect=protect, opts=opts)
        self.args = args
        key = self.kms_key("vault", f"{name}: AWS Backup recovery points")
        self.kms_key_arn = key.arn
        vault = aws.backup.Vault(
            self.child_name("vault"),
            name=args.vault_name or name,
            kms_key_arn=key.arn,
            force_destroy=False,
            opts=self.stateful(),
        )
        self.vault_name, self.vault_arn = vault.name, vault.arn
        statements: list[Mapping[str, Any]] = [
            {
                "Sid": "DenyDeletingRecoveryPoints",
                "Effect": "Deny",
                "Principal": {"AWS": "*"},
                "Action": list(RECOVERY_POINT_GUARDS),
                "Resource": "*",
            }
        ]
        if args.copy_source_account_ids:
            statements.append(
                {
                    "Sid": "AllowCopiesFromSourceAccounts",
                    "Effect": "Allow",
                    "Principal": {"AWS": [f"arn:aws:iam::{a}:root" for a in args.copy_source_account_ids]},
                    "Action": "backup:CopyIntoBackupVault",
                    "Resource": "*",
                }
            )
        aws.backup.VaultPolicy(
            self.child_name("vault-policy"),
            backup_vault_name=vault.name,
            policy=policy_json(statements),
            opts=self.child(),
        )
        if args.vault_lock is not None:
            lock = args.vault_lock
            aws.backup.VaultLockConfiguration(
                self.child_name("vault-lock"),
                backup_vault_name=vault.name,
                min_retention_days=lock.min_retention_days,
                max_retention_days=lock.max_retention_days,
                # Set: compliance mode (immutable after the grace period); unset: governance mode.
                changeable_for_days=lock.changeable_for_days if lock.mode == "compliance" else None,
                opts=self.child(),
            )
        self.plan_id = self.role_arn = None
        if args.plan is not None:
            self._plan(args.plan, vault)
        self.register_outputs(
            {"vault_name": self.vault_name, "vault_arn": self.vault_arn, "plan_id": self.plan_id}
        )

    def _plan(self, plan: BackupPlanArgs, vault: aws.backup.Vault) -> None:
        role = aws.iam.Role(
            self.child_name("role"),
            description=f"{self.name}: AWS Backup backs up and restores the plan's resources",
            assume_role_policy=assume_role_policy({"Service": "backup.amazonaws.com"}),
            opts=self.child(),
        )
        for role_name, policy_arn in SERVICE_ROLE_POLICIES.items():
            aws.iam.RolePolicyAttachment(
                self.child_name(f"role-{role_name}"), role=role.name, policy_arn=policy_arn, opts=self.child()
            )
        self.role_arn = role.arn
        backup_plan = aws.backup.Plan(
            self.child_name("plan"),
            name=self.name,
            rules=[
                aws.backup.PlanRuleArgs(
                    rule_name="scheduled",
                    target_vault_name=vault.name,
                    schedule=schedule(plan),
                    start_window=60,
                    completion_window=60 * 24,
                    lifecycle=aws.backup.PlanRuleLifecycleArgs(delete_after=plan.retention_days),
                    copy_actions=[
                        aws.backup.PlanRuleCopyActionArgs(
                            destination_vault_arn=copy.vault_arn,
                            lifecycle=aws.backup.PlanRuleCopyActionLifecycleArgs(
                                delete_after=copy.retention_days
                            ),
                        )
                        for _, copy in sorted(plan.copies.items())
                    ],
                )
            ],
            opts=self.child(),
        )
        self.plan_id = backup_plan.id
        aws.backup.Selection(
            self.child_name("selection"),
            name=self.name,
            plan_id=backup_plan.id,
            iam_role_arn=role.arn,
            selection_tags=[
                aws.backup.SelectionSelectionTagArgs(type="STRINGEQUALS", key=key, value=value)
                for key, value in sorted(plan.selection_tags.items())
            ],
            opts=self.child(),
        )
