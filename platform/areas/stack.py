"""The stack-wide part of the config: organization, accounts, environment and regions.

`StackConfig` is the root model's base: everything an area may read about the stack besides its
own section, and `section(KindConfig)` to read another area's section with its type. Area modules
type their checks and build steps against it, so they never import the root model (no cycle).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Annotated, TypeVar

from pydantic import BaseModel, Field, SecretStr, field_validator

from social_platform.areas.base import (
    AccountId,
    Section,
    Slug,
    StrictModel,
    Tier,
    availability_zones,
    known_region,
    region_code,
)
from social_platform.errors import ConfigIssue

SHARED = "shared"


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
        return known_region(value)

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


S = TypeVar("S", bound=Section)


class StackConfig(StrictModel):
    """The stack-wide settings; the root model (`social_platform.config.PlatformConfig`) adds one
    field per area section."""

    organization: Organization
    accounts: dict[Slug, Account]
    """The shared/tooling account (key `shared`) and one account per environment."""
    environment: Environment
    regions: Regions
    shared_stack: Annotated[str, Field(pattern=r"^[\w.-]+/[\w.-]+/[\w.-]+$")] | None = None
    """Fully qualified name (org/project/stack) of the shared stack whose outputs environments read.
    Unset: the stack stands alone and features that need shared outputs (DNS delegation) are off."""

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

    def section(self, kind: type[S]) -> S:
        """Another area's section, typed: `cfg.section(EdgeConfig)` is `cfg.edge`."""
        value = getattr(self, kind.KEY)
        if not isinstance(value, kind):
            raise TypeError(f"{kind.KEY} is a {type(value).__name__}, not a {kind.__name__}")
        return value

    def sections(self) -> Iterable[Section]:
        """Every area section of the stack, in the root model's order."""
        for field in type(self).model_fields:
            value = getattr(self, field)
            if isinstance(value, Section):
                yield value

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


def environment_zone_name(cfg: StackConfig) -> str:
    """The environment's own public zone, `<env>.<domain>` (the shared stack owns `<domain>`)."""
    return f"{cfg.environment.name}.{cfg.organization.domain}"


# ---------------------------------------------------------------------------------------------
# Checks


def check_accounts(cfg: StackConfig) -> Iterable[ConfigIssue]:
    for needed in dict.fromkeys((SHARED, cfg.environment.name)):
        if needed not in cfg.accounts:
            yield ConfigIssue(f"accounts.{needed}", f"is required (an account for the {needed!r} stack)")


def check_regions(cfg: StackConfig, others: Mapping[str, Regions]) -> Iterable[ConfigIssue]:
    """AZ counts, distinct regions and address ranges, within the stack and across environments."""
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
