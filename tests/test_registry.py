"""Container images: one ECR repository per service in every environment and region, immutable,
KMS-encrypted, scanned on push (and by Inspector), expiring old images; only the nodes pull, only
the CI deploy role pushes; prod replicates to its second region. Expectations from AWS: botocore's
ECR model and the ECR user guide's push/pull actions."""

from __future__ import annotations

import json
import re
from typing import Any

import botocore.session
import pytest

from social_components.registry import RegistryArgs, RepositoryArgs
from social_components.registry.validation import NAME_PATTERN, validate_registry_args
from social_platform import stackfiles
from social_platform.render import RenderedResource, RenderedStack

from .conftest import ENVIRONMENTS, raw_config

REPO = "aws:ecr/repository:Repository"
SERVICES = set(raw_config("dev")["registry"]["services"])
ORG = raw_config("dev")["organization"]["name"]
PUSH = {"ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"}
PULL = {"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"}
"""ECR user guide: the actions `docker push` and `docker pull` call."""


def repositories(stack: RenderedStack) -> list[RenderedResource]:
    return stack.of_type(REPO)


def policy_of(stack: RenderedStack, repo: RenderedResource) -> list[dict[str, Any]]:
    (policy,) = [
        p
        for p in stack.of_type("aws:ecr/repositoryPolicy:RepositoryPolicy")
        if p.inputs["repository"] == repo.inputs["name"] and p.region == repo.region
    ]
    return json.loads(policy.inputs["policy"])["Statement"]


def test_the_repository_name_pattern_is_ecrs_own() -> None:
    shape = botocore.session.get_session().get_service_model("ecr").shape_for("RepositoryName")
    assert shape.metadata["pattern"] == NAME_PATTERN


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_service_has_a_repository_in_every_region(rendered: dict, env: str) -> None:
    stack = rendered[env]
    found = {(r.region, r.inputs["name"]) for r in repositories(stack)}
    assert found == {(region, f"{ORG}/{s}") for region in stack.outputs["regions"] for s in SERVICES}
    assert rendered["shared"].of_type(REPO) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_repositories_are_immutable_scanned_encrypted_and_never_force_deleted(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    keys = {k.arn: k for k in stack.of_type("aws:kms/key:Key")}
    for repo in repositories(stack):
        assert repo.inputs["imageTagMutability"] == "IMMUTABLE"
        assert repo.inputs["imageScanningConfiguration"]["scanOnPush"] is True
        (encryption,) = repo.inputs["encryptionConfigurations"]
        assert encryption["encryptionType"] == "KMS"
        assert keys[encryption["kmsKey"]].region == repo.region
        assert repo.inputs.get("forceDelete") in (None, False)
        assert repo.protect is (env == "prod")
    scanning = stack.of_type("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
    assert sorted(s.region for s in scanning) == sorted(stack.outputs["regions"])
    assert all(s.inputs["scanType"] == "ENHANCED" for s in scanning)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_untagged_images_expire_and_only_the_newest_releases_stay(rendered: dict, env: str) -> None:
    stack = rendered[env]
    overrides = raw_config(env)["registry"]["services"]
    for policy in stack.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy"):
        rules = {r["selection"]["tagStatus"]: r for r in json.loads(policy.inputs["policy"])["rules"]}
        untagged, tagged = rules["untagged"], rules["tagged"]
        assert untagged["selection"]["countType"] == "sinceImagePushed"
        assert 1 <= untagged["selection"]["countNumber"] <= 14
        assert tagged["selection"]["countType"] == "imageCountMoreThan"
        service = policy.inputs["repository"].removeprefix(f"{ORG}/")
        assert tagged["selection"]["countNumber"] == overrides[service].get("keep_release_tags", 30)
        assert all(r["action"]["type"] == "expire" for r in rules.values())


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_only_the_nodes_pull_and_only_the_ci_deploy_role_pushes(rendered: dict, env: str) -> None:
    stack = rendered[env]
    # The nodes' roles, as the cluster names them: Karpenter's and the system node group's.
    nodes = {c["node_role_arn"] for c in stack.outputs["clusters"].values()}
    nodes |= {g.inputs["nodeRoleArn"] for g in stack.of_type("aws:eks/nodeGroup:NodeGroup")}
    ci_deploy = stack.outputs["ci"]["deploy_role_arn"]
    primary = stack.outputs["regions"][0]
    for repo in repositories(stack):
        statements = policy_of(stack, repo)
        denies = {s["Sid"]: s for s in statements if s["Effect"] == "Deny"}
        pull_deny = next(s for s in denies.values() if set(s["Action"]) >= PULL)
        allowed_to_pull = set(pull_deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])
        assert nodes
        assert {a for a in allowed_to_pull if "inspector2" not in a} == nodes
        push_deny = next(s for s in denies.values() if set(s["Action"]) >= PUSH)
        allowed_to_push = set(push_deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"])
        if repo.region == primary:
            assert allowed_to_push == {ci_deploy}
        else:
            assert ci_deploy not in allowed_to_push  # replicas: nobody pushes there
    # The CI deploy role may push to the primary region's repositories.
    grants = [
        p
        for p in stack.of_type("aws:iam/rolePolicy:RolePolicy")
        if p.name.endswith("registry-push-ci-deploy")
    ]
    (grant,) = grants
    actions: set[str] = set()
    for statement in json.loads(grant.inputs["policy"])["Statement"]:
        action = statement["Action"]
        actions |= set(action if isinstance(action, list) else [action])
    assert actions >= PUSH and "ecr:GetAuthorizationToken" in actions


def test_prod_replicates_its_images_to_its_second_region(rendered: dict) -> None:
    prod = rendered["prod"]
    (replication,) = prod.of_type("aws:ecr/replicationConfiguration:ReplicationConfiguration")
    assert replication.region == prod.outputs["regions"][0]
    (rule,) = replication.inputs["replicationConfiguration"]["rules"]
    assert [d["region"] for d in rule["destinations"]] == prod.outputs["regions"][1:]
    filters = {f["filter"] for f in rule["repositoryFilters"]}
    assert filters == {f"{ORG}/{s}" for s in SERVICES}
    assert rendered["dev"].of_type("aws:ecr/replicationConfiguration:ReplicationConfiguration") == []


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"repositories": {}}, "at least one"),
        ({"repositories": {"API": RepositoryArgs()}}, "not a valid ECR repository name"),
        ({"repositories": {"api": RepositoryArgs(keep_release_tags=0)}}, "keep_release_tags"),
        ({"untagged_expiry_days": 0}, "untagged_expiry_days"),
        ({"release_tag_prefix": ""}, "release_tag_prefix"),
    ],
)
def test_bad_registry_args_are_refused_naming_the_field(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        validate_registry_args(RegistryArgs(**{"repositories": {"api": RepositoryArgs()}, **changes}))
    validate_registry_args(RegistryArgs(repositories={"api": RepositoryArgs()}, name_prefix="social/"))
    assert re.fullmatch(NAME_PATTERN, "social/api")
    assert stackfiles.PROJECT_ROOT.exists()
