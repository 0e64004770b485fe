"""pulumi-policy's side of the guardrails: its arguments → the neutral views → the shared rules.

Each rule of `social_platform.policies` becomes one policy:
- a rule that reads one resource → a `ResourceValidationPolicy`, which runs before the resource is
  created or updated (it blocks the step itself);
- a rule that looks at companions (a bucket's public access block, a VPC's flow log) → a
  `StackValidationPolicy`, which sees every resource with its property dependencies. Pulumi runs it
  at the end of `preview` and after `up`: run `pulumi preview --policy-pack policy/` before `up`.

During preview some inputs are unknown (IDs of resources not created yet). Resource policies then
report "can't run policy during preview" (pulumi-policy's own advisory note); stack policies skip
the affected resource and judge it on the next run.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyPack,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from social_platform.policies import RULES, ResourceView, Rule, StackView, check_resource
from social_platform.stackview import StackSettings, provider_default_tags, settings_from_environment

PACK_NAME = "social-platform-guardrails"


def _placement(provider: PolicyProviderResource | None) -> tuple[str | None, str | None]:
    if provider is None:
        return None, None
    try:
        accounts = provider.props.get("allowedAccountIds")
        if isinstance(accounts, str):
            accounts = json.loads(accounts)
        region = provider.props.get("region")
        return (str(next(iter(accounts))) if accounts else None), (str(region) if region else None)
    except (UnknownValueError, json.JSONDecodeError):
        return None, None


def _provider_tags(provider: PolicyProviderResource | None) -> dict[str, str]:
    try:
        return provider_default_tags(provider.props) if provider is not None else {}
    except UnknownValueError:
        return {}


def _known_str(props: Mapping[str, Any], key: str) -> str | None:
    """`props[key]` when it is a known string (stack policies see outputs such as the ARN)."""
    try:
        value = props.get(key)
    except UnknownValueError:  # unknown during preview
        return None
    return value if isinstance(value, str) else None


def view(
    resource_type: str,
    props: Mapping[str, Any],
    urn: str,
    name: str,
    opts: PolicyResourceOptions,
    provider: PolicyProviderResource | None,
    property_deps: Mapping[str, frozenset[str]] | None = None,
) -> ResourceView:
    """The neutral view of a resource as pulumi-policy presents it (inputs keep its unknown-value
    checks: a rule reading an unknown value raises `UnknownValueError`)."""
    account, region = _placement(provider)
    return ResourceView(
        urn=urn,
        type=resource_type,
        name=name,
        props=props,
        arn=_known_str(props, "arn"),
        custom=provider is not None,
        protect=bool(opts.protect),
        retain_on_delete=None,  # pulumi-policy does not pass retainOnDelete
        provider_tags=_provider_tags(provider),
        account=account,
        region=region,
        property_deps=property_deps,
    )


def _stack_resource_view(r: PolicyResource) -> ResourceView:
    deps = {prop: frozenset(d.urn for d in on) for prop, on in r.property_dependencies.items()}
    return view(r.resource_type, r.props, r.urn, r.name, r.opts, r.provider, deps)


def _not_for_tier(rule: Rule, settings: StackSettings) -> str:
    return f"applies to {', '.join(sorted(rule.tiers))} only; this stack is {settings.tier}"


def resource_policy(rule: Rule, settings: StackSettings) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type not in rule.types:
            return
        if not rule.applies_to(settings.tier):
            args.not_applicable(_not_for_tier(rule, settings))
        resource = view(args.resource_type, args.props, args.urn, args.name, args.opts, args.provider)
        for message in check_resource(rule, resource, StackView(settings.tier, name=settings.stack or "")):
            report(message)

    return ResourceValidationPolicy(name=rule.id, description=rule.description, validate=validate)


def stack_policy(rule: Rule, settings: StackSettings) -> StackValidationPolicy:
    def validate(args: StackValidationArgs, report: ReportViolation) -> None:
        if not rule.applies_to(settings.tier):
            args.not_applicable(_not_for_tier(rule, settings))
        stack = StackView(
            settings.tier, tuple(_stack_resource_view(r) for r in args.resources), settings.stack or ""
        )
        for resource in stack.of_type(*rule.types):
            try:
                messages = check_resource(rule, resource, stack)
            except UnknownValueError:
                continue  # depends on values known only after the update; judged on the next run
            for message in messages:
                report(message, resource.urn)

    return StackValidationPolicy(name=rule.id, description=rule.description, validate=validate)


def policies(settings: StackSettings) -> list[Policy]:
    return [
        stack_policy(rule, settings) if rule.needs_stack else resource_policy(rule, settings)
        for rule in RULES.values()
    ]


def enforcement_level(settings: StackSettings) -> EnforcementLevel:
    return EnforcementLevel.MANDATORY if settings.enforcement == "mandatory" else EnforcementLevel.ADVISORY


def serve(environ: Mapping[str, str]) -> None:
    """Start the pack (blocks: pulumi-policy serves the engine until it is stopped)."""
    settings = settings_from_environment(environ)
    # stdout carries the port to the engine; notes go to stderr.
    print(f"{PACK_NAME}: {settings.source}", file=sys.stderr)
    PolicyPack(
        name=PACK_NAME,
        enforcement_level=enforcement_level(settings),
        policies=policies(settings),
        description=f"social-platform guardrails ({settings.source})",
    )
