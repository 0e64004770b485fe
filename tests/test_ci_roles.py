"""Keyless CI: every account trusts only this project's GitLab jobs; previews cannot change anything."""

from __future__ import annotations

import json
from typing import Any

import pytest

from social_components.ci_roles import READ_ONLY_POLICY, GitRef
from social_components.ci_roles.validation import validate, web_identity_statement
from social_platform.areas.ci import role_arn, state_backend
from social_platform.config import load_config
from social_platform.errors import ConfigError
from social_platform.render import RenderedResource, RenderedStack, render
from social_platform.roles import PROVIDER_ROLE_ENV

from .conftest import STACKS, raw_config, set_keys
from .iam import actions_of, allows

CI = "social:ci_roles:CiRoles"
ROLE = "aws:iam/role:Role"
PROVIDER = "aws:iam/openIdConnectProvider:OpenIdConnectProvider"
PROJECT = "social/social-platform"
HOST = "gitlab.com"
READ_ACTIONS = {"s3:GetObject", "s3:ListBucket", "kms:Decrypt", "kms:DescribeKey", "sts:AssumeRole"}
"""Everything the preview role's own policy may grant: reads, decrypts, and assuming other preview roles."""


def ci_of(stack: RenderedStack) -> list[RenderedResource]:
    (component,) = stack.components(CI)
    return stack.descendants(component)


def role(stack: RenderedStack, kind: str) -> RenderedResource:
    (found,) = [r for r in ci_of(stack) if r.type == ROLE and r.name == f"ci-{kind}"]
    return found


def inline_policy(stack: RenderedStack, kind: str) -> dict[str, Any]:
    (found,) = [
        r for r in ci_of(stack) if r.type == "aws:iam/rolePolicy:RolePolicy" and r.name == f"ci-{kind}"
    ]
    return json.loads(found.inputs["policy"])


def trust_problems(trust: dict[str, Any], provider_arn: str, allowed_peers: set[str]) -> list[str]:
    """What is wrong with a CI role's trust policy: every web-identity statement must pin this
    provider, the audience and `sub` to this project; anything else may admit only preview roles."""
    problems = []
    for statement in trust["Statement"]:
        if statement["Action"] == "sts:AssumeRoleWithWebIdentity":
            condition = statement.get("Condition", {})
            subs = condition.get("StringEquals", {}).get(f"{HOST}:sub") or condition.get(
                "StringLike", {}
            ).get(f"{HOST}:sub")
            if statement["Principal"] != {"Federated": provider_arn}:
                problems.append(f"trusts {statement['Principal']}")
            if condition.get("StringEquals", {}).get(f"{HOST}:aud") != "https://gitlab.com":
                problems.append("audience not pinned")
            if not subs or not all(s.startswith(f"project_path:{PROJECT}:ref_type:") for s in subs):
                problems.append(f"sub not pinned to the project: {subs}")
        else:
            peers = set(statement.get("Condition", {}).get("ArnEquals", {}).get("aws:PrincipalArn", []))
            if statement["Action"] != "sts:AssumeRole" or not peers or not peers <= allowed_peers:
                problems.append(f"admits {statement['Principal']} beyond the project's preview roles")
    return problems


def preview_roles() -> set[str]:
    cfg = load_config(raw_config("shared"))
    return {role_arn(cfg, key, "preview") for key in cfg.accounts}


@pytest.mark.parametrize("stack", STACKS)
def test_every_account_has_a_gitlab_oidc_provider_and_two_ci_roles(rendered: dict, stack: str) -> None:
    rendered_stack = rendered[stack]
    (provider,) = [r for r in ci_of(rendered_stack) if r.type == PROVIDER]
    assert provider.inputs["url"] == "https://gitlab.com"
    assert provider.inputs["clientIdLists"] == ["https://gitlab.com"]
    cfg = load_config(raw_config(stack))
    assert provider.account == cfg.account.id
    assert {r.inputs["name"] for r in ci_of(rendered_stack) if r.type == ROLE} == {
        "social-platform-ci-preview",
        "social-platform-ci-deploy",
    }
    assert rendered_stack.outputs["ci"]["preview_role_arn"] == role_arn(cfg, stack, "preview")


