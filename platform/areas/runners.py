"""Runners area: the `runners` section (GitLab Runner manager and its autoscaled spot workers), its
tier defaults and checks, and the build step: `GitLabRunners` in the shared stack's primary region."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Annotated, Any, Literal

import pulumi
from pydantic import Field, SecretStr, field_validator

from social_components.network import Network
from social_components.runners import (
    GitLabRunners,
    GitLabRunnersArgs,
    IdleSchedule,
    RunnerSettings,
    WorkerFleet,
)
from social_components.runners.validation import check_cron_period, check_timezone, instance_architecture
from social_platform.areas.base import InstanceType, RetentionDays, Section, StrictModel, Tier
from social_platform.areas.ci import CiConfig
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

RunnerTag = Annotated[str, Field(pattern=r"^[\w.:-]+$", max_length=64)]
CronPeriod = Annotated[str, Field(description="cron: minute hour day month weekday")]


class IdleScheduleConfig(StrictModel):
    periods: Annotated[list[CronPeriod], Field(min_length=1)]
    """When the schedule applies: cron periods (minute hour day month weekday), for example
    `* 7-18 * * mon-fri` for working hours."""
    timezone: str = "UTC"
    """IANA time zone of `periods`, for example Europe/Berlin."""
    idle_count: Annotated[int, Field(ge=0, le=4000)]
    """Idle job slots kept ready while the schedule applies (instant start for the first jobs)."""
    idle_time_minutes: Annotated[int, Field(ge=1, le=1440)] = 30
    """How long an idle worker lives before it is removed, while the schedule applies."""

    @field_validator("periods")
    @classmethod
    def _cron(cls, value: list[str]) -> list[str]:
        for period in value:
            check_cron_period(period)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        return check_timezone(value)


class WorkerRequirementsConfig(StrictModel):
    vcpu_min: Annotated[int, Field(ge=1, le=192)] = 2
    """Fewest vCPUs of a worker (attribute-based selection)."""
    vcpu_max: Annotated[int, Field(ge=1, le=192)] = 8
    """Most vCPUs of a worker (attribute-based selection)."""
    memory_gib_min: Annotated[float, Field(gt=0, le=1024)] = 4
    """Least memory of a worker in GiB (attribute-based selection)."""


class RunnersConfig(Section):
    KEY = "runners"
    SCOPE = "tooling"
    TIER_DEFAULTS = {
        Tier.dev: {
            "concurrent": 4,
            "capacity_per_instance": 2,
            "max_use_count": 10,
            "max_instances": 2,
            "idle_count": 0,
            "idle_time_minutes": 10,
            "idle_schedules": [],
            "instance_types": ["t3.large", "t3a.large"],
            "on_demand_base_capacity": 0,
            "on_demand_percentage": 0,
            "root_volume_gib": 30,
            "cache_expiry_days": 7,
            "log_retention_days": 14,
        },
        Tier.staging: {
            "concurrent": 10,
            "capacity_per_instance": 2,
            "max_use_count": 10,
            "max_instances": 5,
            "idle_count": 0,
            "idle_time_minutes": 15,
            "idle_schedules": [],
            "instance_types": ["m7i.large", "m6i.large", "m6a.large"],
            "on_demand_base_capacity": 0,
            "on_demand_percentage": 0,
            "root_volume_gib": 50,
            "cache_expiry_days": 14,
            "log_retention_days": 30,
        },
        Tier.prod: {
            "concurrent": 40,
            "capacity_per_instance": 2,
            "max_use_count": 10,
            "max_instances": 20,
            "idle_count": 0,
            "idle_time_minutes": 20,
            "idle_schedules": [
                {
                    "periods": ["* 7-18 * * mon-fri"],
                    "timezone": "UTC",
                    "idle_count": 2,
                    "idle_time_minutes": 30,
                }
            ],
            "instance_types": [],
            "on_demand_base_capacity": 0,
            "on_demand_percentage": 20,
            "root_volume_gib": 100,
            "cache_expiry_days": 30,
            "log_retention_days": 90,
        },
    }

    gitlab_runner_version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")] = "17.11.0"
    """Pinned GitLab Runner version on the manager; changing it rolls the manager."""
    fleeting_plugin_version: Annotated[str, Field(pattern=r"^\d+\.\d+\.\d+$")] = "1.0.0"
    """Pinned fleeting AWS plugin version (`gitlab-runner fleeting install`)."""
    manager_instance_type: InstanceType = "t4g.small"
    """The manager only schedules jobs; its architecture picks its AMI."""
    concurrent: Annotated[int, Field(ge=1, le=4000)]
    """Jobs running at once across all workers (tier default); at most
    max_instances * capacity_per_instance."""
    capacity_per_instance: Annotated[int, Field(ge=1, le=64)]
    """Jobs one worker runs at once (tier default)."""
    max_use_count: Annotated[int, Field(ge=1, le=10000)]
    """Jobs a worker runs before it is replaced; 1 gives every job a fresh instance (tier default)."""
    max_instances: Annotated[int, Field(ge=1, le=200)]
    """Upper bound of the worker auto scaling group (tier default)."""
    idle_count: Annotated[int, Field(ge=0, le=4000)]
    """Idle job slots kept ready outside the idle schedules; 0 means nothing runs (or costs) when
    no job does (tier default)."""
    idle_time_minutes: Annotated[int, Field(ge=1, le=1440)]
    """How long an idle worker lives before it is removed (tier default)."""
    idle_schedules: list[IdleScheduleConfig]
    """Time windows (for example working hours) with their own idle settings; a later one wins
    where they overlap (tier default: prod keeps 2 slots warm on weekdays 07-18 UTC)."""
    tags: Annotated[list[RunnerTag], Field(min_length=1)] = ["docker"]
    """Job tags that route jobs to these runners; the workers' architecture is always added.
    Give them to the runner when creating it in GitLab (stack output `runners.job_tags`)."""
    architecture: Literal["x86_64", "arm64"] = "x86_64"
    """CPU architecture of the workers (x86_64 runs every image; arm64 is cheaper)."""
    instance_types: list[InstanceType]
    """Worker instance types, all of `architecture`. Empty: attribute-based selection from
    `instance_requirements` (many pools keep spot capacity available; tier default in prod)."""
    instance_requirements: WorkerRequirementsConfig = WorkerRequirementsConfig()
    """vCPU and memory bounds for attribute-based selection (used when `instance_types` is empty)."""
    on_demand_base_capacity: Annotated[int, Field(ge=0, le=200)]
    """Workers always bought on demand before any spot instance (tier default 0)."""
    on_demand_percentage: Annotated[int, Field(ge=0, le=100)]
    """Share of workers above the base bought on demand, the rest spot (tier default: 0, prod 20)."""
    root_volume_gib: Annotated[int, Field(ge=20, le=2000)]
    """Encrypted gp3 root volume of each worker (tier default)."""
    default_image: Annotated[str, Field(pattern=r"^[\w./-]+(:[\w.-]+|@sha256:[0-9a-f]{64})$")] = "alpine:3.20"
    """Image for jobs that name none (pinned tag or digest, never latest)."""
    privileged: bool = False
    """Docker privileged mode for job containers (needed only for docker-in-docker; off by default)."""
    cache_expiry_days: Annotated[int, Field(ge=1, le=365)]
    """Days a cache object lives in the S3 cache bucket (tier default)."""
    log_retention_days: RetentionDays
    """Retention of the manager's log group (tier default: dev 14, staging 30, prod 90)."""
    token: SecretStr | None = None
    """The runner authentication token (`glrt-…`), set with
    `pulumi config set --secret --path runners.token`. Unset: the SSM parameter holds a placeholder
    Pulumi never overwrites; put the token there with `aws ssm put-parameter --overwrite`
    (docs/howto/register-a-runner-token.md)."""

    @field_validator("default_image")
    @classmethod
    def _pinned(cls, value: str) -> str:
        if value.endswith(":latest"):
            raise ValueError("latest is not allowed; pin a tag or digest")
        return value


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Capacity adds up; instance types and tags match the architecture."""
    runners = cfg.section(RunnersConfig)
    if runners.enabled:
        slots = runners.max_instances * runners.capacity_per_instance
        if runners.concurrent > slots:
            yield ConfigIssue(
                "runners.concurrent",
                f"{runners.concurrent} exceeds max_instances * capacity_per_instance ({slots}); "
                "raise those or lower concurrent",
            )
        counts = [("idle_count", runners.idle_count)] + [
            (f"idle_schedules.{i}.idle_count", s.idle_count) for i, s in enumerate(runners.idle_schedules)
        ]
        for key, count in counts:
            if count > slots:
                yield ConfigIssue(
                    f"runners.{key}", f"{count} exceeds max_instances * capacity_per_instance ({slots})"
                )
        wrong = [t for t in runners.instance_types if instance_architecture(t) != runners.architecture]
        if wrong:
            yield ConfigIssue(
                "runners.instance_types",
                f"{', '.join(wrong)} are not {runners.architecture} (runners.architecture); "
                "list types of one architecture",
            )
        other = {"x86_64": {"arm64", "aarch64"}, "arm64": {"x86_64", "amd64"}}[runners.architecture]
        clashing = [t for t in runners.tags if t in other]
        if clashing:
            yield ConfigIssue(
                "runners.tags",
                f"{', '.join(clashing)} would route jobs to {runners.architecture} workers; "
                "change runners.architecture or drop the tag",
            )
        req = runners.instance_requirements
        if req.vcpu_min > req.vcpu_max:
            yield ConfigIssue(
                "runners.instance_requirements.vcpu_min",
                f"{req.vcpu_min} exceeds vcpu_max ({req.vcpu_max})",
            )
        if runners.on_demand_base_capacity > runners.max_instances:
            yield ConfigIssue(
                "runners.on_demand_base_capacity",
                f"{runners.on_demand_base_capacity} exceeds max_instances ({runners.max_instances})",
            )


# ---------------------------------------------------------------------------------------------
# Build


def runner_settings(cfg: StackConfig) -> RunnerSettings:
    """The runner settings of the config, as the component's typed settings (pure)."""
    r = cfg.section(RunnersConfig)
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


