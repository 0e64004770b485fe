"""GitLab Runner on the docker-autoscaler executor: a manager of one, EC2 workers it scales itself."""

from social_components.runners.args import GitLabRunnersArgs, WorkerFleet
from social_components.runners.component import AMI_PARAMETER, GitLabRunners
from social_components.runners.validation import (
    TOKEN_PLACEHOLDER,
    Architecture,
    IdleSchedule,
    ManagerBoot,
    RunnerPlacement,
    RunnerSettings,
    instance_architecture,
    manager_user_data,
    render_runner_config,
    validate_settings,
    worker_user_data,
)

__all__ = [
    "AMI_PARAMETER",
    "TOKEN_PLACEHOLDER",
    "Architecture",
    "GitLabRunners",
    "GitLabRunnersArgs",
    "IdleSchedule",
    "ManagerBoot",
    "RunnerPlacement",
    "RunnerSettings",
    "WorkerFleet",
    "instance_architecture",
    "manager_user_data",
    "render_runner_config",
    "validate_settings",
    "worker_user_data",
]
