"""The guardrails' machinery: the neutral views a rule reads, the rule registry, evaluation, exemptions
and the helpers rules use to read inputs. The rules themselves live in `platform/rules/`, one module
per topic; `social_platform.policies` assembles them (see its docstring)."""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

Tier = Literal["dev", "staging", "prod"]
TIERS: tuple[Tier, ...] = ("dev", "staging", "prod")
Enforcement = Literal["advisory", "mandatory"]

# ---------------------------------------------------------------------------------------------
# The neutral views


@dataclass(frozen=True)
class ResourceView:
    """One resource as a rule sees it, wherever it came from."""

    urn: str
    type: str
    name: str
    props: Mapping[str, Any]
    """Inputs under their wire names (camelCase); nested objects as mappings, JSON documents as text."""
    id: str | None = None
    """The resource's ID where known (the offline render's stand-ins); used to match references."""
    arn: str | None = None
    """The resource's ARN where known (the render's stand-in, the engine's output after an update)."""
    custom: bool = True
    protect: bool = False
    retain_on_delete: bool | None = None
    """None where the source cannot tell (pulumi-policy does not pass retainOnDelete)."""
    provider_tags: Mapping[str, str] = field(default_factory=dict)
    """Default tags of the resource's provider (they land on every taggable resource)."""
    account: str | None = None
    region: str | None = None
    property_deps: Mapping[str, frozenset[str]] | None = None
    """URNs each input depends on, where the source knows them (the policy pack does)."""

    def get(self, path: str, default: Any = None) -> Any:
        """A nested input by dotted path (`metadataOptions.httpTokens`); `default` when absent."""
        node: Any = self.props
        for part in path.split("."):
            if not isinstance(node, Mapping) or node.get(part) is None:
                return default
            node = node[part]
        return node

    def refers_to(self, prop: str, target: ResourceView) -> bool:
        """Whether input `prop` points at `target` (by dependency, ID or name)."""
        if self.property_deps is not None and prop in self.property_deps:
            return target.urn in self.property_deps[prop]
        wanted = {v for v in (target.id, target.urn, target.arn) if v}
        wanted |= {
            str(target.props[k]) for k in ("bucket", "name", "arn") if isinstance(target.props.get(k), str)
        }
        return any(str(value) in wanted for value in _seq(self.props.get(prop)))


@dataclass(frozen=True)
class StackView:
    """The stack a resource belongs to: its tier and, where the source has them, all its resources."""

    tier: Tier
    resources: tuple[ResourceView, ...] = ()
    name: str = ""

    @cached_property
    def _by_type(self) -> dict[str, list[ResourceView]]:
        index: dict[str, list[ResourceView]] = {}
        for r in self.resources:
            index.setdefault(r.type, []).append(r)
        return index

    def of_type(self, *types: str) -> list[ResourceView]:
        return [r for t in types for r in self._by_type.get(t, [])]

    def referring_to(self, target: ResourceView, types: Iterable[str], prop: str) -> list[ResourceView]:
        """Resources of `types` whose input `prop` points at `target` (a bucket's policy, a flow log)."""
        return [r for r in self.of_type(*types) if r.refers_to(prop, target)]

    def referred_by(self, source: ResourceView, prop: str, types: Iterable[str]) -> list[ResourceView]:
        """Resources of `types` that `source`'s input `prop` points at (a rule's security group)."""
        return [r for r in self.of_type(*types) if source.refers_to(prop, r)]

    def same_place(self, r: ResourceView, *types: str) -> list[ResourceView]:
        """Resources of `types` in the same account and region as `r` (account-wide settings)."""
        return [o for o in self.of_type(*types) if (o.account, o.region) == (r.account, r.region)]


# ---------------------------------------------------------------------------------------------
# Rules


Check = Callable[[ResourceView, StackView], Iterable[str]]


@dataclass(frozen=True)
class Rule:
    id: str
    """Stable kebab-case name: the policy name in the pack, the key of exemptions."""
    description: str
    types: frozenset[str]
    """Resource types the rule inspects."""
    check: Check
    tiers: frozenset[str] = frozenset(TIERS)
    """Tiers the rule applies to (tier-specific rules: KMS keys, deletion protection in prod)."""
    needs_stack: bool = False
    """Looks at companion resources; runs as a stack policy in the pack (after resource policies)."""

    def applies_to(self, tier: str) -> bool:
        return tier in self.tiers


@dataclass(frozen=True)
class Violation:
    rule: str
    urn: str
    type: str
    name: str
    message: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.name} ({self.type}): {self.message}"


RULES: dict[str, Rule] = {}
"""Every rule, by id, in declaration order."""

