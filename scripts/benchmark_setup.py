"""Set-up and check times as a new user meets them; prints figures, asserts nothing.

    python scripts/benchmark_setup.py [--runs N] [--skip-tests]

1. first run on a clean machine: a fresh clone, empty uv and pip caches, no uv on PATH, then
   `source scripts/setup` (installs uv into .cache/uv, then everything uv.lock pins);
2. a second `source scripts/setup` in that clone (what every later command pays);
3. warm `./scripts/test` in that clone: run once to warm mypy's cache, then timed (median of N).

Figures depend on the machine and on what else runs on it: the load average is printed beside them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    quiet = subprocess.DEVNULL
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=quiet, stderr=quiet)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of the warm ./scripts/test")
    parser.add_argument("--skip-tests", action="store_true", help="measure the set-up only")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-setup-"))
    try:
        clone = work / "clone"
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        path = ":".join(p for p in os.environ["PATH"].split(":") if not (Path(p) / "uv").exists())
        env = {
            **{k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "UV", "PYTHONPATH")},
            "PATH": path,
            "UV_CACHE_DIR": str(work / "uv-cache"),
            "PIP_NO_CACHE_DIR": "1",
        }
        print(f"load average before: {os.getloadavg()[0]:.1f} ({os.cpu_count()} cores)")
        first = timed(["bash", "-c", "source scripts/setup"], clone, env)
        print(f"first run on a clean machine (clone, empty caches): {first:6.1f} s")
        again = timed(["bash", "-c", "source scripts/setup"], clone, env)
        print(f"set-up again (nothing to do):                     {again:6.1f} s")
        if not args.skip_tests:
            timed(["bash", "scripts/test", "-q"], clone, env)  # warms mypy's cache
            runs = [timed(["bash", "scripts/test", "-q"], clone, env) for _ in range(args.runs)]
            print(
                f"warm ./scripts/test (median of {args.runs}):              {statistics.median(runs):6.1f} s"
                f"  (runs: {', '.join(f'{r:.1f}' for r in runs)})"
            )
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
