"""The render engine: runs the real program for one stack under Pulumi's mock runtime.

`render("dev")` reads `Pulumi.yaml` and `Pulumi.dev.yaml`, hands the program that config exactly
as the engine would, runs `program.main()` and returns a `RenderedStack`: every resource with its
URN, type, name, parent, provider placement (account and region), inputs (secrets masked) and the
options that matter. The options are captured from the registration requests themselves, because
Pulumi's mocks do not pass them on.

One render, many consumers: the offline preview, the tests and the policy checks all read this.
"""

from __future__ import annotations

import contextvars
import gc
import json
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from social_platform import stackfiles
from social_platform.mocks import PlatformMocks, provider_placement

PROJECT = "social-platform"
STACK_TYPE = "pulumi:pulumi:Stack"
_QUIET = logging.getLogger("social_platform.render.engine")
"""Where the SDK's engine log lines go during a render: warnings and errors only."""
_QUIET.setLevel(logging.WARNING)
SECRET_MASK = "[secret]"


@dataclass
class RenderedResource:
    urn: str
    id: str
    """The mock's stand-in ID: ``<kind>-<name>``, what other resources' inputs refer to."""
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    """URN of the explicit provider (custom resources only)."""
    account: str | None
    region: str | None
    inputs: dict[str, Any]
    protect: bool = False
    retain_on_delete: bool = False
    depends_on: list[str] = field(default_factory=list)
    ignore_changes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    """URNs this resource was known as (its own aliases; the engine adds those inherited from parents)."""
    secret_paths: list[str] = field(default_factory=list)
    """Input paths whose values were secrets (masked in `inputs`)."""
    additional_secret_outputs: list[str] = field(default_factory=list)
    """Outputs the resource asked the engine to keep secret (wire names)."""

    @property
    def is_aws(self) -> bool:
        return self.custom and self.type.startswith("aws:")


@dataclass
class RenderedStack:
    stack: str
    resources: dict[str, RenderedResource]
    outputs: dict[str, Any]
    seconds: float = 0.0

    # Queries the tests and checks share -------------------------------------------------------

    def __iter__(self) -> Iterator[RenderedResource]:
        return iter(self.resources.values())

    def __len__(self) -> int:
        return len(self.resources)

    def by_id(self, id_: str) -> RenderedResource:
        return next(r for r in self if r.id == id_)

    def of_type(self, *types: str) -> list[RenderedResource]:
        return [r for r in self if r.type in types]

    def named(self, name: str, type_: str | None = None) -> RenderedResource:
        found = [r for r in self if r.name == name and (type_ is None or r.type == type_)]
        if len(found) != 1:
            raise KeyError(f"{len(found)} resources named {name!r} (type {type_}) in {self.stack}")
        return found[0]

    def children(self, parent: RenderedResource | str) -> list[RenderedResource]:
        urn = parent if isinstance(parent, str) else parent.urn
        return [r for r in self if r.parent == urn]

    def descendants(self, parent: RenderedResource) -> list[RenderedResource]:
        out: list[RenderedResource] = []
        for child in self.children(parent):
            out.append(child)
            out.extend(self.descendants(child))
        return out

    def placement(self, resource: RenderedResource) -> tuple[str | None, str | None]:
        """(account, region) of a resource; for one without a provider of its own (a component, a
        Kubernetes object) that of its nearest placed kin: a descendant, else an ancestor's."""
        here: RenderedResource | None = resource
        while here is not None:
            if here.region:
                return here.account, here.region
            kin = next((r for r in self.descendants(here) if r.region), None)
            if kin is not None:
                return kin.account, kin.region
            here = self.resources[here.parent] if here.parent else None
        return None, None

    def components(self, type_: str | None = None) -> list[RenderedResource]:
        return [
            r
            for r in self
            if not r.custom and r.type != "pulumi:pulumi:Stack" and (type_ is None or r.type == type_)
        ]

    def to_json(self) -> dict[str, Any]:
        return {
            "stack": self.stack,
            "outputs": self.outputs,
            "resources": [asdict(r) for r in self.resources.values()],
        }


class RecordingMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, keeping every registration request's options and inputs."""

    def __init__(self, mocks: PlatformMocks, on_register: Callable[[int, str, str], None] | None) -> None:
        super().__init__(mocks)
        self.platform_mocks = mocks
        self.records: dict[str, RenderedResource] = {}
        self.on_register = on_register

    def RegisterResource(self, request: Any) -> Any:
        # A multi-language component (eks:index:Cluster) names its aws provider in `providers`, not
        # `provider`; the mocks need that placement to fabricate its outputs (ARNs, OIDC issuer).
        remote_ref = request.providers.get("aws") if request.remote else None
        self.platform_mocks.remote_provider.ref = remote_ref
        try:
            response = super().RegisterResource(request)
        finally:
            self.platform_mocks.remote_provider.ref = None
        _keep_outputs_secret(request, response)
        inputs = rpc.deserialize_properties(request.object)
        if request.type.startswith("pulumi:providers:"):
            self.platform_mocks.placements[f"{response.urn}::{response.id}"] = provider_placement(inputs)
        self._record(
            request,
            response.urn,
            response.id,
            inputs,
            custom=bool(request.custom),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            depends_on=list(request.dependencies),
            ignore_changes=list(request.ignoreChanges),
            aliases=[self._alias_urn(request, alias) for alias in request.aliases],
            additional_secret_outputs=list(dict.fromkeys(request.additionalSecretOutputs)),
        )
        return response

    def make_urn(
        self, parent: str, type_: str, name: str, stack: str | None = None, project: str | None = None
    ) -> str:
        """URNs as the engine builds them: the parent's whole type chain, minus the root stack's type.

        (The SDK's mock keeps only the parent's own type and prefixes the stack's, so its URNs are not
        the ones `pulumi stack export` shows, which aliases and the URN snapshot must match.)
        """
        qualified = type_
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != STACK_TYPE:
                qualified = f"{parent_type}${type_}"
        parts = [stack or pulumi.get_stack(), project or pulumi.get_project(), qualified, name]
        return "urn:pulumi:" + "::".join(parts)

    def _alias_urn(self, request: Any, alias: Any) -> str:
        """The URN an alias names, resolving a spec the way the engine does (unset parts: unchanged)."""
        if alias.WhichOneof("alias") == "urn":
            return str(alias.urn)
        spec = alias.spec
        parent = "" if spec.noParent else (spec.parentUrn or request.parent)
        return self.make_urn(
            parent, spec.type or request.type, spec.name or request.name, spec.stack, spec.project
        )

    def ReadResource(self, request: Any) -> Any:
        """Reads (StackReference, `get` of existing resources) are recorded like registrations."""
        response = super().ReadResource(request)
        self._record(
            request, response.urn, request.id, rpc.deserialize_properties(request.properties), custom=True
        )
        return response

    def _record(self, request: Any, urn: str, id_: str, inputs: dict[str, Any], **options: Any) -> None:
        # A provider's own placement is where it points; every other resource's is its provider's.
        if request.type.startswith("pulumi:providers:"):
            placement = provider_placement(inputs)
            inputs = {key: _decode_json(value) for key, value in inputs.items()}
        elif getattr(request, "remote", False) and "aws" in request.providers:
            placement = self.platform_mocks.placement_of(request.providers["aws"])
        else:
            placement = self.platform_mocks.placement_of(request.provider)
        secret_paths: list[str] = []
        self.records[urn] = RenderedResource(
            urn=urn,
            id=id_,
            type=request.type,
            name=request.name,
            parent=request.parent or None,
            provider=request.provider.rsplit("::", 1)[0] if request.provider else None,
            account=placement.account,
            region=placement.region,
            inputs=_plain(inputs, "", secret_paths),
            secret_paths=secret_paths,
            **options,
        )
        if self.on_register is not None:
            self.on_register(len(self.records), request.type, request.name)


