"""What a config error adds so that a person can fix the stack file in one go.

- an unknown key gets "did you mean …" (the closest key the model allows at that place) or the
  list of allowed keys when nothing is close;
- a number where text is expected (an unquoted account id) gets "write it in quotes", and an id
  that YAML read as an octal number (a leading 0) is shown as it was written;
- echoed values are cut to a readable length.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel, RootModel

MAX_SHOWN = 80
"""Longest echo of a bad value in a message (a 1M-character value must not make a 2 MB message)."""
MAX_LISTED = 12
"""Most allowed keys listed when none is close to the unknown one."""


def shown(value: Any) -> str:
    """`repr(value)`, cut to MAX_SHOWN characters."""
    text = repr(value)
    return text if len(text) <= MAX_SHOWN else f"{text[: MAX_SHOWN - 1]}… ({len(text)} characters)"


def short_key(key: str) -> str:
    """A key of the stack file as a message names it, cut to MAX_SHOWN characters."""
    return key if len(key) <= MAX_SHOWN else f"{key[: MAX_SHOWN - 1]}…"


def _unwrap(annotation: Any) -> list[Any]:
    """The concrete types behind Annotated[...], unions (Optional included) and root models (the
    keyed regions)."""
    if isinstance(annotation, type) and issubclass(annotation, RootModel):
        return _unwrap(annotation.model_fields["root"].annotation)
    origin = get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return [t for arg in get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _fields(node: Any) -> dict[str, Any] | None:
    """Field name → annotation of a pydantic model or dataclass; None for anything else."""
    if isinstance(node, type) and issubclass(node, BaseModel):
        return {name: field.annotation for name, field in node.model_fields.items()}
    if isinstance(node, type) and dataclasses.is_dataclass(node):
        hints = typing.get_type_hints(node, include_extras=True)
        return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(node)}
    return None


def allowed_keys(root: type, path: Sequence[str]) -> list[str]:
    """The keys the model allows in the mapping at `path` (below `root`); empty if unknown."""
    nodes = _unwrap(root)
    for part in path:
        following: list[Any] = []
        for node in nodes:
            fields = _fields(node)
            if fields is not None:
                if part in fields:
                    following += _unwrap(fields[part])
                continue
            origin = get_origin(node)
            args = get_args(node)
            if origin in (dict, Mapping) and len(args) == 2:
                following += _unwrap(args[1])
            elif origin in (list, tuple, set, frozenset, Sequence) and args:
                following += _unwrap(args[0])
        nodes = following
    keys: dict[str, None] = {}
    for node in nodes:
        keys.update(dict.fromkeys(_fields(node) or {}))
    return list(keys)


def unknown_key(key: str, allowed: Iterable[str]) -> str:
    """The message for an unknown `key` where `allowed` are the keys that exist."""
    allowed = sorted(allowed)
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {close[0]!r}?"
    if allowed and len(allowed) <= MAX_LISTED:
        return f"unknown key; allowed here: {', '.join(allowed)}"
    return "unknown key; check the spelling against schema/stack-config.schema.json"


def unquoted_number(value: Any) -> str:
    """For a number YAML read where text is expected: how to write it. '' if `value` is no number."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    if isinstance(value, int) and value > 0:
        as_octal = "0" + format(value, "o")
        if len(str(value)) != 12 and len(as_octal) == 12:
            return (
                f"; YAML read the unquoted {as_octal} as the octal number {value}: "
                f'write it in quotes, "{as_octal}"'
            )
        return f'; YAML read it as a number: write it in quotes, "{value}"'
    return f'; YAML read it as a number: write it in quotes, "{value}"'
