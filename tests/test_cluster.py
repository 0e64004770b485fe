"""The Kubernetes platform: EKS per region, a tainted system node group, Karpenter and the add-ons."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from social_components.cluster import (
    REGISTRY,
    AddonArgs,
    ClusterArgs,
    KarpenterArgs,
    NodePoolArgs,
    SystemNodeGroupArgs,
    TeamAccess,
    access_grants,
    instance_architecture,
    missing_requirements,
    require_pinned,
    validate_cluster_args,
)
from social_components.cluster.manifests import volumes
from social_components.cluster.validation import PINNED_AMI_ALIAS, PINNED_VERSION, ArgError
from social_platform import stackfiles
from social_platform.config import load_config, region_code
from social_platform.errors import ConfigError
from social_platform.mocks import SHARED_STACK_OUTPUTS
from social_platform.render import SECRET_MASK, RenderedResource, RenderedStack

from .conftest import (
    ENVIRONMENTS,
    STACKS,
    assert_config_error,
    bad_config_cases,
    load_with,
    raw_config,
    render_variant,
    set_keys,
)

CLUSTER = "social:cluster:Cluster"
ADDON = "social:cluster:Addon"
KARPENTER = "social:cluster:Karpenter"
KARPENTER_AWS = "social:cluster:KarpenterAws"
EKS = "eks:index:Cluster"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
EKS_ADDON = "aws:eks/addon:Addon"
CHART = "kubernetes:helm.sh/v4:Chart"
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"
NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool"
LOG_TYPES = {"api", "audit", "authenticator", "controllerManager", "scheduler"}
ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/"


# ---------------------------------------------------------------------------------------------
# Reading a rendered cluster


def clusters(stack: RenderedStack) -> list[RenderedResource]:
    return stack.components(CLUSTER)


def inside(stack: RenderedStack, parent: RenderedResource, type_: str) -> list[RenderedResource]:
    return [r for r in stack.descendants(parent) if r.type == type_]


def one(stack: RenderedStack, parent: RenderedResource, type_: str) -> RenderedResource:
    (found,) = inside(stack, parent, type_)
    return found


def eks_of(stack: RenderedStack, cluster: RenderedResource) -> RenderedResource:
    return one(stack, cluster, EKS)


def addon(stack: RenderedStack, cluster: RenderedResource, name: str) -> RenderedResource:
    return stack.named(f"{cluster.name}-{name}", ADDON)


def installed(stack: RenderedStack, cluster: RenderedResource, name: str) -> RenderedResource:
    """The aws.eks.Addon or Helm chart that installs add-on `name`."""
    component = addon(stack, cluster, name)
    (found,) = [r for r in stack.children(component) if r.type in (EKS_ADDON, CHART)]
    return found


def role_arn(role: RenderedResource) -> str:
    return f"arn:aws:iam::{role.account}:role/{role.inputs.get('name', role.name)}"


def policy(resource: RenderedResource, key: str = "policy") -> list[dict[str, Any]]:
    return json.loads(resource.inputs[key])["Statement"]


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def cfg_of(stack: str) -> Any:
    return load_config(raw_config(stack), other_environments=stackfiles.other_environment_regions(stack))


def workload(rendered: dict, stack: str) -> tuple[RenderedStack, RenderedResource]:
    """A stack and its primary region's cluster."""
    primary = region_code(rendered[stack].outputs["regions"][0])
    return rendered[stack], next(c for c in clusters(rendered[stack]) if c.name.endswith(f"-{primary}"))


# ---------------------------------------------------------------------------------------------
# Which stacks have clusters


def test_every_workload_region_has_its_own_cluster_and_the_shared_stack_none(rendered: dict) -> None:
    names = {
        stack: sorted(eks_of(rendered[stack], c).inputs["name"] for c in clusters(rendered[stack]))
        for stack in STACKS
    }
    assert names == {
        "shared": [],
        "dev": ["social-dev-euw1"],
        "staging": ["social-staging-euw1"],
        "prod": ["social-prod-euc1", "social-prod-euw1"],
    }


def test_each_cluster_uses_its_regions_pinned_provider_and_network(rendered: dict) -> None:
    stack = rendered["prod"]
    for cluster in clusters(stack):
        eks = eks_of(stack, cluster)
        region = {"euw1": "eu-west-1", "euc1": "eu-central-1"}[cluster.name.split("-")[-1]]
        assert (eks.account, eks.region) == ("444444444444", region)
        network = stack.named(cluster.name, "social:network:Network")
        private = [
            s.id
            for s in inside(stack, network, "aws:ec2/subnet:Subnet")
            if s.inputs["tags"]["Tier"] == "private"
        ]
        assert eks.inputs["vpcId"] == one(stack, network, "aws:ec2/vpc:Vpc").id
        assert sorted(eks.inputs["privateSubnetIds"]) == sorted(private)


# ---------------------------------------------------------------------------------------------
# The control plane: the eks.Cluster inputs, per tier


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_control_plane_is_private_encrypted_logged_and_uses_access_entries(
    rendered: dict, stack: str
) -> None:
    rendered_stack = rendered[stack]
    cfg = cfg_of(stack)
    for cluster in clusters(rendered_stack):
        eks = eks_of(rendered_stack, cluster)
        inputs = eks.inputs
        assert inputs["authenticationMode"] == "API"  # access entries; no aws-auth ConfigMap
        assert inputs["version"] == cfg.cluster.kubernetes_version  # which one: tests/test_versions.py
        assert inputs["endpointPrivateAccess"] is True
        assert inputs["skipDefaultNodeGroup"] is True
        assert inputs["createOidcProvider"] is True
        assert set(inputs["enabledClusterLogTypes"]) == LOG_TYPES
        assert inputs["bootstrapSelfManagedAddons"] is False  # add-ons are managed and pinned below
        # The Kubernetes provider authenticates as the deploy role that created (and so administers) it.
        assert inputs["providerCredentialOpts"] == {"roleArn": cfg.account.deploy_role_arn}
        # Nodes and control-plane interfaces only in the private subnets, never a public IP.
        assert "publicSubnetIds" not in inputs and "subnetIds" not in inputs
        assert inputs["nodeAssociatePublicIpAddress"] is False
        (key,) = [
            k
            for k in inside(rendered_stack, cluster, "aws:kms/key:Key")
            if inputs["encryptionConfigKeyArn"].endswith("/" + k.name)
        ]
        assert key.inputs["enableKeyRotation"] is True


def test_envelope_encryption_uses_the_clusters_own_key(rendered: dict) -> None:
    stack = rendered["prod"]
    keys = {}
    for cluster in clusters(stack):
        arn = eks_of(stack, cluster).inputs["encryptionConfigKeyArn"]
        (key,) = [k for k in inside(stack, cluster, "aws:kms/key:Key") if arn.endswith("/" + k.name)]
        assert "secrets" in key.inputs["description"]
        keys[cluster.name] = arn
    assert len(set(keys.values())) == 2


