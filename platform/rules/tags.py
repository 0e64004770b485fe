"""Tags."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from social_platform.inventory import REQUIRED_TAGS, TAGGABLE
from social_platform.rulebook import ResourceView, StackView, rule


@rule(
    "required-tags",
    f"Every taggable AWS resource carries {', '.join(REQUIRED_TAGS)} (own tags or provider default tags)",
    types=TAGGABLE,
)
def _required_tags(r: ResourceView, stack: StackView) -> Iterator[str]:
    tags: dict[str, Any] = dict(r.provider_tags)
    for source in ("tagsAll", "tags"):
        value = r.get(source)
        if isinstance(value, Mapping):
            tags.update(value)
    missing = [t for t in REQUIRED_TAGS if not isinstance(tags.get(t), str) or not tags[t].strip()]
    if missing:
        yield f"missing tags {', '.join(missing)} (set them as provider default tags)"
