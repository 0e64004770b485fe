"""Guardrails: every rule holds on every stack, every rule can fail, data is protected in prod, stateful
resources keep their identities, and the policy pack runs the very same rules."""

from __future__ import annotations

import contextvars
import importlib.util
import json
import os
import re
import selectors
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi
import pulumi_aws
import pulumi_eks
import pytest

from social_platform import identities, stackfiles
from social_platform.config import DatabaseConfig, Tier, load_config
from social_platform.guardrails import RULES_PAGE, readme_with_rules
from social_platform.inventory import (
    REQUIRED_TAGS,
    STATEFUL,
    STATEFUL_WHEN,
    STATELESS,
    TAGGABLE,
    UNTAGGED,
    classify,
    holds_data,
)
from social_platform.mocks import PlatformMocks
from social_platform.policies import (
    EXEMPTIONS,
    MIN_BACKUP_RETENTION_DAYS,
    RULES,
    ResourceView,
    StackView,
    check_resource,
    evaluate,
    exempt,
)
from social_platform.providers import default_tags
from social_platform.render import RecordingMonitor, RenderedStack
from social_platform.stackview import settings, settings_from_environment, stack_view

from .conftest import STACKS
from .guardrail_cases import EXAMPLES, Case

ROOT = stackfiles.PROJECT_ROOT


@pytest.fixture(scope="session")
def views(rendered: dict[str, RenderedStack]) -> dict[str, StackView]:
    """The rules' view of each rendered stack, built once."""

    class Views(dict):
        def __missing__(self, name: str) -> StackView:
            self[name] = stack_view(rendered[name])
            return self[name]

    return Views()


# ---------------------------------------------------------------------------------------------
# Every rule on every stack


def test_the_pack_has_at_least_25_rules() -> None:
    assert len(RULES) >= 25


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_stack_passes_every_rule(rule_id: str, any_stack: RenderedStack, views: dict) -> None:
    violations = evaluate(views[any_stack.stack], [RULES[rule_id]])
    assert not violations, "\n".join(map(str, violations))


def test_required_tags_on_rendered_resources_come_from_the_provider(views: dict) -> None:
    prod = views["prod"]
    without_default_tags = StackView(prod.tier, tuple(replace(r, provider_tags={}) for r in prod.resources))
    taggable = [r for r in prod.resources if r.type in TAGGABLE]
    own_tags_incomplete = {
        r.urn for r in taggable if not set(REQUIRED_TAGS) <= set(r.props.get("tags") or {})
    }
    flagged = {v.urn for v in evaluate(without_default_tags, [RULES["required-tags"]])}
    assert taggable and own_tags_incomplete
    assert flagged == own_tags_incomplete


def test_an_unprotected_rendered_stateful_resource_is_flagged_in_prod(views: dict) -> None:
    prod = views["prod"]
    unprotected = StackView(prod.tier, tuple(replace(r, protect=False) for r in prod.resources))
    stateful = {
        r.urn for r in prod.resources if holds_data(r.type, r.props) and not exempt("stateful-protected", r)
    }
    flagged = {v.urn for v in evaluate(unprotected, [RULES["stateful-protected"]])}
    assert stateful and flagged == stateful


# ---------------------------------------------------------------------------------------------
# Every rule can fail


def _cases(kind: str) -> list[Any]:
    return [
        pytest.param(rule_id, i, id=f"{rule_id}-{kind}{i}")
        for rule_id, examples in EXAMPLES.items()
        for i in range(len(getattr(examples, kind)))
    ]


def test_every_rule_has_a_bad_and_a_good_example() -> None:
    assert set(EXAMPLES) == set(RULES), "add examples to tests/guardrail_cases.py"
    assert all(e.bad and e.good for e in EXAMPLES.values())


@pytest.mark.parametrize(("rule_id", "index"), _cases("bad"))
def test_a_rule_flags_its_bad_example(rule_id: str, index: int) -> None:
    case = EXAMPLES[rule_id].bad[index]
    assert check_resource(RULES[rule_id], case.subject, case.stack), (
        f"not flagged: {case.why or case.subject}"
    )


