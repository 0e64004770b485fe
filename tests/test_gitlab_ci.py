"""The project's own pipeline: valid for GitLab, a preview for every stack, dev → staging → prod."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest
import yaml

from social_platform import stackfiles
from social_platform.areas.ci import state_backend
from social_platform.config import load_config
from social_platform.roles import PROVIDER_ROLE_ENV

from .conftest import STACKS, raw_config

CI_FILE = stackfiles.PROJECT_ROOT / ".gitlab-ci.yml"
PIPELINE: dict[str, Any] = yaml.safe_load(CI_FILE.read_text())
KEYWORDS = {
    "workflow",
    "stages",
    "variables",
    "default",
    "include",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
}
MR = '$CI_PIPELINE_SOURCE == "merge_request_event"'
DEFAULT_BRANCH = "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"


def job(name: str) -> dict[str, Any]:
    """A job with `extends` resolved (GitLab merges hashes deeply, replaces everything else)."""
    spec = PIPELINE[name]
    merged: dict[str, Any] = {}
    parents = spec.get("extends", [])
    for parent in [parents] if isinstance(parents, str) else parents:
        merged = _merge(merged, job(parent))
    return _merge(merged, {k: v for k, v in spec.items() if k != "extends"})


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in over.items():
        out[key] = (
            _merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
        )
    return out


def jobs() -> dict[str, dict[str, Any]]:
    return {name: job(name) for name in PIPELINE if name not in KEYWORDS and not name.startswith(".")}


def matrix_stacks(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """One entry per job a `parallel: matrix` expands to (lists multiply out)."""
    entries = []
    for row in spec.get("parallel", {}).get("matrix", [{}]):
        expanded: list[dict[str, Any]] = [{}]
        for key, value in row.items():
            expanded = [
                {**e, key: v} for e in expanded for v in (value if isinstance(value, list) else [value])
            ]
        entries += expanded
    return [{**spec.get("variables", {}), **entry} for entry in entries]


def runs(spec: dict[str, Any], words: str) -> bool:
    return any(words in line for line in spec.get("script", []))


def stacks_with(words: str) -> dict[str, dict[str, Any]]:
    """Stack → the variables of the job that runs `words` for it."""
    found = {}
    for spec in jobs().values():
        if runs(spec, words):
            for variables in matrix_stacks(spec):
                found[variables["STACK"]] = {**variables, "_job": spec}
    return found


def test_the_pipeline_validates_against_gitlabs_ci_schema() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(CI_FILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_pipeline(tmp_path: Any) -> None:
    broken = tmp_path / ".gitlab-ci.yml"
    broken.write_text(yaml.safe_dump({"test": {"scrpt": ["pytest"]}}))
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.gitlab-ci", str(broken)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1


def test_lint_and_test_run_on_every_pipeline() -> None:
    all_jobs = jobs()
    assert runs(all_jobs["lint"], "ruff check") and runs(all_jobs["lint"], "ruff format --check")
    assert runs(all_jobs["test"], "pytest")
    assert "rules" not in all_jobs["lint"] and "rules" not in all_jobs["test"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_has_an_offline_preview_with_json_and_summary_artifacts(stack: str) -> None:
    found = stacks_with('preview "$STACK" --json')
    assert stack in found, f"no offline preview job for Pulumi.{stack}.yaml"
    spec = found[stack]["_job"]
    assert "out/" in spec["artifacts"]["paths"] and spec["artifacts"]["when"] == "always"


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_has_a_merge_request_diff_with_its_accounts_preview_role(stack: str) -> None:
    found = stacks_with("pulumi preview")
    assert stack in found, f"no `pulumi preview` job for Pulumi.{stack}.yaml"
    variables, spec = found[stack], found[stack]["_job"]
    cfg = load_config(raw_config(stack))
    assert variables["AWS_ROLE_ARN"] == f"arn:aws:iam::{cfg.account.id}:role/{cfg.ci.preview_role_name}"
    assert variables[PROVIDER_ROLE_ENV] == "preview"
    assert spec["rules"] == [{"if": MR}]
    assert spec["id_tokens"]["GITLAB_OIDC_TOKEN"]["aud"] == cfg.ci.gitlab_url
    assert spec["variables"]["AWS_WEB_IDENTITY_TOKEN_FILE"]
    assert any("--diff" in line for line in spec["script"])
    assert spec["artifacts"]["expose_as"]  # shown on the merge request


def deploy_jobs() -> dict[str, dict[str, Any]]:
    return {spec["variables"]["STACK"]: spec for spec in jobs().values() if runs(spec, "pulumi up")}


def test_every_stack_deploys_from_the_default_branch_with_its_deploy_role_one_at_a_time() -> None:
    deploys = deploy_jobs()
    assert set(deploys) == set(STACKS)
    for stack, spec in deploys.items():
        cfg = load_config(raw_config(stack))
        assert (
            spec["variables"]["AWS_ROLE_ARN"]
            == f"arn:aws:iam::{cfg.account.id}:role/{cfg.ci.deploy_role_name}"
        )
        assert PROVIDER_ROLE_ENV not in spec["variables"]
        assert spec["resource_group"] == "pulumi-$STACK"
        assert [rule["if"] for rule in spec["rules"]] == [DEFAULT_BRANCH]
        assert spec["script"][0] == 'preflight "$STACK"'
        assert spec["interruptible"] is False


def test_a_change_goes_dev_then_staging_automatically_and_prod_by_hand() -> None:
    deploys = deploy_jobs()
    stage = PIPELINE["stages"].index
    assert (
        stage(deploys["dev"]["stage"]) < stage(deploys["staging"]["stage"]) < stage(deploys["prod"]["stage"])
    )
    assert PIPELINE["deploy-staging"]["needs"] == ["deploy-dev"]
    assert PIPELINE["deploy-prod"]["needs"] == ["deploy-staging"]
    assert "when" not in deploys["dev"]["rules"][0] and "when" not in deploys["staging"]["rules"][0]
    assert (
        deploys["prod"]["rules"][0]["when"] == "manual"
        and deploys["prod"]["rules"][0]["allow_failure"] is False
    )
    assert deploys["shared"]["rules"][0]["when"] == "manual"


def test_uv_and_pulumi_plugins_are_cached() -> None:
    spec = job(".pulumi")
    paths = {p for cache in spec["cache"] for p in cache["paths"]}
    assert paths == {".cache/uv-cache", ".cache/pulumi/plugins"}
    assert PIPELINE["variables"]["UV_CACHE_DIR"].endswith(".cache/uv-cache")
    assert PIPELINE["variables"]["PULUMI_HOME"].endswith(".cache/pulumi")


def test_every_job_installs_from_the_lock_file_with_the_uv_scripts_setup_uses() -> None:
    """`--frozen`: the pipeline installs what uv.lock pins and never resolves afresh."""
    setup = (stackfiles.PROJECT_ROOT / "scripts" / "setup").read_text()
    assert f"UV_VERSION={PIPELINE['variables']['UV_VERSION']}\n" in setup
    for name in (".python", ".pulumi"):
        steps = job(name)["before_script"]
        assert any(step.startswith("uv sync --frozen") for step in steps), name
        assert not any(step.startswith("pip install") and "uv==" not in step for step in steps), name


def test_rules_work_with_merge_trains_and_never_run_a_branch_twice() -> None:
    rules = PIPELINE["workflow"]["rules"]
    assert rules[0] == {"if": MR}  # merge request, merged results and merge train pipelines
    assert {"if": "$CI_COMMIT_BRANCH && $CI_OPEN_MERGE_REQUESTS", "when": "never"} in rules


def test_the_pipeline_holds_no_static_aws_key_and_names_the_configured_backend_and_images() -> None:
    text = CI_FILE.read_text()
    assert "AWS_ACCESS_KEY_ID" not in text and "AWS_SECRET_ACCESS_KEY" not in text
    backend = state_backend(load_config(raw_config("shared")))
    assert backend is not None and PIPELINE["variables"]["PULUMI_BACKEND_URL"] == backend.login_url
    for image in (PIPELINE["variables"]["PYTHON_IMAGE"], PIPELINE["variables"]["PULUMI_IMAGE"]):
        assert ":" in image and not image.endswith(":latest")


def pulumi_commands() -> list[tuple[str, str]]:
    """(job, command) for every `pulumi preview` / `pulumi up` a job's script runs."""
    return [
        (name, " ".join(line.split()))
        for name, spec in jobs().items()
        for line in spec.get("script", [])
        if "pulumi preview" in line or "pulumi up" in line
    ]


def test_every_pulumi_preview_and_up_runs_with_the_guardrails_policy_pack() -> None:
    """A mandatory violation then fails the job: it blocks the merge (preview) or the deploy (up)."""
    commands = pulumi_commands()
    assert {name for name, _ in commands} >= {"pulumi-preview", *(f"deploy-{s}" for s in STACKS)}
    for name, command in commands:
        assert "--policy-pack policy/" in command, f"{name} runs without the policy pack: {command}"
    # The pack runs in the job's virtualenv, which must hold what the pack imports.
    assert any("--extra policy" in line for line in job(".pulumi")["before_script"])


def test_merge_request_previews_keep_their_summary_as_a_note_also_when_they_fail() -> None:
    spec = job("pulumi-preview")
    (preview,) = [command for name, command in pulumi_commands() if name == "pulumi-preview"]
    assert '--event-log "out/pulumi-events-$STACK.jsonl"' in preview
    # after_script runs whether the script failed or not: a blocked preview still gets its note.
    assert any(
        'mr-comment "$STACK" "out/pulumi-events-$STACK.jsonl"' in line for line in spec["after_script"]
    )
