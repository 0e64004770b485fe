"""The Markdown check: what makes a page break when GitLab renders it, found before it is merged.

Run by the test suite over every Markdown file of the repository (README.md, docs/ …):

- code fences are balanced and closed, and every fence names its language (an unclosed or
  misplaced fence turns the rest of a page, headings included, into one code block);
- no heading inside a code block, and no Python statement outside one;
- every relative link points at a file that exists, and every `#anchor` at a heading of its page
  (slugs as GitLab and GitHub make them);
- no `<placeholder>` outside code (renderers take it for an HTML tag and drop it);
- every repository path written as code (`platform/x.py`) exists, so renamed files cannot leave
  stale references behind;
- shell blocks whose info string says `offline` (```` ```bash offline ````) are examples the tests
  run from the repository root (see docs/writing-docs.md).
"""

from __future__ import annotations

import re
import subprocess
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from social_platform.stackfiles import PROJECT_ROOT

FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
CODE_HEADING = re.compile(r"^#{2,6}\s+\S")
"""A Markdown heading inside a code block (a single `#` is a shell or Python comment)."""
PYTHON_OUTSIDE = re.compile(r"^(import [A-Za-z_][\w.]*\s*$|from [A-Za-z_][\w.]* import |pulumi\.export\()")
LINK = re.compile(r"(?<!\\)!?\[(?P<text>[^\]\n]*)\]\((?P<target>[^)\s]+)(?:\s+\"[^\"]*\")?\)")
CODE_SPAN = re.compile(r"(`+)(?P<code>.+?)\1", re.DOTALL)
REPO_PATH = re.compile(r"^(?:\./)?(?:platform|components|tests|scripts|schema|policy|docs|\.ci)/[\w./-]*$")
RAW_TAG = re.compile(r"<(?!!--|/?(?:br|details|summary|sub|sup|kbd)\b)[A-Za-z][^>\n]*>")
"""`<name>` in prose: GitLab and GitHub treat it as an HTML tag and drop it."""
SHELL_LANGUAGES = frozenset({"bash", "sh", "shell"})
OFFLINE = "offline"


@dataclass(frozen=True)
class Block:
    """A fenced code block."""

    path: Path
    line: int
    """1-based line of the opening fence."""
    language: str
    flags: tuple[str, ...]
    """The words of the info string after the language, e.g. `("offline",)`."""
    code: str


@dataclass(frozen=True)
class Page:
    path: Path
    lines: tuple[str, ...]
    blocks: tuple[Block, ...]
    prose: tuple[tuple[int, str], ...]
    """(1-based line number, text) of every line outside code blocks."""
    problems: tuple[str, ...]
    """Problems found while reading the fences."""


def markdown_files(root: Path = PROJECT_ROOT) -> list[Path]:
    """The repository's Markdown files: tracked or new (not ignored), else every *.md outside
    ignored folders when git is not available."""
    try:
        out = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", "*.md"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        files = [root / line for line in out.splitlines() if line]
    except (OSError, subprocess.CalledProcessError):
        skip = {".venv", "node_modules", "build", ".git", ".pytest_cache", ".mypy_cache", "out"}
        files = [p for p in root.rglob("*.md") if not skip & set(p.relative_to(root).parts)]
    return sorted(p for p in files if p.is_file())


def read(path: Path) -> Page:
    """Split a page into fenced blocks and prose lines, noting fence problems."""
    lines = tuple(path.read_text(encoding="utf-8").splitlines())
    blocks: list[Block] = []
    prose: list[tuple[int, str]] = []
    problems: list[str] = []
    opened: tuple[int, str, str, tuple[str, ...]] | None = None  # line, fence, language, flags
    indent = 0  # of the opening fence: a block inside a list item loses that much from each line
    body: list[str] = []
    for number, line in enumerate(lines, start=1):
        match = FENCE.match(line)
        if opened is None:
            if match and not (match["fence"][0] == "`" and "`" in match["info"]):
                words = match["info"].split()
                language, flags = (words[0], tuple(words[1:])) if words else ("", ())
                if not language:
                    problems.append(
                        f"{number}: a code block without a language (```bash, ```python, ```text …);"
                        " if this was meant to close a block, the block before it is not closed"
                    )
                opened, body, indent = (number, match["fence"], language, flags), [], len(match["indent"])
            else:
                prose.append((number, line))
            continue
        start, fence, language, flags = opened
        if (
            match
            and match["fence"][0] == fence[0]
            and len(match["fence"]) >= len(fence)
            and not match["info"].strip()
        ):
            blocks.append(Block(path, start, language, flags, "\n".join(body) + "\n"))
            opened = None
            continue
        if CODE_HEADING.match(line.strip()) and language not in ("markdown", "md"):
            problems.append(f"{number}: a heading inside the code block opened on line {start}")
        body.append(line[min(indent, len(line) - len(line.lstrip(" "))) :])
    if opened is not None:
        problems.append(f"{opened[0]}: a code block that is never closed")
    return Page(path, lines, tuple(blocks), tuple(prose), tuple(problems))


