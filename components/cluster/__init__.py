"""EKS with Karpenter and the core add-ons: the `Cluster` component and its building blocks."""

from social_components.cluster.addon import Addon, PodIdentity, pod_identity_role
from social_components.cluster.args import (
    AddonArgs,
    ClusterArgs,
    KarpenterArgs,
    NodePoolArgs,
    SystemNodeGroupArgs,
    Taint,
    TeamAccess,
)
from social_components.cluster.catalog import ADDONS, TRAITS, AddonName
from social_components.cluster.component import Cluster
from social_components.cluster.karpenter import Karpenter
from social_components.cluster.validation import (
    AccessGrant,
    access_grants,
    instance_architecture,
    missing_requirements,
    require_pinned,
    validate_cluster_args,
)

__all__ = [
    "ADDONS",
    "TRAITS",
    "AccessGrant",
    "Addon",
    "AddonArgs",
    "AddonName",
    "Cluster",
    "ClusterArgs",
    "Karpenter",
    "KarpenterArgs",
    "NodePoolArgs",
    "PodIdentity",
    "SystemNodeGroupArgs",
    "Taint",
    "TeamAccess",
    "access_grants",
    "instance_architecture",
    "missing_requirements",
    "pod_identity_role",
    "require_pinned",
    "validate_cluster_args",
]