@pytest.mark.parametrize(("rule_id", "index"), _cases("good"))
def test_a_rule_passes_its_good_example(rule_id: str, index: int) -> None:
    case = EXAMPLES[rule_id].good[index]
    assert check_resource(RULES[rule_id], case.subject, case.stack) == []


def test_a_rule_checks_only_its_own_types() -> None:
    bad = EXAMPLES["sns-encrypted"].bad[0]
    assert check_resource(RULES["sqs-encrypted"], bad.subject, bad.stack) == []


# ---------------------------------------------------------------------------------------------
# Protected state: the inventory of what holds data


def test_every_resource_type_in_every_stack_is_classified(any_stack: RenderedStack) -> None:
    unclassified = sorted({r.type for r in any_stack if classify(r.type) == "unclassified"})
    assert not unclassified, (
        f"classify {unclassified} in platform/inventory.py: STATEFUL if losing it loses data, else STATELESS"
    )


def test_no_type_is_both_stateful_and_stateless() -> None:
    assert not (set(STATEFUL) | set(STATEFUL_WHEN)) & STATELESS


def test_the_data_the_issue_names_is_classified_as_stateful() -> None:
    for type_ in (
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:s3/bucket:Bucket",
        "aws:kms/key:Key",
        "aws:cognito/userPool:UserPool",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:secretsmanager/secret:Secret",
        "aws:cloudwatch/logGroup:LogGroup",
    ):
        assert classify(type_) == "stateful", type_
    assert holds_data("aws:ssm/parameter:Parameter", {"type": "SecureString"})
    assert not holds_data("aws:ssm/parameter:Parameter", {"type": "String"})


@pytest.mark.parametrize("stack", [s for s in STACKS if settings(s).tier == "prod"])
def test_prod_protects_every_resource_that_holds_data(stack: str, rendered: dict) -> None:
    stateful = identities.stateful(rendered[stack])
    assert stateful, "a prod stack with no stateful resource at all: is the inventory wired up?"
    unprotected = [
        f"{r.type} {r.name}"
        for r in stateful
        if not (r.protect and r.retain_on_delete) and not exempt("stateful-protected", _view(r))
    ]
    assert not unprotected, f"not protect + retain_on_delete in {stack}: {unprotected}"


def _view(r: Any) -> ResourceView:
    return ResourceView(urn=r.urn, type=r.type, name=r.name, props=r.inputs)


def test_every_exemption_is_reasoned_and_still_needed(views: dict) -> None:
    for rule_id, patterns in EXEMPTIONS.items():
        assert rule_id in RULES
        for pattern, why in patterns.items():
            assert len(why) > 20, f"say why {pattern} is exempt from {rule_id}"
            matched = [
                r for s in STACKS for r in views[s].of_type(*RULES[rule_id].types) if exempt(rule_id, r)
            ]
            assert matched, f"stale exemption: {pattern} matches no {rule_id} resource in any stack"


def test_an_exemption_covers_only_its_rule_and_resources() -> None:
    bad = EXAMPLES["stateful-protected"].bad[0].subject
    renamed = replace(bad, name="shared-euw1-runners-cache")
    assert check_resource(RULES["stateful-protected"], renamed, StackView("prod")) == []
    assert check_resource(RULES["stateful-protected"], bad, StackView("prod")) != []


AWS_PACKAGE = Path(pulumi_aws.__file__).parent


def _aws_classes() -> dict[str, tuple[str, str]]:
    """Type token → (Python module, registry module) of every pulumi-aws resource, from its registry."""
    found = re.search(r'resource_modules="""(.*?)"""', (AWS_PACKAGE / "__init__.py").read_text(), re.S)
    assert found
    return {t: (m["fqn"], m["mod"]) for m in json.loads(found.group(1)) for t in m["classes"]}


def _takes_tags(token: str, classes: dict[str, tuple[str, str]]) -> bool:
    """Whether the resource's constructor has a `tags` input (read from its source: importing every
    pulumi-aws module would take seconds)."""
    package, module = classes[token]
    folder = AWS_PACKAGE.parent.joinpath(*package.split("."))
    source = (folder / f"{re.sub(r'(?<!^)(?=[A-Z])', '_', module.split('/')[1]).lower()}.py").read_text()
    init = re.search(r"def _internal_init\((.*?)\):", source, re.S)
    assert init, token
    return re.search(r"\btags:", init.group(1)) is not None


