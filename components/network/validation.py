"""Pure helpers of the network: the subnet plan, carved from the VPC CIDR with `ipaddress`.

Each tier gets a region of the VPC with a slot for every possible AZ (`MAX_AZS`), in the order
private, public, data. A subnet's CIDR depends only on its tier and AZ index, never on how many AZs
are in use, so adding an AZ later never moves (and so never replaces) an existing subnet.
"""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

SubnetTier = Literal["public", "private", "data"]
TIERS: tuple[SubnetTier, ...] = ("private", "public", "data")
"""Allocation order: largest first, so every region stays aligned."""
MAX_AZS = 6
MIN_AZS = 2
SMALLEST_SUBNET = 28
"""AWS's smallest subnet is a /28."""


@dataclass(frozen=True)
class SubnetPrefixes:
    """Prefix length of one subnet per tier. Unset: derived from the VPC's size (see `defaults`)."""

    public: int | None = None
    private: int | None = None
    data: int | None = None

    def resolve(self, vpc: ipaddress.IPv4Network) -> dict[SubnetTier, int]:
        """Defaults sized for EKS pod density: private gets 1/8 of the VPC per AZ (a /19 of a /16),
        public and data 1/256 (a /24 of a /16), never smaller than a /28."""
        derived = {
            "private": vpc.prefixlen + 3,
            "public": min(vpc.prefixlen + 8, SMALLEST_SUBNET),
            "data": min(vpc.prefixlen + 8, SMALLEST_SUBNET),
        }
        given = {"public": self.public, "private": self.private, "data": self.data}
        return {tier: given[tier] or derived[tier] for tier in TIERS}


def required_prefix(prefixes: Mapping[SubnetTier, int]) -> int:
    """The largest VPC prefix length that holds `MAX_AZS` slots of every tier."""
    total = MAX_AZS * sum(2 ** (32 - prefixes[tier]) for tier in TIERS)
    return 32 - math.ceil(math.log2(total))


def plan_subnets(
    vpc_cidr: str | ipaddress.IPv4Network, az_count: int, prefixes: SubnetPrefixes | None = None
) -> dict[SubnetTier, list[ipaddress.IPv4Network]]:
    """The CIDR of every subnet, per tier, for the first `az_count` AZs.

    Raises ValueError naming the argument and what is allowed.
    """
    vpc = ipaddress.IPv4Network(vpc_cidr)
    if not MIN_AZS <= az_count <= MAX_AZS:
        raise ValueError(f"az_count must be {MIN_AZS} to {MAX_AZS} (got {az_count})")
    sizes = (prefixes or SubnetPrefixes()).resolve(vpc)
    for tier, prefix in sizes.items():
        if not vpc.prefixlen < prefix <= SMALLEST_SUBNET:
            raise ValueError(
                f"subnet_prefixes.{tier} must be between /{vpc.prefixlen + 1} and /{SMALLEST_SUBNET} "
                f"for a {vpc} VPC (got /{prefix})"
            )
    needed = required_prefix(sizes)
    if vpc.prefixlen > needed:
        layout = ", ".join(f"{tier} /{sizes[tier]}" for tier in TIERS)
        raise ValueError(
            f"vpc_cidr {vpc} is too small: {MAX_AZS} AZ slots of ({layout}) need a /{needed} or larger; "
            "use a larger vpc_cidr or smaller subnet_prefixes"
        )
    plan: dict[SubnetTier, list[ipaddress.IPv4Network]] = {}
    cursor = int(vpc.network_address)
    for tier in TIERS:
        size = 2 ** (32 - sizes[tier])
        cursor = -(-cursor // size) * size  # align the tier's region to its subnet size
        plan[tier] = [ipaddress.IPv4Network((cursor + i * size, sizes[tier])) for i in range(az_count)]
        cursor += MAX_AZS * size
    return plan
