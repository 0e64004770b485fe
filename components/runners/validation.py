"""Pure helpers of the runners: argument checks and the files the manager and workers run with.

`render_runner_config` turns typed settings into GitLab Runner's ``config.toml`` for the
docker-autoscaler executor with the fleeting AWS plugin; `manager_user_data` and `worker_user_data`
are the boot scripts. All three are plain functions of their arguments, so tests compare their
output with expected files and nothing here needs Pulumi.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Architecture = Literal["x86_64", "arm64"]
TOKEN_PLACEHOLDER = "@RUNNER_TOKEN@"
"""What ``config.toml`` holds instead of the token; the manager substitutes it from SSM at sync time."""
FLEETING_PLUGIN_PATH = "/var/lib/gitlab-runner/fleeting"
WORKER_USER = "ec2-user"
"""The AL2023 user the runner connects as (through EC2 Instance Connect) to drive Docker."""

_INSTANCE_TYPE = re.compile(
    r"^(?P<family>[a-z]+)(?P<generation>\d+)(?P<options>[a-z-]*)\.(?P<size>[a-z0-9]+)$"
)
_CRON_FIELD = re.compile(r"^[0-9a-z*,/-]+$")
_TAG = re.compile(r"^[\w.:-]{1,64}$")


def instance_architecture(instance_type: str) -> Architecture:
    """The CPU architecture of an EC2 instance type: Graviton families carry a ``g`` after the
    generation (t4g, m7g, c7gn, r8g …); the rest are x86_64. Raises ValueError for a malformed type."""
    match = _INSTANCE_TYPE.match(instance_type)
    if match is None:
        raise ValueError(f"{instance_type!r} is not an EC2 instance type (for example m7g.large)")
    return "arm64" if "g" in match["options"] else "x86_64"


def check_cron_period(period: str) -> str:
    """A fleeting idle-policy period: five cron fields (minute hour day month weekday)."""
    fields = period.split()
    if len(fields) != 5 or not all(_CRON_FIELD.match(f) for f in fields):
        raise ValueError(
            f"{period!r} is not a cron period; use five fields (minute hour day month weekday), "
            "for example '* 7-18 * * mon-fri'"
        )
    return period


def check_timezone(name: str) -> str:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{name!r} is not an IANA time zone (for example Europe/Berlin or UTC)") from None
    return name


@dataclass(frozen=True)
class IdleSchedule:
    """Warm capacity for a time window (for example working hours), on top of the default policy."""

    periods: tuple[str, ...]
    """Cron periods (minute hour day month weekday) when this schedule applies."""
    idle_count: int
    """Idle job slots kept ready while it applies."""
    idle_time_minutes: int = 30
    """How long an idle instance lives before it is removed."""
    timezone: str = "UTC"
    """IANA time zone of `periods`."""


@dataclass(frozen=True)
class RunnerSettings:
    """What the runner manager does, as typed values; `render_runner_config` writes them out."""

    concurrent: int = 10
    """Jobs the manager runs at once (all workers together)."""
    capacity_per_instance: int = 1
    """Jobs one worker instance runs at once."""
    max_use_count: int = 1
    """Jobs a worker runs before it is replaced (1: a fresh instance for every job)."""
    max_instances: int = 10
    """Upper bound of worker instances (the worker group's max_size)."""
    idle_count: int = 0
    """Idle job slots kept ready outside any schedule (0: nothing runs, nothing is billed, when idle)."""
    idle_time_minutes: int = 20
    """How long an idle instance lives before it is removed."""
    idle_schedules: tuple[IdleSchedule, ...] = ()
    """Time windows with other idle settings; a later schedule wins where periods overlap."""
    tags: tuple[str, ...] = ("docker",)
    """Job tags routed to this runner. Tags are set on the runner in GitLab when it is created; they
    are listed in config.toml as a comment and exported for that step."""
    default_image: str = "alpine:3.20"
    """Image for jobs that do not name one (pinned)."""
    privileged: bool = False
    """Docker privileged mode for job containers (needed only for docker-in-docker)."""
    fleeting_plugin_version: str = "1.0.0"
    """Version of the fleeting AWS plugin, installed by ``gitlab-runner fleeting install``."""


def validate_settings(settings: RunnerSettings) -> None:
    """Raises ValueError naming the setting and what is allowed."""
    positive = ("concurrent", "capacity_per_instance", "max_use_count", "max_instances", "idle_time_minutes")
    for name in positive:
        if getattr(settings, name) < 1:
            raise ValueError(f"{name} must be at least 1 (got {getattr(settings, name)})")
    slots = settings.max_instances * settings.capacity_per_instance
    if settings.concurrent > slots:
        raise ValueError(
            f"concurrent ({settings.concurrent}) exceeds max_instances * capacity_per_instance ({slots}); "
            "jobs beyond that would wait for capacity that can never start"
        )
    counts = [("idle_count", settings.idle_count)] + [
        (f"idle_schedules[{i}].idle_count", s.idle_count) for i, s in enumerate(settings.idle_schedules)
    ]
    for name, count in counts:
        if not 0 <= count <= slots:
            raise ValueError(
                f"{name} must be 0 to max_instances * capacity_per_instance ({slots}), got {count}"
            )
    for index, schedule in enumerate(settings.idle_schedules):
        if not schedule.periods:
            raise ValueError(f"idle_schedules[{index}].periods needs at least one cron period")
        for period in schedule.periods:
            check_cron_period(period)
        check_timezone(schedule.timezone)
    for tag in settings.tags:
        if not _TAG.match(tag):
            raise ValueError(f"tag {tag!r} is not allowed; use letters, digits and . _ : - (up to 64)")
    if settings.default_image.endswith(":latest") or ":" not in settings.default_image.rsplit("/", 1)[-1]:
        raise ValueError(f"default_image must name a pinned tag or digest, not {settings.default_image!r}")


def validate_instance_types(instance_types: Sequence[str], architecture: Architecture) -> None:
    for instance_type in instance_types:
        found = instance_architecture(instance_type)
        if found != architecture:
            raise ValueError(
                f"instance type {instance_type} is {found} but the workers are {architecture}; "
                f"list {architecture} types only (the AMI is per architecture)"
            )


# ---------------------------------------------------------------------------------------------
# config.toml


def _toml(value: str | int | bool | Sequence[str]) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value)  # a TOML basic string for the ASCII values used here
    return "[" + ", ".join(json.dumps(item) for item in value) + "]"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    return f"{hours}h{rest}m0s" if hours else f"{rest}m0s"


