"""Pinned versions age: every pin is supported upstream, consistent with the cluster's Kubernetes
minor, and `preview` warns before support ends.

The expectations are upstream facts copied here from their publishers (not from the catalogue under
test), each with its page: when a publisher moves a date, update it here and watch what fails.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from social_components import versions
from social_components.cluster.validation import require_pinned
from social_platform.preview import pin_warnings
from social_platform.render import RenderedStack

from .conftest import ENVIRONMENTS

TODAY = dt.date.today()

EKS_STANDARD_SUPPORT_ENDS = {
    # https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html (release calendar);
    # 1.36: EKS release 2026-06-02, standard support 14 months.
    "1.32": dt.date(2026, 3, 23),
    "1.33": dt.date(2026, 7, 29),
    "1.34": dt.date(2026, 12, 2),
    "1.35": dt.date(2027, 3, 27),
    "1.36": dt.date(2027, 8, 2),
}
EKS_RELEASED = {
    "1.33": dt.date(2025, 5, 29),
    "1.34": dt.date(2025, 10, 2),
    "1.35": dt.date(2026, 1, 27),
    "1.36": dt.date(2026, 6, 2),
}
KARPENTER_MINIMUM_FOR = {
    # https://karpenter.sh/docs/upgrading/compatibility/ (compatibility matrix)
    "1.33": (1, 5),
    "1.34": (1, 6),
    "1.35": (1, 9),
    "1.36": (1, 13),
}
KARPENTER_LTS_UNTIL = {
    # https://github.com/aws/karpenter-provider-aws/blob/main/SUPPORT.md and the LTS release notes
    # ("v1.9.x (LTS) supported until Feb 2027", "v1.14.x (LTS) supported until Jul 2027"); v1.6 was
    # the LTS of Jul 2025 (12 months). Other minors are supported only until the next minor ships.
    (1, 6): dt.date(2026, 7, 14),
    (1, 9): dt.date(2027, 2, 1),
    (1, 14): dt.date(2027, 7, 1),
}
CERT_MANAGER_SUPPORTED_MINORS = {
    # https://cert-manager.io/docs/releases/ : the two newest minors; 1.19 left support with 1.21 (2026-07).
    (1, 20),
    (1, 21),
}
RETIRED_CHARTS = {
    # https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/ : no releases after March 2026.
    "ingress-nginx",
}
EKS_ADDON_VERSION = re.compile(r"^v(\d+)\.(\d+)\.\d+-eksbuild\.\d+$")
"""How AWS numbers EKS add-on versions (`aws eks describe-addon-versions`)."""
MIN_STANDARD_SUPPORT_DAYS = 180


def _minor(version: str) -> tuple[int, int]:
    major, minor = re.findall(r"\d+", version)[:2]
    return int(major), int(minor)


def eks_clusters(stack: RenderedStack) -> list:
    return stack.of_type("eks:index:Cluster")


def charts(stack: RenderedStack) -> dict[str, str]:
    """Chart name → pinned version, of every Helm chart the stack installs."""
    return {
        str(c.inputs["chart"]).rsplit("/", 1)[-1]: str(c.inputs["version"])
        for c in stack.of_type("kubernetes:helm.sh/v4:Chart")
    }


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_every_cluster_has_half_a_year_of_eks_standard_support_left(rendered: dict, stack: str) -> None:
    for cluster in eks_clusters(rendered[stack]):
        version = cluster.inputs["version"]
        assert version in EKS_STANDARD_SUPPORT_ENDS, f"{version} is not on the EKS calendar"
        left = (EKS_STANDARD_SUPPORT_ENDS[version] - TODAY).days
        assert left >= MIN_STANDARD_SUPPORT_DAYS, f"{cluster.name}: {version} has {left} days of support left"


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_nodes_kube_proxy_and_amis_follow_the_cluster_s_kubernetes_minor(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    (version,) = {c.inputs["version"] for c in eks_clusters(s)}
    for group in s.of_type("aws:eks/nodeGroup:NodeGroup"):
        assert group.inputs["version"] == version, group.name
    for addon in s.of_type("aws:eks/addon:Addon"):
        assert EKS_ADDON_VERSION.match(addon.inputs["addonVersion"]), addon.name
        if addon.inputs["addonName"] == "kube-proxy":
            assert _minor(addon.inputs["addonVersion"]) == _minor(version), addon.name
    for node_class in s.of_type("kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        alias = node_class.inputs["spec"]["amiSelectorTerms"][0]["alias"]
        built = dt.datetime.strptime(alias.split("@v")[1], "%Y%m%d").date()
        assert built >= EKS_RELEASED[version], f"{alias} predates Kubernetes {version} on EKS"


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_karpenter_supports_the_cluster_and_its_line_is_supported(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    (version,) = {c.inputs["version"] for c in eks_clusters(s)}
    karpenter = _minor(charts(s)["karpenter"])
    assert karpenter >= KARPENTER_MINIMUM_FOR[version]
    assert KARPENTER_LTS_UNTIL.get(karpenter, dt.date.min) > TODAY, f"Karpenter {karpenter} is out of support"


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_no_retired_chart_and_cert_manager_on_a_supported_line(rendered: dict, stack: str) -> None:
    installed = charts(rendered[stack])
    assert RETIRED_CHARTS.isdisjoint(installed)
    assert _minor(installed["cert-manager"]) in CERT_MANAGER_SUPPORTED_MINORS


def test_every_pin_is_exact_and_says_where_it_comes_from() -> None:
    for pin in versions.ALL:
        assert pin.source, pin.name
        if pin.name not in ("kubernetes", "aurora-postgresql", "valkey", "node-ami"):
            require_pinned(pin.name, pin.version)


def test_the_catalogue_s_kubernetes_dates_are_the_eks_calendar_s() -> None:
    for version, ends in versions.KUBERNETES_STANDARD_SUPPORT_ENDS.items():
        assert EKS_STANDARD_SUPPORT_ENDS[version] == ends, version


def test_preview_warns_90_days_before_a_pin_s_support_ends_and_not_earlier(rendered: dict) -> None:
    stack = rendered["dev"]
    (version,) = {c.inputs["version"] for c in eks_clusters(stack)}
    ends = EKS_STANDARD_SUPPORT_ENDS[version]
    about_kubernetes = [w for w in pin_warnings(stack, ends - dt.timedelta(days=30)) if "kubernetes" in w]
    assert about_kubernetes and "30 days" in about_kubernetes[0]
    assert not [w for w in pin_warnings(stack, ends - dt.timedelta(days=91)) if "kubernetes" in w]
    assert [w for w in pin_warnings(stack, ends + dt.timedelta(days=1)) if "kubernetes" in w and "ended" in w]


def test_preview_warns_about_the_version_a_stack_asks_for_not_only_the_default(rendered: dict) -> None:
    from dataclasses import replace

    stack = rendered["dev"]
    old = replace(
        stack,
        resources={
            urn: replace(r, inputs={**r.inputs, "version": "1.33"}) if r.type == "eks:index:Cluster" else r
            for urn, r in stack.resources.items()
        },
    )
    assert any("kubernetes 1.33" in w and "ended" in w for w in pin_warnings(old, TODAY))


def test_the_preview_prints_warnings_and_still_succeeds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from social_platform import preview

    monkeypatch.setattr(
        preview, "pin_warnings", lambda stack, today: ["warning: kubernetes 1.36: support ends soon"]
    )
    assert preview.main(["dev"]) == 0
    assert "warning: kubernetes 1.36" in capsys.readouterr().err
