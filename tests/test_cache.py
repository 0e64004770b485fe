"""The cache: Valkey on ElastiCache per region, encrypted, authenticated, Multi-AZ in prod."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from social_components.cache import CacheArgs, check_args, parameter_group_family
from social_platform import stackfiles
from social_platform.config import load_config
from social_platform.errors import ConfigError
from social_platform.render import RenderedResource, RenderedStack

from .conftest import (
    ENVIRONMENTS,
    assert_config_error,
    bad_config_cases,
    raw_config,
    render_variant,
    set_keys,
)
from .datatier import (
    CACHE,
    KEY,
    LOG_GROUP,
    RANDOM_PASSWORD,
    REPLICATION_GROUP,
    SECRET,
    SECRET_VERSION,
    SG,
    assert_final_snapshot_unique_per_creation,
    by_region,
    config,
    inside,
    known_secret_values,
    one,
    plaintext_secrets,
)

PARAMS = "aws:elasticache/parameterGroup:ParameterGroup"


def group(stack: RenderedStack, cache: RenderedResource) -> RenderedResource:
    return one(stack, cache, REPLICATION_GROUP)


def caches(stack: RenderedStack) -> dict[str, RenderedResource]:
    return by_region(stack, CACHE)


def test_every_region_of_an_environment_has_its_own_cache(any_stack: RenderedStack) -> None:
    cfg = config(any_stack.stack)
    expected = [] if cfg.environment.is_tooling else [region.name for region in cfg.regions.all()]
    assert sorted(caches(any_stack)) == sorted(expected)
    assert set(any_stack.outputs.get("cache", {})) == set(expected)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_valkey_version_is_pinned_with_its_own_parameter_group(rendered: dict, stack: str) -> None:
    cfg = config(stack).cache
    for cache in caches(rendered[stack]).values():
        g = group(rendered[stack], cache)
        params = one(rendered[stack], cache, PARAMS)
        assert (g.inputs["engine"], g.inputs["engineVersion"]) == ("valkey", cfg.engine_version)
        assert g.inputs["autoMinorVersionUpgrade"] is False
        assert params.inputs["family"] == f"valkey{cfg.engine_version.split('.')[0]}"
        assert g.inputs["parameterGroupName"] == params.inputs.get("name", params.name)
        assert {p["name"]: p["value"] for p in params.inputs["parameters"]} == {
            "maxmemory-policy": "allkeys-lru"
        }


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_replicas_failover_and_multi_az_follow_the_tier(rendered: dict, stack: str) -> None:
    cfg = config(stack).cache
    for cache in caches(rendered[stack]).values():
        g = group(rendered[stack], cache)
        assert g.inputs["numCacheClusters"] == 1 + cfg.replicas
        assert g.inputs["nodeType"] == cfg.node_type
        assert g.inputs["multiAzEnabled"] is cfg.multi_az
        assert g.inputs["automaticFailoverEnabled"] is (cfg.replicas >= 1)
        if stack == "prod":
            assert g.inputs["multiAzEnabled"] and g.inputs["automaticFailoverEnabled"] and cfg.replicas >= 1


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_encrypted_in_transit_and_at_rest_with_its_own_key(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    for cache in caches(s).values():
        g = group(s, cache)
        key = one(s, cache, KEY)
        assert (
            g.inputs["transitEncryptionEnabled"] is True and g.inputs["transitEncryptionMode"] == "required"
        )
        assert g.inputs["atRestEncryptionEnabled"] is True
        assert g.inputs["kmsKeyId"].endswith(f"/{key.name}") and key.inputs["enableKeyRotation"] is True


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_clients_authenticate_with_a_generated_secret_token(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    for region, cache in caches(s).items():
        g = group(s, cache)
        (token,) = inside(s, cache, RANDOM_PASSWORD)
        assert token.inputs["length"] >= 32 and "result" in token.additional_secret_outputs
        assert g.secret_paths == ["authToken"] and g.inputs["authToken"] == "[secret]"
        assert "authToken" in g.additional_secret_outputs and token.urn in g.depends_on
        (secret,) = inside(s, cache, SECRET)
        (version,) = inside(s, cache, SECRET_VERSION)
        assert secret.inputs["kmsKeyId"].endswith(f"/{one(s, cache, KEY).name}")
        assert version.secret_paths == ["secretString"] and token.urn in version.depends_on
        assert s.outputs["cache"][region]["auth_token_secret_arn"].endswith(secret.name)


def test_a_configured_token_is_used_and_never_shown(tmp_path: Path) -> None:
    stack = render_variant(tmp_path, "dev", {"cache.auth_token": {"secure": "v1:AAAAencryptedAAAA"}})
    (cache,) = caches(stack).values()
    assert inside(stack, cache, RANDOM_PASSWORD) == []
    assert group(stack, cache).secret_paths == ["authToken"]
    assert plaintext_secrets(stack, known_secret_values(stack)) == []


def test_a_plain_text_token_in_the_stack_file_is_refused() -> None:
    raw = set_keys(raw_config("dev"), {"cache.auth_token": "a-token-in-plain-text"})
    with pytest.raises(ConfigError, match=r"cache\.auth_token.*pulumi config set --secret"):
        load_config(raw, secret_keys=[])


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_snapshots_windows_and_final_snapshot_by_tier(rendered: dict, stack: str) -> None:
    cfg = config(stack).cache
    for cache in caches(rendered[stack]).values():
        g = group(rendered[stack], cache)
        assert g.inputs["snapshotRetentionLimit"] == cfg.snapshot_retention_days
        assert g.inputs["snapshotWindow"] == cfg.snapshot_window
        assert g.inputs["maintenanceWindow"] == cfg.maintenance_window
        assert_final_snapshot_unique_per_creation(rendered[stack], cache, g.inputs["replicationGroupId"], g)
    if stack == "prod":
        assert cfg.snapshot_retention_days >= 1


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_cache_sits_in_the_data_subnets_behind_its_own_security_group(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    for cache in caches(s).values():
        network = next(
            n for n in s.components("social:network:Network") if n.name == cache.name.removesuffix("-cache")
        )
        subnet_group = one(s, network, "aws:elasticache/subnetGroup:SubnetGroup")
        (sg,) = inside(s, cache, SG)
        g = group(s, cache)
        assert g.inputs["subnetGroupName"] == subnet_group.inputs["name"]
        assert g.inputs["securityGroupIds"] == [sg.id]
        assert sg.inputs["vpcId"] == one(s, network, "aws:ec2/vpc:Vpc").id


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_slow_and_engine_logs_go_to_encrypted_log_groups(rendered: dict, stack: str) -> None:
    cfg = config(stack).cache
    s = rendered[stack]
    for cache in caches(s).values():
        groups = {g.inputs["name"]: g for g in inside(s, cache, LOG_GROUP)}
        deliveries = group(s, cache).inputs["logDeliveryConfigurations"]
        assert sorted(d["logType"] for d in deliveries) == ["engine-log", "slow-log"]
        for delivery in deliveries:
            log_group = groups[delivery["destination"]]
            assert delivery["destinationType"] == "cloudwatch-logs"
            assert log_group.inputs["retentionInDays"] == cfg.log_retention_days
            assert log_group.inputs["kmsKeyId"].endswith(f"/{one(s, cache, KEY).name}")


def test_prod_protects_the_replication_group_its_key_token_and_secret(rendered: dict) -> None:
    s = rendered["prod"]
    for cache in caches(s).values():
        stateful = inside(
            s, cache, REPLICATION_GROUP, KEY, RANDOM_PASSWORD, SECRET, SECRET_VERSION, LOG_GROUP
        )
        assert len(stateful) == 7
        assert [r.name for r in stateful if not (r.protect and r.retain_on_delete)] == []
    assert not any(
        r.protect for r in inside(rendered["dev"], caches(rendered["dev"])["eu-west-1"], REPLICATION_GROUP)
    )


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_outputs_name_the_endpoints_port_and_security_group(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    for region, cache in caches(s).items():
        out = s.outputs["cache"][region]
        (sg,) = inside(s, cache, SG)
        group_id = group(s, cache).inputs["replicationGroupId"]
        assert out["primary_endpoint"].startswith(f"master.{group_id}.")
        assert out["reader_endpoint"].startswith(f"replica.{group_id}.")
        assert out["port"] == 6379 and out["security_group_id"] == sg.id


# ---------------------------------------------------------------------------------------------
# Guards


BAD_CACHE_CONFIG = [
    ("multi-AZ without a replica", "staging", {"cache.replicas": 0}, "cache.multi_az", "replicas ≥ 1"),
    ("a Redis version", "dev", {"cache.engine_version": "6.2"}, "cache.engine_version", "7.2 or 8.0"),
    (
        "maintenance during snapshots",
        "dev",
        {"cache.maintenance_window": "mon:02:30-mon:03:30"},
        "cache.maintenance_window",
        "overlaps snapshot_window",
    ),
    (
        "snapshot window too short",
        "dev",
        {"cache.snapshot_window": "02:00-02:30"},
        "cache.snapshot_window",
        "at least 60 minutes",
    ),
    (
        "prod without snapshots",
        "prod",
        {"cache.snapshot_retention_days": 0},
        "cache.snapshot_retention_days",
        "prod",
    ),
    ("node type", "dev", {"cache.node_type": "t4g.micro"}, "cache.node_type", "pattern"),
]


@bad_config_cases(BAD_CACHE_CONFIG)
def test_bad_cache_config_names_the_key_and_what_is_allowed(
    stack: str, changes: dict, key: str, words: str
) -> None:
    assert_config_error(stack, changes, key, words)


@pytest.mark.parametrize(
    "token", ["short", "has a space in it, long enough", "with/slash-and-long-enough", "é" * 20]
)
def test_a_bad_configured_token_is_named_but_never_echoed(token: str) -> None:
    raw = set_keys(raw_config("dev"), {"cache.auth_token": token})
    with pytest.raises(ConfigError) as caught:
        load_config(raw, secret_keys=["cache"])
    assert caught.value.keys == ["social-platform:cache.auth_token"]
    assert token not in str(caught.value) and "16 to 128" in str(caught.value)


def test_a_good_configured_token_loads() -> None:
    raw = set_keys(raw_config("dev"), {"cache.auth_token": stackfiles.OFFLINE_SECRET})
    assert load_config(raw, secret_keys=["cache"]).cache.auth_token is not None


def cache_args(**changes: Any) -> CacheArgs:
    return CacheArgs(**{"vpc_id": "vpc-1", "subnet_group_name": "data", **changes})


@pytest.mark.parametrize(
    ("name", "changes", "words"),
    [
        ("a-name-that-is-far-too-long-for-elasticache-ids", {}, "cannot be a replication group id"),
        ("cache", {"replicas": 6}, "replicas must be 0 to 5"),
        ("cache", {"replicas": 0, "enable_multi_az": True}, "needs replicas"),
        ("cache", {"snapshot_retention_days": 36}, "0 to 35"),
        ("cache", {"engine_version": "7.0"}, "7.2 or 8.0"),
        ("cache", {"node_type": "r7g.large"}, "node_type"),
        ("cache", {"auth_token": "tiny"}, "16 to 128"),
        ("cache", {"client_security_group_ids": {"office": "10.0.0.0/8"}}, "never a CIDR"),
    ],
)
def test_cache_args_are_checked_before_any_resource(name: str, changes: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        check_args(name, cache_args(**changes))


def test_good_cache_args_pass() -> None:
    check_args("prod-euw1-cache", cache_args(client_security_group_ids={"nodes": "sg-0123456789abcdef0"}))
    assert parameter_group_family("7.2") == "valkey7" and parameter_group_family("8.1") == "valkey8"
