"""The typed platform configuration.

One pydantic model, `PlatformConfig`, read from the stack's structured Pulumi config (project-wide
values in `Pulumi.yaml`, the rest in `Pulumi.<stack>.yaml`, all under the ``social-platform``
namespace). `load_config` is the only way in; it resolves tier defaults and raises `ConfigError`
for anything wrong, before a single resource is declared.

Every component has a *section* here. A section field without a plain default takes its value from
the section's `TIER_DEFAULTS` for the stack's tier, so `Pulumi.dev.yaml` stays short; what a prod
stack may not turn off is listed in the section's `PROD_LOCKS`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from functools import cache
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from social_components.network import InterfaceEndpoint, SubnetPrefixes, plan_subnets
from social_components.runners.validation import check_cron_period, check_timezone, instance_architecture
from social_platform.errors import NAMESPACE, ConfigError, ConfigIssue

# ---------------------------------------------------------------------------------------------
# Building blocks


class Tier(StrEnum):
    dev = "dev"
    staging = "staging"
    prod = "prod"


class StrictModel(BaseModel):
    """Rejects unknown keys; values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9-]{1,30}[a-z0-9]$")]
AccountId = Annotated[str, Field(pattern=r"^\d{12}$", description="12-digit AWS account ID")]
RetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653]
"""The values CloudWatch Logs accepts for a log group's retention."""


@cache
def aws_regions() -> tuple[str, ...]:
    """Commercial AWS regions, from botocore's endpoint data (no network call)."""
    import boto3

    return tuple(sorted(boto3.Session().get_available_regions("ec2")))


_COMPASS = (("north", "n"), ("south", "s"), ("east", "e"), ("west", "w"), ("central", "c"))


@cache
def availability_zone_count(region: str) -> int | None:
    """How many AZs `region` has, from moto's copy of AWS's region data (None if unknown)."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    return len(RegionsAndZonesBackend.zones.get(region) or []) or None


def region_code(region: str) -> str:
    """A short, stable code for names: us-east-1 → use1, ap-southeast-2 → apse2, ap-south-2 → aps2."""
    area, *middle, number = region.split("-")
    code = "-".join(middle)
    for word, letter in _COMPASS:
        code = code.replace(word, letter)
    return area + code.replace("-", "") + number


# ---------------------------------------------------------------------------------------------
# Organization, accounts, environment, regions


class Organization(StrictModel):
    name: Slug
    """Short organization name; prefixes global names such as bucket names."""
    domain: Annotated[str, Field(pattern=r"^([a-z0-9-]+\.)+[a-z]{2,}$")]
    """Root DNS domain. The shared stack owns its zone; environments get `<env>.<domain>`."""
    owner: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+$")]
    """Owning team's e-mail; becomes the Owner tag."""
    cost_center: Annotated[str, Field(min_length=1, max_length=64)]
    """Becomes the CostCenter tag."""


class Account(StrictModel):
    id: AccountId
    deploy_role: Annotated[str, Field(pattern=r"^[\w+=,.@/-]{1,128}$")]
    """Name (with optional path) of the IAM role Pulumi assumes in this account."""

    @property
    def deploy_role_arn(self) -> str:
        return f"arn:aws:iam::{self.id}:role/{self.deploy_role}"


class Environment(StrictModel):
    name: Slug
    """`shared` for the tooling account's stack; otherwise the environment (dev, staging, prod…)."""
    tier: Tier
    """Decides every tier default and which safety locks apply (prod)."""

    @property
    def is_tooling(self) -> bool:
        return self.name == SHARED


SHARED = "shared"