def build(platform: Platform, networks: dict[str, Network]) -> GitLabRunners | None:
    """GitLab runners (shared stack) in the primary region's private subnets; None elsewhere."""
    cfg = platform.cfg
    if not cfg.section(RunnersConfig).enabled:
        return None
    network = networks[cfg.regions.primary.name]
    r = cfg.section(RunnersConfig)
    region = cfg.regions.primary.name
    token = None if r.token is None else pulumi.Output.secret(r.token.get_secret_value())
    return GitLabRunners(
        f"{platform.name(region)}-runners",
        GitLabRunnersArgs(
            vpc_id=network.vpc_id,
            subnet_ids=network.subnet_ids["private"],
            gitlab_url=cfg.section(CiConfig).gitlab_url,
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
        opts=platform.options(region),
        protect=platform.protect,
    )


CI_EGRESS_OUTPUT = "ci_egress_cidrs"
"""Shared-stack output: the addresses CI jobs reach the internet from (the runners' NAT gateways),
as /32 CIDRs. Environment clusters admit them to their API endpoint (docs/deploying.md)."""


def outputs(runners: GitLabRunners | None, egress_ips: Sequence[pulumi.Input[str]] = ()) -> dict[str, Any]:
    """The workers' security group (admit it where CI must connect, for example a database for
    migrations), the addresses their traffic leaves from (`CI_EGRESS_OUTPUT`) and what operators
    need to register and run the runner."""
    if runners is None:
        return {}
    return {
        CI_EGRESS_OUTPUT: [pulumi.Output.concat(ip, "/32") for ip in egress_ips],
        "runner_security_group_id": runners.worker_security_group_id,
        "runners": {
            "manager_security_group_id": runners.manager_security_group_id,
            "worker_security_group_id": runners.worker_security_group_id,
            "worker_group_name": runners.worker_group_name,
            "cache_bucket": runners.cache_bucket_name,
            "token_parameter": runners.token_parameter_name,
            "token_key_alias": runners.kms_key_alias,
            "config_parameter": runners.config_parameter_name,
            "log_group": runners.log_group_name,
            "job_tags": list(runners.job_tags),
        },
    }
