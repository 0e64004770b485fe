"""Reading the project's config: `Pulumi.yaml` (project-wide values) and `Pulumi.<stack>.yaml`.

The same raw mapping reaches `load_config` whether it comes from the Pulumi engine (real runs) or
from the files on disk (the offline render), so both go through identical validation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from social_platform.areas.stack import Regions
from social_platform.errors import NAMESPACE, ConfigError, ConfigIssue

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PREFIX = f"{NAMESPACE}:"
OFFLINE_SECRET = "offline-render-placeholder-secret"
"""What an encrypted (`secure:`) value reads as in the offline render, which holds no decryption key."""


class UnknownStackError(ConfigError):
    """The stack has no `Pulumi.<stack>.yaml`: not a configuration problem, a wrong name."""

    def __init__(self, stack: str, known: list[str]) -> None:
        self.stack = stack
        self.known = known
        super().__init__([ConfigIssue("(file)", f"no Pulumi.{stack}.yaml")], source=f"Pulumi.{stack}.yaml")

    def __str__(self) -> str:
        return (
            f"no stack '{self.stack}': there is no Pulumi.{self.stack}.yaml in this project; "
            f"stacks: {', '.join(self.known) or 'none'}"
        )


@dataclass
class RawConfig:
    """A stack's config below the project namespace, and which top-level keys are secret."""

    values: dict[str, Any]
    secret_keys: set[str] = field(default_factory=set)


def stack_names(project_dir: Path = PROJECT_ROOT) -> list[str]:
    """Stacks that have a `Pulumi.<stack>.yaml` in the project."""
    return sorted(
        p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in project_dir.glob("Pulumi.*.yaml")
    )


def project_keys(project_dir: Path = PROJECT_ROOT) -> set[str]:
    """Top-level keys (below the namespace) set in `Pulumi.yaml` for every stack."""
    config = _read_yaml(project_dir / "Pulumi.yaml").get("config") or {}
    return {str(key).removeprefix(PREFIX) for key in config if str(key).startswith(PREFIX)}


def stack_file(stack: str, project_dir: Path = PROJECT_ROOT) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            [ConfigIssue("(file)", f"{path.name} is not valid YAML: {exc}")], source=path.name
        ) from None
    if not isinstance(data, dict):
        raise ConfigError([ConfigIssue("(file)", f"{path.name} must be a YAML mapping")], source=path.name)
    return data


def _strip_secure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: …}` leaves with a placeholder; report whether any were found."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return OFFLINE_SECRET, True
        found = False
        out = {}
        for key, item in value.items():
            out[key], secret = _strip_secure(item)
            found |= secret
        return out, found
    if isinstance(value, list):
        pairs = [_strip_secure(item) for item in value]
        return [p[0] for p in pairs], any(p[1] for p in pairs)
    return value, False


def read_stack_files(stack: str, project_dir: Path = PROJECT_ROOT) -> RawConfig:
    """Project-wide config from `Pulumi.yaml`, overlaid by the stack file (the stack wins)."""
    path = stack_file(stack, project_dir)
    if not path.exists():
        raise UnknownStackError(stack, stack_names(project_dir))
    raw = RawConfig(values={})
    project_config = _read_yaml(project_dir / "Pulumi.yaml").get("config") or {}
    for key, spec in project_config.items():
        if key.startswith(PREFIX) and isinstance(spec, dict) and "value" in spec:
            raw.values[key.removeprefix(PREFIX)] = spec["value"]
    for key, value in (_read_yaml(path).get("config") or {}).items():
        if key.startswith(PREFIX):
            name = key.removeprefix(PREFIX)
            raw.values[name], secret = _strip_secure(value)
            if secret:
                raw.secret_keys.add(name)
    return raw


def from_engine(config: Mapping[str, Any], secret_keys: list[str]) -> RawConfig:
    """The flat `namespace:key → JSON text` map Pulumi hands a program, as a `RawConfig`."""
    raw = RawConfig(values={})
    for key, text in config.items():
        if not key.startswith(PREFIX):
            continue
        name = key.removeprefix(PREFIX)
        try:
            raw.values[name] = json.loads(text) if isinstance(text, str) else text
        except json.JSONDecodeError:
            raw.values[name] = text
        if key in secret_keys:
            raw.secret_keys.add(name)
    return raw


def to_engine(raw: RawConfig) -> tuple[dict[str, str], list[str]]:
    """The inverse of `from_engine`, for the offline render to hand the program its config."""
    flat = {PREFIX + key: json.dumps(value) for key, value in raw.values.items()}
    return flat, [PREFIX + key for key in sorted(raw.secret_keys)]


def other_environment_regions(stack: str, project_dir: Path = PROJECT_ROOT) -> dict[str, Regions]:
    """The address plan: each other stack's regions, keyed by its environment name.

    A sibling whose regions do not validate is skipped here; its own render reports it.
    """
    plan: dict[str, Regions] = {}
    for other in stack_names(project_dir):
        if other == stack:
            continue
        try:
            values = read_stack_files(other, project_dir).values
            env = values.get("environment") or {}
            plan[str(env.get("name", other))] = Regions.model_validate(values.get("regions"))
        except (ConfigError, ValidationError, AttributeError):
            continue
    return plan
