"""The database users' bootstrap, run for real: the script and SQL the platform renders for staging,
against a PostgreSQL server started for the test.

RDS's master user is not a superuser: it may create roles and owns the database it was created with,
and hands out `rds_iam` (the role that makes a user sign in with IAM tokens only). The test sets up
exactly that, writes the master secret as Secrets Manager returns it (a JSON object with `username`
and `password`), and runs the rendered `bootstrap.sh` the way the Job does — with the server's socket
instead of the Proxy's host and TLS.

Needs PostgreSQL's server binaries (Debian's `postgresql`, which `.ci/run` installs when missing);
outside CI the test is skipped without them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from glob import glob
from pathlib import Path

import pytest

from social_components.versions import AURORA_POSTGRESQL
from social_platform.render import RenderedStack

from .test_migrations import CONFIG_MAP, inside, the_migrations

MASTER = "social_admin"
PASSWORD = r"Xk9#p$L\q!r%T^u&w*z(1)2-3_4+5=6[7]8{9}0|a;b:c,d.e<f>g?h~i`j'"
"""A master password as RDS allows them: printable ASCII except '/', '"', '@' and space (a backslash,
which JSON escapes, and shell metacharacters included)."""


def _server_binaries() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


class Server:
    """A throw-away PostgreSQL server listening on a Unix socket in `folder` only."""

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin = bin_dir
        self.data = folder / "data"
        self.socket = folder / "socket"
        self.socket.mkdir()
        self.log = folder / "server.log"
        # The server refuses to run as root: run it as PostgreSQL's own user where we are root.
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(folder, "postgres")
            shutil.chown(self.socket, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]

    def _run(self, *command: str) -> None:
        result = subprocess.run([*self.run_as, *command], capture_output=True, text=True)
        if result.returncode:
            raise RuntimeError(f"{command[0]} failed: {result.stderr.strip() or result.stdout.strip()}")

    def start(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust")
        # The test's superuser signs in freely; every other user needs its password (as on RDS).
        (self.data / "pg_hba.conf").write_text(
            "local all postgres trust\nlocal all all scram-sha-256\n", encoding="utf-8"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-w",
            "-o",
            f"-c listen_addresses='' -k {self.socket}",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop")

    def env(self, **more: str) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("PG")},
            "PGHOST": str(self.socket),
            "PGSSLMODE": "disable",
            **more,
        }

    def sql(self, statement: str, *, user: str = "postgres", database: str = "postgres") -> str:
        result = subprocess.run(
            [
                "psql",
                "-X",
                "-q",
                "-t",
                "-A",
                "-v",
                "ON_ERROR_STOP=1",
                "-U",
                user,
                "-d",
                database,
                "-c",
                statement,
            ],
            env=self.env(),
            capture_output=True,
            text=True,
        )
        if result.returncode:
            raise RuntimeError(result.stderr.strip())
        return result.stdout.strip()


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    bin_dir = _server_binaries()
    if bin_dir is None or shutil.which("psql") is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL's server binaries are missing: .ci/run installs Debian's postgresql")
        pytest.skip("PostgreSQL's server binaries are not installed (Debian: apt-get install postgresql)")
    # Not under pytest's temporary folder: that is private to root, where the server's user cannot go.
    folder = Path(tempfile.mkdtemp(prefix="social-postgres-"))
    running = Server(bin_dir, folder)
    try:
        running.start()
        yield running
    finally:
        if (running.data / "postmaster.pid").exists():
            running.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="module")
def bootstrapped(
    server: Server, rendered: dict[str, RenderedStack], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Server, str, list[str]]:
    """The database as RDS creates it, bootstrapped twice by the rendered Job's script (it is
    idempotent: a re-run, or a new Job after a SQL change, must not fail)."""
    stack = rendered["staging"]
    (config,) = inside(stack, the_migrations(stack), CONFIG_MAP)
    (job,) = inside(stack, the_migrations(stack), "kubernetes:batch/v1:Job")
    env = {e["name"]: e["value"] for e in job.inputs["spec"]["template"]["spec"]["containers"][0]["env"]}
    database = env["PGDATABASE"]
    # What RDS has made before anyone signs in: the master user and its database, and rds_iam.
    major = server.sql("SHOW server_version_num")[:2]
    if major != AURORA_POSTGRESQL.version.split(".")[0]:
        # PostgreSQL 16 changed CREATEROLE (membership grants need ADMIN OPTION): a 15 server proves
        # the SQL and the script, not those rules. docs/migrations.md says so.
        print(f"bootstrap test on PostgreSQL {major}, the database runs {AURORA_POSTGRESQL.version}")
    server.sql("CREATE ROLE rds_iam NOLOGIN")
    server.sql(f"CREATE ROLE {MASTER} LOGIN CREATEROLE CREATEDB")
    server.sql(f"ALTER ROLE {MASTER} PASSWORD '{PASSWORD.replace(chr(39), chr(39) * 2)}'")
    server.sql(f"GRANT rds_iam TO {MASTER} WITH ADMIN OPTION")
    server.sql(f"CREATE DATABASE {database} OWNER {MASTER}")
    before = set(server.sql("SELECT string_agg(rolname, ',') FROM pg_roles").split(","))

    folder = tmp_path_factory.mktemp("job")
    (folder / "secret").mkdir()
    (folder / "sql").mkdir()
    # Secrets Manager's SecretString for an RDS-managed master password.
    (folder / "secret" / "master.json").write_text(
        json.dumps({"username": MASTER, "password": PASSWORD}), encoding="utf-8"
    )
    data = config.inputs["data"]
    (folder / "sql" / "bootstrap.sql").write_text(data["bootstrap.sql"], encoding="utf-8")
    script = data["bootstrap.sh"].replace("/secret/", f"{folder}/secret/").replace("/sql/", f"{folder}/sql/")
    for _ in range(2):
        result = subprocess.run(
            ["/bin/sh", "-c", script], env=server.env(PGDATABASE=database), capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
    created = set(server.sql("SELECT string_agg(rolname, ',') FROM pg_roles").split(",")) - before
    return server, database, sorted(created)


def test_the_bootstrap_signs_in_as_the_master_user_with_the_secret_password(bootstrapped: tuple) -> None:
    created = bootstrapped[2]
    # The script parsed the password out of the JSON (backslash unescaped): the server accepted it.
    assert "migrator" in created


def test_every_user_it_creates_signs_in_with_iam_only(bootstrapped: tuple) -> None:
    server, _, created = bootstrapped
    # Every role the bootstrap made (whatever its name), not only those the roles sign in as.
    assert {"migrator", "wallet"} <= set(created)
    for user in created:
        login, no_password, iam = server.sql(
            f"SELECT rolcanlogin, rolpassword IS NULL, pg_has_role('{user}', 'rds_iam', 'MEMBER') "
            f"FROM pg_authid WHERE rolname = '{user}'"
        ).split("|")
        assert (login, no_password, iam) == ("t", "t", "t"), user  # signs in, with an IAM token only


def test_the_migration_user_creates_tables_the_services_read_and_write(bootstrapped: tuple) -> None:
    server, database, _ = bootstrapped
    server.sql(
        "SET ROLE migrator; CREATE TABLE ledger (id bigserial PRIMARY KEY, amount bigint NOT NULL)",
        database=database,
    )
    server.sql("SET ROLE wallet; INSERT INTO ledger (amount) VALUES (5)", database=database)
    assert server.sql("SET ROLE wallet; SELECT sum(amount) FROM ledger", database=database) == "5"


def test_a_service_user_cannot_change_the_schema(bootstrapped: tuple) -> None:
    server, database, _ = bootstrapped
    with pytest.raises(RuntimeError, match="permission denied"):
        server.sql("SET ROLE wallet; CREATE TABLE side_door (id int)", database=database)
    server.sql("SET ROLE migrator; CREATE TABLE IF NOT EXISTS owned (id int)", database=database)
    with pytest.raises(RuntimeError, match="must be owner"):
        server.sql("SET ROLE wallet; DROP TABLE owned", database=database)
