"""The typed platform configuration: the root model and the only way in, `load_config`.

`PlatformConfig` is read from the stack's structured Pulumi config (project-wide values in
`Pulumi.yaml`, the rest in `Pulumi.<stack>.yaml`, all under the ``social-platform`` namespace):
the stack-wide part (`areas/stack.py`) plus one section per area. Each area module
(`platform/areas/<area>.py`) holds its section, tier defaults, prod locks, checks and build step;
this module only assembles them, resolves tier defaults and raises `ConfigError` for anything
wrong, before a single resource is declared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from social_platform import hints
from social_platform.areas import (
    backup,
    ci,
    cluster,
    data,
    edge,
    identity,
    ingress,
    migrations,
    network,
    observability,
    realtime,
    registry,
    runners,
    security,
    sign_in,
    stack,
    streaming,
    wallet,
)
from social_platform.areas.backup import BackupConfig
from social_platform.areas.base import Section, Tier, aws_regions, region_code
from social_platform.areas.ci import CiConfig
from social_platform.areas.cluster import ClusterConfig
from social_platform.areas.data import CacheConfig, DatabaseConfig
from social_platform.areas.edge import EdgeConfig, edge_aliases
from social_platform.areas.identity import IdentityConfig
from social_platform.areas.ingress import IngressConfig
from social_platform.areas.migrations import MigrationsConfig
from social_platform.areas.network import NetworkConfig
from social_platform.areas.observability import ObservabilityConfig
from social_platform.areas.policy import PolicyConfig
from social_platform.areas.realtime import RealtimeConfig
from social_platform.areas.registry import RegistryConfig
from social_platform.areas.runners import RunnersConfig
from social_platform.areas.security import SecurityConfig
from social_platform.areas.stack import SHARED, Environment, Regions, StackConfig, environment_zone_name
from social_platform.areas.streaming import StreamingConfig, ivs_regions
from social_platform.areas.usage import UsageConfig
from social_platform.areas.wallet import WalletConfig
from social_platform.errors import NAMESPACE, ConfigError, ConfigIssue

__all__ = [
    "SECTIONS",
    "SHARED",
    "PlatformConfig",
    "Regions",
    "Tier",
    "aws_regions",
    "config_schema",
    "edge_aliases",
    "environment_zone_name",
    "ivs_regions",
    "load_config",
    "region_code",
]


class PlatformConfig(StackConfig):
    network: NetworkConfig
    cluster: ClusterConfig
    database: DatabaseConfig
    cache: CacheConfig
    identity: IdentityConfig
    streaming: StreamingConfig
    realtime: RealtimeConfig
    wallet: WalletConfig
    migrations: MigrationsConfig
    edge: EdgeConfig
    backup: BackupConfig
    ingress: IngressConfig
    registry: RegistryConfig
    runners: RunnersConfig
    ci: CiConfig
    security: SecurityConfig
    policy: PolicyConfig
    usage: UsageConfig
    observability: ObservabilityConfig


SECTIONS: dict[str, type[Section]] = {
    name: field.annotation
    for name, field in PlatformConfig.model_fields.items()
    if isinstance(field.annotation, type) and issubclass(field.annotation, Section)
}
"""Every area section by config key, in the root model's order."""


# ---------------------------------------------------------------------------------------------
# Loading


