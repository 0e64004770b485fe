"""The machinery of the cost estimate: the price table (`prices.yaml`), charges, the context a
pricing rule reads and the rule registry. The rules themselves are `platform/charges/<topic>.py`;
the estimate and the `cost` console script are `platform/cost.py`."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from social_platform.areas.usage import UsageConfig
from social_platform.render import RenderedResource, RenderedStack

HOURS_PER_MONTH = 730
"""The month AWS's pricing calculator bills always-on resources for (24 * 365 / 12)."""
IMAGE_STORAGE_GB_PER_REPOSITORY = 5.0
"""Image storage of one repository once its lifecycle policy holds it steady (releases, a week of builds)."""
IMAGE_SCANS_PER_MONTH = 100.0
"""Images a region's registry receives per month (pushes, replicas), each scanned by Inspector once."""
ALB_AVERAGE_LCU = 1.0
"""Load balancer capacity units an API load balancer uses on average (ELB bills the busiest dimension)."""
PRICES_FILE = Path(__file__).with_name("prices.yaml")
GLOBAL = "global"
"""Region of charges that AWS bills globally (CloudFront, Route 53)."""
ANY_REGION = "all"
"""A price line that holds in every region."""


# ---------------------------------------------------------------------------------------------
# The price table


@dataclass(frozen=True)
class PriceLine:
    price: str
    region: str
    usd: float | None
    per: str
    source: str
    read: str
    region_verified: bool
    item: str | None = None


class PriceTable:
    def __init__(self, lines: Iterable[PriceLine]) -> None:
        self.lines = list(lines)
        self._index = {(line.price, line.item, line.region): line for line in self.lines}

    @classmethod
    def load(cls, path: Path = PRICES_FILE) -> PriceTable:
        lines = []
        for raw in yaml.safe_load(path.read_text())["lines"]:
            fields: dict[str, Any] = dict(raw)
            fields["read"] = str(fields["read"])  # YAML reads 2026-12-01 as a date
            lines.append(PriceLine(**fields))
        return cls(lines)

    def find(self, price: str, item: str | None, region: str) -> PriceLine | None:
        """The line for `region`, else the line that holds in every region."""
        return self._index.get((price, item, region)) or self._index.get((price, item, ANY_REGION))


@cache
def price_table() -> PriceTable:
    return PriceTable.load()


# ---------------------------------------------------------------------------------------------
# Charges: what a resource bills, in quantities of priced units


@dataclass(frozen=True)
class Charge:
    what: str
    price: str
    quantity: float
    region: str
    item: str | None = None
    assumption: str | None = None
    """The usage assumption the quantity rests on (None: read from the render)."""


@dataclass
class CostLine:
    resource: str
    type: str
    component: str
    charge: Charge
    line: PriceLine

    @property
    def usd(self) -> float | None:
        return None if self.line.usd is None else self.line.usd * self.charge.quantity


class UncoveredTypes(Exception):
    """The render holds resource types with neither a pricing rule nor a reviewed free entry."""

    def __init__(self, types: Iterable[str]) -> None:
        self.types = sorted(set(types))
        super().__init__(
            "no pricing rule and not on the reviewed free list: "
            + ", ".join(self.types)
            + " (add a rule in platform/charges/<topic>.py, or an entry with its reason in"
            " platform/charges/free.py)"
        )


class MissingPrices(Exception):
    """A charge has no line in the price table (a line may say 'not found', but it must exist)."""

    def __init__(self, missing: Iterable[tuple[str, str | None, str]]) -> None:
        self.missing = sorted(set(missing), key=str)
        listed = ", ".join(f"{p}[{i}] in {r}" if i else f"{p} in {r}" for p, i, r in self.missing)
        super().__init__(f"no line in platform/prices.yaml for: {listed}")


class NoUsageModel(ValueError):
    """A priced type whose rule has no usage model for this resource (e.g. a function outside the
    area whose traffic the rule models): the estimate stops rather than count it as zero."""

    def __init__(self, resource: RenderedResource, why: str) -> None:
        self.resource = resource.name
        super().__init__(f"{resource.type} '{resource.name}': {why} (add its usage model to the type's rule)")


@dataclass
class Context:
    stack: RenderedStack
    usage: UsageConfig

    def region_of(self, resource: RenderedResource) -> str:
        """Where a resource runs: its provider's region, else (Kubernetes objects) its cluster's."""
        region = self.stack.placement(resource)[1]
        if region is None:
            raise ValueError(f"cannot place {resource.urn} in a region")
        return region

    def by_id(self, id_: str) -> RenderedResource | None:
        return next((r for r in self.stack if r.id == id_), None)

    def siblings(self, resource: RenderedResource, type_: str) -> list[RenderedResource]:
        return [r for r in self.stack.children(resource.parent or "") if r.type == type_]


Rule = Callable[[RenderedResource, Context], list[Charge]]
RULES: dict[str, Rule] = {}


def rule(*types: str) -> Callable[[Rule], Rule]:
    def register(fn: Rule) -> Rule:
        for type_ in types:
            RULES[type_] = fn
        return fn

    return register


def assumed(ctx: Context, name: str, unit: str = "") -> tuple[float, str]:
    value = getattr(ctx.usage, name)
    return float(value), f"usage.{name} = {value:g}{unit}"


def said(*assumptions: str) -> str:
    """Several figures' assumptions as one note, each assumption once, in order."""
    parts = [part for text in assumptions for part in text.split(", ") if part]
    return ", ".join(dict.fromkeys(parts))


def gib(size: Any) -> float:
    """A volume size as the render holds it: a number of GiB or a Kubernetes quantity ("50Gi")."""
    if isinstance(size, int | float):
        return float(size)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)Gi", str(size))
    if not match:
        raise ValueError(f"unexpected volume size {size!r}")
    return float(match.group(1))


def volume_charges(mappings: list[dict[str, Any]], instance_hours: float, region: str) -> list[Charge]:
    charges = []
    for mapping in mappings or []:
        ebs = mapping.get("ebs") or {}
        size = gib(ebs.get("volumeSize", 0))
        kind = ebs.get("volumeType", "gp3")
        charges.append(
            Charge(
                f"{kind} volumes ({size:g} GiB each)",
                f"ebs.{kind}_gb_month",
                size * instance_hours / HOURS_PER_MONTH,
                region,
            )
        )
    return charges