def test_every_aws_type_named_in_the_guardrails_exists() -> None:
    classes = _aws_classes()
    named = set(STATEFUL) | set(STATEFUL_WHEN) | STATELESS | TAGGABLE | set(UNTAGGED)
    named |= {t for r in RULES.values() for t in r.types}
    unknown = sorted(t for t in named if t.startswith("aws:") and t not in classes)
    assert not unknown, f"not pulumi-aws type tokens: {unknown}"
    eks = {t for t in named if t.startswith("eks:index:")}
    assert all(hasattr(pulumi_eks, t.rsplit(":", 1)[1]) for t in eks)


def test_taggable_types_take_tags() -> None:
    classes = _aws_classes()
    assert all(_takes_tags(t, classes) for t in TAGGABLE | set(UNTAGGED))


def test_every_rendered_type_that_takes_tags_is_in_the_tag_rule(any_stack: RenderedStack) -> None:
    classes = _aws_classes()
    types = {r.type for r in any_stack if r.is_aws}
    missing = sorted(t for t in types if _takes_tags(t, classes) and t not in TAGGABLE | set(UNTAGGED))
    assert not missing, f"add to inventory.TAGGABLE (or UNTAGGED with a reason): {missing}"


# ---------------------------------------------------------------------------------------------
# Config and guardrails agree


def test_each_tier_s_default_backup_retention_meets_the_policy_minimum() -> None:
    for tier in Tier:
        assert DatabaseConfig.TIER_DEFAULTS[tier]["backup_retention_days"] >= MIN_BACKUP_RETENTION_DAYS[tier]


def test_the_required_tags_are_the_provider_default_tags() -> None:
    raw = stackfiles.read_stack_files("dev")
    cfg = load_config(raw.values, secret_keys=raw.secret_keys)
    assert tuple(default_tags(cfg, "dev")) == REQUIRED_TAGS


def test_enforcement_is_advisory_in_dev_and_mandatory_in_staging_and_prod() -> None:
    assert {s: settings(s).enforcement for s in STACKS} == {
        s: "advisory" if settings(s).tier == "dev" else "mandatory" for s in STACKS
    }
    assert settings("dev").enforcement == "advisory"
    assert settings("prod").enforcement == "mandatory"


def test_unknown_stack_or_config_gets_the_strictest_settings(tmp_path: Path) -> None:
    assert (settings(None).tier, settings(None).enforcement) == ("prod", "mandatory")
    broken = settings("nosuchstack", project_dir=tmp_path)
    assert (broken.tier, broken.enforcement) == ("prod", "mandatory")
    assert settings("dev", override="mandatory").enforcement == "mandatory"
    with pytest.raises(ValueError, match="advisory or mandatory"):
        settings("dev", override="off")


def test_the_pack_reads_the_stack_and_config_the_cli_passes() -> None:
    flat, _ = stackfiles.to_engine(stackfiles.read_stack_files("dev"))
    env = {"PULUMI_STACK": "dev", "PULUMI_CONFIG": json.dumps(flat)}
    assert settings_from_environment(env).enforcement == "advisory"
    # The engine's config wins over the stack file: here it says mandatory.
    flat["social-platform:policy"] = json.dumps({"enforcement": "mandatory"})
    env["PULUMI_CONFIG"] = json.dumps(flat)
    assert settings_from_environment(env).enforcement == "mandatory"
    assert (
        settings_from_environment({**env, "SOCIAL_POLICY_ENFORCEMENT": "advisory"}).enforcement == "advisory"
    )
    assert settings_from_environment({}).enforcement == "mandatory"


# ---------------------------------------------------------------------------------------------
# Stable identities


def test_the_urn_snapshot_covers_every_stack() -> None:
    assert set(identities.read_snapshot()) == set(STACKS), "record it: guardrails snapshot"


