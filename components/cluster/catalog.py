"""What the cluster can install and where it comes from. The versions themselves (with their
sources and support dates) live in `social_components.versions`, the one catalogue of pins.

EKS managed add-on versions match the pinned Kubernetes minor (`aws eks describe-addon-versions
--kubernetes-version <minor> --addon-name <name>` lists what AWS offers); chart versions are upstream
Helm chart versions. Nothing floats (`latest`, ranges and ``@latest`` AMI aliases are rejected by
`validation.require_pinned`).
"""

from __future__ import annotations

from social_components import versions

KUBERNETES_VERSION = versions.KUBERNETES.version

KARPENTER_CHART = "oci://public.ecr.aws/karpenter/karpenter"
KARPENTER_VERSION = versions.KARPENTER.version
KARPENTER_AMI_ALIAS = versions.NODE_AMI.version
"""The EKS-optimised AL2023 release Karpenter's nodes boot (``<family>@<release>``)."""

ADDON_VERSIONS: dict[str, str] = {name: pin.version for name, pin in versions.ADDON_PINS.items()}
"""Pinned version of each add-on (the registry, `registry.REGISTRY`, says what each one is)."""

KARPENTER_NAMESPACE = "kube-system"
KARPENTER_RELEASE = "karpenter"
"""The Helm release (and so the Service and Prometheus job) name of Karpenter's chart."""
KARPENTER_SERVICE_ACCOUNT = "karpenter"
KARPENTER_REQUIRES: tuple[str, ...] = ("eks-pod-identity-agent",)
"""Karpenter's controller gets its AWS credentials through Pod Identity too."""
