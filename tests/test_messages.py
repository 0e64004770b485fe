"""Messages a person reads when a stack file is wrong: the key, what is wrong, how to write it right.

Each case is a mistake people make in YAML stack files: a typo in a key, an account id without
quotes (which YAML reads as a number, or with a leading 0 as an *octal* number), a stack name that
has no file, a value far too long to echo.
"""

from __future__ import annotations

import contextlib
import io
from typing import Any

import pytest
import yaml

from social_platform import preview
from social_platform.errors import MAX_MESSAGE, ConfigError, ConfigIssue

from .conftest import assert_config_error, bad_config_cases, load_with

TYPOS = [
    ("top-level key", "dev", {"netwrok": {}}, "social-platform:netwrok", "did you mean 'network'?"),
    (
        "section key",
        "dev",
        {"database.backup_retention": 3},
        "database.backup_retention",
        "did you mean 'backup_retention_days'?",
    ),
    ("nested key", "dev", {"cluster.karpenter.cpu_limt": 8}, "cluster.karpenter.cpu_limt", "'cpu_limit'?"),
    ("environment key", "dev", {"environment.teir": "dev"}, "environment.teir", "did you mean 'tier'?"),
    # Nothing close: the few keys allowed at that place are listed instead.
    ("nothing close", "dev", {"environment.zzz": 1}, "environment.zzz", "allowed here: name, tier"),
]


@bad_config_cases(TYPOS)
def test_an_unknown_key_gets_the_closest_allowed_key(stack: str, changes: dict, key: str, words: str) -> None:
    assert_config_error(stack, changes, key, words)


def yaml_value(text: str) -> Any:
    """What PyYAML (YAML 1.1, like the stack files' reader) makes of a scalar written unquoted."""
    return yaml.safe_load(f"value: {text}")["value"]


def test_an_unquoted_account_id_is_asked_for_in_quotes() -> None:
    assert yaml_value("222222222222") == 222222222222
    assert_config_error(
        "dev",
        {"accounts.dev.id": yaml_value("222222222222")},
        "accounts.dev.id",
        'write it in quotes, "222222222222"',
    )


def test_an_unquoted_account_id_with_a_leading_zero_is_shown_as_written_not_as_octal() -> None:
    assert yaml_value("022222222222") == 2454267026  # YAML 1.1: a leading 0 means octal
    error = assert_config_error(
        "dev", {"accounts.dev.id": yaml_value("022222222222")}, "accounts.dev.id", '"022222222222"'
    )
    assert "octal" in str(error)


def test_a_huge_bad_value_gives_a_short_message() -> None:
    error = assert_config_error(
        "dev", {"regions.eu-west-1.vpc_cidr": "x" * 1_000_000}, "regions.eu-west-1.vpc_cidr", ""
    )
    assert len(str(error)) < 2 * MAX_MESSAGE


def test_a_huge_region_name_gives_a_short_message() -> None:
    """Region names are keys of `regions`: a key the user wrote is capped like a value."""
    huge = "x" * 1_000_000
    with pytest.raises(ConfigError) as caught:
        load_with("dev", {"regions": {huge: {"primary": True, "vpc_cidr": "10.10.0.0/16"}}})
    assert "unknown region" in str(caught.value)
    assert len(str(caught.value)) < 3 * MAX_MESSAGE


def preview_error(*stacks: str) -> tuple[int, str]:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = preview.main(list(stacks))
    return code, err.getvalue()


def test_an_unknown_stack_is_called_unknown_not_invalid_configuration() -> None:
    code, err = preview_error("nosuch")
    assert code == 2
    assert "error: no stack 'nosuch': there is no Pulumi.nosuch.yaml in this project" in err
    assert "stacks: dev, prod, shared, staging" in err
    assert "invalid configuration" not in err


def test_a_config_error_lists_each_key_on_its_own_line_and_names_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issues = [ConfigIssue("database.backup_retention", "unknown key"), ConfigIssue("accounts.dev.id", "bad")]

    def failing(stack: str, **_: Any) -> Any:
        raise ConfigError(issues)

    monkeypatch.setattr(preview, "render", failing)
    code, err = preview_error("dev")
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "error: stack 'dev' has invalid configuration, so nothing was rendered:"
    assert lines[1:3] == [
        "  social-platform:database.backup_retention: unknown key",
        "  social-platform:accounts.dev.id: bad",
    ]
    # accounts live in Pulumi.yaml (project-wide), database in the stack file.
    assert lines[3] == "Fix them in Pulumi.dev.yaml and Pulumi.yaml."