def test_no_stateful_resource_changed_its_urn(any_stack: RenderedStack) -> None:
    drift = identities.compare(identities.read_snapshot().get(any_stack.stack, []), any_stack)
    assert not drift.missing, (
        "these stateful resources would be REPLACED (their URN changed). Add an alias with the old name or"
        " type, e.g. opts=ResourceOptions(aliases=[pulumi.Alias(name=...)]); if the change is intended,"
        " record it with `guardrails snapshot`:\n  " + "\n  ".join(drift.missing)
    )


def test_every_stateful_resource_is_in_the_snapshot(any_stack: RenderedStack) -> None:
    drift = identities.compare(identities.read_snapshot().get(any_stack.stack, []), any_stack)
    assert not drift.added, (
        "new stateful resources; record them with `guardrails snapshot`:\n  " + "\n  ".join(drift.added)
    )


def test_the_replacement_snapshot_covers_every_stack() -> None:
    assert set(identities.read_replacement_snapshot()) == set(STACKS), "record it: guardrails snapshot"


def test_no_stateful_resource_changes_an_input_that_forces_its_replacement(any_stack: RenderedStack) -> None:
    changes = identities.replacement_changes(
        identities.read_replacement_snapshot().get(any_stack.stack, {}), any_stack
    )
    assert not changes, (
        "these inputs cannot change in place: AWS would REPLACE the resource (a database: a new, empty"
        " one). Revert, or if the replacement is intended, record it with `guardrails snapshot`:\n  "
        + "\n  ".join(changes)
    )


def test_the_replacement_inputs_come_from_the_aws_api_models() -> None:
    # RDS cannot rename a cluster's database or change its encryption key in place; it can change
    # the backup retention (CreateDBCluster vs ModifyDBCluster in botocore's model).
    forced = identities.replacement_inputs("aws:rds/cluster:Cluster")
    assert {"databasename", "kmskeyid", "storageencrypted", "clusteridentifier"} <= forced
    assert "backupretentionperiod" not in forced
    assert "bucket" in identities.replacement_inputs("aws:s3/bucket:Bucket")


def test_changing_the_database_name_is_caught_as_a_replacement(rendered: dict) -> None:
    from dataclasses import replace

    stack = rendered["prod"]
    recorded = identities.read_replacement_snapshot()["prod"]
    renamed = replace(
        stack,
        resources={
            urn: replace(r, inputs={**r.inputs, "databaseName": "renamed"})
            if "databaseName" in r.inputs
            else r
            for urn, r in stack.resources.items()
        },
    )
    changes = identities.replacement_changes(recorded, renamed)
    assert changes and all("databaseName" in c for c in changes)


class _Store(pulumi.ComponentResource):
    """A component with a data-holding child and a nested component, like the platform's."""

    def __init__(
        self, name: str, type_: str = "social:test:Store", opts: pulumi.ResourceOptions | None = None
    ):
        super().__init__(type_, name, None, opts)
        pulumi_aws.s3.Bucket(f"{name}-data", opts=pulumi.ResourceOptions(parent=self))
        inner = pulumi.ComponentResource(
            "social:test:Inner", f"{name}-inner", None, pulumi.ResourceOptions(parent=self)
        )
        pulumi_aws.kms.Key(f"{name}-inner-key", opts=pulumi.ResourceOptions(parent=inner))


def _render(program: Callable[[], None]) -> RenderedStack:
    """A small program rendered by the same recording monitor as the platform."""

    def run() -> RenderedStack:
        monitor = RecordingMonitor(PlatformMocks(), None)
        pulumi.runtime.set_mocks(
            monitor.platform_mocks, project="p", stack="s", preview=False, monitor=monitor
        )

        @pulumi.runtime.test
        def go() -> Any:
            program()
            return pulumi.Output.from_input(None).future()

        go()
        return RenderedStack("s", monitor.records, {})

    return contextvars.Context().run(run)


def _snapshot(stack: RenderedStack) -> list[str]:
    return json.loads(identities.snapshot_text([stack]))["stacks"]["s"]


