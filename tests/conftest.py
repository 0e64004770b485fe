"""Shared fixtures: each stack file in the repo is rendered once per test session."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from social_platform import stackfiles
from social_platform.render import RenderedStack, render

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
