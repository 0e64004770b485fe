"""A three-tier VPC per account and region: public, private and data subnets in every AZ."""

from social_components.network.args import InterfaceEndpoint, NatStrategy, NetworkArgs
from social_components.network.component import Network
from social_components.network.validation import MAX_AZS, SubnetPrefixes, SubnetTier, plan_subnets

__all__ = [
    "MAX_AZS",
    "InterfaceEndpoint",
    "NatStrategy",
    "Network",
    "NetworkArgs",
    "SubnetPrefixes",
    "SubnetTier",
    "plan_subnets",
]
