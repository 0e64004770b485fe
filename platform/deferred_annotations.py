"""Offline renders import the Pulumi provider SDKs with their annotations left unevaluated.

The generated SDKs (`pulumi_aws` above all) annotate every resource constructor, Args class and
output getter with `Optional[pulumi.Input[Union[...]]]`-style types. Python evaluates each of those
when the module is imported; a render of prod spends about half of its SDK import time (1.7 s of
3.5 s on this project's machines) building `typing` objects that nothing looks at. Compiling the
SDK modules with `from __future__ import annotations` (PEP 563) keeps each annotation as its
source string instead. The SDK itself only reads its annotations through `typing.get_type_hints`
with the class's module globals (output types, invoke results: `pulumi._types`), which resolves
strings to the same types, and `inspect.signature` without `eval_str`; so what a render registers
is unchanged: `tests/test_fast_commands.py` compares the JSON of prod and shared (between them
every resource type any stack declares) rendered with and without this finder. One difference a
reader of the SDK's types would see: the `*ArgsDict` TypedDicts lose `NotRequired` (with string
annotations `typing` cannot see it), so every key counts as required; nothing in a render reads them.

`install()` puts a finder in front of `sys.meta_path` for the SDK packages in `DEFERRED`, in this
process only: `render()` and the console scripts (`command.py`, before they import anything that
imports an SDK) install it; a real `pulumi up` (`__main__.py`) never does. SDK modules imported
before it is installed keep their standard code. The compiled code is cached beside the SDK's own
bytecode (`__pycache__/<module>.<tag>.deferred.pyc`, keyed by the interpreter's magic number, its
optimisation level and the source's mtime and size) and filled by `scripts/setup` (`precompile`),
so no render compiles. A module with no usable cache entry is compiled and cached on import, or,
where nothing may be written (`PYTHONDONTWRITEBYTECODE`, a read-only install), imported the standard
way: compiling the SDK on every run would cost more than it saves.
"""

from __future__ import annotations
import __future__

import _imp
import contextlib
import importlib.abc
import importlib.machinery
import importlib.util
import marshal
import os
import sys
from collections.abc import Sequence
from types import CodeType, ModuleType

DEFERRED = ("pulumi_aws", "pulumi_kubernetes", "pulumi_eks", "pulumi_random", "pulumi_tls")
"""Generated provider SDKs (module name prefixes) whose annotations are left unevaluated."""

_FLAGS = __future__.annotations.compiler_flag
_SUFFIX = f".{sys.implementation.cache_tag}.deferred.pyc"


def cache_path(source: str) -> str:
    """Where the deferred-annotation bytecode of the module at `source` is kept."""
    folder, file = os.path.split(source)
    return os.path.join(folder, "__pycache__", os.path.splitext(file)[0] + _SUFFIX)


class _Loader(importlib.machinery.SourceFileLoader):
    """A source loader compiling with PEP 563 and caching that code beside the standard bytecode."""

    def __init__(self, fullname: str, path: str, finder: DeferredAnnotationsFinder) -> None:
        super().__init__(fullname, path)
        self.finder = finder

    def get_code(self, fullname: str) -> CodeType | None:
        source = self.get_filename(fullname)
        code = cached_code(source)
        if code is not None:
            return code
        if not self.finder.writable:  # no cache and none may be written: the standard bytecode
            return super().get_code(fullname)
        code, written = compile_to_cache(source)
        self.finder.writable = written
        return code


def _header(source: str) -> bytes:
    """What a cache entry must start with to be used: the bytecode format, the optimisation level
    (`-O` strips asserts) and the source's mtime and size."""
    stat = os.stat(source)
    stamp = stat.st_mtime_ns.to_bytes(8, "little") + stat.st_size.to_bytes(8, "little")
    return importlib.util.MAGIC_NUMBER + bytes([sys.flags.optimize]) + stamp


def cached_code(source: str) -> CodeType | None:
    """The cached deferred-annotation code of the module at `source`, if it is up to date."""
    header = _header(source)
    try:
        with open(cache_path(source), "rb") as file:
            data = file.read()
    except OSError:
        return None
    if data[: len(header)] != header:
        return None
    try:
        code = marshal.loads(memoryview(data)[len(header) :])
    except (EOFError, ValueError, TypeError):  # a truncated or damaged entry: compile again
        return None
    if not isinstance(code, CodeType):
        return None
    # As the standard loader does (the venv may have moved); typeshed does not list this CPython helper.
    _imp._fix_co_filename(code, source)  # type: ignore[attr-defined]
    return code


def compile_to_cache(source: str) -> tuple[CodeType, bool]:
    """The module at `source` compiled with PEP 563, and whether its cache could be written."""
    header = _header(source)
    with open(source, "rb") as file:
        code = compile(file.read(), source, "exec", flags=_FLAGS, dont_inherit=True)
    cached = cache_path(source)
    temporary = f"{cached}.{os.getpid()}"
    try:
        os.makedirs(os.path.dirname(cached), exist_ok=True)
        with open(temporary, "wb") as file:
            file.write(header + marshal.dumps(code))
        os.replace(temporary, cached)  # atomic: parallel workers may compile the same module
    except OSError:
        with contextlib.suppress(OSError):
            os.remove(temporary)
        return code, False
    return code, True


class DeferredAnnotationsFinder(importlib.abc.MetaPathFinder):
    """Finds the `DEFERRED` SDK modules as the path finder does, loading them with `_Loader`."""

    def __init__(self, prefixes: Sequence[str] = DEFERRED) -> None:
        self.prefixes = tuple(prefixes)
        self.writable = not sys.dont_write_bytecode

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.partition(".")[0] not in self.prefixes:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is not None and type(spec.loader) is importlib.machinery.SourceFileLoader and spec.origin:
            spec.loader = _Loader(fullname, spec.origin, self)
        return spec


def install() -> DeferredAnnotationsFinder:
    """Put the finder first on `sys.meta_path` (once). SDK modules imported before keep their code."""
    for finder in sys.meta_path:
        if isinstance(finder, DeferredAnnotationsFinder):
            return finder
    finder = DeferredAnnotationsFinder()
    sys.meta_path.insert(0, finder)
    return finder


def _refresh(source: str) -> bool:
    """Compile `source` into the cache unless it is up to date there; whether it was compiled."""
    if cached_code(source) is not None:
        return False
    _, written = compile_to_cache(source)
    if not written:
        raise OSError(f"cannot write {cache_path(source)}")
    return True


def precompile(prefixes: Sequence[str] = DEFERRED, processes: int | None = None) -> int:
    """Fill the cache for every module of the installed `prefixes` packages (as `uv sync
    --compile-bytecode` does for the standard bytecode); the number of modules compiled."""
    import multiprocessing
    from importlib.util import find_spec
    from pathlib import Path

    sources: list[str] = []
    for prefix in prefixes:
        spec = find_spec(prefix)
        for folder in (spec.submodule_search_locations or []) if spec else []:
            sources += sorted(str(path) for path in Path(folder).rglob("*.py"))
    with multiprocessing.Pool(processes) as pool:
        return sum(pool.map(_refresh, sources, chunksize=16))


if __name__ == "__main__":
    print(f"deferred-annotation bytecode: {precompile()} SDK modules compiled")