def test_render_urns_are_the_engine_s() -> None:
    stack = _render(lambda: _Store("media"))
    assert set(_snapshot(stack)) == {
        "urn:pulumi:s::p::social:test:Store$aws:s3/bucket:Bucket::media-data",
        "urn:pulumi:s::p::social:test:Store$social:test:Inner$aws:kms/key:Key::media-inner-key",
    }


@pytest.mark.parametrize(
    ("change", "fix"),
    [
        pytest.param(
            lambda alias: _Store("media", opts=pulumi.ResourceOptions(aliases=alias)),
            [pulumi.Alias(name="old")],
            id="component renamed",
        ),
        pytest.param(
            lambda alias: _Store(
                "old", type_="social:test:Storage", opts=pulumi.ResourceOptions(aliases=alias)
            ),
            [pulumi.Alias(type_="social:test:Store")],
            id="component class renamed",
        ),
    ],
)
def test_a_urn_change_is_caught_and_an_alias_fixes_it(change: Callable[[Any], None], fix: list[Any]) -> None:
    recorded = _snapshot(_render(lambda: _Store("old")))
    broken = identities.compare(recorded, _render(lambda: change(None)))
    assert broken.missing == recorded and len(broken.added) == 2
    fixed = identities.compare(recorded, _render(lambda: change(fix)))
    assert fixed.missing == [] and fixed.added == []


def test_an_alias_on_the_resource_itself_fixes_its_rename() -> None:
    recorded = ["urn:pulumi:s::p::aws:kms/key:Key::old-key"]
    key = lambda aliases: pulumi_aws.kms.Key("new-key", opts=pulumi.ResourceOptions(aliases=aliases))  # noqa: E731
    assert identities.compare(recorded, _render(lambda: key(None))).missing == recorded
    assert identities.compare(recorded, _render(lambda: key([pulumi.Alias(name="old-key")]))).missing == []


# ---------------------------------------------------------------------------------------------
# The rule table in docs/guardrails.md


def test_the_guardrails_page_lists_every_rule() -> None:
    text = RULES_PAGE.read_text()
    assert text == readme_with_rules(text), "the rule table is stale: run `guardrails readme`"
    assert all(f"`{rule_id}`" in text for rule_id in RULES)


# ---------------------------------------------------------------------------------------------
# The policy pack: the same rules through pulumi-policy


