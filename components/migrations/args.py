"""Arguments of the `Migrations` component."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from ..versions import AWS_CLI_IMAGE, POSTGRES_CLIENT_IMAGE


@dataclass(frozen=True)
class DatabaseEndpoint:
    """Where the bootstrap Job signs in as the master user (the writer, not the proxy: the proxy
    takes IAM tokens only) and where that user's credentials are."""

    host: pulumi.Input[str]
    """The cluster's writer endpoint."""
    port: int
    database_name: str
    master_secret_arn: pulumi.Input[str]
    """The Secrets Manager secret with the master user's ``username`` and ``password`` (JSON)."""


@dataclass(frozen=True)
class MigrationsArgs:
    cluster_name: str
    cluster_arn: pulumi.Input[str]
    provider: k8s.Provider
    """The cluster's Kubernetes provider (the bootstrap Job runs there)."""
    database: DatabaseEndpoint
    namespace: str = "api"
    """Namespace of the application whose sync runs the migration Job (an Argo CD PreSync hook)."""
    service_account: str = "migrations"
    """The migration Job's service account: the only one that gets the migration role."""
    db_user: str = "migrator"
    """The database user migrations sign in as (IAM authentication; owns the schema's objects)."""
    app_users: Mapping[str, str] = field(default_factory=dict)
    """Database users of services (name → what they are), created by the bootstrap with IAM
    authentication and read/write access to what `db_user` creates. Unset: none."""
    postgres_image: str = POSTGRES_CLIENT_IMAGE
    """Image with `psql` (pinned; the major version of the database)."""
    aws_cli_image: str = AWS_CLI_IMAGE
    """Image with the AWS CLI (pinned) that reads the master secret."""
