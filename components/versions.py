"""Every version the platform pins, in one place: what it is, where it comes from, when support ends.

Kubernetes, EKS add-ons, Helm charts, the node AMI release and the database engines are pinned
here and nowhere else: component args and config defaults read these entries, and `preview` warns
(`expiring`) about any pin whose support ends within `WARN_DAYS`. Bump a pin in a merge request whose
preview shows the change; each entry names the page its version and date were read from.

`end_of_support` is the end of *standard* support where the vendor publishes one (EKS's
release calendar, Karpenter's LTS window); None where there is no published date for that pin.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WARN_DAYS = 90
"""`preview` warns about pins whose support ends within this many days."""


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    source: str
    """Where the version (and the date) were read: a release page, a vendor calendar."""
    end_of_support: dt.date | None = None
    note: str = ""


EKS_CALENDAR = "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html"

KUBERNETES_STANDARD_SUPPORT_ENDS: dict[str, dt.date] = {
    # Amazon EKS Kubernetes release calendar (end of standard support; 14 months after the EKS release).
    "1.33": dt.date(2026, 7, 29),
    "1.34": dt.date(2026, 12, 2),
    "1.35": dt.date(2027, 3, 27),
    # EKS release 2026-06-02 + 14 months.
    "1.36": dt.date(2027, 8, 2),
}
"""EKS end of standard support per Kubernetes minor version, from `EKS_CALENDAR`."""

KUBERNETES = Pin(
    "kubernetes",
    "1.36",
    EKS_CALENDAR,
    KUBERNETES_STANDARD_SUPPORT_ENDS["1.36"],
    note="The newest minor on EKS (the amazon-eks-ami releases of 2026-09 build 1.36 and nothing newer). "
    "Clusters use upgradePolicy STANDARD: AWS upgrades them itself after this date.",
)

KARPENTER = Pin(
    "karpenter",
    "1.14.3",
    "https://github.com/aws/karpenter-provider-aws/releases/tag/v1.14.3",
    dt.date(2027, 7, 1),
    note="LTS line, 'supported until Jul 2027'; Kubernetes 1.36 needs Karpenter >= 1.13 "
    "(karpenter.sh compatibility matrix).",
)

NODE_AMI = Pin(
    "node-ami",
    "al2023@v20260903",
    "https://github.com/awslabs/amazon-eks-ami/releases/tag/v20260903",
    note="EKS-optimised AL2023 release with Kubernetes 1.36.3 images (Karpenter `amiSelectorTerms` alias).",
)

ADDON_PINS: dict[str, Pin] = {
    "vpc-cni": Pin(
        "vpc-cni",
        "v1.20.0-eksbuild.1",
        "aws eks describe-addon-versions --addon-name vpc-cni",
        note="Not bound to a Kubernetes minor; check it is offered for 1.36 before deploying.",
    ),
    "coredns": Pin(
        "coredns",
        "v1.14.2-eksbuild.4",
        "https://docs.aws.amazon.com/eks/latest/userguide/managing-coredns.html",
        note="AWS lists it for 1.35; confirm with describe-addon-versions --kubernetes-version 1.36.",
    ),
    "kube-proxy": Pin(
        "kube-proxy",
        "v1.36.0-eksbuild.14",
        "https://docs.aws.amazon.com/eks/latest/userguide/managing-kube-proxy.html",
        KUBERNETES_STANDARD_SUPPORT_ENDS["1.36"],
        note="Bound to the cluster's Kubernetes minor.",
    ),
    "eks-pod-identity-agent": Pin(
        "eks-pod-identity-agent", "v1.3.8-eksbuild.2", "aws eks describe-addon-versions"
    ),
    "aws-ebs-csi-driver": Pin("aws-ebs-csi-driver", "v1.48.0-eksbuild.1", "aws eks describe-addon-versions"),
    "amazon-cloudwatch-observability": Pin(
        "amazon-cloudwatch-observability", "v4.1.0-eksbuild.1", "aws eks describe-addon-versions"
    ),
    "aws-load-balancer-controller": Pin(
        "aws-load-balancer-controller", "1.14.0", "https://github.com/aws/eks-charts/releases"
    ),
    "metrics-server": Pin(
        "metrics-server", "3.13.0", "https://github.com/kubernetes-sigs/metrics-server/releases"
    ),
    "kube-prometheus-stack": Pin(
        "kube-prometheus-stack", "77.6.2", "https://github.com/prometheus-community/helm-charts/releases"
    ),
    "fluent-bit": Pin("fluent-bit", "0.2.0", "https://github.com/aws/eks-charts/releases"),
    "cert-manager": Pin(
        "cert-manager",
        "v1.21.2",
        "https://github.com/cert-manager/cert-manager/releases",
        note="Newest patch of 1.21, the newest minor (1.19 left support when 1.21 shipped, 2026-07).",
    ),
    "external-dns": Pin("external-dns", "1.18.0", "https://github.com/kubernetes-sigs/external-dns/releases"),
    "argo-cd": Pin(
        "argo-cd",
        "10.1.1",
        "https://github.com/argoproj/argo-helm/blob/af0a9310bacbaa4636018dfe22c801a6d33a5c43/charts/argo-cd/Chart.yaml",
        note="argo-helm's argo-cd chart (appVersion v3.4.4), the newest in the repository snapshot of "
        "2026-07-02; its values.yaml is vendored in tests/upstream/argo-cd-10.1.1/.",
    ),
}
"""EKS managed add-ons and Helm charts of the cluster, by add-on name."""

AURORA_POSTGRESQL = Pin(
    "aurora-postgresql",
    "16.6",
    "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraPostgreSQLReleaseNotes/aurorapostgresql-release-calendar.html",
    note="Minor versions have their own end dates in the Aurora release calendar (not recorded here).",
)

VALKEY = Pin(
    "valkey",
    "8.0",
    "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
)

POSTGRES_CLIENT = Pin(
    "postgres-client",
    AURORA_POSTGRESQL.version,
    "https://gallery.ecr.aws/docker/library/postgres",
    note="The Docker official image mirrored on ECR Public, at the database's engine version: `psql` "
    "for the database users' bootstrap Job (social_components.migrations).",
)

AWS_CLI = Pin(
    "aws-cli",
    "2.36.15",
    "https://gallery.ecr.aws/aws-cli/aws-cli",
    note="AWS CLI v2 image; the tag is pinned with its digest (sha256:310813a7…) in public repositories "
    "of 2026 — the registry itself is out of reach here. Reads the master secret for the bootstrap Job.",
)

POSTGRES_CLIENT_IMAGE = f"public.ecr.aws/docker/library/postgres:{POSTGRES_CLIENT.version}"
AWS_CLI_IMAGE = f"public.ecr.aws/aws-cli/aws-cli:{AWS_CLI.version}"

ALL: tuple[Pin, ...] = (
    KUBERNETES,
    KARPENTER,
    NODE_AMI,
    *ADDON_PINS.values(),
    AURORA_POSTGRESQL,
    VALKEY,
    POSTGRES_CLIENT,
    AWS_CLI,
)


def expiring(today: dt.date, pins: tuple[Pin, ...] = ALL, within_days: int = WARN_DAYS) -> list[str]:
    """Warnings for `pins` whose support ends within `within_days` of `today` (or has ended)."""
    warnings = []
    for pin in pins:
        if pin.end_of_support is None:
            continue
        left = (pin.end_of_support - today).days
        if left <= within_days:
            when = "ended" if left < 0 else f"ends in {left} days"
            warnings.append(
                f"{pin.name} {pin.version}: support {when} ({pin.end_of_support.isoformat()}, "
                f"{pin.source}); move to a supported version."
            )
    return warnings


def kubernetes_pin(version: str) -> Pin:
    """The Pin of a Kubernetes minor a stack asks for (its end date from the EKS calendar if known)."""
    return Pin("kubernetes", version, EKS_CALENDAR, KUBERNETES_STANDARD_SUPPORT_ENDS.get(version))
