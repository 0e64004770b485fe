"""What the cluster can install and where it comes from. The versions themselves (with their
sources and support dates) live in `social_components.versions`, the one catalogue of pins.

EKS managed add-on versions match the pinned Kubernetes minor (`aws eks describe-addon-versions
--kubernetes-version <minor> --addon-name <name>` lists what AWS offers); chart versions are upstream
Helm chart versions. Nothing floats (`latest`, ranges and ``@latest`` AMI aliases are rejected by
`validation.require_pinned`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from social_components import versions

KUBERNETES_VERSION = versions.KUBERNETES.version

KARPENTER_CHART = "oci://public.ecr.aws/karpenter/karpenter"
KARPENTER_VERSION = versions.KARPENTER.version
KARPENTER_AMI_ALIAS = versions.NODE_AMI.version
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


_V = versions.ADDON_PINS

ADDONS: dict[AddonName, AddonSource] = {
    # EKS managed add-ons.
    "vpc-cni": AddonSource("eks", _V["vpc-cni"].version),
    "coredns": AddonSource("eks", _V["coredns"].version),
    "kube-proxy": AddonSource("eks", _V["kube-proxy"].version),
    "eks-pod-identity-agent": AddonSource("eks", _V["eks-pod-identity-agent"].version),
    "aws-ebs-csi-driver": AddonSource("eks", _V["aws-ebs-csi-driver"].version),
    "amazon-cloudwatch-observability": AddonSource("eks", _V["amazon-cloudwatch-observability"].version),
    # Helm charts. No ingress controller: ingress-nginx is retired (no releases or security fixes
    # after March 2026); the edge's regional API hosts come from the load balancer controller.
    "aws-load-balancer-controller": AddonSource(
        "helm",
        _V["aws-load-balancer-controller"].version,
        "aws-load-balancer-controller",
        "https://aws.github.io/eks-charts",
    ),
    "metrics-server": AddonSource(
        "helm",
        _V["metrics-server"].version,
        "metrics-server",
        "https://kubernetes-sigs.github.io/metrics-server/",
    ),
    "kube-prometheus-stack": AddonSource(
        "helm",
        _V["kube-prometheus-stack"].version,
        "kube-prometheus-stack",
        "https://prometheus-community.github.io/helm-charts",
    ),
    "fluent-bit": AddonSource(
        "helm", _V["fluent-bit"].version, "aws-for-fluent-bit", "https://aws.github.io/eks-charts"
    ),
    "cert-manager": AddonSource(
        "helm", _V["cert-manager"].version, "cert-manager", "https://charts.jetstack.io"
    ),
    "external-dns": AddonSource(
        "helm", _V["external-dns"].version, "external-dns", "https://kubernetes-sigs.github.io/external-dns/"
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
