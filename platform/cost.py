"""`cost <stack>`: an offline monthly estimate of a rendered stack.

The estimate reads the same `RenderedStack` as the tests, the policies and the preview: each
resource type the render can contain either has a pricing rule (`platform/charges/<topic>.py`,
registered in `RULES`) or is on the reviewed list of types that cost nothing by themselves
(`FREE`, each with its reason). A type on neither list stops the estimate (`UncoveredTypes`):
nothing is priced as a silent zero. The machinery (price table, charges, rule registry) is
`costbook.py`.

Prices come from `prices.yaml` (one line per price, item and region, each with its source and the
date it was read). A charge whose line has no price (`usd: null`, "not found by search") is shown
as UNPRICED and left out of the total, which says how many were left out. What the render cannot
know (users, traffic, log volume…) comes from the stack's `usage` config section, whose tier
defaults are printed beside the figures.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from social_platform import stackfiles
from social_platform.areas.usage import UsageConfig
from social_platform.charges import FREE
from social_platform.config import load_config
from social_platform.costbook import (
    RULES,
    Context,
    CostLine,
    MissingPrices,
    NoUsageModel,
    PriceTable,
    UncoveredTypes,
    price_table,
)
from social_platform.errors import ConfigError
from social_platform.preview import config_error_text, stacks_parser
from social_platform.render import RenderedResource, RenderedStack, render


def _priceable(resource: RenderedResource) -> bool:
    """Every resource except the stack and the platform's own components (whose children are priced)."""
    return resource.type != "pulumi:pulumi:Stack" and not resource.type.startswith("social:")


def uncovered_types(stack: RenderedStack) -> set[str]:
    return {r.type for r in stack if _priceable(r) and r.type not in RULES and r.type not in FREE}


# ---------------------------------------------------------------------------------------------
# The estimate


@dataclass
class Estimate:
    stack: str
    tier: str
    usage: dict[str, Any]
    lines: list[CostLine] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(line.usd or 0.0 for line in self.lines)

    @property
    def unpriced(self) -> list[CostLine]:
        return [line for line in self.lines if line.usd is None]

    @property
    def unverified(self) -> list[CostLine]:
        return [line for line in self.lines if line.usd is not None and not line.line.region_verified]

    def by_component(self) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for line in self.lines:
            totals[line.component] += line.usd or 0.0
        return dict(sorted(totals.items(), key=lambda kv: -kv[1]))

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "tier": self.tier,
            "total_usd": round(self.total, 2),
            "by_component_usd": {k: round(v, 2) for k, v in self.by_component().items()},
            "unpriced": len(self.unpriced),
            "usage": self.usage,
            "lines": [
                {
                    "resource": line.resource,
                    "type": line.type,
                    "component": line.component,
                    **asdict(line.charge),
                    "unit_usd": line.line.usd,
                    "usd": None if line.usd is None else round(line.usd, 4),
                    "per": line.line.per,
                    "source": line.line.source,
                    "region_verified": line.line.region_verified,
                }
                for line in self.lines
            ],
        }


def _component(stack: RenderedStack, resource: RenderedResource) -> str:
    """The outermost platform component a resource belongs to ("stack" for top-level resources)."""
    found = "stack"
    parent = resource.parent
    while parent:
        owner = stack.resources[parent]
        if owner.type.startswith("social:"):
            found = f"{owner.type.split(':')[1]} {owner.name}"
        parent = owner.parent
    return found


def estimate(stack: RenderedStack, usage: UsageConfig, table: PriceTable | None = None) -> Estimate:
    """Price every resource of a rendered stack. Raises `UncoveredTypes` or `MissingPrices` rather
    than count anything as zero without saying so."""
    table = table or price_table()
    uncovered = uncovered_types(stack)
    if uncovered:
        raise UncoveredTypes(uncovered)
    ctx = Context(stack, usage)
    result = Estimate(stack.stack, "", usage.model_dump(exclude={"enabled"}))
    missing = []
    for resource in stack:
        if not _priceable(resource) or resource.type in FREE:
            continue
        for charge in RULES[resource.type](resource, ctx):
            line = table.find(charge.price, charge.item, charge.region)
            if line is None:
                missing.append((charge.price, charge.item, charge.region))
                continue
            result.lines.append(
                CostLine(resource.name, resource.type, _component(stack, resource), charge, line)
            )
    if missing:
        raise MissingPrices(missing)
    return result


def estimate_stack(
    name: str, project_dir: Path = stackfiles.PROJECT_ROOT, rendered: RenderedStack | None = None
) -> Estimate:
    """Render (unless given) and price one stack with its own usage assumptions."""
    raw = stackfiles.read_stack_files(name, project_dir)
    cfg = load_config(raw.values, secret_keys=raw.secret_keys)
    result = estimate(rendered or render(name, project_dir), cfg.usage)
    result.tier = cfg.tier.value
    return result