class Region(StrictModel):
    name: str
    """AWS region, for example eu-west-1."""
    vpc_cidr: ipaddress.IPv4Network
    """Private (RFC 1918) IPv4 range of this region's VPC, /16 to /22."""
    az_count: Annotated[int, Field(ge=2, le=6)] = 3
    """Availability zones to use (2 to 6; prod needs at least 3)."""

    @field_validator("name")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in aws_regions():
            raise ValueError(f"unknown region {value!r}; allowed: {', '.join(aws_regions())}")
        return value

    @field_validator("vpc_cidr")
    @classmethod
    def _private_and_sized(cls, value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        if not value.is_private or value.prefixlen < 16 or value.prefixlen > 22:
            raise ValueError(f"{value} is not allowed; use a private (RFC 1918) range from /16 to /22")
        return value

    @property
    def code(self) -> str:
        return region_code(self.name)


class Regions(StrictModel):
    primary: Region
    secondary: Region | None = None
    """A second region (prod): its own network and the replicas of the stateful tiers."""

    def all(self) -> tuple[Region, ...]:
        return (self.primary,) if self.secondary is None else (self.primary, self.secondary)


# ---------------------------------------------------------------------------------------------
# Component sections


Scope = Literal["workload", "tooling", "all"]


class ProdLock:
    """A safety default that a prod stack may not turn off."""

    def __init__(self, check: Callable[[Any], bool], allowed: str) -> None:
        self.check = check
        self.allowed = allowed


class Section(StrictModel):
    """Base of every component section.

    Fields with no default in the class are filled from `TIER_DEFAULTS[tier]`; a value in the
    stack file always wins. `enabled` defaults from `SCOPE`: workload sections are on in
    environment stacks, tooling sections in the shared stack.
    """

    SCOPE: ClassVar[Scope] = "workload"
    TIER_DEFAULTS: ClassVar[Mapping[Tier, Mapping[str, Any]]] = {}
    PROD_LOCKS: ClassVar[Mapping[str, ProdLock]] = {}

    enabled: bool
    """Whether the stack deploys this component (default: by the stack's kind)."""

    @classmethod
    def resolve(cls, raw: Mapping[str, Any], env: Environment) -> dict[str, Any]:
        """Item → tier default, in one place: what the stack file says wins."""
        in_scope = cls.SCOPE == "all" or (cls.SCOPE == "tooling") == env.is_tooling
        return {"enabled": in_scope, **cls.TIER_DEFAULTS.get(env.tier, {}), **raw}


class SubnetPrefixesConfig(StrictModel):
    public: Annotated[int, Field(ge=17, le=28)] | None = None
    """Public subnets' prefix length. Unset: the VPC's prefix + 8 (a /24 of a /16)."""
    private: Annotated[int, Field(ge=17, le=28)] | None = None
    """Private subnets' prefix length. Unset: the VPC's prefix + 3 (a /19 of a /16)."""
    data: Annotated[int, Field(ge=17, le=28)] | None = None
    """Data subnets' prefix length. Unset: the VPC's prefix + 8 (a /24 of a /16)."""


class NetworkConfig(Section):
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {"nat_strategy": "single", "flow_log_retention_days": 14, "interface_endpoints": []},
        Tier.staging: {
            "nat_strategy": "single",
            "flow_log_retention_days": 90,
            "interface_endpoints": ["ecr.api", "ecr.dkr", "sts", "logs"],
        },
        Tier.prod: {
            "nat_strategy": "per-az",
            "flow_log_retention_days": 365,
            "interface_endpoints": ["ecr.api", "ecr.dkr", "sts", "ssm", "logs", "secretsmanager", "ec2"],
        },
    }
    PROD_LOCKS = {
        "nat_strategy": ProdLock(lambda v: v == "per-az", "per-az (one NAT gateway per AZ)"),
        "flow_log_retention_days": ProdLock(lambda v: v >= 365, "365 days or more"),
    }

    nat_strategy: Literal["none", "single", "per-az"]
    """Egress for private subnets: none, one shared NAT gateway, or one per AZ (tier default)."""
    flow_log_retention_days: RetentionDays
    """Retention of VPC flow logs (tier default: dev 14, staging 90, prod 365)."""
    interface_endpoints: list[InterfaceEndpoint]
    """Interface VPC endpoints (billed per AZ-hour; tier default: none in dev, the core set in prod)."""
    subnet_prefixes: SubnetPrefixesConfig = SubnetPrefixesConfig()
    """Prefix length of each tier's subnets. Unset: private 1/8 of the VPC per AZ (a /19 of a
    /16, room for EKS pods), public and data 1/256 (a /24 of a /16)."""
    flow_log_bucket_arn: Annotated[str, Field(pattern=r"^arn:aws[\w-]*:s3:::[a-z0-9.-]+$")] | None = None
    """Send flow logs to this S3 bucket instead. Unset: a KMS-encrypted CloudWatch log group."""


class ClusterConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {"endpoint_public_access": False, "log_retention_days": 7, "deletion_protection": False},
        Tier.staging: {
            "endpoint_public_access": False,
            "log_retention_days": 30,
            "deletion_protection": False,
        },
        Tier.prod: {"endpoint_public_access": False, "log_retention_days": 90, "deletion_protection": True},
    }
    PROD_LOCKS = {"deletion_protection": ProdLock(lambda v: v is True, "true")}

    kubernetes_version: Annotated[str, Field(pattern=r"^1\.\d{2}$")] = "1.33"
    """Pinned Kubernetes minor version."""
    endpoint_public_access: bool
    """Public API endpoint (default off). When on, only `public_access_cidrs` reach it."""
    public_access_cidrs: list[ipaddress.IPv4Network] = []
    """CIDRs allowed to reach a public endpoint; required when it is on, never 0.0.0.0/0."""
    log_retention_days: RetentionDays
    """Control-plane log retention (tier default: dev 7, staging 30, prod 90)."""
    deletion_protection: bool
    """EKS deletion protection (tier default: on in prod, which may not turn it off)."""

    @field_validator("public_access_cidrs")
    @classmethod
    def _no_world(cls, value: list[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
        if any(cidr.prefixlen == 0 for cidr in value):
            raise ValueError("0.0.0.0/0 is not allowed; list the office/VPN ranges that need the API")
        return value


class DatabaseConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {
            "min_acu": 0,
            "max_acu": 4,
            "backup_retention_days": 1,
            "deletion_protection": False,
            "global_database": False,
        },
        Tier.staging: {
            "min_acu": 0.5,
            "max_acu": 8,
            "backup_retention_days": 7,
            "deletion_protection": True,
            "global_database": False,
        },
        Tier.prod: {
            "min_acu": 2,
            "max_acu": 64,
            "backup_retention_days": 14,
            "deletion_protection": True,
            "global_database": True,
        },
    }
    PROD_LOCKS = {
        "backup_retention_days": ProdLock(lambda v: v >= 14, "14 to 35 days"),
        "deletion_protection": ProdLock(lambda v: v is True, "true"),
    }

    engine_version: Annotated[str, Field(pattern=r"^\d{2}\.\d{1,2}$")] = "16.6"
    """Pinned Aurora PostgreSQL engine version."""
    min_acu: Annotated[float, Field(ge=0, le=256)]
    """Serverless v2 minimum capacity; 0 lets dev pause when idle (tier default)."""
    max_acu: Annotated[float, Field(ge=1, le=256)]
    """Serverless v2 maximum capacity (tier default)."""
    backup_retention_days: Annotated[int, Field(ge=1, le=35)]
    """Automated backup retention (tier default: dev 1, staging 7, prod 14; prod at least 14)."""
    deletion_protection: bool
    """RDS deletion protection (tier default; prod may not turn it off)."""
    global_database: bool
    """Aurora Global Database across the primary and secondary region (tier default: prod)."""


class CacheConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {
            "node_type": "cache.t4g.micro",
            "replicas": 0,
            "multi_az": False,
            "snapshot_retention_days": 0,
        },
        Tier.staging: {
            "node_type": "cache.t4g.small",
            "replicas": 1,
            "multi_az": True,
            "snapshot_retention_days": 1,
        },
        Tier.prod: {
            "node_type": "cache.r7g.large",
            "replicas": 2,
            "multi_az": True,
            "snapshot_retention_days": 7,
        },
    }
    PROD_LOCKS = {
        "multi_az": ProdLock(lambda v: v is True, "true"),
        "snapshot_retention_days": ProdLock(lambda v: v >= 1, "1 to 35 days"),
    }

    engine_version: Annotated[str, Field(pattern=r"^\d+\.\d+$")] = "8.0"
    """Pinned Valkey engine version."""
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")]
    """ElastiCache node type (tier default)."""
    replicas: Annotated[int, Field(ge=0, le=5)]
    """Read replicas beside the primary (tier default)."""
    multi_az: bool
    """Multi-AZ with automatic failover (tier default; prod may not turn it off)."""
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35)]
    """Daily snapshots kept (tier default)."""


class IdentityConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {"deletion_protection": False, "threat_protection": "audit"},
        Tier.staging: {"deletion_protection": True, "threat_protection": "audit"},
        Tier.prod: {"deletion_protection": True, "threat_protection": "enforced"},
    }
    PROD_LOCKS = {
        "deletion_protection": ProdLock(lambda v: v is True, "true"),
        "threat_protection": ProdLock(lambda v: v == "enforced", "enforced"),
    }

    deletion_protection: bool
    """Cognito user pool deletion protection (tier default; prod may not turn it off)."""
    threat_protection: Literal["off", "audit", "enforced"]
    """Cognito threat protection mode (needs the Plus feature plan unless off)."""
    user_mfa: Literal["off", "optional"] = "optional"
    """TOTP MFA for end users."""


class StreamingConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {"channel_type": "BASIC"},
        Tier.staging: {"channel_type": "STANDARD"},
        Tier.prod: {"channel_type": "STANDARD"},
    }

    channel_type: Literal["BASIC", "STANDARD", "ADVANCED_SD", "ADVANCED_HD"]
    """Default IVS channel type (tier default: BASIC in dev)."""


class EdgeConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {"price_class": "PriceClass_100", "waf_rate_limit": 2000},
        Tier.staging: {"price_class": "PriceClass_100", "waf_rate_limit": 2000},
        Tier.prod: {"price_class": "PriceClass_All", "waf_rate_limit": 1000},
    }

    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
    """CloudFront price class (tier default)."""
    waf_rate_limit: Annotated[int, Field(ge=100, le=2_000_000_000)]
    """Requests per client IP per 5 minutes before WAF blocks (tier default)."""


InstanceType = Annotated[str, Field(pattern=r"^[a-z]+\d+[a-z-]*\.[a-z0-9]+$")]
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
    Pulumi never overwrites; put the token there with `aws ssm put-parameter --overwrite` (README)."""

    @field_validator("default_image")
    @classmethod
    def _pinned(cls, value: str) -> str:
        if value.endswith(":latest"):
            raise ValueError("latest is not allowed; pin a tag or digest")
        return value


GitRefPattern = Annotated[str, Field(pattern=r"^[\w./*?-]+$", max_length=255)]
IamRoleName = Annotated[str, Field(pattern=r"^[\w+=,.@-]+$", max_length=64)]


class StateBackendConfig(StrictModel):
    region: str
    """Region of the state bucket and the secrets keys (in the shared account)."""
    bucket: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")] | None = None
    """The state bucket. Unset: `<organization>-pulumi-state-<shared account id>`."""
    key_alias_prefix: Annotated[str, Field(pattern=r"^alias/[\w/-]+$")] = "alias/pulumi-secrets"
    """Each stack's secrets provider is the KMS key `<prefix>-<stack>`: one stack's account
    cannot decrypt another stack's secrets."""

    @field_validator("region")
    @classmethod
    def _known_region(cls, value: str) -> str:
        if value not in aws_regions():
            raise ValueError(f"unknown region {value!r}; allowed: {', '.join(aws_regions())}")
        return value