def test_deletion_protection_is_on_in_prod_only_by_default(rendered: dict) -> None:
    protection = {
        stack: {eks_of(rendered[stack], c).inputs["deletionProtection"] for c in clusters(rendered[stack])}
        for stack in ENVIRONMENTS
    }
    assert protection == {"dev": {False}, "staging": {False}, "prod": {True}}


def test_prod_clusters_and_their_logs_are_protected_from_pulumi_destroy(rendered: dict) -> None:
    for stack, expected in (("prod", True), ("dev", False)):
        for cluster in clusters(rendered[stack]):
            eks = eks_of(rendered[stack], cluster)
            logs = rendered[stack].named(f"{cluster.name}-control-plane-logs")
            assert (eks.protect, eks.retain_on_delete, logs.protect) == (expected, expected, expected)


def test_the_public_endpoint_admits_only_listed_cidrs_and_the_ci_runners(rendered: dict) -> None:
    # CI deploys from the runners in the shared account: their NAT addresses come from the shared
    # stack's `ci_egress_cidrs` output (the offline render's stand-ins here).
    ci = SHARED_STACK_OUTPUTS["ci_egress_cidrs"]
    endpoints = {}
    for stack in ENVIRONMENTS:
        for cluster in clusters(rendered[stack]):
            inputs = eks_of(rendered[stack], cluster).inputs
            endpoints[cluster.name] = (inputs["endpointPublicAccess"], inputs.get("publicAccessCidrs"))
    assert endpoints == {
        "dev-euw1": (True, sorted(["203.0.113.0/24", *ci])),
        "staging-euw1": (True, sorted(ci)),
        "prod-euw1": (True, sorted(ci)),
        "prod-euc1": (True, sorted(ci)),
    }
    assert all(cidr.endswith("/32") for cidr in ci)


def test_the_shared_stack_publishes_the_runners_nat_addresses_for_ci(rendered: dict) -> None:
    shared = rendered["shared"]
    (network,) = [n for n in shared.components("social:network:Network")]
    eips = [r for r in shared.descendants(network) if r.type == "aws:ec2/eip:Eip"]
    assert eips and len(shared.outputs["ci_egress_cidrs"]) == len(eips)
    assert all(cidr.endswith("/32") for cidr in shared.outputs["ci_egress_cidrs"])


def test_ci_acts_as_the_deploy_role_that_created_the_cluster_and_so_is_its_admin(rendered: dict) -> None:
    # EKS makes the cluster's creator an admin (access entry with AmazonEKSClusterAdminPolicy); the
    # AWS provider that creates it assumes the environment's deploy role, and the kubeconfig the
    # Kubernetes provider uses (CI included) assumes the same role.
    for stack in ENVIRONMENTS:
        s = rendered[stack]
        for cluster in clusters(s):
            eks = eks_of(s, cluster)
            (nodes,) = [r for r in s.descendants(cluster) if r.type == NODE_GROUP]
            provider = s.resources[str(nodes.provider)]
            deploy_role = provider.inputs["assumeRoles"][0]["roleArn"]
            assert deploy_role.endswith(":role/social-platform-deploy")
            assert eks.inputs["providerCredentialOpts"]["roleArn"] == deploy_role


def test_control_plane_logs_go_to_an_encrypted_group_kept_by_tier(rendered: dict) -> None:
    retention = {}
    for stack in ENVIRONMENTS:
        for cluster in clusters(rendered[stack]):
            eks = eks_of(rendered[stack], cluster)
            group = rendered[stack].named(f"{cluster.name}-control-plane-logs")
            assert group.inputs["name"] == f"/aws/eks/{eks.inputs['name']}/cluster"  # where EKS writes
            assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:")
            assert group.urn in eks.depends_on  # exists, with retention, before EKS writes to it
            retention[stack] = group.inputs["retentionInDays"]
    assert retention == {"dev": 7, "staging": 30, "prod": 365}


