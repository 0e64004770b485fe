"""Entry point of the policy pack: `pulumi preview --policy-pack policy/` (see pack.py)."""

from __future__ import annotations

import importlib.util
import os
import sys
import types
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

for name, folder in (("social_platform", "platform"), ("social_components", "components")):
    if importlib.util.find_spec(name) is None:
        # The project is not installed in this virtualenv: load its folder under the import name
        # pyproject.toml gives it (platform/ has no __init__.py, so it never shadows the standard
        # `platform` module).
        package = types.ModuleType(name)
        package.__path__ = [str(HERE.parent / folder)]
        sys.modules[name] = package

import pack  # noqa: E402  (needs the import set-up above)

pack.serve(os.environ)