@pytest.fixture(scope="module")
def pack() -> ModuleType:
    pytest.importorskip("pulumi_policy")
    spec = importlib.util.spec_from_file_location("social_policy_pack", ROOT / "policy" / "pack.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pack_settings(tier: str, enforcement: str = "mandatory") -> Any:
    from social_platform.stackview import StackSettings

    return StackSettings("test", tier, enforcement, "test")  # type: ignore[arg-type]


def test_the_pack_requirements_are_the_project_s_own_pins() -> None:
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pinned = {
        re.split(r"[\[<>=]", spec)[0]: re.sub(r"\[.*?\]", "", spec)
        for spec in project["dependencies"] + project["optional-dependencies"]["dev"]
    }
    lines = (ROOT / "policy" / "requirements.txt").read_text().splitlines()
    wanted = [line for line in lines if line and not line.startswith("#")]
    assert wanted and all(line == pinned.get(re.split(r"[<>=]", line)[0]) for line in wanted), wanted


def test_the_pack_has_one_policy_per_rule(pack: ModuleType) -> None:
    from pulumi_policy import StackValidationPolicy

    policies = pack.policies(_pack_settings("prod"))
    assert [p.name for p in policies] == list(RULES)
    stack_level = {p.name for p in policies if isinstance(p, StackValidationPolicy)}
    assert stack_level == {r.id for r in RULES.values() if r.needs_stack}


def test_the_pack_is_mandatory_or_advisory_as_the_stack_says(pack: ModuleType) -> None:
    from pulumi_policy import EnforcementLevel

    assert pack.enforcement_level(_pack_settings("prod", "mandatory")) is EnforcementLevel.MANDATORY
    assert pack.enforcement_level(_pack_settings("dev", "advisory")) is EnforcementLevel.ADVISORY


def _provider(resource: ResourceView) -> Any:
    from pulumi_policy import PolicyProviderResource
    from pulumi_policy.proxy import unknown_checking_proxy

    props = {
        "region": resource.region,
        "allowedAccountIds": json.dumps([resource.account]),
        "defaultTags": json.dumps({"tags": dict(resource.provider_tags)}),
    }
    return PolicyProviderResource(
        "pulumi:providers:aws", unknown_checking_proxy(props), "urn:provider", "aws"
    )


def _options(resource: ResourceView) -> Any:
    from pulumi_policy import PolicyCustomTimeouts, PolicyResourceOptions

    return PolicyResourceOptions(resource.protect, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def _through_pack(pack: ModuleType, rule_id: str, case: Case) -> list[tuple[str, str | None]]:
    """What the pack reports (message, URN) for the case, called as pulumi-policy calls it."""
    from pulumi_policy import PolicyResource, ResourceValidationArgs, StackValidationArgs
    from pulumi_policy.policy import _NotApplicableError
    from pulumi_policy.proxy import unknown_checking_proxy

    rule = RULES[rule_id]
    policy = (pack.stack_policy if rule.needs_stack else pack.resource_policy)(
        rule, _pack_settings(case.tier)
    )
    reported: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        reported.append((message, urn))

    try:
        if rule.needs_stack:
            by_id = {r.id: r for r in case.resources}
            resources = {
                r.urn: PolicyResource(
                    r.type,
                    unknown_checking_proxy(dict(r.props)),
                    r.urn,
                    r.name,
                    _options(r),
                    _provider(r),
                    None,
                    [],
                    {},
                )
                for r in case.resources
            }
            for r in case.resources:  # references become property dependencies, as in a real preview
                for prop, value in r.props.items():
                    targets = [
                        by_id[v]
                        for v in (value if isinstance(value, list) else [value])
                        if isinstance(v, str) and v in by_id
                    ]
                    if isinstance(value, str | list) and targets:
                        resources[r.urn].property_dependencies[prop] = [resources[t.urn] for t in targets]
            policy.validate(StackValidationArgs(list(resources.values())), report)
        else:
            r = case.subject
            args = ResourceValidationArgs(
                r.type, unknown_checking_proxy(dict(r.props)), r.urn, r.name, _options(r), _provider(r)
            )
            policy.validate(args, report)
    except _NotApplicableError:
        return []
    return reported


def _subject_messages(pack: ModuleType, rule_id: str, case: Case) -> list[str]:
    return [message for message, urn in _through_pack(pack, rule_id, case) if urn in (None, case.subject.urn)]


@pytest.mark.parametrize(("rule_id", "index"), _cases("bad"))
def test_the_pack_flags_each_bad_example(pack: ModuleType, rule_id: str, index: int) -> None:
    case = EXAMPLES[rule_id].bad[index]
    # pulumi-policy does not pass retainOnDelete; the rules then judge `protect` alone.
    seen_by_pack = replace(case.subject, retain_on_delete=None)
    expected = check_resource(RULES[rule_id], seen_by_pack, case.stack)
    assert _subject_messages(pack, rule_id, case) == expected != []


@pytest.mark.parametrize(("rule_id", "index"), _cases("good"))
def test_the_pack_passes_each_good_example(pack: ModuleType, rule_id: str, index: int) -> None:
    assert _subject_messages(pack, rule_id, EXAMPLES[rule_id].good[index]) == []


def test_values_unknown_during_preview_are_judged_later_not_guessed(pack: ModuleType) -> None:
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

    from .guardrail_cases import FLOW_LOG, VPC, R

    # Stack policy: the VPC whose flow log's traffic type is not known yet is skipped; the other is flagged.
    stack = Case(
        "dev", (R(VPC, "a"), R(VPC, "b"), R(FLOW_LOG, "fl", vpcId="b-id", trafficType=UNKNOWN_STRING_VALUE))
    )
    assert [urn for _, urn in _through_pack(pack, "vpc-flow-logs", stack)] == [stack.resources[0].urn]
    # Resource policy: pulumi-policy itself turns the unknown value into a "can't run during preview" note.
    unknown_tags = Case("dev", (R(VPC, "a", provider_tags={}, tags=UNKNOWN_STRING_VALUE),))
    with pytest.raises(UnknownValueError):
        _through_pack(pack, "required-tags", unknown_tags)


def test_during_a_preview_the_trail_names_its_user_data_buckets_by_dependency(pack: ModuleType) -> None:
    """Before the update the trail's selectors hold unknown ARNs: which buckets it audits comes from its
    property dependencies, as the pack receives them."""
    from pulumi_policy import PolicyResource, StackValidationArgs
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

    from .guardrail_cases import BUCKET, GOOD_TRAIL, TRAIL, R

    recordings, other = R(BUCKET, "recordings"), R(BUCKET, "other")
    selectors_ = [{"dataResources": [{"type": "AWS::S3::Object", "values": [UNKNOWN_STRING_VALUE]}]}]
    trail = R(TRAIL, "trail", **GOOD_TRAIL, eventSelectors=selectors_)

    def resource(r: Any) -> Any:
        return PolicyResource(
            r.type,
            unknown_checking_proxy(dict(r.props)),
            r.urn,
            r.name,
            _options(r),
            _provider(r),
            None,
            [],
            {},
        )

    resources = {r.urn: resource(r) for r in (recordings, other, trail)}
    resources[trail.urn].property_dependencies["eventSelectors"] = [resources[recordings.urn]]
    reported: list[str | None] = []
    policy = pack.stack_policy(RULES["user-data-access-logged"], _pack_settings("prod"))
    policy.validate(
        StackValidationArgs(list(resources.values())), lambda message, urn=None: reported.append(urn)
    )
    assert reported == [recordings.urn]


@pytest.fixture()
def running_pack(tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """The pack started as Pulumi starts it, for the prod stack (the engine's config in the env)."""
    pytest.importorskip("pulumi_policy")
    flat, secret_keys = stackfiles.to_engine(stackfiles.read_stack_files("prod"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("PULUMI_", "SOCIAL_"))},
        "PULUMI_STACK": "prod",
        "PULUMI_CONFIG": json.dumps(flat),
        "PULUMI_CONFIG_SECRET_KEYS": json.dumps(secret_keys),
    }
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "policy" / "__main__.py")],
        stdout=subprocess.PIPE,
        stderr=(tmp_path / "stderr").open("wb"),
        env=env,
        cwd=ROOT / "policy",
    )
    try:
        assert process.stdout is not None
        with selectors.DefaultSelector() as selector:  # the pack prints its port first; wait a minute at most
            selector.register(process.stdout, selectors.EVENT_READ)
            port = process.stdout.readline().strip() if selector.select(timeout=60) else b""
        assert port.isdigit(), (tmp_path / "stderr").read_text()
        yield int(port), process
    finally:
        process.kill()
        process.wait(timeout=10)


