"""The repository layout: nothing shadows the standard library, and packaging ships every module."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import jsonschema
import pulumi
import pytest
import yaml

from social_components.cache import Cache
from social_platform import stackfiles
from social_platform.schema import SCHEMA_FILE, schema_text

from .conftest import STACKS

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
    ("folder", "package", "pyproject_file"),
    [
        ("components", "social_components", "components/pyproject.toml"),
        ("platform", "social_platform", "pyproject.toml"),
    ],
)
def test_every_sub_package_is_shipped(folder: str, package: str, pyproject_file: str) -> None:
    pyproject = tomllib.loads((ROOT / pyproject_file).read_text())
    shipped = set(pyproject["tool"]["setuptools"]["packages"])
    on_disk = {
        f"{package}." + str(p.parent.relative_to(ROOT / folder)).replace("/", ".")
        for p in (ROOT / folder).rglob("__init__.py")
        if p.parent != ROOT / folder
    }
    assert on_disk <= shipped, f"add to {pyproject_file} packages: {sorted(on_disk - shipped)}"


def test_pulumi_yaml_uses_the_venv_and_disables_default_providers() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "uv", "virtualenv": ".venv"}}
    assert set(project["config"]["pulumi:disable-default-providers"]["value"]) >= {"aws", "kubernetes"}


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


RENDER_HARNESS = {"render.py", "mocks.py"}
"""The offline render (and `social_components.testing`) drive the SDK's mock runtime and wire
format; the program itself must not."""


def _sdk_uses(path: Path) -> list[str]:
    """Private or non-exported Pulumi SDK names a module reaches for."""
    import ast

    import pulumi.runtime

    tree = ast.parse(path.read_text())
    aliases: set[str] = set()
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("pulumi"):
            for alias in node.names:
                if node.module == "pulumi.runtime" and alias.name not in pulumi.runtime.__all__:
                    found.append(f"from pulumi.runtime import {alias.name}")
                elif node.module.startswith("pulumi.runtime.") or alias.name.startswith("_"):
                    found.append(f"from {node.module} import {alias.name}")
                aliases.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            aliases |= {a.asname or a.name for a in node.names if a.name.startswith("pulumi")}
        elif isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            base = node.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in aliases:
                found.append(f"{ast.unparse(node)}")
    return found


def test_the_program_uses_only_the_public_pulumi_sdk() -> None:
    """Private SDK internals (`runtime.config._SECRET_KEYS`, `CONFIG`) may change in any 3.x release."""
    root = stackfiles.PROJECT_ROOT
    files = [p for p in (root / "platform").glob("*.py") if p.name not in RENDER_HARNESS]
    files += [p for p in (root / "components").rglob("*.py") if p.name != "testing.py"] + [
        root / "__main__.py"
    ]
    offences = {str(p.relative_to(root)): uses for p in files if (uses := _sdk_uses(p))}
    assert offences == {}


def test_the_sdk_check_catches_a_private_name(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(
        "from pulumi.runtime import config as runtime_config\nkeys = runtime_config._SECRET_KEYS.get()\n"
    )
    assert _sdk_uses(program) == [
        "from pulumi.runtime import config",
        "runtime_config._SECRET_KEYS",
    ]


def test_no_platform_module_is_longer_than_about_500_lines() -> None:
    """Issue 18: one home per area, and no module that holds several (config.py had 1,760 lines)."""
    lengths = {
        p.relative_to(ROOT).as_posix(): len(p.read_text().splitlines())
        for p in (ROOT / "platform").rglob("*.py")
    }
    assert len(lengths) > 30  # every module, areas and rules included
    over = {path: n for path, n in lengths.items() if n > 520}
    assert not over, over


def test_the_committed_schema_matches_the_model() -> None:
    assert SCHEMA_FILE.read_text() == schema_text(), "schema is stale: run `config-schema`"


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_validates_against_the_schema(stack: str) -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.validate(yaml.safe_load(stackfiles.stack_file(stack).read_text()), schema)


def test_the_schema_rejects_a_misspelt_key() -> None:
    schema = json.loads(SCHEMA_FILE.read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"config": {"social-platform:netwrok": {}}}, schema)


def _imports(tree: ast.Module) -> tuple[set[str], set[str]]:
    """Top-level packages a module imports at import time, and those it imports inside functions."""
    eager: set[str] = set()
    lazy: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inside = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                names = {alias.name for alias in child.names}
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = {child.module}
            else:
                names = set()
            (lazy if inside else eager).update(name.split(".")[0] for name in names)
            visit(child, inside)

    visit(tree, False)
    return eager, lazy


def test_components_import_only_what_their_distribution_installs() -> None:
    """components/pyproject.toml promises: pulumi and pulumi-aws; pulumi-eks and pulumi-kubernetes
    only in the cluster (the `cluster` extra); pulumi-random only where a password is generated
    (the `passwords` extra, imported on use). Never moto, boto3, pydantic or the platform."""
    core = set(sys.stdlib_module_names) | {"pulumi", "pulumi_aws", "social_components"}
    strays: dict[str, set[str]] = {}
    for path in (ROOT / "components").rglob("*.py"):
        eager, lazy = _imports(ast.parse(path.read_text()))
        # The migrations component runs its bootstrap Job on a cluster: it needs the cluster extra too.
        on_cluster = "cluster" in path.parts or "migrations" in path.parts
        allowed = core | ({"pulumi_eks", "pulumi_kubernetes"} if on_cluster else set())
        # Function code (`handlers/`) is packaged as an asset, never imported by its component, and
        # runs on AWS Lambda, whose Python runtime provides boto3.
        allowed |= {"boto3", "botocore"} if "handlers" in path.parts else set()
        extra = (eager - allowed) | (lazy - allowed - {"pulumi_random"})
        if extra:
            strays[str(path.relative_to(ROOT))] = extra
    assert not strays, f"components import what their distribution does not install: {strays}"


def test_a_generated_secret_without_the_passwords_extra_names_the_extra(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "pulumi_random", None)  # as in a venv without the extra
    cache = Cache.__new__(Cache)
    cache.name = "sessions"
    with pytest.raises(ModuleNotFoundError, match=re.escape("pip install 'social-components[passwords]'")):
        cache.generated_password("auth-token", 64, pulumi.ResourceOptions())
