"""EKS with Karpenter and the core add-ons: the `Cluster` component and its building blocks."""

from social_components.cluster.addon import Addon, PodIdentity, pod_identity_role
from social_components.cluster.addons import Addons
from social_components.cluster.args import (
    AddonArgs,
    AlertTopicsArgs,
    ArgoCdArgs,
    ClusterArgs,
    GitOpsRepository,
    GrafanaArgs,
    KarpenterArgs,
    NodePoolArgs,
    SystemNodeGroupArgs,
    Taint,
    TeamAccess,
)
from social_components.cluster.component import Cluster
from social_components.cluster.control_plane import ControlPlane
from social_components.cluster.karpenter import Karpenter, KarpenterAws
from social_components.cluster.registry import (
    REGISTRY,
    AddonContext,
    AddonEntry,
    AddonSource,
    AddonTraits,
    PodRole,
)
from social_components.cluster.validation import (
    AccessGrant,
    access_grants,
    instance_architecture,
    merge_values,
    missing_requirements,
    require_pinned,
    validate_cluster_args,
)

__all__ = [
    "REGISTRY",
    "AccessGrant",
    "Addon",
    "AddonArgs",
    "AddonContext",
    "AddonEntry",
    "AddonSource",
    "AddonTraits",
    "Addons",
    "AlertTopicsArgs",
    "ArgoCdArgs",
    "Cluster",
    "ClusterArgs",
    "ControlPlane",
    "GitOpsRepository",
    "GrafanaArgs",
    "Karpenter",
    "KarpenterArgs",
    "KarpenterAws",
    "NodePoolArgs",
    "PodIdentity",
    "PodRole",
    "SystemNodeGroupArgs",
    "Taint",
    "TeamAccess",
    "access_grants",
    "instance_architecture",
    "merge_values",
    "missing_requirements",
    "pod_identity_role",
    "require_pinned",
    "validate_cluster_args",
]
