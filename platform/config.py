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
from functools import cache, partial
from typing import Annotated, Any, ClassVar, Literal, get_args
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from social_components import checks
from social_components.cache import validation as cache_rules
from social_components.checks import DAILY_PATTERN, WEEKLY_PATTERN
from social_components.cluster.catalog import (
    KARPENTER_AMI_ALIAS,
    KARPENTER_VERSION,
    KUBERNETES_VERSION,
    AddonName,
)
from social_components.database import SERVERLESS
from social_components.database import validation as database_rules
from social_components.network import InterfaceEndpoint, SubnetPrefixes, plan_subnets
from social_components.realtime import validation as realtime_rules
from social_components.runners.validation import check_cron_period, check_timezone, instance_architecture
from social_components.wallet import validation as wallet_rules
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
Hostname = Annotated[
    str,
    Field(
        pattern=r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
        min_length=4,
        max_length=253,
        description="A fully qualified DNS name in lower case, without the trailing dot",
    ),
]
RetentionDays = Literal[1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653]
"""The values CloudWatch Logs accepts for a log group's retention."""


@cache
def aws_regions() -> tuple[str, ...]:
    """Commercial AWS regions, from botocore's endpoint data (no network call)."""
    import boto3

    return tuple(sorted(boto3.Session().get_available_regions("ec2")))


_COMPASS = (("north", "n"), ("south", "s"), ("east", "e"), ("west", "w"), ("central", "c"))


@cache
def availability_zones(region: str) -> tuple[tuple[str, str], ...]:
    """(name, zone id) of each AZ in `region`, from moto's copy of AWS's region data (empty if unknown).
    The config check counts them; the offline render answers AZ look-ups with them."""
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    zones = RegionsAndZonesBackend.zones.get(region) or []
    return tuple(sorted((zone.name, zone.zone_id) for zone in zones))


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


def _tier_filled_schema(schema: dict[str, Any]) -> None:
    """Nested models whose fields come from tier defaults: nothing is required in a stack file."""
    schema.pop("required", None)


class TierFilledModel(StrictModel):
    """A nested section part some of whose fields have no class default: `ClusterConfig.resolve`
    fills them from the tier defaults, so the JSON schema lists none as required."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, json_schema_extra=_tier_filled_schema
    )


RoleArn = Annotated[str, Field(pattern=r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]
K8sName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
PinnedVersion = Annotated[str, Field(pattern=r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
"""An exact release (1.6.3, v1.20.0-eksbuild.1): never `latest`, never a range."""
InstanceType = Annotated[str, Field(pattern=r"^[a-z]+\d+[a-z-]*\.[a-z0-9]+$")]


class TeamAccessConfig(StrictModel):
    admin_role_arns: list[RoleArn] = []
    """IAM roles with admin rights: cluster admin (AmazonEKSClusterAdminPolicy) when the team has no
    namespaces, else AmazonEKSAdminPolicy in its namespaces."""
    developer_role_arns: list[RoleArn] = []
    """IAM roles that may change workloads (AmazonEKSEditPolicy) in the team's namespaces, or
    cluster-wide when it has none."""
    read_only_role_arns: list[RoleArn] = []
    """IAM roles that may read (AmazonEKSViewPolicy) in the team's namespaces, or cluster-wide."""
    namespaces: list[K8sName] = []
    """Namespaces the team owns (the cluster creates them). Unset: the team's access is cluster-wide."""


class SystemNodesConfig(TierFilledModel):
    instance_types: list[InstanceType]
    """Instance types of the system node group, one architecture (tier default: Graviton)."""
    ami_family: Literal["AL2023", "Bottlerocket"] = "AL2023"
    """EKS-optimised AMI family of the system nodes."""
    min_size: Annotated[int, Field(ge=1, le=20)]
    """Fewest system nodes (tier default: 2; prod at least 2)."""
    desired_size: Annotated[int, Field(ge=1, le=20)]
    """System nodes at creation (tier default)."""
    max_size: Annotated[int, Field(ge=1, le=20)]
    """Most system nodes (tier default)."""
    disk_size_gib: Annotated[int, Field(ge=20, le=1000)] = 50
    """Encrypted gp3 volume for images and containers."""


class TaintConfig(StrictModel):
    key: Annotated[str, Field(min_length=1, max_length=253)]
    value: Annotated[str, Field(max_length=63)] | None = None
    """Unset: a taint without a value."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] = "NoSchedule"


class NodePoolConfig(StrictModel):
    cpu_limit: Annotated[int, Field(ge=1, le=100_000)]
    """Most vCPUs of the pool's nodes together."""
    memory_limit_gib: Annotated[int, Field(ge=1, le=1_000_000)]
    """Most memory of the pool's nodes together."""
    capacity_types: list[Literal["on-demand", "spot"]] = ["spot", "on-demand"]
    """On-demand, spot or both (Karpenter prefers spot when both are allowed)."""
    architectures: list[Literal["arm64", "amd64"]] = ["arm64", "amd64"]
    instance_categories: list[Annotated[str, Field(pattern=r"^[a-z]+$")]] = ["c", "m", "r"]
    """EC2 instance categories (c, m, r, t, g …)."""
    taints: list[TaintConfig] = []
    """Only pods tolerating these land on the pool. Unset: none."""
    labels: dict[str, Annotated[str, Field(max_length=63)]] = {}
    """Labels on the pool's nodes. Unset: only `social-platform/node-pool=<name>`."""
    expire_after_hours: Annotated[int, Field(ge=1, le=8760)] = 720
    """Nodes are replaced after this long."""
    weight: Annotated[int, Field(ge=1, le=100)] | None = None
    """Priority among pools that fit a pod. Unset: no preference."""


class KarpenterConfig(TierFilledModel):
    chart_version: PinnedVersion = KARPENTER_VERSION
    """Pinned Karpenter chart (and controller) version."""
    ami_alias: Annotated[str, Field(pattern=r"^(al2023|bottlerocket)@v\d[\d.]*$")] = KARPENTER_AMI_ALIAS
    """Pinned AMI release of Karpenter's nodes (al2023@vYYYYMMDD or bottlerocket@vX.Y.Z)."""
    replicas: Annotated[int, Field(ge=1, le=3)]
    """Controller replicas (tier default: 1 in dev, 2 elsewhere; prod at least 2)."""
    cpu_limit: Annotated[int, Field(ge=1, le=100_000)]
    """Most vCPUs of the general pool (tier default: dev 32, staging 64, prod 1000)."""
    memory_limit_gib: Annotated[int, Field(ge=1, le=1_000_000)]
    """Most memory of the general pool (tier default: dev 128, staging 256, prod 4000)."""
    spot: bool
    """Whether the general pool may use spot capacity besides on-demand (tier default: not in prod)."""
    node_pools: dict[K8sName, NodePoolConfig] = {}
    """Further NodePools by name (for example a spot-only `batch` pool with a taint).
    Unset: only the `general` pool."""