def _keep_outputs_secret(request: Any, response: Any) -> None:
    """Do what the engine does and Pulumi's mock monitor does not: an output is secret when the
    resource lists it in `additional_secret_outputs` or when the input of the same name was secret.
    Without this, an offline render would show a generated password in plain text where a real
    deployment keeps it encrypted, and the no-plaintext-secret tests would prove nothing."""
    if not request.custom or not response.HasField("object"):
        return
    secret_inputs = {key for key, value in request.object.fields.items() if _is_wire_secret(value)}
    for key in secret_inputs | set(request.additionalSecretOutputs):
        if key in response.object.fields and not _is_wire_secret(response.object.fields[key]):
            wrapper = struct_pb2.Struct()
            wrapper[rpc._special_sig_key] = rpc._special_secret_sig
            wrapper.fields["value"].CopyFrom(response.object.fields[key])
            response.object.fields[key].struct_value.CopyFrom(wrapper)


def _is_wire_secret(value: struct_pb2.Value) -> bool:
    return value.HasField("struct_value") and (
        value.struct_value.fields.get(rpc._special_sig_key, struct_pb2.Value()).string_value
        == rpc._special_secret_sig
    )


def _decode_json(value: Any) -> Any:
    """Providers receive nested settings as JSON text; decode it so checks can read them."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _plain(value: Any, path: str, secret_paths: list[str]) -> Any:
    """Inputs as plain JSON-able data, with secrets masked and their paths noted."""
    if rpc.is_rpc_secret(value):
        secret_paths.append(path or "(root)")
        return SECRET_MASK
    if isinstance(value, dict):
        return {k: _plain(v, f"{path}.{k}" if path else k, secret_paths) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v, f"{path}[{i}]", secret_paths) for i, v in enumerate(value)]
    if isinstance(value, pulumi.Resource):
        return f"<resource {type(value).__name__}>"
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return f"<{type(value).__name__}>"
    return value


Program = Callable[[Path], dict[str, Any]]
"""A Pulumi program as the render runs it: takes the project directory, returns the stack outputs."""


def render(
    stack: str,
    project_dir: Path = stackfiles.PROJECT_ROOT,
    on_register: Callable[[int, str, str], None] | None = None,
    program: Program | None = None,
) -> RenderedStack:
    """Render `stack` offline. Bad config raises `ConfigError` before any resource is declared.

    `program` defaults to the platform's own (`program.main`); the benchmark passes a flat one.
    """
    # A fresh context per render: Pulumi keeps its runtime state in context variables.
    # The cyclic garbage collector is paused meanwhile: the SDK's futures and outputs form many
    # short-lived cycles and full collections otherwise take over half of a large stack's render.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return contextvars.Context().run(_render, stack, project_dir, on_register, program)
    finally:
        if collecting:
            gc.enable()


def _render(
    stack: str,
    project_dir: Path,
    on_register: Callable[[int, str, str], None] | None,
    program: Program | None,
) -> RenderedStack:
    from social_platform.program import main

    run_program: Program = program or main

    raw = stackfiles.read_stack_files(stack, project_dir)
    flat, secret_keys = stackfiles.to_engine(raw)
    mocks = PlatformMocks()
    monitor = RecordingMonitor(mocks, on_register)
    started = time.perf_counter()
    pulumi.runtime.set_all_config(flat, secret_keys)
    pulumi.runtime.set_mocks(
        mocks, project=PROJECT, stack=stack, preview=False, monitor=monitor, logger=_QUIET
    )
    outputs: dict[str, Any] = {}

    async def collect(exported: dict[str, Any]) -> None:
        for key, value in exported.items():
            output = pulumi.Output.from_input(value)
            outputs[key] = SECRET_MASK if await output.is_secret() else await output.future()

    @pulumi.runtime.test
    def run() -> Any:
        return collect(run_program(project_dir))

    run()
    return RenderedStack(
        stack=stack,
        resources=dict(sorted(monitor.records.items())),  # by URN: stable whatever the RPC order
        outputs=json.loads(json.dumps(outputs, default=str)),
        seconds=time.perf_counter() - started,
    )
