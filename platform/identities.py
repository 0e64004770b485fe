"""Stable identities: the URNs of every resource that holds data, and the committed snapshot of them.

A resource's URN is its identity: change it (rename the resource, rename or move its component
class, re-parent it) and Pulumi deletes the old resource and creates a new one — for a database,
that is data loss (in prod `protect` stops it with an error; elsewhere it just happens). The
snapshot in `tests/snapshots/stateful_urns.json` lists the URN of every stateful resource of every
stack; a test fails when one of them is no longer answered to by the current program. The fix is
an alias (`opts=ResourceOptions(aliases=[pulumi.Alias(name="old-name")])`, or `type_=` for a class
rename), which this module honours the way the engine does, including aliases inherited from
parent components. Record an intended change with `guardrails snapshot`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from social_platform import stackfiles
from social_platform.inventory import holds_data
from social_platform.render import STACK_TYPE, RenderedResource, RenderedStack

SNAPSHOT_FILE = stackfiles.PROJECT_ROOT / "tests" / "snapshots" / "stateful_urns.json"
ABOUT = (
    "URNs of every resource that holds data, per stack. A test fails when one disappears (that "
    "would replace it): add an alias. To record an intended change: guardrails snapshot"
)


def stateful(stack: RenderedStack) -> list[RenderedResource]:
    """The stack's resources that hold data (by the inventory's classification)."""
    return [r for r in stack if holds_data(r.type, r.inputs)]


def _split(urn: str) -> tuple[str, str, str]:
    """(prefix `urn:pulumi:stack::project`, qualified type, name) of a URN."""
    head, qualified, name = urn.rsplit("::", 2)
    return head, qualified, name


def _child_urn(parent_urn: str, type_: str, name: str) -> str:
    head, qualified, _ = _split(parent_urn)
    return f"{head}::{qualified}${type_}::{name}"


def known_as(stack: RenderedStack) -> dict[str, set[str]]:
    """Every resource's URN → every URN the engine would match it to (its own, its aliases, and the
    aliases its ancestors' aliases give it, with the parent-name prefix of its name substituted)."""
    memo: dict[str, set[str]] = {}

    def identities(r: RenderedResource) -> set[str]:
        if r.urn in memo:
            return memo[r.urn]
        names = {r.urn, *r.aliases}
        parent = stack.resources.get(r.parent) if r.parent else None
        if parent is not None and parent.type != STACK_TYPE:
            for parent_alias in identities(parent) - {parent.urn}:
                name = r.name
                if name.startswith(parent.name):
                    name = _split(parent_alias)[2] + name[len(parent.name) :]
                names.add(_child_urn(parent_alias, r.type, name))
        memo[r.urn] = names
        return names

    return {r.urn: identities(r) for r in stack}


@dataclass(frozen=True)
class Drift:
    missing: list[str]
    """Recorded URNs no resource answers to any more: these would be replaced."""
    added: list[str]
    """Stateful resources not in the snapshot yet."""


def compare(recorded: Iterable[str], stack: RenderedStack) -> Drift:
    aliases = known_as(stack)
    current = {r.urn for r in stateful(stack)}
    answered = set().union(*(aliases[urn] for urn in current)) if current else set()
    recorded = set(recorded)
    return Drift(
        missing=sorted(recorded - answered),
        added=sorted(u for u in current if not aliases[u] & recorded),
    )


def read_snapshot(path: Path = SNAPSHOT_FILE) -> dict[str, list[str]]:
    if not path.exists():
        return {}
    return dict(json.loads(path.read_text())["stacks"])


def snapshot_text(stacks: Iterable[RenderedStack]) -> str:
    data = {
        "about": ABOUT,
        "stacks": {
            s.stack: sorted(r.urn for r in stateful(s)) for s in sorted(stacks, key=lambda s: s.stack)
        },
    }
    return json.dumps(data, indent=2) + "\n"


# ---------------------------------------------------------------------------------------------
# Properties that force replacement

