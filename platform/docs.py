"""`docs`: the reference pages' generated parts, from the code (like terraform-docs for modules).

Each component's page under `docs/components/` holds, between `<!-- generated:args -->` and
`<!-- /generated:args -->`, a table per args dataclass of the component: every field with its type,
its default (or "required") and the docstring written under it in `args.py`. The tables are read
from the source with `ast`, so a field's documentation lives in one place, beside the field.

`docs --check` fails when a page is out of date (the test suite runs it); `docs` rewrites them.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from social_platform.stackfiles import PROJECT_ROOT

COMPONENTS = PROJECT_ROOT / "components"
PAGES = PROJECT_ROOT / "docs" / "components"
START, END = "<!-- generated:args -->", "<!-- /generated:args -->"


@dataclass(frozen=True)
class Field:
    name: str
    type: str
    default: str | None
    """Source of the default; None when the field is required."""
    doc: str


@dataclass(frozen=True)
class ArgsClass:
    name: str
    doc: str
    fields: tuple[Field, ...]


def _is_dataclass(node: ast.ClassDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target).split(".")[-1] == "dataclass":
            return True
    return False


def _default(value: ast.expr | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, ast.Call) and ast.unparse(value.func).split(".")[-1] == "field":
        for keyword in value.keywords:
            if keyword.arg == "default":
                return ast.unparse(keyword.value)
            if keyword.arg == "default_factory":
                factory = ast.unparse(keyword.value)
                return (
                    f"{factory}()" if not factory.startswith("lambda") else factory.removeprefix("lambda: ")
                )
        return None
    return ast.unparse(value)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def args_classes(path: Path) -> Iterator[ArgsClass]:
    """The dataclasses of an args module, in source order, with their fields' docstrings."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in tree.body:
        if not isinstance(node, ast.ClassDef) or not _is_dataclass(node):
            continue
        fields = []
        body = node.body
        for index, statement in enumerate(body):
            if not isinstance(statement, ast.AnnAssign) or not isinstance(statement.target, ast.Name):
                continue
            if ast.unparse(statement.annotation).startswith("ClassVar"):
                continue
            after = body[index + 1] if index + 1 < len(body) else None
            doc = (
                after.value.value
                if isinstance(after, ast.Expr)
                and isinstance(after.value, ast.Constant)
                and isinstance(after.value.value, str)
                else ""
            )
            fields.append(
                Field(
                    statement.target.id,
                    ast.unparse(statement.annotation),
                    _default(statement.value),
                    _one_line(doc),
                )
            )
        yield ArgsClass(node.name, _one_line(ast.get_docstring(node) or ""), tuple(fields))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def table(cls: ArgsClass) -> str:
    lines = [f"#### `{cls.name}`", ""]
    if cls.doc:
        lines += [cls.doc, ""]
    lines += ["| argument | type | default | description |", "|---|---|---|---|"]
    for f in cls.fields:
        default = "required" if f.default is None else f"`{_cell(f.default)}`"
        lines.append(f"| `{f.name}` | `{_cell(f.type)}` | {default} | {_cell(f.doc) or '—'} |")
    return "\n".join(lines)


def generated(component: str) -> str:
    """What stands between the markers of `docs/components/<component>.md`."""
    classes = list(args_classes(COMPONENTS / component / "args.py"))
    intro = f"Generated from `components/{component}/args.py` by `docs`; edit the docstrings there."
    return "\n\n".join([intro, *(table(cls) for cls in classes)])


def components() -> list[str]:
    return sorted(p.parent.name for p in COMPONENTS.glob("*/args.py"))


def page(component: str) -> Path:
    return PAGES / f"{component}.md"


def updated(text: str, body: str) -> str:
    head, start, rest = text.partition(START)
    if not start:
        raise ValueError(f"no {START} marker")
    _, end, tail = rest.partition(END)
    if not end:
        raise ValueError(f"no {END} marker")
    return f"{head}{START}\n{body}\n{END}{tail}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report pages that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for component in components():
        path = page(component)
        if not path.exists():
            stale.append(f"{path.relative_to(PROJECT_ROOT)} is missing")
            continue
        text = path.read_text(encoding="utf-8")
        try:
            new = updated(text, generated(component))
        except ValueError as exc:
            stale.append(f"{path.relative_to(PROJECT_ROOT)}: {exc}")
            continue
        if new != text:
            if args.check:
                stale.append(f"{path.relative_to(PROJECT_ROOT)} is out of date")
            else:
                path.write_text(new, encoding="utf-8")
                print(f"updated {path.relative_to(PROJECT_ROOT)}")
    for line in stale:
        print(f"docs: {line}", file=sys.stderr)
    if stale:
        print("docs: run ./scripts/docs to regenerate", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