# ---------------------------------------------------------------------------------------------
# Output


def _usd(value: float | None) -> str:
    return "UNPRICED" if value is None else f"${value:,.2f}"


def text_report(result: Estimate) -> list[str]:
    out = [
        f"Monthly estimate for stack '{result.stack}' (tier {result.tier}): offline, list prices from "
        "platform/prices.yaml, no free tier, no discounts.",
        "",
        f"  {'USD/month':>11}  {'component':<28} {'resource':<40} what",
    ]
    for line in sorted(result.lines, key=lambda c: (c.component, c.resource, c.charge.what)):
        flag = "" if line.line.region_verified or line.usd is None else " *"
        note = f"  [{line.charge.assumption}]" if line.charge.assumption else ""
        out.append(
            f"  {_usd(line.usd):>11}  {line.component:<28} {line.resource:<40} "
            f"{line.charge.what}: {line.charge.quantity:,.4g} {line.line.per}{flag}{note}"
        )
    out += ["", "By component:"]
    out += [f"  {_usd(v):>11}  {k}" for k, v in result.by_component().items()]
    out += ["", f"Total: {_usd(result.total)} per month"]
    if result.unpriced:
        names = sorted(
            {c.charge.price + (f"[{c.charge.item}]" if c.charge.item else "") for c in result.unpriced}
        )
        out.append(
            f"  + {len(result.unpriced)} charges UNPRICED (no price found; see platform/prices.yaml): "
            + ", ".join(names)
        )
    if result.unverified:
        out.append(
            f"  * {len(result.unverified)} charges use a price not verified for their region "
            "(the line's source says which)"
        )
    out += ["", "Usage assumptions (social-platform:usage; tier defaults unless the stack file sets them):"]
    out += ["  " + ", ".join(f"{k}={v}" for k, v in result.usage.items())]
    return out


def compare_report(before: dict[str, Any], after: Estimate) -> list[str]:
    """What changes between a saved estimate (`--json` of main) and this one, per component."""
    old = before.get("by_component_usd", {})
    new = {k: round(v, 2) for k, v in after.by_component().items()}
    out = [f"Cost change for stack '{after.stack}' against the saved estimate:"]
    for component in sorted(set(old) | set(new)):
        delta = new.get(component, 0.0) - old.get(component, 0.0)
        if abs(delta) >= 0.005:
            out.append(f"  {delta:+12,.2f}  {component}")
    delta_total = after.total - before.get("total_usd", 0.0)
    out.append(f"  {delta_total:+12,.2f}  total (now {_usd(after.total)} per month)")
    unpriced_delta = len(after.unpriced) - before.get("unpriced", 0)
    if unpriced_delta:
        out.append(f"  {unpriced_delta:+d} UNPRICED charges")
    return out


README_BEGIN = "<!-- BEGIN cost estimates (cost --readme dev staging prod; tests/test_cost.py) -->"
README_END = "<!-- END cost estimates -->"


def readme_section(results: Sequence[Estimate]) -> str:
    """The README's cost table: per stack the total, the largest components and what is unpriced."""
    rows = ["| stack | estimate (USD/month) | largest parts | unpriced charges |", "|---|---:|---|---:|"]
    for result in results:
        top = ", ".join(f"{k} ${v:,.0f}" for k, v in list(result.by_component().items())[:3])
        rows.append(f"| {result.stack} | ${result.total:,.0f} | {top} | {len(result.unpriced)} |")
    return "\n".join([README_BEGIN, *rows, README_END])


def main(argv: Sequence[str] | None = None) -> int:
    parser = stacks_parser(
        "cost",
        "Estimate a stack's monthly AWS cost offline, from its render and platform/prices.yaml.",
        "the estimate",
    )
    parser.add_argument(
        "--compare",
        metavar="FILE",
        type=Path,
        help="print the change against a saved --json estimate (one stack)",
    )
    parser.add_argument("--readme", action="store_true", help="print the README's table for the given stacks")
    args = parser.parse_args(argv)

    results = []
    for name in args.stacks:
        try:
            result = estimate_stack(name)
        except ConfigError as exc:
            print(f"error: {config_error_text(name, exc)}", file=sys.stderr)
            return 2
        except (UncoveredTypes, MissingPrices, NoUsageModel) as exc:
            print(f"error: stack '{name}' cannot be priced: {exc}", file=sys.stderr)
            return 3
        results.append(result)
        if args.compare:
            print("\n".join(compare_report(json.loads(args.compare.read_text()), result)))
        elif not args.readme:
            print("\n".join(text_report(result)) + "\n")
        if args.json:
            target = args.json / f"{name}.json" if len(args.stacks) > 1 else args.json
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(result.to_json(), indent=2))
    if args.readme:
        print(readme_section(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
