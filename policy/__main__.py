"""Entry point of the policy pack: `pulumi preview --policy-pack policy/` (see pack.py)."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

if importlib.util.find_spec("social_platform") is None:
    # Not installed in this virtualenv: load the project's platform/ folder under its import name
    # (it has no __init__.py so that it never shadows the standard `platform` module).
    package = types.ModuleType("social_platform")
    package.__path__ = [str(HERE.parent / "platform")]
    sys.modules["social_platform"] = package

import pack  # noqa: E402  (needs the import set-up above)

pack.serve(os.environ)