@dataclass(frozen=True)
class RunnerPlacement:
    """Where the settings meet AWS: known only once the worker group and cache bucket exist."""

    name: str
    """The runner's name as GitLab shows it."""
    gitlab_url: str
    region: str
    worker_group_name: str
    cache_bucket_name: str
    architecture: Architecture = "x86_64"
    """The workers' architecture, always one of the job tags."""


def render_runner_config(settings: RunnerSettings, placement: RunnerPlacement) -> str:
    """GitLab Runner's ``config.toml``: one docker-autoscaler runner on the fleeting AWS plugin.

    The token is `TOKEN_PLACEHOLDER`; the manager puts the real one in from SSM when it syncs.
    """
    validate_settings(settings)
    tags = ", ".join(dict.fromkeys((*settings.tags, placement.architecture)))
    lines = [
        "# GitLab Runner configuration, rendered by social_components.runners from typed settings.",
        "# Synced from SSM by the manager; edit the stack config, not this file.",
        f"# Job tags (set on the runner in GitLab when it is created): {tags}",
        f"concurrent = {settings.concurrent}",
        "check_interval = 3",
        'log_format = "json"',
        "",
        "[[runners]]",
        f"  name = {_toml(placement.name)}",
        f"  url = {_toml(placement.gitlab_url)}",
        f"  token = {_toml(TOKEN_PLACEHOLDER)}",
        '  executor = "docker-autoscaler"',
        f"  limit = {settings.concurrent}",
        "  [runners.cache]",
        '    Type = "s3"',
        "    Shared = true",
        "    [runners.cache.s3]",
        '      ServerAddress = "s3.amazonaws.com"',
        f"      BucketName = {_toml(placement.cache_bucket_name)}",
        f"      BucketLocation = {_toml(placement.region)}",
        '      AuthenticationType = "iam"',
        "  [runners.docker]",
        f"    image = {_toml(settings.default_image)}",
        f"    privileged = {_toml(settings.privileged)}",
        '    volumes = ["/cache"]',
        "  [runners.autoscaler]",
        f"    plugin = {_toml('aws:' + settings.fleeting_plugin_version)}",
        f"    capacity_per_instance = {settings.capacity_per_instance}",
        f"    max_use_count = {settings.max_use_count}",
        f"    max_instances = {settings.max_instances}",
        '    instance_ready_command = "cloud-init status --wait"',
        "    [runners.autoscaler.plugin_config]",
        f"      name = {_toml(placement.worker_group_name)}",
        f"      region = {_toml(placement.region)}",
        "    [runners.autoscaler.connector_config]",
        f"      username = {_toml(WORKER_USER)}",
        "      use_external_addr = false",
        "    [[runners.autoscaler.policy]]",
        f"      idle_count = {settings.idle_count}",
        f"      idle_time = {_toml(_duration(settings.idle_time_minutes))}",
    ]
    for schedule in settings.idle_schedules:
        lines += [
            "    [[runners.autoscaler.policy]]",
            f"      periods = {_toml(schedule.periods)}",
            f"      timezone = {_toml(schedule.timezone)}",
            f"      idle_count = {schedule.idle_count}",
            f"      idle_time = {_toml(_duration(schedule.idle_time_minutes))}",
        ]
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# Boot scripts


@dataclass(frozen=True)
class ManagerBoot:
    """What the manager's boot script needs to know."""

    runner_version: str
    region: str
    config_parameter: str
    """SSM parameter (String) holding the rendered config.toml."""
    token_parameter: str
    """SSM parameter (SecureString) holding the runner authentication token."""
    log_group: str
    """CloudWatch log group for the runner's and cloud-init's logs."""


