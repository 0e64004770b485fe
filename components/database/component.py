"""The `Database` component: an Aurora PostgreSQL cluster in one account and region."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, assume_role_policy, policy_json
from social_components.checks import check_client
from social_components.database.args import DatabaseArgs
from social_components.database.validation import (
    SERVERLESS,
    check_args,
    check_db_user,
    parameter_group_family,
    serverless_max_connections,
)

ENGINE = "aurora-postgresql"
CA_CERTIFICATE = "rds-ca-rsa2048-g1"
"""Pinned server CA, so clients verifying the certificate (sslmode=verify-full) know which bundle."""
ENHANCED_MONITORING_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"
PERFORMANCE_INSIGHTS_DAYS = {"standard": 7, "advanced": 465}
"""Performance Insights retention by Database Insights mode (advanced requires 15 months)."""


def cluster_parameters(log_min_duration_statement_ms: int) -> dict[str, str]:
    """The cluster parameter group: TLS only, SCRAM passwords, and logs worth reading."""
    return {
        "rds.force_ssl": "1",
        "ssl_min_protocol_version": "TLSv1.2",
        "password_encryption": "scram-sha-256",
        "log_min_duration_statement": str(log_min_duration_statement_ms),
        "log_connections": "1",
        "log_disconnections": "1",
        "log_lock_waits": "1",
        "log_statement": "ddl",
        "log_temp_files": "10240",
        "log_autovacuum_min_duration": "10000",
    }


def _nth_zone(zones: pulumi.Output[Sequence[str]], index: int) -> pulumi.Output[str]:
    """Instance `index`'s AZ: the zones in turn, so consecutive instances never share one."""
    return zones.apply(lambda names: names[index % len(names)])


def _managed_secret_arn(secrets: Sequence[aws.rds.outputs.ClusterMasterUserSecret]) -> str:
    if not secrets or not secrets[0].secret_arn:
        raise ValueError("RDS reported no master user secret although manage_master_user_password is on")
    return secrets[0].secret_arn


def _secret(value: pulumi.Input[str]) -> pulumi.Output[str]:
    """`value` as a Pulumi secret (typed: `Output.secret`'s own signature defeats type inference)."""
    return pulumi.Output.secret(value)  # type: ignore[arg-type, return-value]


