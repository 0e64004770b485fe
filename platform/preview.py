"""`preview <stack>`: the offline preview.

Renders the stack's desired state with the render engine (no cloud credentials, no Pulumi CLI) and
prints a `pulumi preview`-like tree, counts per type and per component, and the stack outputs.
It is not a diff against live state; that is what `pulumi preview` does.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from social_platform import stackfiles
from social_platform.errors import ConfigError
from social_platform.render import RenderedResource, RenderedStack, render


def _placement(resource: RenderedResource) -> str:
    return f"{resource.account}/{resource.region}" if resource.account or resource.region else ""


def tree_lines(stack: RenderedStack) -> list[str]:
    """The resource tree: component → children, with type, name and account/region."""
    rows: list[tuple[str, str, str]] = []

    def walk(resource: RenderedResource, prefix: str, last: bool, top: bool) -> None:
        branch = "" if top else prefix + ("└─ " if last else "├─ ")
        flag = " [protected]" if resource.protect else ""
        rows.append((branch + resource.type, resource.name + flag, _placement(resource)))
        kids = sorted(stack.children(resource), key=lambda r: (r.custom, r.name, r.type))
        child_prefix = "" if top else prefix + ("   " if last else "│  ")
        for i, kid in enumerate(kids):
            walk(kid, child_prefix, i == len(kids) - 1, False)

    for root in (r for r in stack if r.parent is None):
        walk(root, "", True, True)
    type_width = max(len(r[0]) for r in rows) + 2
    name_width = max(len(r[1]) for r in rows) + 2
    header = f"     {'Type':<{type_width}}{'Name':<{name_width}}Account/Region"
    return [header] + [f" +   {t:<{type_width}}{n:<{name_width}}{p}".rstrip() for t, n, p in rows]


def summary_lines(stack: RenderedStack) -> list[str]:
    lines = ["", "Resources by type:"]
    for type_, count in sorted(Counter(r.type for r in stack).items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"  {count:>5}  {type_}")
    lines += ["", "Resources by component:"]
    for component in stack.components():
        if not component.type.startswith("social:"):
            continue  # multi-language components (EKS, Helm charts) have no children to count here
        lines.append(f"  {len(stack.descendants(component)):>5}  {component.type}  {component.name}")
    lines += ["", "Outputs:"]
    for key, value in stack.outputs.items():
        lines.append(f"    {key}: {json.dumps(value, default=str)}")
    protected = sum(r.protect for r in stack)
    lines += [
        "",
        f"Resources: {len(stack)} to create ({protected} protected); "
        f"rendered offline in {stack.seconds:.2f}s",
    ]
    return lines


def stack_json(stack: RenderedStack) -> str:
    """The rendered stack as `--json` writes it."""
    return json.dumps(stack.to_json(), indent=2, default=str)


class Progress:
    """Shows how many resources have been rendered so far, on stderr.

    On a terminal one line is rewritten in place (`live`); otherwise, and in parallel workers whose
    lines would overwrite each other, a line every 100 resources."""

    def __init__(self, stack: str, out: TextIO, live: bool | None = None) -> None:
        self.stack = stack
        self.out = out
        self.tty = out.isatty() if live is None else live

    def __call__(self, count: int, type_: str, name: str) -> None:
        if self.tty:
            self.out.write(f"\r  rendering {self.stack}: {count} resources ({type_})\033[K")
        elif count % 100 == 0:
            self.out.write(f"  rendering {self.stack}: {count} resources…\n")
        else:
            return
        self.out.flush()

    def done(self) -> None:
        if self.tty:
            self.out.write("\r\033[K")


def config_error_text(stack: str, exc: ConfigError) -> str:
    """What `preview` says when a stack cannot render: the problems one per line, and the file(s) to fix."""
    if isinstance(exc, stackfiles.UnknownStackError):
        return str(exc)
    project = stackfiles.project_keys()
    files = sorted(
        {
            "Pulumi.yaml" if issue.path.split(".")[0] in project else f"Pulumi.{stack}.yaml"
            for issue in exc.issues
        }
    )
    problems = "\n".join(f"  {issue}" for issue in exc.issues)
    it = "it" if len(exc.issues) == 1 else "them"
    return (
        f"stack '{stack}' has invalid configuration, so nothing was rendered:\n{problems}\n"
        f"Fix {it} in {' and '.join(files)}."
    )


@dataclass
class StackPreview:
    """What previewing one stack prints: its report on stdout, an error on stderr, its exit status."""

    stack: str
    report: str
    error: str = ""
    status: int = 0

    def show(self) -> None:
        print(self.report)
        if self.error:
            print(self.error, file=sys.stderr)


def preview_stack(name: str, json_target: Path | None, progress: Progress) -> StackPreview:
    """Render `name`, write its JSON to `json_target` (if given) and return what to print."""
    header = f"Previewing stack '{name}' offline: desired state, no comparison with what is deployed.\n"
    try:
        stack = render(name, on_register=progress)
    except ConfigError as exc:
        progress.done()
        return StackPreview(name, header, f"error: {config_error_text(name, exc)}", status=2)
    progress.done()
    parts = [header, "\n".join(tree_lines(stack) + summary_lines(stack))]
    if json_target is not None:
        json_target.parent.mkdir(parents=True, exist_ok=True)
        json_target.write_text(stack_json(stack))
        parts.append(f"\nRendered stack written to {json_target}")
    return StackPreview(name, "\n".join(parts))


def _preview_in_worker(name: str, json_target: Path | None) -> StackPreview:
    return preview_stack(name, json_target, Progress(name, sys.stderr, live=False))


def parallel_workers(stacks: int) -> int:
    """Processes to render `stacks` stacks with: one per core the command may use, at most one per
    stack; 1 (render in this process) where processes cannot be forked."""
    if stacks < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(stacks, len(os.sched_getaffinity(0))))


def largest_first(stacks: Sequence[str]) -> list[str]:
    """The order to hand stacks to the workers: the largest first, so that no big stack starts last
    while the other workers idle. Size is estimated by the number of regions (each region is a
    network, a cluster and a data tier); among equals, later stacks in the usual order
    (shared, dev, staging, prod) turn on more and go first."""

    def regions(name: str) -> int:
        try:
            return len(stackfiles.read_stack_files(name).values.get("regions") or {})
        except ConfigError:
            return 0  # the render reports it

    rank = {name: (regions(name), index) for index, name in enumerate(stacks)}
    return sorted(stacks, key=lambda name: rank[name], reverse=True)


def preview_all(stacks: Sequence[str], json_dir: Path | None, workers: int) -> Iterator[StackPreview]:
    """Preview `stacks`, yielding each one's result in the order given as soon as it (and those
    before it) are done. With more than one worker the stacks render in parallel processes forked
    from this one (imports already done); results are identical to rendering them one by one."""

    def target(name: str) -> Path | None:
        if json_dir is None:
            return None
        return json_dir / f"{name}.json" if len(stacks) > 1 else json_dir

    if workers <= 1:
        for name in stacks:
            yield preview_stack(name, target(name), Progress(name, sys.stderr))
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[str, Future[StackPreview]] = {
            name: pool.submit(_preview_in_worker, name, target(name)) for name in largest_first(stacks)
        }
        for name in stacks:
            yield futures[name].result()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="preview",
        description="Render a stack offline (its desired state, without AWS or the Pulumi CLI) and print it.",
    )
    parser.add_argument(
        "stacks", nargs="+", metavar="stack", help=f"stack name ({', '.join(stackfiles.stack_names())})"
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="write the rendered stack as JSON (with several stacks: FILE is a directory)",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        metavar="N",
        help="stacks rendered in parallel processes (default: one per CPU core; 1: in this process)",
    )
    args = parser.parse_args(argv)
    stacks = list(dict.fromkeys(args.stacks))
    workers = parallel_workers(len(stacks)) if args.jobs is None else max(1, min(args.jobs, len(stacks)))

    status = 0
    for result in preview_all(stacks, args.json, workers):
        result.show()
        status = max(status, result.status)
    return status


if __name__ == "__main__":
    sys.exit(main())