REPLACEMENT_FILE = stackfiles.PROJECT_ROOT / "tests" / "snapshots" / "replacement_inputs.json"
REPLACEMENT_ABOUT = (
    "Per stack, the inputs of each stateful resource that AWS cannot change in place (a change "
    "replaces the resource: for a database, a new empty one). A test fails when one changes. To "
    "record an intended change: guardrails snapshot"
)
API_OPERATIONS: dict[str, tuple[str, str, tuple[str, ...]]] = {
    # type → (botocore service, create operation, the operations that change it in place)
    "aws:rds/cluster:Cluster": ("rds", "CreateDBCluster", ("ModifyDBCluster",)),
    "aws:rds/clusterInstance:ClusterInstance": ("rds", "CreateDBInstance", ("ModifyDBInstance",)),
    "aws:rds/globalCluster:GlobalCluster": ("rds", "CreateGlobalCluster", ("ModifyGlobalCluster",)),
    "aws:elasticache/replicationGroup:ReplicationGroup": (
        "elasticache",
        "CreateReplicationGroup",
        ("ModifyReplicationGroup",),
    ),
    "aws:kms/key:Key": ("kms", "CreateKey", ("UpdateKeyDescription", "PutKeyPolicy", "EnableKeyRotation")),
    "aws:secretsmanager/secret:Secret": ("secretsmanager", "CreateSecret", ("UpdateSecret",)),
    "aws:sqs/queue:Queue": ("sqs", "CreateQueue", ("SetQueueAttributes",)),
    "aws:s3/bucket:Bucket": ("s3", "CreateBucket", ()),
    "aws:cloudwatch/logGroup:LogGroup": ("logs", "CreateLogGroup", ("PutRetentionPolicy", "AssociateKmsKey")),
    "aws:cognito/userPool:UserPool": ("cognito-idp", "CreateUserPool", ("UpdateUserPool",)),
    "eks:index:Cluster": ("eks", "CreateCluster", ("UpdateClusterConfig", "UpdateClusterVersion")),
}
"""The stateful types whose replacement-forcing inputs are snapshotted, and where botocore's API
models say what they take on creation and what can change later."""
INPUT_NAMES = {
    # botocore member (normalised) → the Pulumi input (normalised) where the names differ
    "dbclusteridentifier": "clusteridentifier",
    "dbinstanceidentifier": "identifier",
    "replicationgroupdescription": "description",
    "queuename": "name",
    "loggroupname": "name",
    "poolname": "name",
    "secretname": "name",
    "keyspec": "customermasterkeyspec",
    "cachesubnetgroupname": "subnetgroupname",
    "objectlockenabledforbucket": "objectlockenabled",
}
CHANGEABLE_ELSEWHERE = {
    # Inputs other API calls change in place (normalised): tags everywhere (TagResource), a
    # replication group's size (IncreaseReplicaCount / DecreaseReplicaCount).
    "tags",
    "numcacheclusters",
}


def _norm(name: str) -> str:
    return "".join(c for c in name.lower() if c.isalnum())


@cache
def replacement_inputs(type_: str) -> frozenset[str]:
    """Normalised input names of `type_` that force replacement: what its create operation takes
    and none of its update operations does (botocore's API models, shipped with boto3)."""
    import botocore.session

    service, create, updates = API_OPERATIONS[type_]
    model = botocore.session.get_session().get_service_model(service)
    creation = model.operation_model(create).input_shape
    taken = {_norm(m) for m in creation.members}
    # An update names its resource by members that creation requires too (DBClusterIdentifier…):
    # those identify the resource, they do not change it.
    changeable = {
        _norm(m)
        for op in updates
        for m, shape in [
            (m, model.operation_model(op).input_shape) for m in model.operation_model(op).input_shape.members
        ]
        if not (m in shape.required_members and m in creation.required_members)
    }
    return frozenset(INPUT_NAMES.get(name, name) for name in taken - changeable - CHANGEABLE_ELSEWHERE)


def replacement_snapshot(stack: RenderedStack) -> dict[str, dict[str, object]]:
    """URN → {input: value} of the stack's resources' inputs that force replacement."""
    out: dict[str, dict[str, object]] = {}
    for r in stack:
        if r.type in API_OPERATIONS:
            forced = replacement_inputs(r.type)
            out[r.urn] = {k: v for k, v in sorted(r.inputs.items()) if _norm(k) in forced}
    return out


def read_replacement_snapshot() -> dict[str, dict[str, dict[str, object]]]:
    if not REPLACEMENT_FILE.exists():
        return {}
    return dict(json.loads(REPLACEMENT_FILE.read_text())["stacks"])


def replacement_snapshot_text(stacks: Iterable[RenderedStack]) -> str:
    recorded = read_replacement_snapshot()
    recorded.update({s.stack: replacement_snapshot(s) for s in stacks})
    return json.dumps({"about": REPLACEMENT_ABOUT, "stacks": recorded}, indent=2, sort_keys=True) + "\n"


def replacement_changes(recorded: dict[str, dict[str, object]], stack: RenderedStack) -> list[str]:
    """`urn: input old → new` for every recorded replacement-forcing input whose value changed."""
    changes = []
    current = replacement_snapshot(stack)
    for urn, inputs in sorted(current.items()):
        before = recorded.get(urn)
        if before is None:
            continue  # new resources: the URN snapshot reports them
        for key in sorted(set(before) | set(inputs)):
            if before.get(key) != inputs.get(key):
                changes.append(f"{urn}: {key} {before.get(key)!r} -> {inputs.get(key)!r}")
    return changes