class AddonConfig(StrictModel):
    enabled: bool = True
    """Whether the cluster installs the add-on (tier default: all on, except as the tier lists)."""
    version: PinnedVersion | None = None
    """Pinned version. Unset: the version the platform pins (components/cluster/catalog.py)."""


def _deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class ClusterConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {
            "endpoint_public_access": False,
            "log_retention_days": 7,
            "deletion_protection": False,
            "system_nodes": {
                "instance_types": ["t4g.large"],
                "min_size": 2,
                "desired_size": 2,
                "max_size": 3,
            },
            "karpenter": {"replicas": 1, "cpu_limit": 32, "memory_limit_gib": 128, "spot": True},
            # Dev saves the Prometheus volume and Container Insights' per-metric cost.
            "addons": {
                "kube-prometheus-stack": {"enabled": False},
                "amazon-cloudwatch-observability": {"enabled": False},
            },
        },
        Tier.staging: {
            "endpoint_public_access": False,
            "log_retention_days": 30,
            "deletion_protection": False,
            "system_nodes": {
                "instance_types": ["m7g.large"],
                "min_size": 2,
                "desired_size": 2,
                "max_size": 4,
            },
            "karpenter": {"replicas": 2, "cpu_limit": 64, "memory_limit_gib": 256, "spot": True},
            "addons": {},
        },
        Tier.prod: {
            "endpoint_public_access": False,
            "log_retention_days": 90,
            "deletion_protection": True,
            "system_nodes": {
                "instance_types": ["m7g.large"],
                "min_size": 3,
                "desired_size": 3,
                "max_size": 6,
            },
            "karpenter": {"replicas": 2, "cpu_limit": 1000, "memory_limit_gib": 4000, "spot": False},
            "addons": {},
        },
    }
    PROD_LOCKS = {"deletion_protection": ProdLock(lambda v: v is True, "true")}

    kubernetes_version: Annotated[str, Field(pattern=r"^1\.\d{2}$")] = KUBERNETES_VERSION
    """Pinned Kubernetes minor version."""
    endpoint_public_access: bool
    """Public API endpoint (default off). When on, only `public_access_cidrs` reach it."""
    public_access_cidrs: list[ipaddress.IPv4Network] = []
    """CIDRs allowed to reach a public endpoint; required when it is on, never 0.0.0.0/0."""
    log_retention_days: RetentionDays
    """Control-plane and container log retention (tier default: dev 7, staging 30, prod 90)."""
    deletion_protection: bool
    """EKS deletion protection (tier default: on in prod, which may not turn it off)."""
    teams: dict[Slug, TeamAccessConfig] = {}
    """Team access by team name: IAM roles per level and the team's namespaces. Unset: only the
    deploy role (the cluster's creator) is admin."""
    system_nodes: SystemNodesConfig
    """The managed node group for critical add-ons and Karpenter (tier default sizes)."""
    karpenter: KarpenterConfig
    """Karpenter: pinned chart and AMI, the general pool's limits and spot use, extra pools."""
    addons: dict[AddonName, AddonConfig]
    """Per add-on toggle and pinned version (tier default: everything on; dev leaves out
    kube-prometheus-stack and amazon-cloudwatch-observability)."""
    ingress_scheme: Literal["internet-facing", "internal"] = "internet-facing"
    """Where ingress-nginx's NLB listens (the edge's origin)."""
    grafana_admin_password: SecretStr | None = None
    """Grafana admin password (store with --secret). Unset: a random password kept as a Pulumi secret
    and exported (as a secret) in `grafana_admin_passwords`."""

    @classmethod
    def resolve(cls, raw: Mapping[str, Any], env: Environment) -> dict[str, Any]:
        """Like every section, but nested settings merge key by key with the tier defaults, so a stack
        file can change `karpenter.cpu_limit` without restating the rest of `karpenter`."""
        return _deep_merge(super().resolve({}, env), raw)

    @field_validator("public_access_cidrs")
    @classmethod
    def _no_world(cls, value: list[ipaddress.IPv4Network]) -> list[ipaddress.IPv4Network]:
        if any(cidr.prefixlen == 0 for cidr in value):
            raise ValueError("0.0.0.0/0 is not allowed; list the office/VPN ranges that need the API")
        return value


DailyWindow = Annotated[str, Field(pattern=DAILY_PATTERN)]
"""A daily window in UTC, ``hh24:mi-hh24:mi``."""
WeeklyWindow = Annotated[str, Field(pattern=WEEKLY_PATTERN)]
"""A weekly window in UTC, ``ddd:hh24:mi-ddd:hh24:mi``."""


class DatabaseConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {
            "min_acu": 0,
            "max_acu": 4,
            "seconds_until_auto_pause": 1800,
            "instances": 1,
            "enable_proxy": False,
            "database_insights": "standard",
            "log_retention_days": 7,
            "backup_retention_days": 1,
            "deletion_protection": False,
            "global_database": False,
        },
        Tier.staging: {
            "min_acu": 0.5,
            "max_acu": 8,
            "seconds_until_auto_pause": None,
            "instances": 2,
            "enable_proxy": True,
            "database_insights": "standard",
            "log_retention_days": 30,
            "backup_retention_days": 7,
            "deletion_protection": True,
            "global_database": False,
        },
        Tier.prod: {
            "min_acu": 2,
            "max_acu": 64,
            "seconds_until_auto_pause": None,
            "instances": 3,
            "enable_proxy": True,
            "database_insights": "advanced",
            "log_retention_days": 365,
            "backup_retention_days": 14,
            "deletion_protection": True,
            "global_database": True,
        },
    }
    PROD_LOCKS = {
        "backup_retention_days": ProdLock(lambda v: v >= 14, "14 to 35 days"),
        "deletion_protection": ProdLock(lambda v: v is True, "true"),
        "instances": ProdLock(lambda v: v >= 2, "2 or more (a writer and a reader in another AZ)"),
    }

    engine_version: Annotated[str, Field(pattern=r"^\d{2}\.\d{1,2}$")] = "16.6"
    """Pinned Aurora PostgreSQL engine version (automatic minor upgrades are off)."""
    instance_class: Annotated[str, Field(pattern=r"^db\.(serverless|[a-z0-9]+\.[a-z0-9]+)$")] = SERVERLESS
    """``db.serverless`` (Aurora Serverless v2, scaled between min_acu and max_acu) or a provisioned
    class such as ``db.r7g.large`` (min_acu and max_acu are then unused)."""
    instances: Annotated[int, Field(ge=1, le=16)]
    """Writer plus readers in the primary region, one AZ after another (tier default: dev 1,
    staging 2, prod 3; prod at least 2)."""
    secondary_instances: Annotated[int, Field(ge=1, le=16)] = 2
    """Instances of the secondary-region cluster of a global database (unused otherwise)."""
    min_acu: Annotated[float, Field(ge=0, le=256, multiple_of=0.5)]
    """Serverless v2 minimum capacity; 0 lets dev pause when idle (tier default: dev 0, staging 0.5,
    prod 2)."""
    max_acu: Annotated[float, Field(ge=1, le=256, multiple_of=0.5)]
    """Serverless v2 maximum capacity (tier default: dev 4, staging 8, prod 64)."""
    seconds_until_auto_pause: Annotated[int, Field(ge=300, le=86_400)] | None
    """Idle seconds before a min_acu 0 cluster pauses (tier default: dev 1800). Unset with min_acu
    0: AWS's default, 300. Only allowed with min_acu 0."""
    enable_proxy: bool
    """RDS Proxy in front of the cluster: connection pooling, TLS and IAM auth required (tier
    default: off in dev, where it would keep the database from pausing; on in staging and prod)."""
    database_insights: Literal["standard", "advanced"]
    """Database Insights mode; advanced keeps Performance Insights 15 months (tier default: prod
    advanced, otherwise standard with the free 7 days)."""
    monitoring_interval_seconds: Literal[1, 5, 10, 15, 30, 60] = 60
    """Enhanced Monitoring granularity (always on)."""
    log_min_duration_statement_ms: Annotated[int, Field(ge=-1, le=3_600_000)] = 1000
    """Statements slower than this are logged (0 logs every statement, -1 none)."""
    log_retention_days: RetentionDays
    """Retention of the exported PostgreSQL logs (tier default: dev 7, staging 30, prod 365)."""
    backup_retention_days: Annotated[int, Field(ge=1, le=35)]
    """Automated backup retention (tier default: dev 1, staging 7, prod 14; prod at least 14)."""
    backup_window: DailyWindow = "01:00-02:00"
    """Daily backup window, UTC, at least 30 minutes, apart from maintenance_window."""
    maintenance_window: WeeklyWindow = "sun:03:00-sun:04:00"
    """Weekly maintenance window, UTC, at least 30 minutes."""
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
            "log_retention_days": 7,
        },
        Tier.staging: {
            "node_type": "cache.t4g.small",
            "replicas": 1,
            "multi_az": True,
            "snapshot_retention_days": 1,
            "log_retention_days": 30,
        },
        Tier.prod: {
            "node_type": "cache.r7g.large",
            "replicas": 2,
            "multi_az": True,
            "snapshot_retention_days": 7,
            "log_retention_days": 365,
        },
    }
    PROD_LOCKS = {
        "multi_az": ProdLock(lambda v: v is True, "true"),
        "snapshot_retention_days": ProdLock(lambda v: v >= 1, "1 to 35 days"),
    }

    engine_version: Annotated[str, Field(pattern=r"^\d+\.\d+$")] = "8.0"
    """Pinned Valkey engine version (7.2 or 8.x; automatic minor upgrades are off)."""
    node_type: Annotated[str, Field(pattern=r"^cache\.[a-z0-9]+\.[a-z0-9]+$")]
    """ElastiCache node type (tier default)."""
    replicas: Annotated[int, Field(ge=0, le=5)]
    """Read replicas beside the primary; one or more also gives automatic failover (tier default)."""
    multi_az: bool
    """Multi-AZ with automatic failover; needs replicas ≥ 1 (tier default; prod may not turn it off)."""
    snapshot_retention_days: Annotated[int, Field(ge=0, le=35)]
    """Daily snapshots kept (tier default); a final snapshot is taken on delete in every tier."""
    snapshot_window: DailyWindow = "02:00-03:00"
    """Daily snapshot window, UTC, at least 60 minutes, apart from maintenance_window."""
    maintenance_window: WeeklyWindow = "sun:04:30-sun:05:30"
    """Weekly maintenance window, UTC, at least 60 minutes."""
    log_retention_days: RetentionDays
    """Retention of the slow-log and engine-log groups (tier default: dev 7, staging 30, prod 365)."""
    auth_token: PulumiSecret | None = None
    """AUTH token (16 to 128 printable characters, no space, '"', '/' or '@'), stored with
    `pulumi config set --secret`. Unset: the program generates one (a Pulumi secret)."""


PulumiSecret = Annotated[
    SecretStr,
    WithJsonSchema(
        {
            "type": "object",
            "description": "An encrypted value: set it with `pulumi config set --secret --path …`.",
            "properties": {"secure": {"type": "string"}},
            "required": ["secure"],
            "additionalProperties": False,
        }
    ),
]
"""A secret in a stack file. The stack file only ever holds it encrypted (`secure: v1:…`), so the
schema accepts nothing else; the loader refuses a plain-text value (see `_check_secrets`)."""

EmailAddress = Annotated[str, Field(pattern=r"^[^@\s<>]+@([a-z0-9-]+\.)+[a-z]{2,}$")]
SesIdentityArn = Annotated[str, Field(pattern=r"^arn:aws:ses:[a-z0-9-]+:\d{12}:identity/[^\s/]+$")]
LambdaArn = Annotated[
    str,
    Field(
        pattern=r"^arn:aws:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]{1,64}(:[A-Za-z0-9$_-]{1,128})?$"
    ),
]


