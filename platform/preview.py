"""`preview <stack>`: the offline preview.

Renders the stack's desired state with the render engine (no cloud credentials, no Pulumi CLI) and
prints a `pulumi preview`-like tree, counts per type and per component, and the stack outputs.
It is not a diff against live state; that is what `pulumi preview` does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import multiprocessing
import os
import shutil
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from social_components import versions
from social_platform import stackfiles
from social_platform.errors import ConfigError
from social_platform.render import RenderedResource, RenderedStack, keep_previous_garbage, render

Segment = tuple[str, str]
"""A piece of a line and its style (rich's style names; ignored when the output is plain)."""
Line = list[Segment]

PIPED_WIDTH = 120
"""Line width when the output is not a terminal and COLUMNS is unset (CI logs, files)."""
PLACEMENT_WIDTH = 32


def _placement(resource: RenderedResource) -> str:
    return f"{resource.account}/{resource.region}" if resource.account or resource.region else ""


def _fit(text: str, width: int) -> str:
    """`text` cut to `width` characters, the cut shown with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def _children_index(stack: RenderedStack) -> dict[str | None, list[RenderedResource]]:
    index: dict[str | None, list[RenderedResource]] = {}
    for resource in stack:
        index.setdefault(resource.parent, []).append(resource)
    for kids in index.values():
        kids.sort(key=lambda r: (r.custom, r.name, r.type))
    return index


def _walk(stack: RenderedStack) -> list[tuple[str, int, RenderedResource]]:
    """Depth first, every child right under its parent: (tree branch drawing, depth, resource)."""
    index = _children_index(stack)
    rows: list[tuple[str, int, RenderedResource]] = []

    def walk(resource: RenderedResource, prefix: str, last: bool, depth: int) -> None:
        branch = "" if depth == 0 else prefix + ("└─ " if last else "├─ ")
        rows.append((branch, depth, resource))
        kids = index.get(resource.urn, [])
        child_prefix = "" if depth == 0 else prefix + ("   " if last else "│  ")
        for i, kid in enumerate(kids):
            walk(kid, child_prefix, i == len(kids) - 1, depth + 1)

    for root in index.get(None, []):
        walk(root, "", True, 0)
    return rows


def tree_lines(stack: RenderedStack, width: int = PIPED_WIDTH) -> list[Line]:
    """The resource tree: component → children, with type, name and account/region, within `width`."""
    rows = _walk(stack)
    place_width = min(max((len(_placement(r)) for _, _, r in rows), default=0), PLACEMENT_WIDTH)
    room = max(width - 5 - place_width - 2, 20)
    type_width = min(max(len(b + r.type) for b, _, r in rows) + 2, room * 3 // 5)
    name_width = room - type_width
    lines: list[Line] = [
        [("     " + "Type".ljust(type_width) + "Name".ljust(name_width) + "Account/Region", "bold")]
    ]
    for branch, _, resource in rows:
        name = resource.name + (" [protected]" if resource.protect else "")
        kind = _fit(branch + resource.type, type_width - 2).ljust(type_width)
        lines.append(
            [
                (" +   ", "green"),
                (kind[: len(branch)], "dim"),
                (kind[len(branch) :], "cyan" if resource.custom else "bold cyan"),
                (_fit(name, name_width - 2).ljust(name_width), "yellow" if resource.protect else ""),
                (_fit(_placement(resource), place_width), "dim"),
            ]
        )
    return lines


def _value_lines(key: str, value: Any, indent: int, width: int) -> list[Line]:
    """One output as YAML-like lines: scalars inline, mappings and lists nested, all within `width`."""
    pad = "  " * indent
    head = f"{pad}-" if key == "-" else f"{pad}{key}:"  # "-": an item of a list
    if isinstance(value, dict) and value:
        out: list[Line] = [[(head, "bold" if indent == 1 else "")]]
        for sub_key, sub_value in value.items():
            out += _value_lines(str(sub_key), sub_value, indent + 1, width)
        return out
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    label = head + " "
    if isinstance(value, list) and value and len(label) + len(text) > width:
        # Too long for one line (or nested): one item a line, as YAML writes a list.
        out = [[(head, "bold" if indent == 1 else "")]]
        for item in value:
            out += _value_lines("-", item, indent + 1, width)
        return out
    return [[(label, "bold" if indent == 1 else ""), (_fit(text, max(width - len(label), 10)), "")]]


def summary_lines(stack: RenderedStack, width: int = PIPED_WIDTH) -> list[Line]:
    lines: list[Line] = [[("", "")], [("Resources by type:", "bold")]]
    for type_, count in sorted(Counter(r.type for r in stack).items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append([(f"  {count:>5}  ", ""), (_fit(type_, width - 9), "cyan")])
    lines += [[("", "")], [("Resources by component:", "bold")]]
    index = _children_index(stack)

    def size(resource: RenderedResource) -> int:
        return sum(1 + size(kid) for kid in index.get(resource.urn, []))

    for _, depth, resource in _walk(stack):
        # Only the platform's own components: multi-language ones (EKS, Helm charts) have no
        # children here. Parents come before their children, indented by depth.
        if resource.custom or not resource.type.startswith("social:"):
            continue
        label = f"{'  ' * depth}{resource.type}  {resource.name}"
        lines.append([(f"  {size(resource):>5}  ", ""), (_fit(label, width - 9), "")])
    lines += [[("", "")], [("Outputs:", "bold")]]
    for key, value in stack.outputs.items():
        lines += _value_lines(key, value, 1, width)
    lines += [[("", "")], [(total_line(stack), "bold")]]
    return lines


def total_line(stack: RenderedStack) -> str:
    protected = sum(r.protect for r in stack)
    return (
        f"Resources: {len(stack)} to create ({protected} protected); rendered offline in {stack.seconds:.2f}s"
    )


class Printer:
    """Lines to stdout: colour and the terminal's width on a terminal (rich), plain text when piped."""

    def __init__(self, out: TextIO | None = None) -> None:
        out = sys.stdout if out is None else out
        self.out = out
        self.styled = out.isatty() and "NO_COLOR" not in os.environ
        columns = os.environ.get("COLUMNS", "")
        if columns.isdigit():
            self.width = int(columns)
        elif out.isatty():
            self.width = shutil.get_terminal_size((PIPED_WIDTH, 24)).columns
        else:
            self.width = PIPED_WIDTH
        self._console: Any = None
        if self.styled:
            from rich.console import Console  # only on a terminal: piped runs never import it

            self._console = Console(file=out, width=self.width, highlight=False, soft_wrap=False)

    def __call__(self, lines: list[Line]) -> None:
        if self._console is None:
            self.out.write("".join("".join(text for text, _ in line).rstrip() + "\n" for line in lines))
            return
        from rich.text import Text

        for line in lines:
            styled = Text.assemble(*((text, style) for text, style in line))
            styled.rstrip()
            self._console.print(styled)


EKS_CLUSTER_TYPES = ("eks:index:Cluster", "aws:eks/cluster:Cluster")


def pin_warnings(stack: RenderedStack, today: dt.date) -> list[str]:
    """Warnings (not errors) for the pinned versions whose support ends within `versions.WARN_DAYS`:
    every pin of the catalogue, and the Kubernetes minor each of the stack's clusters asks for."""
    asked = sorted(
        {str(r.inputs["version"]) for r in stack.of_type(*EKS_CLUSTER_TYPES) if r.inputs.get("version")}
    )
    pins = tuple(p for p in versions.ALL if p is not versions.KUBERNETES or not asked)
    pins += tuple(versions.kubernetes_pin(version) for version in asked)
    return [f"warning: {message}" for message in versions.expiring(today, pins)]


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


def stack_json(stack: RenderedStack) -> str:
    """The rendered stack as `--json` writes it."""
    return json.dumps(stack.to_json(), indent=2, default=str)


@dataclass
class StackPreview:
    """What previewing one stack shows: the tree and summary (or, with `--json`, one line), an
    error on stderr, and the exit status. Plain data, so a worker process can hand it back."""

    stack: str
    header: str | None = None
    lines: list[Line] = field(default_factory=list)
    summary: str | None = None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    """Pinned versions whose support ends soon (`pin_warnings`), on stderr."""
    status: int = 0

    def show(self, printer: Printer) -> None:
        if self.header is not None:
            print(self.header)
        if self.error is not None:
            print(self.error, file=sys.stderr)
        for warning in self.warnings:
            print(warning, file=sys.stderr)
        if self.lines:
            printer(self.lines)
        if self.summary is not None:
            print(self.summary)


def preview_stack(name: str, json_target: Path | None, width: int, progress: Progress) -> StackPreview:
    """Render `name`; with `json_target`, write its JSON there and keep a one-line summary,
    else keep the tree and summary lines (`width` wide)."""
    result = StackPreview(name)
    if json_target is None:
        result.header = f"Previewing '{name}' offline: the desired state, not a diff with what is deployed.\n"
    try:
        stack = render(name, on_register=progress)
    except ConfigError as exc:
        progress.done()
        result.error = f"error: {config_error_text(name, exc)}"
        result.status = 2
        return result
    progress.done()
    result.warnings = pin_warnings(stack, dt.date.today())
    if json_target is None:
        result.lines = tree_lines(stack, width) + summary_lines(stack, width)
        return result
    # --json: the file holds everything; the terminal gets one line per stack.
    json_target.parent.mkdir(parents=True, exist_ok=True)
    json_target.write_text(stack_json(stack))
    result.summary = f"{name}: {total_line(stack)} → {json_target}"
    return result


def _preview_in_worker(name: str, json_target: Path | None, width: int) -> StackPreview:
    if not gc.isenabled():  # a console script's worker: it exits after a stack or two
        keep_previous_garbage()
    return preview_stack(name, json_target, width, Progress(name, sys.stderr, live=False))


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


def preview_all(
    stacks: Sequence[str], json_dir: Path | None, width: int, workers: int
) -> Iterator[StackPreview]:
    """Preview `stacks`, yielding each one's result in the order given as soon as it (and those
    before it) are done. With more than one worker the stacks render in parallel processes forked
    from this one (imports already done); results are identical to rendering them one by one."""

    def target(name: str) -> Path | None:
        if json_dir is None:
            return None
        return json_dir / f"{name}.json" if len(stacks) > 1 else json_dir

    if workers <= 1:
        for name in stacks:
            yield preview_stack(name, target(name), width, Progress(name, sys.stderr))
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[str, Future[StackPreview]] = {
            name: pool.submit(_preview_in_worker, name, target(name), width) for name in largest_first(stacks)
        }
        for name in stacks:
            yield futures[name].result()


def check_json_path(path: Path | None, stacks: int) -> str | None:
    """Why `--json path` cannot take `stacks` stacks' JSON (a file where a directory is needed, or the
    reverse), or None."""
    if path is None:
        return None
    if stacks > 1 and path.exists() and not path.is_dir():
        return f"--json {path}: with {stacks} stacks FILE is a directory (one <stack>.json each), not a file"
    if stacks == 1 and path.is_dir():
        return f"--json {path}: with one stack FILE is the file to write, and this is a directory"
    return None


class StacksParser(argparse.ArgumentParser):
    """Refuses a `--json` path of the wrong kind for the number of stacks (exit 2, naming it)."""

    def parse_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> argparse.Namespace:
        parsed = super().parse_args(args, namespace)
        problem = check_json_path(parsed.json, len(dict.fromkeys(parsed.stacks)))
        if problem:
            self.error(problem)
        return parsed


def stacks_parser(prog: str, description: str, writes: str) -> argparse.ArgumentParser:
    """The arguments of the commands that read one or several stacks (`preview`, `cost`, `recovery`):
    the stack names and `--json`."""
    parser = StacksParser(prog=prog, description=description)
    parser.add_argument(
        "stacks", nargs="+", metavar="stack", help=f"stack name ({', '.join(stackfiles.stack_names())})"
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help=f"write {writes} as JSON (with several stacks: FILE is a directory)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = stacks_parser(
        "preview",
        "Render a stack offline (its desired state, without AWS or the Pulumi CLI) and print it.",
        "the rendered stack",
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
    show = Printer()
    for result in preview_all(stacks, args.json, show.width, workers):
        result.show(show)
        status = max(status, result.status)
    return status


if __name__ == "__main__":
    sys.exit(main())
