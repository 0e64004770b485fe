"""Build step: keyless CI roles in every stack's account, GitLab runners in the shared stack."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi

from social_components.ci_roles import CiRoles, CiRolesArgs, GitRef
from social_components.network import Network
from social_components.runners import (
    GitLabRunners,
    GitLabRunnersArgs,
    IdleSchedule,
    RunnerSettings,
    WorkerFleet,
)
from social_platform.config import PlatformConfig
from social_platform.roles import role_arn, stack_accounts
from social_platform.state_backend import StateBackend

if TYPE_CHECKING:
    from social_platform.program import Platform


@dataclass
class Delivery:
    ci: CiRoles | None
    runners: GitLabRunners | None

    @property
    def runner_security_group_id(self) -> pulumi.Output[str] | None:
        """The security group jobs run in (the workers'): admit it where CI must connect, for
        example a database for migrations. None outside the shared stack."""
        return None if self.runners is None else self.runners.worker_security_group_id

    def outputs(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.ci is not None:
            out["ci"] = {
                "oidc_provider_arn": self.ci.oidc_provider_arn,
                "preview_role_arn": self.ci.preview_role_arn,
                "deploy_role_arn": self.ci.deploy_role_arn,
            }
        if self.runners is not None:
            out["runner_security_group_id"] = self.runners.worker_security_group_id
            out["runners"] = {
                "manager_security_group_id": self.runners.manager_security_group_id,
                "worker_security_group_id": self.runners.worker_security_group_id,
                "worker_group_name": self.runners.worker_group_name,
                "cache_bucket": self.runners.cache_bucket_name,
                "token_parameter": self.runners.token_parameter_name,
                "token_key_alias": self.runners.kms_key_alias,
                "config_parameter": self.runners.config_parameter_name,
                "log_group": self.runners.log_group_name,
                "job_tags": list(self.runners.job_tags),
            }
        return out


def build_delivery(platform: Platform, networks: dict[str, Network]) -> Delivery:
    """CI roles in the stack's own account; runners (shared stack) in its primary region's private subnets."""
    cfg = platform.cfg
    ci = _ci_roles(platform) if cfg.ci.enabled else None
    runners = _runners(platform, networks[cfg.regions.primary.name]) if cfg.runners.enabled else None
    return Delivery(ci=ci, runners=runners)


def _ci_roles(platform: Platform) -> CiRoles:
    cfg = platform.cfg
    ci = cfg.ci
    backend = StateBackend.from_config(cfg)
    own_preview = role_arn(cfg, cfg.environment.name, "preview")
    # The shared account's preview role is assumed by every environment's preview (NS records …).
    trusted = (
        [role_arn(cfg, key, "preview") for key in cfg.accounts]
        if cfg.environment.is_tooling
        else [own_preview]
    )
    return CiRoles(
        "ci",
        CiRolesArgs(
            gitlab_url=ci.gitlab_url,
            project_path=ci.project_path,
            preview_role_name=ci.preview_role_name,
            deploy_role_name=ci.deploy_role_name,
            deploy_refs=(
                *(GitRef("branch", branch) for branch in ci.deploy_branches),
                *(GitRef("tag", tag) for tag in ci.deploy_tags),
            ),
            deploy_assumable_role_arns=tuple(role_arn(cfg, a, "deploy") for a in stack_accounts(cfg)),
            preview_assumable_role_arns=tuple(role_arn(cfg, a, "preview") for a in stack_accounts(cfg)),
            preview_trusted_role_arns=tuple(trusted),
            state=None if backend is None else backend.access(platform.stack),
        ),
        opts=pulumi.ResourceOptions(provider=platform.providers.primary),
    )


def runner_settings(cfg: PlatformConfig) -> RunnerSettings:
    """The runner settings of the config, as the component's typed settings (pure)."""
    r = cfg.runners
    return RunnerSettings(
        concurrent=r.concurrent,
        capacity_per_instance=r.capacity_per_instance,
        max_use_count=r.max_use_count,
        max_instances=r.max_instances,
        idle_count=r.idle_count,
        idle_time_minutes=r.idle_time_minutes,
        idle_schedules=tuple(
            IdleSchedule(
                periods=tuple(s.periods),
                idle_count=s.idle_count,
                idle_time_minutes=s.idle_time_minutes,
                timezone=s.timezone,
            )
            for s in r.idle_schedules
        ),
        tags=tuple(r.tags),
        default_image=r.default_image,
        privileged=r.privileged,
        fleeting_plugin_version=r.fleeting_plugin_version,
    )


def _runners(platform: Platform, network: Network) -> GitLabRunners:
    cfg = platform.cfg
    r = cfg.runners
    region = cfg.regions.primary.name
    token = None if r.token is None else pulumi.Output.secret(r.token.get_secret_value())
    return GitLabRunners(
        f"{platform.name(region)}-runners",
        GitLabRunnersArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.subnet_ids["private"],
            gitlab_url=cfg.ci.gitlab_url,
            settings=runner_settings(cfg),
            workers=WorkerFleet(
                architecture=r.architecture,
                instance_types=tuple(r.instance_types),
                vcpu_min=r.instance_requirements.vcpu_min,
                vcpu_max=r.instance_requirements.vcpu_max,
                memory_gib_min=r.instance_requirements.memory_gib_min,
                on_demand_base_capacity=r.on_demand_base_capacity,
                on_demand_percentage=r.on_demand_percentage,
                root_volume_gib=r.root_volume_gib,
            ),
            runner_token=token,
            runner_version=r.gitlab_runner_version,
            manager_instance_type=r.manager_instance_type,
            cache_expiry_days=r.cache_expiry_days,
            log_retention_days=r.log_retention_days,
            path_prefix=f"/{cfg.organization.name}/runners",
        ),
        opts=pulumi.ResourceOptions(provider=platform.providers.get(cfg.environment.name, region)),
        protect=platform.protect,
    )
