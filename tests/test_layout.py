"""The repository layout: nothing shadows the standard library, and packaging ships every module."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import jsonschema
import pytest
import yaml

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
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = set(pyproject["tool"]["setuptools"]["packages"])
    on_disk = {
        "social_components." + str(p.parent.relative_to(ROOT / "components")).replace("/", ".")
        for p in (ROOT / "components").rglob("__init__.py")
        if p.parent != ROOT / "components"
    }
    assert on_disk <= shipped, f"add to [tool.setuptools] packages: {sorted(on_disk - shipped)}"


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
