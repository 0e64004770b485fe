"""Reading the project's config: `Pulumi.yaml` (project-wide values) and `Pulumi.<stack>.yaml`.

The same raw mapping reaches `load_config` whether it comes from the Pulumi engine (real runs) or
from the files on disk (the offline render), so both go through identical validation.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from social_platform.areas.stack import Regions
from social_platform.errors import NAMESPACE, ConfigError, ConfigIssue, cap

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


MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 24
"""Nesting deeper than any setting of the model needs; deeper lists only exhaust the reader."""
MAX_ALIASES = 16
"""YAML aliases (`*name`) allowed in one file: enough for reuse, too few for an alias bomb."""
PLAIN_TYPES = (str, int, float, bool, type(None))


def _file_error(path: Path, message: str) -> ConfigError:
    return ConfigError([ConfigIssue("(file)", f"{path.name}: {message}")], source=path.name)


def _read_yaml(path: Path) -> dict[str, Any]:
    """A stack or project file as plain data, refusing what YAML allows but config is not: bytes that
    are not UTF-8, nesting deeper than `MAX_DEPTH`, more than `MAX_ALIASES` aliases (checked on the
    event stream, before anything is built), and non-mapping documents."""
    data = path.read_bytes()
    if len(data) > MAX_FILE_BYTES:
        raise _file_error(path, f"is larger than {MAX_FILE_BYTES} bytes")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _file_error(path, f"is not UTF-8 text (invalid byte at offset {exc.start})") from None
    try:
        depth = aliases = 0
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise _file_error(path, f"nests lists or mappings more than {MAX_DEPTH} deep")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.AliasEvent):
                aliases += 1
                if aliases > MAX_ALIASES:
                    raise _file_error(path, f"uses more than {MAX_ALIASES} YAML aliases")
        loaded = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise _file_error(path, f"is not valid YAML: {cap(str(exc))}") from None
    if not isinstance(loaded, dict):
        raise _file_error(path, "must be a YAML mapping")
    return loaded


def _config_section(path: Path, data: Mapping[str, Any]) -> dict[str, Any]:
    """The file's `config:` mapping, its keys text."""
    section = data.get("config") or {}
    if not isinstance(section, dict):
        raise _file_error(path, f"config: must be a mapping of keys (got a {type(section).__name__})")
    for key in section:
        if not isinstance(key, str):
            raise _file_error(path, f"config: keys must be text (got {cap(repr(key))})")
    return section


def check_raw_values(values: Mapping[str, Any], source: str) -> None:
    """Every value is plain config data (text, numbers, booleans, lists, mappings with text keys)
    and no text hides characters that look like something else: digits of other scripts (which
    `\\d` accepts) or invisible format and control characters (zero-width spaces…)."""
    issues: list[ConfigIssue] = []

    def walk(value: Any, path: str, depth: int) -> None:
        if depth > MAX_DEPTH:
            issues.append(ConfigIssue(path, f"nests more than {MAX_DEPTH} deep"))
        elif isinstance(value, dict):
            for key, item in value.items():
                if not isinstance(key, str):
                    issues.append(ConfigIssue(path, f"keys must be text (got {cap(repr(key))})"))
                else:
                    text_problem(key, f"{path}.{key}")
                    walk(item, f"{path}.{key}", depth + 1)
        elif isinstance(value, list):
            for index, item in enumerate(value):
                walk(item, f"{path}.{index}", depth + 1)
        elif isinstance(value, str):
            text_problem(value, path)
        elif not isinstance(value, PLAIN_TYPES):
            issues.append(
                ConfigIssue(
                    path,
                    f"must be text, a number, a boolean, a list or a mapping (YAML read a "
                    f"{type(value).__name__}: quote dates and times, no !!binary or !!set)",
                )
            )

    def text_problem(text: str, path: str) -> None:
        if any(c.isdigit() and not c.isascii() for c in text):
            issues.append(ConfigIssue(path, "contains digits that are not 0-9"))
        if any(unicodedata.category(c) in ("Cf", "Cc", "Co", "Cs") and c not in "\t\n" for c in text):
            issues.append(ConfigIssue(path, "contains invisible control or format characters"))

    for key, value in values.items():
        walk(value, key, 1)
    if issues:
        raise ConfigError(issues[:20], source=source)


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
    project_file = project_dir / "Pulumi.yaml"
    project_config = _config_section(project_file, _read_yaml(project_file))
    for key, spec in project_config.items():
        if key.startswith(PREFIX) and isinstance(spec, dict) and "value" in spec:
            raw.values[key.removeprefix(PREFIX)] = spec["value"]
    for key, value in _config_section(path, _read_yaml(path)).items():
        if key.startswith(PREFIX):
            name = key.removeprefix(PREFIX)
            raw.values[name], secret = _strip_secure(value)
            if secret:
                raw.secret_keys.add(name)
    check_raw_values(raw.values, source=f"{path.name} / Pulumi.yaml")
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
    check_raw_values(raw.values, source="stack configuration")
    return raw


def to_engine(raw: RawConfig) -> tuple[dict[str, str], list[str]]:
    """The inverse of `from_engine`, for the offline render to hand the program its config."""
    flat = {PREFIX + key: json.dumps(value) for key, value in raw.values.items()}
    return flat, [PREFIX + key for key in sorted(raw.secret_keys)]


def other_environment_regions(stack: str, project_dir: Path = PROJECT_ROOT) -> dict[str, Regions]:
    """The address plan: each other stack's regions, keyed by its stack name.

    A sibling whose regions do not validate is skipped here; its own render reports it.
    """
    plan: dict[str, Regions] = {}
    for other in stack_names(project_dir):
        if other == stack:
            continue
        try:
            values = read_stack_files(other, project_dir).values
            # Keyed by stack, not environment name: two stack files naming one environment are
            # still two address ranges to keep apart.
            plan[other] = Regions.model_validate(values.get("regions"))
        except (ConfigError, ValidationError, AttributeError):
            continue
    return plan
