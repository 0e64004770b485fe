"""Pure helpers of the cluster: version pinning, instance architectures, team access, add-on needs
and add-on value overrides.

Each function takes plain values (nothing runs under Pulumi) and raises `ValueError` naming the
argument and what is allowed, so the config loader and the unit tests use the very same rules.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from social_components.checks import deep_merge
from social_components.cluster.catalog import KARPENTER_REQUIRES
from social_components.cluster.registry import REGISTRY

if TYPE_CHECKING:
    from social_components.cluster.args import ClusterArgs, NodePoolArgs, TeamAccess
    from social_components.cluster.registry import AddonEntry

PINNED_VERSION = re.compile(r"^v?\d+\.\d+\.\d+([-+][0-9A-Za-z.-]+)?$")
"""An exact release: ``1.6.3``, ``v1.18.2``, ``v1.20.0-eksbuild.1``. No ``latest``, no ranges."""
PINNED_AMI_ALIAS = re.compile(r"^(al2023|bottlerocket)@v\d[\d.]*$")
INSTANCE_TYPE = re.compile(
    r"^(?P<family>[a-z]+)(?P<generation>\d+)(?P<options>[a-z-]*)\.(?P<size>[a-z0-9]+)$"
)
K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
SYSTEM_NAMESPACES = frozenset({"default", "kube-system", "kube-public", "kube-node-lease"})


def reserved_namespaces() -> frozenset[str]:
    """Namespaces the platform itself uses (Kubernetes' own and every registered add-on's); no team
    may own them."""
    return SYSTEM_NAMESPACES | {entry.traits.namespace for entry in REGISTRY.values()}


ACCESS_POLICY = "arn:aws:eks::aws:cluster-access-policy/"


class ArgError(ValueError):
    """A broken rule on one argument: `path` names it (``teams.web.admin_role_arns``)."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.message = message


AccessLevel = Literal["admin", "developer", "read-only"]


def require_pinned(what: str, version: str) -> str:
    """`version` must name one exact release."""
    if not PINNED_VERSION.match(version):
        raise ValueError(
            f"{what} must be an exact version such as 1.6.3 or v1.20.0-eksbuild.1 (got {version!r}); "
            "'latest' and ranges are not allowed"
        )
    return version


def require_pinned_ami_alias(what: str, alias: str) -> str:
    if not PINNED_AMI_ALIAS.match(alias):
        raise ValueError(
            f"{what} must pin an AMI release such as al2023@v20250807 or bottlerocket@v1.46.0 (got {alias!r})"
        )
    return alias


def instance_architecture(instance_type: str) -> Literal["arm64", "amd64"]:
    """Graviton types carry a ``g`` among the letters after the generation (m7g, c7gn, r8gd, t4g,
    im4gn, g5g); everything else is x86_64."""
    match = INSTANCE_TYPE.match(instance_type)
    if not match:
        raise ValueError(f"instance type {instance_type!r} is not an EC2 instance type such as m7g.large")
    return "arm64" if "g" in match["options"] else "amd64"


def system_node_architecture(instance_types: Iterable[str]) -> Literal["arm64", "amd64"]:
    """The one architecture of the system node group's instance types."""
    types = list(instance_types)
    if not types:
        raise ArgError("system_nodes.instance_types", "must list at least one instance type")
    arches = {t: instance_architecture(t) for t in types}
    if len(set(arches.values())) != 1:
        listing = ", ".join(f"{t} ({a})" for t, a in arches.items())
        raise ArgError("system_nodes.instance_types", f"must share one architecture (got {listing})")
    return next(iter(arches.values()))


def check_sizes(min_size: int, desired_size: int, max_size: int) -> None:
    if not 1 <= min_size <= desired_size <= max_size:
        raise ArgError(
            "system_nodes",
            "sizes must satisfy 1 <= min_size <= desired_size <= max_size "
            f"(got {min_size}, {desired_size}, {max_size})",
        )


@dataclass(frozen=True)
class AccessGrant:
    """One EKS access entry: an IAM role and the access policy it gets, cluster-wide or per namespace."""

    entry: str
    """Stable key: ``<team>-<level>-<role name>``."""
    principal_arn: str
    policy_arn: str
    namespaces: tuple[str, ...]
    """Empty: cluster-wide."""


