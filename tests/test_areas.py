"""One home per area: a setting is defined once, and everything else is generated from it.

- A config setting that is also the component's (same name in its args dataclass) has the
  component's default and description, and reaches the component without a hand-written mapping.
- The configuration reference (docs/areas.md) and the JSON schema are generated from the same
  model; a test fails when either is stale, and every section key is in both.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest
from pydantic import BaseModel

from social_components.cluster import NodePoolArgs
from social_components.network import NetworkArgs
from social_platform.areas.base import attribute_docs
from social_platform.areas.cluster import NodePoolConfig
from social_platform.areas.network import NetworkConfig
from social_platform.config import SECTIONS
from social_platform.docs import config_table
from social_platform.schema import SCHEMA_FILE

from .conftest import load_with

SHARED_WITH_ARGS: list[tuple[type[BaseModel], type]] = [
    (NodePoolConfig, NodePoolArgs),
    (NetworkConfig, NetworkArgs),
]


def shared_settings(model: type[BaseModel], args: type) -> list[str]:
    return sorted({f.name for f in dataclasses.fields(args)} & set(model.model_fields))


def arg_default(args: type, name: str) -> Any:
    (spec,) = [f for f in dataclasses.fields(args) if f.name == name]
    value = spec.default if spec.default is not dataclasses.MISSING else spec.default_factory()  # type: ignore[misc]
    return list(value) if isinstance(value, tuple) else value


@pytest.mark.parametrize(("model", "args"), SHARED_WITH_ARGS, ids=lambda c: c.__name__)
def test_a_setting_shared_with_the_component_has_its_default_and_description(model: type, args: type) -> None:
    shared = shared_settings(model, args)
    assert shared, "the model shares no setting with the args: wrong pair"
    for name in shared:
        field = model.model_fields[name]
        if field.is_required():
            continue  # config asks for it (a tier default or the user fills it)
        default, expected = field.get_default(call_default_factory=True), arg_default(args, name)
        if isinstance(default, BaseModel):  # the same setting as a config model and an args dataclass
            default, expected = default.model_dump(), dataclasses.asdict(expected)
        assert default == expected, name
        if name in attribute_docs(args):
            assert field.description == attribute_docs(args)[name], name


def test_every_extra_node_pool_setting_reaches_the_component_without_a_mapping() -> None:
    """Set every shared setting to something other than its default: each arrives in NodePoolArgs."""
    changed = {
        "cpu_limit": 7,
        "memory_limit_gib": 9,
        "capacity_types": ["spot"],
        "architectures": ["arm64"],
        "instance_categories": ["g"],
        "labels": {"team": "ml"},
        "expire_after_hours": 24,
        "consolidate_after_seconds": 300,
        "weight": 42,
    }
    assert set(changed) >= set(shared_settings(NodePoolConfig, NodePoolArgs)) - {"taints"}
    built = NodePoolConfig.model_validate(changed).args()
    for name, value in changed.items():
        got = getattr(built, name)
        assert (list(got) if isinstance(got, tuple) else got) == value, name


def test_the_network_passes_its_shared_settings_through() -> None:
    section = load_with("staging", {"network.flow_log_bucket_arn": "arn:aws:s3:::flow-logs"}).network
    kwargs = section.args_for(NetworkArgs, vpc_cidr="10.0.0.0/16")
    for name in shared_settings(NetworkConfig, NetworkArgs):
        value = getattr(section, name)
        assert kwargs[name] == (tuple(value) if isinstance(value, list) else value), name
    NetworkArgs(**kwargs)  # every key is an argument


@pytest.mark.parametrize("key", SECTIONS)
def test_every_section_key_is_in_the_generated_table_and_the_schema(key: str) -> None:
    section = SECTIONS[key]
    table = config_table(section)
    schema = json.loads(SCHEMA_FILE.read_text())
    properties = schema["$defs"][section.__name__]["properties"]
    for name in section.model_fields:
        assert name in properties, f"{key}.{name} missing from the schema"
        if name != "enabled":
            assert f"| `{name}` |" in table, f"{key}.{name} missing from the reference"
