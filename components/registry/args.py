"""Arguments of `Registry`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi

PUSH_ACTIONS = (
    "ecr:BatchCheckLayerAvailability",
    "ecr:InitiateLayerUpload",
    "ecr:UploadLayerPart",
    "ecr:CompleteLayerUpload",
    "ecr:PutImage",
)
"""What `docker push` calls (ECR user guide, "Pushing an image": the minimum IAM permissions)."""
PULL_ACTIONS = ("ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
"""What pulling an image's manifest and layers calls."""


@dataclass(frozen=True)
class RepositoryArgs:
    """One application service's image repository; unset fields take the `RegistryArgs` defaults."""

    keep_release_tags: int | None = None
    """Release images (tags starting with `release_tag_prefix`) kept; older ones expire."""
    untagged_expiry_days: int | None = None
    """Days an untagged image (an overwritten build layer, a failed push) is kept."""


@dataclass(frozen=True)
class RegistryArgs:
    repositories: Mapping[str, RepositoryArgs]
    """Repositories by service name (`<name_prefix><service>`), for example `{"api": RepositoryArgs()}`."""
    name_prefix: str = ""
    """Prefix of every repository name, for example `social/`. Unset: the service names alone."""
    pull_role_arns: Sequence[pulumi.Input[str]] = ()
    """The only IAM roles that may pull images (the cluster's node roles); the repository policy
    denies pulls to anyone else (Amazon Inspector's service-linked role excepted, it scans)."""
    push_role_arns: Sequence[pulumi.Input[str]] = ()
    """The only IAM roles that may push images (the CI deploy role); everyone else is denied."""
    replicate_to_regions: Sequence[str] = ()
    """Regions (same account) every image is replicated to; the platform creates the same
    repositories there first, so replicas keep immutability, encryption and policies."""
    keep_release_tags: int = 30
    """Default of `RepositoryArgs.keep_release_tags`."""
    untagged_expiry_days: int = 7
    """Default of `RepositoryArgs.untagged_expiry_days`."""
    release_tag_prefix: str = "v"
    """Tags that mark a release (`v1.4.2`)."""
    enable_enhanced_scanning: bool = True
    """Registry-level enhanced scanning (Amazon Inspector) on push and continuously for every
    repository in this region. Unset: on. Off: basic scanning on push only."""
    findings_topic_arn: pulumi.Input[str] | None = None
    """SNS topic that HIGH and CRITICAL findings on these images go to (EventBridge rule on
    Inspector2 findings). Unset: findings stay in Inspector and the ECR console."""
    protect: bool = False
    """Protect the repositories and their key (the platform sets it in prod)."""
    tags: Mapping[str, str] = field(default_factory=dict)
