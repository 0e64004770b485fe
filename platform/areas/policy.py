"""Policy area: the `policy` section, how the policy pack treats violations (`platform/policies.py`
holds the rules; `policy/` runs them in `pulumi preview`/`up`)."""

from __future__ import annotations

from typing import Literal

from social_platform.areas.base import ProdLock, Section, Tier


class PolicyConfig(Section):
    KEY = "policy"
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {"enforcement": "advisory"},
        Tier.staging: {"enforcement": "mandatory"},
        Tier.prod: {"enforcement": "mandatory"},
    }
    PROD_LOCKS = {"enforcement": ProdLock(lambda v: v == "mandatory", "mandatory")}

    enforcement: Literal["advisory", "mandatory"]
    """How policy violations are treated (tier default: advisory in dev, mandatory otherwise)."""