def _redirect_url(value: str) -> str:
    """What Cognito accepts as a callback or sign-out URL (custom schemes are for native apps)."""
    parts = urlsplit(value)
    if (
        not parts.scheme
        or not parts.netloc
        or parts.fragment
        or "*" in value
        or any(c.isspace() for c in value)
    ):
        raise ValueError(f"{value!r} is not allowed; use an absolute URL without '#', spaces or wildcards")
    if parts.scheme == "http" and parts.hostname != "localhost":
        raise ValueError(f"{value!r} is not allowed; use https (plain http only for http://localhost)")
    return value


RedirectUrl = Annotated[str, AfterValidator(_redirect_url)]


class AppClientUrls(StrictModel):
    """Where Cognito may send users back to after sign-in and after sign-out."""

    callback_urls: Annotated[list[RedirectUrl], Field(min_length=1, max_length=100)]
    """Allowed redirect URLs after sign-in (https; `http://localhost` outside prod; custom
    schemes such as `social://auth/callback` for the mobile client only)."""
    logout_urls: Annotated[list[RedirectUrl], Field(max_length=100)] = []
    """Allowed redirect URLs after sign-out (unset: none, the app shows its own page)."""


class SocialLogin(StrictModel):
    """An OAuth app at Google or Facebook that users may sign in with."""

    client_id: Annotated[str, Field(min_length=1, max_length=256)]
    """The app's client id (Google) or app id (Facebook)."""
    client_secret: PulumiSecret
    """The app's client secret; stored encrypted, reaches AWS only as a Pulumi secret."""
    authorize_scopes: list[Annotated[str, Field(pattern=r"^[\w.:/-]+$")]] | None = None
    """Scopes asked for (unset: `openid email profile` for Google, `public_profile,email` for Facebook)."""


class FacebookLogin(SocialLogin):
    api_version: Annotated[str, Field(pattern=r"^v\d{1,2}\.0$")] = "v22.0"
    """Pinned Facebook Graph API version Cognito calls."""


class CustomAttribute(StrictModel):
    """A `custom:<name>` user attribute. Fixed once the pool exists (Cognito cannot change it)."""

    type: Literal["String", "Number", "Boolean", "DateTime"] = "String"
    """Attribute data type."""
    mutable: bool = True
    """Whether the value may change after sign-up."""
    user_writable: bool = True
    """Whether users may set it through the web and mobile clients (off: only the backend, through
    the admin API, can set it — for values such as the account type)."""
    min_length: Annotated[int, Field(ge=0, le=2048)] | None = None
    """Strings: minimum length (unset: 0)."""
    max_length: Annotated[int, Field(ge=1, le=2048)] | None = None
    """Strings: maximum length (unset: 2048)."""
    min_value: int | None = None
    """Numbers: smallest value (unset: no bound)."""
    max_value: int | None = None
    """Numbers: largest value (unset: no bound)."""

    @model_validator(mode="after")
    def _constraints_fit_the_type(self) -> CustomAttribute:
        if self.type != "String" and (self.min_length is not None or self.max_length is not None):
            raise ValueError(f"min_length/max_length apply to String attributes only (type is {self.type})")
        if self.type != "Number" and (self.min_value is not None or self.max_value is not None):
            raise ValueError(f"min_value/max_value apply to Number attributes only (type is {self.type})")
        for low, high in ((self.min_length, self.max_length), (self.min_value, self.max_value)):
            if low is not None and high is not None and low > high:
                raise ValueError(f"minimum {low} is greater than maximum {high}")
        return self


class SesEmail(StrictModel):
    """Cognito's e-mail (verification codes, invitations) sent through your own SES identity."""

    source_arn: SesIdentityArn
    """ARN of a verified SES identity (domain or address) that `from_address` belongs to."""
    from_address: EmailAddress
    """Sender address, for example no-reply@social.example.com."""
    reply_to_address: EmailAddress | None = None
    """Reply-to address (unset: replies go to `from_address`)."""


CustomAttributeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,19}$")]
ScopeName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9._-]{0,63}$")]


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
    """Cognito threat protection mode (tier default: audit, enforced in prod). Anything but off puts
    the pools on the Plus feature plan, which threat protection needs (billed per active user)."""
    user_mfa: Literal["off", "optional"] = "optional"
    """TOTP MFA for end users (the admin pool always requires it)."""
    domain_prefix: Slug | None = None
    """Prefix of the managed-login domains `<prefix>.auth.<region>.amazoncognito.com` (admin pool:
    `<prefix>-admin`). Globally unique per region. Unset: `<organization.name>-<environment.name>`."""
    custom_domain: Hostname | None = None
    """End-user sign-in on this host name instead of the prefix domain, with the edge's us-east-1
    certificate (which must cover it). Unset: the prefix domain."""
    web: AppClientUrls | None = None
    """Web app redirect URLs. Unset: `https://<env>.<organization.domain>/auth/callback` and
    sign-out back to `https://<env>.<organization.domain>/`."""
    mobile: AppClientUrls | None = None
    """Mobile app redirect URLs. Unset: `<organization.name>://auth/callback` and
    `<organization.name>://auth/signout` (the app's custom URL scheme)."""
    admin: AppClientUrls | None = None
    """Moderation tool redirect URLs. Unset: `https://admin.<env>.<organization.domain>/auth/callback`
    and sign-out back to `https://admin.<env>.<organization.domain>/`."""
    access_token_minutes: Annotated[int, Field(ge=5, le=1440)] = 60
    """Lifetime of access tokens (5 minutes to 1 day)."""
    id_token_minutes: Annotated[int, Field(ge=5, le=1440)] = 60
    """Lifetime of ID tokens (5 minutes to 1 day)."""
    refresh_token_days: Annotated[int, Field(ge=1, le=3650)] = 30
    """Lifetime of refresh tokens, i.e. how long a user stays signed in (1 day to 10 years)."""
    custom_attributes: dict[CustomAttributeName, CustomAttribute] = Field(
        default_factory=lambda: {
            "handle": CustomAttribute(min_length=3, max_length=30),
            "account_type": CustomAttribute(max_length=16, user_writable=False),
            "terms_version": CustomAttribute(max_length=16),
        }
    )
    """The app's `custom:` attributes (default: handle, account_type set by the backend only,
    terms_version). Changes after the pool exists are ignored: see the README before editing."""
    api_scopes: dict[ScopeName, Annotated[str, Field(min_length=1, max_length=256)]] = {
        "users.read": "Read any user's profile",
        "users.write": "Change users' attributes and groups (moderation, account type)",
    }
    """Scopes of the backend API resource server (name → description) that the backend client is
    granted through the client-credentials flow."""
    google: SocialLogin | None = None
    """Sign in with Google (unset: off)."""
    facebook: FacebookLogin | None = None
    """Sign in with Facebook (unset: off)."""
    email: SesEmail | None = None
    """Send Cognito's e-mail through SES (unset: Cognito's built-in sender, limited to a few
    e-mails a day and meant for development)."""
    pre_sign_up_lambda_arn: LambdaArn | None = None
    """Lambda run before sign-up (for example to block disposable domains); in this account and
    the primary region. Unset: no trigger."""
    post_confirmation_lambda_arn: LambdaArn | None = None
    """Lambda run after a user confirms (for example to create the profile row); in this account
    and the primary region. Unset: no trigger."""


