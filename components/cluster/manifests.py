"""Karpenter's custom resources as plain data: the `EC2NodeClass` and `NodePool` specs (karpenter v1)."""

from __future__ import annotations

from typing import Any

import pulumi

from social_components.cluster.args import NodePoolArgs

NODE_CLASS = "default"
POOL_LABEL = "social-platform/node-pool"
IMDS_HOP_LIMIT = 1
"""Pods use EKS Pod Identity, never the node's instance profile: with one hop, containers outside the
host network cannot reach IMDS (and the node role's credentials) at all."""


def volumes(family: str, size_gib: int) -> list[tuple[str, int]]:
    """(device, GiB) of a node's volumes: AL2023 boots and runs from one root volume; Bottlerocket
    has a small OS volume and a data volume for images and containers."""
    if family.lower().startswith("bottlerocket"):
        return [("/dev/xvda", 4), ("/dev/xvdb", size_gib)]
    return [("/dev/xvda", size_gib)]


def ec2_node_class_spec(
    *,
    cluster_name: str,
    instance_profile: pulumi.Input[str],
    ami_alias: str,
    root_volume_size_gib: int,
    tags: dict[str, str],
) -> dict[str, Any]:
    """Nodes in the subnets and security groups tagged ``karpenter.sh/discovery=<cluster>``, IMDSv2
    only, an encrypted gp3 root volume, the node role through its instance profile."""
    discovery = {"karpenter.sh/discovery": cluster_name}
    return {
        "amiSelectorTerms": [{"alias": ami_alias}],
        "instanceProfile": instance_profile,
        "subnetSelectorTerms": [{"tags": discovery}],
        "securityGroupSelectorTerms": [{"tags": discovery}],
        "associatePublicIPAddress": False,
        "metadataOptions": {
            "httpEndpoint": "enabled",
            "httpProtocolIPv6": "disabled",
            "httpPutResponseHopLimit": IMDS_HOP_LIMIT,
            "httpTokens": "required",
        },
        "blockDeviceMappings": [
            {
                "deviceName": device,
                "ebs": {
                    "volumeSize": f"{size}Gi",
                    "volumeType": "gp3",
                    "encrypted": True,
                    "deleteOnTermination": True,
                },
            }
            for device, size in volumes(ami_alias.split("@")[0], root_volume_size_gib)
        ],
        "tags": dict(tags),
    }


def node_pool_spec(name: str, pool: NodePoolArgs, node_class: str = NODE_CLASS) -> dict[str, Any]:
    """A NodePool: what instances it may launch, how nodes are retired, and its size limits."""
    requirements: list[dict[str, Any]] = [
        {"key": "kubernetes.io/arch", "operator": "In", "values": list(pool.architectures)},
        {"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]},
        {"key": "karpenter.sh/capacity-type", "operator": "In", "values": list(pool.capacity_types)},
        {
            "key": "karpenter.k8s.aws/instance-category",
            "operator": "In",
            "values": list(pool.instance_categories),
        },
        {
            "key": "karpenter.k8s.aws/instance-generation",
            "operator": "Gt",
            "values": [str(pool.min_instance_generation - 1)],
        },
    ]
    template_spec: dict[str, Any] = {
        "nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass", "name": node_class},
        "requirements": requirements,
        "expireAfter": f"{pool.expire_after_hours}h",
    }
    if pool.taints:
        template_spec["taints"] = [
            {"key": t.key, "effect": t.effect, **({"value": t.value} if t.value is not None else {})}
            for t in pool.taints
        ]
    spec: dict[str, Any] = {
        "template": {
            "metadata": {"labels": {**pool.labels, POOL_LABEL: name}},
            "spec": template_spec,
        },
        "disruption": {
            "consolidationPolicy": pool.consolidation_policy,
            "consolidateAfter": f"{pool.consolidate_after_seconds}s",
            "budgets": [{"nodes": f"{pool.disruption_budget_percent}%"}],
        },
        "limits": {"cpu": str(pool.cpu_limit), "memory": f"{pool.memory_limit_gib}Gi"},
    }
    if pool.weight is not None:
        spec["weight"] = pool.weight
    return spec
