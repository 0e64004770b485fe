"""Building blocks of every config section: tiers, the strict model, tier defaults, prod locks,
common value types and the helpers that turn a component's pure checks into config issues."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from functools import cache, partial
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, WithJsonSchema

from social_components import checks
from social_components.checks import DAILY_PATTERN, WEEKLY_PATTERN
from social_components.checks import deep_merge as deep_merge  # re-exported: the areas use it
from social_components.naming import region_code as region_code  # re-exported: the areas use it
from social_platform import aws_region_data
from social_platform.errors import ConfigIssue


class Tier(StrEnum):
    dev = "dev"
    staging = "staging"
    prod = "prod"


class StrictModel(BaseModel):
    """Rejects unknown keys; values are immutable once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    def args_for(self, args: type, **given: Any) -> dict[str, Any]:
        """Keyword arguments for the component's `args` dataclass: this model's values of the
        settings it shares with `args` (same name, same setting; lists become tuples), plus `given`
        (what config does not hold as is). A setting added to both is passed on with no mapping."""
        import dataclasses

        shared = {spec.name for spec in dataclasses.fields(args)} & set(type(self).model_fields) - set(given)
        values = {name: getattr(self, name) for name in sorted(shared)}
        return {**{k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}, **given}


def _cidr_text(value: Any) -> Any:
    """A CIDR must be written as text: pydantic would read `7` as 0.0.0.7/32."""
    if not isinstance(value, str | ipaddress.IPv4Network):
        raise ValueError(
            f"must be a CIDR written as text, for example 10.0.0.0/16 (got {type(value).__name__})"
        )
    return value


Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(_cidr_text)]
"""An IPv4 range written as text (`a.b.c.d/n`)."""
RFC1918 = tuple(ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
"""The private ranges of RFC 1918 (not `is_private`, which also admits 198.18.0.0/15, 100.64.0.0/10 …)."""

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
RoleArn = Annotated[str, Field(pattern=r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")]
K8sName = Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
PinnedVersion = Annotated[str, Field(pattern=r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")]
"""An exact release (1.6.3, v1.20.0-eksbuild.1): never `latest`, never a range."""
InstanceType = Annotated[str, Field(pattern=r"^[a-z]+\d+[a-z-]*\.[a-z0-9]+$")]
DailyWindow = Annotated[str, Field(pattern=DAILY_PATTERN)]
"""A daily window in UTC, ``hh24:mi-hh24:mi``."""
WeeklyWindow = Annotated[str, Field(pattern=WEEKLY_PATTERN)]
"""A weekly window in UTC, ``ddd:hh24:mi-ddd:hh24:mi``."""
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
schema accepts nothing else; the loader refuses a plain-text value (`social_platform.config`)."""


def aws_regions() -> tuple[str, ...]:
    """Commercial AWS regions (botocore's EC2 endpoints, shipped in `aws_region_data`)."""
    return aws_region_data.REGIONS["ec2"]


def known_region(value: str) -> str:
    """A region name botocore knows, else a ValueError listing the allowed ones."""
    if value not in aws_regions():
        raise ValueError(f"unknown region {value!r}; allowed: {', '.join(aws_regions())}")
    return value


def availability_zones(region: str) -> tuple[tuple[str, str], ...]:
    """(name, zone id) of each AZ in `region`, from moto's copy of AWS's region data (empty if unknown),
    shipped in `aws_region_data`. The config check counts them; the offline render answers AZ
    look-ups with them."""
    return aws_region_data.ZONES.get(region, ())


# ---------------------------------------------------------------------------------------------
# Sections

Scope = Literal["workload", "tooling", "all"]


class ProdLock:
    """A safety default that a prod stack may not turn off."""

    def __init__(self, check: Callable[[Any], bool], allowed: str) -> None:
        self.check = check
        self.allowed = allowed


class Section(StrictModel):
    """Base of every component section.

    `KEY` is the section's config key. Fields with no default in the class are filled from
    `TIER_DEFAULTS[tier]`; a value in the stack file always wins. `enabled` defaults from `SCOPE`:
    workload sections are on in environment stacks, tooling sections in the shared stack.
    """

    KEY: ClassVar[str]
    SCOPE: ClassVar[Scope] = "workload"
    TIER_DEFAULTS: ClassVar[Mapping[Tier, Mapping[str, Any]]] = {}
    PROD_LOCKS: ClassVar[Mapping[str, ProdLock]] = {}

    enabled: bool
    """Whether the stack deploys this component (default: by the stack's kind)."""

    @classmethod
    def resolve(cls, raw: Mapping[str, Any], tier: Tier, is_tooling: bool) -> dict[str, Any]:
        """Item → tier default, in one place: what the stack file says wins."""
        in_scope = cls.SCOPE == "all" or (cls.SCOPE == "tooling") == is_tooling
        return {"enabled": in_scope, **cls.TIER_DEFAULTS.get(tier, {}), **raw}


def _tier_filled_schema(schema: dict[str, Any]) -> None:
    """Nested models whose fields come from tier defaults: nothing is required in a stack file."""
    schema.pop("required", None)


class TierFilledModel(StrictModel):
    """A nested section part some of whose fields have no class default: its section's `resolve`
    fills them from the tier defaults, so the JSON schema lists none as required."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, use_attribute_docstrings=True, json_schema_extra=_tier_filled_schema
    )


# ---------------------------------------------------------------------------------------------
# Checks


def issue(path: str, check: Callable[..., object], *args: Any) -> Iterable[ConfigIssue]:
    """Run one of a component's pure checks; its ValueError becomes an issue at `path`."""
    try:
        check(*args)
    except ValueError as exc:
        yield ConfigIssue(path, str(exc))


def needs(key: str, why: str, *sections: Section) -> Iterable[ConfigIssue]:
    """`key` turns on something that stands on the areas of `sections`: an issue at `key` for each of
    them that is off (``needs cluster.enabled: <why>``)."""
    for section in sections:
        if not section.enabled:
            yield ConfigIssue(key, f"needs {section.KEY}.enabled: {why}")


def check_windows(
    section: str, daily: tuple[str, str], weekly: tuple[str, str], minimum_minutes: int
) -> Iterable[ConfigIssue]:
    """Each window long enough (named at its own key), then the two apart (named at the weekly one)."""
    issues = [
        *issue(f"{section}.{daily[0]}", checks.daily_window, *daily, minimum_minutes),
        *issue(f"{section}.{weekly[0]}", checks.weekly_window, *weekly, minimum_minutes),
    ]
    if not issues:
        apart = partial(checks.check_windows_apart, daily_min=minimum_minutes, weekly_min=minimum_minutes)
        issues.extend(issue(f"{section}.{weekly[0]}", apart, *daily, *weekly))
    yield from issues


@cache
def attribute_docs(args: type) -> dict[str, str]:
    """The docstring written under each field of a dataclass (how the components document args)."""
    import ast
    import inspect
    import itertools
    import textwrap

    tree = ast.parse(textwrap.dedent(inspect.getsource(args)))
    body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
    docs: dict[str, str] = {}
    for statement, after in itertools.pairwise(body):
        if (
            isinstance(statement, ast.AnnAssign)
            and isinstance(statement.target, ast.Name)
            and isinstance(after, ast.Expr)
            and isinstance(after.value, ast.Constant)
            and isinstance(after.value.value, str)
        ):
            docs[statement.target.id] = inspect.cleandoc(after.value.value)
    return docs


def args_field(args: type, name: str, **constraints: Any) -> Any:
    """A config field that is the component's own setting `args.name`: its default and its
    description come from the args dataclass (written once, there); `constraints` are what config
    adds (ranges, patterns). `Section.args_for(args)` hands the value back under the same name."""
    return Field(default=arg_default(args, name), description=attribute_docs(args).get(name), **constraints)


def arg_default(args: type, name: str) -> Any:
    """The default of the component args dataclass `args`' field `name`, as config holds it (lists
    for tuples): a config field that is the same setting takes its default from here, not a copy."""
    import dataclasses

    for spec in dataclasses.fields(args):
        if spec.name == name:
            if spec.default is not dataclasses.MISSING:
                value = spec.default
            elif spec.default_factory is not dataclasses.MISSING:
                value = spec.default_factory()
            else:
                raise TypeError(f"{args.__name__}.{name} has no default")
            return list(value) if isinstance(value, tuple) else value
    raise TypeError(f"{args.__name__} has no field {name!r}")
