"""The pricing rules, one module per topic, as the guardrail rules are (`platform/rules/`).

Each rule (`@rule(type…)` from `social_platform.costbook`) turns one rendered resource into the
charges it bills, in quantities of priced units; `free.FREE` lists the types that bill nothing by
themselves, each with its reason. Importing this package registers every rule. Add a priced type:
a rule in the module of its topic, its price lines in `platform/prices.yaml` (source and date read),
and `tests/test_cost.py` prices it.
"""

from __future__ import annotations

from social_platform.charges import compute, data, edge, operations, serverless
from social_platform.charges.free import FREE

__all__ = ["FREE", "compute", "data", "edge", "operations", "serverless"]