def load_config(
    raw: Mapping[str, Any],
    *,
    secret_keys: Iterable[str] = (),
    other_environments: Mapping[str, Regions] | None = None,
) -> PlatformConfig:
    """Validate a stack's config (keys without the namespace) into a `PlatformConfig`.

    `secret_keys`: top-level keys stored encrypted; every `SecretStr` field must live under one.
    `other_environments`: the regions of the project's other stacks, for the address-plan check.
    Raises `ConfigError` naming every problem found.
    """
    if not isinstance(raw, Mapping):
        raise ConfigError([ConfigIssue("(root)", "stack configuration must be a mapping of keys")])
    data_ = dict(raw)

    # Phase 1: the environment decides every tier default, so it must be valid on its own.
    try:
        env = Environment.model_validate(data_.get("environment"))
    except ValidationError as exc:
        raise _as_config_error(exc, prefix=("environment",)) from None

    # Phase 2: types, ranges, unknown keys, with tier defaults filled in.
    for key, section in SECTIONS.items():
        given = data_.get(key, {})
        if not isinstance(given, Mapping):
            raise ConfigError([ConfigIssue(key, "must be a mapping of settings")])
        data_[key] = section.resolve(given, env.tier, env.is_tooling)
    try:
        cfg = PlatformConfig.model_validate(data_)
    except ValidationError as exc:
        raise _as_config_error(exc) from None

    # Phase 3: rules across fields, areas and stacks; each area checks its own section.
    checks: list[Callable[[PlatformConfig], Iterable[ConfigIssue]]] = [
        stack.check_accounts,
        lambda c: stack.check_regions(c, other_environments or {}),
        network.check,
        _check_prod_locks,
        data.check,
        cluster.check,
        sign_in.check,
        lambda c: _check_secrets(c, set(secret_keys)),
        streaming.check,
        realtime.check,
        wallet.check,
        migrations.check,
        identity.check,
        edge.check,
        ingress.check,
        registry.check,
        runners.check,
        ci.check,
        security.check,
        backup.check,
        observability.check,
    ]
    issues = [found for check in checks for found in check(cfg)]
    if issues:
        raise ConfigError(issues)
    return cfg


def _as_config_error(exc: ValidationError, prefix: tuple[str, ...] = ()) -> ConfigError:
    issues = []
    for error in exc.errors():
        # A bad map key (a region name) is reported at the key itself, without pydantic's "[key]".
        # Region names are keys the user writes, so a key is capped like an echoed value.
        loc = prefix + tuple(hints.short_key(str(part)) for part in error["loc"] if part != "[key]")
        message = error["msg"].removeprefix("Value error, ")
        given = error.get("input")
        if error["type"] == "extra_forbidden" and loc[:1] == ("regions",) and loc[-1] == "name":
            message = "unknown key; a region's name is its key in `regions`, e.g. regions: {eu-west-1: {…}}"
        elif error["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
            message = hints.unknown_key(loc[-1], hints.allowed_keys(PlatformConfig, loc[:-1]))
        elif error["type"] == "missing":
            message = "is required"
        elif error["type"] in ("literal_error", "enum"):
            message = message.replace("Input should be", "allowed:") + f" (got {hints.shown(given)})"
        elif "input" in error and not isinstance(given, dict | list):
            message = f"{message} (got {hints.shown(given)})"
            if error["type"] == "string_type":
                message += hints.unquoted_number(given)
        issues.append(ConfigIssue(".".join(loc) or "(root)", message))
    return ConfigError(issues)


def _check_prod_locks(cfg: PlatformConfig) -> Iterable[ConfigIssue]:
    if cfg.tier is not Tier.prod:
        return
    for section in cfg.sections():
        key = section.KEY
        if not section.enabled:
            continue
        for field, lock in section.PROD_LOCKS.items():
            value = getattr(section, field)
            if not lock.check(value):
                yield ConfigIssue(
                    f"{key}.{field}",
                    f"is a prod safety default; allowed in prod: {lock.allowed} (got {value!r})",
                )


def _check_secrets(cfg: PlatformConfig, secret_keys: set[str]) -> Iterable[ConfigIssue]:
    for path, _ in cfg.secrets():
        if path.split(".")[0] not in secret_keys:
            yield ConfigIssue(path, f"must be stored encrypted: pulumi config set --secret --path '{path}' …")


def config_schema() -> dict[str, Any]:
    """JSON Schema of a `Pulumi.<stack>.yaml` file, for editors (committed in schema/).

    Keys are the namespaced config keys; section fields are optional because tier defaults fill them.
    """
    model = PlatformConfig.model_json_schema(ref_template="#/$defs/{model}")
    defs = model.pop("$defs", {})
    for section in SECTIONS.values():
        defs.get(section.__name__, {}).pop("required", None)
    keys = {f"{NAMESPACE}:{name}": spec for name, spec in model["properties"].items()}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "social-platform stack file (Pulumi.<stack>.yaml)",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": keys,
                "propertyNames": {"anyOf": [{"enum": sorted(keys)}, {"not": {"pattern": f"^{NAMESPACE}:"}}]},
            },
        },
        "$defs": defs,
    }
