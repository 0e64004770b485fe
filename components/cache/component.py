"""The `Cache` component: a Valkey replication group on ElastiCache in one account and region."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, policy_json
from social_components.cache.args import CacheArgs
from social_components.cache.validation import ENGINE, check_args, parameter_group_family
from social_components.checks import check_client

LOG_TYPES = ("slow-log", "engine-log")


def _secret(value: pulumi.Input[str]) -> pulumi.Output[str]:
    """`value` as a Pulumi secret (typed: `Output.secret`'s own signature defeats type inference)."""
    return pulumi.Output.secret(value)  # type: ignore[arg-type, return-value]


class Cache(SocialComponent):
    """Valkey (the Linux Foundation's open-source, Redis-compatible engine) on ElastiCache: a primary
    and replicas in the data subnets, Multi-AZ with automatic failover when asked, TLS required,
    encrypted at rest with its own KMS key, an AUTH token (a Pulumi secret, also kept in Secrets
    Manager for applications), daily snapshots and a final snapshot on delete, slow and engine logs
    to encrypted log groups. Only security groups named by the caller reach the port (`allow_from`).
    """

    MODULE = "cache"

    primary_endpoint: pulumi.Output[str]
    """Writes (and reads): follows the primary through failovers."""
    reader_endpoint: pulumi.Output[str]
    """Reads spread over the replicas."""
    port: pulumi.Output[int]
    security_group_id: pulumi.Output[str]
    auth_token_secret_arn: pulumi.Output[str]
    """Secrets Manager secret with host, port and the AUTH token (JSON), for applications."""
    kms_key_arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: CacheArgs, opts: pulumi.ResourceOptions | None = None, protect: bool = False
    ) -> None:
        check_args(name, args)
        super().__init__(name, protect=protect, opts=opts)
        self.args = args
        self._region = self.region()
        log_prefix = f"/social/cache/{name}"

        key = self.log_key(
            "encryption",
            f"{name}: ElastiCache data at rest, snapshots, AUTH token secret and logs",
            f"{log_prefix}/*",
        )
        self.kms_key_arn = key.arn
        log_groups = {
            log_type: aws.cloudwatch.LogGroup(
                self.child_name(log_type),
                name=f"{log_prefix}/{log_type}",
                retention_in_days=args.log_retention_days,
                kms_key_id=key.arn,
                opts=self.stateful(),
            )
            for log_type in LOG_TYPES
        }

        group = aws.ec2.SecurityGroup(
            self.child_name("sg"),
            vpc_id=args.vpc_id,
            description=f"{name}: Valkey, from named client security groups only",
            revoke_rules_on_delete=True,
            tags={"Name": self.child_name("sg")},
            opts=self.child(),
        )
        self.security_group_id = group.id

        parameters = aws.elasticache.ParameterGroup(
            self.child_name("params"),
            family=parameter_group_family(args.engine_version),
            description=f"{name}: eviction policy for a cache",
            parameters=[
                aws.elasticache.ParameterGroupParameterArgs(
                    name="maxmemory-policy", value=args.maxmemory_policy
                )
            ],
            opts=self.child(),
        )

        if args.auth_token is None:
            generated = self.generated_password(
                "auth-token", 64, self.stateful(additional_secret_outputs=["result"])
            )
            token = _secret(generated)
        else:
            token = _secret(args.auth_token)

        replication_group = aws.elasticache.ReplicationGroup(
            self.child_name("valkey"),
            replication_group_id=name,
            description=f"{name}: sessions and hot feed data",
            engine=ENGINE,
            engine_version=args.engine_version,
            node_type=args.node_type,
            num_cache_clusters=1 + args.replicas,
            automatic_failover_enabled=args.replicas >= 1,
            multi_az_enabled=args.enable_multi_az,
            port=args.port,
            subnet_group_name=args.subnet_group_name,
            security_group_ids=[group.id],
            parameter_group_name=parameters.name,
            at_rest_encryption_enabled=True,
            kms_key_id=key.arn,
            transit_encryption_enabled=True,
            transit_encryption_mode="required",
            auth_token=token,
            auth_token_update_strategy="ROTATE",
            snapshot_retention_limit=args.snapshot_retention_days,
            snapshot_window=args.snapshot_window,
            maintenance_window=args.maintenance_window,
            final_snapshot_identifier=self.final_snapshot_identifier(name, key),
            auto_minor_version_upgrade=False,
            apply_immediately=False,
            log_delivery_configurations=[
                aws.elasticache.ReplicationGroupLogDeliveryConfigurationArgs(
                    destination=log_groups[log_type].name,
                    destination_type="cloudwatch-logs",
                    log_format="json",
                    log_type=log_type,
                )
                for log_type in LOG_TYPES
            ],
            opts=self.stateful(additional_secret_outputs=["authToken"]),
        )
        # ElastiCache publishes per node; the replication group's nodes are `<id>-001`, `-002`, …
        for node in range(1, 2 + args.replicas):
            self.watch(
                "cache-node",
                f"node-{node:03d}",
                {"CacheClusterId": f"{name}-{node:03d}"},
                traits=["replicated"] if args.replicas else [],
            )
        self.primary_endpoint = replication_group.primary_endpoint_address
        self.reader_endpoint = replication_group.reader_endpoint_address
        self.port = replication_group.port  # type: ignore[assignment]

        secret = self.json_secret(
            "auth-token",
            f"{name}: Valkey endpoint and AUTH token for applications",
            {
                "host": self.primary_endpoint,
                "reader_host": self.reader_endpoint,
                "port": args.port,
                "tls": True,
                "auth_token": token,
            },
            key,
        )
        self.auth_token_secret_arn = secret.arn

        for client, security_group_id in args.client_security_group_ids.items():
            self.allow_from(client, security_group_id)

        self.register_outputs(
            {
                "primary_endpoint": self.primary_endpoint,
                "reader_endpoint": self.reader_endpoint,
                "port": self.port,
                "security_group_id": self.security_group_id,
                "auth_token_secret_arn": self.auth_token_secret_arn,
            }
        )

    def allow_from(self, name: str, security_group_id: pulumi.Input[str]) -> None:
        """Admit one client security group (by a stable name, e.g. ``nodes``) to the cache port.
        The rule references the group; there is no way to admit a CIDR."""
        check_client(name, security_group_id)
        self.admit(
            f"from-{name}", self.security_group_id, security_group_id, self.args.port, f"Valkey from {name}"
        )

    def grant_auth_token_read(self, name: str, role: aws.iam.Role) -> aws.iam.RolePolicy:
        """Let `role` (e.g. a pod's role) read the endpoint-and-token secret."""
        return aws.iam.RolePolicy(
            self.child_name(f"secret-{name}"),
            role=role.id,
            policy=policy_json(
                [
                    {
                        "Sid": "ReadTheCacheSecret",
                        "Effect": "Allow",
                        "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
                        "Resource": self.auth_token_secret_arn,
                    },
                    {
                        "Sid": "DecryptItThroughSecretsManager",
                        "Effect": "Allow",
                        "Action": "kms:Decrypt",
                        "Resource": self.kms_key_arn,
                        "Condition": {
                            "StringEquals": {
                                "kms:ViaService": pulumi.Output.concat(
                                    "secretsmanager.", self._region, ".amazonaws.com"
                                )
                            }
                        },
                    },
                ]
            ),
            opts=self.child(),
        )
