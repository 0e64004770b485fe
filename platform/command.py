"""How the project's console scripts (`preview`, `cost`, `diagram`, …) run: `entry(main)`.

A command renders one or more stacks and then ends. Two costs of a render are only worth paying
by a process that goes on living, and a command skips both:

- the cyclic garbage collection of what a render leaves behind (hundreds of thousands of the SDK's
  futures and outputs: 0.7 s after a prod render). A command runs with collection off; `render`
  then frees an earlier render's garbage in the same process before starting the next, so memory
  stays that of one stack however many a command renders;
- the interpreter's own teardown, which frees every object one by one (1.7 s after a prod render).
  A command flushes its output and leaves with `os._exit`.

`main(argv)` itself behaves as before, so the tests call it directly.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Callable
from typing import NoReturn


def entry(main: Callable[[], int | None]) -> Callable[[], NoReturn]:
    """The console-script function for `main` (which returns the exit status)."""

    def run() -> NoReturn:
        gc.disable()
        try:
            status = main()
        except SystemExit as exc:  # argparse's --help and usage errors
            status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            if not isinstance(exc.code, int | None):
                print(exc.code, file=sys.stderr)
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(status or 0)

    run.__doc__ = main.__doc__
    return run