@pytest.mark.parametrize("stack", STACKS)
def test_every_ci_role_trust_pins_the_provider_audience_and_sub(rendered: dict, stack: str) -> None:
    rendered_stack = rendered[stack]
    provider_arn = rendered_stack.outputs["ci"]["oidc_provider_arn"]
    preview = json.loads(role(rendered_stack, "preview").inputs["assumeRolePolicy"])
    deploy = json.loads(role(rendered_stack, "deploy").inputs["assumeRolePolicy"])
    assert trust_problems(preview, provider_arn, preview_roles()) == []
    assert trust_problems(deploy, provider_arn, set()) == []
    # Merge requests come from any branch of this project (prod-tier accounts: protected branches
    # only, docs/adr/0012); deployments only from main.
    (web,) = [s for s in preview["Statement"] if s["Action"] == "sts:AssumeRoleWithWebIdentity"]
    if load_config(raw_config(stack)).tier.value == "prod":
        assert web["Condition"]["StringEquals"][f"{HOST}:sub"] == [
            f"project_path:{PROJECT}:ref_type:branch:ref:main"
        ]
    else:
        assert web["Condition"]["StringLike"] == {
            f"{HOST}:sub": [f"project_path:{PROJECT}:ref_type:branch:ref:*"]
        }
    (only,) = deploy["Statement"]
    assert only["Condition"]["StringEquals"][f"{HOST}:sub"] == [
        f"project_path:{PROJECT}:ref_type:branch:ref:main"
    ]


def test_the_trust_check_catches_loose_trust(rendered: dict) -> None:
    stack = rendered["dev"]
    provider_arn = stack.outputs["ci"]["oidc_provider_arn"]
    good = json.loads(role(stack, "deploy").inputs["assumeRolePolicy"])
    (statement,) = good["Statement"]
    no_sub = {
        "Statement": [{**statement, "Condition": {"StringEquals": {f"{HOST}:aud": "https://gitlab.com"}}}]
    }
    other_project = web_identity_statement(
        provider_arn, HOST, "https://gitlab.com", ["project_path:evil/x:ref_type:branch:ref:main"]
    )
    anyone = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    assert trust_problems(no_sub, provider_arn, set()) == ["sub not pinned to the project: None"]
    assert trust_problems({"Statement": [other_project]}, provider_arn, set())
    assert trust_problems({"Statement": [statement, anyone]}, provider_arn, preview_roles())
    assert trust_problems(good, "arn:aws:iam::999999999999:oidc-provider/gitlab.com", set())


@pytest.mark.parametrize("stack", STACKS)
def test_the_preview_role_cannot_write(rendered: dict, stack: str) -> None:
    rendered_stack = rendered[stack]
    attached = [
        r.inputs["policyArn"]
        for r in ci_of(rendered_stack)
        if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    ]
    assert attached == [READ_ONLY_POLICY]
    policy = inline_policy(rendered_stack, "preview")
    assert actions_of(policy) <= READ_ACTIONS, actions_of(policy) - READ_ACTIONS
    assumable = {r for s in policy["Statement"] if s["Action"] == ["sts:AssumeRole"] for r in s["Resource"]}
    assert assumable and assumable <= preview_roles()
    bucket = state_backend(load_config(raw_config(stack)))
    assert bucket is not None
    state_object = f"{bucket.bucket_arn}/.pulumi/stacks/social-platform/{stack}.json"
    assert allows(policy, "s3:GetObject", state_object)
    assert not allows(policy, "s3:PutObject", state_object)
    assert not allows(
        policy,
        "kms:Encrypt",
        "arn:aws:kms:eu-west-1:111111111111:key/x",
        {"kms:ResourceAliases": f"alias/pulumi-secrets-{stack}"},
    )


