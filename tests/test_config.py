"""The config model: tier defaults, prod safety locks, and one clear error per bad key."""

from __future__ import annotations

import contextlib
import ipaddress
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from social_platform.config import Regions, Tier, aws_regions, load_config, region_code
from social_platform.errors import ConfigError

from .conftest import STACKS, assert_config_error, bad_config_cases, load_with, raw_config


def load(stack: str, **changes: Any) -> Any:
    """Load a stack's config after setting dotted keys, e.g. ``load("dev", **{"edge.aliases": [...]})``."""
    return load_with(stack, changes)


@pytest.mark.parametrize("stack", STACKS)
def test_every_stack_file_loads(stack: str) -> None:
    cfg = load(stack)
    assert cfg.environment.name == stack


def test_dev_stays_short_because_the_tier_fills_the_rest() -> None:
    cfg = load("dev")
    assert cfg.network.nat_strategy == "single"
    assert cfg.database.backup_retention_days == 1
    assert cfg.cluster.public_access_cidrs  # dev opts in to a public endpoint, limited to its CIDRs


def test_prod_is_safe_by_default() -> None:
    cfg = load("prod")
    assert cfg.tier is Tier.prod
    assert cfg.network.nat_strategy == "per-az"
    assert cfg.database.backup_retention_days >= 14
    assert cfg.database.deletion_protection and cfg.cluster.deletion_protection
    assert cfg.cache.multi_az
    assert cfg.cluster.endpoint_public_access is False
    assert cfg.policy.enforcement == "mandatory"


def test_a_value_in_the_stack_file_beats_the_tier_default() -> None:
    assert load("dev", **{"database.backup_retention_days": 5}).database.backup_retention_days == 5


def test_workload_sections_are_off_in_the_shared_stack_and_tooling_sections_on() -> None:
    shared, dev = load("shared"), load("dev")
    assert not shared.cluster.enabled and shared.runners.enabled
    assert dev.cluster.enabled and not dev.runners.enabled


BAD_CONFIG = [
    # (description, stack, changes, key named in the error, words in the message)
    ("unknown top-level key", "dev", {"netwrok": {}}, "social-platform:netwrok", "unknown key"),
    ("unknown section key", "dev", {"network.nat": "single"}, "social-platform:network.nat", "unknown key"),
    (
        "invalid CIDR",
        "dev",
        {"regions.eu-west-1.vpc_cidr": "10.10.0.0/33"},
        "regions.eu-west-1.vpc_cidr",
        "valid",
    ),
    (
        "public CIDR",
        "dev",
        {"regions.eu-west-1.vpc_cidr": "8.8.0.0/16"},
        "regions.eu-west-1.vpc_cidr",
        "RFC 1918",
    ),
    (
        "CIDR too small",
        "dev",
        {"regions.eu-west-1.vpc_cidr": "10.10.0.0/24"},
        "regions.eu-west-1.vpc_cidr",
        "/22",
    ),
    (
        "regions overlap",
        "prod",
        {"regions.eu-central-1.vpc_cidr": "10.30.128.0/17"},
        "regions.eu-central-1.vpc_cidr",
        "overlaps regions.eu-west-1",
    ),
    (
        "environments overlap",
        "staging",
        {"regions.eu-west-1.vpc_cidr": "10.10.0.0/16"},
        "regions.eu-west-1.vpc_cidr",
        "overlaps dev's",
    ),
    (
        "one AZ",
        "dev",
        {"regions.eu-west-1.az_count": 1},
        "regions.eu-west-1.az_count",
        "greater than or equal to 2",
    ),
    (
        "two AZs in prod",
        "prod",
        {"regions.eu-west-1.az_count": 2},
        "regions.eu-west-1.az_count",
        "at least 3",
    ),
    (
        "seven AZs",
        "dev",
        {"regions.eu-west-1.az_count": 7},
        "regions.eu-west-1.az_count",
        "less than or equal to 6",
    ),
    ("malformed account", "dev", {"accounts.dev.id": "12345"}, "accounts.dev.id", "pattern"),
    (
        "missing account",
        "dev",
        {"accounts": {"shared": {"id": "111111111111", "deploy_role": "r"}}},
        "accounts.dev",
        "is required",
    ),
    (
        "unknown region",
        "dev",
        {"regions": {"eu-middle-9": {"primary": True, "vpc_cidr": "10.10.0.0/16"}}},
        "regions.eu-middle-9",
        "unknown region",
    ),
    ("two primary regions", "prod", {"regions.eu-central-1.primary": True}, "regions", "exactly one"),
    (
        "several regions, none primary",
        "prod",
        {"regions.eu-west-1.primary": False},
        "regions",
        "exactly one region needs primary: true (got 0",
    ),
    ("no region", "dev", {"regions": {}}, "regions", "at least one region"),
    (
        "the old primary/secondary slots",
        "prod",
        {
            "regions": {
                "primary": {"name": "eu-west-1", "vpc_cidr": "10.30.0.0/16"},
                "secondary": {"name": "eu-central-1", "vpc_cidr": "10.31.0.0/16"},
            }
        },
        "regions",
        "old form; key each region by its name",
    ),
    (
        "a region that also names itself",
        "dev",
        {"regions.eu-west-1.name": "eu-west-1"},
        "regions.eu-west-1.name",
        "a region's name is its key",
    ),
    ("unknown tier", "dev", {"environment.tier": "qa"}, "environment.tier", "allowed"),
    (
        "prod turns off DB deletion protection",
        "prod",
        {"database.deletion_protection": False},
        "database.deletion_protection",
        "prod safety default",
    ),
    (
        "prod keeps too few backups",
        "prod",
        {"database.backup_retention_days": 7},
        "database.backup_retention_days",
        "14",
    ),
    (
        "prod turns off cache multi-AZ",
        "prod",
        {"cache.multi_az": False},
        "cache.multi_az",
        "prod safety default",
    ),
    (
        "prod makes policies advisory",
        "prod",
        {"policy.enforcement": "advisory"},
        "policy.enforcement",
        "mandatory",
    ),
    ("prod with a single NAT", "prod", {"network.nat_strategy": "single"}, "network.nat_strategy", "per-az"),
    ("bad NAT strategy", "dev", {"network.nat_strategy": "many"}, "network.nat_strategy", "allowed"),
    (
        "world-open cluster endpoint",
        "dev",
        {"cluster.public_access_cidrs": ["0.0.0.0/0"]},
        "cluster.public_access_cidrs",
        "0.0.0.0/0 is not allowed",
    ),
    (
        "public endpoint without CIDRs",
        "staging",
        {"cluster.endpoint_public_access": True},
        "cluster.public_access_cidrs",
        "is required",
    ),
    (
        "global database without a second region",
        "staging",
        {"database.global_database": True},
        "database.global_database",
        "second region",
    ),
    (
        "retention CloudWatch does not accept",
        "dev",
        {"network.flow_log_retention_days": 10},
        "network.flow_log_retention_days",
        "allowed",
    ),
]


