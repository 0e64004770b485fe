"""Migrations area: the `migrations` section (where the migration Job runs and the database user it
signs in as), its checks, and the build step: one `Migrations` in the primary region, beside the
database's writer, with `Database.grant_connect` for the migration user (through the RDS Proxy) and
`Database.grant_secret_read` for the bootstrap Job. docs/migrations.md has the whole path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import Field

from social_components.cluster import Cluster
from social_components.database import Database
from social_components.migrations import DatabaseEndpoint, Migrations, MigrationsArgs
from social_platform.areas.base import K8sName, Section, arg_default, needs
from social_platform.areas.cluster import ClusterConfig
from social_platform.areas.data import DatabaseConfig
from social_platform.areas.stack import StackConfig
from social_platform.areas.wallet import WalletConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

DbUser = Annotated[str, Field(pattern=r"^[a-z_][a-z0-9_]{0,62}$")]


class MigrationsConfig(Section):
    """Schema migrations: an Argo CD PreSync Job that signs in to the database with its own role."""

    KEY = "migrations"

    namespace: K8sName = arg_default(MigrationsArgs, "namespace")
    """Namespace of the application whose sync runs the migration Job (its PreSync hook)."""
    service_account: K8sName = arg_default(MigrationsArgs, "service_account")
    """The migration Job's service account (the only one that gets the migration role)."""
    db_user: DbUser = arg_default(MigrationsArgs, "db_user")
    """The database user migrations sign in as (IAM authentication through the RDS Proxy)."""


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """It stands on the cluster and the database; its user is not a service's."""
    section = cfg.section(MigrationsConfig)
    if not section.enabled:
        return
    yield from needs(
        "migrations.enabled",
        "the migration Job runs on the cluster against the database",
        cfg.section(ClusterConfig),
        cfg.section(DatabaseConfig),
    )
    wallet = cfg.section(WalletConfig)
    if wallet.enabled and wallet.db_user == section.db_user:
        yield ConfigIssue(
            "migrations.db_user", f"is the wallet's user ({wallet.db_user}); migrations sign in as their own"
        )


def build(
    platform: Platform, clusters: Mapping[str, Cluster], databases: Mapping[str, Database]
) -> Migrations | None:
    """The migration role and the users' bootstrap in the primary region (the writer's); None where
    the section is off or the primary region has no cluster or database."""
    cfg = platform.cfg
    section = cfg.section(MigrationsConfig)
    primary = cfg.regions.primary.name
    cluster, database = clusters.get(primary), databases.get(primary)
    if not section.enabled or cluster is None or database is None:
        return None
    wallet = cfg.section(WalletConfig)
    app_users = {wallet.db_user: "the wallet service"} if wallet.enabled else {}
    migrations = Migrations(
        f"{platform.name(primary)}-migrations",
        MigrationsArgs(
            cluster_name=cluster.cluster_name,
            cluster_arn=cluster.arn,
            provider=cluster.provider,
            database=DatabaseEndpoint(
                host=database.writer_endpoint,
                port=database.args.port,
                database_name=database.args.database_name,
                master_secret_arn=database.secret_arn,
            ),
            namespace=section.namespace,
            service_account=section.service_account,
            db_user=section.db_user,
            app_users=app_users,
        ),
        wait_for=[database],
        protect=platform.protect,
        opts=platform.options(primary),
    )
    database.grant_connect("migrations", migrations.role, section.db_user)
    database.grant_secret_read("db-bootstrap", migrations.bootstrap_role)
    return migrations


def outputs(migrations: Migrations | None) -> dict[str, Any]:
    """The migration role (for the Job's service account) and the bootstrap Job's name."""
    if migrations is None:
        return {}
    return {"migrations": {"role_arn": migrations.role.arn, "bootstrap_job": migrations.job.metadata.name}}
