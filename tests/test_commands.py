"""The commands the docs show run as written after the quick start, from any folder.

`./scripts/<command>` sets up the virtualenv if needed and runs the command installed there; it must
not create anything in the caller's folder (an earlier `scripts/setup` left a stray `.venv` there).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from social_platform import stackfiles

SCRIPTS = stackfiles.PROJECT_ROOT / "scripts"
COMMANDS = [
    "bootstrap",
    "preflight",
    "guardrails",
    "config-schema",
    "mr-comment",
    "docs",
    "cost",
    "diagram",
    "preview",
    "recovery",
]


def pyproject_scripts() -> set[str]:
    import tomllib

    return set(tomllib.loads((stackfiles.PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"])


def test_every_installed_command_has_a_script_in_scripts() -> None:
    assert pyproject_scripts() == set(COMMANDS)
    for name in COMMANDS:
        assert os.access(SCRIPTS / name, os.X_OK), f"scripts/{name} is missing or not executable"
        # All but preview (which defaults to the dev stack) are the one generic runner.
        assert name == "preview" or (SCRIPTS / name).resolve() == SCRIPTS / "run", name


@pytest.mark.parametrize("name", ["preflight", "preview"])
def test_a_command_runs_from_another_folder_and_leaves_it_untouched(name: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        [str(SCRIPTS / name), "--help"], cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"usage: {name}" in result.stdout
    assert list(tmp_path.iterdir()) == []
