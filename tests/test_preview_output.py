"""`preview`'s output: fits the terminal, children under their parent, plain when piped, and with
`--json` only the file and one summary line per stack."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from social_platform import preview
from social_platform.render import RenderedStack


def text(lines: list[preview.Line]) -> list[str]:
    return ["".join(piece for piece, _ in line).rstrip() for line in lines]


@pytest.mark.parametrize("width", [80, 120, 200])
def test_every_line_fits_the_width(rendered: dict[str, RenderedStack], width: int) -> None:
    stack = rendered["prod"]
    lines = text(preview.tree_lines(stack, width) + preview.summary_lines(stack, width))
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, too_long[:3]


def test_each_resource_is_printed_right_under_its_parent(rendered: dict[str, RenderedStack]) -> None:
    stack = rendered["prod"]
    rows = preview._walk(stack)
    assert len(rows) == len(stack)
    open_parents: list[str] = []  # the chain of ancestors of the current row, by depth
    for _, depth, resource in rows:
        del open_parents[depth:]
        if depth:
            assert resource.parent == open_parents[depth - 1], resource.urn
        open_parents.append(resource.urn)


def test_component_counts_come_after_their_parent_component(rendered: dict[str, RenderedStack]) -> None:
    lines = text(preview.summary_lines(rendered["prod"], 200))
    start = lines.index("Resources by component:")
    block = lines[start + 1 : lines.index("", start)]
    cluster = next(i for i, line in enumerate(block) if "social:cluster:Cluster" in line)
    assert "social:cluster:Addon" in block[cluster + 1]  # its add-ons follow it, indented deeper
    assert block[cluster + 1].index("social:") > block[cluster].index("social:")


def run_preview(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = preview.main(list(argv))
    return code, out.getvalue()


def test_piped_output_is_plain_text(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    code, out = run_preview("dev")
    assert code == 0
    assert "\x1b[" not in out
    assert max(len(line) for line in out.splitlines()) <= preview.PIPED_WIDTH


def test_with_json_only_the_file_and_one_line_per_stack(tmp_path: Path) -> None:
    code, out = run_preview("dev", "shared", "--json", str(tmp_path))
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 2, out
    assert lines[0].startswith("dev: Resources: ") and lines[0].endswith(f"→ {tmp_path / 'dev.json'}")
    written: dict[str, Any] = json.loads((tmp_path / "dev.json").read_text())
    assert written["stack"] == "dev"


def test_json_to_the_wrong_kind_of_path_is_refused_naming_the_option(tmp_path: Path) -> None:
    """Several stacks write a directory, one stack a file: the other kind is a usage error (exit 2)
    naming `--json`, not a traceback from inside the workers."""
    a_file = tmp_path / "dev.json"
    a_file.write_text("{}")
    for argv in (("dev", "shared", "--json", str(a_file)), ("dev", "--json", str(tmp_path))):
        err = io.StringIO()
        with contextlib.redirect_stderr(err), pytest.raises(SystemExit) as exit_:
            preview.main(list(argv))
        assert exit_.value.code == 2
        assert "--json" in err.getvalue() and "Traceback" not in err.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_on_a_terminal_the_output_has_colour_and_the_terminals_width(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "90")
    monkeypatch.delenv("NO_COLOR", raising=False)
    terminal = Terminal()
    show = preview.Printer(terminal)
    assert show.width == 90
    show([[("social:cluster:Cluster", "bold cyan"), ("  dev-euw1", "")]])
    assert "\x1b[" in terminal.getvalue() and "dev-euw1" in terminal.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    assert not preview.Printer(Terminal()).styled
