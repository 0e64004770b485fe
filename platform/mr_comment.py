"""`mr-comment <stack> <events.jsonl>`: put a stack's `pulumi preview` summary on the merge request.

The merge-request pipeline runs `pulumi preview --policy-pack policy/ --event-log <file>` per stack
(`.gitlab-ci.yml`). The event log is Pulumi's engine events as JSON lines (the `apitype.EngineEvent`
union: `resourcePreEvent`, `policyEvent`, `diagnosticEvent`, `summaryEvent` …). This command reads
it and keeps one note per stack on the merge request, created on the first push and edited in place
on every later one (found by a hidden marker), so reviewers see the current plan, not a history.

The note says what a reviewer must look at: the change counts, every replacement and deletion
(a replaced database loses its data), the guardrail violations and any error. It talks to GitLab's
REST API with a project access token (`api` scope) in the CI variable `GITLAB_API_TOKEN`; without
one it prints the summary and says why nothing was posted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

MARKER = "<!-- social-platform:pulumi-preview:{stack} -->"
OPS = ("create", "update", "replace", "delete", "same")
REVIEW_OPS = {"replace": "replace", "create-replacement": "replace", "delete-replaced": "replace"}
"""Steps a reviewer must see one by one (besides deletions); the engine emits several per replacement."""
MAX_ROWS = 50
"""Longest list of resources or violations in a note (GitLab notes are limited to 1,000,000 chars)."""


@dataclass
class Summary:
    stack: str
    counts: Counter[str] = field(default_factory=Counter)
    replaced: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    violations: list[tuple[str, str, str, str]] = field(default_factory=list)
    """(enforcement level, policy, resource, message)."""
    errors: list[str] = field(default_factory=list)
    finished: bool = False

    @property
    def blocked(self) -> bool:
        return bool(self.errors) or any(level == "mandatory" for level, *_ in self.violations)


def _name(urn: str) -> str:
    """`urn:pulumi:dev::social-platform::a$b$aws:rds/cluster:Cluster::db` → `aws:rds/cluster:Cluster db`."""
    if not urn.startswith("urn:pulumi:"):
        return urn
    parts = urn.split("::")
    kind = parts[2].rsplit("$", 1)[-1] if len(parts) > 2 else "?"
    return f"{kind} {parts[-1]}"


def summarize(stack: str, events: Iterable[Mapping[str, Any]]) -> Summary:
    """Fold an event log into what the note shows."""
    summary = Summary(stack)
    for event in events:
        if pre := event.get("resourcePreEvent"):
            meta = pre.get("metadata", {})
            op, urn = meta.get("op", ""), meta.get("urn", "")
            if meta.get("type") == "pulumi:pulumi:Stack":
                continue
            if REVIEW_OPS.get(op) == "replace" and _name(urn) not in summary.replaced:
                summary.replaced.append(_name(urn))
            elif op == "delete":
                summary.deleted.append(_name(urn))
        elif policy := event.get("policyEvent"):
            summary.violations.append(
                (
                    policy.get("enforcementLevel", "?"),
                    policy.get("policyName", "?"),
                    _name(policy.get("resourceUrn", "")) or "(stack)",
                    " ".join(str(policy.get("message", "")).split()),
                )
            )
        elif (diag := event.get("diagnosticEvent")) and diag.get("severity") == "error":
            summary.errors.append(" ".join(str(diag.get("message", "")).split()))
        elif done := event.get("summaryEvent"):
            summary.counts.update({op: n for op, n in done.get("resourceChanges", {}).items() if n})
            summary.finished = True
    return summary


def read_events(path: Path) -> list[dict[str, Any]]:
    """The event log's JSON lines; a line cut off by a killed job is skipped."""
    events = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        try:
            value = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(value, dict):
            events.append(value)
    return events


def _rows(items: Sequence[str], fmt: str) -> list[str]:
    shown = [fmt.format(item) for item in items[:MAX_ROWS]]
    if len(items) > MAX_ROWS:
        shown.append(f"- … and {len(items) - MAX_ROWS} more (see the job's artifacts)")
    return shown


