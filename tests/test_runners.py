"""GitLab runners: an SSM-only manager of one, workers the runner scales itself, least privilege."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import tomllib
from pathlib import Path
from typing import Any

import pytest

from social_components.runners import (
    AMI_PARAMETER,
    RunnerPlacement,
    RunnerSettings,
    instance_architecture,
    render_runner_config,
    validate_settings,
)
from social_components.runners.args import WorkerFleet
from social_components.runners.component import SSM_MANAGED_POLICY, validate_workers
from social_components.runners.validation import IdleSchedule, ManagerBoot, manager_user_data
from social_platform.areas.runners import runner_settings
from social_platform.config import load_config
from social_platform.errors import ConfigError
from social_platform.render import SECRET_MASK, RenderedResource, RenderedStack
from social_platform.stackfiles import OFFLINE_SECRET

from .conftest import ENVIRONMENTS, raw_config, render_variant, set_keys
from .iam import allows

RUNNERS = "social:runners:GitLabRunners"
ASG = "aws:autoscaling/group:Group"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_TYPES = (
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
)
GOLDEN = Path(__file__).parent / "golden"


def runners_of(stack: RenderedStack) -> RenderedResource:
    (component,) = stack.components(RUNNERS)
    return component


def inside(stack: RenderedStack, type_: str) -> list[RenderedResource]:
    return [r for r in stack.descendants(runners_of(stack)) if r.type == type_]


def one(stack: RenderedStack, type_: str, role: str) -> RenderedResource:
    (found,) = [r for r in inside(stack, type_) if r.name.endswith(f"-{role}")]
    return found


def shared_config(tier: str) -> Any:
    return load_config(set_keys(raw_config("shared"), {"environment.tier": tier}))


# ---------------------------------------------------------------------------------------------
# The rendered runner configuration


EXAMPLE_PLACEMENT = RunnerPlacement(
    name="shared-euw1-runners",
    gitlab_url="https://gitlab.com",
    region="eu-west-1",
    worker_group_name="shared-euw1-runners-workers",
    cache_bucket_name="shared-euw1-runners-cache-111111111111",
)


@pytest.mark.parametrize("tier", ["dev", "prod"])
def test_runner_config_for_the_tier_matches_the_expected_file(tier: str) -> None:
    """Golden files: review every change to them. UPDATE_GOLDEN=1 rewrites them."""
    rendered = render_runner_config(runner_settings(shared_config(tier)), EXAMPLE_PLACEMENT)
    expected = GOLDEN / f"runner-config.{tier}.toml"
    if os.environ.get("UPDATE_GOLDEN"):
        expected.write_text(rendered)
    assert rendered == expected.read_text()


def test_the_tiers_differ_where_the_tier_defaults_say() -> None:
    dev, prod = (
        tomllib.loads(render_runner_config(runner_settings(shared_config(t)), EXAMPLE_PLACEMENT))
        for t in ("dev", "prod")
    )
    assert dev["concurrent"] == 4 and prod["concurrent"] == 40
    assert dev["runners"][0]["autoscaler"]["max_instances"] == 2
    assert prod["runners"][0]["autoscaler"]["max_instances"] == 20
    # prod keeps capacity warm in working hours; dev scales to zero whenever idle.
    assert [p.get("periods") for p in prod["runners"][0]["autoscaler"]["policy"]] == [
        None,
        ["* 7-18 * * mon-fri"],
    ]
    assert [p["idle_count"] for p in dev["runners"][0]["autoscaler"]["policy"]] == [0]


def test_the_runner_config_is_docker_autoscaler_on_the_pinned_aws_plugin_without_a_token() -> None:
    parsed = tomllib.loads(render_runner_config(RunnerSettings(), EXAMPLE_PLACEMENT))
    (runner,) = parsed["runners"]
    assert runner["executor"] == "docker-autoscaler"
    assert runner["autoscaler"]["plugin"] == "aws:1.0.0"
    assert runner["autoscaler"]["plugin_config"] == {
        "name": "shared-euw1-runners-workers",
        "region": "eu-west-1",
    }
    assert runner["autoscaler"]["connector_config"]["use_external_addr"] is False
    assert runner["token"] == "@RUNNER_TOKEN@"
    assert runner["cache"]["s3"]["AuthenticationType"] == "iam"
    assert runner["docker"]["privileged"] is False


def test_the_shared_stack_delivers_exactly_the_rendered_config(rendered: dict) -> None:
    stack = rendered["shared"]
    cfg = load_config(raw_config("shared"))
    parameter = one(stack, "aws:ssm/parameter:Parameter", "config")
    workers = one(stack, ASG, "workers")
    bucket = one(stack, "aws:s3/bucket:Bucket", "cache")
    expected = render_runner_config(
        runner_settings(cfg),
        RunnerPlacement(
            name=runners_of(stack).name,
            gitlab_url=cfg.ci.gitlab_url,
            region="eu-west-1",
            worker_group_name=workers.inputs["name"],
            cache_bucket_name=bucket.inputs["bucket"],
        ),
    )
    assert parameter.inputs["type"] == "String"
    assert parameter.inputs["insecureValue"] == expected
    # The manager's boot script reads exactly that parameter and the token parameter.
    manager_template = one(stack, LAUNCH_TEMPLATE, "manager")
    script = base64.b64decode(manager_template.inputs["userData"]).decode()
    assert f"CONFIG_PARAMETER={parameter.inputs['name']}" in script
    assert f"TOKEN_PARAMETER={one(stack, 'aws:ssm/parameter:Parameter', 'token').inputs['name']}" in script
    assert 'dnf install -y "gitlab-runner-17.11.0-1"' in script


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"concurrent": 50}, "exceeds max_instances"),
        ({"idle_count": -1}, "idle_count must be 0"),
        ({"idle_schedules": (IdleSchedule(periods=("every day",), idle_count=1),)}, "not a cron period"),
        (
            {"idle_schedules": (IdleSchedule(periods=("* 8 * * *",), idle_count=1, timezone="Mars/Base"),)},
            "time zone",
        ),
        ({"default_image": "alpine:latest"}, "pinned tag"),
        ({"default_image": "alpine"}, "pinned tag"),
        ({"tags": ("no spaces",)}, "tag 'no spaces'"),
        ({"max_use_count": 0}, "max_use_count must be at least 1"),
    ],
)
def test_bad_runner_settings_are_refused_naming_the_setting(change: dict, words: str) -> None:
    settings = dataclasses.replace(
        RunnerSettings(concurrent=40, max_instances=20, capacity_per_instance=2), **change
    )
    with pytest.raises(ValueError, match=words):
        validate_settings(settings)


def test_instance_architecture_follows_the_graviton_naming() -> None:
    assert [instance_architecture(t) for t in ("t4g.small", "m7g.large", "c7gn.xlarge", "r8g.2xlarge")] == [
        "arm64"
    ] * 4
    assert [instance_architecture(t) for t in ("t3.large", "m7i.large", "g5.xlarge", "m7i-flex.large")] == [
        "x86_64"
    ] * 4
    with pytest.raises(ValueError, match="not an EC2 instance type"):
        instance_architecture("large")


def test_worker_settings_are_checked() -> None:
    validate_workers(WorkerFleet(instance_types=("m7i.large",)), max_instances=5)
    for fleet, words in [
        (WorkerFleet(instance_types=("m7g.large",)), "is arm64 but the workers are x86_64"),
        (WorkerFleet(vcpu_min=16, vcpu_max=8), "vcpu_min"),
        (WorkerFleet(on_demand_percentage=101), "on_demand_percentage"),
        (WorkerFleet(on_demand_base_capacity=9), "on_demand_base_capacity"),
    ]:
        with pytest.raises(ValueError, match=words):
            validate_workers(fleet, max_instances=5)


def test_manager_user_data_needs_a_pinned_runner_version() -> None:
    boot = ManagerBoot("17.11.0", "eu-west-1", "/c", "/t", "/l")
    assert "gitlab-runner-17.11.0-1" in manager_user_data(boot)
    with pytest.raises(ValueError, match="pinned"):
        manager_user_data(dataclasses.replace(boot, runner_version="latest"))


BAD_RUNNER_CONFIG = [
    ({"runners.concurrent": 100}, "social-platform:runners.concurrent", "exceeds max_instances"),
    ({"runners.instance_types": ["m7g.large"]}, "social-platform:runners.instance_types", "not x86_64"),
    ({"runners.tags": ["docker", "arm64"]}, "social-platform:runners.tags", "x86_64 workers"),
    ({"runners.default_image": "node:latest"}, "social-platform:runners.default_image", "latest"),
    (
        {"runners.idle_schedules": [{"periods": ["9-17"], "idle_count": 1}]},
        "social-platform:runners.idle_schedules.0.periods",
        "cron",
    ),
    (
        {"runners.instance_requirements.vcpu_min": 16},
        "social-platform:runners.instance_requirements.vcpu_min",
        "vcpu_max",
    ),
    ({"runners.spot": True}, "social-platform:runners.spot", "unknown key"),
]


@pytest.mark.parametrize(("changes", "key", "words"), BAD_RUNNER_CONFIG)
def test_bad_runner_config_names_the_key(changes: dict, key: str, words: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(set_keys(raw_config("shared"), changes))
    assert key in caught.value.keys, str(caught.value)
    assert words in str(caught.value)


# ---------------------------------------------------------------------------------------------
# Where the runners run


def test_only_the_shared_stack_runs_runners(rendered: dict) -> None:
    assert len(rendered["shared"].components(RUNNERS)) == 1
    for env in ENVIRONMENTS:
        assert rendered[env].components(RUNNERS) == []


def test_manager_and_workers_run_in_the_private_subnets(rendered: dict) -> None:
    stack = rendered["shared"]
    private = {s.id for s in stack.of_type("aws:ec2/subnet:Subnet") if s.inputs["tags"]["Tier"] == "private"}
    for group in inside(stack, ASG):
        assert set(group.inputs["vpcZoneIdentifiers"]) == private
    assert stack.outputs["runner_security_group_id"] == one(stack, SECURITY_GROUP, "workers").id


def test_the_manager_is_an_ssm_only_group_of_one_with_imdsv2_and_an_encrypted_disk(rendered: dict) -> None:
    stack = rendered["shared"]
    group = one(stack, ASG, "manager")
    assert (group.inputs["minSize"], group.inputs["maxSize"], group.inputs["desiredCapacity"]) == (1, 1, 1)
    template = one(stack, LAUNCH_TEMPLATE, "manager")
    assert group.inputs["launchTemplate"]["id"] == template.id
    assert "keyName" not in template.inputs
    assert template.inputs["metadataOptions"]["httpTokens"] == "required"
    (disk,) = template.inputs["blockDeviceMappings"]
    assert disk["ebs"]["encrypted"] == "true"
    role = one(stack, "aws:iam/role:Role", "manager")
    attached = [
        a.inputs["policyArn"] for a in inside(stack, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    ]
    assert attached == [SSM_MANAGED_POLICY]
    assert json.loads(role.inputs["assumeRolePolicy"])["Statement"][0]["Principal"] == {
        "Service": "ec2.amazonaws.com"
    }
    manager_sg = one(stack, SECURITY_GROUP, "manager")
    assert template.inputs["vpcSecurityGroupIds"] == [manager_sg.id]
    assert ingress_rules(stack, manager_sg) == [] and "ingress" not in manager_sg.inputs
    script = base64.b64decode(template.inputs["userData"]).decode()
    assert (
        "amazon-cloudwatch-agent" in script
        and one(stack, "aws:cloudwatch/logGroup:LogGroup", "logs").inputs["name"] in script
    )


def test_workers_scale_only_by_the_runner(rendered: dict) -> None:
    stack = rendered["shared"]
    group = one(stack, ASG, "workers")
    assert stack.of_type("aws:autoscaling/policy:Policy") == []
    assert "desiredCapacity" in group.ignore_changes
    assert group.inputs["minSize"] == 0 and group.inputs["maxSize"] == 20
    assert group.inputs["protectFromScaleIn"] is True
    template = one(stack, LAUNCH_TEMPLATE, "workers")
    spec = group.inputs["mixedInstancesPolicy"]["launchTemplate"]["launchTemplateSpecification"]
    assert spec["launchTemplateId"] == template.id
    assert template.inputs["metadataOptions"] == {
        "httpEndpoint": "enabled",
        "httpTokens": "required",
        "httpPutResponseHopLimit": 1,
    }
    (disk,) = template.inputs["blockDeviceMappings"]
    assert disk["ebs"] == {
        "volumeType": "gp3",
        "volumeSize": 100,
        "encrypted": "true",
        "deleteOnTermination": "true",
    }
    # Jobs get no AWS credentials from the instance.
    assert "iamInstanceProfile" not in template.inputs and "keyName" not in template.inputs


def test_spot_and_on_demand_mix_and_instance_choice_follow_the_tier(rendered: dict, tmp_path: Path) -> None:
    prod = one(rendered["shared"], ASG, "workers").inputs["mixedInstancesPolicy"]
    dev = one(render_variant(tmp_path, "shared", {"environment.tier": "dev"}), ASG, "workers").inputs[
        "mixedInstancesPolicy"
    ]
    assert prod["instancesDistribution"]["onDemandPercentageAboveBaseCapacity"] == 20
    assert dev["instancesDistribution"]["onDemandPercentageAboveBaseCapacity"] == 0
    assert prod["instancesDistribution"]["spotAllocationStrategy"] == "price-capacity-optimized"
    (requirements,) = prod["launchTemplate"]["overrides"]
    assert requirements["instanceRequirements"]["vcpuCount"] == {"min": 2, "max": 8}
    assert [o["instanceType"] for o in dev["launchTemplate"]["overrides"]] == ["t3.large", "t3a.large"]


def test_amis_come_from_the_public_al2023_parameter_per_architecture(rendered: dict, tmp_path: Path) -> None:
    stack = render_variant(
        tmp_path, "shared", {"runners.architecture": "arm64", "runners.instance_types": ["m7g.large"]}
    )
    workers, manager = one(stack, LAUNCH_TEMPLATE, "workers"), one(stack, LAUNCH_TEMPLATE, "manager")
    x86 = one(rendered["shared"], LAUNCH_TEMPLATE, "workers")
    assert workers.inputs["imageId"] == manager.inputs["imageId"]  # t4g manager, arm64 workers
    assert workers.inputs["imageId"] != x86.inputs["imageId"]
    assert AMI_PARAMETER.format(architecture="arm64").startswith(
        "/aws/service/ami-amazon-linux-latest/al2023"
    )
    assert stack.outputs["runners"]["job_tags"] == ["docker", "arm64"]


# ---------------------------------------------------------------------------------------------
# Least privilege and no inbound traffic


def ingress_rules(stack: RenderedStack, group: RenderedResource) -> list[dict[str, Any]]:
    """Every inbound rule of a security group: inline and separate rule resources."""
    rules = list(group.inputs.get("ingress") or [])
    for rule in stack.of_type(*INGRESS_TYPES):
        if rule.inputs.get("securityGroupId") == group.id and rule.inputs.get("type", "ingress") == "ingress":
            rules.append(rule.inputs)
    return rules


def open_to_the_internet(stack: RenderedStack) -> list[str]:
    problems = []
    for group in inside(stack, SECURITY_GROUP):
        for rule in ingress_rules(stack, group):
            sources = [
                rule.get("cidrIpv4"),
                rule.get("cidrIpv6"),
                *(rule.get("cidrBlocks") or []),
                *(rule.get("ipv6CidrBlocks") or []),
            ]
            if any(s in ("0.0.0.0/0", "::/0") for s in sources):
                problems.append(f"{group.name} admits the internet")
    return problems


def test_no_runner_security_group_admits_the_internet(rendered: dict) -> None:
    stack = rendered["shared"]
    assert open_to_the_internet(stack) == []
    manager, workers = one(stack, SECURITY_GROUP, "manager"), one(stack, SECURITY_GROUP, "workers")
    (ssh,) = ingress_rules(stack, workers)
    assert (ssh["referencedSecurityGroupId"], ssh["fromPort"], ssh["toPort"]) == (manager.id, 22, 22)


def test_the_internet_check_would_catch_an_open_rule(rendered: dict) -> None:
    stack = rendered["shared"]
    (rule,) = ingress_rules(stack, one(stack, SECURITY_GROUP, "workers"))
    ssh = next(r for r in stack.of_type(*INGRESS_TYPES) if r.inputs == rule)
    opened = dataclasses.replace(ssh, urn=ssh.urn + "-open", inputs={**ssh.inputs, "cidrIpv4": "0.0.0.0/0"})
    broken = RenderedStack(stack.stack, {**stack.resources, opened.urn: opened}, stack.outputs)
    assert open_to_the_internet(broken) == [
        f"{one(stack, SECURITY_GROUP, 'workers').name} admits the internet"
    ]


def manager_policy(stack: RenderedStack) -> str:
    return one(stack, "aws:iam/rolePolicy:RolePolicy", "manager").inputs["policy"]


def test_the_manager_can_scale_and_terminate_only_its_own_worker_group(rendered: dict) -> None:
    stack = rendered["shared"]
    policy = manager_policy(stack)
    own = one(stack, ASG, "workers")
    own_arn = json.loads(policy)["Statement"][0]["Resource"]
    assert own_arn.endswith(f":autoScalingGroupName/{own.inputs['name']}")
    other_arns = [
        own_arn.replace(own.inputs["name"], "some-other-group"),
        own_arn.replace(own.inputs["name"], own.inputs["name"] + "-2"),
        "arn:aws:autoscaling:eu-west-1:111111111111:autoScalingGroup:*:autoScalingGroupName/eks-nodes",
        one(stack, ASG, "manager").inputs["name"],
    ]
    for action in (
        "SetDesiredCapacity",
        "TerminateInstanceInAutoScalingGroup",
        "UpdateAutoScalingGroup",
        "DeleteAutoScalingGroup",
        "PutScalingPolicy",
        "CreateOrUpdateTags",
    ):
        for other in other_arns:
            assert not allows(policy, f"autoscaling:{action}", other), (action, other)
    assert allows(policy, "autoscaling:SetDesiredCapacity", own_arn)  # the check can say yes
    assert allows(policy, "autoscaling:TerminateInstanceInAutoScalingGroup", own_arn)
    assert not allows(policy, "autoscaling:UpdateAutoScalingGroup", own_arn)


def test_the_manager_connects_only_to_instances_of_its_own_group(rendered: dict) -> None:
    stack = rendered["shared"]
    policy = manager_policy(stack)
    instance = "arn:aws:ec2:eu-west-1:111111111111:instance/i-0123456789abcdef0"
    own = {
        "aws:ResourceTag/aws:autoscaling:groupName": one(stack, ASG, "workers").inputs["name"],
        "ec2:osuser": "ec2-user",
    }
    assert allows(policy, "ec2-instance-connect:SendSSHPublicKey", instance, own)
    for context in (
        {**own, "aws:ResourceTag/aws:autoscaling:groupName": "eks-nodes"},
        {**own, "ec2:osuser": "root"},
        {"ec2:osuser": "ec2-user"},
    ):
        assert not allows(policy, "ec2-instance-connect:SendSSHPublicKey", instance, context)
    for action in ("ec2:TerminateInstances", "ec2:RunInstances", "ec2:StopInstances", "iam:PassRole"):
        assert not allows(policy, action, instance, own)


def test_the_cache_is_encrypted_expiring_private_and_only_the_manager_reaches_its_objects(
    rendered: dict,
) -> None:
    stack = rendered["shared"]
    bucket = one(stack, "aws:s3/bucket:Bucket", "cache")
    (key,) = inside(stack, "aws:kms/key:Key")
    encryption = one(
        stack,
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "cache-encryption",
    )
    default = encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"]
    assert default["sseAlgorithm"] == "aws:kms" and default["kmsMasterKeyId"].endswith(key.name)
    lifecycle = one(stack, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "cache")
    assert lifecycle.inputs["rules"][0]["expiration"]["days"] == 30
    block = one(stack, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "cache-public-access")
    assert all(
        block.inputs[k] is True
        for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    )
    policy = one(stack, "aws:s3/bucketPolicy:BucketPolicy", "cache").inputs["policy"]
    manager_role = one(stack, "aws:iam/role:Role", "manager")
    manager_arn = f"arn:aws:iam::111111111111:role/{manager_role.name}"
    deny_only = json.loads(policy)
    objects = next(s for s in deny_only["Statement"] if s["Sid"] == "OnlyTheRunnerReadsAndWritesObjects")[
        "Resource"
    ]
    assert objects.startswith(bucket.id) or bucket.name in objects
    objects = objects.replace("*", "cache/project-1/default.zip")
    allow_all = {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}
    everyone = {**deny_only, "Statement": [*deny_only["Statement"], allow_all]}
    tls = {"aws:SecureTransport": "true"}
    assert allows(everyone, "s3:GetObject", objects, {**tls, "aws:PrincipalArn": manager_arn})
    assert not allows(
        everyone, "s3:GetObject", objects, {**tls, "aws:PrincipalArn": "arn:aws:iam::111111111111:role/admin"}
    )
    assert not allows(
        everyone, "s3:PutObject", objects, {"aws:SecureTransport": "false", "aws:PrincipalArn": manager_arn}
    )


# ---------------------------------------------------------------------------------------------
# The runner token


def token_parameter(stack: RenderedStack) -> RenderedResource:
    return one(stack, "aws:ssm/parameter:Parameter", "token")


def test_without_a_token_in_config_the_parameter_is_a_secret_placeholder_pulumi_never_overwrites(
    rendered: dict,
) -> None:
    parameter = token_parameter(rendered["shared"])
    assert parameter.inputs["type"] == "SecureString"
    assert parameter.inputs["value"] == SECRET_MASK and "value" in parameter.secret_paths
    assert parameter.ignore_changes == ["value"]
    (key,) = inside(rendered["shared"], "aws:kms/key:Key")
    assert parameter.inputs["keyId"].endswith(key.name)  # the runners' key, not aws/ssm
    # The README's `aws ssm put-parameter` names the parameter and that key by these outputs.
    outputs = rendered["shared"].outputs["runners"]
    assert outputs["token_parameter"] == parameter.inputs["name"]
    (alias,) = inside(rendered["shared"], "aws:kms/alias:Alias")
    assert alias.inputs["name"] == outputs["token_key_alias"]


def test_a_token_set_with_pulumi_config_secret_is_stored_and_never_shown(tmp_path: Path) -> None:
    stack = render_variant(tmp_path, "shared", {"runners.token": {"secure": "v1:AAAAbase64ciphertext"}})
    parameter = token_parameter(stack)
    assert parameter.ignore_changes == []
    assert parameter.inputs["value"] == SECRET_MASK and "value" in parameter.secret_paths
    assert OFFLINE_SECRET not in json.dumps(stack.to_json())


def test_a_plain_text_token_in_the_stack_file_is_refused() -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(set_keys(raw_config("shared"), {"runners.token": "glrt-plain"}))
    assert "social-platform:runners.token" in caught.value.keys
    assert "--secret" in str(caught.value)
