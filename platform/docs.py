"""`docs`: the reference pages' generated parts, from the code (like terraform-docs for modules).

Each component's page under `docs/components/` holds, between `<!-- generated:args -->` and
`<!-- /generated:args -->`, a table per args dataclass of the component: every field with its type,
its default (or "required") and the docstring written under it in `args.py`. The tables are read
from the source with `ast`, so a field's documentation lives in one place, beside the field.

Between `<!-- generated:outputs -->` and `<!-- /generated:outputs -->` it holds the component's
outputs (the attributes annotated on its class in `component.py`, with their docstrings) and its
intent methods (public methods, with the first line of their docstrings).

`docs/configuration.md` holds, between `<!-- generated:config:<key> -->` and
`<!-- /generated:config:<key> -->`, each config section's keys with their dev, staging and prod
defaults (the section's own default or its `TIER_DEFAULTS`), what a prod stack may not change
(`PROD_LOCKS`) and the field's docstring: read from the config model itself, so the page cannot
disagree with what a stack gets.

`README.md` holds, between `<!-- generated:alarms -->` and `<!-- /generated:alarms -->`, the alarm
rules with their thresholds per tier (`areas/observability.alarm_table`).

`docs --check` fails when a page is out of date (the test suite runs it); `docs` rewrites them.
"""

from __future__ import annotations

import argparse
import ast
import functools
import re
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from social_platform.stackfiles import PROJECT_ROOT

COMPONENTS = PROJECT_ROOT / "components"
PAGES = PROJECT_ROOT / "docs" / "components"
START, END = "<!-- generated:args -->", "<!-- /generated:args -->"
OUTPUTS_START, OUTPUTS_END = "<!-- generated:outputs -->", "<!-- /generated:outputs -->"
ALARMS_MARKERS = ("<!-- generated:alarms -->", "<!-- /generated:alarms -->")
README = PROJECT_ROOT / "README.md"
CONFIG_PAGE = PROJECT_ROOT / "docs" / "configuration.md"
TIERS = ("dev", "staging", "prod")


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


def _docstring_after(body: list[ast.stmt], index: int) -> str:
    """The attribute docstring: a string literal right after the statement at `index`."""
    after = body[index + 1] if index + 1 < len(body) else None
    if (
        isinstance(after, ast.Expr)
        and isinstance(after.value, ast.Constant)
        and isinstance(after.value.value, str)
    ):
        return after.value.value
    return ""


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
            doc = _docstring_after(body, index)
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


def literal_aliases(folder: Path) -> dict[str, list[str]]:
    """`Name = Literal[...]` at module level in any module of a component folder: name → values."""
    aliases: dict[str, list[str]] = {}
    for path in sorted(folder.glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
                continue
            target, value = node.targets[0], node.value
            if (
                isinstance(target, ast.Name)
                and isinstance(value, ast.Subscript)
                and ast.unparse(value.value).split(".")[-1] == "Literal"
            ):
                values = value.slice.elts if isinstance(value.slice, ast.Tuple) else [value.slice]
                aliases[target.id] = [ast.unparse(v) for v in values]
    return aliases


def _values(classes: list[ArgsClass], aliases: dict[str, list[str]]) -> str | None:
    used = [
        name
        for name in aliases
        if any(re.search(rf"\b{name}\b", f.type) for cls in classes for f in cls.fields)
    ]
    if not used:
        return None
    lines = ["Values of the `Literal` types above:", ""]
    lines += [f"- `{name}`: " + ", ".join(f"`{_cell(v)}`" for v in aliases[name]) for name in used]
    return "\n".join(lines)


def generated(component: str) -> str:
    """What stands between the args markers of `docs/components/<component>.md`."""
    classes = list(args_classes(COMPONENTS / component / "args.py"))
    intro = f"Generated from `components/{component}/args.py` by `docs`; edit the docstrings there."
    values = _values(classes, literal_aliases(COMPONENTS / component))
    return "\n\n".join([intro, *(table(cls) for cls in classes), *([values] if values else [])])


def _component_classes(path: Path) -> Iterator[ast.ClassDef]:
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ClassDef) and any(
            ast.unparse(base).split(".")[-1] == "SocialComponent" for base in node.bases
        ):
            yield node


def generated_outputs(component: str) -> str:
    """What stands between the outputs markers: each component class's outputs and intent methods."""
    parts = [f"Generated from `components/{component}/component.py` by `docs`; edit the docstrings there."]
    for cls in _component_classes(COMPONENTS / component / "component.py"):
        rows = ["| output | type | description |", "|---|---|---|"]
        methods = []
        for index, statement in enumerate(cls.body):
            doc = _docstring_after(cls.body, index)
            if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
                if not ast.unparse(statement.annotation).startswith("ClassVar"):
                    rows.append(
                        f"| `{statement.target.id}` | `{_cell(ast.unparse(statement.annotation))}` |"
                        f" {_cell(_one_line(doc)) or '—'} |"
                    )
            elif isinstance(statement, ast.FunctionDef) and not statement.name.startswith("_"):
                params = [a.arg for a in statement.args.args if a.arg != "self"]
                summary = (ast.get_docstring(statement) or "").split("\n\n")[0]
                methods.append(f"- `{statement.name}({', '.join(params)})`: {_one_line(summary) or '—'}")
        parts.append(f"#### `{cls.name}`")
        if len(rows) > 2:
            parts.append("\n".join(rows))
        if methods:
            parts.append("Intent methods:\n\n" + "\n".join(methods))
    return "\n\n".join(parts)


