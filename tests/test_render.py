"""The render engine and the offline preview: every stack file renders, and the preview shows it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from social_platform import stackfiles
from social_platform.errors import ConfigError
from social_platform.preview import main as preview_main
from social_platform.preview import stack_json
from social_platform.render import RenderedStack, render

from .conftest import STACKS


def test_the_repo_has_the_four_stacks() -> None:
    assert set(STACKS) >= {"shared", "dev", "staging", "prod"}


def test_every_stack_file_renders(any_stack: RenderedStack) -> None:
    assert any_stack.outputs["environment"] == any_stack.stack
    roots = [r for r in any_stack if r.parent is None]
    assert [r.type for r in roots] == ["pulumi:pulumi:Stack"]


def test_environment_stacks_read_the_shared_stack_by_the_configured_name(rendered: dict) -> None:
    for name in ("dev", "staging", "prod"):
        refs = rendered[name].of_type("pulumi:pulumi:StackReference")
        assert [r.name for r in refs] == ["organization/social-platform/shared"]
    assert rendered["shared"].of_type("pulumi:pulumi:StackReference") == []


def test_bad_config_stops_the_render_before_any_resource(tmp_path: Path) -> None:
    for name in ("Pulumi.yaml", "Pulumi.dev.yaml"):
        (tmp_path / name).write_text((stackfiles.PROJECT_ROOT / name).read_text())
    broken = (tmp_path / "Pulumi.dev.yaml").read_text().replace("az_count: 2", "az_count: 1")
    (tmp_path / "Pulumi.dev.yaml").write_text(broken)
    registered: list[str] = []
    with pytest.raises(ConfigError, match=r"regions\.eu-west-1\.az_count"):
        render("dev", project_dir=tmp_path, on_register=lambda n, t, name: registered.append(t))
    assert "pulumi:providers:aws" not in registered
    assert registered in ([], ["pulumi:pulumi:Stack"])


def test_secure_values_are_masked_and_marked_secret(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text((stackfiles.PROJECT_ROOT / "Pulumi.yaml").read_text())
    text = (stackfiles.PROJECT_ROOT / "Pulumi.dev.yaml").read_text()
    (tmp_path / "Pulumi.dev.yaml").write_text(
        text + "  social-platform:extra:\n    token:\n      secure: v1:abc\n"
    )
    raw = stackfiles.read_stack_files("dev", tmp_path)
    assert raw.values["extra"] == {"token": stackfiles.OFFLINE_SECRET}
    assert raw.secret_keys == {"extra"}


def test_preview_prints_a_tree_counts_and_outputs(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert preview_main(["dev"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("Previewing 'dev' offline")
    header = next(line for line in lines if line.strip().startswith("Type"))
    assert "Name" in header and "Account/Region" in header
    assert any(line.startswith(" +   pulumi:pulumi:Stack") for line in lines)
    assert any("└─ " in line for line in lines)
    for section in ("Resources by type:", "Resources by component:", "Outputs:"):
        assert section in lines
    assert lines[-1].startswith("Resources: ")
    assert preview_main(["dev", "--json", str(tmp_path / "dev.json")]) == 0
    written = json.loads((tmp_path / "dev.json").read_text())
    assert written["stack"] == "dev"
    assert {"urn", "type", "name", "parent", "account", "region", "inputs", "protect"} <= set(
        written["resources"][0]
    )


def test_preview_of_bad_config_is_one_paragraph_and_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "social_platform.preview", "nosuchstack"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    error_lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(error_lines) == 1 and "Pulumi.nosuchstack.yaml" in error_lines[0]


def test_pulumi_preview_gets_a_short_run_error_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """`__main__.py` calls `program.run()`: a config error becomes `pulumi.RunError`, which the
    Pulumi CLI prints as its message alone."""
    import pulumi

    from social_platform import program
    from social_platform.errors import ConfigIssue

    def bad_config(*_: object) -> None:
        raise ConfigError([ConfigIssue("regions.eu-west-1.az_count", "prod needs at least 3 AZs (got 2)")])

    monkeypatch.setattr(program, "read_config", bad_config)
    with pytest.raises(pulumi.RunError, match=r"social-platform:regions\.eu-west-1\.az_count: prod needs"):
        program.run()


def test_stacks_previewed_in_parallel_are_written_exactly_as_rendered_one_by_one(
    rendered: dict[str, RenderedStack], tmp_path: Path
) -> None:
    """`preview` renders several stacks in parallel processes (each with its own hash seed, so
    any set-ordered output would differ); what it writes is byte for byte the in-process render,
    and the one-line summaries come out in the order asked for."""
    result = subprocess.run(
        [sys.executable, "-m", "social_platform.preview", *STACKS, "--json", str(tmp_path), "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    for name in STACKS:
        assert (tmp_path / f"{name}.json").read_text() == stack_json(rendered[name]), name
    summaries = [line.split(":")[0] for line in result.stdout.splitlines() if ": Resources: " in line]
    assert summaries == STACKS
