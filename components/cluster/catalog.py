"""What the cluster can install, where it comes from and at which version: pinned in one place.

EKS managed add-on versions match Kubernetes 1.33 (`aws eks describe-addon-versions
--kubernetes-version 1.33 --addon-name <name>` lists what AWS offers); chart versions are upstream
Helm chart versions. Bump them here, in a merge request whose preview shows the change; nothing
floats (`latest`, ranges and ``@latest`` AMI aliases are rejected by `validation.require_pinned`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

KUBERNETES_VERSION = "1.33"

KARPENTER_CHART = "oci://public.ecr.aws/karpenter/karpenter"
KARPENTER_VERSION = "1.6.3"
KARPENTER_AMI_ALIAS = "al2023@v20250807"
"""The EKS-optimised AL2023 release Karpenter's nodes boot (``<family>@<release>``)."""

AddonName = Literal[
    "vpc-cni",
    "coredns",
    "kube-proxy",
    "eks-pod-identity-agent",
    "aws-ebs-csi-driver",
    "amazon-cloudwatch-observability",
    "aws-load-balancer-controller",
    "metrics-server",
    "ingress-nginx",
    "kube-prometheus-stack",
    "fluent-bit",
    "cert-manager",
    "external-dns",
]


@dataclass(frozen=True)
class AddonSource:
    """Where an add-on comes from: an EKS managed add-on, or a Helm chart in a repository."""

    kind: Literal["eks", "helm"]
    version: str
    chart: str | None = None
    repository: str | None = None


ADDONS: dict[AddonName, AddonSource] = {
    # EKS managed add-ons (Kubernetes 1.33).
    "vpc-cni": AddonSource("eks", "v1.20.0-eksbuild.1"),
    "coredns": AddonSource("eks", "v1.12.1-eksbuild.2"),
    "kube-proxy": AddonSource("eks", "v1.33.0-eksbuild.2"),
    "eks-pod-identity-agent": AddonSource("eks", "v1.3.8-eksbuild.2"),
    "aws-ebs-csi-driver": AddonSource("eks", "v1.48.0-eksbuild.1"),
    "amazon-cloudwatch-observability": AddonSource("eks", "v4.1.0-eksbuild.1"),
    # Helm charts.
    "aws-load-balancer-controller": AddonSource(
        "helm", "1.14.0", "aws-load-balancer-controller", "https://aws.github.io/eks-charts"
    ),
    "metrics-server": AddonSource(
        "helm", "3.13.0", "metrics-server", "https://kubernetes-sigs.github.io/metrics-server/"
    ),
    "ingress-nginx": AddonSource(
        "helm", "4.13.2", "ingress-nginx", "https://kubernetes.github.io/ingress-nginx"
    ),
    "kube-prometheus-stack": AddonSource(
        "helm", "77.6.2", "kube-prometheus-stack", "https://prometheus-community.github.io/helm-charts"
    ),
    "fluent-bit": AddonSource("helm", "0.2.0", "aws-for-fluent-bit", "https://aws.github.io/eks-charts"),
    "cert-manager": AddonSource("helm", "v1.18.2", "cert-manager", "https://charts.jetstack.io"),
    "external-dns": AddonSource(
        "helm", "1.18.0", "external-dns", "https://kubernetes-sigs.github.io/external-dns/"
    ),
}


@dataclass(frozen=True)
class AddonTraits:
    """How an add-on runs: its namespace, the service account that calls AWS, what it needs."""

    namespace: str
    service_account: str | None = None
    """The service account that calls AWS APIs and so gets its own IAM role through EKS Pod
    Identity. None: the add-on never calls AWS and gets no role."""
    before_compute: bool = False
    """An EKS add-on nodes need before they can become Ready (installed before the node group)."""
    requires: tuple[AddonName, ...] = ()
    """Add-ons that must be on for this one to work."""


POD_IDENTITY: tuple[AddonName, ...] = ("eks-pod-identity-agent",)

TRAITS: dict[AddonName, AddonTraits] = {
    "vpc-cni": AddonTraits("kube-system", "aws-node", before_compute=True, requires=POD_IDENTITY),
    "coredns": AddonTraits("kube-system"),
    "kube-proxy": AddonTraits("kube-system", before_compute=True),
    "eks-pod-identity-agent": AddonTraits("kube-system", before_compute=True),
    "aws-ebs-csi-driver": AddonTraits("kube-system", "ebs-csi-controller-sa", requires=POD_IDENTITY),
    "amazon-cloudwatch-observability": AddonTraits(
        "amazon-cloudwatch", "cloudwatch-agent", requires=POD_IDENTITY
    ),
    "aws-load-balancer-controller": AddonTraits(
        "kube-system", "aws-load-balancer-controller", requires=POD_IDENTITY
    ),
    "metrics-server": AddonTraits("kube-system"),
    # Its Service of type LoadBalancer must become an NLB made by the controller, not a classic ELB.
    "ingress-nginx": AddonTraits("ingress-nginx", requires=("aws-load-balancer-controller",)),
    # Prometheus keeps its data on a volume of the gp3 StorageClass that comes with the EBS driver.
    "kube-prometheus-stack": AddonTraits("monitoring", requires=("aws-ebs-csi-driver",)),
    "fluent-bit": AddonTraits("logging", "fluent-bit", requires=POD_IDENTITY),
    "cert-manager": AddonTraits("cert-manager"),
    "external-dns": AddonTraits("external-dns", "external-dns", requires=POD_IDENTITY),
}

KARPENTER_NAMESPACE = "kube-system"
KARPENTER_SERVICE_ACCOUNT = "karpenter"
KARPENTER_REQUIRES: tuple[AddonName, ...] = POD_IDENTITY
"""Karpenter's controller gets its AWS credentials through Pod Identity too."""