def manager_user_data(boot: ManagerBoot) -> str:
    """Cloud-init script of the manager: pinned GitLab Runner, config synced from SSM, logs shipped.

    A systemd timer re-syncs config.toml every minute; GitLab Runner reloads a changed file by itself,
    so a settings change reaches the manager without replacing it. A new runner version changes this
    script and so the launch template, which rolls the manager.
    """
    if not re.fullmatch(r"\d+\.\d+\.\d+", boot.runner_version):
        raise ValueError(f"runner_version must be a pinned x.y.z version (got {boot.runner_version!r})")
    agent_config = {
        "logs": {
            "logs_collected": {
                "files": {
                    "collect_list": [
                        {
                            "file_path": "/var/log/gitlab-runner/runner.log",
                            "log_group_name": boot.log_group,
                            "log_stream_name": "{instance_id}/gitlab-runner",
                        },
                        {
                            "file_path": "/var/log/cloud-init-output.log",
                            "log_group_name": boot.log_group,
                            "log_stream_name": "{instance_id}/cloud-init",
                        },
                    ]
                }
            }
        }
    }
    return f"""#!/bin/bash
# GitLab Runner manager (docker-autoscaler + fleeting AWS plugin), rendered by social_components.runners.
set -euo pipefail

cat > /etc/gitlab-runner-sync.env <<'ENV'
AWS_REGION={boot.region}
CONFIG_PARAMETER={boot.config_parameter}
TOKEN_PARAMETER={boot.token_parameter}
FLEETING_PLUGIN_PATH={FLEETING_PLUGIN_PATH}
ENV

# GitLab Runner {boot.runner_version} (pinned) from GitLab's signed package repository; CloudWatch agent.
curl -fsSL https://packages.gitlab.com/install/repositories/runner/gitlab-runner/script.rpm.sh | bash
dnf install -y "gitlab-runner-{boot.runner_version}-1" amazon-cloudwatch-agent

# Logs: the runner writes to a file the CloudWatch agent ships.
mkdir -p /var/log/gitlab-runner /etc/systemd/system/gitlab-runner.service.d
cat > /etc/systemd/system/gitlab-runner.service.d/social.conf <<'UNIT'
[Service]
EnvironmentFile=/etc/gitlab-runner-sync.env
StandardOutput=append:/var/log/gitlab-runner/runner.log
StandardError=append:/var/log/gitlab-runner/runner.log
# Let running jobs finish when the manager is replaced.
KillSignal=SIGQUIT
TimeoutStopSec=3600
UNIT
cat > /opt/aws/amazon-cloudwatch-agent/etc/gitlab-runner.json <<'JSON'
{json.dumps(agent_config, indent=2)}
JSON
/opt/aws/amazon-cloudwatch-agent/bin/amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s \\
  -c file:/opt/aws/amazon-cloudwatch-agent/etc/gitlab-runner.json

# config.toml = the rendered settings (SSM String) + the token (SSM SecureString), never on disk elsewhere.
cat > /usr/local/bin/gitlab-runner-sync <<'SYNC'
#!/bin/bash
set -euo pipefail
umask 077
rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
aws ssm get-parameter --region "$AWS_REGION" --name "$CONFIG_PARAMETER" \\
  --query Parameter.Value --output text > "$rendered"
token=$(aws ssm get-parameter --region "$AWS_REGION" --name "$TOKEN_PARAMETER" --with-decryption \\
  --query Parameter.Value --output text)
sed -i "s|{TOKEN_PLACEHOLDER}|$token|" "$rendered"
if ! cmp -s "$rendered" /etc/gitlab-runner/config.toml; then
  install -m 600 "$rendered" /etc/gitlab-runner/config.toml
  gitlab-runner fleeting --config /etc/gitlab-runner/config.toml install
fi
SYNC
chmod 700 /usr/local/bin/gitlab-runner-sync
cat > /etc/systemd/system/gitlab-runner-sync.service <<'UNIT'
[Unit]
Description=Sync GitLab Runner config.toml from SSM
[Service]
Type=oneshot
EnvironmentFile=/etc/gitlab-runner-sync.env
ExecStart=/usr/local/bin/gitlab-runner-sync
UNIT
cat > /etc/systemd/system/gitlab-runner-sync.timer <<'UNIT'
[Unit]
Description=Sync GitLab Runner config.toml from SSM every minute
[Timer]
OnActiveSec=0
OnUnitActiveSec=60
[Install]
WantedBy=timers.target
UNIT

set -a; source /etc/gitlab-runner-sync.env; set +a
/usr/local/bin/gitlab-runner-sync
systemctl daemon-reload
systemctl enable --now gitlab-runner-sync.timer
systemctl enable gitlab-runner
systemctl restart gitlab-runner
"""


def worker_user_data() -> str:
    """Cloud-init script of a worker: Docker for the runner's user. The runner waits for it to finish
    (``instance_ready_command = "cloud-init status --wait"``) before it sends a job."""
    return f"""#!/bin/bash
# GitLab Runner worker (docker-autoscaler), rendered by social_components.runners.
set -euo pipefail
dnf install -y docker
systemctl enable --now docker
usermod -aG docker {WORKER_USER}
"""