EXEMPTIONS: Mapping[str, Mapping[str, str]] = {
    "ebs-encrypted": {
        "*-system-nodes": "disposable node root volumes: encrypted with the AWS-managed aws/ebs KMS key; a"
        " customer key would need grants for the EKS node group's service-linked role (docs/adr/0006)",
        "*-runners-manager": "disposable CI manager root volume: encrypted with the AWS-managed aws/ebs key",
        "*-runners-workers": "disposable CI job volumes: encrypted with the AWS-managed aws/ebs key",
    },
    "stateful-protected": {
        "*-runners-cache": "a build cache, rebuilt on a miss: emptied and deleted with the runners",
    },
    "stateful-deletion-guards": {
        "*-runners-cache": "a build cache, rebuilt on a miss: force_destroy lets the runners go cleanly",
    },
    "secrets-rotate": {
        "*-db-master": "an Aurora global database's master password (docs/adr/0005): Aurora cannot manage"
        " the master secret of a global cluster, so it rotates by hand (docs/security.md, secrets); single-"
        "region databases use the RDS-managed secret, which RDS rotates every 7 days",
        "*-cache-auth-token": "the cache AUTH token rotates through ElastiCache's ROTATE strategy (old and"
        " new accepted together): a new token is a `pulumi up` with a new value (docs/security.md, secrets)",
        "identity-*-backend-client": "a copy of the Cognito app client's secret, which Cognito generates;"
        " a new client secret means a new client (docs/security.md, secrets)",
    },
    "backup-covered": {
        "edge-web": "the built web app: CI publishes it again from the repository (and S3 versions keep"
        " the previous build for a rollback)",
        "edge-logs": "CloudFront and S3 access logs: evidence kept by their own lifecycle, not data to"
        " restore",
        "*-ingress-logs": "the load balancers' access logs: evidence kept by their own lifecycle, not"
        " data to restore",
        "log-archive-archive": "the audit log archive (shared account): every object is a copy of what"
        " an account's trail and Config deliver, versioned and held by Object Lock (governance) for"
        " security.log_archive_retention_days (docs/security.md)",
        "*-runners-cache": "a build cache, rebuilt on a miss",
        "edge-media-replica": "the replica of edge-media, which its plan backs up and copies",
        "*-realtime-connections": "live WebSocket connection IDs with a TTL: clients reconnect and register"
        " again; nothing to restore",
    },
    "sqs-dead-letter-queue": {
        "*-karpenter-interruptions": "interruption notices matter for minutes (the queue keeps them 300 s):"
        " one Karpenter cannot handle is obsolete before anyone could read it from a dead-letter queue",
    },
    "s3-encrypted": {
        "streaming-recordings": "IVS writes recordings through its service-linked role, whose AWS-managed"
        " policy grants no KMS permission: the bucket keeps SSE-S3 (docs/adr/0003)",
        "edge-web": "public content served through CloudFront: SSE-S3 by design (docs/adr/0003)",
        "edge-media": "public content served through CloudFront: SSE-S3 by design (docs/adr/0003)",
        "edge-logs": "S3 server access logs cannot be delivered to an SSE-KMS bucket (docs/adr/0003)",
        "*-ingress-logs": "load balancer access logs support SSE-S3 only (ELB user guide, access logs)",
    },
}
"""Reviewed exceptions: rule id → {resource-name glob: why}. Each must still match a resource (a test
checks); keep the list short."""


def rule(
    id: str,
    description: str,
    *,
    types: Iterable[str],
    tiers: Iterable[Tier] = TIERS,
    needs_stack: bool = False,
) -> Callable[[Check], Check]:
    def register(check: Check) -> Check:
        if id in RULES:
            raise ValueError(f"duplicate rule id {id!r}")
        RULES[id] = Rule(id, description, frozenset(types), check, frozenset(tiers), needs_stack)
        return check

    return register


def exempt(rule_id: str, resource: ResourceView) -> bool:
    return any(fnmatch.fnmatchcase(resource.name, pattern) for pattern in EXEMPTIONS.get(rule_id, {}))


def check_resource(r: Rule, resource: ResourceView, stack: StackView) -> list[str]:
    """The rule's messages for one resource (none when it does not apply)."""
    if resource.type not in r.types or not r.applies_to(stack.tier) or exempt(r.id, resource):
        return []
    return list(r.check(resource, stack))


def evaluate(stack: StackView, rules: Iterable[Rule] | None = None) -> list[Violation]:
    """Every violation of `rules` (default: all) in the stack."""
    found: list[Violation] = []
    for r in RULES.values() if rules is None else rules:
        for resource in stack.of_type(*r.types):
            for message in check_resource(r, resource, stack):
                found.append(Violation(r.id, resource.urn, resource.type, resource.name, message))
    return found


# ---------------------------------------------------------------------------------------------
# Reading inputs


def _truthy(value: Any) -> bool:
    """True for true and "true" (some providers take booleans as strings, e.g. launch templates)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _seq(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str | Mapping):
        return [value]
    if isinstance(value, Sequence):
        return list(value)
    return [value]


def _num(value: Any, default: float = 0) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return default


def _document(value: Any) -> Mapping[str, Any]:
    """A JSON policy document given as text or as a mapping ({} when unreadable)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            return {}
    return value if isinstance(value, Mapping) else {}


def _statements(document: Any) -> list[Mapping[str, Any]]:
    return [s for s in _seq(_document(document).get("Statement")) if isinstance(s, Mapping)]


def _allows(statement: Mapping[str, Any]) -> bool:
    return statement.get("Effect") == "Allow"


def _customer_key(value: Any) -> bool:
    """A KMS key we manage (not unset, not an AWS managed `alias/aws/...` key)."""
    return isinstance(value, str) and bool(value) and "alias/aws/" not in value


WORLD = ("0.0.0.0/0", "::/0")
