"""The stack-wide part of the config: organization, accounts, environment and regions.

`StackConfig` is the root model's base: everything an area may read about the stack besides its
own section, and `section(KindConfig)` to read another area's section with its type. Area modules
type their checks and build steps against it, so they never import the root model (no cycle).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    RootModel,
    SecretStr,
    field_validator,
    model_validator,
)

from social_platform.areas.base import (
    RFC1918,
    AccountId,
    Cidr,
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


RegionName = Annotated[str, AfterValidator(known_region)]
"""An AWS region name, for example eu-west-1: the key of a region in `regions`."""


class RegionConfig(StrictModel):
    """One region of the stack, under its name: `regions: {eu-west-1: {vpc_cidr: …, primary: true}}`."""

    primary: bool = False
    """The region of the stack's single-region services (identity, streaming, CI, the database
    writer). Exactly one region is primary; a stack with one region may leave it unset."""
    vpc_cidr: Cidr
    """Private (RFC 1918) IPv4 range of this region's VPC, /16 to /22."""
    az_count: Annotated[int, Field(ge=2, le=6)] = 3
    """Availability zones to use (2 to 6; prod needs at least 3)."""

    @field_validator("vpc_cidr")
    @classmethod
    def _private_and_sized(cls, value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
        if not any(value.subnet_of(net) for net in RFC1918) or value.prefixlen < 16 or value.prefixlen > 22:
            raise ValueError(f"{value} is not allowed; use a private (RFC 1918) range from /16 to /22")
        return value


@dataclass(frozen=True)
class Region:
    """A region of the stack, with its name (the key it has in `regions`)."""

    name: str
    vpc_cidr: ipaddress.IPv4Network
    az_count: int
    primary: bool

    @property
    def code(self) -> str:
        return region_code(self.name)

    @property
    def key(self) -> str:
        """Its config path, for messages: ``regions.eu-west-1``."""
        return f"regions.{self.name}"


OLD_FORM = (
    "the `primary:`/`secondary:` slots are the old form; key each region by its name and mark one "
    "primary, for example regions: {eu-west-1: {vpc_cidr: 10.30.0.0/16, az_count: 3, primary: true}, "
    "eu-central-1: {vpc_cidr: 10.31.0.0/16, az_count: 3}}"
)


class Regions(RootModel[dict[RegionName, RegionConfig]]):
    """The stack's regions keyed by name, exactly one primary. Any number: a third region is one
    more entry (its network, cluster, cache, database secondary and web ACL follow)."""

    model_config = ConfigDict(
        frozen=True,
        # Editors flag the old `primary:`/`secondary:` slots and an empty map as the loader does.
        json_schema_extra={"minProperties": 1, "propertyNames": {"pattern": r"^[a-z]{2}(-[a-z]+)+-\d+$"}},
    )

    @model_validator(mode="before")
    @classmethod
    def _not_the_old_slots(cls, value: Any) -> Any:
        if isinstance(value, Mapping) and {"primary", "secondary"} & set(value):
            raise ValueError(OLD_FORM)
        return value

    @model_validator(mode="after")
    def _one_primary(self) -> Regions:
        if not self.root:
            raise ValueError("needs at least one region, for example regions: {eu-west-1: {vpc_cidr: …}}")
        flagged = [name for name, region in self.root.items() if region.primary]
        if len(self.root) > 1 and len(flagged) != 1:
            raise ValueError(
                "exactly one region needs primary: true "
                f"(got {len(flagged)}: {', '.join(flagged) or 'none'} of {', '.join(self.root)})"
            )
        return self

    def all(self) -> tuple[Region, ...]:
        """Every region, the primary first, then the others by name (stable whatever order the
        engine hands the map in)."""
        first = self._primary_name()
        names = [first, *sorted(name for name in self.root if name != first)]
        return tuple(self._region(name) for name in names)

    @property
    def primary(self) -> Region:
        """The primary region (the only one, or the one marked `primary: true`)."""
        return self._region(self._primary_name())

    def others(self) -> tuple[Region, ...]:
        """Every region but the primary, by name."""
        return self.all()[1:]

    def _primary_name(self) -> str:
        flagged = [name for name, region in self.root.items() if region.primary]
        return flagged[0] if flagged else next(iter(self.root))

    def _region(self, name: str) -> Region:
        spec = self.root[name]
        return Region(name, spec.vpc_cidr, spec.az_count, primary=name == self._primary_name())


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
    """AZ counts, and address ranges apart within the stack and across environments."""
    regions = cfg.regions.all()
    for region in regions:
        if cfg.tier is Tier.prod and region.az_count < 3:
            yield ConfigIssue(f"{region.key}.az_count", f"prod needs at least 3 AZs (got {region.az_count})")
        zones = len(availability_zones(region.name))
        if zones and region.az_count > zones:
            yield ConfigIssue(
                f"{region.key}.az_count", f"{region.name} has {zones} AZs (got {region.az_count})"
            )
    for i, region in enumerate(regions):
        for earlier in regions[:i]:
            if region.vpc_cidr.overlaps(earlier.vpc_cidr):
                yield ConfigIssue(
                    f"{region.key}.vpc_cidr",
                    f"{region.vpc_cidr} overlaps {earlier.key}.vpc_cidr {earlier.vpc_cidr}",
                )
    for env_name, other in sorted(others.items()):  # keyed by stack: one environment name twice is two ranges
        for mine in regions:
            for theirs in other.all():
                if mine.vpc_cidr.overlaps(theirs.vpc_cidr):
                    yield ConfigIssue(
                        f"{mine.key}.vpc_cidr",
                        f"{mine.vpc_cidr} overlaps {env_name}'s {theirs.key}.vpc_cidr {theirs.vpc_cidr};"
                        " every environment needs its own address range",
                    )
