"""Database migrations, one path: a PreSync Job with its own Pod Identity role that signs in as the
migration user only (through the RDS Proxy where there is one), and the bootstrap of that user.

IAM decisions go through tests/iam.py's evaluator; `rds-db:connect` resources are built from the
rendered proxy and cluster, not from the component's code.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from social_components.migrations import DatabaseEndpoint, MigrationsArgs
from social_components.migrations.validation import validate
from social_components.versions import AURORA_POSTGRESQL
from social_platform.render import RenderedResource, RenderedStack

from .conftest import ENVIRONMENTS, assert_config_error
from .iam import allows

MIGRATIONS = "social:migrations:Migrations"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ASSOCIATION = "aws:eks/podIdentityAssociation:PodIdentityAssociation"
JOB = "kubernetes:batch/v1:Job"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"


def the_migrations(stack: RenderedStack) -> RenderedResource:
    (migrations,) = stack.components(MIGRATIONS)
    return migrations


def region_of(stack: RenderedStack, component: RenderedResource) -> str | None:
    return stack.placement(component)[1]


def inside(stack: RenderedStack, component: RenderedResource, type_: str) -> list[RenderedResource]:
    return [r for r in stack.descendants(component) if r.type == type_]


def policies_of(stack: RenderedStack, role: RenderedResource) -> list[dict[str, Any]]:
    return [json.loads(p.inputs["policy"]) for p in stack.of_type(ROLE_POLICY) if p.inputs["role"] == role.id]


def trust_tags(role: RenderedResource) -> dict[str, str]:
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Service": "pods.eks.amazonaws.com"}
    return statement["Condition"]["StringEquals"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_one_migration_path_in_the_primary_region_beside_the_writer(rendered: dict, env: str) -> None:
    stack = rendered[env]
    primary = stack.outputs["regions"][0]
    assert region_of(stack, the_migrations(stack)) == primary
    writers = [c for c in stack.of_type("aws:rds/cluster:Cluster") if c.region == primary]
    assert writers and all(not c.inputs.get("replicationSourceIdentifier") for c in writers)


def association_for(
    stack: RenderedStack, component: RenderedResource, service_account: str
) -> RenderedResource:
    (association,) = [
        a for a in inside(stack, component, ASSOCIATION) if a.inputs["serviceAccount"] == service_account
    ]
    return association


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_migration_role_signs_in_as_the_migration_user_and_nobody_else(rendered: dict, env: str) -> None:
    stack = rendered[env]
    migrations = the_migrations(stack)
    role = stack.named(f"{migrations.name}-role", ROLE)
    tags = trust_tags(role)
    pod = (tags["aws:RequestTag/kubernetes-namespace"], tags["aws:RequestTag/kubernetes-service-account"])
    assert pod == ("api", "migrations")
    association = association_for(stack, migrations, "migrations")
    assert association.inputs["namespace"] == "api"
    region = region_of(stack, migrations)
    policies = policies_of(stack, role)
    (connect,) = [s for p in policies for s in p["Statement"] if s["Action"] == "rds-db:connect"]
    resources = connect["Resource"] if isinstance(connect["Resource"], list) else [connect["Resource"]]
    prefix = f"arn:aws:rds-db:{region}:{stack.outputs['account_id']}:dbuser:"
    assert all(r.startswith(prefix) and r.endswith("/migrator") for r in resources), resources
    # Through the proxy where there is one: its ARN ends with the prx-… id that dbuser ARNs name.
    for proxy in [p for p in stack.of_type("aws:rds/proxy:Proxy") if p.region == region]:
        assert proxy.arn is not None
        target = f"{prefix}{proxy.arn.rsplit(':', 1)[-1]}"
        assert any(allows(p, "rds-db:connect", f"{target}/migrator") for p in policies), target
        for other in ("wallet", "postgres", "api"):
            assert not any(allows(p, "rds-db:connect", f"{target}/{other}") for p in policies), other
    assert not any(allows(p, "secretsmanager:GetSecretValue", "*") for p in policies), "no master secret"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_bootstrap_reads_the_master_secret_and_runs_once_the_database_and_its_role_exist(
    rendered: dict, env: str
) -> None:
    stack = rendered[env]
    migrations = the_migrations(stack)
    role = stack.named(f"{migrations.name}-bootstrap", ROLE)
    tags = trust_tags(role)
    assert tags["aws:RequestTag/kubernetes-namespace"] == "db-bootstrap"
    (job,) = inside(stack, migrations, JOB)
    (init,) = job.inputs["spec"]["template"]["spec"]["initContainers"]
    secret_arn = next(e["value"] for e in init["env"] if e["name"] == "SECRET_ARN")
    assert any(allows(p, "secretsmanager:GetSecretValue", secret_arn) for p in policies_of(stack, role))
    association = association_for(stack, migrations, "db-bootstrap")
    assert association.urn in job.depends_on, "its pod starts with the role's credentials"
    assert (
        job.inputs["spec"]["template"]["spec"]["serviceAccountName"] == association.inputs["serviceAccount"]
    )
    assert job.inputs["metadata"]["namespace"] == association.inputs["namespace"]
    # Depending on the Database component is depending on its resources: its instances among them.
    instances = [
        i
        for i in stack.of_type("aws:rds/clusterInstance:ClusterInstance")
        if i.region == region_of(stack, migrations)
    ]
    assert instances and all(i.urn in job.depends_on for i in instances), "it runs once the database exists"


def test_psql_matches_the_databases_major_version(rendered: dict) -> None:
    stack = rendered["prod"]
    (job,) = inside(stack, the_migrations(stack), JOB)
    (container,) = job.inputs["spec"]["template"]["spec"]["containers"]
    assert container["image"].rsplit(":", 1)[1].split(".")[0] == AURORA_POSTGRESQL.version.split(".")[0]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["PGSSLMODE"] in ("require", "verify-ca", "verify-full")


def test_the_bootstrap_creates_the_iam_users_the_roles_sign_in_as(rendered: dict) -> None:
    stack = rendered["staging"]
    (config,) = inside(stack, the_migrations(stack), CONFIG_MAP)
    sql = config.inputs["data"]["bootstrap.sql"]
    # Every user some role may `rds-db:connect` as in this region exists and signs in with IAM.
    users = set()
    for policy in stack.of_type(ROLE_POLICY):
        for statement in json.loads(policy.inputs["policy"])["Statement"]:
            if statement.get("Action") == "rds-db:connect":
                resources = (
                    statement["Resource"]
                    if isinstance(statement["Resource"], list)
                    else [statement["Resource"]]
                )
                users |= {r.rsplit("/", 1)[1] for r in resources if not r.endswith("/*")}
    assert users >= {"migrator", "wallet"}
    for user in users:
        assert f"CREATE ROLE {user} LOGIN" in sql and f"GRANT rds_iam TO {user};" in sql, user


def test_applications_cannot_deploy_into_the_bootstrap_namespace(rendered: dict) -> None:
    from .test_argocd import argocd_charts

    for chart in argocd_charts(rendered["staging"]).values():
        (apps,) = [o for o in chart["values"]["extraObjects"] if o["metadata"]["name"] == "apps"]
        assert {"server": "https://kubernetes.default.svc", "namespace": "!db-bootstrap"} in apps["spec"][
            "destinations"
        ]


def test_migrations_need_the_cluster_and_the_database() -> None:
    assert_config_error("staging", {"database.enabled": False}, "migrations.enabled", "database.enabled")


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"db_user": "Robert'); DROP"}, "database user"),
        ({"app_users": {"migrator": "x"}}, "migration user"),
        ({"namespace": "Api"}, "Kubernetes name"),
    ],
)
def test_bad_migrations_args_are_refused_naming_the_field(changes: dict[str, Any], words: str) -> None:
    base: dict[str, Any] = {
        "cluster_name": "c",
        "cluster_arn": "arn:aws:eks:eu-west-1:111111111111:cluster/c",
        "provider": None,
        "database": DatabaseEndpoint(host="h", port=5432, database_name="social", master_secret_arn="arn"),
    }
    with pytest.raises(ValueError, match=words):
        validate(MigrationsArgs(**{**base, **changes}))
