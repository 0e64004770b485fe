"""Valkey on ElastiCache in one region: a replication group reachable only from named security groups."""

from social_components.cache.args import CacheArgs, MaxmemoryPolicy
from social_components.cache.component import Cache
from social_components.cache.validation import check_args, parameter_group_family

__all__ = ["Cache", "CacheArgs", "MaxmemoryPolicy", "check_args", "parameter_group_family"]
