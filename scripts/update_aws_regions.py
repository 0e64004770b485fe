"""Regenerate `platform/aws_region_data.py`: AWS's regions per service and their availability zones.

The config check and the offline render need them at run time; reading them from botocore and moto
there cost more than a second of start-up (moto alone imports hundreds of modules), so the data
ships with the program as a generated module and this script refreshes it from the same sources:

    .venv/bin/python scripts/update_aws_regions.py

`tests/test_aws_region_data.py` fails when the shipped module no longer matches botocore and moto.
"""

from __future__ import annotations

import pprint
import subprocess
import sys
from pathlib import Path

TARGET = Path(__file__).resolve().parent.parent / "platform" / "aws_region_data.py"

SERVICES = ("ec2", "ivs", "ivschat")
"""The services whose regions the program checks config against."""

HEADER = '''"""AWS's commercial regions per service and their availability zones. GENERATED: do not edit.

Regions per service are botocore's endpoint data; zones ((name, zone id) of each EC2 region, sorted
by name) are moto's copy of AWS's data.
Refresh with `scripts/update_aws_regions.py`; `tests/test_aws_region_data.py` checks it is current.
Shipped as data so that neither the config check nor the offline render imports boto3 or moto.
"""

'''


def current() -> tuple[dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, str], ...]]]:
    """Regions per service (botocore) and each EC2 region's zones (moto), as they are now."""
    import boto3
    from moto.ec2.models.availability_zones_and_regions import RegionsAndZonesBackend

    session = boto3.Session()
    regions = {service: tuple(sorted(session.get_available_regions(service))) for service in SERVICES}
    zones = {
        region: tuple(
            sorted((zone.name, zone.zone_id) for zone in RegionsAndZonesBackend.zones.get(region, []))
        )
        for region in regions["ec2"]
    }
    return regions, zones


def module_text() -> str:
    regions, zones = current()
    return (
        HEADER
        + f"REGIONS: dict[str, tuple[str, ...]] = {pprint.pformat(regions, width=100)}\n\n"
        + f"ZONES: dict[str, tuple[tuple[str, str], ...]] = {pprint.pformat(zones, width=100)}\n"
    )


def main() -> None:
    TARGET.write_text(module_text())
    subprocess.run([sys.executable, "-m", "ruff", "format", "--quiet", str(TARGET)], check=True)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
