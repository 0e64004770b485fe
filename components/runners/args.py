"""Arguments of the `GitLabRunners` component."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi

from social_components.runners.validation import Architecture, RunnerSettings


@dataclass(frozen=True)
class WorkerFleet:
    """The worker instances: what they run on and how they are bought."""

    architecture: Architecture = "x86_64"
    """CPU architecture of the workers (picks the AL2023 AMI and is always a job tag)."""
    instance_types: tuple[str, ...] = ()
    """Instance types to choose from. Unset: attribute-based selection from `vcpu_min`, `vcpu_max`
    and `memory_gib_min` (many instance pools, which keeps spot capacity available)."""
    vcpu_min: int = 2
    """Attribute-based selection: fewest vCPUs (used only when `instance_types` is unset)."""
    vcpu_max: int = 8
    """Attribute-based selection: most vCPUs (used only when `instance_types` is unset)."""
    memory_gib_min: float = 4
    """Attribute-based selection: least memory in GiB (used only when `instance_types` is unset)."""
    on_demand_base_capacity: int = 0
    """Workers always bought on demand before any spot instance."""
    on_demand_percentage: int = 0
    """Share (0-100) of the workers above the base bought on demand; the rest is spot (0: all spot)."""
    root_volume_gib: int = 50
    """Encrypted gp3 root volume of each worker (images and build directories live here)."""


@dataclass(frozen=True)
class GitLabRunnersArgs:
    vpc_id: pulumi.Input[str]
    """VPC of the manager and the workers."""
    subnet_ids: Sequence[pulumi.Input[str]]
    """Private subnets (egress through NAT, no public IPs) for the manager and the workers."""
    gitlab_url: str = "https://gitlab.com"
    """The GitLab instance the runner polls for jobs."""
    settings: RunnerSettings = field(default_factory=RunnerSettings)
    """Concurrency, capacity per instance, use count, idle policy and schedules, tags, job image."""
    workers: WorkerFleet = field(default_factory=WorkerFleet)
    """Worker instances: architecture, instance types or attributes, spot/on-demand mix, disk."""
    runner_token: pulumi.Input[str] | None = None
    """The runner authentication token (``glrt-…``) from GitLab, stored in an SSM SecureString
    parameter (pass a Pulumi secret). Unset: the parameter is created with a placeholder that Pulumi
    never overwrites (`ignore_changes`), and the operator puts the token there with
    ``aws ssm put-parameter --overwrite``."""
    runner_version: str = "17.11.0"
    """GitLab Runner version installed on the manager (pinned x.y.z)."""
    manager_instance_type: str = "t4g.small"
    """Instance type of the manager (it only schedules; small is enough). Its architecture picks its AMI."""
    cache_expiry_days: int = 14
    """Days a cache object lives in the S3 cache bucket."""
    log_retention_days: int = 90
    """Retention of the manager's CloudWatch log group (a value CloudWatch Logs accepts)."""
    cache_bucket_name: str | None = None
    """Name of the S3 cache bucket. Unset: ``<name>-cache-<account id>``."""
    path_prefix: str = "/social/runners"
    """Prefix of the SSM parameters (``<prefix>/<name>/config-toml``, ``…/token``) and of the log
    group (``<prefix>/<name>``)."""
