"""The `Migrations` component: the one path for database schema changes, and the database users it needs.

What it builds (docs/migrations.md walks through it end to end):

- the **migration role**: an IAM role that only ``<namespace>/<service_account>`` of this cluster can
  assume through EKS Pod Identity; `Database.grant_connect` lets it sign in as `db_user` with an IAM
  token, through the RDS Proxy. The migration Job itself lives with the application (an Argo CD
  PreSync hook in the GitOps repository), so schema and code change in the same sync;
- the **bootstrap** of the database users, in the cluster: a namespace, a service account whose
  Pod Identity role may read the master secret (`Database.grant_secret_read`), a ConfigMap with the
  SQL and a Job that runs it as the master user. The SQL is idempotent: it creates `db_user` and the
  services' users with ``rds_iam`` (IAM sign-in only, no password), lets `db_user` create in the
  schema and gives the services read/write on what `db_user` creates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from ..base import SocialComponent
from ..cluster import pod_identity_role
from .args import MigrationsArgs
from .validation import validate

BOOTSTRAP = "db-bootstrap"
BOOTSTRAP_NAMESPACE = BOOTSTRAP
"""The namespace (and service account) of the bootstrap Job: no application may deploy there."""
SCRIPT = r"""set -eu
secret=$(cat /secret/master.json)
field() { printf '%s' "$secret" | sed -n "s/.*\"$1\" *: *\"\([^\"]*\)\".*/\1/p"; }
# RDS master passwords contain no '"', '/', '@' or space; JSON escapes a backslash as two.
PGUSER=$(field username)
PGPASSWORD=$(field password | sed 's/\\\\/\\/g')
export PGUSER PGPASSWORD
exec psql -v ON_ERROR_STOP=1 -f /sql/bootstrap.sql
"""


def bootstrap_sql(database: str, migrator: str, app_users: Sequence[str]) -> str:
    """Idempotent SQL that creates the IAM-authenticated users and their privileges."""

    def create(user: str) -> str:
        return (
            "DO $$ BEGIN\n"
            f"  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{user}') THEN\n"
            f"    CREATE ROLE {user} LOGIN;\n"
            "  END IF;\n"
            "END $$;\n"
            f"GRANT rds_iam TO {user};\n"
        )

    lines = [
        "-- Written by the Migrations component; run by the db-bootstrap Job as the master user.",
        create(migrator),
        f"GRANT CONNECT, CREATE ON DATABASE {database} TO {migrator};",
        f"GRANT USAGE, CREATE ON SCHEMA public TO {migrator};",
        # ALTER DEFAULT PRIVILEGES FOR ROLE needs membership in that role.
        f"GRANT {migrator} TO CURRENT_USER;",
    ]
    for user in app_users:
        lines += [
            create(user),
            f"GRANT CONNECT ON DATABASE {database} TO {user};",
            f"GRANT USAGE ON SCHEMA public TO {user};",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {user};",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {migrator} IN SCHEMA public"
            f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {user};",
            f"ALTER DEFAULT PRIVILEGES FOR ROLE {migrator} IN SCHEMA public"
            f" GRANT USAGE, SELECT ON SEQUENCES TO {user};",
        ]
    return "\n".join(lines) + "\n"


class Migrations(SocialComponent):
    """The migration role, and the Job that bootstraps the database users (see the module docstring)."""

    MODULE = "migrations"

    role: aws.iam.Role
    """The migration Job's role: hand it to `Database.grant_connect` for `db_user`."""
    bootstrap_role: aws.iam.Role
    """The bootstrap Job's role: hand it to `Database.grant_secret_read`."""
    job: k8s.batch.v1.Job

    def __init__(
        self,
        name: str,
        args: MigrationsArgs,
        *,
        wait_for: Sequence[pulumi.Resource] = (),
        protect: bool = False,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        validate(args)
        super().__init__(name, protect=protect, opts=opts)
        self.args = args
        self.role = pod_identity_role(
            self,
            cluster_name=args.cluster_name,
            cluster_arn=args.cluster_arn,
            namespace=args.namespace,
            service_account=args.service_account,
            role="role",
        ).role
        self.sql = bootstrap_sql(args.database.database_name, args.db_user, list(args.app_users))
        bootstrap = pod_identity_role(
            self,
            cluster_name=args.cluster_name,
            cluster_arn=args.cluster_arn,
            namespace=BOOTSTRAP_NAMESPACE,
            service_account=BOOTSTRAP,
            role="bootstrap",
        )
        self.bootstrap_role = bootstrap.role
        self._wait_for = [*wait_for, bootstrap.association]
        self.job = self._bootstrap_job()
        self.register_outputs({"role_arn": self.role.arn, "bootstrap_role_arn": self.bootstrap_role.arn})

    def _bootstrap_job(self) -> k8s.batch.v1.Job:
        args = self.args
        k8s_opts = self.child(provider=args.provider)
        namespace = k8s.core.v1.Namespace(
            self.child_name("bootstrap"),
            metadata={
                "name": BOOTSTRAP_NAMESPACE,
                "labels": {"app.kubernetes.io/managed-by": "pulumi"},
            },
            opts=k8s_opts,
        )
        in_namespace = self.child(provider=args.provider, depends_on=[namespace])
        account = k8s.core.v1.ServiceAccount(
            self.child_name("bootstrap"),
            metadata={"name": BOOTSTRAP, "namespace": BOOTSTRAP_NAMESPACE},
            automount_service_account_token=False,
            opts=in_namespace,
        )
        config = k8s.core.v1.ConfigMap(
            self.child_name("bootstrap-sql"),
            metadata={"name": f"{BOOTSTRAP}-sql", "namespace": BOOTSTRAP_NAMESPACE},
            data={"bootstrap.sql": self.sql, "bootstrap.sh": SCRIPT},
            opts=in_namespace,
        )
        # The Job's name changes with what it runs: a new SQL is a new Job (a Job's pod template is
        # immutable), and an unchanged one is not run again.
        digest = hashlib.sha256(
            (self.sql + SCRIPT + args.postgres_image + args.aws_cli_image).encode()
        ).hexdigest()
        restricted = {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
        }
        tmp = {"name": "tmp", "mountPath": "/tmp"}
        secret = {"name": "secret", "mountPath": "/secret"}
        spec: Any = {
            "backoffLimit": 4,
            "template": {
                "spec": {
                    "serviceAccountName": BOOTSTRAP,
                    "restartPolicy": "OnFailure",
                    "securityContext": {
                        "runAsNonRoot": True,
                        "runAsUser": 999,
                        "runAsGroup": 999,
                        "seccompProfile": {"type": "RuntimeDefault"},
                    },
                    "initContainers": [
                        {
                            "name": "read-master-secret",
                            "image": args.aws_cli_image,
                            "command": ["/bin/sh", "-c"],
                            "args": [
                                'aws secretsmanager get-secret-value --secret-id "$SECRET_ARN"'
                                " --query SecretString --output text > /secret/master.json"
                            ],
                            "env": [
                                {"name": "SECRET_ARN", "value": args.database.master_secret_arn},
                                {"name": "HOME", "value": "/tmp"},
                            ],
                            "securityContext": restricted,
                            "volumeMounts": [tmp, secret],
                        }
                    ],
                    "containers": [
                        {
                            "name": "bootstrap",
                            "image": args.postgres_image,
                            "command": ["/bin/sh", "/sql/bootstrap.sh"],
                            "env": [
                                {"name": "PGHOST", "value": args.database.host},
                                {"name": "PGPORT", "value": str(args.database.port)},
                                {"name": "PGDATABASE", "value": args.database.database_name},
                                {"name": "PGSSLMODE", "value": "require"},
                            ],
                            "securityContext": restricted,
                            "volumeMounts": [tmp, secret, {"name": "sql", "mountPath": "/sql"}],
                        }
                    ],
                    "volumes": [
                        {"name": "tmp", "emptyDir": {}},
                        {"name": "secret", "emptyDir": {"medium": "Memory"}},
                        {"name": "sql", "configMap": {"name": f"{BOOTSTRAP}-sql"}},
                    ],
                }
            },
        }
        return k8s.batch.v1.Job(
            self.child_name("bootstrap"),
            metadata={"name": f"{BOOTSTRAP}-{digest[:10]}", "namespace": BOOTSTRAP_NAMESPACE},
            spec=spec,
            opts=self.child(provider=args.provider, depends_on=[account, config, *self._wait_for]),
        )
