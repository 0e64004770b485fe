"""Every resource lands in the account and region it is meant for, through a pinned, tagged provider."""

from __future__ import annotations

import dataclasses

from social_platform.config import load_config
from social_platform.render import RenderedResource, RenderedStack

from .conftest import raw_config

REQUIRED_TAGS = {"Project", "Environment", "Owner", "CostCenter", "ManagedBy", "Stack"}
SHARED_ACCOUNT_TYPES_IN_ENVIRONMENTS = {"aws:route53/record:Record"}
"""What an environment stack may create in the shared account: the NS delegation in the root zone."""


def misplaced(stack: RenderedStack) -> list[str]:
    """AWS resources without an explicit provider, or whose provider is not pinned to the right account."""
    cfg = load_config(raw_config(stack.stack))
    own, shared = cfg.account.id, cfg.shared_account.id
    providers = {p.urn: p for p in stack.of_type("pulumi:providers:aws")}
    problems = []
    for resource in stack:
        if not resource.is_aws:
            continue
        provider = providers.get(resource.provider or "")
        if provider is None or provider.name.startswith("default"):
            problems.append(f"{resource.name}: no explicit provider")
            continue
        allowed = provider.inputs["allowedAccountIds"]
        role_account = provider.inputs["assumeRoles"][0]["roleArn"].split(":")[4]
        expected = shared if resource.account == shared and not cfg.environment.is_tooling else own
        if (
            resource.account == shared
            and not cfg.environment.is_tooling
            and resource.type not in SHARED_ACCOUNT_TYPES_IN_ENVIRONMENTS
        ):
            problems.append(f"{resource.name}: {resource.type} may not be created in the shared account")
        if allowed != [expected] or role_account != expected:
            problems.append(
                f"{resource.name}: provider pinned to {allowed} assuming a role in {role_account}"
            )
    return problems


def test_every_aws_resource_has_a_pinned_provider_for_its_account(any_stack: RenderedStack) -> None:
    assert [r for r in any_stack if r.is_aws], "the stack declares AWS resources"
    assert misplaced(any_stack) == []


def test_the_check_catches_a_resource_on_a_default_provider(rendered: dict) -> None:
    stack = rendered["dev"]
    vpc = stack.of_type("aws:ec2/vpc:Vpc")[0]
    stray = dataclasses.replace(
        vpc, urn=vpc.urn + "-stray", provider="urn:pulumi:dev::x::pulumi:providers:aws::default"
    )
    broken = RenderedStack(stack.stack, {**stack.resources, stray.urn: stray}, stack.outputs)
    assert misplaced(broken) == [f"{vpc.name}: no explicit provider"]


def test_the_check_catches_an_environment_resource_in_the_shared_account(rendered: dict) -> None:
    stack = rendered["dev"]
    vpc = stack.of_type("aws:ec2/vpc:Vpc")[0]
    shared = dataclasses.replace(
        stack.of_type("pulumi:providers:aws")[0],
        urn="urn:pulumi:dev::social-platform::pulumi:providers:aws::aws-shared-euw1",
        name="aws-shared-euw1",
        account="111111111111",
        inputs={
            "allowedAccountIds": ["111111111111"],
            "assumeRoles": [{"roleArn": "arn:aws:iam::111111111111:role/social-platform-deploy"}],
        },
    )
    stray = dataclasses.replace(vpc, urn=vpc.urn + "-stray", provider=shared.urn, account="111111111111")
    broken = RenderedStack(
        stack.stack, {**stack.resources, shared.urn: shared, stray.urn: stray}, stack.outputs
    )
    assert misplaced(broken) == [f"{vpc.name}: aws:ec2/vpc:Vpc may not be created in the shared account"]


def test_every_provider_is_pinned_assumes_the_deploy_role_and_tags(any_stack: RenderedStack) -> None:
    cfg = load_config(raw_config(any_stack.stack))
    providers: list[RenderedResource] = any_stack.of_type("pulumi:providers:aws")
    assert providers
    for provider in providers:
        (account,) = provider.inputs["allowedAccountIds"]
        assert account in {a.id for a in cfg.accounts.values()}
        (role,) = provider.inputs["assumeRoles"]
        assert role["roleArn"] == f"arn:aws:iam::{account}:role/social-platform-deploy"
        tags = provider.inputs["defaultTags"]["tags"]
        assert set(tags) >= REQUIRED_TAGS
        assert tags["Environment"] == cfg.environment.name and tags["Stack"] == any_stack.stack