ChannelType = Literal["BASIC", "STANDARD", "ADVANCED_SD", "ADVANCED_HD"]


class StreamingChannel(StrictModel):
    """One IVS channel the platform owns (creators' channels are made by the backend at run time)."""

    type: ChannelType | None = None
    """IVS channel type. Unset: `streaming.channel_type` (tier default)."""
    latency_mode: Literal["LOW", "NORMAL"] = "LOW"
    """LOW for interactive streams (a few seconds); NORMAL buffers more for steadier playback."""
    authorized: bool = False
    """Private channel: viewers need a playback token; needs `streaming.playback_public_key`."""
    recording: bool | None = None
    """Record every stream to the recording bucket. Unset: `streaming.recording` (tier default)."""


class StreamingChatRoom(StrictModel):
    """One IVS Chat room; its messages are logged to the streaming chat log group."""

    maximum_message_length: Annotated[int, Field(ge=1, le=500)] = 500
    """Longest message accepted, in characters."""
    maximum_message_rate_per_second: Annotated[int, Field(ge=1, le=100)] = 10
    """Messages per second the room accepts in total."""


class StreamingConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {
            "channel_type": "BASIC",
            "recording": False,
            "recording_expiration_days": 7,
            "recording_transition_days": None,
            "recording_versioning": False,
            "chat_log_retention_days": 7,
        },
        Tier.staging: {
            "channel_type": "STANDARD",
            "recording": True,
            "recording_expiration_days": 30,
            "recording_transition_days": None,
            "recording_versioning": True,
            "chat_log_retention_days": 30,
        },
        Tier.prod: {
            "channel_type": "STANDARD",
            "recording": True,
            "recording_expiration_days": None,
            "recording_transition_days": 30,
            "recording_versioning": True,
            "chat_log_retention_days": 90,
        },
    }
    PROD_LOCKS = {"recording_versioning": ProdLock(lambda v: v is True, "true")}

    channel_type: ChannelType
    """Default IVS channel type (tier default: BASIC in dev, STANDARD otherwise)."""
    recording: bool
    """Whether channels record to S3 unless a channel says otherwise (tier default: off in dev)."""
    channels: dict[Slug, StreamingChannel] = {"live": StreamingChannel()}
    """Platform-owned channels by stable name. Default: one public channel `live` for the platform's
    own broadcasts; creators' channels are created by the backend at run time."""
    chat_rooms: dict[Slug, StreamingChatRoom] = {"live": StreamingChatRoom()}
    """IVS Chat rooms by stable name. Default: one room `live` beside the `live` channel."""
    playback_public_key: str | None = None
    """PEM of the ECDSA P-384 public key that verifies playback tokens of authorized channels (the
    backend signs with the private half, which never enters config). Unset: no playback key pair, and
    no channel may be `authorized`."""
    recording_expiration_days: Annotated[int, Field(ge=1)] | None
    """Delete recordings after this many days (tier default: dev 7, staging 30; prod keeps them).
    Unset: recordings are kept."""
    recording_transition_days: Annotated[int, Field(ge=1)] | None
    """Move recordings to S3 Intelligent-Tiering after this many days (tier default: prod 30).
    Unset: recordings stay in S3 Standard."""
    recording_versioning: bool
    """Keep overwritten or deleted recordings for 30 days as noncurrent versions (tier default: off
    in dev; prod may not turn it off)."""
    chat_log_retention_days: RetentionDays
    """Retention of the chat message log (tier default: dev 7, staging 30, prod 90)."""


RealtimeFunction = Literal["authorizer", "connections", "fanout"]


class RealtimeConfig(Section):
    """The WebSocket API, its connections table and the event fan-out, in every region of the stack."""

    TIER_DEFAULTS = {
        Tier.dev: {
            "throttling_rate_limit": 50,
            "throttling_burst_limit": 100,
            # New accounts may have a concurrency quota of 10, where no reservation is possible.
            "reserved_concurrency": {},
            "log_retention_days": 7,
        },
        Tier.staging: {
            "throttling_rate_limit": 200,
            "throttling_burst_limit": 400,
            "reserved_concurrency": {"authorizer": 20, "connections": 20, "fanout": 10},
            "log_retention_days": 30,
        },
        Tier.prod: {
            "throttling_rate_limit": 2000,
            "throttling_burst_limit": 4000,
            "reserved_concurrency": {"authorizer": 200, "connections": 200, "fanout": 100},
            "log_retention_days": 90,
        },
    }
    PROD_LOCKS = {
        "reserved_concurrency": ProdLock(
            lambda v: set(v) == {"authorizer", "connections", "fanout"},
            "a reservation for each of authorizer, connections and fanout (a cap on what a flood costs)",
        )
    }

    custom_domain: bool = True
    """Serve the API as ``wss://ws.<environment zone>`` (regional certificate, alias record; a latency
    record per region when the stack has several). Off: clients use the execute-api URL."""
    token_uses: list[Literal["access", "id"]] = ["access"]
    """Which Cognito tokens of the web and mobile clients open a connection."""
    throttling_rate_limit: Annotated[float, Field(gt=0)]
    """Steady messages per second the stage accepts, all clients together (tier default: dev 50,
    staging 200, prod 2,000)."""
    throttling_burst_limit: Annotated[int, Field(ge=1)]
    """Burst above the steady rate (tier default: twice the rate)."""
    reserved_concurrency: dict[RealtimeFunction, Annotated[int, Field(ge=1, le=900)]]
    """Concurrency reserved for (and capping) each function (tier default: none in dev; staging 20/20/10;
    prod 200/200/100). A function left out shares the account's unreserved pool."""
    log_retention_days: RetentionDays
    """Retention of the functions' logs and the access log (tier default: dev 7, staging 30, prod 90)."""


