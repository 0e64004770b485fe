"""Recovery objectives computed from the render: what each stack supports, against its targets.

Read as a specification: prod's database survives a region through its global secondary, its data
survives the account through copies in the shared account; a stack that loses a mechanism misses its
target and the guardrail check fails; the README's table is what `recovery --readme` prints.
"""

from __future__ import annotations

import dataclasses

import botocore.session
import pytest

from social_platform import guardrails, recovery, recovery_report, stackfiles
from social_platform.areas.backup import RecoveryTarget
from social_platform.render import RenderedStack
from social_platform.rulebook import StackView
from social_platform.stackview import stack_view

README = stackfiles.PROJECT_ROOT / "README.md"
STACKS = ("dev", "staging", "prod", "shared")


def result(rendered: dict[str, RenderedStack], stack: str) -> recovery.StackRecovery:
    return recovery.recovery_of(rendered[stack])


def without(view: StackView, predicate: object) -> StackView:
    return dataclasses.replace(view, resources=tuple(r for r in view.resources if not predicate(r)))  # type: ignore[operator]


def test_aws_backups_default_schedule_is_read_as_daily() -> None:
    """The hour field of AWS Backup's own default schedule (botocore's model) means once a day."""
    doc = botocore.session.get_session().get_service_model("backup").shape_for("BackupRuleInput")
    text = str(doc.members["ScheduleExpression"].documentation)
    default = text[text.index("cron(") : text.index(")", text.index("cron(")) + 1]
    assert recovery.hours_between(default) == 24
    assert recovery.hours_between("cron(0 3/4 * * ? *)") == 4
    assert recovery.hours_between("cron(0 1,13 * * ? *)") == 12
    assert recovery.hours_between("rate(1 hour)") is None


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_stack_meets_the_recovery_targets_of_its_config(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    found = result(rendered, stack)
    assert found.targets, f"{stack} promises nothing"
    assert found.misses() == []


def test_prod_lists_each_data_store_once_with_what_recovers_it(rendered: dict[str, RenderedStack]) -> None:
    found = result(rendered, "prod")
    names = {r.name for r in found.resources}
    assert {"edge-media", "streaming-recordings", "prod-euw1-db-cluster"} <= names
    assert "prod-euc1-db-cluster" not in names  # the global secondary: its data is the primary's
    assert "edge-logs" not in names and "edge-web" not in names  # exempt from backup-covered, with reasons
    db = next(r for r in found.resources if r.name == "prod-euw1-db-cluster")
    region_lost = db.scenarios["region_lost"]
    assert region_lost is not None and "Global Database" in region_lost.how
    account_lost = db.scenarios["account_lost"]
    assert account_lost is not None and "111111111111" in account_lost.how


def test_without_its_global_secondary_prods_database_falls_back_to_backup_copies(
    rendered: dict[str, RenderedStack],
) -> None:
    view = stack_view(rendered["prod"], tier="prod")
    secondary = "prod-euc1-db-cluster"
    found = recovery.analyse(without(view, lambda r: r.name == secondary), {})
    db = next(r for r in found.resources if r.name == "prod-euw1-db-cluster")
    region_lost = db.scenarios["region_lost"]
    assert region_lost is not None and "AWS Backup copy" in region_lost.how
    assert region_lost.rpo_minutes > 60


def test_a_stack_without_copies_cannot_survive_losing_its_account_and_misses_that_target(
    rendered: dict[str, RenderedStack],
) -> None:
    view = stack_view(rendered["staging"], tier="staging")
    target = {"account_lost": RecoveryTarget(rpo_minutes=1440, rto_minutes=2880)}
    found = recovery.analyse(view, target)
    assert found.supported("account_lost") is None
    assert found.misses() and all("not recoverable" in miss for miss in found.misses())


def test_a_target_tighter_than_the_render_supports_is_a_miss(rendered: dict[str, RenderedStack]) -> None:
    view = stack_view(rendered["prod"], tier="prod")
    found = recovery.analyse(view, {"region_lost": RecoveryTarget(rpo_minutes=0, rto_minutes=1)})
    assert any("RPO" in miss for miss in found.misses())
    assert any("RTO" in miss for miss in found.misses())


def test_the_guardrail_check_fails_a_stack_that_misses_its_targets(
    rendered: dict[str, RenderedStack], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(guardrails, "render", lambda name: rendered[name])
    assert guardrails.main(["check", "prod"]) == 0
    strict = {"deleted_data": RecoveryTarget(rpo_minutes=0, rto_minutes=1)}
    monkeypatch.setattr(
        recovery, "recovery_of", lambda stack: recovery.analyse(stack_view(stack, tier="prod"), strict)
    )
    assert guardrails.main(["check", "prod"]) == 1
    assert "[recovery-targets]" in capsys.readouterr().out


def readme_block() -> str:
    text = README.read_text()
    start = text.index(recovery_report.README_BEGIN)
    end = text.index(recovery_report.README_END) + len(recovery_report.README_END)
    return text[start:end]


def test_readme_table_is_what_recovery_prints(rendered: dict[str, RenderedStack]) -> None:
    expected = recovery_report.readme_section([result(rendered, name) for name in STACKS])
    assert readme_block() == expected, (
        "run: recovery --readme dev staging prod shared, and paste it into README.md"
    )


def test_prod_media_fails_over_in_minutes_and_without_the_origin_group_it_takes_a_change(
    rendered: dict[str, RenderedStack],
) -> None:
    view = stack_view(rendered["prod"], tier="prod")

    def media(found: recovery.StackRecovery) -> recovery.Objective:
        objective = next(r for r in found.resources if r.name == "edge-media").scenarios["region_lost"]
        assert objective is not None
        return objective

    with_group = media(recovery.analyse(view, {}))
    assert "origin group" in with_group.how and with_group.rpo_minutes <= 15 and with_group.rto_minutes <= 15
    distribution = next(r for r in view.resources if r.type == recovery.DISTRIBUTION)
    ungrouped = dataclasses.replace(distribution, props={**distribution.props, "originGroups": []})
    view_without = dataclasses.replace(
        view, resources=tuple(ungrouped if r is distribution else r for r in view.resources)
    )
    without_group = media(recovery.analyse(view_without, {}))
    assert "origin group" not in without_group.how and without_group.rto_minutes > with_group.rto_minutes
