"""What makes the offline commands fast changes nothing they produce.

- Offline renders import the provider SDKs compiled with their annotations unevaluated
  (`social_platform.deferred_annotations`); the rendered JSON is byte-identical to a render that
  imports them as Python normally does.
- The console scripts (`command.run`) leave with `os._exit` and run without cyclic garbage
  collection; their output and exit status are those of `main`, and `render` still frees one
  render's garbage before the next, so a command's memory is that of one stack.
"""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from social_platform import deferred_annotations, stackfiles
from social_platform.render import render

# prod and shared together declare every resource type any stack declares (dev and staging are
# prod's shape with other settings), so they exercise every SDK class a render touches.
STACKS = ["prod", "shared"]

_RENDER_SCRIPT = """
import json, sys
from social_platform import deferred_annotations, stackfiles
from social_platform.preview import stack_json
from social_platform.render import render
if sys.argv[1] == "eager":
    deferred_annotations.install = lambda: None
out = {name: stack_json(render(name)) for name in sys.argv[2:]}
from social_platform.deferred_annotations import _Loader
def deferred(module):
    loader = module.__spec__.loader
    return isinstance(getattr(loader, "loader", loader), _Loader)  # pulumi's lazy modules wrap it
sdk = [m for n, m in list(sys.modules.items()) if n.startswith(deferred_annotations.DEFERRED)]
out["deferred"] = sorted({deferred(m) for m in sdk if getattr(m, "__spec__", None) and m.__spec__.origin})
print(json.dumps(out))
"""


def test_a_render_with_deferred_sdk_annotations_is_byte_identical_to_an_eager_one() -> None:
    runs = {
        mode: subprocess.Popen(
            [sys.executable, "-c", _RENDER_SCRIPT, mode, *STACKS], stdout=subprocess.PIPE, text=True
        )
        for mode in ("deferred", "eager")
    }
    out = {mode: json.loads(run.communicate(timeout=600)[0]) for mode, run in runs.items()}
    assert all(run.returncode == 0 for run in runs.values())
    # Each side did what it claims: every SDK module of the render deferred, or none.
    assert out["deferred"].pop("deferred") == [True]
    assert out["eager"].pop("deferred") == [False]
    for stack in STACKS:
        assert out["deferred"][stack] == out["eager"][stack], f"{stack} renders differently"
    assert len(json.loads(out["deferred"]["prod"])["resources"]) > 500


# The finder on a package of our own ----------------------------------------------------------------


@pytest.fixture
def fake_sdk(tmp_path: Path):
    """A package `fakesdk` whose module annotates a function with a name that does not exist:
    importing it evaluates that annotation (NameError) unless annotations are deferred."""
    package = tmp_path / "fakesdk"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "resource.py").write_text("def create(name: UndefinedType) -> None:\n    return None\n")
    sys.path.insert(0, str(tmp_path))
    finder = deferred_annotations.DeferredAnnotationsFinder(["fakesdk"])
    finder.writable = True  # whatever PYTHONDONTWRITEBYTECODE says: the cache is this test's own
    sys.meta_path.insert(0, finder)
    yield package, finder
    sys.meta_path.remove(finder)
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.partition(".")[0] == "fakesdk"]:
        del sys.modules[name]


def _import_fresh(name: str):
    import importlib

    for loaded in [m for m in sys.modules if m.partition(".")[0] == "fakesdk"]:
        del sys.modules[loaded]
    importlib.invalidate_caches()
    return importlib.import_module(name)


def test_the_finder_compiles_sdk_modules_with_annotations_left_as_strings(fake_sdk) -> None:
    package, _ = fake_sdk
    module = _import_fresh("fakesdk.resource")
    assert module.create.__annotations__ == {"name": "UndefinedType", "return": "None"}
    assert Path(deferred_annotations.cache_path(str(package / "resource.py"))).is_file()


def test_a_changed_sdk_module_is_compiled_again_not_served_from_the_cache(fake_sdk) -> None:
    package, _ = fake_sdk
    _import_fresh("fakesdk.resource")
    source = package / "resource.py"
    before = source.stat()
    # Same size, only the modification time tells the change.
    source.write_text(source.read_text().replace("UndefinedType", "ChangedTypeAA"))
    assert source.stat().st_size == before.st_size
    os.utime(source, ns=(before.st_atime_ns, before.st_mtime_ns + 1_000_000_000))
    module = _import_fresh("fakesdk.resource")
    assert module.create.__annotations__ == {"name": "ChangedTypeAA", "return": "None"}


def test_a_damaged_cache_entry_is_compiled_again(fake_sdk) -> None:
    package, _ = fake_sdk
    _import_fresh("fakesdk.resource")
    cached = Path(deferred_annotations.cache_path(str(package / "resource.py")))
    cached.write_bytes(cached.read_bytes()[:-20])  # as a crash in the middle of a write leaves it
    module = _import_fresh("fakesdk.resource")
    assert module.create.__annotations__["name"] == "UndefinedType"
    assert deferred_annotations.cached_code(str(package / "resource.py")) is not None  # rewritten


def test_where_no_cache_can_be_written_the_standard_loader_imports_the_module(fake_sdk) -> None:
    package, finder = fake_sdk
    finder.writable = False  # as under PYTHONDONTWRITEBYTECODE with no precompiled cache
    with pytest.raises(NameError, match="UndefinedType"):
        _import_fresh("fakesdk.resource")
    assert not Path(deferred_annotations.cache_path(str(package / "resource.py"))).exists()


