"""One module per area of the platform, each holding everything about that area.

An area module has, side by side: its config *section* (a pydantic model whose fields come from the
component's args where they are the same setting), the section's tier defaults and prod locks, its
checks across sections (`check(cfg)`), and its build step (config → component args → component,
plus the stack outputs it contributes). `base` holds the building blocks every section uses and
`stack` the stack-wide part (organization, accounts, environment, regions).

Import order is one way: `base` ← `stack` ← area modules ← `social_platform.config` (the root model)
and `social_platform.program` (the composition). Nothing here imports those two, so there is no
import cycle (tests/test_layout.py proves it). This file imports nothing on purpose.
"""
