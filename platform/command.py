"""How the project's console scripts (`preview`, `cost`, `diagram`, …) run.

A command renders one or more stacks and then ends. The console scripts point here
(`pyproject.toml`: `preview = "social_platform.command:preview"`, …), not at each module's `main`,
so that before the command's module is imported:

- the SDK finder of `deferred_annotations` is installed: several command modules import
  `pulumi_aws` (through `pulumi_eks`) as they load, too early for `render()` to install it;
- cyclic garbage collection is off. Two costs of a render are only worth paying by a process that
  goes on living: collecting what a render leaves behind (hundreds of thousands of the SDK's futures
  and outputs: 0.7 s after a prod render) and the interpreter's teardown, which frees every object one
  by one (1.7 s after a prod render). With collection off, `render` frees an earlier render's garbage
  in the same process before starting the next, so memory stays that of one stack; and the command
  leaves with `os._exit` once its output is flushed and the `atexit` handlers (the SDK's trace export)
  have run.

`main(argv)` of each module behaves as before, so the tests call it directly.
"""

from __future__ import annotations

import atexit
import functools
import gc
import importlib
import os
import sys
from collections.abc import Callable
from typing import NoReturn

from social_platform import deferred_annotations


def run(module: str) -> NoReturn:
    """Run `social_platform.<module>.main()` as a console script (see the module's doc)."""
    deferred_annotations.install()
    # Imported inside `exit_with`: with collection already off, and a SystemExit on import handled.
    exit_with(lambda: importlib.import_module(f"social_platform.{module}").main())


def exit_with(main: Callable[[], int | None]) -> NoReturn:
    """Run `main` and leave with its status, as the interpreter would but without its teardown."""
    gc.disable()
    try:
        status = _status(main())
    except SystemExit as exc:  # argparse's --help and usage errors, sys.exit(...)
        if exc.code is not None and not isinstance(exc.code, int):
            print(exc.code, file=sys.stderr)
        status = _status(exc.code)
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe (`preview prod | head`): the interpreter's own exit status
        status = status or 120
    os._exit(status)


def _status(code: object) -> int:
    """An exit status as `sys.exit(code)` gives it: None is 0, an int itself, anything else 1."""
    if code is None:
        return 0
    return code if isinstance(code, int) else 1


# The console scripts (`pyproject.toml`), each the command's module given to `run`.
preview = functools.partial(run, "preview")
cost = functools.partial(run, "cost")
diagram = functools.partial(run, "diagram")
recovery = functools.partial(run, "recovery_report")
docs = functools.partial(run, "docs")
guardrails = functools.partial(run, "guardrails")
