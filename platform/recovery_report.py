"""The `recovery` console script and the reports it prints: a table per stack, the README section
(kept in sync by tests/test_recovery.py) and JSON. The analysis itself is `social_platform.recovery`."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from social_platform.areas.backup import SCENARIOS, RecoveryTarget
from social_platform.errors import ConfigError
from social_platform.preview import config_error_text, stacks_parser
from social_platform.recovery import Objective, StackRecovery, duration_text, recovery_of
from social_platform.render import render


def _cell(objective: Objective | None) -> str:
    if objective is None:
        return "not recoverable"
    return f"{duration_text(objective.rpo_minutes)} / {duration_text(objective.rto_minutes)}"


def _target_cell(target: RecoveryTarget | None) -> str:
    return (
        "—"
        if target is None
        else f"{duration_text(target.rpo_minutes)} / {duration_text(target.rto_minutes)}"
    )


def _stack_cell(result: StackRecovery, scenario: str) -> str:
    supported = _cell(result.supported(scenario)) if result.resources else "no data stores"
    return f"{supported} ({_target_cell(result.targets.get(scenario))})"


def text_report(result: StackRecovery) -> list[str]:
    lines = [f"{result.stack} ({result.tier}): RPO / RTO per scenario, supported (target)"]
    header = ["data store", *SCENARIOS]
    rows = [
        [f"{r.name} ({r.kind}, {r.region})", *(_cell(r.scenarios.get(s)) for s in SCENARIOS)]
        for r in result.resources
    ]
    rows.append(["stack", *(_stack_cell(result, s) for s in SCENARIOS)])
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    lines.append("  how:")
    for r in result.resources:
        for s in SCENARIOS:
            objective = r.scenarios.get(s)
            if objective is not None:
                lines.append(f"    {r.name} {s}: {objective.how}")
    misses = result.misses()
    lines.append("  misses its targets:" if misses else "  meets its targets")
    lines.extend(f"    - {miss}" for miss in misses)
    return lines


README_BEGIN = (
    "<!-- BEGIN recovery objectives (recovery --readme dev staging prod shared; tests/test_recovery.py) -->"
)
README_END = "<!-- END recovery objectives -->"


def readme_section(results: Sequence[StackRecovery]) -> str:
    """The README's table: per stack and scenario, the RPO / RTO supported beside the target."""
    titles = {"deleted_data": "data deleted", "region_lost": "region lost", "account_lost": "account lost"}
    rows = [
        "| stack | "
        + " | ".join(f"{titles[s]}: supported (target)" for s in SCENARIOS)
        + " | meets targets |",
        "|---|" + "---|" * len(SCENARIOS) + "---|",
    ]
    for result in results:
        cells = [_stack_cell(result, s) for s in SCENARIOS]
        rows.append(
            f"| {result.stack} | " + " | ".join(cells) + f" | {'yes' if not result.misses() else 'no'} |"
        )
    return "\n".join([README_BEGIN, *rows, README_END])


def as_json(result: StackRecovery) -> dict[str, Any]:
    def objective(o: Objective | None) -> dict[str, Any] | None:
        return (
            None if o is None else {"rpo_minutes": o.rpo_minutes, "rto_minutes": o.rto_minutes, "how": o.how}
        )

    return {
        "stack": result.stack,
        "tier": result.tier,
        "resources": [
            {
                "name": r.name,
                "kind": r.kind,
                "region": r.region,
                **{s: objective(r.scenarios.get(s)) for s in SCENARIOS},
            }
            for r in result.resources
        ],
        "supported": {s: objective(result.supported(s)) for s in SCENARIOS},
        "targets": {s: t.model_dump() for s, t in result.targets.items()},
        "misses": result.misses(),
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = stacks_parser(
        "recovery",
        "Show the recovery point and time objectives (RPO, RTO) each stack supports, from its render.",
        "the figures",
    )
    parser.add_argument("--readme", action="store_true", help="print the README's table for the given stacks")
    args = parser.parse_args(argv)
    results = []
    for name in args.stacks:
        try:
            results.append(recovery_of(render(name)))
        except ConfigError as exc:
            print(f"error: {config_error_text(name, exc)}", file=sys.stderr)
            return 2
    if args.readme:
        print(readme_section(results))
    else:
        for result in results:
            print("\n".join(text_report(result)))
            print()
    if args.json is not None:
        _write_json(args.json, results)
    return 1 if any(r.misses() for r in results) else 0


def _write_json(path: Path, results: Iterable[StackRecovery]) -> None:
    items = list(results)
    if len(items) == 1:
        path.write_text(json.dumps(as_json(items[0]), indent=2) + "\n")
        return
    path.mkdir(parents=True, exist_ok=True)
    for result in items:
        (path / f"{result.stack}.json").write_text(json.dumps(as_json(result), indent=2) + "\n")