class WalletConfig(Section):
    """Coin wallet plumbing in the primary region: transactions queue, settlement schedule, the
    wallet service's Pod Identity role and its database user."""

    TIER_DEFAULTS = {
        Tier.dev: {"message_retention_seconds": 24 * 3600},
        Tier.staging: {"message_retention_seconds": 4 * 24 * 3600},
        Tier.prod: {"message_retention_seconds": 14 * 24 * 3600},
    }
    PROD_LOCKS = {
        "message_retention_seconds": ProdLock(
            lambda v: v >= 4 * 24 * 3600, "at least 345600 (4 days: a long weekend of a stopped consumer)"
        )
    }

    settlement_schedule: str = "cron(0 3 * * ? *)"
    """When the settlement/rewards job runs (EventBridge Scheduler cron or rate expression)."""
    settlement_timezone: str = "UTC"
    """IANA time zone of `settlement_schedule`."""
    namespace: Slug = "wallet"
    """Kubernetes namespace of the wallet service."""
    service_account: Slug = "wallet"
    """Its service account (the only one that gets the role)."""
    db_user: Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")] = "wallet"
    """The PostgreSQL user the service signs in as with IAM authentication (``GRANT rds_iam``)."""
    visibility_timeout_seconds: Annotated[int, Field(ge=0, le=43_200)] = 60
    """How long a received transaction stays hidden from other consumers."""
    max_receive_count: Annotated[int, Field(ge=1, le=1000)] = 5
    """Receives before a transaction moves to the dead-letter queue."""
    message_retention_seconds: Annotated[int, Field(ge=60, le=1_209_600)]
    """How long an unconsumed transaction is kept (tier default: dev 1 day, staging 4, prod 14)."""


CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2 country code")]


class GeoRestriction(StrictModel):
    mode: Literal["allow", "deny"]
    """`allow`: only viewers in `countries` are served; `deny`: viewers in `countries` are refused."""
    countries: Annotated[list[CountryCode], Field(min_length=1, max_length=250)]
    """ISO 3166-1 alpha-2 codes, for example `[DE, FR]`."""


class EdgeConfig(Section):
    TIER_DEFAULTS = {
        Tier.dev: {
            "price_class": "PriceClass_100",
            "waf_rate_limit": 2000,
            "regional_waf_rate_limit": 1000,
            "log_retention_days": 30,
            "noncurrent_version_retention_days": 7,
        },
        Tier.staging: {
            "price_class": "PriceClass_100",
            "waf_rate_limit": 2000,
            "regional_waf_rate_limit": 1000,
            "log_retention_days": 90,
            "noncurrent_version_retention_days": 30,
        },
        Tier.prod: {
            "price_class": "PriceClass_All",
            "waf_rate_limit": 1000,
            "regional_waf_rate_limit": 500,
            "log_retention_days": 365,
            "noncurrent_version_retention_days": 90,
        },
    }
    PROD_LOCKS = {
        "log_retention_days": ProdLock(lambda v: v >= 365, "365 days or more"),
        "noncurrent_version_retention_days": ProdLock(lambda v: v >= 30, "30 days or more"),
    }

    price_class: Literal["PriceClass_100", "PriceClass_200", "PriceClass_All"]
    """CloudFront price class (tier default: PriceClass_100 outside prod, PriceClass_All in prod)."""
    waf_rate_limit: Annotated[int, Field(ge=100, le=2_000_000_000)]
    """Requests per client IP per 5 minutes before the CloudFront web ACL blocks (tier default)."""
    regional_waf_rate_limit: Annotated[int, Field(ge=100, le=2_000_000_000)]
    """Requests per client IP per 5 minutes before the REGIONAL web ACL (load balancer, Cognito)
    blocks (tier default: dev/staging 1000, prod 500)."""
    enable_anonymous_ip_rules: bool = False
    """Add AWS's anonymous-IP rule group (VPNs, Tor, hosting providers). Off by default: it also
    turns away privacy-minded users and clients that run in the cloud."""
    enable_bot_control: bool = False
    """Add AWS's Bot Control rule group (COMMON level; billed per request). Off by default."""
    log_retention_days: RetentionDays
    """Retention of WAF logs and of the CloudFront and S3 access logs (tier default: dev 30,
    staging 90, prod 365; prod at least 365)."""
    noncurrent_version_retention_days: Annotated[int, Field(ge=1, le=3650)]
    """Days an overwritten or deleted object version is kept before it expires, i.e. the window to
    restore it (tier default: dev 7, staging 30, prod 90; prod at least 30)."""
    minimum_tls_version: Literal["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"] = "TLSv1.2_2021"
    """Oldest TLS security policy CloudFront accepts from viewers."""
    aliases: Annotated[list[Hostname], Field(min_length=1, max_length=10)] | None = None
    """Custom domain names of the distribution, all inside the environment's zone `<env>.<domain>`
    (the certificate is validated and the alias records are published there). Unset: the zone's
    apex alone, for example `dev.social.example.com`."""
    api_origin_domain: Hostname | None = None
    """Where CloudFront sends `/api/*` (HTTPS only). Unset: `api-origin.<env>.<domain>`, which this
    stack publishes as Route53 latency records, one per region, each with a health check.
    Set: an origin run elsewhere, used as is (no records, no health checks)."""
    api_regional_origins: dict[str, Hostname] = {}
    """Per region (by region name), the regional API host the latency records point at; it is
    published by the cluster's ingress and must serve a certificate for the origin name as well.
    A region left out gets `api-<region code>.<env>.<domain>`, for example `api-euw1.dev.…`."""
    api_health_check_path: Annotated[str, Field(pattern=r"^/[\w./-]*$", max_length=255)] = "/healthz"
    """Path the Route53 health checks request from each regional API host (HTTPS, port 443)."""
    content_security_policy: Annotated[str, Field(pattern=r"^[^\r\n]+$", max_length=1783)] | None = None
    """Content-Security-Policy header sent with every response. Unset: the Edge component's
    same-origin policy (`social_components.edge.DEFAULT_CONTENT_SECURITY_POLICY`)."""
    geo_restriction: GeoRestriction | None = None
    """Countries to serve or refuse. Unset: the distribution serves every country."""


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
    "realtime": RealtimeConfig,
    "wallet": WalletConfig,
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
    realtime: RealtimeConfig
    wallet: WalletConfig
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
        *_check_database(cfg),
        *_check_cache(cfg),
        *_check_cluster(cfg),
        *_check_secrets(cfg, set(secret_keys)),
        *_check_streaming(cfg),
        *_check_realtime(cfg),
        *_check_identity(cfg),
        *_check_edge(cfg),
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
        zones = len(availability_zones(region.name)) if region is not None else None
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


