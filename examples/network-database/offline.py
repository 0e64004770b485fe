"""Render this example offline with `social_components.testing`: no Pulumi engine, no AWS account.

    python offline.py     # one JSON line per declared resource: type, name, account, region, inputs

This is all another project needs to test a program built from the components.
"""

import json
import runpy
from pathlib import Path

import pulumi

from social_components import testing

mocks = testing.set_mocks(account="111111111111", region="eu-west-1", project="example", stack="dev")


@pulumi.runtime.test
def render() -> None:
    runpy.run_path(str(Path(__file__).with_name("__main__.py")))


render()
for resource in mocks.created:
    placement = {"account": resource.placement.account, "region": resource.placement.region}
    print(json.dumps({"type": resource.type, "name": resource.name, **placement, "inputs": resource.inputs}))
