"""The guardrail rules, written once, run by the test suite and by the Pulumi policy pack.

A rule reads a neutral view of one resource (`ResourceView`: type token, name, URN, inputs under
their camelCase wire names, protect/retain options, the provider's default tags) and, when it has
to look at companions (a bucket's public access block lives in another resource), the whole stack
(`StackView`). It yields one message per problem. Nothing here imports Pulumi or pulumi-policy:

- the tests build the views from the offline render (`social_platform.stackview.stack_view`);
- the policy pack in `policy/` builds them from pulumi-policy's arguments (`policy/pack.py`).

A rule with nothing to check passes; every rule has a test showing it flags a bad resource.
The machinery (views, registry, evaluation, exemptions, input helpers) is `rulebook.py`; the rules
are `platform/rules/<topic>.py`, imported below in the order the README lists them. Add a rule:
write a function decorated with `@rule(...)` in the module of its topic, add a bad and a good
example in `tests/test_guardrails.py` (a test fails until you do), and run `guardrails readme`.
"""

from __future__ import annotations

from social_platform.inventory import TAGGABLE
from social_platform.rulebook import (
    EXEMPTIONS,
    RULES,
    TIERS,
    Check,
    Enforcement,
    ResourceView,
    Rule,
    StackView,
    Tier,
    Violation,
    check_resource,
    evaluate,
    exempt,
    rule,
)

# Importing the rule modules registers their rules, in this order (the README table's order).
# isort: off
from social_platform.rules import (
    encryption,
    network,
    iam,
    keys,
    data,
    backup,
    serverless,
    edge,
    ingress,
    eks,
    audit,
    secrets,
    tags,
    observability,
)

# isort: on
from social_platform.rules.data import MIN_BACKUP_RETENTION_DAYS, STATEFUL_TYPES

_TOPIC_ORDER = [
    m.__name__
    for m in (encryption, network, iam, keys, data, backup, serverless, edge, eks, tags, observability)
]


def _topic_rank(item: tuple[str, Rule]) -> int:
    module = item[1].check.__module__
    return _TOPIC_ORDER.index(module) if module in _TOPIC_ORDER else len(_TOPIC_ORDER)


# The order above, whichever module imported a topic first (a stable sort keeps each topic's order).
_ordered = sorted(RULES.items(), key=_topic_rank)
RULES.clear()
RULES.update(_ordered)

__all__ = [
    "EXEMPTIONS",
    "MIN_BACKUP_RETENTION_DAYS",
    "RULES",
    "TIERS",
    "Check",
    "Enforcement",
    "ResourceView",
    "Rule",
    "StackView",
    "Tier",
    "Violation",
    "audit",
    "backup",
    "check_resource",
    "data",
    "edge",
    "eks",
    "encryption",
    "evaluate",
    "exempt",
    "iam",
    "ingress",
    "keys",
    "network",
    "observability",
    "rule",
    "rules_markdown",
    "secrets",
    "serverless",
    "tags",
]


def _short(token: str) -> str:
    """`aws:rds/cluster:Cluster` → `aws.rds.Cluster`; `eks:index:Cluster` → `eks.Cluster`."""
    package, module, name = token.split(":")
    module = module.split("/")[0]
    return f"{package}.{name}" if module == "index" else f"{package}.{module}.{name}"


def rules_markdown() -> str:
    """The rule table of docs/guardrails.md, generated from the rules (a test keeps it in sync)."""
    lines = ["| rule | what it requires | tiers | resource types |", "|---|---|---|---|"]
    for r in RULES.values():
        tiers = "all" if r.tiers == frozenset(TIERS) else ", ".join(t for t in TIERS if t in r.tiers)
        if r.types == TAGGABLE:
            types = "every type in `inventory.TAGGABLE`"
        elif r.types == STATEFUL_TYPES:
            types = "every stateful type in `inventory`"
        else:
            types = ", ".join(f"`{_short(t)}`" for t in sorted(r.types, key=_short))
        lines.append(f"| `{r.id}` | {r.description} | {tiers} | {types} |")
    lines += ["", "Exemptions (`policies.EXEMPTIONS`):", ""]
    lines += [
        f"- `{rule_id}` for `{pattern}`: {why}"
        for rule_id, patterns in EXEMPTIONS.items()
        for pattern, why in patterns.items()
    ] or ["- none"]
    return "\n".join(lines)
