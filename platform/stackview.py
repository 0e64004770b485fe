"""How the rules see a stack: its tier and enforcement (from its config, or the engine's in the
policy pack) and neutral views of its rendered resources. Shared by `guardrails`, `recovery` and the
policy pack, so none of them imports another."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from social_platform import stackfiles
from social_platform.config import load_config
from social_platform.errors import ConfigError
from social_platform.policies import Enforcement, ResourceView, StackView, Tier
from social_platform.render import RenderedResource, RenderedStack

# ---------------------------------------------------------------------------------------------
# Settings: tier and enforcement of a stack


@dataclass(frozen=True)
class StackSettings:
    stack: str | None
    tier: Tier
    enforcement: Enforcement
    source: str
    """Where the settings came from (shown by the policy pack)."""


STRICTEST = ("prod", "mandatory")


def settings(
    stack: str | None,
    engine_config: Mapping[str, Any] | None = None,
    secret_keys: Sequence[str] = (),
    override: str | None = None,
    project_dir: Path = stackfiles.PROJECT_ROOT,
) -> StackSettings:
    """A stack's tier and enforcement: from the config the engine hands over (`engine_config`, the
    flat `social-platform:key → JSON` map), else from the stack files; `override` (advisory or
    mandatory) wins. Unknown stack or unreadable config: the strictest settings (prod, mandatory)."""
    if override is not None and override not in ("advisory", "mandatory"):
        raise ValueError(f"enforcement override must be advisory or mandatory (got {override!r})")
    tier, enforcement = STRICTEST
    if stack is None:
        source = "stack unknown: prod rules, mandatory"
    else:
        try:
            engine = {k: v for k, v in (engine_config or {}).items() if k.startswith(stackfiles.PREFIX)}
            raw = (
                stackfiles.from_engine(engine, list(secret_keys))
                if engine
                else stackfiles.read_stack_files(stack, project_dir)
            )
            cfg = load_config(
                raw.values,
                secret_keys=raw.secret_keys,
                other_environments=stackfiles.other_environment_regions(stack, project_dir),
            )
            tier, enforcement = cfg.tier.value, cfg.policy.enforcement
            source = f"stack {stack}: tier {tier}, policy.enforcement {enforcement}"
        except ConfigError as exc:
            source = f"stack {stack}: config unreadable ({exc.issues[0]}): prod rules, mandatory"
    if override is not None:
        enforcement = override
        source += f"; enforcement overridden to {override}"
    return StackSettings(stack, cast(Tier, tier), cast(Enforcement, enforcement), source)


def settings_from_environment(environ: Mapping[str, str]) -> StackSettings:
    """Settings inside the policy pack: the CLI passes the stack and its config in the environment
    (PULUMI_STACK, PULUMI_CONFIG); SOCIAL_POLICY_STACK and SOCIAL_POLICY_ENFORCEMENT override."""
    stack = environ.get("SOCIAL_POLICY_STACK") or environ.get("PULUMI_STACK") or None
    try:
        engine_config = json.loads(environ.get("PULUMI_CONFIG") or "{}")
        secret_keys = json.loads(environ.get("PULUMI_CONFIG_SECRET_KEYS") or "[]")
    except json.JSONDecodeError:
        engine_config, secret_keys = {}, []
    return settings(stack, engine_config, secret_keys, environ.get("SOCIAL_POLICY_ENFORCEMENT") or None)


# ---------------------------------------------------------------------------------------------
# Rendered stacks as neutral views


def provider_default_tags(provider_inputs: Mapping[str, Any]) -> dict[str, str]:
    """The default tags of an aws provider's inputs (nested values may arrive as JSON text)."""
    value = provider_inputs.get("defaultTags")
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    tags = value.get("tags") if isinstance(value, Mapping) else None
    return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, Mapping) else {}


def resource_view(r: RenderedResource, providers: Mapping[str, RenderedResource]) -> ResourceView:
    provider = providers.get(r.provider or "")
    return ResourceView(
        urn=r.urn,
        type=r.type,
        name=r.name,
        props=r.inputs,
        id=r.id,
        arn=r.arn,
        custom=r.custom,
        protect=r.protect,
        retain_on_delete=r.retain_on_delete,
        provider_tags=provider_default_tags(provider.inputs) if provider else {},
        account=r.account,
        region=r.region,
    )


def stack_view(rendered: RenderedStack, tier: Tier | None = None) -> StackView:
    """The rules' view of a rendered stack (tier: from its config unless given)."""
    providers = {r.urn: r for r in rendered if r.type.startswith("pulumi:providers:")}
    return StackView(
        tier=tier or settings(rendered.stack).tier,
        resources=tuple(resource_view(r, providers) for r in rendered),
        name=rendered.stack,
    )
