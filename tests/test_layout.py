"""The repository layout: nothing shadows the standard library, and packaging ships every module."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from social_platform import stackfiles

ROOT = stackfiles.PROJECT_ROOT


def test_the_standard_platform_module_still_works_from_the_repo_root() -> None:
    code = "import platform, uuid; print(platform.system()); import social_platform.program"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "Linux"


def test_platform_folder_has_no_init_so_it_cannot_shadow_the_stdlib() -> None:
    assert not (ROOT / "platform" / "__init__.py").exists()


@pytest.mark.parametrize(
    ("folder", "package"), [("components", "social_components"), ("platform", "social_platform")]
)
def test_every_sub_package_is_shipped(folder: str, package: str) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = set(pyproject["tool"]["setuptools"]["packages"])
    on_disk = {
        f"{package}." + str(p.parent.relative_to(ROOT / folder)).replace("/", ".")
        for p in (ROOT / folder).rglob("__init__.py")
        if p.parent != ROOT / folder
    }
    assert on_disk <= shipped, f"add to [tool.setuptools] packages: {sorted(on_disk - shipped)}"


# Imports between platform modules --------------------------------------------------------------


def import_graph(folder: Path, package: str) -> dict[str, set[str]]:
    """Module → the modules of `package` it imports, read from the source: every import statement,
    also those under `if TYPE_CHECKING:` and inside functions (a cycle there is still a cycle in
    the design, and the next refactor turns it into a real one)."""
    modules = {
        ".".join((package, *p.relative_to(folder).with_suffix("").parts)).removesuffix(".__init__"): p
        for p in folder.rglob("*.py")
    }
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from pkg import mod` imports pkg.mod when it is a module, else a name of pkg.
                targets = [
                    f"{node.module}.{alias.name}" if f"{node.module}.{alias.name}" in modules else node.module
                    for alias in node.names
                ]
            else:
                continue
            for target in targets:
                # Importing a.b.c runs a/__init__ and a.b/__init__ first.
                parts = target.split(".")
                for i in range(2, len(parts) + 1):
                    prefix = ".".join(parts[:i])
                    if prefix in modules and prefix != name:
                        graph[name].add(prefix)
    return graph


def import_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph (its modules in import order, the first repeated at the end), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> list[str] | None:
        state[module] = 1
        path.append(module)
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[module] = 2
        return None

    for module in sorted(graph):
        if module not in state and (found := visit(module)):
            return found
    return None


def test_no_platform_module_imports_one_that_imports_it_back() -> None:
    graph = import_graph(ROOT / "platform", "social_platform")
    assert "social_platform.areas.cluster" in graph  # the walk sees the area modules
    assert import_cycle(graph) is None, " → ".join(import_cycle(graph) or [])


def test_the_cycle_check_sees_a_cycle_through_type_checking_imports(tmp_path: Path) -> None:
    """The shape the areas replaced: build steps imported `Platform` from the program that imports them."""
    (tmp_path / "program.py").write_text("from pkg.build_network import build\n")
    (tmp_path / "build_network.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.program import Platform\n"
    )
    graph = import_graph(tmp_path, "pkg")
    assert import_cycle(graph) == ["pkg.build_network", "pkg.program", "pkg.build_network"]
