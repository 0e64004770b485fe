"""The components are a distribution of their own: a clean virtualenv that installs only
`components/` (as another project would) has pulumi and pulumi-aws and none of the platform's
dependencies, and renders `examples/network-database` with `social_components.testing`.

Marked `distribution`: it builds a virtualenv (about a minute on the 2-core machine, mostly
unpacking pulumi-aws); `pytest -m "not distribution"` leaves it out.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from social_platform import stackfiles

ROOT = stackfiles.PROJECT_ROOT
EXAMPLE = ROOT / "examples" / "network-database"
PLATFORM_ONLY = (
    "moto",
    "boto3",
    "pydantic",
    "pulumi_eks",
    "pulumi_kubernetes",
    "pulumi_random",
    "social_platform",
)
"""What the platform installs and a user of the core components must not need."""

pytestmark = pytest.mark.distribution


@pytest.fixture(scope="module")
def components_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A virtualenv with nothing but `pip install components/` (no pip of its own, no bytecode).
    pip builds in the source folder, so it builds a copy and the checkout stays clean."""
    where = tmp_path_factory.mktemp("components-only")
    source = shutil.copytree(
        ROOT / "components", where / "components", ignore=shutil.ignore_patterns("build", "*.egg-info")
    )
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(where / "venv")], check=True)
    python = where / "venv" / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-compile"]
    subprocess.run([*pip, str(source)], check=True, capture_output=True, text=True)
    return python


def run(python: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(python), *args], capture_output=True, text=True, timeout=300, cwd=EXAMPLE)


def test_the_components_require_only_pulumi_and_pulumi_aws(components_python: Path) -> None:
    declared = tomllib.loads((ROOT / "components" / "pyproject.toml").read_text())["project"]["dependencies"]
    assert sorted(req.split(">")[0].split("=")[0] for req in declared) == ["pulumi", "pulumi-aws"]
    code = "import importlib.util, sys; print([m for m in sys.argv[1:] if importlib.util.find_spec(m)])"
    result = run(components_python, "-c", code, *PLATFORM_ONLY)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", "installed with the components only"


def test_the_example_renders_from_the_components_alone(components_python: Path) -> None:
    result = run(components_python, "offline.py")
    assert result.returncode == 0, result.stderr
    resources: list[dict[str, Any]] = [json.loads(line) for line in result.stdout.splitlines()]
    types = {r["type"] for r in resources}
    assert {"social:network:Network", "social:database:Database", "aws:rds/cluster:Cluster"} <= types
    assert {(r["account"], r["region"]) for r in resources} == {("111111111111", "eu-west-1")}
    subnets = [r["inputs"] for r in resources if r["type"] == "aws:ec2/subnet:Subnet"]
    assert len({s["availabilityZone"] for s in subnets}) == 2, "az_count=2 from the region's AZ look-up"
    (cluster,) = [r["inputs"] for r in resources if r["type"] == "aws:rds/cluster:Cluster"]
    assert cluster["storageEncrypted"] is True and cluster["manageMasterUserPassword"] is True


def test_the_cluster_s_dashboards_ship_with_the_components(components_python: Path) -> None:
    shipped = {p.name for p in (ROOT / "components" / "cluster" / "dashboards").glob("*.json")}
    assert shipped
    code = (
        "import importlib.metadata as m; "
        "print(sorted(f.name for f in m.files('social-components') if f.parent.name == 'dashboards'))"
    )
    result = run(components_python, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(sorted(shipped))