def test_the_pack_serves_pulumi_and_blocks_a_bad_resource_in_prod(running_pack: tuple[int, Any]) -> None:
    import grpc
    from google.protobuf import empty_pb2, struct_pb2
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

    port, _ = running_pack
    with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
        analyzer = analyzer_pb2_grpc.AnalyzerStub(channel)
        info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
        assert [p.name for p in info.policies] == list(RULES)
        assert {p.enforcementLevel for p in info.policies} == {analyzer_pb2.MANDATORY}
        provider = struct_pb2.Struct()
        provider.update(
            {"region": "eu-west-1", "defaultTags": json.dumps({"tags": dict.fromkeys(REQUIRED_TAGS, "x")})}
        )
        response = analyzer.Analyze(
            analyzer_pb2.AnalyzeRequest(
                type="aws:sns/topic:Topic",
                properties=struct_pb2.Struct(),
                urn="urn:pulumi:prod::social-platform::aws:sns/topic:Topic::events",
                name="events",
                options=analyzer_pb2.AnalyzerResourceOptions(),
                provider=analyzer_pb2.AnalyzerProviderResource(
                    type="pulumi:providers:aws", properties=provider, urn="urn:provider", name="aws"
                ),
            ),
            timeout=30,
        )
    violations = {(d.policyName, d.enforcementLevel) for d in response.diagnostics}
    assert violations == {("sns-encrypted", analyzer_pb2.MANDATORY)}
