"""The configuration reference, generated from the config model itself.

One table per area section: every key (nested keys dotted), its default — the class default, or the
tier defaults side by side — the prod lock if any, what values are allowed and the field's
docstring. The same model gives the JSON schema (`config-schema`), so the schema, these tables and
the loader cannot disagree; `docs` writes the tables between `<!-- generated:config:<section> -->`
and `<!-- /generated:config -->` markers of `PAGE` (`docs.config_reference`), and a test fails when
they are stale.
"""

from __future__ import annotations

import json
import types
from collections.abc import Iterator, Mapping
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, SecretStr
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from social_platform.areas.base import Section, Tier
from social_platform.config import SECTIONS
from social_platform.stackfiles import PROJECT_ROOT

PAGE = PROJECT_ROOT / "docs" / "areas.md"
"""The page that holds the tables (one block per section)."""

START = "<!-- generated:config:{section} -->"
END = "<!-- /generated:config -->"


def _model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly or as `Model | None`."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if get_origin(annotation) in (Union, types.UnionType):
        models = [a for a in get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]
        return models[0] if len(models) == 1 else None
    return None


def _map_of_models(annotation: Any) -> type[BaseModel] | None:
    """The model of a `dict[name, Model]` field (items keyed by stable names)."""
    if get_origin(annotation) is dict:
        return _model(get_args(annotation)[1])
    return None


def _value(value: Any) -> str:
    if value is None:
        return "unset"
    if isinstance(value, SecretStr):
        return "(secret)"
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json", exclude_defaults=True)
    if isinstance(value, list | tuple) and not value:
        return "none"
    if isinstance(value, dict) and not value:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, str | int | float):
        return f"`{value}`"
    return f"`{json.dumps(value, default=str, separators=(', ', ': '))}`"


def _default(field: FieldInfo) -> Any:
    if field.default_factory is not None:
        return field.default_factory()  # type: ignore[call-arg]
    return None if field.default is PydanticUndefined else field.default


def _allowed(schema: Mapping[str, Any]) -> str:
    """What the JSON schema admits, briefly: enum values, or a numeric range."""
    for option in schema.get("anyOf", [schema]):
        if "enum" in option:
            return ", ".join(f"`{v}`" for v in option["enum"])
        if "const" in option:
            return f"`{option['const']}`"
        if option.get("type") == "array" and "enum" in option.get("items", {}):
            return "list of " + ", ".join(f"`{v}`" for v in option["items"]["enum"])
        low, high = option.get("minimum"), option.get("maximum")
        if low is not None or high is not None:
            return f"{'' if low is None else low} to {'' if high is None else high}".strip()
    return ""


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def rows(
    model: type[BaseModel], prefix: str, tiers: Mapping[Tier, Mapping[str, Any]], locks: Mapping[str, Any]
) -> Iterator[tuple[str, str, str, str, str]]:
    """(key, default, prod lock, allowed, description) of every field of `model`, nested ones dotted."""
    schema = model.model_json_schema()
    properties = schema.get("properties", {})
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        by_tier = {tier: values[name] for tier, values in tiers.items() if name in values}
        nested = _model(field.annotation)
        if by_tier and nested is None:
            shown = {tier: _value(value) for tier, value in by_tier.items()}
            default = (
                f"{next(iter(shown.values()))} (every tier)"
                if len(set(shown.values())) == 1 and len(shown) == len(Tier)
                else " · ".join(f"{tier.value} {shown.get(tier, _value(_default(field)))}" for tier in Tier)
            )
        elif nested is not None:
            default = "see below"
        else:
            default = "required" if field.is_required() and not by_tier else _value(_default(field))
        lock = locks.get(name)
        description = field.description or ""
        yield (
            key,
            default,
            "" if lock is None else lock.allowed,
            _allowed(properties.get(name, {})),
            description,
        )
        if nested is not None:
            sub_tiers = {
                tier: values[name] for tier, values in tiers.items() if isinstance(values.get(name), Mapping)
            }
            yield from rows(nested, f"{key}.", sub_tiers, {})
        item = _map_of_models(field.annotation)
        if item is not None:
            yield from rows(item, f"{key}.<name>.", {}, {})


def table(section: type[Section]) -> str:
    where = {"all": "every stack", "tooling": "the shared stack", "workload": "environment stacks"}
    lines = [
        f"`social-platform:{section.KEY}` (on by default in {where[section.SCOPE]}). Generated from"
        f" `{section.__module__.replace('social_platform', 'platform').replace('.', '/')}.py` by `docs`.",
        "",
        "| key | default | prod allows | allowed | what |",
        "|---|---|---|---|---|",
    ]
    for key, default, lock, allowed, description in rows(
        section, "", section.TIER_DEFAULTS, section.PROD_LOCKS
    ):
        if key == "enabled":
            continue
        lines.append(
            f"| `{key}` | {_cell(default)} | {_cell(lock)} | {_cell(allowed)} | {_cell(description)} |"
        )
    return "\n".join(lines)


def tables() -> dict[str, str]:
    """The generated table of every area section, by config key."""
    return {key: table(section) for key, section in SECTIONS.items()}