def test_modules_outside_the_sdk_prefixes_are_left_to_the_standard_import(fake_sdk) -> None:
    _, finder = fake_sdk
    assert finder.find_spec("json", None) is None
    assert finder.find_spec("fakesdkextra", None) is None


def test_precompile_fills_the_cache_so_that_no_import_needs_to_write(fake_sdk) -> None:
    _, finder = fake_sdk
    assert deferred_annotations.precompile(["fakesdk"], processes=1) == 2
    assert deferred_annotations.precompile(["fakesdk"], processes=1) == 0  # up to date
    finder.writable = False
    module = _import_fresh("fakesdk.resource")
    assert module.create.__annotations__["name"] == "UndefinedType"


# Console scripts ---------------------------------------------------------------------------------


def _run_exit_with(body: str, prelude: str = "") -> subprocess.CompletedProcess[str]:
    """`exit_with(main)` in a fresh interpreter, `main` having `body` (then a line that must not run)."""
    main = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ")
    script = f"import sys\nfrom social_platform.command import exit_with\n{prelude}\ndef main():\n{main}\n"
    script += "exit_with(main)\nprint('not reached')\n"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)


def test_a_console_script_flushes_its_output_and_exits_with_mains_status() -> None:
    result = _run_exit_with("""
        print("partial line", end="")
        print("to stderr", file=sys.stderr, end="")
        return 3
    """)
    assert (result.returncode, result.stdout, result.stderr) == (3, "partial line", "to stderr")


@pytest.mark.parametrize(
    ("exit_call", "status", "stderr"),
    [("sys.exit()", 0, ""), ("sys.exit(4)", 4, ""), ("sys.exit('no such stack')", 1, "no such stack\n")],
)
def test_a_console_script_exits_as_sys_exit_would(exit_call: str, status: int, stderr: str) -> None:
    result = _run_exit_with(exit_call)
    assert (result.returncode, result.stderr) == (status, stderr)


def test_a_console_script_keeps_argparse_exits() -> None:
    result = _run_exit_with("""
        import argparse
        argparse.ArgumentParser(prog="tool").parse_args(["--bad"])
    """)
    assert result.returncode == 2
    assert "unrecognized arguments: --bad" in result.stderr


def test_a_console_script_runs_its_atexit_handlers() -> None:
    result = _run_exit_with("return 0", prelude="import atexit\natexit.register(print, 'handler ran')")
    assert result.stdout == "handler ran\n"


def test_a_console_script_runs_without_cyclic_garbage_collection() -> None:
    result = _run_exit_with("""
        import gc
        print(gc.isenabled())
        return 0
    """)
    assert result.stdout.strip() == "False"


def test_console_scripts_import_the_sdk_with_deferred_annotations_from_their_first_import() -> None:
    """`guardrails` imports pulumi_aws (through pulumi_eks) as its module loads, before any render."""
    script = textwrap.dedent(
        """
        import atexit, sys
        from social_platform.deferred_annotations import DEFERRED, _Loader
        def report():
            sdk = [m for n, m in sys.modules.items() if n.startswith(DEFERRED) and m.__spec__.origin]
            loaders = {type(getattr(m.__spec__.loader, "loader", m.__spec__.loader)) for m in sdk}
            print(len(sdk), sorted(loader is _Loader for loader in loaders))
        atexit.register(report)
        sys.argv = ["guardrails", "--help"]
        from social_platform.command import run
        run("guardrails")
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    count, kinds = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert int(count) > 100
    assert kinds == "[True]"


def test_every_rendering_console_script_goes_through_command_run() -> None:
    import tomllib

    scripts = tomllib.loads((stackfiles.PROJECT_ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    for name in ("preview", "cost", "diagram", "recovery", "docs", "guardrails"):
        assert scripts[name] == f"social_platform.command:{name}", name


def test_with_collection_off_a_render_frees_the_previous_renders_garbage_and_not_its_own() -> None:
    collections: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collections.append(info["collected"])

    render("shared")  # imports done: what follows only measures renders
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.callbacks.append(on_gc)
    try:
        render("shared")  # collects once at its start: nothing left from before
        render("shared")  # collects once at its start: the first render's garbage
    finally:
        gc.callbacks.remove(on_gc)
        if was_enabled:
            gc.enable()
    assert len(collections) == 2, collections
    assert collections[0] < 1_000 < 10_000 < collections[1], collections


def test_a_preview_worker_of_a_console_script_does_not_collect_between_its_stacks(tmp_path: Path) -> None:
    """A parallel worker renders a stack or two and exits: collecting in between cost more time than
    the memory it saved (`render.keep_previous_garbage`)."""
    from social_platform.preview import _preview_in_worker

    collections: list[int] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "stop":
            collections.append(info["collected"])

    render("shared")
    was_enabled = gc.isenabled()
    gc.disable()
    gc.callbacks.append(on_gc)
    try:
        render("shared")  # as a worker's first stack, with an earlier render in this process
        first = list(collections)
        result = _preview_in_worker("shared", tmp_path / "shared.json", 120)
    finally:
        gc.callbacks.remove(on_gc)
        if was_enabled:
            gc.enable()
    assert len(first) == 1, "render collects the previous render's garbage by default"
    assert collections == first, "the worker's render collected the previous render's garbage"
    assert result.status == 0 and (tmp_path / "shared.json").is_file()