def _plain(heading: str) -> str:
    """A heading's text as rendered: links reduced to their text, code spans to their content."""
    text = LINK.sub(lambda m: m["text"], heading)
    return CODE_SPAN.sub(lambda m: m["code"], text)


def slugs(text: str) -> tuple[str, str]:
    """The anchors (GitLab, GitHub) of a heading: lower case, punctuation dropped, spaces to
    hyphens; GitLab also folds runs of hyphens into one."""
    plain = _plain(text).strip().lower()
    kept = "".join(c for c in plain if c in "- _" or unicodedata.category(c)[0] in "LN")
    github = kept.replace(" ", "-")
    return re.sub(r"-+", "-", github), github


def anchors(page: Page) -> set[str]:
    """Anchors that work on both GitLab and GitHub (a repeated heading gets -1, -2 …)."""
    per_renderer: list[set[str]] = [set(), set()]
    seen: list[dict[str, int]] = [{}, {}]
    for _, line in page.prose:
        match = HEADING.match(line)
        if not match:
            continue
        for index, slug in enumerate(slugs(match["text"])):
            count = seen[index].get(slug, 0)
            seen[index][slug] = count + 1
            per_renderer[index].add(slug if count == 0 else f"{slug}-{count}")
    return per_renderer[0] & per_renderer[1]


def paragraphs(page: Page) -> Iterator[tuple[int, str]]:
    """(first line, text) of each run of prose lines: code spans and links may cross lines."""
    start, lines = 0, list[str]()
    for number, line in [*page.prose, (0, "")]:
        if line.strip() and (not lines or number == start + len(lines)):
            start = start if lines else number
            lines.append(line)
            continue
        if lines:
            yield start, "\n".join(lines)
        start, lines = number, [line] if line.strip() else []


def _line(start: int, text: str, position: int) -> int:
    return start + text.count("\n", 0, position)


def problems(page: Page, root: Path = PROJECT_ROOT, pages: dict[Path, Page] | None = None) -> list[str]:
    """Everything wrong with one page, as `path:line: message`."""
    pages = pages if pages is not None else {}
    found = list(page.problems)

    def target_page(path: Path) -> Page:
        if path not in pages:
            pages[path] = read(path)
        return pages[path]

    def missing(word: str) -> bool:
        return not (root / word.removeprefix("./").rstrip("/")).exists()

    for number, line in page.prose:
        if PYTHON_OUTSIDE.match(line):
            found.append(f"{number}: Python outside a code block (a missing ```python fence?)")
    for block in page.blocks:
        if block.language not in SHELL_LANGUAGES:
            continue
        for offset, line in enumerate(block.code.splitlines(), start=1):
            for word in re.findall(r"(?<![\w/])\./scripts/[\w.-]+", line.split("#")[0]):
                if missing(word):
                    found.append(f"{block.line + offset}: `{word}` does not exist in the repository")
    for start, text in paragraphs(page):
        for span in CODE_SPAN.finditer(text):
            words = span["code"].split()
            # A path, or a command: `./scripts/preflight <stack>` names scripts/preflight.
            if words and REPO_PATH.match(words[0]) and missing(words[0]):
                found.append(
                    f"{_line(start, text, span.start())}: `{words[0]}` does not exist in the repository"
                )
        prose = CODE_SPAN.sub(lambda m: "`" * len(m[0]), text)  # same length, so positions hold
        for tag in RAW_TAG.finditer(prose):
            found.append(
                f"{_line(start, prose, tag.start())}: {tag[0]} outside code is dropped by the renderer"
                " (write it as code)"
            )
        for link in LINK.finditer(prose):
            number = _line(start, prose, link.start())
            target = link["target"]
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto: …
                continue
            file_part, _, anchor = target.partition("#")
            linked = (page.path.parent / file_part).resolve() if file_part else page.path
            if file_part and not linked.exists():
                found.append(f"{number}: link to {file_part}, which does not exist")
                continue
            if anchor and linked.suffix == ".md" and anchor not in anchors(target_page(linked)):
                found.append(f"{number}: link to #{anchor}, which is not a heading of {linked.name}")
    rel = page.path.relative_to(root) if page.path.is_relative_to(root) else page.path
    return [f"{rel}:{p}" for p in sorted(found, key=lambda p: int(p.split(":")[0]))]


def offline_examples(files: list[Path] | None = None) -> list[Block]:
    """Shell blocks marked `offline`: run by the tests, from the repository root."""
    return [
        block
        for path in (files if files is not None else markdown_files())
        for block in read(path).blocks
        if block.language in SHELL_LANGUAGES and OFFLINE in block.flags
    ]
