"""Compare two sets of rendered stacks (`preview <stacks> --json DIR`) resource by resource.

    .venv/bin/python scripts/compare_renders.py BEFORE_DIR AFTER_DIR

For a refactoring that must not change behaviour. A resource of AFTER is matched to the resource
of BEFORE it answers to the way the engine matches them: by URN, or by one of its aliases
(inherited ones included, `identities.known_as`), so a component split with aliases shows no change.
URNs inside the records (parent, provider, dependencies) are translated the same way (a new
component between a resource and its old parent is skipped), dependency order is ignored and the
`aliases` field itself is left out. Prints, per stack, the resources only
in AFTER (new components, say), those only in BEFORE and every field that differs; exits 1 if any
resource of BEFORE is missing or changed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from social_platform.identities import known_as
from social_platform.render import RenderedResource, RenderedStack


def load(path: Path) -> tuple[RenderedStack, dict[str, Any]]:
    data = json.loads(path.read_text())
    resources = {r["urn"]: RenderedResource(**r) for r in data["resources"]}
    return RenderedStack(data["stack"], resources, data["outputs"]), data


def compare(before_file: Path, after_file: Path) -> bool:
    before, before_data = load(before_file)
    after, after_data = load(after_file)
    old_urns = set(before.resources)
    identities = known_as(after)
    to_old = {urn: next((u for u in sorted(ids) if u in old_urns), urn) for urn, ids in identities.items()}

    def translate(urn: str | None) -> str | None:
        return None if urn is None else to_old.get(urn, urn)

    def translate_parent(urn: str | None) -> str | None:
        """A parent that is new (a component split out of another) counts as its own parent."""
        while urn is not None and to_old.get(urn) not in old_urns:
            urn = after.resources[urn].parent if urn in after.resources else None
        return translate(urn)

    def normal(r: RenderedResource, mapped: bool) -> dict[str, Any]:
        record = dict(vars(r))
        record.pop("aliases")
        if mapped:
            record["urn"] = translate(r.urn)
            record["parent"] = translate_parent(r.parent)
            record["provider"] = translate(r.provider)
            record["depends_on"] = [translate(u) for u in r.depends_on]
        record["depends_on"] = sorted(record["depends_on"])
        return record

    old = {urn: normal(r, False) for urn, r in before.resources.items()}
    new = {to_old[urn]: normal(r, True) for urn, r in after.resources.items()}
    only_after = sorted(set(new) - set(old))
    only_before = sorted(set(old) - set(new))
    changed = {
        urn: sorted(k for k in old[urn] if old[urn][k] != new[urn].get(k)) for urn in set(old) & set(new)
    }
    changed = {urn: keys for urn, keys in changed.items() if keys}
    name = before_data["stack"]
    print(f"== {name}: {len(old)} before, {len(new)} after")
    for urn in only_after:
        print(f"  + {urn}")
    for urn in only_before:
        print(f"  - {urn}")
    for urn, keys in sorted(changed.items()):
        print(f"  ~ {urn}: {', '.join(keys)}")
        for key in keys:
            print(f"      before {key}: {json.dumps(old[urn][key], sort_keys=True)[:300]}")
            print(f"      after  {key}: {json.dumps(new[urn][key], sort_keys=True)[:300]}")
    if before_data["outputs"] != after_data["outputs"]:
        print("  ~ stack outputs differ")
        return False
    return not only_before and not changed


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    before_dir, after_dir = map(Path, argv)
    same = [compare(path, after_dir / path.name) for path in sorted(before_dir.glob("*.json"))]
    return 0 if all(same) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