def _flow(value: Any) -> str:
    """A config value as a stack file would write it (YAML flow style)."""
    if isinstance(value, BaseModel):
        value = value.model_dump()
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "unset"
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple, set, frozenset)):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return str(value)


def sections() -> dict[str, type[BaseModel]]:
    """The config model's area sections (the ones with tier defaults), by config key."""
    from social_platform.config import PlatformConfig

    found: dict[str, type[BaseModel]] = {}
    for name, info in PlatformConfig.model_fields.items():
        annotation = info.annotation
        if (
            isinstance(annotation, type)
            and issubclass(annotation, BaseModel)
            and hasattr(annotation, "TIER_DEFAULTS")
        ):
            found[name] = annotation
    return found


def config_table(section: type[BaseModel]) -> str:
    """Every key of a section: its default per tier, the prod lock, its docstring."""
    tier_defaults: Mapping[Any, Mapping[str, Any]] = getattr(section, "TIER_DEFAULTS", {})
    locks: Mapping[str, Any] = getattr(section, "PROD_LOCKS", {})
    by_tier = {str(getattr(tier, "value", tier)): values for tier, values in tier_defaults.items()}
    lines = ["| key | dev | staging | prod | description |", "|---|---|---|---|---|"]
    for name, info in section.model_fields.items():
        if name == "enabled":
            continue
        cells = []
        for tier in TIERS:
            if name in by_tier.get(tier, {}):
                cells.append(f"`{_cell(_flow(by_tier[tier][name]))}`")
            elif info.is_required():
                cells.append("required")
            else:
                cells.append(f"`{_cell(_flow(info.get_default(call_default_factory=True)))}`")
        if name in locks:
            cells[-1] += f" (locked: {_cell(locks[name].allowed)})"
        doc = _cell(_one_line(info.description or "")) or "—"
        lines.append(f"| `{name}` | " + " | ".join(cells) + f" | {doc} |")
    return "\n".join(lines)


def config_markers(key: str) -> tuple[str, str]:
    return f"<!-- generated:config:{key} -->", f"<!-- /generated:config:{key} -->"


def generated_config(text: str) -> str:
    """`docs/configuration.md` with every section's table regenerated."""
    for key, section in sections().items():
        intro = (
            f"Generated from the `{key}` section of the config model by `docs`; edit the field"
            " docstrings and `TIER_DEFAULTS` there."
        )
        text = updated(text, f"{intro}\n\n{config_table(section)}", config_markers(key))
    return text


def generated_alarms(text: str) -> str:
    """README.md with the alarm table regenerated."""
    from social_platform.areas.observability import alarm_table

    intro = (
        "Generated from `components/observability/catalog.py` (rules, defaults) and"
        " `platform/areas/observability.py` (`TIER_THRESHOLDS`) by `docs`; edit them there."
    )
    return updated(text, f"{intro}\n\n{alarm_table()}", ALARMS_MARKERS)


def components() -> list[str]:
    return sorted(p.parent.name for p in COMPONENTS.glob("*/args.py"))


def skeleton(component: str) -> str:
    """A new component page: the sections every page has, the generated parts still empty."""
    return (
        f"# {component.replace('_', ' ').capitalize()}\n\n"
        f"`social_components.{component}` — what it is, in one sentence.\n\n"
        "## What it builds\n\n## Usage\n\n"
        f"## Outputs\n\n{OUTPUTS_START}\n{OUTPUTS_END}\n\n"
        f"## Arguments\n\n{START}\n{END}\n"
    )


def page(component: str) -> Path:
    return PAGES / f"{component}.md"


def updated(text: str, body: str, markers: tuple[str, str] = (START, END)) -> str:
    head, start, rest = text.partition(markers[0])
    if not start:
        raise ValueError(f"no {markers[0]} marker")
    _, end, tail = rest.partition(markers[1])
    if not end:
        raise ValueError(f"no {markers[1]} marker")
    return f"{head}{start}\n{body}\n{end}{tail}"


def component_page(text: str, component: str) -> str:
    """A component page with its args and outputs regenerated."""
    text = updated(text, generated(component))
    return updated(text, generated_outputs(component), (OUTPUTS_START, OUTPUTS_END))


def _refresh(path: Path, render: Callable[[str], str], check: bool, stale: list[str]) -> None:
    """Regenerate one page: rewrite it, or (with `check`) note that it is out of date."""
    name = path.relative_to(PROJECT_ROOT)
    text = path.read_text(encoding="utf-8")
    try:
        new = render(text)
    except ValueError as exc:
        stale.append(f"{name}: {exc}")
        return
    if new == text:
        return
    if check:
        stale.append(f"{name} is out of date")
    else:
        path.write_text(new, encoding="utf-8")
        print(f"updated {name}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="docs", description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only report pages that are out of date")
    args = parser.parse_args(argv)
    stale = []
    for component in components():
        path = page(component)
        if not path.exists():
            if args.check:
                stale.append(f"{path.relative_to(PROJECT_ROOT)} is missing")
                continue
            path.write_text(skeleton(component), encoding="utf-8")
            print(f"created {path.relative_to(PROJECT_ROOT)}: write its prose (see docs/writing-docs.md)")
        _refresh(path, functools.partial(component_page, component=component), args.check, stale)
    _refresh(CONFIG_PAGE, generated_config, args.check, stale)
    _refresh(README, generated_alarms, args.check, stale)
    for line in stale:
        print(f"docs: {line}", file=sys.stderr)
    if stale:
        print("docs: run ./scripts/docs to regenerate", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
