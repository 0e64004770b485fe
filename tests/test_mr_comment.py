"""The merge request's preview note: what a reviewer must see, one note per stack, edited in place.

The event log below is written in the shape of Pulumi's `apitype.EngineEvent` (sdk/go/common/apitype/
events.go): one JSON object per line, exactly one event field set. GitLab is a local HTTP server that
answers the notes API as documented (list, create, edit).
"""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from social_platform import mr_comment

DB = "urn:pulumi:prod::social-platform::social:database:Database$aws:rds/cluster:Cluster::prod-euw1-db"
BUCKET = "urn:pulumi:prod::social-platform::social:edge:Edge$aws:s3/bucket:Bucket::prod-media"
QUEUE = "urn:pulumi:prod::social-platform::aws:sqs/queue:Queue::prod-events"


def event(seq: int, **payload: Any) -> dict[str, Any]:
    return {"sequence": seq, "timestamp": 1_764_600_000 + seq, **payload}


def pre(seq: int, op: str, urn: str) -> dict[str, Any]:
    kind = urn.split("::")[2].rsplit("$", 1)[-1]
    return event(seq, resourcePreEvent={"metadata": {"op": op, "urn": urn, "type": kind, "provider": ""}})


EVENTS = [
    event(0, preludeEvent={"config": {}}),
    pre(1, "same", "urn:pulumi:prod::social-platform::pulumi:pulumi:Stack::social-platform-prod"),
    pre(2, "create-replacement", DB),
    pre(3, "replace", DB),
    pre(4, "delete-replaced", DB),
    pre(5, "delete", QUEUE),
    pre(6, "update", BUCKET),
    event(
        7,
        policyEvent={
            "resourceUrn": BUCKET,
            "message": "Every bucket blocks public access.\nprod-media has no public access block",
            "color": "never",
            "policyName": "s3-block-public-access",
            "policyPackName": "social-platform-guardrails",
            "policyPackVersion": "0.1.0",
            "policyPackVersionTag": "v0.1.0",
            "enforcementLevel": "mandatory",
        },
    ),
    event(
        8,
        summaryEvent={
            "maybeCorrupt": False,
            "durationSeconds": 40,
            "isPreview": True,
            "PolicyPacks": {},
            "resourceChanges": {"replace": 1, "delete": 1, "update": 1, "same": 410},
        },
    ),
]


@pytest.fixture
def log(tmp_path: Path) -> Path:
    path = tmp_path / "events-prod.jsonl"
    # The last line is cut off, as when a job is cancelled while the engine writes.
    path.write_text("\n".join(json.dumps(e) for e in EVENTS) + '\n{"sequence": 9, "diagn')
    return path


def test_the_note_shows_counts_replacements_deletions_and_blocking_violations(log: Path) -> None:
    summary = mr_comment.summarize("prod", mr_comment.read_events(log))
    note = mr_comment.render_note(summary, "https://gitlab.example.com/job/1", "abc1234")
    assert note.startswith("<!-- social-platform:pulumi-preview:prod -->\n")
    assert "`pulumi preview` of `prod`: blocked" in note
    assert "| 0 | 1 | 1 | 1 | 410 |" in note  # create update replace delete same
    # A replacement is three engine steps; the reviewer sees the database once.
    assert note.count("aws:rds/cluster:Cluster prod-euw1-db") == 1
    assert "- `aws:sqs/queue:Queue prod-events`" in note.split("**Deleted**")[1]
    assert "| mandatory | s3-block-public-access | aws:s3/bucket:Bucket prod-media |" in note
    assert "commit `abc1234` · [job](https://gitlab.example.com/job/1)" in note


def test_a_preview_that_did_not_finish_says_so_rather_than_ok(tmp_path: Path) -> None:
    summary = mr_comment.summarize("dev", EVENTS[:3])
    assert "`pulumi preview` of `dev`: did not finish" in mr_comment.render_note(summary)
    clean = mr_comment.summarize(
        "dev", [EVENTS[0], EVENTS[-1] | {"summaryEvent": {"resourceChanges": {"same": 3}}}]
    )
    assert "`pulumi preview` of `dev`: ok" in mr_comment.render_note(clean)


class FakeGitLab:
    """GitLab's merge request notes API, in memory."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = [{"id": 7, "body": "LGTM, but please check the NAT change"}]
        self.tokens: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _body(self) -> dict[str, Any]:
                return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

            def do_GET(self) -> None:
                fake.tokens.add(self.headers["PRIVATE-TOKEN"])
                assert self.path.startswith("/api/v4/projects/42/merge_requests/5/notes?")
                self._reply(200, fake.notes)

            def do_POST(self) -> None:
                assert self.path == "/api/v4/projects/42/merge_requests/5/notes"
                note = {"id": 100 + len(fake.notes), "body": self._body()["body"]}
                fake.notes.append(note)
                self._reply(201, note)

            def do_PUT(self) -> None:
                note_id = int(self.path.rsplit("/", 1)[1])
                (note,) = [n for n in fake.notes if n["id"] == note_id]
                note["body"] = self._body()["body"]
                self._reply(200, note)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/v4"


@pytest.fixture
def gitlab() -> Iterator[FakeGitLab]:
    fake = FakeGitLab()
    thread = threading.Thread(target=fake.server.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.server.shutdown()


def test_each_push_edits_the_stacks_own_note_and_leaves_the_rest(log: Path, gitlab: FakeGitLab) -> None:
    env = {
        "CI_API_V4_URL": gitlab.url,
        "CI_PROJECT_ID": "42",
        "CI_MERGE_REQUEST_IID": "5",
        "GITLAB_API_TOKEN": "glpat-test",
        "CI_COMMIT_SHORT_SHA": "abc1234",
    }
    assert mr_comment.main(["prod", str(log)], out=io.StringIO(), env=env) == 0
    assert mr_comment.main(["dev", str(log)], out=io.StringIO(), env=env) == 0
    out = io.StringIO()
    assert mr_comment.main(["prod", str(log)], out=out, env={**env, "CI_COMMIT_SHORT_SHA": "def5678"}) == 0
    assert "note for prod updated" in out.getvalue()
    bodies = [note["body"] for note in gitlab.notes]
    assert bodies[0] == "LGTM, but please check the NAT change"
    assert len(bodies) == 3  # a reviewer's note, one for prod (edited), one for dev
    (prod,) = [b for b in bodies if b.startswith("<!-- social-platform:pulumi-preview:prod -->")]
    assert "commit `def5678`" in prod
    assert gitlab.tokens == {"glpat-test"}


def test_outside_a_merge_request_it_prints_the_summary_and_posts_nothing(log: Path) -> None:
    out = io.StringIO()
    assert mr_comment.main(["prod", str(log)], out=out, env={}) == 0
    assert (
        "not posted, CI_API_V4_URL, CI_PROJECT_ID, CI_MERGE_REQUEST_IID, GITLAB_API_TOKEN unset"
        in out.getvalue()
    )