def render_note(summary: Summary, job_url: str = "", commit: str = "") -> str:
    """The note's Markdown, starting with the stack's marker."""
    if not summary.finished:
        verdict = "did not finish"
    elif summary.blocked:
        verdict = "blocked"
    elif summary.replaced or summary.deleted:
        verdict = "needs a careful review"
    else:
        verdict = "ok"
    where = " · ".join(
        p for p in (f"commit `{commit}`" if commit else "", f"[job]({job_url})" if job_url else "") if p
    )
    lines = [
        MARKER.format(stack=summary.stack),
        f"### `pulumi preview` of `{summary.stack}`: {verdict}",
        "",
        "| " + " | ".join(OPS) + " |",
        "|" + "---:|" * len(OPS),
        "| " + " | ".join(str(summary.counts.get(op, 0)) for op in OPS) + " |",
    ]
    if where:
        lines += ["", where]
    if summary.errors:
        lines += ["", "**Errors**", *_rows(summary.errors, "- {}")]
    if summary.violations:
        lines += [
            "",
            "**Guardrail violations** (policy pack `policy/`)",
            "",
            "| level | policy | resource | message |",
        ]
        lines += ["|---|---|---|---|"]
        lines += [
            "| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |"
            for row in summary.violations[:MAX_ROWS]
        ]
    if summary.replaced:
        lines += ["", "**Replaced** (deleted and created again — data in them is lost)"]
        lines += _rows(summary.replaced, "- `{}`")
    if summary.deleted:
        lines += ["", "**Deleted**", *_rows(summary.deleted, "- `{}`")]
    return "\n".join(lines) + "\n"


class GitLab:
    """The three notes calls this needs, on one merge request."""

    def __init__(self, api_url: str, project: str, merge_request: str, token: str) -> None:
        self.base = f"{api_url.rstrip('/')}/projects/{urllib.parse.quote(project, safe='')}"
        self.notes = f"{self.base}/merge_requests/{merge_request}/notes"
        self.token = token

    def _call(self, method: str, url: str, body: Mapping[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method=method)
        request.add_header("PRIVATE-TOKEN", self.token)
        request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def find(self, marker: str) -> int | None:
        page = 1
        while True:
            notes = self._call("GET", f"{self.notes}?per_page=100&page={page}&sort=asc&order_by=created_at")
            for note in notes:
                if str(note.get("body", "")).startswith(marker):
                    return int(note["id"])
            if len(notes) < 100:
                return None
            page += 1

    def upsert(self, marker: str, body: str) -> str:
        """Edit the note that starts with `marker`, or create it. Returns what was done."""
        note_id = self.find(marker)
        if note_id is None:
            self._call("POST", self.notes, {"body": body})
            return "created"
        self._call("PUT", f"{self.notes}/{note_id}", {"body": body})
        return "updated"


def main(
    argv: Sequence[str] | None = None, out: TextIO = sys.stdout, env: Mapping[str, str] | None = None
) -> int:
    parser = argparse.ArgumentParser(prog="mr-comment", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="the stack the event log belongs to")
    parser.add_argument("events", type=Path, help="the file `pulumi preview --event-log` wrote")
    args = parser.parse_args(argv)
    env = os.environ if env is None else env
    if not args.events.is_file():
        print(f"mr-comment: no event log at {args.events} (did `pulumi preview` start?)", file=sys.stderr)
        return 1
    summary = summarize(args.stack, read_events(args.events))
    body = render_note(summary, env.get("CI_JOB_URL", ""), env.get("CI_COMMIT_SHORT_SHA", ""))
    print(body, file=out)
    needed = ("CI_API_V4_URL", "CI_PROJECT_ID", "CI_MERGE_REQUEST_IID", "GITLAB_API_TOKEN")
    missing = [name for name in needed if not env.get(name)]
    if missing:
        print(
            f"mr-comment: not posted, {', '.join(missing)} unset (outside a merge request pipeline?)",
            file=out,
        )
        return 0
    gitlab = GitLab(
        env["CI_API_V4_URL"], env["CI_PROJECT_ID"], env["CI_MERGE_REQUEST_IID"], env["GITLAB_API_TOKEN"]
    )
    try:
        done = gitlab.upsert(MARKER.format(stack=args.stack), body)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        print(f"mr-comment: could not post the note: {exc}", file=sys.stderr)
        return 1
    print(f"mr-comment: note for {args.stack} {done}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
