"""Pure checks of `MigrationsArgs`."""

from __future__ import annotations

import re

from .args import MigrationsArgs

DB_USER = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")


def validate(args: MigrationsArgs) -> None:
    """Raise ValueError naming the first field that is not allowed."""
    for field, value in (
        ("namespace", args.namespace),
        ("service_account", args.service_account),
    ):
        if not K8S_NAME.match(value):
            raise ValueError(f"{field}: {value!r} is not a Kubernetes name (lowercase letters, digits, '-')")
    for user in (args.db_user, *args.app_users):
        if not DB_USER.match(user):
            raise ValueError(f"{user!r} is not a database user name (lowercase letters, digits, '_')")
    if args.db_user in args.app_users:
        raise ValueError(f"app_users: {args.db_user!r} is the migration user; services sign in as their own")
    if not DB_USER.match(args.database.database_name):
        raise ValueError(f"database.database_name: {args.database.database_name!r} is not a database name")
