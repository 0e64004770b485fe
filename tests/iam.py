"""A small IAM policy evaluator for tests: enough of AWS's rules to ask "may this do that?".

Explicit deny wins, then any allow; otherwise denied. Actions and resources match with IAM's
wildcards (case-insensitive actions). Conditions: the operators our policies use; a key the request
context lacks never satisfies a condition, so an allow that depends on it does not apply.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from fnmatch import fnmatchcase
from typing import Any

Context = Mapping[str, str | list[str]]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _condition_holds(operator: str, key: str, wanted: Any, context: Context) -> bool:
    if key not in context:
        return operator.endswith("IfExists") or operator.startswith(("StringNot", "ArnNot"))
    values = _list(context[key])
    patterns = [str(w) for w in _list(wanted)]
    base = operator.removeprefix("ForAnyValue:").removeprefix("ForAllValues:").removesuffix("IfExists")
    if base in ("StringEquals", "ArnEquals", "Bool"):
        matched = [v for v in values if str(v) in patterns]
    elif base in ("StringLike", "ArnLike"):
        matched = [v for v in values if any(fnmatchcase(str(v), p) for p in patterns)]
    elif base in ("StringNotEquals", "ArnNotEquals"):
        return all(str(v) not in patterns for v in values)
    elif base in ("StringNotLike", "ArnNotLike"):
        return all(not any(fnmatchcase(str(v), p) for p in patterns) for v in values)
    else:
        raise ValueError(f"the test evaluator does not know condition operator {operator}")
    if operator.startswith("ForAllValues:"):
        return len(matched) == len(values)
    return bool(matched)


def _applies(statement: Mapping[str, Any], action: str, resource: str, context: Context) -> bool:
    actions = [a.lower() for a in _list(statement.get("Action", []))]
    if not any(fnmatchcase(action.lower(), a) for a in actions):
        return False
    if "NotResource" in statement:
        if any(fnmatchcase(resource, r) for r in _list(statement["NotResource"])):
            return False
    elif not any(fnmatchcase(resource, r) for r in _list(statement.get("Resource", "*"))):
        return False
    for operator, conditions in statement.get("Condition", {}).items():
        for key, wanted in conditions.items():
            if not _condition_holds(operator, key, wanted, context):
                return False
    return True


def allows(
    policy: str | Mapping[str, Any], action: str, resource: str, context: Context | None = None
) -> bool:
    document = json.loads(policy) if isinstance(policy, str) else policy
    statements = _list(document["Statement"])
    ctx = context or {}
    if any(s["Effect"] == "Deny" and _applies(s, action, resource, ctx) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and _applies(s, action, resource, ctx) for s in statements)


def actions_of(policy: str | Mapping[str, Any]) -> set[str]:
    document = json.loads(policy) if isinstance(policy, str) else policy
    return {a for s in _list(document["Statement"]) if s["Effect"] == "Allow" for a in _list(s["Action"])}