def _issue(path: str, check: Callable[..., object], *args: Any) -> Iterable[ConfigIssue]:
    """Run one of a component's pure checks; its ValueError becomes an issue at `path`."""
    try:
        check(*args)
    except ValueError as exc:
        yield ConfigIssue(path, str(exc))


def _check_windows(
    section: str, daily: tuple[str, str], weekly: tuple[str, str], minimum_minutes: int
) -> Iterable[ConfigIssue]:
    """Each window long enough (named at its own key), then the two apart (named at the weekly one)."""
    issues = [
        *_issue(f"{section}.{daily[0]}", checks.daily_window, *daily, minimum_minutes),
        *_issue(f"{section}.{weekly[0]}", checks.weekly_window, *weekly, minimum_minutes),
    ]
    if not issues:
        apart = partial(checks.check_windows_apart, daily_min=minimum_minutes, weekly_min=minimum_minutes)
        issues.extend(_issue(f"{section}.{weekly[0]}", apart, *daily, *weekly))
    yield from issues


def _check_database(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    db = cfg.database
    if not db.enabled:
        return
    rules = database_rules
    yield from _issue(
        "database.min_acu",
        rules.check_capacity,
        db.instance_class,
        db.min_acu,
        db.max_acu,
        db.seconds_until_auto_pause,
        db.engine_version,
    )
    yield from _issue(
        "database.enable_proxy", rules.check_proxy, db.enable_proxy, db.instance_class, db.min_acu
    )
    yield from _check_windows(
        "database", ("backup_window", db.backup_window), ("maintenance_window", db.maintenance_window), 30
    )


def _check_cache(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    cache = cfg.cache
    if not cache.enabled:
        return
    rules = cache_rules
    yield from _issue("cache.engine_version", rules.parameter_group_family, cache.engine_version)
    yield from _issue("cache.multi_az", rules.check_replicas, cache.replicas, cache.multi_az)
    yield from _check_windows(
        "cache",
        ("snapshot_window", cache.snapshot_window),
        ("maintenance_window", cache.maintenance_window),
        60,
    )
    if cache.auth_token is not None:
        yield from _issue("cache.auth_token", rules.check_auth_token, cache.auth_token.get_secret_value())


@cache
def ivs_regions() -> tuple[str, ...]:
    """Regions that offer both IVS and IVS Chat, from botocore's endpoint data (no network call)."""
    import boto3

    session = boto3.Session()
    return tuple(
        sorted(set(session.get_available_regions("ivs")) & set(session.get_available_regions("ivschat")))
    )


def _check_streaming(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    streaming = cfg.streaming
    if not streaming.enabled:
        return
    # The component's own pure checks, so config and component agree on what is allowed.
    from social_components.streaming import validation

    region = cfg.regions.primary.name
    if region not in ivs_regions():
        yield ConfigIssue(
            "regions.primary.name",
            f"streaming needs IVS and IVS Chat, which {region} does not offer; "
            f"regions that do: {', '.join(ivs_regions())} (or set streaming.enabled: false)",
        )
    try:
        validation.check_recording_lifecycle(
            streaming.recording_expiration_days, streaming.recording_transition_days
        )
    except ValueError as exc:
        yield ConfigIssue("streaming.recording_expiration_days", str(exc))
    if streaming.playback_public_key is not None:
        try:
            validation.check_playback_public_key(streaming.playback_public_key)
        except ValueError as exc:
            yield ConfigIssue("streaming.playback_public_key", str(exc))
    for name, channel in streaming.channels.items():
        if channel.authorized and streaming.playback_public_key is None:
            yield ConfigIssue(
                f"streaming.channels.{name}.authorized",
                "a private channel needs streaming.playback_public_key (the ECDSA P-384 public key that "
                "verifies viewers' playback tokens); set it or make the channel public",
            )


def _check_cluster(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    """The cluster's rules across fields: node group sizes and architecture, team access, pools,
    what each add-on needs, and prod's high-availability floor."""
    from social_components.cluster.args import TeamAccess
    from social_components.cluster.validation import (
        ArgError,
        access_grants,
        check_sizes,
        missing_requirements,
        system_node_architecture,
    )

    section = cfg.cluster
    if not section.enabled:
        return
    nodes = section.system_nodes
    teams = {
        name: TeamAccess(
            tuple(t.admin_role_arns),
            tuple(t.developer_role_arns),
            tuple(t.read_only_role_arns),
            tuple(t.namespaces),
        )
        for name, t in section.teams.items()
    }
    deployer = cfg.accounts.get(cfg.environment.name)
    for check in (
        lambda: system_node_architecture(nodes.instance_types),
        lambda: check_sizes(nodes.min_size, nodes.desired_size, nodes.max_size),
        lambda: access_grants(teams, creator_role_arn=deployer.deploy_role_arn if deployer else None),
    ):
        try:
            check()
        except ArgError as exc:
            yield ConfigIssue(f"cluster.{exc.path}", exc.message)
    if "general" in section.karpenter.node_pools:
        yield ConfigIssue(
            "cluster.karpenter.node_pools.general",
            "is the default pool; set its limits with karpenter.cpu_limit, memory_limit_gib and spot,"
            " or give the extra pool another name",
        )
    enabled = [name for name, addon in section.addons.items() if addon.enabled]
    enabled += [name for name in get_args(AddonName) if name not in section.addons]
    for who, need in missing_requirements(enabled):
        yield ConfigIssue(f"cluster.addons.{need}.enabled", f"must be true: {who} needs {need}")
    kube_proxy = section.addons.get("kube-proxy")
    if (
        kube_proxy
        and kube_proxy.version
        and not kube_proxy.version.startswith(f"v{section.kubernetes_version}.")
    ):
        yield ConfigIssue(
            "cluster.addons.kube-proxy.version",
            f"must match kubernetes_version {section.kubernetes_version}"
            f" (v{section.kubernetes_version}.x-eksbuild.y; got {kube_proxy.version})",
        )
    if cfg.tier is Tier.prod:
        if nodes.min_size < 2:
            yield ConfigIssue(
                "cluster.system_nodes.min_size", f"prod keeps at least 2 system nodes (got {nodes.min_size})"
            )
        if section.karpenter.replicas < 2:
            yield ConfigIssue(
                "cluster.karpenter.replicas",
                f"prod runs at least 2 Karpenter controllers (got {section.karpenter.replicas})",
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


def _check_realtime(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    """What the realtime API and the wallet stand on, and their settings the components check."""
    if cfg.realtime.enabled:
        if not cfg.identity.enabled:
            yield ConfigIssue(
                "realtime.enabled", "needs identity.enabled: connections open with the user pool's tokens"
            )
        yield from _issue(
            "realtime.throttling_burst_limit",
            realtime_rules.check_throttling,
            cfg.realtime.throttling_rate_limit,
            cfg.realtime.throttling_burst_limit,
        )
    if cfg.wallet.enabled:
        for needed in ("cluster", "database"):
            if not getattr(cfg, needed).enabled:
                yield ConfigIssue(
                    "wallet.enabled",
                    f"needs {needed}.enabled: the wallet service runs on the cluster and keeps its ledger"
                    " in the database",
                )
        yield from _issue(
            "wallet.settlement_schedule", wallet_rules.check_schedule, cfg.wallet.settlement_schedule
        )
        yield from _issue("wallet.settlement_timezone", check_timezone, cfg.wallet.settlement_timezone)


def _check_identity(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    identity = cfg.identity
    if not identity.enabled:
        return
    prefix = identity.domain_prefix or f"{cfg.organization.name}-{cfg.environment.name}"
    reserved = [word for word in ("aws", "amazon", "cognito") if word in prefix]
    if reserved or len(prefix) > 57:
        yield ConfigIssue(
            "identity.domain_prefix",
            f"the managed-login prefix {prefix!r} must be at most 57 characters without "
            "'aws', 'amazon' or 'cognito'; set identity.domain_prefix",
        )
    domain = cfg.organization.domain
    if identity.custom_domain is not None:
        if identity.custom_domain != domain and not identity.custom_domain.endswith("." + domain):
            yield ConfigIssue(
                "identity.custom_domain",
                f"must be organization.domain {domain!r} or a name below it (got {identity.custom_domain!r})",
            )
        if not cfg.edge.enabled:
            yield ConfigIssue(
                "identity.custom_domain", "needs edge.enabled (its us-east-1 certificate serves the domain)"
            )
    for client in ("web", "mobile", "admin"):
        urls: AppClientUrls | None = getattr(identity, client)
        if urls is None:
            continue
        for field in ("callback_urls", "logout_urls"):
            for i, url in enumerate(getattr(urls, field)):
                parts = urlsplit(url)
                path = f"identity.{client}.{field}.{i}"
                if parts.scheme not in ("https", "http") and client != "mobile":
                    yield ConfigIssue(
                        path, f"custom URL schemes are for the mobile client only (got {url!r})"
                    )
                if parts.scheme == "http" and cfg.tier is Tier.prod:
                    yield ConfigIssue(path, f"prod allows https only (got {url!r})")
    for field in ("pre_sign_up_lambda_arn", "post_confirmation_lambda_arn"):
        arn = getattr(identity, field)
        if arn is None:
            continue
        region, account = arn.split(":")[3:5]
        own = cfg.accounts.get(cfg.environment.name)
        expected = (cfg.regions.primary.name, own.id if own else account)
        if (region, account) != expected:
            yield ConfigIssue(
                f"identity.{field}",
                f"must be a function in this stack's account {expected[1]} and primary region "
                f"{expected[0]}, where the user pool is (got account {account}, region {region})",
            )
    if identity.email is not None:
        ses_identity = identity.email.source_arn.split(":identity/", 1)[1]
        sender = identity.email.from_address
        sender_domain = sender.rsplit("@", 1)[1]
        if ses_identity != sender and not (
            sender_domain == ses_identity or sender_domain.endswith("." + ses_identity)
        ):
            yield ConfigIssue(
                "identity.email.from_address",
                f"must belong to the SES identity {ses_identity!r} of identity.email.source_arn "
                f"(got {sender!r})",
            )


def _check_secrets(cfg: PlatformConfig, secret_keys: set[str]) -> Iterable[ConfigIssue]:
    for path, _ in cfg.secrets():
        if path.split(".")[0] not in secret_keys:
            yield ConfigIssue(path, f"must be stored encrypted: pulumi config set --secret --path '{path}' …")


def environment_zone_name(cfg: PlatformConfig) -> str:
    """The environment's own public zone, `<env>.<domain>` (the shared stack owns `<domain>`)."""
    return f"{cfg.environment.name}.{cfg.organization.domain}"


def edge_aliases(cfg: PlatformConfig) -> list[str]:
    """The distribution's domain names: `edge.aliases`, else the environment zone's apex."""
    return list(cfg.edge.aliases or [environment_zone_name(cfg)])


def _check_edge(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    edge = cfg.edge
    if not edge.enabled:
        return
    if cfg.environment.is_tooling:
        yield ConfigIssue(
            "edge.enabled", "the shared stack holds the root DNS zone only; the edge runs in environments"
        )
        return
    zone = environment_zone_name(cfg)
    for index, alias in enumerate(edge.aliases or []):
        if alias != zone and not alias.endswith(f".{zone}"):
            yield ConfigIssue(
                f"edge.aliases.{index}", f"{alias!r} is not in this environment's zone {zone!r}"
            )
    if edge.aliases and len(set(edge.aliases)) != len(edge.aliases):
        yield ConfigIssue("edge.aliases", "lists a name twice")
    if edge.api_origin_domain is not None and edge.api_origin_domain in edge_aliases(cfg):
        yield ConfigIssue(
            "edge.api_origin_domain",
            f"{edge.api_origin_domain!r} is one of the distribution's own aliases; "
            "the origin must be the API's host, not CloudFront",
        )
    regions = [region.name for region in cfg.regions.all()]
    for region in edge.api_regional_origins:
        if region not in regions:
            yield ConfigIssue(
                f"edge.api_regional_origins.{region}",
                f"is not a region of this stack; allowed: {', '.join(regions)}",
            )
    if edge.api_origin_domain is not None and edge.api_regional_origins:
        yield ConfigIssue(
            "edge.api_regional_origins",
            "is unused when edge.api_origin_domain is set (an origin run elsewhere gets no latency "
            "records); remove one of them",
        )


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
