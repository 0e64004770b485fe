"""The architecture picture is drawn from the render: its boxes are the stack file's accounts and
regions, its arrows the connections the render declares, and the README shows prod as rendered."""

from __future__ import annotations

import re

import pytest

from social_platform import diagram, stackfiles
from social_platform.config import region_code
from social_platform.render import RenderedStack
from tests.conftest import ENVIRONMENTS, STACKS

POSTGRES, VALKEY = 5432, 6379  # the engines' standard ports


def edges(text: str) -> set[tuple[str, str, str]]:
    return {
        (m.group(1), m.group(3), m.group(2) or "")
        for m in re.finditer(r"^  (\S+) -->(?:\|\"([^\"]*)\"\|)? (\S+)$", text, re.M)
    }


@pytest.mark.parametrize("stack", STACKS)
def test_the_picture_is_well_formed_mermaid(stack: str, rendered: dict[str, RenderedStack]) -> None:
    text = diagram.mermaid(rendered[stack])
    assert text.startswith("flowchart LR\n")
    assert text.count("subgraph ") == len(re.findall(r"^\s+end$", text, re.M))
    declared = set(re.findall(r"^\s+(\w+)[\[(]", text, re.M))
    for source, target, _ in edges(text):
        assert source in declared and target in declared, (source, target)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_each_region_of_the_stack_file_is_a_box_in_its_account(
    stack: str, rendered: dict[str, RenderedStack]
) -> None:
    values = stackfiles.read_stack_files(stack).values
    account = values["accounts"][stack]["id"]
    text = diagram.mermaid(rendered[stack])
    assert f'subgraph account_{account}["account {account} · stack {stack}"]' in text
    for name, region in values["regions"].items():  # keyed by region name
        assert f'["{name}"]' in text
        assert f'["VPC {stack}-' in text and region["vpc_cidr"] in text


def test_prod_nodes_reach_database_proxy_and_cache_in_both_regions(
    rendered: dict[str, RenderedStack],
) -> None:
    found = edges(diagram.mermaid(rendered["prod"]))
    for code in ("euw1", "euc1"):
        nodes = f"prod_{code}_system_nodes"
        assert (nodes, f"prod_{code}_db_proxy", f"tcp {POSTGRES}") in found
        assert (nodes, f"prod_{code}_db_cluster", f"tcp {POSTGRES}") in found
        assert (nodes, f"prod_{code}_cache_valkey", f"tcp {VALKEY}") in found


def test_prod_global_database_replicates_from_the_primary_region(rendered: dict[str, RenderedStack]) -> None:
    regions = stackfiles.read_stack_files("prod").values["regions"]
    (primary,) = (region_code(name) for name, region in regions.items() if region.get("primary"))
    (secondary,) = (region_code(name) for name, region in regions.items() if not region.get("primary"))
    assert (f"prod_{primary}_db_cluster", f"prod_{secondary}_db_cluster", "global database") in edges(
        diagram.mermaid(rendered["prod"])
    )


def test_dns_routes_to_cloudfront_which_serves_buckets_and_the_load_balancer_in_front_of_the_pods(
    rendered: dict[str, RenderedStack],
) -> None:
    found = edges(diagram.mermaid(rendered["dev"]))
    assert ("zone_zone", "edge_distribution", "alias") in found
    assert ("edge_distribution", "dev_euw1_ingress_alb", "api (VPC origin)") in found
    assert ("regional_waf_euw1_acl", "dev_euw1_ingress_alb", "filters") in found
    assert any(s == "dev_euw1_ingress_alb" and t == "dev_euw1_system_nodes" for s, t, _ in found)
    assert any(s == "edge_distribution" and t.startswith("edge_") for s, t, _ in found)


def test_the_readme_shows_prod_as_rendered(rendered: dict[str, RenderedStack]) -> None:
    text = (stackfiles.PROJECT_ROOT / "README.md").read_text()
    start = text.index(diagram.README_BEGIN)
    end = text.index(diagram.README_END) + len(diagram.README_END)
    assert text[start:end] == diagram.readme_section(rendered["prod"]), (
        "run: diagram prod --markdown, and paste it into README.md"
    )