def test_the_node_security_group_carries_the_karpenter_discovery_tag(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    inputs = eks_of(stack, cluster).inputs
    assert inputs["nodeSecurityGroupTags"] == {"karpenter.sh/discovery": inputs["name"]}
    # Not on everything pulumi-eks tags: the cluster security group would be attached to nodes too.
    assert "karpenter.sh/discovery" not in inputs.get("tags", {})


# ---------------------------------------------------------------------------------------------
# Team access (one variant render shared by several tests)

TEAM_ROLE = "arn:aws:iam::333333333333:role/"
VARIANT_CHANGES = {
    "cluster.teams": {
        "platform": {"admin_role_arns": [TEAM_ROLE + "platform-admins"]},
        "web": {
            "admin_role_arns": [TEAM_ROLE + "web-leads"],
            "developer_role_arns": [TEAM_ROLE + "web-developers"],
            "read_only_role_arns": [TEAM_ROLE + "auditors"],
            "namespaces": ["web", "web-jobs"],
        },
    },
    "cluster.system_nodes.ami_family": "Bottlerocket",
    "cluster.karpenter.node_pools": {
        "batch": {
            "cpu_limit": 200,
            "memory_limit_gib": 800,
            "capacity_types": ["spot"],
            "taints": [{"key": "workload", "value": "batch", "effect": "NoSchedule"}],
            "labels": {"workload": "batch"},
        },
        # Says nothing about capacity: gets the component's own default.
        "steady": {"cpu_limit": 16, "memory_limit_gib": 64, "consolidate_after_seconds": 300},
    },
    "cluster.grafana_admin_password": {"secure": "v1:c2VjcmV0"},
}


@pytest.fixture(scope="module")
def variant(tmp_path_factory: pytest.TempPathFactory) -> RenderedStack:
    """Staging with teams, Bottlerocket system nodes, a spot batch pool and a Grafana password."""
    return render_variant(tmp_path_factory.mktemp("variant"), "staging", VARIANT_CHANGES)


def test_team_roles_map_to_eks_access_policies_cluster_wide_or_per_namespace(variant: RenderedStack) -> None:
    (cluster,) = clusters(variant)
    entries = eks_of(variant, cluster).inputs["accessEntries"]
    granted = {
        entry["principalArn"].rsplit("/", 1)[-1]: (
            entry["type"],
            entry["accessPolicies"]["access"]["policyArn"].removeprefix(ACCESS_POLICY),
            entry["accessPolicies"]["access"]["accessScope"],
        )
        for entry in entries.values()
    }
    web = {"type": "namespace", "namespaces": ["web", "web-jobs"]}
    assert granted == {
        "platform-admins": ("STANDARD", "AmazonEKSClusterAdminPolicy", {"type": "cluster"}),
        "web-leads": ("STANDARD", "AmazonEKSAdminPolicy", web),
        "web-developers": ("STANDARD", "AmazonEKSEditPolicy", web),
        "auditors": ("STANDARD", "AmazonEKSViewPolicy", web),
    }


def test_team_namespaces_are_created_and_labelled_with_the_team(variant: RenderedStack) -> None:
    namespaces = {
        r.inputs["metadata"]["name"]: r.inputs["metadata"]["labels"].get("social-platform/team")
        for r in variant.of_type("kubernetes:core/v1:Namespace")
        if "social-platform/team" in r.inputs["metadata"].get("labels", {})
    }
    assert namespaces == {"web": "web", "web-jobs": "web"}


def test_without_teams_only_the_cluster_creator_has_access(rendered: dict) -> None:
    for stack in ENVIRONMENTS:
        for cluster in clusters(rendered[stack]):
            assert eks_of(rendered[stack], cluster).inputs["accessEntries"] == {}


def test_access_grants_refuse_a_role_twice_the_creator_and_platform_namespaces() -> None:
    dev = TEAM_ROLE + "dev"
    assert [g.entry for g in access_grants({"a": TeamAccess(developer_role_arns=(dev,))})] == [
        "a-developer-dev"
    ]
    with pytest.raises(ArgError, match=r"teams\.b\.read_only_role_arns: .* already listed in teams\.a"):
        access_grants(
            {"a": TeamAccess(developer_role_arns=(dev,)), "b": TeamAccess(read_only_role_arns=(dev,))}
        )
    with pytest.raises(ArgError, match="deploys the cluster"):
        access_grants({"a": TeamAccess(admin_role_arns=(dev,))}, creator_role_arn=dev)
    with pytest.raises(ArgError, match=r"teams\.a\.namespaces: 'monitoring' belongs to the platform"):
        access_grants({"a": TeamAccess(namespaces=("monitoring",))})
    with pytest.raises(ArgError, match="not an IAM role ARN"):
        access_grants({"a": TeamAccess(admin_role_arns=("arn:aws:iam::333333333333:user/bob",))})


# ---------------------------------------------------------------------------------------------
# The system node group


def test_system_nodes_are_on_demand_private_tainted_and_sized_by_tier(rendered: dict) -> None:
    sizes = {}
    for stack in ENVIRONMENTS:
        for cluster in clusters(rendered[stack]):
            group = one(rendered[stack], cluster, NODE_GROUP)
            network = rendered[stack].named(cluster.name, "social:network:Network")
            private = [
                s.id
                for s in inside(rendered[stack], network, "aws:ec2/subnet:Subnet")
                if s.inputs["tags"]["Tier"] == "private"
            ]
            assert group.inputs["capacityType"] == "ON_DEMAND"
            assert sorted(group.inputs["subnetIds"]) == sorted(private)
            assert group.inputs["taints"] == [
                {"key": "CriticalAddonsOnly", "value": "true", "effect": "NO_SCHEDULE"}
            ]
            assert group.inputs["labels"] == {"social-platform/node-group": "system"}
            assert group.inputs["amiType"] == "AL2023_ARM_64_STANDARD"  # Graviton tier defaults
            template = rendered[stack].by_id(group.inputs["launchTemplate"]["id"])
            assert template.parent == cluster.urn
            scaling = group.inputs["scalingConfig"]
            sizes[stack] = (scaling["minSize"], scaling["desiredSize"], scaling["maxSize"])
    assert sizes == {"dev": (2, 2, 3), "staging": (2, 2, 4), "prod": (3, 3, 6)}


def test_bottlerocket_system_nodes_get_the_bottlerocket_ami_and_encrypted_os_and_data_volumes(
    variant: RenderedStack,
) -> None:
    (cluster,) = clusters(variant)
    assert one(variant, cluster, NODE_GROUP).inputs["amiType"] == "BOTTLEROCKET_ARM_64"
    devices = [m["deviceName"] for m in one(variant, cluster, LAUNCH_TEMPLATE).inputs["blockDeviceMappings"]]
    assert devices == ["/dev/xvda", "/dev/xvdb"]


def imdsv2_violations(stack: RenderedStack) -> list[str]:
    """Launch templates and node classes that allow IMDSv1, let pods reach IMDS, or have an
    unencrypted or non-gp3 volume."""
    problems = []
    for template in stack.of_type(LAUNCH_TEMPLATE):
        meta = template.inputs.get("metadataOptions", {})
        if meta.get("httpTokens") != "required" or meta.get("httpPutResponseHopLimit") != 1:
            problems.append(f"{template.name}: IMDS {meta}")
        for mapping in template.inputs.get("blockDeviceMappings", []):
            ebs = mapping.get("ebs", {})
            if ebs.get("encrypted") != "true" or ebs.get("volumeType") != "gp3":
                problems.append(f"{template.name}: volume {mapping}")
    for node_class in stack.of_type(NODE_CLASS):
        spec = node_class.inputs["spec"]
        meta = spec.get("metadataOptions", {})
        if meta.get("httpTokens") != "required" or meta.get("httpPutResponseHopLimit") != 1:
            problems.append(f"{node_class.name}: IMDS {meta}")
        for mapping in spec.get("blockDeviceMappings", []):
            ebs = mapping["ebs"]
            if ebs.get("encrypted") is not True or ebs.get("volumeType") != "gp3":
                problems.append(f"{node_class.name}: volume {mapping}")
    return problems


def test_every_launch_template_and_node_class_requires_imdsv2_and_encrypts_gp3(
    any_stack: RenderedStack,
) -> None:
    if any_stack.stack != "shared":
        assert any_stack.of_type(LAUNCH_TEMPLATE) and any_stack.of_type(NODE_CLASS)
    assert imdsv2_violations(any_stack) == []


def test_the_imdsv2_check_catches_imdsv1_and_an_unencrypted_volume(rendered: dict) -> None:
    import dataclasses

    stack = rendered["dev"]
    template = stack.of_type(LAUNCH_TEMPLATE)[0]
    loose = dataclasses.replace(
        template,
        urn=template.urn + "-loose",
        name="loose",
        inputs={
            **template.inputs,
            "metadataOptions": {"httpTokens": "optional", "httpPutResponseHopLimit": 2},
            "blockDeviceMappings": [{"deviceName": "/dev/xvda", "ebs": {"volumeType": "gp2"}}],
        },
    )
    broken = RenderedStack(stack.stack, {**stack.resources, loose.urn: loose}, stack.outputs)
    assert [p.split(":")[0] for p in imdsv2_violations(broken)] == ["loose", "loose"]


def test_the_system_nodes_join_only_after_cni_kube_proxy_and_pod_identity_agent(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    group = one(stack, cluster, NODE_GROUP)
    for name in ("vpc-cni", "kube-proxy", "eks-pod-identity-agent"):
        assert installed(stack, cluster, name).urn in group.depends_on, name
    for name in ("coredns", "aws-ebs-csi-driver", "amazon-cloudwatch-observability"):
        assert group.urn in installed(stack, cluster, name).depends_on, name


# ---------------------------------------------------------------------------------------------
# Karpenter


def karpenter(stack: RenderedStack, cluster: RenderedResource) -> RenderedResource:
    (found,) = [c for c in stack.children(cluster) if c.type == KARPENTER]
    return found


def test_karpenter_controller_policy_is_scoped_to_this_cluster(rendered: dict) -> None:
    stack = rendered["prod"]
    for cluster in clusters(stack):
        name = eks_of(stack, cluster).inputs["name"]
        region = eks_of(stack, cluster).region
        k = karpenter(stack, cluster)
        (policy_resource,) = [p for p in inside(stack, k, ROLE_POLICY) if p.name.endswith("-controller")]
        statements = policy(policy_resource)
        node_role = stack.named(f"{k.name}-node", ROLE)
        queue = one(stack, k, "aws:sqs/queue:Queue")
        profile = one(stack, k, "aws:iam/instanceProfile:InstanceProfile")
        text = json.dumps(statements)
        other = {"social-prod-euw1", "social-prod-euc1"} - {name}
        assert not any(o in text for o in other), "mentions the other region's cluster"
        writes = {
            "ec2:RunInstances",
            "ec2:CreateFleet",
            "ec2:CreateLaunchTemplate",
            "ec2:CreateTags",
            "ec2:TerminateInstances",
            "ec2:DeleteLaunchTemplate",
        }
        for statement in statements:
            actions = set(as_list(statement["Action"]))
            resources = as_list(statement["Resource"])
            condition = json.dumps(statement.get("Condition", {}))
            if resources == ["*"]:
                assert all(re.match(r"^(ec2:Describe|pricing:Get)", a) for a in actions), statement["Sid"]
            if actions & writes and any(
                ":instance/" in r or ":launch-template/" in r or ":fleet/" in r for r in resources
            ):
                # Only instances/templates/fleets carrying this cluster's owned tag and a NodePool tag.
                assert f"/kubernetes.io/cluster/{name}" in condition, statement["Sid"]
                assert "karpenter.sh/nodepool" in condition, statement["Sid"]
            for resource in resources:
                if resource.startswith("arn:aws:ec2:"):
                    assert resource.startswith(f"arn:aws:ec2:{region}:"), resource
        by_sid = {s["Sid"]: s for s in statements}
        assert by_sid["AllowRegionalReadActions"]["Condition"] == {
            "StringEquals": {"aws:RequestedRegion": region}
        }
        assert by_sid["AllowPassingInstanceRole"]["Resource"] == role_arn(node_role)
        assert (
            by_sid["AllowInterruptionQueueActions"]["Resource"]
            == f"arn:aws:sqs:{region}:444444444444:{queue.inputs['name']}"
        )
        assert (
            by_sid["AllowAPIServerEndpointDiscovery"]["Resource"]
            == f"arn:aws:eks:{region}:444444444444:cluster/{name}"
        )
        assert by_sid["AllowInstanceProfileReadActions"]["Resource"].endswith(
            f":instance-profile/{profile.name}"
        )
        assert "iam:CreateInstanceProfile" not in text  # the node class uses the profile Pulumi manages
        # Receiving from a queue encrypted with a customer key decrypts with that key (SQS "Key
        # management": consumers need kms:Decrypt).
        queue_key = queue.inputs["kmsMasterKeyId"]
        assert by_sid["AllowInterruptionQueueDecryption"] == {
            "Sid": "AllowInterruptionQueueDecryption",
            "Effect": "Allow",
            "Resource": queue_key,
            "Action": "kms:Decrypt",
        }


def test_the_interruption_queue_is_encrypted_and_fed_by_all_four_rules(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    k = karpenter(stack, cluster)
    queue = one(stack, k, "aws:sqs/queue:Queue")
    queue_arn = f"arn:aws:sqs:eu-west-1:333333333333:{queue.inputs['name']}"
    (key,) = inside(stack, k, "aws:kms/key:Key")
    assert queue.inputs["kmsMasterKeyId"].endswith(f":key/{key.name}")  # its own customer-managed key
    (queue_policy,) = inside(stack, k, "aws:sqs/queuePolicy:QueuePolicy")
    allow, deny = policy(queue_policy)
    assert allow["Principal"] == {"Service": "events.amazonaws.com"}
    assert (allow["Action"], allow["Resource"]) == ("sqs:SendMessage", queue_arn)
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    rules = {
        r.name: json.loads(r.inputs["eventPattern"])
        for r in inside(stack, k, "aws:cloudwatch/eventRule:EventRule")
    }
    targets = {
        t.inputs["rule"]: t.inputs["arn"] for t in inside(stack, k, "aws:cloudwatch/eventTarget:EventTarget")
    }
    assert sorted((p["source"][0], p["detail-type"][0]) for p in rules.values()) == [
        ("aws.ec2", "EC2 Instance Rebalance Recommendation"),
        ("aws.ec2", "EC2 Instance State-change Notification"),
        ("aws.ec2", "EC2 Spot Instance Interruption Warning"),
        ("aws.health", "AWS Health Event"),
    ]
    assert targets == {name: queue_arn for name in rules}


def test_the_karpenter_chart_knows_its_cluster_and_queue_and_runs_on_the_system_nodes(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    k = karpenter(stack, cluster)
    chart = one(stack, k, CHART)
    settings = chart.inputs["values"]["settings"]
    assert chart.inputs["chart"] == "oci://public.ecr.aws/karpenter/karpenter"
    assert chart.inputs["version"] == cfg_of("staging").cluster.karpenter.chart_version
    assert settings == {
        "clusterName": "social-staging-euw1",
        "clusterEndpoint": stack.outputs["clusters"]["eu-west-1"]["endpoint"],
        "interruptionQueue": one(stack, k, "aws:sqs/queue:Queue").inputs["name"],
    }
    assert chart.inputs["values"]["nodeSelector"] == {"social-platform/node-group": "system"}
    assert {"key": "CriticalAddonsOnly", "operator": "Exists", "effect": "NoSchedule"} in chart.inputs[
        "values"
    ]["tolerations"]
    assert one(stack, cluster, NODE_GROUP).urn in chart.depends_on


def test_the_node_class_finds_tagged_subnets_and_groups_and_uses_the_node_role(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    k = karpenter(stack, cluster)
    spec = one(stack, k, NODE_CLASS).inputs["spec"]
    name = "social-staging-euw1"
    discovery = [{"tags": {"karpenter.sh/discovery": name}}]
    assert spec["subnetSelectorTerms"] == spec["securityGroupSelectorTerms"] == discovery
    tagged = [
        s
        for s in stack.of_type("aws:ec2/subnet:Subnet")
        if s.inputs["tags"].get("karpenter.sh/discovery") == name
    ]
    assert tagged and {s.inputs["tags"]["Tier"] for s in tagged} == {"private"}
    assert spec["metadataOptions"]["httpTokens"] == "required"
    assert spec["metadataOptions"]["httpPutResponseHopLimit"] == 1
    assert spec["blockDeviceMappings"] == [
        {
            "deviceName": "/dev/xvda",
            "ebs": {
                "volumeSize": "50Gi",
                "volumeType": "gp3",
                "encrypted": True,
                "deleteOnTermination": True,
            },
        }
    ]
    assert PINNED_AMI_ALIAS.match(spec["amiSelectorTerms"][0]["alias"])
    profile = one(stack, k, "aws:iam/instanceProfile:InstanceProfile")
    node_role = stack.named(f"{k.name}-node", ROLE)
    assert spec["instanceProfile"] == profile.name and profile.inputs["role"] == node_role.name
    entry = one(stack, k, "aws:eks/accessEntry:AccessEntry")
    assert (entry.inputs["type"], entry.inputs["principalArn"]) == ("EC2_LINUX", role_arn(node_role))


def test_the_node_role_has_what_a_node_needs_and_not_the_cni_policy(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    k = karpenter(stack, cluster)
    attached = {
        a.inputs["policyArn"].rsplit("/", 1)[-1]
        for a in inside(stack, k, ATTACHMENT)
        if a.name.startswith(f"{k.name}-node-")
    }
    assert attached == {
        "AmazonEKSWorkerNodePolicy",
        "AmazonEC2ContainerRegistryReadOnly",
        "AmazonSSMManagedInstanceCore",
    }


def pools(stack: RenderedStack, cluster: RenderedResource) -> dict[str, dict[str, Any]]:
    return {
        p.inputs["metadata"]["name"]: p.inputs["spec"]
        for p in inside(stack, karpenter(stack, cluster), NODE_POOL)
    }


def requirement(spec: dict[str, Any], key: str) -> list[str]:
    (found,) = [r for r in spec["template"]["spec"]["requirements"] if r["key"] == key]
    return found["values"]


def test_the_general_pool_mixes_architectures_consolidates_and_is_limited_by_tier(rendered: dict) -> None:
    seen = {}
    for stack in ENVIRONMENTS:
        stack_r, cluster = workload(rendered, stack)
        general = pools(stack_r, cluster)["general"]
        assert set(requirement(general, "kubernetes.io/arch")) == {"arm64", "amd64"}
        assert general["disruption"]["consolidationPolicy"] == "WhenEmptyOrUnderutilized"
        assert general["template"]["spec"]["expireAfter"] == "720h"
        assert general["template"]["spec"]["nodeClassRef"]["name"] == "default"
        seen[stack] = (sorted(requirement(general, "karpenter.sh/capacity-type")), general["limits"])
    assert seen == {
        "dev": (["on-demand", "spot"], {"cpu": "32", "memory": "128Gi"}),
        "staging": (["on-demand", "spot"], {"cpu": "64", "memory": "256Gi"}),
        "prod": (["on-demand"], {"cpu": "1000", "memory": "4000Gi"}),
    }


def test_config_adds_a_spot_only_tainted_batch_pool(variant: RenderedStack) -> None:
    (cluster,) = clusters(variant)
    batch = pools(variant, cluster)["batch"]
    assert requirement(batch, "karpenter.sh/capacity-type") == ["spot"]
    assert batch["template"]["spec"]["taints"] == [
        {"key": "workload", "value": "batch", "effect": "NoSchedule"}
    ]
    assert batch["template"]["metadata"]["labels"] == {
        "workload": "batch",
        "social-platform/node-pool": "batch",
    }
    assert batch["limits"] == {"cpu": "200", "memory": "800Gi"}


def test_an_extra_pool_is_on_demand_unless_it_asks_for_spot(variant: RenderedStack) -> None:
    """Config and `NodePoolArgs` share one default (config once said spot, so prod silently got it)."""
    (cluster,) = clusters(variant)
    steady = pools(variant, cluster)["steady"]
    assert requirement(steady, "karpenter.sh/capacity-type") == ["on-demand"]
    assert steady["disruption"]["consolidateAfter"] == "300s"  # a setting config passes on as is
    assert NodePoolArgs().capacity_types == ("on-demand",)


def test_node_pools_and_the_node_class_wait_for_the_chart_that_installs_their_crds(rendered: dict) -> None:
    stack, cluster = workload(rendered, "prod")
    k = karpenter(stack, cluster)
    chart = one(stack, k, CHART)
    node_class = one(stack, k, NODE_CLASS)
    assert chart.urn in node_class.depends_on
    for pool in inside(stack, k, NODE_POOL):
        assert {chart.urn, node_class.urn} <= set(pool.depends_on)


# ---------------------------------------------------------------------------------------------
# Add-ons


PLATFORM_ADD_ONS = {
    # What the platform promises every cluster (README, "Cluster"), written out rather than read from
    # the catalogue under test. No ingress controller: ingress-nginx is retired.
    "vpc-cni",
    "coredns",
    "kube-proxy",
    "eks-pod-identity-agent",
    "aws-ebs-csi-driver",
    "amazon-cloudwatch-observability",
    "aws-load-balancer-controller",
    "metrics-server",
    "kube-prometheus-stack",
    "fluent-bit",
    "cert-manager",
    "external-dns",
    "argo-cd",  # delivery (issue 13): staging and prod; dev leaves it out
}


def test_each_tier_installs_its_add_ons(rendered: dict) -> None:
    expected_off = {
        "dev": {"kube-prometheus-stack", "amazon-cloudwatch-observability", "argo-cd"},
        "staging": set(),
        "prod": set(),
    }
    for stack in ENVIRONMENTS:
        for cluster in clusters(rendered[stack]):
            present = {
                a.name.removeprefix(f"{cluster.name}-")
                for a in rendered[stack].descendants(cluster)
                if a.type == ADDON
            }
            assert present == PLATFORM_ADD_ONS - expected_off[stack], stack


def test_managed_add_ons_and_charts_are_pinned_exactly(any_stack: RenderedStack) -> None:
    # Which versions are right is tests/test_versions.py's business (against upstream calendars).
    for resource in any_stack.of_type(EKS_ADDON):
        assert PINNED_VERSION.match(resource.inputs["addonVersion"]), resource.name
    for chart in any_stack.of_type(CHART):
        assert PINNED_VERSION.match(chart.inputs["version"]), chart.name
    for node_class in any_stack.of_type(NODE_CLASS):
        assert PINNED_AMI_ALIAS.match(node_class.inputs["spec"]["amiSelectorTerms"][0]["alias"])


def pod_identity_roles(stack: RenderedStack) -> list[RenderedResource]:
    return [r for r in stack.of_type(ROLE) if "pods.eks.amazonaws.com" in r.inputs["assumeRolePolicy"]]


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_every_add_on_role_trusts_only_pod_identity_for_exactly_its_service_account(
    rendered: dict, stack: str
) -> None:
    rendered_stack = rendered[stack]
    roles = pod_identity_roles(rendered_stack)
    associations = rendered_stack.of_type(ASSOCIATION)
    assert len(roles) == len(associations) > 0
    parents = {c.urn: c.type for c in rendered_stack.components()}
    addon_roles = [r for r in rendered_stack.of_type(ROLE) if parents.get(r.parent or "") == ADDON]
    assert addon_roles and all(r in roles for r in addon_roles)  # no add-on role trusts anything else
    for role in roles:
        (trust,) = policy(role, "assumeRolePolicy")
        assert trust["Principal"] == {"Service": "pods.eks.amazonaws.com"}
        assert sorted(trust["Action"]) == ["sts:AssumeRole", "sts:TagSession"]
        tags = trust["Condition"]["StringEquals"]
        (association,) = [a for a in associations if a.inputs["roleArn"] == role_arn(role)]
        assert (association.inputs["namespace"], association.inputs["serviceAccount"]) == (
            tags["aws:RequestTag/kubernetes-namespace"],
            tags["aws:RequestTag/kubernetes-service-account"],
        )
        cluster_name = association.inputs["clusterName"]
        assert tags["aws:RequestTag/eks-cluster-arn"].endswith(f":cluster/{cluster_name}")
        # The association's service account is the one the add-on's chart (or EKS add-on) runs as.
        component = next(c for c in rendered_stack.components() if c.urn == role.parent)
        if component.type == ADDON:
            name = component.name.split("-", 2)[-1]
            entry = REGISTRY[name]
            accounts = {entry.traits.service_account} | {r.service_account for r in entry.more_roles.values()}
            assert association.inputs["serviceAccount"] in accounts, name
            chart = [r for r in rendered_stack.children(component) if r.type == CHART]
            if chart:  # at the value path the entry locks for it (Alertmanager's is nested)
                paths = [path for path in REGISTRY[name].locked if path.endswith("serviceAccount.name")]
                named = set()
                for path in paths:
                    node = chart[0].inputs["values"]
                    for part in path.split("."):
                        node = node.get(part, {}) if isinstance(node, dict) else {}
                    named.add(node)
                assert association.inputs["serviceAccount"] in named, name
        elif component.type == KARPENTER_AWS:
            assert association.inputs["serviceAccount"] == "karpenter"
        else:  # the workloads' roles the platform makes (tests/test_realtime.py, test_migrations.py)
            assert component.type in ("social:wallet:Wallet", "social:migrations:Migrations"), component.type


def test_only_add_ons_that_call_aws_get_a_role(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    with_role = {name for name in REGISTRY if inside(stack, addon(stack, cluster, name), ROLE)}
    assert with_role == {name for name, entry in REGISTRY.items() if entry.traits.service_account}
    assert with_role == {
        "vpc-cni",
        "aws-ebs-csi-driver",
        "amazon-cloudwatch-observability",
        "aws-load-balancer-controller",
        "fluent-bit",
        "external-dns",
        "kube-prometheus-stack",  # Alertmanager publishes to the alert topics
    }


NEEDED_BY_OTHERS = {"eks-pod-identity-agent", "aws-ebs-csi-driver"}


@pytest.mark.parametrize("name", sorted(set(REGISTRY) - NEEDED_BY_OTHERS))
def test_turning_an_add_on_off_removes_it_and_its_role_and_nothing_else(
    tmp_path: Path, rendered: dict, name: str
) -> None:
    before = rendered["staging"]
    after = render_variant(tmp_path, "staging", {f"cluster.addons.{name}.enabled": False})
    (cluster,) = clusters(before)
    component = addon(before, cluster, name)
    subtree = {component.urn} | {r.urn for r in before.descendants(component)}
    # Container Insights' alarms watch the metrics this add-on publishes: they go with it.
    insights = {
        r.urn
        for r in before.of_type("aws:cloudwatch/metricAlarm:MetricAlarm")
        if name == "amazon-cloudwatch-observability" and r.inputs.get("namespace") == "ContainerInsights"
    }
    # A tool's sign-in client, its login style, its groups and the client's alarms exist only for it:
    # Argo CD's for argo-cd, Grafana's for kube-prometheus-stack.
    tool = {"argo-cd": "argocd", "kube-prometheus-stack": "grafana"}.get(name)
    sign_in = {
        r.urn
        for r in before
        if tool is not None
        and tool in r.name
        and (r.type.startswith("aws:cognito/") or r.type == "aws:cloudwatch/metricAlarm:MetricAlarm")
    }
    assert set(after.resources) == set(before.resources) - subtree - insights - sign_in
    removed_roles = [r for r in before.descendants(component) if r.type == ROLE]
    entry = REGISTRY[name]
    assert len(removed_roles) == (1 if entry.traits.service_account else 0) + len(entry.more_roles)


@pytest.mark.parametrize(
    ("name", "needed_by"),
    [
        ("eks-pod-identity-agent", "karpenter"),
        ("aws-ebs-csi-driver", "kube-prometheus-stack"),
    ],
)
def test_an_add_on_others_need_cannot_be_turned_off_alone(name: str, needed_by: str) -> None:
    raw = set_keys(raw_config("staging"), {f"cluster.addons.{name}.enabled": False})
    with pytest.raises(ConfigError) as caught:
        load_config(raw)
    assert f"social-platform:cluster.addons.{name}.enabled" in caught.value.keys
    assert f"{needed_by} needs {name}" in str(caught.value)


def test_workload_add_ons_wait_for_karpenter_s_pools(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    # Workload add-ons run on Karpenter's nodes, so they wait for its pools.
    general = stack.named(f"{cluster.name}-karpenter-pool-general", NODE_POOL)
    assert general.urn in installed(stack, cluster, "kube-prometheus-stack").depends_on


def test_charts_with_a_role_start_only_after_their_pod_identity_association(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    for name, entry in REGISTRY.items():
        if entry.traits.service_account:
            associations = inside(stack, addon(stack, cluster, name), ASSOCIATION)
            assert len(associations) == 1 + len(entry.more_roles), name  # Grafana's too
            for association in associations:
                assert association.urn in installed(stack, cluster, name).depends_on, name


def test_the_load_balancer_controller_policy_only_writes_to_resources_it_tagged(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    statements = policy(one(stack, addon(stack, cluster, "aws-load-balancer-controller"), ROLE_POLICY))
    deletes = [
        s
        for s in statements
        if {"ec2:DeleteSecurityGroup", "elasticloadbalancing:DeleteLoadBalancer"} & set(as_list(s["Action"]))
    ]
    assert deletes and all(
        "aws:ResourceTag/elbv2.k8s.aws/cluster" in json.dumps(s["Condition"]) for s in deletes
    )
    values = installed(stack, cluster, "aws-load-balancer-controller").inputs["values"]
    assert values["clusterName"] == "social-staging-euw1" and values["region"] == "eu-west-1"


def test_external_dns_may_only_change_records_of_the_environment_domain(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    component = addon(stack, cluster, "external-dns")
    change, _ = policy(one(stack, component, ROLE_POLICY))
    names = change["Condition"]["ForAllValues:StringLike"][
        "route53:ChangeResourceRecordSetsNormalizedRecordNames"
    ]
    assert names == ["staging.social.example.com", "*.staging.social.example.com"]
    values = installed(stack, cluster, "external-dns").inputs["values"]
    assert values["domainFilters"] == ["staging.social.example.com"]
    assert values["policy"] == "upsert-only" and values["txtOwnerId"] == "social-staging-euw1"


def test_fluent_bit_ships_to_its_own_encrypted_log_group_only(rendered: dict) -> None:
    retention = {}
    for stack in ENVIRONMENTS:
        stack_r, cluster = workload(rendered, stack)
        component = addon(stack_r, cluster, "fluent-bit")
        group = one(stack_r, component, "aws:cloudwatch/logGroup:LogGroup")
        (statement,) = policy(one(stack_r, component, ROLE_POLICY))
        group_arn = f"arn:aws:logs:eu-west-1:{group.account}:log-group:{group.inputs['name']}"
        assert statement["Resource"] == [group_arn, group_arn + ":*"]
        assert "logs:CreateLogGroup" not in statement["Action"]
        logs = installed(stack_r, cluster, "fluent-bit").inputs["values"]["cloudWatchLogs"]
        assert logs["logGroupName"] == group.inputs["name"] and logs["autoCreateGroup"] is False
        assert group.inputs["kmsKeyId"].startswith("arn:aws:kms:")
        retention[stack] = group.inputs["retentionInDays"]
    assert retention == {"dev": 7, "staging": 30, "prod": 365}


def test_the_default_storage_class_is_encrypted_gp3(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    (storage,) = inside(
        stack, addon(stack, cluster, "aws-ebs-csi-driver"), "kubernetes:storage.k8s.io/v1:StorageClass"
    )
    assert storage.inputs["parameters"] == {"type": "gp3", "encrypted": "true", "fsType": "ext4"}
    assert storage.inputs["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] == "true"


def test_grafana_admin_password_is_a_secret_never_in_chart_values(
    rendered: dict, variant: RenderedStack
) -> None:
    for stack in (rendered["staging"], variant):
        (cluster,) = clusters(stack)
        component = addon(stack, cluster, "kube-prometheus-stack")
        values = installed(stack, cluster, "kube-prometheus-stack").inputs["values"]
        assert values["grafana"]["admin"]["existingSecret"] == "grafana-admin"
        assert "adminPassword" not in json.dumps(values)
        (secret,) = [
            s
            for s in inside(stack, component, "kubernetes:core/v1:Secret")
            if s.inputs["metadata"]["name"] == "grafana-admin"
        ]
        assert secret.inputs["stringData"] == SECRET_MASK
        assert stack.outputs["grafana_admin_passwords"] == SECRET_MASK

    # Generated when unset, taken from the (encrypted) config when set, and then never in plain text.
    def grafana_passwords(stack: RenderedStack) -> list[RenderedResource]:
        return [
            p
            for c in clusters(stack)
            for p in stack.descendants(c)
            if p.type == "random:index/randomPassword:RandomPassword"
        ]

    assert grafana_passwords(rendered["staging"])
    assert grafana_passwords(variant) == []
    assert stackfiles.OFFLINE_SECRET not in json.dumps(variant.to_json())


def test_cloudwatch_observability_leaves_container_logs_to_fluent_bit(rendered: dict) -> None:
    stack, cluster = workload(rendered, "staging")
    config = json.loads(
        installed(stack, cluster, "amazon-cloudwatch-observability").inputs["configurationValues"]
    )
    assert config == {"containerLogs": {"enabled": False}}


# ---------------------------------------------------------------------------------------------
# Outputs


def test_outputs_give_other_areas_the_cluster_and_keep_the_kubeconfig_secret(rendered: dict) -> None:
    stack = rendered["prod"]
    outputs = stack.outputs["clusters"]
    assert sorted(outputs) == ["eu-central-1", "eu-west-1"]
    for region, out in outputs.items():
        cluster = stack.named(f"prod-{ {'eu-west-1': 'euw1', 'eu-central-1': 'euc1'}[region] }", CLUSTER)
        k = karpenter(stack, cluster)
        assert out["name"] == eks_of(stack, cluster).inputs["name"]
        assert out["endpoint"].startswith("https://") and region in out["endpoint"]
        assert out["oidc_issuer"].startswith(f"oidc.eks.{region}.amazonaws.com/id/")
        assert out["node_role_arn"] == role_arn(stack.named(f"{k.name}-node", ROLE))
        template = one(stack, cluster, LAUNCH_TEMPLATE)
        assert template.inputs["vpcSecurityGroupIds"] == [out["node_security_group_id"]]
        assert out["cluster_security_group_id"].startswith("sg-")
        assert out["cluster_security_group_id"] != out["node_security_group_id"]
    assert stack.outputs["kubeconfigs"] == SECRET_MASK
    provider = stack.named("prod-euw1-k8s", "pulumi:providers:kubernetes")
    assert provider.secret_paths == ["kubeconfig"]


def test_every_kubernetes_resource_goes_through_its_clusters_provider(rendered: dict) -> None:
    stack = rendered["prod"]
    providers = {p.urn: p for p in stack.of_type("pulumi:providers:kubernetes")}
    assert len(providers) == 2
    for resource in stack:
        if resource.type.startswith("kubernetes:") and resource.custom:
            assert resource.provider in providers, resource.name
            cluster_of_provider = providers[resource.provider].name.removesuffix("-k8s")
            assert resource.name.startswith(cluster_of_provider), resource.name


# ---------------------------------------------------------------------------------------------
# Config: tier defaults, locks and guards (no render)


def test_a_nested_setting_keeps_the_other_tier_defaults() -> None:
    cfg = load_with(
        "prod", {"cluster.karpenter.cpu_limit": 2000, "cluster.addons.coredns.version": "v1.12.1-eksbuild.3"}
    )
    assert cfg.cluster.karpenter.cpu_limit == 2000
    assert (cfg.cluster.karpenter.replicas, cfg.cluster.karpenter.spot) == (2, False)  # tier defaults
    assert cfg.cluster.addons["coredns"].version == "v1.12.1-eksbuild.3"
    assert cfg.cluster.addons["coredns"].enabled is True


CLUSTER_BAD_CONFIG = [
    # (description, stack, changes, key named in the error, words in the message)
    (
        "unpinned add-on",
        "dev",
        {"cluster.addons.coredns.version": "latest"},
        "cluster.addons.coredns.version",
        "pattern",
    ),
    (
        "chart range",
        "dev",
        {"cluster.karpenter.chart_version": "1.x"},
        "cluster.karpenter.chart_version",
        "pattern",
    ),
    (
        "floating AMI",
        "dev",
        {"cluster.karpenter.ami_alias": "al2023@latest"},
        "cluster.karpenter.ami_alias",
        "pattern",
    ),
    ("unknown add-on", "dev", {"cluster.addons.istio": {}}, "cluster.addons.istio", "allowed"),
    (
        "no pod identity agent",
        "dev",
        {"cluster.addons.eks-pod-identity-agent.enabled": False},
        "cluster.addons.eks-pod-identity-agent.enabled",
        "karpenter needs",
    ),
    (
        "mixed architectures",
        "dev",
        {"cluster.system_nodes.instance_types": ["m7g.large", "m7i.large"]},
        "cluster.system_nodes.instance_types",
        "one architecture",
    ),
    (
        "sizes out of order",
        "dev",
        {"cluster.system_nodes.min_size": 3, "cluster.system_nodes.max_size": 2},
        "cluster.system_nodes",
        "min_size <= desired_size",
    ),
    (
        "prod single system node",
        "prod",
        {"cluster.system_nodes.min_size": 1},
        "cluster.system_nodes.min_size",
        "at least 2",
    ),
    (
        "prod single controller",
        "prod",
        {"cluster.karpenter.replicas": 1},
        "cluster.karpenter.replicas",
        "at least 2",
    ),
    (
        "prod without protection",
        "prod",
        {"cluster.deletion_protection": False},
        "cluster.deletion_protection",
        "prod",
    ),
    (
        "pool named general",
        "dev",
        {"cluster.karpenter.node_pools.general": {"cpu_limit": 1, "memory_limit_gib": 1}},
        "cluster.karpenter.node_pools.general",
        "default pool",
    ),
    (
        "role twice",
        "dev",
        {
            "cluster.teams": {
                "alpha": {"admin_role_arns": [TEAM_ROLE + "x"]},
                "beta": {"developer_role_arns": [TEAM_ROLE + "x"]},
            }
        },
        "cluster.teams.beta.developer_role_arns",
        "one access entry",
    ),
    (
        "deploy role as a team role",
        "dev",
        {
            "cluster.teams": {
                "alpha": {"admin_role_arns": ["arn:aws:iam::222222222222:role/social-platform-deploy"]}
            }
        },
        "cluster.teams.alpha.admin_role_arns",
        "already makes it admin",
    ),
    (
        "platform namespace",
        "dev",
        {"cluster.teams": {"alpha": {"namespaces": ["kube-system"]}}},
        "cluster.teams.alpha.namespaces",
        "belongs to the platform",
    ),
    (
        "kube-proxy for another Kubernetes",
        "dev",
        {"cluster.addons.kube-proxy.version": "v1.32.0-eksbuild.2"},
        "cluster.addons.kube-proxy.version",
        "must match kubernetes_version 1.36",
    ),
    (
        "world-open API",
        "dev",
        {"cluster.public_access_cidrs": ["0.0.0.0/0"]},
        "cluster.public_access_cidrs",
        "0.0.0.0/0",
    ),
]


@bad_config_cases(CLUSTER_BAD_CONFIG)
def test_bad_cluster_config_names_the_key_and_what_is_allowed(
    stack: str, changes: dict, key: str, words: str
) -> None:
    assert_config_error(stack, changes, key, words)


# ---------------------------------------------------------------------------------------------
# Pure helpers (no Pulumi)


@pytest.mark.parametrize(
    ("instance_type", "arch"),
    [
        ("m7g.large", "arm64"),
        ("c7gn.xlarge", "arm64"),
        ("t4g.medium", "arm64"),
        ("im4gn.large", "arm64"),
        ("g5g.xlarge", "arm64"),
        ("m7i.large", "amd64"),
        ("g5.xlarge", "amd64"),
        ("p4d.24xlarge", "amd64"),
        ("c6a.large", "amd64"),
    ],
)
def test_instance_architecture_follows_the_graviton_naming(instance_type: str, arch: str) -> None:
    assert instance_architecture(instance_type) == arch


@pytest.mark.parametrize("version", ["1.6.3", "v1.18.2", "v1.20.0-eksbuild.1", "77.6.2"])
def test_exact_versions_are_pinned(version: str) -> None:
    assert require_pinned("x", version) == version


@pytest.mark.parametrize("version", ["latest", "1.6", "^1.6.3", "1.6.x", ">=1.6.3", "", "v1"])
def test_floating_versions_are_refused(version: str) -> None:
    with pytest.raises(ValueError, match="exact version"):
        require_pinned("x", version)


def test_every_catalogue_version_is_pinned() -> None:
    for name, entry in REGISTRY.items():
        source = entry.source
        require_pinned(name, source.version)
        assert (source.kind == "helm") == (source.chart is not None), name


def test_bottlerocket_gets_an_os_and_a_data_volume_al2023_one_root_volume() -> None:
    assert volumes("AL2023", 80) == [("/dev/xvda", 80)]
    assert volumes("Bottlerocket", 80) == [("/dev/xvda", 4), ("/dev/xvdb", 80)]


def test_requirements_name_who_needs_what() -> None:
    everything = list(REGISTRY)
    assert missing_requirements(everything) == []
    without_agent = [a for a in everything if a != "eks-pod-identity-agent"]
    needs = missing_requirements(without_agent)
    assert ("karpenter", "eks-pod-identity-agent") in needs
    assert ("external-dns", "eks-pod-identity-agent") in needs


def good_args(**changes: Any) -> ClusterArgs:
    base: dict[str, Any] = {
        "cluster_name": "c",
        "vpc_id": "vpc-1",
        "private_subnet_ids": ["subnet-1", "subnet-2"],
        "dns_domain": "dev.example.com",
    }
    return ClusterArgs(**{**base, **changes})


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"endpoint_public_access": True}, "public_access_cidrs is required"),
        (
            {"endpoint_public_access": True, "public_access_cidrs": ("0.0.0.0/0",)},
            "may not contain 0.0.0.0/0",
        ),
        (
            {"system_nodes": SystemNodeGroupArgs(instance_types=("m7g.large", "m7i.large"))},
            "one architecture",
        ),
        ({"system_nodes": SystemNodeGroupArgs(min_size=3, desired_size=2)}, "min_size <= desired_size"),
        (
            {"karpenter": KarpenterArgs(chart_version="latest")},
            "karpenter.chart_version must be an exact version",
        ),
        ({"karpenter": KarpenterArgs(ami_alias="al2023@latest")}, "karpenter.ami_alias must pin"),
        ({"karpenter": KarpenterArgs(node_pools={})}, "at least one NodePool"),
        ({"karpenter": KarpenterArgs(node_pools={"Bad_Name": NodePoolArgs()})}, "Kubernetes object name"),
        (
            {"addons": {"coredns": AddonArgs(version="latest")}},
            "addons.coredns.version must be an exact version",
        ),
        ({"addons": {"eks-pod-identity-agent": AddonArgs(enabled=False)}}, "karpenter needs it"),
        ({"dns_domain": None}, "dns_domain is required"),
    ],
)
def test_the_component_refuses_bad_args_before_creating_anything(
    changes: dict[str, Any], message: str
) -> None:
    validate_cluster_args(good_args())
    with pytest.raises(ValueError, match=re.escape(message)):
        validate_cluster_args(good_args(**changes))