def access_grants(teams: Mapping[str, TeamAccess], creator_role_arn: str | None = None) -> list[AccessGrant]:
    """The access entries for `teams`. Each role appears once across all teams and levels, and never
    the role that creates the cluster (EKS gives it its own admin entry)."""
    grants: list[AccessGrant] = []
    seen: dict[str, str] = {}
    for team, access in sorted(teams.items()):
        for namespace in access.namespaces:
            where = f"teams.{team}.namespaces"
            if not K8S_NAME.match(namespace):
                raise ArgError(where, f"{namespace!r} is not a Kubernetes namespace name")
            if namespace in reserved_namespaces():
                reserved = ", ".join(sorted(reserved_namespaces()))
                raise ArgError(where, f"{namespace!r} belongs to the platform; reserved: {reserved}")
        levels: tuple[tuple[AccessLevel, str, tuple[str, ...], str], ...] = (
            (
                "admin",
                "admin_role_arns",
                access.admin_role_arns,
                "AmazonEKSAdminPolicy" if access.namespaces else "AmazonEKSClusterAdminPolicy",
            ),
            ("developer", "developer_role_arns", access.developer_role_arns, "AmazonEKSEditPolicy"),
            ("read-only", "read_only_role_arns", access.read_only_role_arns, "AmazonEKSViewPolicy"),
        )
        for level, field_name, arns, policy in levels:
            where = f"teams.{team}.{field_name}"
            for arn in arns:
                if not ROLE_ARN.match(arn):
                    raise ArgError(
                        where, f"{arn!r} is not an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
                    )
                if creator_role_arn and arn == creator_role_arn:
                    raise ArgError(
                        where, f"{arn} is the role that deploys the cluster; EKS already makes it admin"
                    )
                if arn in seen:
                    raise ArgError(
                        where, f"{arn} is already listed in {seen[arn]}; a role gets one access entry"
                    )
                seen[arn] = where
                grants.append(
                    AccessGrant(
                        entry=f"{team}-{level}-{arn.rsplit('/', 1)[-1]}".lower(),
                        principal_arn=arn,
                        policy_arn=ACCESS_POLICY + policy,
                        namespaces=tuple(access.namespaces),
                    )
                )
    return grants


def missing_requirements(
    enabled: Iterable[str], registry: Mapping[str, AddonEntry] = REGISTRY
) -> list[tuple[str, str]]:
    """(who, what it needs) for every enabled add-on whose requirement is off, and for Karpenter
    (always installed), which needs `KARPENTER_REQUIRES`."""
    on = set(enabled)
    missing: list[tuple[str, str]] = [("karpenter", need) for need in KARPENTER_REQUIRES if need not in on]
    missing += [
        (name, need) for name in sorted(on) for need in registry[name].traits.requires if need not in on
    ]
    return missing


MAX_VALUES_DEPTH = 32


def _check_json(where: str, value: object, depth: int = 0) -> None:
    if depth > MAX_VALUES_DEPTH:
        raise ArgError(where, f"nested deeper than {MAX_VALUES_DEPTH} levels")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str) or not key:
                raise ArgError(where, f"keys must be non-empty strings (got {str(key)[:40]!r})")
            _check_json(f"{where}.{key}", item, depth + 1)
    elif isinstance(value, list | tuple):
        for i, item in enumerate(value):
            _check_json(f"{where}[{i}]", item, depth + 1)
    elif not isinstance(value, str | int | float | bool) and value is not None:
        raise ArgError(where, "must be a string, number, boolean, null, list or mapping")


def lock_path(path: str) -> list[str]:
    """The keys of a locked path: ``a.b.c``, with ``[...]`` around a key that has dots itself
    (``grafana.[grafana.ini].server`` is ``grafana`` → ``grafana.ini`` → ``server``)."""
    return [bracketed or plain for bracketed, plain in re.findall(r"\[([^\]]+)\]|([^.\[\]]+)", path)]


