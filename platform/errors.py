"""The one error type bad configuration raises.

Every config problem becomes a `ConfigError` listing one line per problem, each naming the key
path as it is written in the stack file (``social-platform:database.backup_retention_days``) and
what is allowed. `__main__.py` turns it into a short `pulumi.RunError`; the offline preview prints
it and exits 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

NAMESPACE = "social-platform"
MAX_MESSAGE = 300
"""Longest message of one problem: a validator that echoes a huge value still gives a short line."""


MAX_ECHO = 300
"""Longest message (and key path) an issue keeps: a 1 MB value must not become a 2 MB error."""


def cap(text: str, limit: int = MAX_ECHO) -> str:
    """`text`, cut to `limit` characters with a marker saying how much was left out."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit} more characters)"


@dataclass(frozen=True)
class ConfigIssue:
    """One problem: where (a dotted path below the project namespace) and what is wrong.
    Both are capped (`cap`), whatever the value they quote."""

    path: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", cap(self.path, 200))
        object.__setattr__(self, "message", cap(self.message))

    @property
    def key(self) -> str:
        head, _, rest = self.path.partition(".")
        return f"{NAMESPACE}:{head}" + (f".{rest}" if rest else "")

    def __str__(self) -> str:
        message = self.message if len(self.message) <= MAX_MESSAGE else self.message[: MAX_MESSAGE - 1] + "…"
        return f"{self.key}: {message}"


class ConfigError(ValueError):
    """Invalid stack configuration. `issues` holds every problem found in one pass."""

    def __init__(self, issues: Iterable[ConfigIssue], source: str = "stack configuration") -> None:
        self.issues = tuple(issues)
        self.source = source
        lines = "\n".join(f"  - {issue}" for issue in self.issues)
        super().__init__(f"invalid {source} ({len(self.issues)} problem(s)):\n{lines}")

    @property
    def keys(self) -> list[str]:
        return [issue.key for issue in self.issues]
