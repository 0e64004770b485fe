"""Benchmark: render time of each stack, and its ratio to the SDK's floor.

The floor is a flat program that registers the same resources (same types and inputs, same
providers) under the same mocks, with no components, no nesting and no look-ups: what the Pulumi
SDK itself costs for that many registrations. Goal: ratio under 1.5 as components are added.

    .venv/bin/python scripts/benchmark_render.py [stack ...] [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path
from typing import Any

import pulumi

from social_platform import stackfiles
from social_platform.render import SECRET_MASK, RenderedStack, render


def flat_program(template: RenderedStack) -> Any:
    """A program registering `template`'s resources flat, each with the provider it had."""

    def program(project_dir: Path) -> dict[str, Any]:
        providers: dict[str, pulumi.ProviderResource] = {}
        for resource in template.of_type("pulumi:providers:aws"):
            providers[resource.urn] = pulumi.ProviderResource("aws", resource.name, dict(resource.inputs))
        for index, resource in enumerate(template):
            if resource.type == "pulumi:pulumi:Stack" or resource.type.startswith("pulumi:providers:"):
                continue
            props = {k: v for k, v in resource.inputs.items() if v != SECRET_MASK}
            pulumi.CustomResource(
                resource.type,
                f"r{index}",
                props,
                opts=pulumi.ResourceOptions(provider=providers.get(resource.provider or "")),
            )
        return {}

    return program


def timed(repeat: int, fn: Any) -> tuple[float, Any]:
    runs = []
    result = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("stacks", nargs="*", default=stackfiles.stack_names())
    parser.add_argument("--repeat", type=int, default=5, help="renders per measurement; the median is shown")
    args = parser.parse_args()

    render("dev")  # warm-up: imports and first-use caches are not part of a stack's cost
    print(f"{'stack':<10}{'resources':>10}{'render s':>10}{'floor s':>10}{'ratio':>8}")
    for name in args.stacks:
        seconds, stack = timed(args.repeat, lambda name=name: render(name))
        program = flat_program(stack)
        floor, flat = timed(args.repeat, lambda name=name, program=program: render(name, program=program))
        ratio = seconds / floor if floor else float("nan")
        print(f"{name:<10}{len(stack):>10}{seconds:>10.3f}{floor:>10.3f}{ratio:>8.2f}  flat={len(flat)}")


if __name__ == "__main__":
    main()