def test_the_write_check_would_catch_a_write_action(rendered: dict) -> None:
    policy = inline_policy(rendered["dev"], "preview")
    policy["Statement"].append({"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"})
    assert actions_of(policy) - READ_ACTIONS == {"s3:PutObject"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_deploy_role_assumes_only_its_stacks_deploy_roles_and_writes_only_its_state(
    rendered: dict, stack: str
) -> None:
    policy = inline_policy(rendered[stack], "deploy")
    cfg = load_config(raw_config(stack))
    backend = state_backend(cfg)
    assert backend is not None
    own_deploy = cfg.account.deploy_role_arn
    assert allows(policy, "sts:AssumeRole", own_deploy)
    for key, account in cfg.accounts.items():
        if key not in (stack, "shared"):
            assert not allows(policy, "sts:AssumeRole", account.deploy_role_arn)
    assert not any(
        r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment" and "deploy" in r.name
        for r in ci_of(rendered[stack])
    )
    own = f"{backend.bucket_arn}/.pulumi/stacks/social-platform/{stack}.json"
    other = next(s for s in STACKS if s != stack)
    assert allows(policy, "s3:PutObject", own)
    assert not allows(
        policy, "s3:PutObject", f"{backend.bucket_arn}/.pulumi/stacks/social-platform/{other}.json"
    )
    key = "arn:aws:kms:eu-west-1:111111111111:key/1234"
    assert allows(policy, "kms:Decrypt", key, {"kms:ResourceAliases": [f"alias/pulumi-secrets-{stack}"]})
    assert not allows(policy, "kms:Decrypt", key, {"kms:ResourceAliases": [f"alias/pulumi-secrets-{other}"]})


def test_in_preview_mode_every_provider_assumes_a_preview_role_that_trusts_it(
    rendered: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The session's renders are deploy-mode; take them before switching the mode for one render.
    trusts = {
        s: json.loads(role(rendered[s], "preview").inputs["assumeRolePolicy"])
        for s in ("prod", "shared", "dev")
    }
    with monkeypatch.context() as patch:
        patch.setenv(PROVIDER_ROLE_ENV, "preview")
        stack = render("prod")
    providers = stack.of_type("pulumi:providers:aws")
    assert providers
    for provider in providers:
        (assumed,) = provider.inputs["assumeRoles"]
        (account,) = provider.inputs["allowedAccountIds"]
        assert assumed["roleArn"] == f"arn:aws:iam::{account}:role/social-platform-ci-preview"
    # The role prod's preview credentials assume is trusted by the preview role it lands in.
    context = {"aws:PrincipalArn": role_arn(load_config(raw_config("prod")), "prod", "preview")}
    assert allows(trusts["prod"], "sts:AssumeRole", "*", context)
    assert allows(trusts["shared"], "sts:AssumeRole", "*", context)
    assert not allows(trusts["dev"], "sts:AssumeRole", "*", context)  # prod never needs dev


def test_an_unknown_provider_role_mode_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PROVIDER_ROLE_ENV, "admin")
    with pytest.raises(ConfigError, match=f"{PROVIDER_ROLE_ENV} must be deploy or preview"):
        render("dev")


def test_deploy_tags_are_pinned_by_ref_type() -> None:
    statement = web_identity_statement(
        "arn:aws:iam::1:oidc-provider/gitlab.com",
        HOST,
        "https://gitlab.com",
        [f"project_path:{PROJECT}:ref_type:branch:ref:main", f"project_path:{PROJECT}:ref_type:tag:ref:v*"],
    )
    assert (
        statement["Condition"]["StringLike"][f"{HOST}:sub"][1]
        == f"project_path:{PROJECT}:ref_type:tag:ref:v*"
    )
    trust = {"Statement": [statement]}
    sub = f"{HOST}:sub"
    aud = {f"{HOST}:aud": "https://gitlab.com"}
    action = "sts:AssumeRoleWithWebIdentity"
    assert allows(trust, action, "*", {**aud, sub: f"project_path:{PROJECT}:ref_type:tag:ref:v1.2.0"})
    assert not allows(trust, action, "*", {**aud, sub: f"project_path:{PROJECT}:ref_type:branch:ref:v1.2.0"})
    assert not allows(trust, action, "*", {**aud, sub: f"project_path:{PROJECT}:ref_type:branch:ref:feature"})


@pytest.mark.parametrize(
    ("changes", "key", "words"),
    [
        ({"ci.deploy_branches": ["*"]}, "social-platform:ci.deploy_branches", "every ref"),
        ({"ci.deploy_tags": ["**"]}, "social-platform:ci.deploy_tags", "every ref"),
        ({"ci.deploy_branches": []}, "social-platform:ci.deploy_branches", "at least 1"),
        (
            {"ci.deploy_role_name": "social-platform-deploy"},
            "social-platform:ci.deploy_role_name",
            "deploy_role",
        ),
        (
            {"ci.deploy_role_name": "social-platform-ci-preview"},
            "social-platform:ci.deploy_role_name",
            "differ",
        ),
        ({"ci.state": {"region": "eu-nowhere-1"}}, "social-platform:ci.state.region", "unknown region"),
    ],
)
def test_bad_ci_config_names_the_key(changes: dict, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(set_keys(raw_config("dev"), changes))
    assert key in caught.value.keys, str(caught.value)
    assert words in str(caught.value)


def test_the_component_refuses_trust_that_is_too_wide() -> None:
    ok: dict[str, Any] = {
        "gitlab_url": "https://gitlab.com",
        "project_path": PROJECT,
        "role_names": ["a", "b"],
        "deploy_refs": [GitRef("branch", "main")],
        "role_arns": ["arn:aws:iam::111111111111:role/x"],
        "max_session_hours": 1,
    }
    validate(**ok)
    for change, words in [
        ({"deploy_refs": [GitRef("tag", "*")]}, "deploy_refs"),
        ({"deploy_refs": []}, "at least one"),
        ({"gitlab_url": "http://gitlab.com"}, "https"),
        ({"project_path": "no-group"}, "group/project"),
        ({"role_arns": ["*"]}, "not an IAM role ARN"),
        ({"role_names": ["a", "a"]}, "must differ"),
    ]:
        with pytest.raises(ValueError, match=words):
            validate(**{**ok, **change})


# ---------------------------------------------------------------------------------------------
# Previews read no data (issue 15): ReadOnlyAccess minus the data plane

READ_ONLY_AT_ITS_BROADEST = {"Effect": "Allow", "Action": "*", "Resource": "*"}
"""Whatever AWS's ReadOnlyAccess grants today or tomorrow: only explicit denies can hold data back."""
DATA_READS = [
    # What the issue names: object contents, table items, queue messages, secret values.
    ("s3:GetObject", "arn:aws:s3:::social-prod-444444444444-media/uploads/u1/photo.jpg"),
    ("s3:GetObjectVersion", "arn:aws:s3:::streaming-recordings/ivs/v1/live/rec.mp4"),
    ("dynamodb:GetItem", "arn:aws:dynamodb:eu-west-1:444444444444:table/wallet"),
    ("dynamodb:Query", "arn:aws:dynamodb:eu-west-1:444444444444:table/wallet"),
    ("dynamodb:Scan", "arn:aws:dynamodb:eu-west-1:444444444444:table/wallet"),
    ("sqs:ReceiveMessage", "arn:aws:sqs:eu-west-1:444444444444:streaming-events"),
    ("secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:444444444444:secret:db-master"),
    ("kms:Decrypt", "arn:aws:kms:eu-west-1:444444444444:key/data"),
]
METADATA_READS = [
    ("s3:GetBucketPolicy", "arn:aws:s3:::social-prod-444444444444-media"),
    ("dynamodb:DescribeTable", "arn:aws:dynamodb:eu-west-1:444444444444:table/wallet"),
    ("sqs:GetQueueAttributes", "arn:aws:sqs:eu-west-1:444444444444:streaming-events"),
    ("secretsmanager:DescribeSecret", "arn:aws:secretsmanager:eu-west-1:444444444444:secret:db-master"),
    ("kms:DescribeKey", "arn:aws:kms:eu-west-1:444444444444:key/data"),
]
IAM_ONLY_ACTIONS = {"s3:GetObjectVersion", "dynamodb:PartiQLSelect"}
"""IAM actions that are not API operations of their own (GetObject with a version ID; the reads
of ExecuteStatement)."""
BOTOCORE_SERVICE = {"dynamodb:GetRecords": "dynamodbstreams"}


def preview_as_read_only(stack: RenderedStack) -> dict[str, Any]:
    policy = inline_policy(stack, "preview")
    return {"Version": "2012-10-17", "Statement": [READ_ONLY_AT_ITS_BROADEST, *policy["Statement"]]}


@pytest.mark.parametrize("stack", STACKS)
def test_preview_roles_read_metadata_and_their_state_but_no_data(rendered: dict, stack: str) -> None:
    policy = preview_as_read_only(rendered[stack])
    for action, resource in DATA_READS:
        assert not allows(policy, action, resource, {"kms:ResourceAliases": ["alias/data"]}), action
    for action, resource in METADATA_READS:
        assert allows(policy, action, resource), action
    backend = state_backend(load_config(raw_config(stack)))
    assert backend is not None
    assert allows(policy, "s3:GetObject", f"{backend.bucket_arn}/.pulumi/stacks/social-platform/{stack}.json")
    key = "arn:aws:kms:eu-west-1:111111111111:key/state"
    assert allows(policy, "kms:Decrypt", key, {"kms:ResourceAliases": [f"alias/pulumi-secrets-{stack}"]})


def test_the_data_check_would_catch_a_preview_role_without_the_denies(rendered: dict) -> None:
    policy = preview_as_read_only(rendered["prod"])
    policy["Statement"] = [s for s in policy["Statement"] if s["Effect"] != "Deny"]
    assert all(allows(policy, action, resource) for action, resource in DATA_READS)


def test_every_denied_data_read_is_an_api_operation_of_its_service() -> None:
    import botocore.session

    from social_components.ci_roles import DATA_PLANE_READS

    session = botocore.session.get_session()
    names = {"cognito-idp": "cognito-idp", "logs": "logs"}
    for action in set(DATA_PLANE_READS) - IAM_ONLY_ACTIONS:
        prefix, operation = action.split(":")
        service = BOTOCORE_SERVICE.get(action, names.get(prefix, prefix))
        assert operation in session.get_service_model(service).operation_names, action


def _may_preview(trust: dict[str, Any], branch: str) -> bool:
    context = {
        f"{HOST}:aud": "https://gitlab.com",
        f"{HOST}:sub": f"project_path:{PROJECT}:ref_type:branch:ref:{branch}",
    }
    return allows(trust, "sts:AssumeRoleWithWebIdentity", "*", context)


def test_prod_tier_accounts_take_previews_only_from_protected_branches(rendered: dict) -> None:
    for stack in ("prod", "shared"):
        trust = json.loads(role(rendered[stack], "preview").inputs["assumeRolePolicy"])
        assert _may_preview(trust, "main")
        assert not _may_preview(trust, "feature/new-wallet")
    for stack in ("dev", "staging"):
        trust = json.loads(role(rendered[stack], "preview").inputs["assumeRolePolicy"])
        assert _may_preview(trust, "feature/new-wallet")


def test_preview_branches_can_name_further_protected_branches() -> None:
    from social_platform.areas.ci import preview_branches

    cfg = load_config(set_keys(raw_config("prod"), {"ci.preview_branches": ["main", "release/*"]}))
    assert preview_branches(cfg) == ["main", "release/*"]
    assert preview_branches(load_config(raw_config("prod"))) == ["main"]
    assert preview_branches(load_config(raw_config("dev"))) == ["*"]
