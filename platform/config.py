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
from typing import Annotated, Any, ClassVar, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from social_components.cluster.catalog import (
    KARPENTER_AMI_ALIAS,
    KARPENTER_VERSION,
    KUBERNETES_VERSION,
    AddonName,
)
from social_components.network import InterfaceEndpoint, SubnetPrefixes, plan_subnets
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


class RunnersConfig(Section):
    SCOPE = "tooling"
    TIER_DEFAULTS = {
        Tier.dev: {"max_instances": 2, "spot": True},
        Tier.staging: {"max_instances": 5, "spot": True},
        Tier.prod: {"max_instances": 20, "spot": True},
    }

    max_instances: Annotated[int, Field(ge=1, le=200)]
    """Upper bound of the worker auto scaling group (tier default)."""
    spot: bool
    """Run workers on spot capacity (tier default)."""


class CiConfig(Section):
    SCOPE = "all"

    gitlab_url: Annotated[str, Field(pattern=r"^https://[a-z0-9.-]+(:\d+)?$")] = "https://gitlab.com"
    """GitLab instance; its OIDC issuer is trusted by the keyless CI roles."""
    project_path: Annotated[str, Field(pattern=r"^[\w.-]+(/[\w.-]+)+$")] = "social/social-platform"
    """GitLab project path the CI roles trust (group/subgroup/project)."""


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
        *_check_cluster(cfg),
        *_check_secrets(cfg, set(secret_keys)),
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
