"""Benchmark: what `preview` costs, per stack and for all stacks together.

For each stack alone, and for all of them in one command, it prints:

- whole command: wall time of `preview <stacks> --json DIR` in a fresh process (start-up, imports,
  render, printing and JSON writing; the median of `--repeat` runs), its CPU time (user + system,
  workers included) and its peak memory: the largest single process (what `/usr/bin/time -v`
  reports) and the whole process tree (the sum over the command and its workers, sampled);
- in-process render time (the median of `--repeat` renders after a warm-up render, so imports and
  first-use caches are not counted) and its ratio to the SDK floor.

The floor is a flat program that registers the same resources (same types and inputs, same
providers) under the same mocks, with no components, no nesting and no look-ups: what the Pulumi
SDK itself costs for that many registrations. Goal: ratio under 1.5 as components are added.

    .venv/bin/python scripts/benchmark_render.py [stack ...] [--repeat N] [--no-render] [--no-command]
        [--groups each|all|both] [--baseline PYTHON]

`--baseline PYTHON` also runs each command with the `preview` installed beside another interpreter
(a venv with the code before a change installed) alternately with this one's, so both see the same
machine load.

Timings on a shared machine are noisy: the load average is printed before and after; compare
medians taken under similar load (CPU time is less sensitive to load than wall time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
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


# Whole command -------------------------------------------------------------------------------


@dataclass
class CommandRun:
    wall: float
    cpu: float
    """User + system seconds of the command and every process it waited for."""
    peak_process_mb: float
    """The largest single process's peak resident memory (its VmHWM, sampled every 5 ms). Not the
    `ru_maxrss` of `wait4`: Linux carries a parent's peak into a forked child, so every command
    started by this (large, after its in-process renders) benchmark would report at least its size."""
    peak_tree_mb: float
    """The peak of the summed resident memory of the command and its workers (sampled every 5 ms)."""


def _tree_rss_kb(root: int) -> tuple[int, int]:
    """Resident memory of `root` and its descendants summed, and the largest peak resident memory
    (VmHWM) of any of them, from /proc (0 once they are gone)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)  # fields[1]: parent pid
        rss[pid] = int(fields[21]) * (os.sysconf("SC_PAGE_SIZE") // 1024)  # fields[21]: rss pages
    total, peak, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        peak = max(peak, _peak_rss_kb(pid))
        todo.extend(children.get(pid, []))
    return total, peak


def _peak_rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def run_command(stacks: list[str], out_dir: Path, python: str = sys.executable) -> CommandRun:
    """`preview <stacks> --json out_dir` in a fresh interpreter, output discarded: the console script
    installed beside `python`, as a user runs it."""
    command = [str(Path(python).parent / "preview"), *stacks, "--json", str(out_dir)]
    peak_tree = peak_process = 0
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finished = threading.Event()

    def sample() -> None:
        nonlocal peak_tree, peak_process
        while not finished.wait(0.005):
            tree, largest = _tree_rss_kb(process.pid)
            peak_tree, peak_process = max(peak_tree, tree), max(peak_process, largest)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    finished.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 2):
        raise SystemExit(f"{' '.join(command)} failed with status {process.returncode}")
    return CommandRun(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_process_mb=peak_process / 1024,
        peak_tree_mb=peak_tree / 1024,
    )


def measure_command(stacks: list[str], repeat: int, pythons: list[str]) -> list[CommandRun]:
    """Medians over `repeat` runs of the whole command, per interpreter (runs alternate)."""
    runs: list[list[CommandRun]] = [[] for _ in pythons]
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(repeat):
            for which, python in enumerate(pythons):
                runs[which].append(run_command(stacks, Path(tmp) / f"{which}-{i}", python))
    return [
        CommandRun(
            wall=statistics.median(r.wall for r in mine),
            cpu=statistics.median(r.cpu for r in mine),
            peak_process_mb=max(r.peak_process_mb for r in mine),
            peak_tree_mb=max(r.peak_tree_mb for r in mine),
        )
        for mine in runs
    ]


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("stacks", nargs="*", default=stackfiles.stack_names())
    parser.add_argument("--repeat", type=int, default=7, help="runs per measurement; the median is shown")
    parser.add_argument("--no-render", action="store_true", help="skip the in-process render figures")
    parser.add_argument("--no-command", action="store_true", help="skip the whole-command figures")
    parser.add_argument(
        "--groups",
        choices=("each", "all", "both"),
        default="both",
        help="whole commands to time: each stack alone, all stacks in one command, or both",
    )
    parser.add_argument("--baseline", metavar="PYTHON", help="also time the commands with this interpreter")
    args = parser.parse_args()

    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load()}")
    rows: dict[str, dict[str, str]] = {}
    render_total = floor_total = 0.0
    if not args.no_render:
        render("dev")  # warm-up: imports and first-use caches are not part of a stack's cost
        for name in args.stacks:
            seconds, stack = timed(args.repeat, lambda name=name: render(name))
            program = flat_program(stack)
            floor, _ = timed(args.repeat, lambda name=name, program=program: render(name, program=program))
            render_total += seconds
            floor_total += floor
            rows[name] = {
                "resources": str(len(stack)),
                "render s": f"{seconds:.3f}",
                "floor s": f"{floor:.3f}",
                "ratio": f"{seconds / floor:.2f}" if floor else "-",
            }
        rows["all"] = {
            "resources": str(sum(int(rows[name]["resources"]) for name in args.stacks)),
            "render s": f"{render_total:.3f}",
            "floor s": f"{floor_total:.3f}",
            "ratio": f"{render_total / floor_total:.2f}" if floor_total else "-",
        }
    if not args.no_command:
        groups = [[name] for name in args.stacks] if args.groups != "all" else []
        if args.groups != "each" and len(args.stacks) > 1:
            groups.append(args.stacks)
        pythons = [sys.executable] + ([args.baseline] if args.baseline else [])
        for group in groups:
            runs = measure_command(group, args.repeat, pythons)
            row = rows.setdefault("all" if len(group) > 1 else group[0], {})
            for prefix, run in zip(("", "base "), runs, strict=False):
                row[prefix + "command s"] = f"{run.wall:.3f}"
                row[prefix + "cpu s"] = f"{run.cpu:.3f}"
                row[prefix + "peak MB"] = f"{run.peak_process_mb:.0f}"
                row[prefix + "tree MB"] = f"{run.peak_tree_mb:.0f}"
    measures = ["command s", "cpu s", "peak MB", "tree MB"]
    columns = [*measures, *(f"base {m}" for m in measures), "resources", "render s", "floor s", "ratio"]
    columns = [c for c in columns if any(c in row for row in rows.values())]
    print(f"{'stack':<10}" + "".join(f"{c:>16}" for c in columns))
    for name, row in rows.items():
        print(f"{name:<10}" + "".join(f"{row.get(c, '-'):>16}" for c in columns), flush=True)
    print(
        f"(medians of {args.repeat}; command = `preview <stack…> --json DIR` in a fresh process; "
        f"'all' = {' '.join(args.stacks)} in one command; load average now {load()})"
    )
    if args.baseline:
        print(f"base = {args.baseline}")


if __name__ == "__main__":
    main()
