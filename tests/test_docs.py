"""The documentation renders, links where it says, matches the code and its examples run.

- every Markdown file: fences closed and labelled, no heading swallowed by a code block, no Python
  outside one, relative links and `#anchors` resolve, code paths exist (`doccheck`);
- every component has a reference page whose argument and output tables are generated from its code,
  and the configuration page's tables from the config model (`docs --check`);
- every Python example on those pages imports names that exist and passes only arguments the args
  dataclasses have;
- every shell example marked `offline` runs, from the repository root, and succeeds.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import os
import subprocess
from pathlib import Path

import pytest

from social_platform import doccheck, docs
from social_platform.stackfiles import PROJECT_ROOT

FILES = doccheck.markdown_files()


def test_the_check_sees_the_readme_and_the_docs_folder() -> None:
    names = {p.relative_to(PROJECT_ROOT).as_posix() for p in FILES}
    assert "README.md" in names
    assert {f"docs/components/{c}.md" for c in docs.components()} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(PROJECT_ROOT).as_posix())
def test_a_markdown_file_renders_and_its_links_resolve(path: Path) -> None:
    assert doccheck.problems(doccheck.read(path)) == []


def _page(tmp_path: Path, text: str, name: str = "page.md") -> list[str]:
    path = tmp_path / name
    path.write_text(text)
    return doccheck.problems(doccheck.read(path), root=tmp_path)


def test_the_check_catches_what_broke_the_readme_before(tmp_path: Path) -> None:
    # An example left unfenced, whose closing fence then opens a block that swallows a heading.
    broken = "# Edge\n\nimport pulumi\nfrom x import y\n```\n\n## Publishing\n\ntext\n```bash\nls\n```\n"
    found = _page(tmp_path, broken)
    assert any("Python outside a code block" in p for p in found)
    assert any("without a language" in p for p in found)
    assert any("heading inside the code block" in p for p in found)
    assert any("never closed" in p for p in _page(tmp_path, "# T\n\n```python\nx = 1\n"))
    assert _page(tmp_path, "# T\n\n```python\n# a comment\nx = 1\n```\n") == []


def test_the_check_catches_dead_links_anchors_and_paths(tmp_path: Path) -> None:
    (tmp_path / "other.md").write_text("# Other\n\n## Before the first `pulumi up`\n")
    good = "# T\n\n[a](other.md) [b](other.md#before-the-first-pulumi-up) [c](#t) [d](https://x.test/y)\n"
    assert _page(tmp_path, good) == []
    assert _page(tmp_path, "# T\n\n[a](missing.md)\n") == [
        "page.md:3: link to missing.md, which does not exist"
    ]
    assert _page(tmp_path, "# T\n\n[a](other.md#nope)\n") == [
        "page.md:3: link to #nope, which is not a heading of other.md"
    ]
    assert _page(tmp_path, "# T\n\nSee `platform/nothing_here.py`.\n") == [
        "page.md:3: `platform/nothing_here.py` does not exist in the repository"
    ]
    assert _page(tmp_path, "# T\n\n```bash\n./scripts/nothing-here dev\n```\n") == [
        "page.md:4: `./scripts/nothing-here` does not exist in the repository"
    ]
    # A placeholder outside code vanishes when rendered; inside a code span (even across lines) it stays.
    assert _page(tmp_path, "# T\n\nThe zone\n<env>.example.com.\n") == [
        "page.md:4: <env> outside code is dropped by the renderer (write it as code)"
    ]
    assert _page(tmp_path, "# T\n\nThe zone `api.\n<env>.example.com`.\n") == []


def test_a_code_block_inside_a_list_item_is_read_without_the_item_indent(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    path.write_text("# T\n\n1. Add:\n\n   ```python\n   x = {\n       1: 2,\n   }\n   ```\n")
    (block,) = doccheck.read(path).blocks
    assert block.code == "x = {\n    1: 2,\n}\n"


def test_anchors_follow_gitlab_and_github_and_number_repeats() -> None:
    assert doccheck.slugs("Outputs, and how the apps get them") == ("outputs-and-how-the-apps-get-them",) * 2
    assert doccheck.slugs("Reach the cluster after `pulumi up`")[0] == "reach-the-cluster-after-pulumi-up"
    # "a — b" is "a--b" on GitHub and "a-b" on GitLab: no anchor works on both.
    assert len(set(doccheck.slugs("Edge — CloudFront"))) == 2


# ---------------------------------------------------------------------------------------------
# Component reference pages


def test_every_component_page_is_generated_from_the_code() -> None:
    assert docs.components(), "no component with an args.py was found"
    assert docs.main(["--check"]) == 0, "a generated page is stale or missing: run ./scripts/docs"


def _python_examples() -> list[doccheck.Block]:
    return [b for p in FILES for b in doccheck.read(p).blocks if b.language == "python"]


@pytest.mark.parametrize("block", _python_examples(), ids=lambda b: f"{b.path.name}:{b.line}")
def test_a_python_example_uses_names_and_arguments_that_exist(block: doccheck.Block) -> None:
    tree = ast.parse(block.code, filename=f"{block.path}:{block.line}")
    imported: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("social_components"):
            module = importlib.import_module(node.module)
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module} has no {alias.name}"
                imported[alias.asname or alias.name] = getattr(module, alias.name)
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        cls = imported.get(node.func.id)
        if isinstance(cls, type) and dataclasses.is_dataclass(cls):
            fields = {f.name for f in dataclasses.fields(cls)}
            for keyword in node.keywords:
                assert keyword.arg in fields, (
                    f"line {node.lineno}: {cls.__name__} has no argument {keyword.arg}"
                )


# ---------------------------------------------------------------------------------------------
# Shell examples that run offline


def test_shell_examples_marked_offline_exist() -> None:
    assert doccheck.offline_examples(), "no ```bash offline example found"


@pytest.mark.parametrize(
    "block", doccheck.offline_examples(FILES), ids=lambda b: f"{b.path.relative_to(PROJECT_ROOT)}:{b.line}"
)
def test_a_shell_example_marked_offline_runs(block: doccheck.Block) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", block.code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 0, f"{block.path}:{block.line} failed:\n{result.stdout}\n{result.stderr}"
