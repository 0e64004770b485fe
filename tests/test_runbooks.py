"""The runbooks (docs/runbooks/) work as written: every stack output they read exists in the rendered
stack (with the keys their `jq` paths take), and every `aws` command and option they run exists in
the AWS API (botocore's service models, not our own list)."""

from __future__ import annotations

import re
import shlex
from functools import cache
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore import xform_name

from social_platform import stackfiles
from social_platform.render import RenderedStack

RUNBOOKS = stackfiles.PROJECT_ROOT / "docs" / "runbooks"
SCENARIOS = [
    "regional-failover",
    "aurora-point-in-time-restore",
    "restore-s3-objects",
    "rebuild-cluster",
    "rebuild-cache",
    "rotate-leaked-secret",
    "recover-deleted-stack",
    "restore-from-shared-account",
]
OUTPUT = re.compile(
    r"pulumi stack output --stack (?P<stack>[\w<>-]+) (?P<name>\w+)"
    r"(?: --json)?(?: \| jq -r '(?P<path>[^']+)')?"
)
CLI_ONLY = {("eks", "update-kubeconfig"), ("s3", "sync"), ("s3", "cp"), ("rds", "wait")}
"""AWS CLI commands that are customisations of the CLI, not API operations."""
SERVICE_NAMES = {"s3api": "s3"}
"""The CLI's name of a service → botocore's."""
GLOBAL_OPTIONS = {"region", "query", "output", "profile"}


def runbooks() -> list[Path]:
    return sorted(p for p in RUNBOOKS.glob("*.md") if p.name != "README.md")


def shell_lines(page: Path) -> list[str]:
    lines, inside = [], False
    for line in page.read_text().splitlines():
        if line.startswith("```"):
            inside = line.strip() == "```bash"
            continue
        if inside:
            lines.append(line)
    return lines


def jq_keys(path: str) -> list[str]:
    """`."eu-west-1".vault_name` → ["eu-west-1", "vault_name"] (the simple paths the runbooks use)."""
    return [a or b for a, b in re.findall(r'\."([^"]+)"|\.(\w+)', path)]


def test_every_scenario_of_the_issue_has_its_runbook_in_the_index() -> None:
    assert [p.stem for p in runbooks()] == sorted(SCENARIOS)
    index = (RUNBOOKS / "README.md").read_text()
    for name in SCENARIOS:
        assert f"({name}.md)" in index


@pytest.mark.parametrize("page", runbooks(), ids=lambda p: p.stem)
def test_every_output_a_runbook_reads_exists_in_the_render(
    page: Path, rendered: dict[str, RenderedStack]
) -> None:
    reads = [m for line in shell_lines(page) for m in OUTPUT.finditer(line)]
    for read in reads:
        stacks = ["dev", "staging", "prod"] if read["stack"] == "<stack>" else [read["stack"]]
        for stack in stacks:
            value: Any = rendered[stack].outputs
            assert read["name"] in value, f"{page.name}: {stack} has no output {read['name']!r}"
            value = value[read["name"]]
            for key in jq_keys(read["path"] or ""):
                assert isinstance(value, dict) and key in value, f"{page.name}: {read.group(0)} ({stack})"
                value = value[key]
            assert value is not None, f"{page.name}: {read.group(0)} is empty in {stack}"


def test_the_runbooks_read_stack_outputs() -> None:
    """The check above would pass on pages that read nothing: most pages name their outputs."""
    reading = [p for p in runbooks() if any(OUTPUT.search(line) for line in shell_lines(p))]
    assert len(reading) >= len(SCENARIOS) - 1  # the deleted stack has no stack to read from


@cache
def model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def aws_commands(page: Path) -> list[list[str]]:
    found = []
    for line in shell_lines(page):
        for part in re.split(r"\$\(|\)$|\|", line):
            words = shlex.split(part.strip().split("  #")[0], posix=True) if "aws " in part else []
            if words[:1] == ["aws"]:
                found.append(words)
    return found


@pytest.mark.parametrize("page", runbooks(), ids=lambda p: p.stem)
def test_every_aws_command_and_option_in_a_runbook_exists(page: Path) -> None:
    for words in aws_commands(page):
        service, command, *rest = words[1:]
        service = SERVICE_NAMES.get(service, service)
        if (service, command) in CLI_ONLY:
            continue
        operations = {xform_name(op, "-"): op for op in model(service).operation_names}
        assert command in operations, f"{page.name}: aws {service} {command} is not an operation"
        shape = model(service).operation_model(operations[command]).input_shape
        members = {xform_name(m, "-") for m in (shape.members if shape else {})}
        for word in rest:
            if not word.startswith("--"):
                continue
            option = word[2:].removeprefix("no-")
            assert option in members | GLOBAL_OPTIONS, (
                f"{page.name}: aws {service} {command} has no --{option}"
            )


def test_the_command_check_catches_a_wrong_option() -> None:
    shape = model("rds").operation_model("FailoverGlobalCluster").input_shape
    members = {xform_name(m, "-") for m in shape.members}
    assert "allow-data-loss" in members and "target-db-cluster-identifier" in members
    assert "force" not in members
