"""What the cluster can install, where it comes from and at which version: pinned in one place.

EKS managed add-on versions match Kubernetes 1.33 (`aws eks describe-addon-versions
--kubernetes-version 1.33 --addon-name <name>` lists what AWS offers); chart versions are upstream
Helm chart versions. Bump them here, in a merge request whose preview shows the change; nothing
floats (`latest`, ranges and ``@latest`` AMI aliases are rejected by `validation.require_pinned`).
"""

from __future__ import annotations

KUBERNETES_VERSION = "1.33"

KARPENTER_CHART = "oci://public.ecr.aws/karpenter/karpenter"
KARPENTER_VERSION = "1.6.3"
KARPENTER_AMI_ALIAS = "al2023@v20250807"
"""The EKS-optimised AL2023 release Karpenter's nodes boot (``<family>@<release>``)."""

ADDON_VERSIONS: dict[str, str] = {
    # EKS managed add-ons (Kubernetes 1.33).
    "vpc-cni": "v1.20.0-eksbuild.1",
    "coredns": "v1.12.1-eksbuild.2",
    "kube-proxy": "v1.33.0-eksbuild.2",
    "eks-pod-identity-agent": "v1.3.8-eksbuild.2",
    "aws-ebs-csi-driver": "v1.48.0-eksbuild.1",
    "amazon-cloudwatch-observability": "v4.1.0-eksbuild.1",
    # Helm charts.
    "aws-load-balancer-controller": "1.14.0",
    "metrics-server": "3.13.0",
    "ingress-nginx": "4.13.2",
    "kube-prometheus-stack": "77.6.2",
    "fluent-bit": "0.2.0",
    "cert-manager": "v1.18.2",
    "external-dns": "1.18.0",
}
"""Pinned version of each add-on (the registry, `registry.REGISTRY`, says what each one is)."""

KARPENTER_NAMESPACE = "kube-system"
KARPENTER_SERVICE_ACCOUNT = "karpenter"
KARPENTER_REQUIRES: tuple[str, ...] = ("eks-pod-identity-agent",)
"""Karpenter's controller gets its AWS credentials through Pod Identity too."""
