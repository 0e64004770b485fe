"""`config-schema`: write (or `--check`) the stack files' JSON Schema, schema/stack-config.schema.json."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from social_platform.config import config_schema
from social_platform.stackfiles import PROJECT_ROOT

SCHEMA_FILE = PROJECT_ROOT / "schema" / "stack-config.schema.json"


def schema_text() -> str:
    return json.dumps(config_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="config-schema", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if the committed schema is out of date")
    args = parser.parse_args(argv)
    if args.check:
        current = SCHEMA_FILE.read_text() if SCHEMA_FILE.exists() else ""
        if current != schema_text():
            print(f"{SCHEMA_FILE} is out of date; run `config-schema`", file=sys.stderr)
            return 1
        return 0
    SCHEMA_FILE.parent.mkdir(exist_ok=True)
    SCHEMA_FILE.write_text(schema_text())
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
