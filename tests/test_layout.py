"""The repository layout: nothing shadows the standard library, and packaging ships every module."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
import tomllib

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


def test_every_component_package_is_shipped() -> None:
    pyproject = tomllib.loads((ROOT / "components" / "pyproject.toml").read_text())
    shipped = set(pyproject["tool"]["setuptools"]["packages"])
    on_disk = {
        "social_components." + str(p.parent.relative_to(ROOT / "components")).replace("/", ".")
        for p in (ROOT / "components").rglob("__init__.py")
        if p.parent != ROOT / "components"
    }
    assert on_disk <= shipped, f"add to components/pyproject.toml packages: {sorted(on_disk - shipped)}"


def test_pulumi_yaml_uses_the_venv_and_disables_default_providers() -> None:
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert set(project["config"]["pulumi:disable-default-providers"]["value"]) >= {"aws", "kubernetes"}


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
        allowed = core | ({"pulumi_eks", "pulumi_kubernetes"} if "cluster" in path.parts else set())
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
