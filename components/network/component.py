"""The `Network` component: a three-tier VPC in one account and region."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, assume_role_policy, policy_json
from social_components.network.args import NetworkArgs
from social_components.network.validation import MAX_AZS, SubnetTier, plan_subnets

GATEWAY_ENDPOINTS = ("s3", "dynamodb")


class Network(SocialComponent):
    """VPC with public, private and data subnets in every AZ.

    - public: load balancers and NAT gateways; routes to the internet gateway;
    - private: cluster nodes and pods, runners, interface endpoints; egress through NAT;
    - data: Aurora and the cache; **no route to the internet** whatever the NAT strategy.
    The default security group and default network ACL take no traffic; each tier has its own ACL.
    """

    MODULE = "network"

    vpc_id: pulumi.Output[str]
    vpc_cidr: str
    az_names: pulumi.Output[list[str]]
    subnet_ids: dict[SubnetTier, list[pulumi.Output[str]]]
    """Subnet ids per tier, in AZ order (index i is in ``az_names[i]``)."""
    public_route_table_id: pulumi.Output[str]
    private_route_table_ids: list[pulumi.Output[str]]
    """One per AZ, in AZ order."""
    data_route_table_id: pulumi.Output[str]
    db_subnet_group_name: pulumi.Output[str]
    cache_subnet_group_name: pulumi.Output[str]
    endpoint_security_group_id: pulumi.Output[str]
    flow_log_group_name: pulumi.Output[str] | None
    """The CloudWatch log group of the flow logs (None when they go to S3)."""

    def __init__(
        self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None, protect: bool = False
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        plan = plan_subnets(args.vpc_cidr, args.az_count, args.subnet_prefixes)
        self.vpc_cidr = args.vpc_cidr

        vpc = aws.ec2.Vpc(
            self.child_name("vpc"),
            cidr_block=args.vpc_cidr,
            enable_dns_support=True,
            enable_dns_hostnames=True,
            tags={"Name": self.child_name("vpc")},
            opts=self.child(),
        )
        self.vpc_id = vpc.id
        self._lock_defaults(vpc)

        zones = aws.get_availability_zones_output(
            state="available",
            filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOutputOptions(parent=self),
        )
        self.az_names = zones.names.apply(lambda names: self._first_azs(names, args.az_count))

        self.subnet_ids = {tier: [] for tier in plan}
        cluster_tags = (
            {
                "karpenter.sh/discovery": args.cluster_name,
                f"kubernetes.io/cluster/{args.cluster_name}": "shared",
            }
            if args.cluster_name
            else {}
        )
        tier_tags: dict[SubnetTier, dict[str, str]] = {
            "public": {"kubernetes.io/role/elb": "1"},
            "private": {"kubernetes.io/role/internal-elb": "1", **cluster_tags},
            "data": {},
        }
        for tier, cidrs in plan.items():
            for index, cidr in enumerate(cidrs):
                subnet_name = self.child_name(f"{tier}-az{index + 1}")
                subnet = aws.ec2.Subnet(
                    subnet_name,
                    vpc_id=vpc.id,
                    cidr_block=str(cidr),
                    availability_zone=self.az_names[index],
                    map_public_ip_on_launch=False,
                    tags={"Name": subnet_name, "Tier": tier, **tier_tags[tier]},
                    opts=self.child(),
                )
                self.subnet_ids[tier].append(subnet.id)
        self._network_acls(vpc, args.vpc_cidr)

        # Public: one route table, default route to the internet gateway.
        igw = aws.ec2.InternetGateway(
            self.child_name("igw"), vpc_id=vpc.id, tags={"Name": self.child_name("igw")}, opts=self.child()
        )
        public_rt = self._route_table("public", vpc, self.subnet_ids["public"])
        aws.ec2.Route(
            self.child_name("public-default"),
            route_table_id=public_rt.id,
            destination_cidr_block="0.0.0.0/0",
            gateway_id=igw.id,
            opts=self.child(),
        )
        self.public_route_table_id = public_rt.id

        # Private: one route table per AZ, default route to the NAT of its AZ (per-az) or the one NAT.
        nat_ids = self._nat_gateways(args, igw)
        self.private_route_table_ids = []
        for index, subnet_id in enumerate(self.subnet_ids["private"]):
            table = self._route_table(f"private-az{index + 1}", vpc, [subnet_id])
            if nat_ids:
                aws.ec2.Route(
                    self.child_name(f"private-az{index + 1}-default"),
                    route_table_id=table.id,
                    destination_cidr_block="0.0.0.0/0",
                    nat_gateway_id=nat_ids[index % len(nat_ids)],
                    opts=self.child(),
                )
            self.private_route_table_ids.append(table.id)

        # Data: one route table with the VPC's local route and nothing else. Not even the S3 and
        # DynamoDB gateway endpoints: their routes lead to those services' public ranges, which the
        # data subnets' network ACL (VPC range only) would drop anyway, and an ACL cannot name a
        # prefix list. Nothing runs in the data subnets but Aurora and ElastiCache, whose backups and
        # snapshots go to S3 over AWS's own network, not through this VPC.
        data_rt = self._route_table("data", vpc, self.subnet_ids["data"])
        self.data_route_table_id = data_rt.id

        region = self.region()
        for service in GATEWAY_ENDPOINTS:
            aws.ec2.VpcEndpoint(
                self.child_name(f"{service}-endpoint"),
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                vpc_endpoint_type="Gateway",
                route_table_ids=list(self.private_route_table_ids),
                tags={"Name": self.child_name(f"{service}-endpoint")},
                opts=self.child(),
            )
        endpoint_sg = aws.ec2.SecurityGroup(
            self.child_name("endpoints-sg"),
            vpc_id=vpc.id,
            description="Interface VPC endpoints: HTTPS from inside the VPC only",
            ingress=[
                {
                    "protocol": "tcp",
                    "from_port": 443,
                    "to_port": 443,
                    "cidr_blocks": [args.vpc_cidr],
                    "description": "HTTPS from the VPC",
                }
            ],
            tags={"Name": self.child_name("endpoints-sg")},
            opts=self.child(),
        )
        self.endpoint_security_group_id = endpoint_sg.id
        for service in args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                self.child_name(f"{service.replace('.', '-')}-endpoint"),
                vpc_id=vpc.id,
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=self.subnet_ids["private"],
                security_group_ids=[endpoint_sg.id],
                tags={"Name": self.child_name(f"{service}-endpoint")},
                opts=self.child(),
            )

        self.flow_log_group_name = self._flow_logs(args, vpc, region)

        db_group = aws.rds.SubnetGroup(
            self.child_name("db"),
            name=self.child_name("db"),
            description=f"{self.name}: data subnets for Aurora",
            subnet_ids=self.subnet_ids["data"],
            opts=self.child(),
        )
        cache_group = aws.elasticache.SubnetGroup(
            self.child_name("cache"),
            name=self.child_name("cache"),
            description=f"{self.name}: data subnets for ElastiCache",
            subnet_ids=self.subnet_ids["data"],
            opts=self.child(),
        )
        self.db_subnet_group_name = db_group.name
        self.cache_subnet_group_name = cache_group.name

        self.register_outputs(
            {
                "vpc_id": self.vpc_id,
                "vpc_cidr": self.vpc_cidr,
                "az_names": self.az_names,
                "public_subnet_ids": self.subnet_ids["public"],
                "private_subnet_ids": self.subnet_ids["private"],
                "data_subnet_ids": self.subnet_ids["data"],
                "db_subnet_group_name": self.db_subnet_group_name,
                "cache_subnet_group_name": self.cache_subnet_group_name,
            }
        )

    # -----------------------------------------------------------------------------------------

    @staticmethod
    def _first_azs(names: list[str], count: int) -> list[str]:
        if len(names) < count:
            raise ValueError(f"az_count is {count} but the region has only {len(names)} AZs: {names}")
        return sorted(names)[:count]

    def _lock_defaults(self, vpc: aws.ec2.Vpc) -> None:
        """Take over the VPC's default security group and network ACL and strip every rule."""
        aws.ec2.DefaultSecurityGroup(
            self.child_name("default-sg"),
            vpc_id=vpc.id,
            ingress=[],
            egress=[],
            tags={"Name": self.child_name("default-sg-unused")},
            opts=self.child(),
        )
        aws.ec2.DefaultNetworkAcl(
            self.child_name("default-nacl"),
            default_network_acl_id=vpc.default_network_acl_id,
            ingress=[],
            egress=[],
            tags={"Name": self.child_name("default-nacl-unused")},
            # Subnets are associated with the tier ACLs below; AWS moves them here only on delete.
            opts=self.child(ignore_changes=["subnetIds"]),
        )

    def _network_acls(self, vpc: aws.ec2.Vpc, vpc_cidr: str) -> None:
        """Public and private subnets: stateless ACLs allow all and security groups do the work.
        Data subnets: traffic only to and from inside the VPC."""

        def allow_all_from(cidr: str) -> dict[str, Any]:
            return {
                "protocol": "-1",
                "rule_no": 100,
                "action": "allow",
                "cidr_block": cidr,
                "from_port": 0,
                "to_port": 0,
            }

        everywhere, vpc_only = allow_all_from("0.0.0.0/0"), allow_all_from(vpc_cidr)
        for tier, rules in (("public", everywhere), ("private", everywhere), ("data", vpc_only)):
            aws.ec2.NetworkAcl(
                self.child_name(f"{tier}-nacl"),
                vpc_id=vpc.id,
                subnet_ids=self.subnet_ids[tier],  # type: ignore[index]
                ingress=[aws.ec2.NetworkAclIngressArgs(**rules)],
                egress=[aws.ec2.NetworkAclEgressArgs(**rules)],
                tags={"Name": self.child_name(f"{tier}-nacl")},
                opts=self.child(),
            )

    def _route_table(
        self, role: str, vpc: aws.ec2.Vpc, subnet_ids: list[pulumi.Output[str]]
    ) -> aws.ec2.RouteTable:
        table = aws.ec2.RouteTable(
            self.child_name(role), vpc_id=vpc.id, tags={"Name": self.child_name(role)}, opts=self.child()
        )
        for index, subnet_id in enumerate(subnet_ids):
            suffix = "" if len(subnet_ids) == 1 else f"-az{index + 1}"
            aws.ec2.RouteTableAssociation(
                self.child_name(f"{role}{suffix}"),
                route_table_id=table.id,
                subnet_id=subnet_id,
                opts=self.child(),
            )
        return table

    def _nat_gateways(self, args: NetworkArgs, igw: aws.ec2.InternetGateway) -> list[pulumi.Output[str]]:
        count = {"none": 0, "single": 1, "per-az": args.az_count}[args.nat_strategy]
        ids = []
        self.nat_public_ips: list[pulumi.Output[str]] = []
        """Public addresses of the NAT gateways: what the internet sees from the private subnets."""
        for index in range(min(count, MAX_AZS)):
            role = f"nat-az{index + 1}"
            eip = aws.ec2.Eip(
                self.child_name(role), domain="vpc", tags={"Name": self.child_name(role)}, opts=self.child()
            )
            nat = aws.ec2.NatGateway(
                self.child_name(role),
                allocation_id=eip.id,
                subnet_id=self.subnet_ids["public"][index],
                tags={"Name": self.child_name(role)},
                opts=self.child(depends_on=[igw]),
            )
            self.watch("nat-gateway", role, {"NatGatewayId": nat.id})
            ids.append(nat.id)
            self.nat_public_ips.append(eip.public_ip)
        return ids

    def _flow_logs(
        self, args: NetworkArgs, vpc: aws.ec2.Vpc, region: pulumi.Output[str]
    ) -> pulumi.Output[str] | None:
        """Every packet's metadata (ACCEPT and REJECT) to an encrypted log group, or to S3."""
        if args.flow_log_bucket_arn is not None:
            aws.ec2.FlowLog(
                self.child_name("flow-log"),
                vpc_id=vpc.id,
                traffic_type="ALL",
                log_destination_type="s3",
                log_destination=args.flow_log_bucket_arn,
                max_aggregation_interval=60,
                opts=self.child(),
            )
            return None
        log_group_name = f"/social/vpc/{self.name}/flow-logs"
        key = self.log_key("flow-logs", f"{self.name}: VPC flow logs", log_group_name)
        group = aws.cloudwatch.LogGroup(
            self.child_name("flow-logs"),
            name=log_group_name,
            retention_in_days=args.flow_log_retention_days,
            kms_key_id=key.arn,
            opts=self.stateful(),
        )
        role = aws.iam.Role(
            self.child_name("flow-logs"),
            assume_role_policy=assume_role_policy({"Service": "vpc-flow-logs.amazonaws.com"}),
            opts=self.child(),
        )
        aws.iam.RolePolicy(
            self.child_name("flow-logs"),
            role=role.id,
            policy=policy_json(
                [
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                        "Resource": [group.arn, pulumi.Output.concat(group.arn, ":*")],
                    }
                ]
            ),
            opts=self.child(),
        )
        aws.ec2.FlowLog(
            self.child_name("flow-log"),
            vpc_id=vpc.id,
            traffic_type="ALL",
            log_destination_type="cloud-watch-logs",
            log_destination=group.arn,
            iam_role_arn=role.arn,
            max_aggregation_interval=60,
            opts=self.child(),
        )
        return group.name
