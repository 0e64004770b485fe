"""EKS: both the pulumi-eks component's inputs and the aws.eks.Cluster it creates."""

from __future__ import annotations

from collections.abc import Iterator

from social_platform.rulebook import WORLD, ResourceView, StackView, _seq, rule
from social_platform.rules.data import EKS_CLUSTER, EKS_COMPONENT

EKS_TYPES = (EKS_COMPONENT, EKS_CLUSTER)
EKS_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")


@rule(
    "eks-secrets-encryption",
    "EKS encrypts Kubernetes secrets with a KMS key",
    types=EKS_TYPES,
)
def _eks_secrets_encryption(r: ResourceView, stack: StackView) -> Iterator[str]:
    if r.type == EKS_COMPONENT:
        if not r.get("encryptionConfigKeyArn"):
            yield "encryptionConfigKeyArn must name a KMS key"
        return
    config = r.get("encryptionConfig") or {}
    if "secrets" not in _seq(config.get("resources")) or not r.get("encryptionConfig.provider.keyArn"):
        yield 'encryptionConfig must cover "secrets" with provider.keyArn set'


@rule(
    "eks-endpoint-restricted",
    "The EKS API endpoint is private, or public only to listed CIDRs (never 0.0.0.0/0)",
    types=EKS_TYPES,
)
def _eks_endpoint_restricted(r: ResourceView, stack: StackView) -> Iterator[str]:
    prefix = "" if r.type == EKS_COMPONENT else "vpcConfig."
    public = r.get(f"{prefix}endpointPublicAccess", True)  # both default to a public endpoint
    if public is False or str(public).lower() == "false":
        return
    cidrs = [str(c) for c in _seq(r.get(f"{prefix}publicAccessCidrs"))]
    if not cidrs or any(c in WORLD for c in cidrs):
        yield (
            f"{prefix}endpointPublicAccess is on: {prefix}publicAccessCidrs must list the allowed ranges"
            " (not 0.0.0.0/0)"
        )


@rule(
    "eks-control-plane-logs",
    "EKS sends all control-plane log types (api, audit, authenticator, controllerManager, scheduler)",
    types=EKS_TYPES,
)
def _eks_control_plane_logs(r: ResourceView, stack: StackView) -> Iterator[str]:
    missing = [t for t in EKS_LOG_TYPES if t not in _seq(r.get("enabledClusterLogTypes"))]
    if missing:
        yield f"enabledClusterLogTypes is missing {', '.join(missing)}"


@rule(
    "eks-api-authentication",
    "EKS grants access through access entries only (authentication mode API, no aws-auth ConfigMap)",
    types=EKS_TYPES,
)
def _eks_api_authentication(r: ResourceView, stack: StackView) -> Iterator[str]:
    path = "authenticationMode" if r.type == EKS_COMPONENT else "accessConfig.authenticationMode"
    if r.get(path) != "API":
        yield f'{path} must be "API" (got {r.get(path)!r})'
