"""The `GitLabRunners` component: an autoscaled GitLab Runner fleet in one account and region."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, assume_role_policy, deny_insecure_transport, policy_json
from social_components.runners.args import GitLabRunnersArgs, WorkerFleet
from social_components.runners.validation import (
    WORKER_USER,
    Architecture,
    ManagerBoot,
    RunnerPlacement,
    instance_architecture,
    manager_user_data,
    render_runner_config,
    validate_instance_types,
    validate_settings,
    worker_user_data,
)

AMI_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{architecture}"
"""AWS's public SSM parameter with the current Amazon Linux 2023 AMI for an architecture."""
TOKEN_PLACEHOLDER_VALUE = (
    "unset: aws ssm put-parameter --overwrite --type SecureString --name <this> --value glrt-…"
)
"""Stored in the token parameter until an operator puts the real token there."""
SSM_MANAGED_POLICY = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
IMDS_V2_ONLY = aws.ec2.LaunchTemplateMetadataOptionsArgs(
    http_endpoint="enabled",
    http_tokens="required",
    # One hop: processes on the host reach IMDS, containers (one more hop) do not.
    http_put_response_hop_limit=1,
)


def validate_workers(workers: WorkerFleet, max_instances: int) -> None:
    """Raises ValueError naming the worker setting and what is allowed."""
    validate_instance_types(workers.instance_types, workers.architecture)
    if not 1 <= workers.vcpu_min <= workers.vcpu_max:
        raise ValueError(f"vcpu_min ({workers.vcpu_min}) must be 1 to vcpu_max ({workers.vcpu_max})")
    if workers.memory_gib_min <= 0:
        raise ValueError(f"memory_gib_min must be positive (got {workers.memory_gib_min})")
    if not 0 <= workers.on_demand_percentage <= 100:
        raise ValueError(f"on_demand_percentage must be 0 to 100 (got {workers.on_demand_percentage})")
    if not 0 <= workers.on_demand_base_capacity <= max_instances:
        raise ValueError(
            f"on_demand_base_capacity must be 0 to max_instances ({max_instances}), "
            f"got {workers.on_demand_base_capacity}"
        )
    if not 8 <= workers.root_volume_gib <= 16384:
        raise ValueError(f"root_volume_gib must be 8 to 16384 (got {workers.root_volume_gib})")


