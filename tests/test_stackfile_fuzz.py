"""Stack files are YAML written by people: whatever a file holds, reading and validating it gives a
config or a `ConfigError` naming the file or key, with a bounded message, never anything else.

Hypothesis mutates the project's real stack files (values, types, keys and YAML forms: dates,
`!!binary`, `!!set`, aliases, deep nesting, bytes that are not UTF-8) and each named crash class
of issue 12 has its own example below.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from social_platform import stackfiles
from social_platform.config import PlatformConfig, load_config
from social_platform.errors import MAX_ECHO, NAMESPACE, ConfigError

from .conftest import STACKS

ROOT = stackfiles.PROJECT_ROOT
PREFIX = stackfiles.PREFIX


def stack_document(stack: str) -> dict[str, Any]:
    return yaml.safe_load(stackfiles.stack_file(stack).read_text())


def load_project(project: Path, stack: str) -> PlatformConfig:
    """What the offline render and the program do with a stack file, up to building resources."""
    raw = stackfiles.read_stack_files(stack, project)
    stackfiles.to_engine(raw)  # the render hands the engine the config as JSON
    return load_config(
        raw.values,
        secret_keys=raw.secret_keys,
        other_environments=stackfiles.other_environment_regions(stack, project),
    )


def outcome(text: bytes, stack: str) -> ConfigError | None:
    """Validate `text` as `Pulumi.<stack>.yaml` next to the project's other files: None when it
    loads, the ConfigError when it is refused (checked to name a key and to be bounded)."""
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp)
        for other in ROOT.glob("Pulumi*.yaml"):
            shutil.copy(other, project / other.name)
        (project / f"Pulumi.{stack}.yaml").write_bytes(text)
        try:
            load_project(project, stack)
        except ConfigError as error:
            assert error.issues
            for issue in error.issues:
                assert str(issue).startswith(f"{NAMESPACE}:"), issue
                assert len(issue.message) <= MAX_ECHO + 40, len(issue.message)
            assert len(str(error)) < 20_000
            return error
    return None


def dump(document: Any) -> bytes:
    # The full dumper writes dates as timestamps, bytes as !!binary and sets as !!set.
    return yaml.dump(document, allow_unicode=True, sort_keys=False).encode()


def nested(depth: int) -> list[Any]:
    value: list[Any] = []
    for _ in range(depth):
        value = [value]
    return value


ODD_TEXT = st.text(
    alphabet=st.sampled_from([*"09az.-/ ", "\u0663", "\uff15", "\u200b", "\u202e", "\x00", "é"]),
    max_size=16,
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    ODD_TEXT,
    st.dates(),
    st.datetimes(),
    st.binary(max_size=8),
    st.frozensets(st.text(max_size=4), max_size=3).map(set),
    st.integers(30, 300).map(nested),
    st.sampled_from(["10.10.0.0/16", "198.18.0.0/16", "eu-west-1", "prod", "111111111111", "x" * 5000]),
)
VALUES = st.recursive(
    LEAVES,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)
ODD_KEYS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            out += _paths(value, (*prefix, index))
    return out


@st.composite
def mutated_stack_files(draw: st.DrawFn) -> tuple[str, bytes]:
    stack = draw(st.sampled_from(STACKS))
    document = copy.deepcopy(stack_document(stack))
    config = document["config"]
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["value", "value", "value", "drop", "odd key", "new key"]))
        paths = _paths(config)
        if not paths:  # an earlier mutation dropped every key
            break
        path = draw(st.sampled_from(paths))
        parent = config
        for part in path[:-1]:
            parent = parent[part]
        if kind == "value":
            parent[path[-1]] = draw(VALUES)
        elif kind == "drop" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif kind == "odd key" and isinstance(parent, dict):
            parent[draw(ODD_KEYS)] = draw(VALUES)
        elif kind == "new key" and isinstance(parent, dict):
            parent[draw(st.sampled_from([f"{PREFIX}environment", f"{PREFIX}cluster", "environment"]))] = draw(
                VALUES
            )
    text = dump(document)
    if draw(st.integers(0, 9)) == 0:  # a byte that is not UTF-8
        at = draw(st.integers(0, len(text)))
        text = text[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80"])) + text[at:]
    return stack, text


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(mutated_stack_files())
def test_a_mutated_stack_file_loads_or_is_refused_with_a_config_error(case: tuple[str, bytes]) -> None:
    stack, text = case
    outcome(text, stack)


def with_config(stack: str, change: dict[str, Any]) -> bytes:
    document = copy.deepcopy(stack_document(stack))
    document["config"].update(change)
    return dump(document)


ACCOUNTS_OF_DEV = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())["config"][f"{PREFIX}accounts"]["value"]

CRASH_CLASSES = [
    # (the issue's crash class, stack file bytes, words in the error)
    (
        "a YAML date",
        with_config("dev", {f"{PREFIX}shared_stack": __import__("datetime").date(2026, 1, 2)}),
        "date",
    ),
    ("a !!binary value", with_config("dev", {f"{PREFIX}shared_stack": b"\x00\x01"}), "bytes"),
    ("a !!set value", with_config("dev", {f"{PREFIX}shared_stack": {"a", "b"}}), "set"),
    ("a null key under config", dump({"config": {None: 1}}), "keys must be text"),
    ("a true key under config", dump({"config": {True: 1}}), "keys must be text"),
    ("a 1.5 key under config", dump({"config": {1.5: 1}}), "keys must be text"),
    ("a 42 key under config", dump({"config": {42: 1}}), "keys must be text"),
    ("config written as a list", dump({"config": ["a", "b"]}), "config: must be a mapping"),
    ("bytes that are not UTF-8", b"config:\n  social-platform:shared_stack: caf\xe9\n", "not UTF-8"),
    ("lists nested hundreds deep", with_config("dev", {f"{PREFIX}shared_stack": nested(300)}), "deep"),
    (
        "an alias bomb",
        (
            b"x: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
            + b"".join(
                f"x{i}: &a{i} [{', '.join([f'*a{i - 1}' if i > 1 else '*a'] * 9)}]\n".encode()
                for i in range(1, 9)
            )
            + b"config: {}\n"
        ),
        "aliases",
    ),
    (
        "Arabic-Indic digits in an account ID",
        with_config(
            "dev",
            {
                f"{PREFIX}accounts": {
                    **ACCOUNTS_OF_DEV,
                    "dev": {**ACCOUNTS_OF_DEV["dev"], "id": "\u0662" * 12},
                }
            },
        ),
        "digits that are not 0-9",
    ),
    (
        "full-width digits in an account ID",
        with_config(
            "dev",
            {
                f"{PREFIX}accounts": {
                    **ACCOUNTS_OF_DEV,
                    "dev": {**ACCOUNTS_OF_DEV["dev"], "id": "\uff12" * 12},
                }
            },
        ),
        "digits that are not 0-9",
    ),
    (
        "a zero-width character in a taint key",
        with_config(
            "dev",
            {
                f"{PREFIX}cluster": {
                    **stack_document("dev")["config"][f"{PREFIX}cluster"],
                    "karpenter": {
                        "node_pools": {
                            "batch": {"taints": [{"key": "batch\u200bonly", "effect": "NoSchedule"}]}
                        }
                    },
                }
            },
        ),
        "invisible",
    ),
    (
        "a CIDR written as a number",
        with_config("dev", {f"{PREFIX}cluster": {"public_access_cidrs": [7]}}),
        "text",
    ),
    (
        "a VPC range outside RFC 1918",
        with_config(
            "dev",
            {f"{PREFIX}regions": {"eu-west-1": {"vpc_cidr": "198.18.0.0/16", "az_count": 2}}},
        ),
        "RFC 1918",
    ),
    (
        "a 900,000-character region name",
        with_config("dev", {f"{PREFIX}regions": {"r" * 900_000: {"vpc_cidr": "10.10.0.0/16"}}}),
        "regions.rrrr",
    ),
]


@pytest.mark.parametrize(("text", "words"), [c[1:] for c in CRASH_CLASSES], ids=[c[0] for c in CRASH_CLASSES])
def test_each_crash_class_is_a_config_error_naming_the_file_or_key(text: bytes, words: str) -> None:
    error = outcome(text, "dev")
    assert error is not None, "accepted"
    assert words in str(error), str(error)[:500]


def test_two_stack_files_with_one_environment_name_are_still_checked_for_overlap(tmp_path: Path) -> None:
    for other in ROOT.glob("Pulumi*.yaml"):
        shutil.copy(other, tmp_path / other.name)
    twin = stack_document("dev")
    (tmp_path / "Pulumi.dev2.yaml").write_text(yaml.safe_dump(twin))  # same environment name, same range
    with pytest.raises(ConfigError, match="overlaps"):
        load_project(tmp_path, "dev")
