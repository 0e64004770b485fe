"""The offline cost estimate: every priced resource type is covered, every price has a source, nothing
counts as a silent zero, and the README's figures are what `cost` prints."""

from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from social_platform import charges, cost, costbook, stackfiles
from social_platform.config import load_config
from social_platform.render import RenderedStack
from tests.conftest import ENVIRONMENTS, STACKS, assert_config_error, render_variant, with_stray

README = stackfiles.PROJECT_ROOT / "README.md"
REGIONS_USED = {"eu-west-1", "eu-central-1", "us-east-1"}


def usage(stack: str) -> cost.UsageConfig:
    raw = stackfiles.read_stack_files(stack)
    return load_config(raw.values, secret_keys=raw.secret_keys).usage


@pytest.fixture(scope="module")
def estimates(rendered: dict[str, RenderedStack]) -> dict[str, cost.Estimate]:
    return {name: cost.estimate_stack(name, rendered=rendered[name]) for name in STACKS}


# --- coverage: no silent zero ------------------------------------------------------------------


@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_type_in_the_render_is_priced_or_reviewed_as_free(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    assert cost.uncovered_types(rendered[stack]) == set()


def test_a_type_with_neither_rule_nor_free_entry_stops_the_estimate(
    rendered: dict[str, RenderedStack],
) -> None:
    stray = with_stray(rendered["dev"], "aws:lb/trustStore:TrustStore", "alb", {})
    with pytest.raises(costbook.UncoveredTypes) as caught:
        cost.estimate(stray, usage("dev"))
    assert caught.value.types == ["aws:lb/trustStore:TrustStore"]


def test_no_type_is_both_priced_and_free() -> None:
    assert set(costbook.RULES) & set(charges.FREE) == set()


def test_every_free_entry_says_why() -> None:
    assert all(len(reason) > 10 for reason in charges.FREE.values())


@pytest.mark.parametrize("stack", STACKS)
def test_every_charge_of_every_stack_has_a_price_line(
    stack: str, estimates: dict[str, cost.Estimate]
) -> None:
    # estimate() raises MissingPrices otherwise; here: it priced something in every region it uses
    regions = {line.charge.region for line in estimates[stack].lines}
    assert regions and regions <= REGIONS_USED | {costbook.GLOBAL}


def test_a_charge_without_a_price_line_stops_the_estimate(rendered: dict[str, RenderedStack]) -> None:
    table = costbook.price_table()
    without_nat = costbook.PriceTable(line for line in table.lines if line.price != "nat.hour")
    with pytest.raises(costbook.MissingPrices) as caught:
        cost.estimate(rendered["dev"], usage("dev"), without_nat)
    assert ("nat.hour", None, "eu-west-1") in caught.value.missing


def test_unpriced_charges_are_shown_and_left_out_of_the_total_never_counted_as_zero(
    rendered: dict[str, RenderedStack], estimates: dict[str, cost.Estimate]
) -> None:
    # a price the search did not find: the NAT gateway hour, as a line with usd null
    table = costbook.price_table()
    nat_unfound = costbook.PriceTable(
        dataclasses.replace(
            line, usd=None, source="not found by search; see https://aws.amazon.com/vpc/pricing/"
        )
        if line.price == "nat.hour"
        else line
        for line in table.lines
    )
    dev = cost.estimate(rendered["dev"], usage("dev"), nat_unfound)
    before = [line.charge.price for line in estimates["dev"].unpriced]
    assert sorted(line.charge.price for line in dev.unpriced) == sorted(
        before + ["nat.hour"] * len(nat_hours(estimates["dev"]))
    )
    report = "\n".join(cost.text_report(dev))
    assert f"{len(dev.unpriced)} charges UNPRICED" in report
    unpriced_rows = [row for row in report.splitlines() if "UNPRICED" in row and "gateway hours" in row]
    assert unpriced_rows and all("$" not in row.split("UNPRICED")[0] for row in unpriced_rows)
    priced_nat = sum(line.usd or 0.0 for line in nat_hours(estimates["dev"]))
    assert priced_nat > 0
    assert dev.total == pytest.approx(estimates["dev"].total - priced_nat)


# --- the price table -------------------------------------------------------------------------


def test_every_price_line_names_its_source_and_the_date_it_was_read() -> None:
    for line in costbook.price_table().lines:
        assert re.search(r"https?://\S+", line.source), line
        assert date.fromisoformat(line.read) <= date.today(), line
        assert line.region in REGIONS_USED | {costbook.GLOBAL, costbook.ANY_REGION}, line


def test_a_line_without_a_price_says_it_was_not_found() -> None:
    for line in costbook.price_table().lines:
        assert (line.usd is None) == line.source.startswith("not found by search"), line


def test_price_lines_are_unique() -> None:
    raw = yaml.safe_load(costbook.PRICES_FILE.read_text())["lines"]
    keys = [(line["price"], line.get("item"), line["region"]) for line in raw]
    assert len(keys) == len(set(keys))


# --- what is priced, from the stack files ----------------------------------------------------


def nat_hours(result: cost.Estimate) -> list[costbook.CostLine]:
    return [line for line in result.lines if line.charge.price == "nat.hour"]


def test_prod_pays_for_one_nat_gateway_per_az_in_each_region(estimates: dict[str, cost.Estimate]) -> None:
    regions = stackfiles.read_stack_files("prod").values["regions"]
    azs = sum(region["az_count"] for region in regions.values())
    assert len(nat_hours(estimates["prod"])) == azs
    assert all(line.charge.quantity == costbook.HOURS_PER_MONTH for line in nat_hours(estimates["prod"]))


def test_dev_pays_for_one_nat_gateway(estimates: dict[str, cost.Estimate]) -> None:
    assert len(nat_hours(estimates["dev"])) == 1


def test_each_environment_pays_for_one_eks_control_plane_per_region(
    estimates: dict[str, cost.Estimate],
) -> None:
    for stack in ENVIRONMENTS:
        regions = stackfiles.read_stack_files(stack).values["regions"]
        planes = [line for line in estimates[stack].lines if line.charge.price == "eks.cluster_hour"]
        assert sorted(line.charge.region for line in planes) == sorted(regions)  # keyed by region name


def test_a_pausing_dev_database_is_priced_for_its_active_hours_only(
    estimates: dict[str, cost.Estimate],
) -> None:
    dev_usage = usage("dev")
    (acu,) = [line for line in estimates["dev"].lines if line.charge.price == "aurora.acu_hour"]
    assert acu.charge.quantity == dev_usage.db_average_acu * dev_usage.db_active_hours
    assert "db_active_hours" in (acu.charge.assumption or "")


def test_every_usage_based_figure_names_its_assumption(estimates: dict[str, cost.Estimate]) -> None:
    report = "\n".join(cost.text_report(estimates["prod"]))
    for line in estimates["prod"].lines:
        if line.charge.assumption:
            assert line.charge.assumption in report
    assert "Usage assumptions (social-platform:usage" in report


def test_a_usage_assumption_is_validated_like_any_setting() -> None:
    assert_config_error("dev", {"usage.active_users": -1}, "usage.active_users", "greater than or equal to 0")


# --- commands and README -----------------------------------------------------------------------


def test_json_and_compare_show_what_a_change_costs(
    tmp_path: Path, estimates: dict[str, cost.Estimate], capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "main.json"
    saved.write_text(json.dumps(estimates["dev"].to_json()))
    cheaper = dataclasses.replace(
        estimates["dev"], lines=[line for line in estimates["dev"].lines if line.charge.price != "nat.hour"]
    )
    report = "\n".join(cost.compare_report(json.loads(saved.read_text()), cheaper))
    (nat,) = nat_hours(estimates["dev"])
    assert f"{-(nat.usd or 0):+12,.2f}  network dev-euw1" in report


def readme_block() -> str:
    text = README.read_text()
    start = text.index(cost.README_BEGIN)
    end = text.index(cost.README_END) + len(cost.README_END)
    return text[start:end]


def test_readme_estimates_are_what_cost_prints(estimates: dict[str, cost.Estimate]) -> None:
    expected = cost.readme_section([estimates[name] for name in ("dev", "staging", "prod")])
    assert readme_block() == expected, "run: cost --readme dev staging prod, and paste it into README.md"


def test_the_lean_dev_profile_in_the_docs_costs_less_and_stays_in_the_seeds_early_stage_range(
    tmp_path: Path, estimates: dict[str, cost.Estimate]
) -> None:
    docs = (stackfiles.PROJECT_ROOT / "docs" / "cost.md").read_text()
    snippet = re.search(r"```yaml\n# lean dev profile\n(.*?)```", docs, re.S)
    assert snippet, "docs/cost.md shows the lean dev profile as a yaml block"
    settings = yaml.safe_load(snippet.group(1))["config"]
    changes = {}
    for key, value in settings.items():
        section = key.removeprefix(stackfiles.PREFIX)
        for field, setting in value.items():
            if isinstance(setting, dict):
                changes.update({f"{section}.{field}.{k}": v for k, v in setting.items()})
            else:
                changes[f"{section}.{field}"] = setting
    lean = render_variant(tmp_path, "dev", changes)
    lean_cost = cost.estimate(lean, usage("dev"))
    assert lean_cost.total < estimates["dev"].total
    # The seeds quote $200-500/month for an early-stage platform.
    assert lean_cost.total <= 500
    # The security baseline (issue 15: the account baseline and the zones' DNSSEC signing) stays within
    # $25 a month in a lean dev account (docs/cost.md).
    baseline = sum(
        line.usd or 0.0
        for line in lean_cost.lines
        if line.component.startswith("baseline") or "-signing-" in line.resource
    )
    assert 0 < baseline <= 25
