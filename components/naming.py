"""AWS naming helpers shared by components, their test mocks and the platform (pure, no Pulumi)."""

from __future__ import annotations

_COMPASS = (("north", "n"), ("south", "s"), ("east", "e"), ("west", "w"), ("central", "c"))


def region_code(region: str) -> str:
    """A short, stable code for names: us-east-1 → use1, ap-southeast-2 → apse2, ap-south-2 → aps2.
    (The same code AWS puts in ElastiCache endpoints.)"""
    area, *middle, number = region.split("-")
    code = "-".join(middle)
    for word, letter in _COMPASS:
        code = code.replace(word, letter)
    return area + code.replace("-", "") + number