class Database(SocialComponent):
    """Aurora PostgreSQL: a writer and readers over the AZs, in the data subnets, encrypted with its
    own KMS key, TLS forced, IAM database authentication on, logs exported, Performance Insights and
    Enhanced Monitoring on, backups kept and a final snapshot taken on delete.

    - regional (default): RDS manages the master password in Secrets Manager with this key;
    - ``enable_global_database``: the primary of an Aurora Global Database, with a generated master
      password (a Pulumi secret) stored in Secrets Manager by this component;
    - ``secondary_of=primary``: a read-only secondary cluster of that global database in this
      component's region, with its own key and its own copy of the master secret.

    Only security groups named by the caller reach port 5432 (`allow_from`); there is no CIDR rule.
    """

    MODULE = "database"

    writer_endpoint: pulumi.Output[str]
    """Cluster (writer) endpoint. On a secondary it is read-only until the cluster is promoted."""
    reader_endpoint: pulumi.Output[str]
    proxy_endpoint: pulumi.Output[str] | None
    """RDS Proxy endpoint (None without a proxy): TLS and IAM authentication required."""
    port: pulumi.Output[int]
    secret_arn: pulumi.Output[str]
    """Secrets Manager secret holding the master credentials (JSON with username and password)."""
    security_group_id: pulumi.Output[str]
    proxy_security_group_id: pulumi.Output[str] | None
    cluster_identifier: pulumi.Output[str]
    cluster_resource_id: pulumi.Output[str]
    kms_key_arn: pulumi.Output[str]
    global_cluster_id: pulumi.Output[str] | None
    """The global cluster this database belongs to (None for a regional cluster)."""
    master_password: pulumi.Output[str] | None
    """The generated master password, a Pulumi secret (global primaries only; None otherwise)."""

    def __init__(
        self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None, protect: bool = False
    ) -> None:
        check_args(name, args)
        super().__init__(name, protect=protect, opts=opts)
        self.args = args
        primary = args.secondary_of
        self._region = self.region()
        log_group_name = f"/aws/rds/cluster/{name}/postgresql"

        key = self.log_key(
            "encryption",
            f"{name}: Aurora storage, Performance Insights, master secret and logs",
            log_group_name,
        )
        self.kms_key_arn = key.arn
        logs = aws.cloudwatch.LogGroup(
            self.child_name("postgresql-logs"),
            name=log_group_name,
            retention_in_days=args.log_retention_days,
            kms_key_id=key.arn,
            opts=self.stateful(),
        )

        self._security_groups(args)
        parameters = aws.rds.ClusterParameterGroup(
            self.child_name("params"),
            family=parameter_group_family(args.engine_version),
            description=f"{name}: TLS only, SCRAM passwords, slow-statement and connection logging",
            parameters=[
                aws.rds.ClusterParameterGroupParameterArgs(name=k, value=v, apply_method="pending-reboot")
                for k, v in cluster_parameters(args.log_min_duration_statement_ms).items()
            ],
            opts=self.child(),
        )
        monitoring = aws.iam.Role(
            self.child_name("monitoring"),
            description=f"{name}: RDS Enhanced Monitoring",
            assume_role_policy=assume_role_policy({"Service": "monitoring.rds.amazonaws.com"}),
            opts=self.child(),
        )
        monitoring_policy = aws.iam.RolePolicyAttachment(
            self.child_name("monitoring"),
            role=monitoring.name,
            policy_arn=ENHANCED_MONITORING_POLICY,
            opts=self.child(),
        )

        # Credentials: RDS-managed for a regional cluster; generated for a global primary; inherited
        # by a secondary, which only keeps its own copy of the secret.
        self.global_cluster_id = None
        self.master_password = None
        credentials: dict[str, Any] = {}
        if primary is not None:
            self.global_cluster_id = primary.global_cluster_id
        else:
            credentials = {"database_name": args.database_name, "master_username": args.master_username}
            if args.enable_global_database:
                global_cluster = aws.rds.GlobalCluster(
                    self.child_name("global"),
                    global_cluster_identifier=self.child_name("global"),
                    engine=ENGINE,
                    engine_version=args.engine_version,
                    database_name=args.database_name,
                    storage_encrypted=True,
                    deletion_protection=args.deletion_protection,
                    opts=self.stateful(),
                )
                self.global_cluster_id = global_cluster.id
                # 48 alphanumerics ≈ 285 bits
                password = self.generated_password(
                    "master-password", 48, self.stateful(additional_secret_outputs=["result"])
                )
                self.master_password = _secret(password)
                credentials["master_password"] = self.master_password
            else:
                credentials["manage_master_user_password"] = True
                credentials["master_user_secret_kms_key_id"] = key.arn

        insights_days = PERFORMANCE_INSIGHTS_DAYS[args.database_insights_mode]
        serverless = args.instance_class == SERVERLESS
        cluster = aws.rds.Cluster(
            self.child_name("cluster"),
            cluster_identifier=name,
            engine=ENGINE,
            engine_mode="provisioned",
            engine_version=args.engine_version,
            global_cluster_identifier=self.global_cluster_id,
            **credentials,
            iam_database_authentication_enabled=True,
            port=args.port,
            db_subnet_group_name=args.db_subnet_group_name,
            vpc_security_group_ids=[self.security_group_id],
            db_cluster_parameter_group_name=parameters.name,
            storage_encrypted=True,
            kms_key_id=key.arn,
            backup_retention_period=args.backup_retention_days,
            preferred_backup_window=args.backup_window,
            preferred_maintenance_window=args.maintenance_window,
            copy_tags_to_snapshot=True,
            deletion_protection=args.deletion_protection,
            # A secondary is read-only storage; write forwarding sends its sessions' writes to the
            # primary (see README "Writes in the secondary region" for the consistency apps get).
            enable_global_write_forwarding=True if primary is not None else None,
            skip_final_snapshot=False,
            final_snapshot_identifier=self.final_snapshot_identifier(name, key),
            delete_automated_backups=False,
            enabled_cloudwatch_logs_exports=["postgresql"],
            serverlessv2_scaling_configuration=(
                aws.rds.ClusterServerlessv2ScalingConfigurationArgs(
                    min_capacity=args.min_acu,
                    max_capacity=args.max_acu,
                    seconds_until_auto_pause=args.seconds_until_auto_pause,
                )
                if serverless
                else None
            ),
            database_insights_mode=args.database_insights_mode,
            performance_insights_enabled=True,
            performance_insights_kms_key_id=key.arn,
            performance_insights_retention_period=insights_days,
            allow_major_version_upgrade=False,
            apply_immediately=False,
            tags=dict(args.backup_tags) or None,
            opts=self.stateful(
                additional_secret_outputs=["masterPassword"],
                # RDS creates the log group itself unless ours exists first; a secondary follows
                # its primary, and RDS fills in its replication source, which is not ours to set.
                depends_on=[logs, *([primary] if primary is not None else [])],
                ignore_changes=["replicationSourceIdentifier"] if primary is not None else None,
            ),
        )

        zones = (
            None
            if args.availability_zones is None
            else pulumi.Output.from_input(args.availability_zones).apply(list)
        )
        instances = []
        for index in range(args.instance_count):
            role = f"instance-{index + 1}"
            instances.append(
                aws.rds.ClusterInstance(
                    self.child_name(role),
                    identifier=self.child_name(role),
                    cluster_identifier=cluster.id,
                    engine=aws.rds.EngineType.AURORA_POSTGRESQL,
                    engine_version=args.engine_version,
                    instance_class=args.instance_class,
                    availability_zone=None if zones is None else _nth_zone(zones, index),
                    db_subnet_group_name=args.db_subnet_group_name,
                    publicly_accessible=False,
                    # Tiers 0-1 fail over first and, on Serverless v2, scale with the writer.
                    promotion_tier=min(index, 1),
                    ca_cert_identifier=CA_CERTIFICATE,
                    auto_minor_version_upgrade=False,
                    copy_tags_to_snapshot=True,
                    performance_insights_enabled=True,
                    performance_insights_kms_key_id=key.arn,
                    performance_insights_retention_period=insights_days,
                    monitoring_interval=args.monitoring_interval_seconds,
                    monitoring_role_arn=monitoring.arn,
                    preferred_maintenance_window=args.maintenance_window,
                    apply_immediately=False,
                    opts=self.stateful(depends_on=[monitoring_policy]),
                )
            )

        self.cluster_identifier = cluster.cluster_identifier
        self.cluster_resource_id = cluster.cluster_resource_id
        traits = ["serverless"] if serverless else []
        if args.instance_count > 1:
            traits.append("readers")
        if primary is not None:
            traits.append("global-secondary")
        self.watch(
            "aurora-cluster",
            "cluster",
            {"DBClusterIdentifier": cluster.cluster_identifier},
            traits=traits,
            log_group_name=logs.name,
            # Alarms on connections are relative to it (a provisioned class's is not modelled).
            capacity={"max_connections": serverless_max_connections(args.min_acu, args.max_acu)}
            if serverless
            else {},
        )
        for index, instance in enumerate(instances):
            self.watch(
                "aurora-instance", f"instance-{index + 1}", {"DBInstanceIdentifier": instance.identifier}
            )
        self.writer_endpoint = cluster.endpoint
        self.reader_endpoint = cluster.reader_endpoint
        self.port = cluster.port
        self.secret_arn = self._master_secret(args, cluster, key)
        self._proxy = self._rds_proxy(args, cluster, key, instances) if args.enable_proxy else None
        self.proxy_endpoint = None if self._proxy is None else self._proxy.endpoint

        for client, security_group_id in args.client_security_group_ids.items():
            self.allow_from(client, security_group_id)

        self.register_outputs(
            {
                "writer_endpoint": self.writer_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "proxy_endpoint": self.proxy_endpoint,
                "port": self.port,
                "secret_arn": self.secret_arn,
                "security_group_id": self.security_group_id,
                "cluster_identifier": self.cluster_identifier,
                "global_cluster_id": self.global_cluster_id,
            }
        )

    # Intent methods ---------------------------------------------------------------------------

    def allow_from(self, name: str, security_group_id: pulumi.Input[str]) -> None:
        """Admit one client security group (by a stable name, e.g. ``nodes``) to port 5432 of the
        cluster and of the proxy. Rules reference the group; there is no way to admit a CIDR."""
        check_client(name, security_group_id)
        targets = [("", self.security_group_id)]
        if self.proxy_security_group_id is not None:
            targets.append(("proxy-", self.proxy_security_group_id))
        for prefix, target in targets:
            self.admit(
                f"{prefix}from-{name}", target, security_group_id, self.args.port, f"PostgreSQL from {name}"
            )

    def grant_connect(self, name: str, role: aws.iam.Role, db_user: str) -> aws.iam.RolePolicy:
        """Let `role` (e.g. a pod's role) sign in as `db_user` with an IAM authentication token, to
        the cluster and through the proxy. The user needs ``GRANT rds_iam TO <db_user>`` in SQL."""
        check_db_user(db_user)
        prefix = self._db_user_prefix()
        resources = [pulumi.Output.concat(prefix, self.cluster_resource_id, "/", db_user)]
        if self._proxy is not None:
            proxy_id = self._proxy.arn.apply(lambda arn: arn.rsplit(":", 1)[-1])
            resources.append(pulumi.Output.concat(prefix, proxy_id, "/", db_user))
        return aws.iam.RolePolicy(
            self.child_name(f"connect-{name}"),
            role=role.id,
            policy=policy_json(
                [
                    {
                        "Sid": "IamDatabaseAuthentication",
                        "Effect": "Allow",
                        "Action": "rds-db:connect",
                        "Resource": resources,
                    }
                ]
            ),
            opts=self.child(),
        )

    def grant_secret_read(self, name: str, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let `role` read the master secret (for migrations and break-glass, not for applications)."""
        return aws.iam.RolePolicy(
            self.child_name(f"secret-{name}"),
            role=role.id,
            policy=policy_json(self._secret_read_statements()),
            opts=self.child(),
        )

    # Pieces -----------------------------------------------------------------------------------

    def _security_groups(self, args: DatabaseArgs) -> None:
        """One group for the cluster and, with a proxy, one for the proxy, which alone reaches the
        cluster from inside. No egress rule: neither initiates connections."""
        cluster_sg = aws.ec2.SecurityGroup(
            self.child_name("sg"),
            vpc_id=args.vpc_id,
            description=f"{self.name}: Aurora PostgreSQL, from named client security groups only",
            revoke_rules_on_delete=True,
            tags={"Name": self.child_name("sg")},
            opts=self.child(),
        )
        self.security_group_id = cluster_sg.id
        self.proxy_security_group_id = None
        if not args.enable_proxy:
            return
        proxy_sg = aws.ec2.SecurityGroup(
            self.child_name("proxy-sg"),
            vpc_id=args.vpc_id,
            description=f"{self.name}: RDS Proxy, from named client security groups only",
            revoke_rules_on_delete=True,
            tags={"Name": self.child_name("proxy-sg")},
            opts=self.child(),
        )
        self.proxy_security_group_id = proxy_sg.id
        self.admit("from-proxy", cluster_sg.id, proxy_sg.id, args.port, "PostgreSQL from the RDS Proxy")
        aws.vpc.SecurityGroupEgressRule(
            self.child_name("proxy-to-cluster"),
            security_group_id=proxy_sg.id,
            referenced_security_group_id=cluster_sg.id,
            ip_protocol="tcp",
            from_port=args.port,
            to_port=args.port,
            description="The proxy reaches the cluster only",
            opts=self.child(),
        )

    def _master_secret(
        self, args: DatabaseArgs, cluster: aws.rds.Cluster, key: aws.kms.Key
    ) -> pulumi.Output[str]:
        """The master credentials' secret ARN: RDS's own secret for a regional cluster; otherwise a
        secret this component writes (the same password in every region of the global database)."""
        source = args.secondary_of or self
        if source.master_password is None:
            return cluster.master_user_secrets.apply(_managed_secret_arn)
        secret = self.json_secret(
            "master",
            f"{self.name}: Aurora master credentials (global database: same password everywhere)",
            {
                "engine": "postgres",
                "username": source.args.master_username,
                "password": source.master_password,
                "host": cluster.endpoint,
                "port": args.port,
                "dbname": source.args.database_name,
                "dbClusterIdentifier": self.name,
            },
            key,
        )
        return secret.arn

    def _db_user_prefix(self) -> pulumi.Output[str]:
        return pulumi.Output.concat("arn:aws:rds-db:", self._region, ":", self.account_id(), ":dbuser:")

    def _secret_read_statements(self) -> list[dict[str, Any]]:
        """Read the master secret, and decrypt it only through Secrets Manager in this region."""
        via_secrets_manager = pulumi.Output.concat("secretsmanager.", self._region, ".amazonaws.com")
        return [
            {
                "Sid": "ReadTheMasterSecret",
                "Effect": "Allow",
                "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                "Resource": self.secret_arn,
            },
            {
                "Sid": "DecryptItThroughSecretsManager",
                "Effect": "Allow",
                "Action": "kms:Decrypt",
                "Resource": self.kms_key_arn,
                "Condition": {"StringEquals": {"kms:ViaService": via_secrets_manager}},
            },
        ]

    def _rds_proxy(
        self,
        args: DatabaseArgs,
        cluster: aws.rds.Cluster,
        key: aws.kms.Key,
        instances: list[aws.rds.ClusterInstance],
    ) -> aws.rds.Proxy:
        """Connection pooling for many pods, TLS and IAM tokens required from every client.
        End-to-end IAM: the proxy signs in to the database as the client's own user with IAM too
        (users granted ``rds_iam``), so applications need no password anywhere. The master user
        keeps its secret (readable only by the proxy's role here) for admin sessions through it."""
        role = aws.iam.Role(
            self.child_name("proxy"),
            description=f"{self.name}: RDS Proxy signs in with IAM and reads the master secret",
            assume_role_policy=assume_role_policy({"Service": "rds.amazonaws.com"}),
            opts=self.child(),
        )
        statements = self._secret_read_statements()
        statements.append(
            {
                "Sid": "SignInToTheClusterWithIam",
                "Effect": "Allow",
                "Action": "rds-db:connect",
                "Resource": pulumi.Output.concat(self._db_user_prefix(), self.cluster_resource_id, "/*"),
            }
        )
        policy = aws.iam.RolePolicy(
            self.child_name("proxy"), role=role.id, policy=policy_json(statements), opts=self.child()
        )
        assert self.proxy_security_group_id is not None  # created with the proxy's other parts
        proxy = aws.rds.Proxy(
            self.child_name("proxy"),
            name=self.child_name("proxy"),
            engine_family="POSTGRESQL",
            require_tls=True,
            default_auth_scheme="IAM_AUTH",
            role_arn=role.arn,
            vpc_subnet_ids=list(args.subnet_ids),
            vpc_security_group_ids=[self.proxy_security_group_id],
            idle_client_timeout=1800,
            debug_logging=False,
            auths=[
                aws.rds.ProxyAuthArgs(
                    auth_scheme="SECRETS",
                    secret_arn=self.secret_arn,
                    iam_auth="REQUIRED",
                    description="master credentials; clients authenticate with IAM tokens",
                )
            ],
            opts=self.child(depends_on=[policy]),
        )
        self.watch("rds-proxy", "proxy", {"ProxyName": proxy.name})
        group = aws.rds.ProxyDefaultTargetGroup(
            self.child_name("proxy"),
            db_proxy_name=proxy.name,
            connection_pool_config=aws.rds.ProxyDefaultTargetGroupConnectionPoolConfigArgs(
                max_connections_percent=args.proxy_max_connections_percent,
                max_idle_connections_percent=min(50, args.proxy_max_connections_percent),
                connection_borrow_timeout=120,
            ),
            opts=self.child(),
        )
        aws.rds.ProxyTarget(
            self.child_name("proxy"),
            db_proxy_name=proxy.name,
            target_group_name=group.name,
            db_cluster_identifier=cluster.cluster_identifier,
            opts=self.child(depends_on=list(instances)),
        )
        return proxy