class GitLabRunners(SocialComponent):
    """GitLab Runner on the docker-autoscaler executor, scaling EC2 workers with the fleeting AWS plugin.

    - a **manager** in an auto scaling group of one, in a private subnet, with no inbound rules and no
      SSH key (reach it with SSM Session Manager), IMDSv2 only, an encrypted root volume, logs to an
      encrypted CloudWatch log group; it reads its config.toml and token from SSM;
    - a **worker** auto scaling group (launch template with IMDSv2 and encrypted gp3, instance types or
      attribute-based selection, spot/on-demand mix) with **no scaling policies**: the runner sets its
      desired capacity, so Pulumi ignores it;
    - an encrypted S3 **cache** bucket that only the manager's role can read and write (jobs use
      pre-signed URLs the manager hands out); workers have no AWS credentials at all;
    - the manager's IAM policy can scale and terminate only its own worker group and connect only to
      instances of that group.
    """

    MODULE = "runners"

    manager_security_group_id: pulumi.Output[str]
    worker_security_group_id: pulumi.Output[str]
    """Where jobs run: admit this group where CI must connect (not the databases: migrations run in
    the cluster, docs/migrations.md)."""
    worker_group_name: str
    worker_group_arn: pulumi.Output[str]
    manager_role_arn: pulumi.Output[str]
    cache_bucket_name: pulumi.Output[str]
    config_parameter_name: str
    token_parameter_name: str
    log_group_name: pulumi.Output[str]
    kms_key_alias: str
    """The runners' own key (token, cache, logs); name it when putting the token with the AWS CLI."""
    config_toml: pulumi.Output[str]
    """The rendered config.toml (with the token placeholder, never the token)."""
    job_tags: tuple[str, ...]
    """Job tags to give the runner when it is created in GitLab (the architecture is always one)."""

    def __init__(
        self,
        name: str,
        args: GitLabRunnersArgs,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        validate_settings(args.settings)
        validate_workers(args.workers, args.settings.max_instances)
        if not args.subnet_ids:
            raise ValueError("subnet_ids needs at least one private subnet")
        self.job_tags = tuple(dict.fromkeys((*args.settings.tags, args.workers.architecture)))
        account = self.account_id()
        region = self.region()
        self.kms_key_alias = f"alias/{self.child_name('encryption')}"
        key = self.log_key("encryption", f"{name}: GitLab Runner token, cache and logs")

        manager_sg, worker_sg = self._security_groups(args)
        self.manager_security_group_id = manager_sg.id
        self.worker_security_group_id = worker_sg.id

        self.worker_group_name = self.child_name("workers")
        prefix = f"{args.path_prefix.rstrip('/')}/{name}"
        self._log_group = prefix
        log_group = aws.cloudwatch.LogGroup(
            self.child_name("logs"),
            name=self._log_group,
            retention_in_days=args.log_retention_days,
            kms_key_id=key.arn,
            opts=self.stateful(),
        )
        self.log_group_name = log_group.name

        manager_role = aws.iam.Role(
            self.child_name("manager"),
            description=f"{name}: GitLab Runner manager (scales its own worker group)",
            assume_role_policy=assume_role_policy({"Service": "ec2.amazonaws.com"}),
            opts=self.child(),
        )
        self.manager_role_arn = manager_role.arn
        bucket = self._cache_bucket(args, key, manager_role, account)
        self.cache_bucket_name = bucket.bucket

        workers = self._workers(args, worker_sg)
        self.worker_group_arn = workers.arn

        self.config_toml = pulumi.Output.all(region, bucket.bucket).apply(
            lambda values: render_runner_config(
                args.settings,
                RunnerPlacement(
                    name=name,
                    gitlab_url=args.gitlab_url,
                    region=values[0],
                    worker_group_name=self.worker_group_name,
                    cache_bucket_name=values[1],
                    architecture=args.workers.architecture,
                ),
            )
        )
        self.config_parameter_name = f"{prefix}/config-toml"
        self.token_parameter_name = f"{prefix}/token"
        config_parameter = aws.ssm.Parameter(
            self.child_name("config"),
            name=self.config_parameter_name,
            description=f"{name}: GitLab Runner config.toml (token placeholder only)",
            type="String",
            tier="Intelligent-Tiering",
            insecure_value=self.config_toml,
            opts=self.child(),
        )
        token_given = args.runner_token is not None
        token_parameter = aws.ssm.Parameter(
            self.child_name("token"),
            name=self.token_parameter_name,
            description=f"{name}: GitLab Runner authentication token",
            type="SecureString",
            # The runners' own key, not aws/ssm: read-only roles (ReadOnlyAccess) cannot decrypt it.
            key_id=key.arn,
            value=pulumi.Output.secret(args.runner_token if token_given else TOKEN_PLACEHOLDER_VALUE),
            opts=self.stateful(
                additional_secret_outputs=["value", "insecureValue"],
                # Without a token in config, the value belongs to whoever put the token there.
                ignore_changes=[] if token_given else ["value"],
            ),
        )

        manager_policy = aws.iam.RolePolicy(
            self.child_name("manager"),
            role=manager_role.id,
            policy=policy_json(
                self.manager_policy_statements(
                    worker_group_arn=workers.arn,
                    worker_group_name=self.worker_group_name,
                    region=region,
                    account=account,
                    parameter_arns=[config_parameter.arn, token_parameter.arn],
                    key_arn=key.arn,
                    bucket_arn=bucket.arn,
                    log_group_arn=log_group.arn,
                )
            ),
            opts=self.child(),
        )
        ssm_core = aws.iam.RolePolicyAttachment(
            self.child_name("manager-ssm"),
            role=manager_role.name,
            policy_arn=SSM_MANAGED_POLICY,
            opts=self.child(),
        )
        profile = aws.iam.InstanceProfile(
            self.child_name("manager"), role=manager_role.name, opts=self.child()
        )
        self._manager(args, manager_sg, profile, region, depends_on=[manager_policy, ssm_core])

        self.register_outputs(
            {
                "manager_security_group_id": self.manager_security_group_id,
                "worker_security_group_id": self.worker_security_group_id,
                "worker_group_name": self.worker_group_name,
                "worker_group_arn": self.worker_group_arn,
                "manager_role_arn": self.manager_role_arn,
                "cache_bucket_name": self.cache_bucket_name,
                "config_parameter_name": self.config_parameter_name,
                "token_parameter_name": self.token_parameter_name,
                "kms_key_alias": self.kms_key_alias,
                "log_group_name": self.log_group_name,
                "job_tags": list(self.job_tags),
            }
        )

    # -----------------------------------------------------------------------------------------

    @staticmethod
    def manager_policy_statements(
        *,
        worker_group_arn: pulumi.Input[str],
        worker_group_name: str,
        region: pulumi.Input[str],
        account: pulumi.Input[str],
        parameter_arns: list[pulumi.Input[str]],
        key_arn: pulumi.Input[str],
        bucket_arn: pulumi.Input[str],
        log_group_arn: pulumi.Input[str],
    ) -> list[dict[str, Any]]:
        """Least privilege for the manager: the fleeting AWS plugin's needs, scoped to its own group."""
        return [
            {
                "Sid": "ScaleOwnWorkerGroupOnly",
                "Effect": "Allow",
                "Action": [
                    "autoscaling:SetDesiredCapacity",
                    "autoscaling:TerminateInstanceInAutoScalingGroup",
                ],
                "Resource": worker_group_arn,
            },
            {
                # Describe calls support no resource-level permissions; they change nothing.
                "Sid": "DescribeFleet",
                "Effect": "Allow",
                "Action": ["autoscaling:DescribeAutoScalingGroups", "ec2:DescribeInstances"],
                "Resource": "*",
            },
            {
                "Sid": "ConnectToOwnWorkersOnly",
                "Effect": "Allow",
                "Action": ["ec2-instance-connect:SendSSHPublicKey"],
                "Resource": pulumi.Output.concat("arn:aws:ec2:", region, ":", account, ":instance/*"),
                "Condition": {
                    "StringEquals": {
                        "aws:ResourceTag/aws:autoscaling:groupName": worker_group_name,
                        "ec2:osuser": WORKER_USER,
                    }
                },
            },
            {
                "Sid": "ReadOwnConfigAndToken",
                "Effect": "Allow",
                "Action": ["ssm:GetParameter"],
                "Resource": parameter_arns,
            },
            {
                "Sid": "UseRunnerKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
                "Resource": key_arn,
            },
            {
                "Sid": "ListCache",
                "Effect": "Allow",
                "Action": ["s3:ListBucket"],
                "Resource": bucket_arn,
            },
            {
                "Sid": "ReadWriteCache",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:PutObject"],
                "Resource": pulumi.Output.concat(bucket_arn, "/*"),
            },
            {
                "Sid": "ShipLogs",
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                "Resource": [log_group_arn, pulumi.Output.concat(log_group_arn, ":*")],
            },
        ]

    def _security_groups(
        self, args: GitLabRunnersArgs
    ) -> tuple[aws.ec2.SecurityGroup, aws.ec2.SecurityGroup]:
        """Manager: no inbound at all; out HTTPS (GitLab, AWS APIs, packages) and SSH to its workers.
        Workers: inbound SSH from the manager only; out anything (jobs fetch what they build)."""
        manager = aws.ec2.SecurityGroup(
            self.child_name("manager"),
            vpc_id=args.vpc_id,
            description="GitLab Runner manager: no inbound; HTTPS out, SSH to its workers",
            tags={"Name": self.child_name("manager")},
            opts=self.child(),
        )
        workers = aws.ec2.SecurityGroup(
            self.child_name("workers"),
            vpc_id=args.vpc_id,
            description="GitLab Runner workers: SSH from the runner manager only",
            tags={"Name": self.child_name("workers")},
            opts=self.child(),
        )
        self.admit(
            "workers-ssh-from-manager",
            workers.id,
            manager.id,
            22,
            "The runner manager drives Docker over SSH (EC2 Instance Connect keys)",
        )
        aws.vpc.SecurityGroupEgressRule(
            self.child_name("manager-https"),
            security_group_id=manager.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="tcp",
            from_port=443,
            to_port=443,
            description="GitLab, AWS APIs and package repositories",
            opts=self.child(),
        )
        aws.vpc.SecurityGroupEgressRule(
            self.child_name("manager-ssh-to-workers"),
            security_group_id=manager.id,
            referenced_security_group_id=workers.id,
            ip_protocol="tcp",
            from_port=22,
            to_port=22,
            description="SSH to its workers",
            opts=self.child(),
        )
        aws.vpc.SecurityGroupEgressRule(
            self.child_name("workers-egress"),
            security_group_id=workers.id,
            cidr_ipv4="0.0.0.0/0",
            ip_protocol="-1",
            description="Jobs pull images and dependencies",
            opts=self.child(),
        )
        return manager, workers

    def _cache_bucket(
        self,
        args: GitLabRunnersArgs,
        key: aws.kms.Key,
        manager_role: aws.iam.Role,
        account: pulumi.Output[str],
    ) -> aws.s3.Bucket:
        """Encrypted with the runners' key, expiring, private, and its objects readable and writable
        by the manager's role only. A cache holds nothing of record, so it is not protected."""
        bucket, guards = self.private_bucket(
            "cache",
            bucket_name=args.cache_bucket_name
            or pulumi.Output.concat(self.child_name("cache"), "-", account),
            kms_key=key,
            disposable=True,
        )
        self.expire_objects(
            "cache",
            bucket,
            rule_id="expire-cache",
            days=args.cache_expiry_days,
            abort_incomplete_after_days=1,
        )
        objects = pulumi.Output.concat(bucket.arn, "/*")
        aws.s3.BucketPolicy(
            self.child_name("cache"),
            bucket=bucket.id,
            policy=policy_json(
                [
                    *deny_insecure_transport(bucket.arn),
                    {
                        "Sid": "OnlyTheRunnerReadsAndWritesObjects",
                        "Effect": "Deny",
                        "Principal": "*",
                        "Action": ["s3:GetObject", "s3:PutObject"],
                        "Resource": objects,
                        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": manager_role.arn}},
                    },
                ]
            ),
            opts=self.child(depends_on=guards[:1]),
        )
        return bucket

    def _ami(self, architecture: Architecture) -> pulumi.Output[str]:
        """The current AL2023 AMI for `architecture`, from AWS's public SSM parameter. An AMI id is
        public information, so the look-up's (secret-marked) value is unwrapped."""
        parameter = aws.ssm.get_parameter_output(
            name=AMI_PARAMETER.format(architecture=architecture),
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        return pulumi.Output.unsecret(parameter.value)

    @staticmethod
    def _root_volume(size_gib: int) -> aws.ec2.LaunchTemplateBlockDeviceMappingArgs:
        return aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
            device_name="/dev/xvda",
            ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                volume_size=size_gib,
                volume_type="gp3",
                encrypted="true",
                delete_on_termination="true",
            ),
        )

    def _workers(self, args: GitLabRunnersArgs, worker_sg: aws.ec2.SecurityGroup) -> aws.autoscaling.Group:
        fleet = args.workers
        template = aws.ec2.LaunchTemplate(
            self.child_name("workers"),
            name=self.child_name("workers"),
            description=f"{self.name}: GitLab Runner workers (no instance profile, no SSH key)",
            image_id=self._ami(fleet.architecture),
            user_data=base64.b64encode(worker_user_data().encode()).decode(),
            vpc_security_group_ids=[worker_sg.id],
            metadata_options=IMDS_V2_ONLY,
            block_device_mappings=[self._root_volume(fleet.root_volume_gib)],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind, tags={"Name": self.child_name("worker")}
                )
                for kind in ("instance", "volume")
            ],
            update_default_version=True,
            opts=self.child(),
        )
        if fleet.instance_types:
            overrides = [
                aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(instance_type=t)
                for t in fleet.instance_types
            ]
        else:
            manufacturers = ["amazon-web-services"] if fleet.architecture == "arm64" else ["intel", "amd"]
            overrides = [
                aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideArgs(
                    instance_requirements=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideInstanceRequirementsArgs(
                        vcpu_count=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideInstanceRequirementsVcpuCountArgs(
                            min=fleet.vcpu_min, max=fleet.vcpu_max
                        ),
                        memory_mib=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateOverrideInstanceRequirementsMemoryMibArgs(
                            min=int(fleet.memory_gib_min * 1024)
                        ),
                        cpu_manufacturers=manufacturers,
                        burstable_performance="excluded",
                        instance_generations=["current"],
                    )
                )
            ]
        return aws.autoscaling.Group(
            self.child_name("workers"),
            name=self.worker_group_name,
            min_size=0,
            max_size=args.settings.max_instances,
            desired_capacity=0,
            vpc_zone_identifiers=list(args.subnet_ids),
            # The runner picks which instance goes; AWS must not end a busy one to rebalance.
            protect_from_scale_in=True,
            suspended_processes=["AZRebalance"],
            mixed_instances_policy=aws.autoscaling.GroupMixedInstancesPolicyArgs(
                launch_template=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateArgs(
                    launch_template_specification=aws.autoscaling.GroupMixedInstancesPolicyLaunchTemplateLaunchTemplateSpecificationArgs(
                        launch_template_id=template.id,
                        version=template.latest_version.apply(str),
                    ),
                    overrides=overrides,
                ),
                instances_distribution=aws.autoscaling.GroupMixedInstancesPolicyInstancesDistributionArgs(
                    on_demand_base_capacity=fleet.on_demand_base_capacity,
                    on_demand_percentage_above_base_capacity=fleet.on_demand_percentage,
                    on_demand_allocation_strategy="lowest-price",
                    spot_allocation_strategy="price-capacity-optimized",
                ),
            ),
            tags=[
                aws.autoscaling.GroupTagArgs(
                    key="Name", value=self.child_name("worker"), propagate_at_launch=True
                )
            ],
            # The runner owns the desired capacity; no scaling policies exist.
            opts=self.child(ignore_changes=["desiredCapacity"]),
        )

    def _manager(
        self,
        args: GitLabRunnersArgs,
        manager_sg: aws.ec2.SecurityGroup,
        profile: aws.iam.InstanceProfile,
        region: pulumi.Output[str],
        depends_on: list[pulumi.Resource],
    ) -> aws.autoscaling.Group:
        user_data = region.apply(
            lambda r: base64.b64encode(
                manager_user_data(
                    ManagerBoot(
                        runner_version=args.runner_version,
                        region=r,
                        config_parameter=self.config_parameter_name,
                        token_parameter=self.token_parameter_name,
                        log_group=self._log_group,
                    )
                ).encode()
            ).decode()
        )
        template = aws.ec2.LaunchTemplate(
            self.child_name("manager"),
            name=self.child_name("manager"),
            description=f"{self.name}: GitLab Runner manager (SSM only, no SSH key)",
            image_id=self._ami(instance_architecture(args.manager_instance_type)),
            instance_type=args.manager_instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=profile.arn),
            user_data=user_data,
            vpc_security_group_ids=[manager_sg.id],
            metadata_options=IMDS_V2_ONLY,
            block_device_mappings=[self._root_volume(20)],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type=kind, tags={"Name": self.child_name("manager")}
                )
                for kind in ("instance", "volume")
            ],
            update_default_version=True,
            opts=self.child(),
        )
        return aws.autoscaling.Group(
            self.child_name("manager"),
            name=self.child_name("manager"),
            min_size=1,
            max_size=1,
            desired_capacity=1,
            vpc_zone_identifiers=list(args.subnet_ids),
            health_check_type="EC2",
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=template.id, version=template.latest_version.apply(str)
            ),
            # A new launch template version (runner version, AMI) replaces the manager. Two managers
            # must never drive one worker group, so the old one goes first.
            instance_refresh=aws.autoscaling.GroupInstanceRefreshArgs(
                strategy="Rolling",
                preferences=aws.autoscaling.GroupInstanceRefreshPreferencesArgs(
                    min_healthy_percentage=0, max_healthy_percentage=100
                ),
            ),
            tags=[
                aws.autoscaling.GroupTagArgs(
                    key="Name", value=self.child_name("manager"), propagate_at_launch=True
                )
            ],
            opts=self.child(depends_on=depends_on),
        )
