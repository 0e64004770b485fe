"""`preview <stack>`: the offline preview.

Renders the stack's desired state with the render engine (no cloud credentials, no Pulumi CLI) and
prints a `pulumi preview`-like tree, counts per type and per component, and the stack outputs.
It is not a diff against live state; that is what `pulumi preview` does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from social_components import versions
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
    """Shows how many resources have been rendered so far, on stderr."""

    def __init__(self, stack: str, out: TextIO) -> None:
        self.stack = stack
        self.out = out
        self.tty = out.isatty()

    def __call__(self, count: int, type_: str, name: str) -> None:
        if self.tty:
            self.out.write(f"\r  rendering {self.stack}: {count} resources ({type_})\033[K")
        elif count % 100 == 0:
            self.out.write(f"  rendering {self.stack}: {count} resources…\n")
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
    args = parser.parse_args(argv)

    status = 0
    for name in args.stacks:
        print(f"Previewing stack '{name}' offline: desired state, no comparison with what is deployed.\n")
        progress = Progress(name, sys.stderr)
        try:
            stack = render(name, on_register=progress)
        except ConfigError as exc:
            progress.done()
            print(f"error: {config_error_text(name, exc)}", file=sys.stderr)
            status = 2
            continue
        progress.done()
        print("\n".join(tree_lines(stack) + summary_lines(stack)))
        for warning in pin_warnings(stack, dt.date.today()):
            print(warning, file=sys.stderr)
        if args.json:
            target = args.json / f"{name}.json" if len(args.stacks) > 1 else args.json
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(stack.to_json(), indent=2, default=str))
            print(f"\nRendered stack written to {target}")
    return status


if __name__ == "__main__":
    sys.exit(main())
