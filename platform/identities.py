"""Stable identities: the URNs of every resource that holds data, and the committed snapshot of them.

A resource's URN is its identity: change it (rename the resource, rename or move its component
class, re-parent it) and Pulumi deletes the old resource and creates a new one — for a database,
that is data loss (in prod `protect` stops it with an error; elsewhere it just happens). The
snapshot in `tests/snapshots/stateful_urns.json` lists the URN of every stateful resource of every
stack; a test fails when one of them is no longer answered to by the current program. The fix is
an alias (`opts=ResourceOptions(aliases=[pulumi.Alias(name="old-name")])`, or `type_=` for a class
rename), which this module honours the way the engine does, including aliases inherited from
parent components. Record an intended change with `guardrails snapshot`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from social_platform import stackfiles
from social_platform.inventory import holds_data
from social_platform.render import STACK_TYPE, RenderedResource, RenderedStack

SNAPSHOT_FILE = stackfiles.PROJECT_ROOT / "tests" / "snapshots" / "stateful_urns.json"
ABOUT = (
    "URNs of every resource that holds data, per stack. A test fails when one disappears (that "
    "would replace it): add an alias. To record an intended change: guardrails snapshot"
)


def stateful(stack: RenderedStack) -> list[RenderedResource]:
    """The stack's resources that hold data (by the inventory's classification)."""
    return [r for r in stack if holds_data(r.type, r.inputs)]


def _split(urn: str) -> tuple[str, str, str]:
    """(prefix `urn:pulumi:stack::project`, qualified type, name) of a URN."""
    head, qualified, name = urn.rsplit("::", 2)
    return head, qualified, name


def _child_urn(parent_urn: str, type_: str, name: str) -> str:
    head, qualified, _ = _split(parent_urn)
    return f"{head}::{qualified}${type_}::{name}"


def known_as(stack: RenderedStack) -> dict[str, set[str]]:
    """Every resource's URN → every URN the engine would match it to (its own, its aliases, and the
    aliases its ancestors' aliases give it, with the parent-name prefix of its name substituted)."""
    memo: dict[str, set[str]] = {}

    def identities(r: RenderedResource) -> set[str]:
        if r.urn in memo:
            return memo[r.urn]
        names = {r.urn, *r.aliases}
        parent = stack.resources.get(r.parent) if r.parent else None
        if parent is not None and parent.type != STACK_TYPE:
            for parent_alias in identities(parent) - {parent.urn}:
                name = r.name
                if name.startswith(parent.name):
                    name = _split(parent_alias)[2] + name[len(parent.name) :]
                names.add(_child_urn(parent_alias, r.type, name))
        memo[r.urn] = names
        return names

    return {r.urn: identities(r) for r in stack}


@dataclass(frozen=True)
class Drift:
    missing: list[str]
    """Recorded URNs no resource answers to any more: these would be replaced."""
    added: list[str]
    """Stateful resources not in the snapshot yet."""


def compare(recorded: Iterable[str], stack: RenderedStack) -> Drift:
    aliases = known_as(stack)
    current = {r.urn for r in stateful(stack)}
    answered = set().union(*(aliases[urn] for urn in current)) if current else set()
    recorded = set(recorded)
    return Drift(
        missing=sorted(recorded - answered),
        added=sorted(u for u in current if not aliases[u] & recorded),
    )


def read_snapshot(path: Path = SNAPSHOT_FILE) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text())["stacks"])


def snapshot_text(stacks: Iterable[RenderedStack]) -> str:
    data = {
        "about": ABOUT,
        "stacks": {
            s.stack: sorted(r.urn for r in stateful(s)) for s in sorted(stacks, key=lambda s: s.stack)
        },
    }
    return json.dumps(data, indent=2) + "\n"
