"""The regions and availability zones shipped with the program are botocore's and moto's, current."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from social_platform import aws_region_data

SCRIPT = Path(__file__).resolve().parent.parent / "scripts" / "update_aws_regions.py"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("update_aws_regions", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_regions_and_zones_match_botocore_and_moto() -> None:
    regions, zones = _generator().current()
    assert regions == aws_region_data.REGIONS, "run scripts/update_aws_regions.py"
    assert zones == aws_region_data.ZONES, "run scripts/update_aws_regions.py"


def test_every_region_the_platform_can_use_has_zones() -> None:
    """A region without zone data would make the config check and the AZ look-up come up empty."""
    assert all(len(aws_region_data.ZONES[region]) >= 2 for region in aws_region_data.REGIONS["ec2"])


def test_preview_start_up_imports_neither_moto_nor_boto3() -> None:
    import subprocess

    code = (
        "import sys; from social_platform import preview, program, render; "
        "render.render('dev'); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('moto', 'boto3', 'botocore')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
