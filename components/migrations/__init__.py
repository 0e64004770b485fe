"""Database migrations, one path: the migration Job's role (an Argo CD PreSync hook signs in as the
migration user through the RDS Proxy) and the Job that bootstraps the database users."""

from .args import DatabaseEndpoint, MigrationsArgs
from .component import BOOTSTRAP_NAMESPACE, Migrations, bootstrap_sql

__all__ = ["BOOTSTRAP_NAMESPACE", "DatabaseEndpoint", "Migrations", "MigrationsArgs", "bootstrap_sql"]
