"""Aurora PostgreSQL in one region: regional, primary of a global database, or its secondary."""

from social_components.database.args import DatabaseArgs, DatabaseInsightsMode, MonitoringInterval
from social_components.database.component import Database, cluster_parameters
from social_components.database.validation import (
    SERVERLESS,
    check_args,
    parameter_group_family,
    serverless_max_connections,
)

__all__ = [
    "SERVERLESS",
    "Database",
    "DatabaseArgs",
    "DatabaseInsightsMode",
    "MonitoringInterval",
    "check_args",
    "cluster_parameters",
    "parameter_group_family",
    "serverless_max_connections",
]