def merge_values(
    where: str, base: Mapping[str, Any], overrides: Mapping[str, Any], locked: Mapping[str, str]
) -> dict[str, Any]:
    """An add-on's values: `base` (its registry entry's) with the user's `overrides` deep-merged in.
    Overrides must be JSON data and may not touch a `locked` path (``a.b``: setting ``a.b``,
    anything below it, or ``a`` to a non-mapping; `lock_path`). `ArgError` names the path and why."""
    if not isinstance(overrides, Mapping):
        raise ArgError(where, "must be a mapping of values")
    _check_json(where, overrides)
    for path, why in locked.items():
        node: Any = overrides
        parts = lock_path(path)
        for i, part in enumerate(parts):
            if not isinstance(node, Mapping) or part not in node:
                break
            node = node[part]
            if i == len(parts) - 1 or not isinstance(node, Mapping):
                raise ArgError(f"{where}.{'.'.join(parts[: i + 1])}", f"cannot be overridden ({why})")
    return deep_merge(base, overrides)


def check_node_pool(name: str, pool: NodePoolArgs) -> None:
    where = f"karpenter.node_pools.{name}"
    if not K8S_NAME.match(name):
        raise ValueError(f"{where}: the name must be a Kubernetes object name (lowercase, digits, '-')")
    if not pool.capacity_types:
        raise ValueError(f"{where}.capacity_types must list on-demand, spot or both")
    if not pool.architectures:
        raise ValueError(f"{where}.architectures must list arm64, amd64 or both")
    if pool.cpu_limit < 1 or pool.memory_limit_gib < 1:
        raise ValueError(f"{where}: cpu_limit and memory_limit_gib must be positive")
    for taint in pool.taints:
        if not LABEL_KEY.match(taint.key):
            raise ValueError(f"{where}.taints: {taint.key!r} is not a valid taint key")
    for key in pool.labels:
        if not LABEL_KEY.match(key) or key.startswith(("karpenter.sh/", "kubernetes.io/")):
            raise ValueError(f"{where}.labels: {key!r} is not a label a NodePool may set")


def validate_cluster_args(args: ClusterArgs, registry: Mapping[str, AddonEntry] = REGISTRY) -> None:
    """Every rule on `ClusterArgs` (add-ons from `registry`); raises ValueError for the first one broken."""
    require_pinned("kubernetes_version", args.kubernetes_version + ".0")
    if args.endpoint_public_access and not args.public_access_cidrs:
        raise ValueError("public_access_cidrs is required when endpoint_public_access is true")
    for cidr in args.public_access_cidrs:
        if ipaddress.ip_network(cidr).prefixlen == 0:
            raise ValueError(
                "public_access_cidrs may not contain 0.0.0.0/0; list the ranges that need the API"
            )
    system_node_architecture(args.system_nodes.instance_types)
    check_sizes(args.system_nodes.min_size, args.system_nodes.desired_size, args.system_nodes.max_size)
    access_grants(args.teams)
    require_pinned("karpenter.chart_version", args.karpenter.chart_version)
    require_pinned_ami_alias("karpenter.ami_alias", args.karpenter.ami_alias)
    if not args.karpenter.node_pools:
        raise ValueError("karpenter.node_pools must define at least one NodePool")
    for name, pool in args.karpenter.node_pools.items():
        check_node_pool(name, pool)
    for name, addon in args.addons.items():
        if name not in registry:
            raise ValueError(f"addons: unknown add-on {name!r}; known: {', '.join(registry)}")
        if addon.version is not None:
            require_pinned(f"addons.{name}.version", addon.version)
        merge_values(f"addons.{name}.values", {}, addon.values, registry[name].locked)
    enabled = [name for name in registry if args.addons.get(name) is None or args.addons[name].enabled]
    for who, need in missing_requirements(enabled, registry):
        raise ValueError(f"addons.{need} must be enabled: {who} needs it")
    if "external-dns" in enabled and not args.dns_domain:
        raise ValueError("dns_domain is required when external-dns is enabled")
    grafana = args.grafana
    if "kube-prometheus-stack" in enabled and not (grafana.enable_sso or grafana.enable_local_admin):
        raise ValueError("grafana: with neither enable_sso nor enable_local_admin nobody can sign in")