class CiConfig(Section):
    SCOPE = "all"

    gitlab_url: Annotated[str, Field(pattern=r"^https://[a-z0-9.-]+(:\d+)?$")] = "https://gitlab.com"
    """GitLab instance; its OIDC issuer is trusted by the keyless CI roles."""
    project_path: Annotated[str, Field(pattern=r"^[\w.-]+(/[\w.-]+)+$")] = "social/social-platform"
    """GitLab project path the CI roles trust (group/subgroup/project)."""
    preview_role_name: IamRoleName = "social-platform-ci-preview"
    """Read-only role merge-request pipelines assume (in every account) for `pulumi preview`."""
    deploy_role_name: IamRoleName = "social-platform-ci-deploy"
    """Role pipelines of `deploy_branches`/`deploy_tags` assume (in every account) for `pulumi up`."""
    deploy_branches: Annotated[list[GitRefPattern], Field(min_length=1)] = ["main"]
    """Branches whose pipelines may deploy; protect them in GitLab. Wildcards only within a name."""
    deploy_tags: list[GitRefPattern] = []
    """Tag patterns whose pipelines may deploy, for example `v*` (protect them in GitLab).
    Unset: no tag pipeline may deploy."""
    state: StateBackendConfig | None = None
    """The self-managed Pulumi state backend that `bootstrap` creates in the shared account.
    Unset: the CI roles get no state permissions (for example with Pulumi Cloud) and `bootstrap`
    refuses to run."""


class PolicyConfig(Section):
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {"enforcement": "advisory"},
        Tier.staging: {"enforcement": "mandatory"},
        Tier.prod: {"enforcement": "mandatory"},
    }
    PROD_LOCKS = {"enforcement": ProdLock(lambda v: v == "mandatory", "mandatory")}

    enforcement: Literal["advisory", "mandatory"]
    """How policy violations are treated (tier default: advisory in dev, mandatory otherwise)."""


SECTIONS: dict[str, type[Section]] = {
    "network": NetworkConfig,
    "cluster": ClusterConfig,
    "database": DatabaseConfig,
    "cache": CacheConfig,
    "identity": IdentityConfig,
    "streaming": StreamingConfig,
    "edge": EdgeConfig,
    "runners": RunnersConfig,
    "ci": CiConfig,
    "policy": PolicyConfig,
}


# ---------------------------------------------------------------------------------------------
# The root


class PlatformConfig(StrictModel):
    organization: Organization
    accounts: dict[Slug, Account]
    """The shared/tooling account (key `shared`) and one account per environment."""
    environment: Environment
    regions: Regions
    shared_stack: Annotated[str, Field(pattern=r"^[\w.-]+/[\w.-]+/[\w.-]+$")] | None = None
    """Fully qualified name (org/project/stack) of the shared stack whose outputs environments read.
    Unset: the stack stands alone and features that need shared outputs (DNS delegation) are off."""

    network: NetworkConfig
    cluster: ClusterConfig
    database: DatabaseConfig
    cache: CacheConfig
    identity: IdentityConfig
    streaming: StreamingConfig
    edge: EdgeConfig
    runners: RunnersConfig
    ci: CiConfig
    policy: PolicyConfig

    @property
    def tier(self) -> Tier:
        return self.environment.tier

    @property
    def account(self) -> Account:
        """The account this stack deploys into."""
        return self.accounts[self.environment.name]

    @property
    def shared_account(self) -> Account:
        return self.accounts[SHARED]

    def secrets(self) -> Iterable[tuple[str, SecretStr]]:
        """Every secret value in the config, with its path (for the secret-storage check)."""
        yield from _walk_secrets(self, "")


def _walk_secrets(model: BaseModel, prefix: str) -> Iterable[tuple[str, SecretStr]]:
    for field in type(model).model_fields:
        value = getattr(model, field)
        path = f"{prefix}{field}"
        if isinstance(value, SecretStr):
            yield path, value
        elif isinstance(value, BaseModel):
            yield from _walk_secrets(value, path + ".")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    yield from _walk_secrets(item, f"{path}.{key}.")


# ---------------------------------------------------------------------------------------------
# Loading