@bad_config_cases(BAD_CONFIG)
def test_bad_config_names_the_key_and_what_is_allowed(
    stack: str, changes: dict, key: str, words: str
) -> None:
    assert_config_error(stack, changes, key, words)


def test_region_codes_are_short_and_distinct() -> None:
    assert region_code("us-east-1") == "use1"
    assert region_code("ap-southeast-2") == "apse2"
    assert len({region_code(r) for r in aws_regions()}) == len(aws_regions())


# ---------------------------------------------------------------------------------------------
# Property: whatever the input, the loader either returns a config or raises ConfigError.

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 70000),
    st.text(max_size=12),
    st.sampled_from(["10.0.0.0/16", "dev", "prod", "per-az", "eu-west-1", "111111111111"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "tier", "vpc_cidr", "az_count", "primary", "enabled", "id", "x"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=8,
)
KEYS = [
    "environment",
    "regions",
    "accounts",
    "organization",
    "network",
    "cluster",
    "database",
    "cache",
    "edge",
    "policy",
    "shared_stack",
]


def _paths(node: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*prefix, key))
    return out


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stack=st.sampled_from(STACKS), data=st.data())
def test_any_mutated_config_loads_or_raises_config_error(stack: str, data: st.DataObject) -> None:
    raw = raw_config(stack)
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _paths(raw) + [(k,) for k in KEYS]
        path = data.draw(st.sampled_from(paths))
        node = raw
        for part in path[:-1]:
            node = node[part] if isinstance(node.get(part), dict) else node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            if data.draw(st.booleans()):
                node[path[-1]] = data.draw(values)
            else:
                node.pop(path[-1], None)
    with contextlib.suppress(ConfigError):
        load_config(raw)


# Whole stack files, mutated in values, types, keys and YAML forms: tests/test_stackfile_fuzz.py.


@settings(max_examples=100, deadline=None)
@given(a=st.integers(0, 255), b=st.integers(0, 255), prefix=st.integers(16, 22))
def test_overlap_between_environments_is_always_caught(a: int, b: int, prefix: int) -> None:
    mine = ipaddress.IPv4Network(f"10.{a}.0.0/{prefix}", strict=False)
    theirs = ipaddress.IPv4Network(f"10.{b}.0.0/{prefix}", strict=False)
    raw = raw_config("dev")
    raw["regions"]["eu-west-1"]["vpc_cidr"] = str(mine)
    other = Regions.model_validate({"eu-west-1": {"vpc_cidr": str(theirs)}})
    if mine.overlaps(theirs):
        with pytest.raises(ConfigError, match="overlaps qa's"):
            load_config(raw, other_environments={"qa": other})
    else:
        assert load_config(raw, other_environments={"qa": other}).regions.primary.vpc_cidr == mine
