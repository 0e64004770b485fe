"""The render engine: runs the real program for one stack under Pulumi's mock runtime.

`render("dev")` reads `Pulumi.yaml` and `Pulumi.dev.yaml`, hands the program that config exactly
as the engine would, runs `program.main()` and returns a `RenderedStack`: every resource with its
URN, type, name, parent, provider placement (account and region), inputs (secrets masked) and the
options that matter. The options are captured from the registration requests themselves, because
Pulumi's mocks do not pass them on.

One render, many consumers: the offline preview, the tests and the policy checks all read this.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import contextvars
import gc
import json
import logging
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import resource as runtime_resource
from pulumi.runtime import rpc
from pulumi.runtime.proto import source_pb2

from social_components.testing import PlacementMonitor, provider_placement
from social_platform import deferred_annotations, stackfiles
from social_platform.mocks import PlatformMocks

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
    arn: str | None = None
    """The mock's stand-in ARN (what policies and other resources' inputs name this resource by)."""
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
    _children: dict[str | None, list[RenderedResource]] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    """Parent URN → children, built on first use (a stack is not changed once rendered)."""

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
        """`parent`'s direct children, in URN order."""
        if self._children is None:
            self._children = {}
            for resource in self:
                self._children.setdefault(resource.parent, []).append(resource)
        return list(self._children.get(parent if isinstance(parent, str) else parent.urn, ()))

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


class RecordingMonitor(PlacementMonitor):
    """The components' mock monitor, keeping every registration request's options and inputs."""

    def __init__(self, mocks: PlatformMocks, on_register: Callable[[int, str, str], None] | None) -> None:
        super().__init__(mocks)
        self.platform_mocks = mocks
        self.records: dict[str, RenderedResource] = {}
        self.on_register = on_register

    def RegisterResource(self, request: Any) -> Any:
        with _synchronous():
            response = super().RegisterResource(request)
        _keep_outputs_secret(request, response)
        arn = rpc.deserialize_properties(response.object).get("arn") if request.custom else None
        self._record(
            request,
            response.urn,
            response.id,
            rpc.deserialize_properties(request.object),
            arn=arn if isinstance(arn, str) else None,
            custom=bool(request.custom),
            protect=bool(request.protect),
            retain_on_delete=bool(request.retainOnDelete),
            depends_on=sorted(request.dependencies),  # a set in the SDK: sorted, the render is stable
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
        with _synchronous():
            response = super().ReadResource(request)
        self._record(
            request, response.urn, request.id, rpc.deserialize_properties(request.properties), custom=True
        )
        return response

    def Invoke(self, request: Any) -> Any:
        with _synchronous():
            return super().Invoke(request)

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
    # Where the caller keeps it off (a command that exits after rendering: `command.run`), the
    # garbage of this process's previous render is freed before the next starts, and the last
    # render's is never collected at all.
    global _rendered_here
    deferred_annotations.install()
    collecting = gc.isenabled()
    if not collecting and _rendered_here:
        gc.collect()
    gc.disable()
    try:
        with _without_stack_traces(), _monitor_calls_inline():
            return contextvars.Context().run(_render, stack, project_dir, on_register, program)
    finally:
        _rendered_here = True
        if collecting:
            gc.enable()


_rendered_here = False
"""Whether this process has rendered a stack (a forked worker starts with its parent's value)."""


def keep_previous_garbage() -> None:
    """The next render in this process (collection off) does not collect the previous render's
    garbage first. For a worker that renders one or two stacks and exits: collecting staging's
    garbage before dev took 1.4 s of a 3.1 s render and saved 27 MB of peak memory (314 → 287 MB;
    prod then shared: 330 → 327 MB), below the prod render's own peak either way."""
    global _rendered_here
    _rendered_here = False


@contextlib.contextmanager
def _without_stack_traces() -> Iterator[None]:
    """Registrations carry no source stack trace during a render.

    The SDK walks and formats the whole Python stack (reading source lines, building file URIs)
    for each registration so that the engine can point its messages at the program's source.
    The mock monitor discards it and a `RenderedResource` does not record it, yet it cost a sixth
    of a render's time (deeper component nesting, longer stacks).
    """
    original = runtime_resource._get_stack_trace
    runtime_resource._get_stack_trace = source_pb2.StackTrace
    try:
        yield
    finally:
        runtime_resource._get_stack_trace = original


# Monitor calls in the event loop's thread ----------------------------------------------------
#
# The SDK hands every monitor call (register, read, invoke) to a thread pool and waits for the
# answer on its event loop; the mock monitor, in that thread, serialises its answer by pumping an
# event loop of its own. Against the mock, which answers at once, the two thread hand-offs per
# resource only cost CPU time (about 5% of a render) and, on a busy machine, a wait for a time
# slice each. The render runs each call where it is made instead, and lets the mock serialise its
# answer synchronously: serialising plain data never waits for anything.

_IN_MONITOR = contextvars.ContextVar("in_monitor", default=False)


@contextlib.contextmanager
def _synchronous() -> Iterator[None]:
    token = _IN_MONITOR.set(True)
    try:
        yield
    finally:
        _IN_MONITOR.reset(token)


def _run_to_end(awaitable: Any) -> Any:
    """Run a coroutine that does not wait for anything to its end, here and now."""
    coroutine = awaitable.__await__()
    try:
        waits_for = coroutine.send(None)
    except StopIteration as finished:
        return finished.value
    coroutine.close()
    raise RuntimeError(f"the mock monitor's answer waited for {waits_for!r}")


class _InlineExecutor(concurrent.futures.ThreadPoolExecutor):
    """An executor that runs what it is given at once, in the caller's thread."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the awaiting code, as a thread pool would
            future.set_exception(exc)
        return future


@contextlib.contextmanager
def _monitor_calls_inline() -> Iterator[asyncio.AbstractEventLoop]:
    """A fresh event loop whose executor runs calls inline, with the mock monitor's own
    `_sync_await` completing its (never-waiting) serialisation synchronously."""
    original_sync_await = pulumi_mocks._sync_await

    def sync_await(awaitable: Any) -> Any:
        return _run_to_end(awaitable) if _IN_MONITOR.get() else original_sync_await(awaitable)

    policy = asyncio.get_event_loop_policy()
    try:
        previous: asyncio.AbstractEventLoop | None = policy.get_event_loop()
    except RuntimeError:
        previous = None
    loop = asyncio.new_event_loop()
    loop.set_default_executor(_InlineExecutor(max_workers=1))
    policy.set_event_loop(loop)
    pulumi_mocks._sync_await = sync_await
    try:
        yield loop
    finally:
        pulumi_mocks._sync_await = original_sync_await
        policy.set_event_loop(previous)  # code run after the render finds the loop it had
        loop.close()


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

    # As the language host does: the whole config in PULUMI_CONFIG (what `read_config` lists keys
    # from), for the duration of the run only.
    engine_env = {"PULUMI_CONFIG": json.dumps(flat), "PULUMI_CONFIG_SECRET_KEYS": json.dumps(secret_keys)}
    before = {key: os.environ.get(key) for key in engine_env}
    os.environ.update(engine_env)
    try:
        run()
    finally:
        for key, value in before.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return RenderedStack(
        stack=stack,
        resources=dict(sorted(monitor.records.items())),  # by URN: stable whatever the RPC order
        outputs=json.loads(json.dumps(outputs, default=str)),
        seconds=time.perf_counter() - started,
    )
