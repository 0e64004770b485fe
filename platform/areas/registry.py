"""Registry area: the `registry` section and its build step — the ECR repositories of the
application's services, in the account of the environment that runs them (docs/adr/0011), in every
region of the stack: the CI deploy role pushes to the primary region, ECR replicates to the others,
only the clusters' node roles pull.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

import pulumi
from pydantic import Field

from social_components.cluster import Cluster
from social_components.registry import Registry, RegistryArgs, RepositoryArgs
from social_platform.areas.base import Section, StrictModel, args_field
from social_platform.areas.ci import CiConfig
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

ServiceName = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:[._-][a-z0-9]+)*$", min_length=2, max_length=64)]


class ServiceConfig(StrictModel):
    keep_release_tags: Annotated[int, Field(ge=1, le=1000)] | None = None
    """Release images of this service kept. Unset: the section's `keep_release_tags`."""
    untagged_expiry_days: Annotated[int, Field(ge=1, le=365)] | None = None
    """Days this service's untagged images are kept. Unset: the section's `untagged_expiry_days`."""


class RegistryConfig(Section):
    KEY = "registry"

    services: dict[ServiceName, ServiceConfig] = {}
    """The application's services by name: one ECR repository each, `<organization>/<service>`,
    with optional overrides. Unset: no repositories."""
    keep_release_tags: Annotated[int, Field(ge=1, le=1000)] = args_field(RegistryArgs, "keep_release_tags")
    untagged_expiry_days: Annotated[int, Field(ge=1, le=365)] = args_field(
        RegistryArgs, "untagged_expiry_days"
    )
    release_tag_prefix: Annotated[str, Field(pattern=r"^[A-Za-z0-9._-]{1,20}$")] = args_field(
        RegistryArgs, "release_tag_prefix"
    )
    enable_enhanced_scanning: bool = args_field(RegistryArgs, "enable_enhanced_scanning")


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Repositories live in environment accounts (ADR 0011), not in the shared one."""
    section = cfg.section(RegistryConfig)
    if section.enabled and section.services and cfg.environment.is_tooling:
        yield ConfigIssue(
            "registry.services", "the shared stack runs no application; list services in environments"
        )


def name_prefix(cfg: StackConfig) -> str:
    return f"{cfg.organization.name}/"


def build(
    platform: Platform,
    clusters: Mapping[str, Cluster],
    findings_topic_arns: Mapping[str, pulumi.Input[str]] | None = None,
) -> dict[str, Registry]:
    """One `Registry` per region, secondaries first (the primary replicates into their repositories);
    HIGH and CRITICAL image findings go to `findings_topic_arns[region]` (the alert topics)."""
    cfg = platform.cfg
    section = cfg.section(RegistryConfig)
    if not section.enabled or not section.services or cfg.environment.is_tooling:
        return {}
    ci = cfg.section(CiConfig)
    push = [f"arn:aws:iam::{cfg.account.id}:role/{ci.deploy_role_name}"] if ci.enabled else []
    pull = [arn for c in clusters.values() for arn in (c.node_role_arn, c.system_node_role_arn)]
    repositories = {
        name: RepositoryArgs(
            keep_release_tags=s.keep_release_tags, untagged_expiry_days=s.untagged_expiry_days
        )
        for name, s in section.services.items()
    }
    primary, *others = cfg.regions.all()
    registries: dict[str, Registry] = {}
    for region in [*others, primary]:
        is_primary = region is primary
        registries[region.name] = Registry(
            f"{platform.name(region.name)}-registry",
            RegistryArgs(
                **section.args_for(
                    RegistryArgs,
                    repositories=repositories,
                    name_prefix=name_prefix(cfg),
                    pull_role_arns=tuple(pull),
                    push_role_arns=tuple(push) if is_primary else (),
                    replicate_to_regions=tuple(r.name for r in others) if is_primary else (),
                    findings_topic_arn=(findings_topic_arns or {}).get(region.name),
                    protect=platform.protect,
                )
            ),
            opts=pulumi.ResourceOptions(
                provider=platform.providers.get(cfg.environment.name, region.name),
                depends_on=[registries[r.name] for r in others] if is_primary else [],
            ),
        )
    return {region.name: registries[region.name] for region in cfg.regions.all()}


def grant_push(
    platform: Platform, registries: Mapping[str, Registry], deploy_role_name: pulumi.Input[str]
) -> None:
    """The CI deploy role may push to the primary region's repositories."""
    primary = registries.get(platform.cfg.regions.primary.name)
    if primary is not None:
        primary.grant_push("ci-deploy", deploy_role_name)


def outputs(registries: Mapping[str, Registry]) -> dict[str, Any]:
    if not registries:
        return {}
    return {"registries": {region: dict(r.repository_urls) for region, r in registries.items()}}
