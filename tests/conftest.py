"""Shared fixtures: each stack file in the repo is rendered once per test session."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from social_platform import stackfiles
from social_platform.config import PlatformConfig, load_config
from social_platform.errors import NAMESPACE, ConfigError
from social_platform.render import RenderedResource, RenderedStack, render

STACKS = stackfiles.stack_names()
ENVIRONMENTS = [s for s in STACKS if s != "shared"]


@pytest.fixture(scope="session")
def rendered() -> dict[str, RenderedStack]:
    """Every stack, rendered once (lazily) and shared by all tests."""
    cache: dict[str, RenderedStack] = {}

    class Stacks(dict):
        def __missing__(self, name: str) -> RenderedStack:
            cache[name] = render(name)
            self[name] = cache[name]
            return cache[name]

    return Stacks()


@pytest.fixture(params=STACKS)
def any_stack(request: pytest.FixtureRequest, rendered: dict[str, RenderedStack]) -> RenderedStack:
    return rendered[request.param]


def raw_config(stack: str) -> dict[str, Any]:
    """A fresh, mutable copy of a stack's raw config (namespace stripped)."""
    return copy.deepcopy(stackfiles.read_stack_files(stack).values)


def set_keys(raw: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    """Set dotted keys in a raw config, e.g. ``{"regions.eu-west-1.az_count": 6}``."""
    for dotted, value in changes.items():
        *parents, leaf = dotted.split(".")
        node = raw
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return raw


def render_variant(tmp_path: Path, stack: str, changes: dict[str, Any]) -> RenderedStack:
    """Render `stack` with some config changed, from a copy of the project's stack files."""
    raw = set_keys(raw_config(stack), changes)
    project = yaml.safe_load((stackfiles.PROJECT_ROOT / "Pulumi.yaml").read_text())
    project["config"] = {k: v for k, v in project["config"].items() if not k.startswith(stackfiles.PREFIX)}
    (tmp_path / "Pulumi.yaml").write_text(yaml.safe_dump(project))
    config = {stackfiles.PREFIX + key: value for key, value in raw.items()}
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump({"config": config}))
    return render(stack, project_dir=tmp_path)


def load_with(stack: str, changes: dict[str, Any]) -> PlatformConfig:
    """A stack's config with some dotted keys changed, checked against the repo's address plan."""
    raw = set_keys(raw_config(stack), changes)
    return load_config(raw, other_environments=stackfiles.other_environment_regions(stack))


def bad_config_cases(cases: list[tuple[Any, ...]]) -> pytest.MarkDecorator:
    """Parametrize over ``(description, stack, changes, key, words in the message)`` cases."""
    return pytest.mark.parametrize(
        ("stack", "changes", "key", "words"), [c[1:] for c in cases], ids=[c[0] for c in cases]
    )


def assert_config_error(stack: str, changes: dict[str, Any], key: str, words: str) -> ConfigError:
    """Loading fails with one ConfigError that names `key` (the full `social-platform:` path)
    and says `words`, with no traceback in the message."""
    with pytest.raises(ConfigError) as caught:
        load_with(stack, changes)
    error = caught.value
    full_key = key if key.startswith(f"{NAMESPACE}:") else f"{NAMESPACE}:{key}"
    assert full_key in error.keys, error
    assert words in str(error)
    assert "Traceback" not in str(error)
    return error


def with_stray(stack: RenderedStack, type_: str, name: str, inputs: dict[str, Any]) -> RenderedStack:
    """`stack` plus one top-level resource of `type_` in the dev account's eu-west-1 (as if a change
    had added it)."""
    stray = RenderedResource(
        urn=f"urn:pulumi:{stack.stack}::social-platform::{type_}::{name}",
        id=f"stray-{name}",
        type=type_,
        name=name,
        custom=True,
        parent=None,
        provider=None,
        account="222222222222",
        region="eu-west-1",
        inputs=inputs,
    )
    return RenderedStack(stack.stack, {**stack.resources, stray.urn: stray}, stack.outputs)