def load_config(
    raw: Mapping[str, Any],
    *,
    secret_keys: Iterable[str] = (),
    other_environments: Mapping[str, Regions] | None = None,
) -> PlatformConfig:
    """Validate a stack's config (keys without the namespace) into a `PlatformConfig`.

    `secret_keys`: top-level keys stored encrypted; every `SecretStr` field must live under one.
    `other_environments`: the regions of the project's other stacks, for the address-plan check.
    Raises `ConfigError` naming every problem found.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError([ConfigIssue("(root)", "stack configuration must be a mapping of keys")])
    data = dict(raw)

    # Phase 1: the environment decides every tier default, so it must be valid on its own.
    try:
        env = Environment.model_validate(data.get("environment"))
    except ValidationError as exc:
        raise _as_config_error(exc, prefix=("environment",)) from None

    # Phase 2: types, ranges, unknown keys, with tier defaults filled in.
    for key, section in SECTIONS.items():
        given = data.get(key, {})
        if not isinstance(given, Mapping):
            raise ConfigError([ConfigIssue(key, "must be a mapping of settings")])
        data[key] = section.resolve(given, env)
    try:
        cfg = PlatformConfig.model_validate(data)
    except ValidationError as exc:
        raise _as_config_error(exc) from None

    # Phase 3: rules across fields and across stacks.
    issues = [
        *_check_accounts(cfg),
        *_check_regions(cfg, other_environments or {}),
        *_check_prod_locks(cfg),
        *_check_secrets(cfg, set(secret_keys)),
        *_check_delivery(cfg),
    ]
    if issues:
        raise ConfigError(issues)
    return cfg


def _as_config_error(exc: ValidationError, prefix: tuple[str, ...] = ()) -> ConfigError:
    issues = []
    for error in exc.errors():
        loc = prefix + tuple(str(part) for part in error["loc"])
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key; check the spelling against schema/stack-config.schema.json"
        elif error["type"] == "missing":
            message = "is required"
        elif error["type"] in ("literal_error", "enum"):
            message = message.replace("Input should be", "allowed:") + f" (got {error['input']!r})"
        elif "input" in error and not isinstance(error["input"], dict | list):
            message = f"{message} (got {error['input']!r})"
        issues.append(ConfigIssue(".".join(loc) or "(root)", message))
    return ConfigError(issues)


def _check_accounts(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    for needed in dict.fromkeys((SHARED, cfg.environment.name)):
        if needed not in cfg.accounts:
            yield ConfigIssue(f"accounts.{needed}", f"is required (an account for the {needed!r} stack)")


def _check_regions(cfg: PlatformConfig, others: Mapping[str, Regions]) -> Iterable[ConfigIssue]:
    regions = cfg.regions
    if cfg.tier is Tier.prod:
        for role, region in (("primary", regions.primary), ("secondary", regions.secondary)):
            if region is not None and region.az_count < 3:
                yield ConfigIssue(
                    f"regions.{role}.az_count", f"prod needs at least 3 AZs (got {region.az_count})"
                )
    if regions.secondary is not None:
        if regions.secondary.name == regions.primary.name:
            yield ConfigIssue("regions.secondary.name", "must differ from regions.primary.name")
        if regions.secondary.vpc_cidr.overlaps(regions.primary.vpc_cidr):
            yield ConfigIssue(
                "regions.secondary.vpc_cidr",
                f"{regions.secondary.vpc_cidr} overlaps regions.primary.vpc_cidr {regions.primary.vpc_cidr}",
            )
    for env_name, other in sorted(others.items()):
        if env_name == cfg.environment.name:
            continue
        for role, mine in (("primary", regions.primary), ("secondary", regions.secondary)):
            for their_role, theirs in (("primary", other.primary), ("secondary", other.secondary)):
                if mine is not None and theirs is not None and mine.vpc_cidr.overlaps(theirs.vpc_cidr):
                    yield ConfigIssue(
                        f"regions.{role}.vpc_cidr",
                        f"{mine.vpc_cidr} overlaps {env_name}'s regions.{their_role}.vpc_cidr "
                        f"{theirs.vpc_cidr};"
                        " every environment needs its own address range",
                    )
    for role, region in (("primary", regions.primary), ("secondary", regions.secondary)):
        zones = availability_zone_count(region.name) if region is not None else None
        if region is not None and zones and region.az_count > zones:
            yield ConfigIssue(
                f"regions.{role}.az_count", f"{region.name} has {zones} AZs (got {region.az_count})"
            )
    prefixes = SubnetPrefixes(**cfg.network.subnet_prefixes.model_dump())
    for role, region in (("primary", regions.primary), ("secondary", regions.secondary)):
        if region is not None:
            try:
                plan_subnets(region.vpc_cidr, region.az_count, prefixes)
            except ValueError as exc:
                yield ConfigIssue(f"regions.{role}.vpc_cidr", str(exc))
    if cfg.cluster.enabled and cfg.cluster.endpoint_public_access and not cfg.cluster.public_access_cidrs:
        yield ConfigIssue(
            "cluster.public_access_cidrs", "is required when cluster.endpoint_public_access is true"
        )
    if cfg.database.enabled and cfg.database.global_database and regions.secondary is None:
        yield ConfigIssue(
            "database.global_database", "needs regions.secondary (a global database spans two regions)"
        )


def _check_prod_locks(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    if cfg.tier is not Tier.prod:
        return
    for key in SECTIONS:
        section: Section = getattr(cfg, key)
        if not section.enabled:
            continue
        for field, lock in section.PROD_LOCKS.items():
            value = getattr(section, field)
            if not lock.check(value):
                yield ConfigIssue(
                    f"{key}.{field}",
                    f"is a prod safety default; allowed in prod: {lock.allowed} (got {value!r})",
                )


def _check_secrets(cfg: PlatformConfig, secret_keys: set[str]) -> Iterable[ConfigIssue]:
    for path, _ in cfg.secrets():
        if path.split(".")[0] not in secret_keys:
            yield ConfigIssue(path, f"must be stored encrypted: pulumi config set --secret --path '{path}' …")


def config_schema() -> dict[str, Any]:
    """JSON Schema of a `Pulumi.<stack>.yaml` file, for editors (committed in schema/).

    Keys are the namespaced config keys; section fields are optional because tier defaults fill them.
    """
    model = PlatformConfig.model_json_schema(ref_template="#/$defs/{model}")
    defs = model.pop("$defs", {})
    for section in SECTIONS.values():
        defs.get(section.__name__, {}).pop("required", None)
    keys = {f"{NAMESPACE}:{name}": spec for name, spec in model["properties"].items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "social-platform stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": keys,
                "propertyNames": {"anyOf": [{"enum": sorted(keys)}, {"not": {"pattern": f"^{NAMESPACE}:"}}]},
            },
        },
        "$defs": defs,
    }


def _check_delivery(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    """Runners: capacity adds up, instance types and tags match the architecture. CI: every role
    name is distinct and no pattern lets every ref deploy."""
    runners = cfg.runners
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
    ci = cfg.ci
    if ci.enabled:
        deploy_roles = {account.deploy_role for account in cfg.accounts.values()}
        for key in ("preview_role_name", "deploy_role_name"):
            name = getattr(ci, key)
            if name in deploy_roles:
                yield ConfigIssue(
                    f"ci.{key}", f"{name!r} is an account's deploy_role; CI roles need their own names"
                )
        if ci.preview_role_name == ci.deploy_role_name:
            yield ConfigIssue("ci.deploy_role_name", "must differ from ci.preview_role_name")
        for key in ("deploy_branches", "deploy_tags"):
            for pattern in getattr(ci, key):
                if set(pattern) <= {"*", "?"}:
                    yield ConfigIssue(
                        f"ci.{key}",
                        f"{pattern!r} would let every ref deploy; name protected refs (wildcards only "
                        "within a name, such as v*)",
                    )
