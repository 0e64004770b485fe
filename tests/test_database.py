"""The database: Aurora PostgreSQL per tier, an Aurora Global Database in prod, nothing ever lost."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from social_components.checks import DAYS, check_windows_apart
from social_components.database import DatabaseArgs, check_args, parameter_group_family
from social_platform.render import RenderedResource, RenderedStack

from .conftest import (
    ENVIRONMENTS,
    assert_config_error,
    bad_config_cases,
    render_variant,
)
from .datatier import (
    CLUSTER,
    DATABASE,
    INGRESS,
    INSTANCE,
    KEY,
    LOG_GROUP,
    RANDOM_PASSWORD,
    SECRET,
    SECRET_VERSION,
    SG,
    assert_final_snapshot_unique_per_creation,
    by_region,
    config,
    inside,
    one,
)

PROXY = "aws:rds/proxy:Proxy"
GLOBAL = "aws:rds/globalCluster:GlobalCluster"
PARAMS = "aws:rds/clusterParameterGroup:ClusterParameterGroup"


def primary_db(stack: RenderedStack) -> RenderedResource:
    return by_region(stack, DATABASE)[config(stack.stack).regions.primary.name]


def cluster(stack: RenderedStack, db: RenderedResource | None = None) -> RenderedResource:
    return one(stack, db or primary_db(stack), CLUSTER)


def instances(stack: RenderedStack, db: RenderedResource | None = None) -> list[RenderedResource]:
    return sorted(inside(stack, db or primary_db(stack), INSTANCE), key=lambda r: r.name)


def policy(resource: RenderedResource, key: str = "policy") -> dict[str, Any]:
    value = resource.inputs[key]
    return json.loads(value) if isinstance(value, str) else value


# ---------------------------------------------------------------------------------------------
# Where the data tier exists


def test_every_environment_has_a_database_and_the_shared_stack_none(any_stack: RenderedStack) -> None:
    cfg = config(any_stack.stack)
    found = by_region(any_stack, DATABASE)
    if cfg.environment.is_tooling:
        assert found == {}
    elif cfg.database.global_database:
        assert sorted(found) == sorted(region.name for region in cfg.regions.all())
    else:
        assert list(found) == [cfg.regions.primary.name]
    assert set(any_stack.outputs.get("database", {})) == set(found)


# ---------------------------------------------------------------------------------------------
# Engine, capacity, instances


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_engine_version_is_pinned_and_never_upgraded_behind_our_back(rendered: dict, stack: str) -> None:
    cfg = config(stack)
    for db in rendered[stack].components(DATABASE):
        c = cluster(rendered[stack], db)
        assert (c.inputs["engine"], c.inputs["engineVersion"]) == (
            "aurora-postgresql",
            cfg.database.engine_version,
        )
        assert c.inputs["allowMajorVersionUpgrade"] is False
        for instance in instances(rendered[stack], db):
            assert instance.inputs["engineVersion"] == cfg.database.engine_version
            assert instance.inputs["autoMinorVersionUpgrade"] is False
        params = one(rendered[stack], db, PARAMS)
        assert params.inputs["family"] == f"aurora-postgresql{cfg.database.engine_version.split('.')[0]}"
        assert c.inputs["dbClusterParameterGroupName"] == params.inputs.get("name", params.name)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_serverless_capacity_follows_the_tier_and_only_dev_pauses(rendered: dict, stack: str) -> None:
    cfg = config(stack).database
    scaling = cluster(rendered[stack]).inputs["serverlessv2ScalingConfiguration"]
    assert (scaling["minCapacity"], scaling["maxCapacity"]) == (cfg.min_acu, cfg.max_acu)
    assert all(i.inputs["instanceClass"] == "db.serverless" for i in instances(rendered[stack]))
    if stack == "dev":
        assert (
            scaling["minCapacity"] == 0 and scaling["secondsUntilAutoPause"] == cfg.seconds_until_auto_pause
        )
    else:
        assert scaling["minCapacity"] > 0 and "secondsUntilAutoPause" not in scaling


def test_a_provisioned_instance_class_drops_the_serverless_range(tmp_path: Path) -> None:
    stack = render_variant(
        tmp_path,
        "staging",
        {"database.instance_class": "db.r7g.large", "database.min_acu": 0.5, "database.enable_proxy": False},
    )
    assert "serverlessv2ScalingConfiguration" not in cluster(stack).inputs
    assert {i.inputs["instanceClass"] for i in instances(stack)} == {"db.r7g.large"}


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_a_writer_and_readers_spread_over_the_azs_of_the_data_subnets(rendered: dict, stack: str) -> None:
    cfg = config(stack)
    found = instances(rendered[stack])
    azs = [i.inputs["availabilityZone"] for i in found]
    assert len(found) == cfg.database.instances
    assert len(set(azs)) == min(len(found), cfg.regions.primary.az_count), azs
    assert all(az.startswith(cfg.regions.primary.name) for az in azs)
    assert [i.inputs["promotionTier"] for i in found] == [min(n, 1) for n in range(len(found))]
    for instance in found:
        assert instance.inputs["publiclyAccessible"] is False
        assert instance.inputs["clusterIdentifier"] == cluster(rendered[stack]).id
    if stack == "prod":
        assert len(found) >= 2 and len(set(azs)) >= 2


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_cluster_sits_in_the_data_subnets_behind_its_own_security_group(
    rendered: dict, stack: str
) -> None:
    s = rendered[stack]
    db = primary_db(s)
    network = next(n for n in s.components("social:network:Network") if n.name == db.name.removesuffix("-db"))
    subnet_group = one(s, network, "aws:rds/subnetGroup:SubnetGroup")
    sg = next(g for g in inside(s, db, SG) if g.name.endswith("-db-sg"))
    c = cluster(s)
    assert c.inputs["dbSubnetGroupName"] == subnet_group.inputs["name"]
    assert c.inputs["vpcSecurityGroupIds"] == [sg.id]
    assert sg.inputs["vpcId"] == one(s, network, "aws:ec2/vpc:Vpc").id
    assert c.inputs.get("publiclyAccessible") in (None, False)


# ---------------------------------------------------------------------------------------------
# Encryption, credentials, TLS


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_storage_is_encrypted_with_the_databases_own_rotating_key(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    for db in s.components(DATABASE):
        key = one(s, db, KEY)
        c = cluster(s, db)
        assert c.inputs["storageEncrypted"] is True
        assert c.inputs["kmsKeyId"].endswith(f"/{key.name}") and c.inputs["kmsKeyId"].startswith(
            "arn:aws:kms:"
        )
        assert key.inputs["enableKeyRotation"] is True and key.region == c.region
        others = [r for r in s if r.type == KEY and r.urn != key.urn]
        assert all(not c.inputs["kmsKeyId"].endswith(f"/{other.name}") for other in others)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_master_password_lives_in_secrets_manager_and_iam_auth_is_on(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    cfg = config(stack).database
    c = cluster(s)
    key = one(s, primary_db(s), KEY)
    assert c.inputs["iamDatabaseAuthenticationEnabled"] is True
    secret_arn = s.outputs["database"][config(stack).regions.primary.name]["secret_arn"]
    assert secret_arn.startswith("arn:aws:secretsmanager:")
    if cfg.global_database:
        assert "manageMasterUserPassword" not in c.inputs and c.secret_paths == ["masterPassword"]
        (secret,) = inside(s, primary_db(s), SECRET)
        assert secret.inputs["kmsKeyId"].endswith(f"/{key.name}") and secret_arn.endswith(secret.name)
    else:
        assert c.inputs["manageMasterUserPassword"] is True and "masterPassword" not in c.inputs
        assert c.inputs["masterUserSecretKmsKeyId"].endswith(f"/{key.name}")
        assert inside(s, primary_db(s), SECRET, RANDOM_PASSWORD) == []


def test_prod_global_password_is_generated_once_and_stored_in_both_regions(rendered: dict) -> None:
    s = rendered["prod"]
    dbs = by_region(s, DATABASE)
    (password,) = [p for p in s.of_type(RANDOM_PASSWORD) if p.name.endswith("-db-master-password")]
    assert password.parent == dbs[config("prod").regions.primary.name].urn
    assert password.inputs["length"] >= 32 and "result" in password.additional_secret_outputs
    for region, db in dbs.items():
        (secret,) = inside(s, db, SECRET)
        (version,) = inside(s, db, SECRET_VERSION)
        assert secret.region == version.region == region
        assert secret.inputs["kmsKeyId"].endswith(f"/{one(s, db, KEY).name}")
        assert version.inputs["secretId"] == secret.id and version.secret_paths == ["secretString"]
        assert password.urn in version.depends_on
        assert s.outputs["database"][region]["secret_arn"].endswith(secret.name)


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_the_parameter_group_forces_tls_and_logs_what_matters(rendered: dict, stack: str) -> None:
    cfg = config(stack).database
    params = {
        p["name"]: p["value"]
        for p in one(rendered[stack], primary_db(rendered[stack]), PARAMS).inputs["parameters"]
    }
    assert params["rds.force_ssl"] == "1"
    assert params["ssl_min_protocol_version"] == "TLSv1.2"
    assert params["log_min_duration_statement"] == str(cfg.log_min_duration_statement_ms)
    assert params["log_connections"] == params["log_disconnections"] == params["log_lock_waits"] == "1"
    assert params["log_statement"] == "ddl"


# ---------------------------------------------------------------------------------------------
# Observability


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_insights_monitoring_and_logs_are_on_and_encrypted(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    cfg = config(stack).database
    db = primary_db(s)
    key = one(s, db, KEY)
    c = cluster(s)
    insights_days = 465 if cfg.database_insights == "advanced" else 7
    assert c.inputs["databaseInsightsMode"] == cfg.database_insights
    for resource in (c, *instances(s)):
        assert resource.inputs["performanceInsightsEnabled"] is True
        assert resource.inputs["performanceInsightsKmsKeyId"].endswith(f"/{key.name}")
        assert resource.inputs["performanceInsightsRetentionPeriod"] == insights_days
    role = next(r for r in inside(s, db, "aws:iam/role:Role") if r.name.endswith("-monitoring"))
    assert policy(role, "assumeRolePolicy")["Statement"][0]["Principal"] == {
        "Service": "monitoring.rds.amazonaws.com"
    }
    (attachment,) = inside(s, db, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"].endswith(":policy/service-role/AmazonRDSEnhancedMonitoringRole")
    for instance in instances(s):
        assert instance.inputs["monitoringInterval"] == cfg.monitoring_interval_seconds
        assert instance.inputs["monitoringRoleArn"].endswith(f"/{role.name}")
        assert attachment.urn in instance.depends_on
    assert c.inputs["enabledCloudwatchLogsExports"] == ["postgresql"]
    (logs,) = inside(s, db, LOG_GROUP)
    assert logs.inputs["name"] == f"/aws/rds/cluster/{c.inputs['clusterIdentifier']}/postgresql"
    assert logs.inputs["retentionInDays"] == cfg.log_retention_days
    assert logs.inputs["kmsKeyId"].endswith(f"/{key.name}")
    assert logs.urn in c.depends_on, "the log group must exist before RDS creates its own"


def test_prod_keeps_fifteen_months_of_insights_and_a_year_of_logs(rendered: dict) -> None:
    c = cluster(rendered["prod"])
    (logs,) = inside(rendered["prod"], primary_db(rendered["prod"]), LOG_GROUP)
    assert (
        c.inputs["databaseInsightsMode"] == "advanced"
        and c.inputs["performanceInsightsRetentionPeriod"] == 465
    )
    assert logs.inputs["retentionInDays"] >= 365


# ---------------------------------------------------------------------------------------------
# Never lose data


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_backups_snapshots_windows_and_deletion_protection_by_tier(rendered: dict, stack: str) -> None:
    cfg = config(stack).database
    for db in rendered[stack].components(DATABASE):
        c = cluster(rendered[stack], db)
        assert c.inputs["backupRetentionPeriod"] == cfg.backup_retention_days
        assert c.inputs["copyTagsToSnapshot"] is True
        assert c.inputs["skipFinalSnapshot"] is False
        assert_final_snapshot_unique_per_creation(rendered[stack], db, c.inputs["clusterIdentifier"], c)
        assert c.inputs["deleteAutomatedBackups"] is False
        assert c.inputs["preferredBackupWindow"] == cfg.backup_window
        assert c.inputs["preferredMaintenanceWindow"] == cfg.maintenance_window
        assert all(
            i.inputs["preferredMaintenanceWindow"] == cfg.maintenance_window
            for i in instances(rendered[stack], db)
        )
        assert all(i.inputs["copyTagsToSnapshot"] is True for i in instances(rendered[stack], db))
        assert c.inputs["deletionProtection"] is cfg.deletion_protection is (stack != "dev")
    if stack == "prod":
        assert cluster(rendered[stack]).inputs["backupRetentionPeriod"] >= 14


def test_prod_protects_cluster_instances_keys_secrets_and_the_global_cluster(rendered: dict) -> None:
    s = rendered["prod"]
    for db in s.components(DATABASE):
        stateful = inside(
            s, db, CLUSTER, INSTANCE, KEY, SECRET, SECRET_VERSION, GLOBAL, RANDOM_PASSWORD, LOG_GROUP
        )
        kinds = {r.type for r in stateful}
        assert {CLUSTER, INSTANCE, KEY, SECRET} <= kinds
        unprotected = [r.name for r in stateful if not (r.protect and r.retain_on_delete)]
        assert unprotected == []
        assert cluster(s, db).inputs["deletionProtection"] is True
    (global_cluster,) = s.of_type(GLOBAL)
    assert global_cluster.inputs["deletionProtection"] is True


def test_dev_can_be_torn_down(rendered: dict) -> None:
    """Protection follows the tier: the same resources in dev are not Pulumi-protected."""
    s = rendered["dev"]
    assert not any(r.protect for r in inside(s, primary_db(s), CLUSTER, INSTANCE, KEY))


# ---------------------------------------------------------------------------------------------
# RDS Proxy


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_proxy_pools_connections_with_tls_and_iam_auth_where_the_tier_wants_one(
    rendered: dict, stack: str
) -> None:
    s = rendered[stack]
    cfg = config(stack)
    db = primary_db(s)
    proxies = inside(s, db, PROXY)
    outputs = s.outputs["database"][cfg.regions.primary.name]
    if not cfg.database.enable_proxy:
        assert proxies == [] and outputs["proxy_endpoint"] is None
        return
    (proxy,) = proxies
    assert proxy.inputs["requireTls"] is True and proxy.inputs["engineFamily"] == "POSTGRESQL"
    assert proxy.inputs["defaultAuthScheme"] == "IAM_AUTH", "applications sign in with IAM end to end"
    (auth,) = proxy.inputs["auths"]
    assert (auth["authScheme"], auth["iamAuth"], auth["secretArn"]) == (
        "SECRETS",
        "REQUIRED",
        outputs["secret_arn"],
    )
    (role,) = [r for r in inside(s, db, "aws:iam/role:Role") if r.name == proxy.name]
    assert proxy.inputs["roleArn"].endswith(f"/{role.name}")
    assert policy(role, "assumeRolePolicy")["Statement"][0]["Principal"] == {"Service": "rds.amazonaws.com"}
    statements = policy(
        next(r for r in inside(s, db, "aws:iam/rolePolicy:RolePolicy") if r.name == proxy.name)
    )["Statement"]
    assert (
        statements[0]["Resource"] == outputs["secret_arn"]
        and "secretsmanager:GetSecretValue" in statements[0]["Action"]
    )
    assert (
        statements[1]["Action"] == "kms:Decrypt"
        and "kms:ViaService" in statements[1]["Condition"]["StringEquals"]
    )
    c = cluster(s)
    assert statements[2]["Action"] == "rds-db:connect"
    assert re.fullmatch(
        rf"arn:aws:rds-db:{c.region}:{c.account}:dbuser:cluster-[0-9A-F]+/\*", statements[2]["Resource"]
    ), statements[2]["Resource"]
    network = next(n for n in s.components("social:network:Network") if n.name == db.name.removesuffix("-db"))
    data_subnets = sorted(
        r.id for r in s.descendants(network) if r.inputs.get("tags", {}).get("Tier") == "data"
    )
    assert sorted(proxy.inputs["vpcSubnetIds"]) == data_subnets
    (target,) = inside(s, db, "aws:rds/proxyTarget:ProxyTarget")
    assert target.inputs["dbClusterIdentifier"] == cluster(s).inputs["clusterIdentifier"]
    # The output is this proxy's own endpoint (RDS names it `<proxy name>.proxy-<id>.<region>...`),
    # not the cluster's or one assembled from config.
    assert outputs["proxy_endpoint"].split(".", 1)[0] == proxy.inputs["name"]
    # Only the proxy's own security group reaches the cluster from the proxy.
    proxy_sg = next(g for g in inside(s, db, SG) if g.name.endswith("-proxy-sg"))
    assert proxy.inputs["vpcSecurityGroupIds"] == [proxy_sg.id]
    from_proxy = [r for r in inside(s, db, INGRESS) if r.inputs["referencedSecurityGroupId"] == proxy_sg.id]
    assert [(r.inputs["fromPort"], r.inputs["toPort"]) for r in from_proxy] == [(5432, 5432)]


# ---------------------------------------------------------------------------------------------
# Multi-region


def test_prod_secondary_cluster_joins_the_global_cluster_with_its_own_key(rendered: dict) -> None:
    s = rendered["prod"]
    cfg = config("prod")
    (other_region,) = cfg.regions.others()
    dbs = by_region(s, DATABASE)
    primary, secondary = dbs[cfg.regions.primary.name], dbs[other_region.name]
    (global_cluster,) = s.of_type(GLOBAL)
    assert global_cluster.parent == primary.urn and global_cluster.region == cfg.regions.primary.name
    assert global_cluster.inputs["storageEncrypted"] is True
    assert global_cluster.inputs["engineVersion"] == cfg.database.engine_version
    first, second = cluster(s, primary), cluster(s, secondary)
    assert (
        first.inputs["globalClusterIdentifier"]
        == second.inputs["globalClusterIdentifier"]
        == global_cluster.id
    )
    for credential in ("masterUsername", "masterPassword", "manageMasterUserPassword", "databaseName"):
        assert credential not in second.inputs, f"a secondary inherits {credential} from the primary"
    primary_key, secondary_key = one(s, primary, KEY), one(s, secondary, KEY)
    assert (
        second.inputs["kmsKeyId"].endswith(f"/{secondary_key.name}") and secondary_key.urn != primary_key.urn
    )
    assert (primary_key.region, secondary_key.region) == (
        cfg.regions.primary.name,
        other_region.name,
    )
    assert first.urn in second.depends_on and "replicationSourceIdentifier" in second.ignore_changes
    assert len(instances(s, secondary)) == cfg.database.secondary_instances
    assert s.outputs["database"][other_region.name]["global_cluster_id"] == global_cluster.id


def test_prod_secondary_region_writes_through_aurora_global_write_forwarding(rendered: dict) -> None:
    import botocore.session

    # The RDS API takes the setting on the cluster (botocore's model of CreateDBCluster).
    create = botocore.session.get_session().get_service_model("rds").operation_model("CreateDBCluster")
    assert "EnableGlobalWriteForwarding" in create.input_shape.members
    s = rendered["prod"]
    cfg = config("prod")
    others = cfg.regions.others()
    assert others
    dbs = by_region(s, DATABASE)
    for region in others:
        assert cluster(s, dbs[region.name]).inputs["enableGlobalWriteForwarding"] is True
    assert "enableGlobalWriteForwarding" not in cluster(s, dbs[cfg.regions.primary.name]).inputs


def test_prod_every_secondary_region_resource_uses_the_secondary_region_provider(rendered: dict) -> None:
    s = rendered["prod"]
    cfg = config("prod")
    (other_region,) = cfg.regions.others()
    (provider,) = [p for p in s.of_type("pulumi:providers:aws") if p.region == other_region.name]
    components = [
        c for c in s.components(DATABASE) + s.components("social:cache:Cache") if "-euc1-" in c.name
    ]
    assert len(components) == 2
    for component in components:
        resources = [r for r in s.descendants(component) if r.is_aws]
        assert resources
        for resource in resources:
            assert resource.provider == provider.urn, resource.name
            assert (resource.account, resource.region) == (cfg.account.id, other_region.name)


def test_stacks_without_a_global_database_stay_in_one_region(rendered: dict) -> None:
    for stack in ("dev", "staging"):
        assert rendered[stack].of_type(GLOBAL) == []
        assert all(not c.inputs.get("globalClusterIdentifier") for c in rendered[stack].of_type(CLUSTER))


# ---------------------------------------------------------------------------------------------
# Outputs


@pytest.mark.parametrize("stack", ENVIRONMENTS)
def test_outputs_name_the_endpoints_port_secret_and_security_group(rendered: dict, stack: str) -> None:
    s = rendered[stack]
    for region, db in by_region(s, DATABASE).items():
        out = s.outputs["database"][region]
        sg = next(g for g in inside(s, db, SG) if g.name.endswith("-db-sg"))
        identifier = cluster(s, db).inputs["clusterIdentifier"]
        assert out["writer_endpoint"].startswith(f"{identifier}.cluster-")
        assert out["reader_endpoint"].startswith(f"{identifier}.cluster-ro-")
        assert out["port"] == 5432 and out["security_group_id"] == sg.id
        assert out["secret_arn"].startswith(f"arn:aws:secretsmanager:{region}:")


# ---------------------------------------------------------------------------------------------
# Guards


BAD_DATABASE_CONFIG = [
    # (description, stack, changes, key named, words in the message)
    ("min above max", "staging", {"database.min_acu": 16}, "database.min_acu", "must not exceed max_acu"),
    (
        "auto-pause without scaling to zero",
        "staging",
        {"database.seconds_until_auto_pause": 600},
        "database.min_acu",
        "only to Serverless v2",
    ),
    (
        "auto-pause too soon",
        "dev",
        {"database.seconds_until_auto_pause": 60},
        "database.seconds_until_auto_pause",
        "300",
    ),
    (
        "a proxy would keep dev from pausing",
        "dev",
        {"database.enable_proxy": True},
        "database.enable_proxy",
        "never pause",
    ),
    (
        "zero ACU on a version that cannot pause",
        "dev",
        {"database.engine_version": "16.1"},
        "database.min_acu",
        "16.3 or later",
    ),
    (
        "maintenance during backups",
        "dev",
        {"database.maintenance_window": "sun:01:30-sun:02:30"},
        "database.maintenance_window",
        "overlaps backup_window",
    ),
    ("window misspelt", "dev", {"database.backup_window": "1am-2am"}, "database.backup_window", "pattern"),
    ("half ACUs only", "dev", {"database.max_acu": 4.2}, "database.max_acu", "multiple of 0.5"),
    (
        "prod with one instance",
        "prod",
        {"database.instances": 1},
        "database.instances",
        "prod safety default",
    ),
    ("unpinned engine", "dev", {"database.engine_version": "latest"}, "database.engine_version", "pattern"),
    ("insights mode", "dev", {"database.database_insights": "full"}, "database.database_insights", "allowed"),
]


@bad_config_cases(BAD_DATABASE_CONFIG)
def test_bad_database_config_names_the_key_and_what_is_allowed(
    stack: str, changes: dict, key: str, words: str
) -> None:
    assert_config_error(stack, changes, key, words)


def test_the_stack_files_pass_the_database_checks() -> None:
    """The checks above fire on bad input only: every stack file as committed loads."""
    for stack in ENVIRONMENTS:
        assert config(stack).database.enabled


def args(**changes: Any) -> DatabaseArgs:
    return DatabaseArgs(**{"vpc_id": "vpc-1", "db_subnet_group_name": "data", **changes})


@pytest.mark.parametrize(
    ("name", "changes", "words"),
    [
        ("Prod_DB", {}, "cannot be an RDS identifier"),
        ("db--x", {}, "cannot be an RDS identifier"),
        ("db", {"enable_proxy": True}, "enable_proxy needs subnet_ids"),
        ("db", {"instance_count": 0}, "instance_count must be 1"),
        ("db", {"engine_version": "16"}, "pinned 'major.minor'"),
        ("db", {"backup_retention_days": 0}, "backup_retention_days must be 1 to 35"),
        ("db", {"client_security_group_ids": {"world": "0.0.0.0/0"}}, "never a CIDR"),
        ("db", {"client_security_group_ids": {"Nodes": "sg-0123456789abcdef0"}}, "client name"),
        ("db", {"secondary_of": SimpleNamespace(name="p", args=args())}, "not a global primary"),
        (
            "db",
            {
                "secondary_of": SimpleNamespace(
                    name="p", args=args(enable_global_database=True, engine_version="15.8")
                )
            },
            "a global database runs one version",
        ),
        (
            "db",
            {
                "enable_global_database": True,
                "secondary_of": SimpleNamespace(name="p", args=args(enable_global_database=True)),
            },
            "not both",
        ),
    ],
)
def test_database_args_are_checked_before_any_resource(name: str, changes: dict, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        check_args(name, args(**changes))


def test_good_database_args_pass() -> None:
    check_args(
        "prod-euw1-db",
        args(
            enable_proxy=True,
            subnet_ids=["subnet-1"],
            client_security_group_ids={"nodes": "sg-0123456789abcdef0"},
        ),
    )
    primary = SimpleNamespace(name="p", args=args(enable_global_database=True))
    check_args("prod-euc1-db", args(secondary_of=primary))
    assert parameter_group_family("17.4") == "aurora-postgresql17"


@settings(max_examples=300, deadline=None)
@given(
    daily_start=st.integers(0, 1439),
    daily_length=st.integers(30, 240),
    day=st.sampled_from(DAYS),
    weekly_start=st.integers(0, 1439),
    weekly_length=st.integers(30, 600),
)
def test_window_overlap_matches_a_minute_by_minute_count(
    daily_start: int, daily_length: int, day: str, weekly_start: int, weekly_length: int
) -> None:
    def hhmm(minute: int) -> str:
        return f"{minute // 60 % 24:02d}:{minute % 60:02d}"

    week = 7 * 1440
    w0 = DAYS.index(day) * 1440 + weekly_start
    w1 = (w0 + weekly_length) % week
    daily = f"{hhmm(daily_start)}-{hhmm(daily_start + daily_length)}"
    weekly = f"{day}:{hhmm(weekly_start)}-{DAYS[w1 // 1440]}:{hhmm(w1 % 1440)}"
    maintenance = {(w0 + m) % week for m in range(weekly_length)}
    backups = {(d * 1440 + daily_start + m) % week for d in range(7) for m in range(daily_length)}
    if maintenance & backups:
        with pytest.raises(ValueError, match="overlaps"):
            check_windows_apart("backup_window", daily, "maintenance_window", weekly)
    else:
        check_windows_apart("backup_window", daily, "maintenance_window", weekly)
