"""The platform's offline mocks: the components' own (`social_components.testing`) plus what only
the platform needs.

The only module besides `render.py` that knows about Pulumi's mock runtime. On top of the
components' mocks: AZ names per region come from moto's copy of AWS's region data (the config check
counts the same zones), and a StackReference to the shared stack returns its outputs.
"""

from __future__ import annotations

from typing import Any

from social_components.testing import ComponentMocks, Placement, provider_placement
from social_platform.areas.base import availability_zones

__all__ = ["SHARED_STACK_OUTPUTS", "Placement", "PlatformMocks", "provider_placement"]

SHARED_STACK_OUTPUTS: dict[str, Any] = {
    "root_zone_id": "Z0740236ABCDEFGHIJKL",
    "runner_security_group_id": "sg-0offline0runners0",
    # Documentation addresses (RFC 5737) standing in for the shared runners' NAT gateways.
    "ci_egress_cidrs": ["198.51.100.10/32", "198.51.100.11/32", "198.51.100.12/32"],
    "log_archive": {
        "bucket": "social-log-archive-111111111111",
        "kms_key_arn": "arn:aws:kms:eu-west-1:111111111111:key/0ff11ne0-1og0-a7c4-1ve0-000000000000",
    },
    # The shared stack's receiving vault (tests/test_backup.py checks it is what the shared render exports).
    "backup_copy_vault_arn": "arn:aws:backup:eu-west-1:111111111111:backup-vault:shared-euw1-backup",
}
"""What an environment stack's StackReference to the shared stack returns in the offline render."""


class PlatformMocks(ComponentMocks):
    def __init__(self) -> None:
        super().__init__(availability_zones=availability_zones)
        self.outputs["pulumi:pulumi:StackReference"] = lambda r: {
            "outputs": SHARED_STACK_OUTPUTS,
            "secretOutputNames": [],
        }
