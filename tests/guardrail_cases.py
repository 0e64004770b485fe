"""A deliberately bad and a good example for every guardrail rule (tests/test_guardrails.py runs them).

Each case is a tiny stack (tier + resources); the first resource is the one under test. Props use
the wire names (camelCase) the render and pulumi-policy both present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from social_platform.inventory import REQUIRED_TAGS
from social_platform.policies import ResourceView, StackView, Tier

ACCOUNT, REGION = "444444444444", "eu-west-1"
KEY = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
TAGS = {tag: "x" for tag in REQUIRED_TAGS}


def R(
    type_: str,
    name: str,
    /,
    *,
    protect: bool = True,
    provider_tags: dict[str, str] | None = None,
    **props: Any,
) -> ResourceView:
    """A resource: ID `<name>-id`, protected, its provider's default tags complete unless given (a
    `name=` keyword is the resource's own `name` input)."""
    return ResourceView(
        urn=f"urn:pulumi:test::social-platform::{type_}::{name}",
        type=type_,
        name=name,
        props=props,
        id=f"{name}-id",
        arn=props.get("arn"),
        protect=protect,
        retain_on_delete=protect,
        provider_tags=TAGS if provider_tags is None else provider_tags,
        account=ACCOUNT,
        region=REGION,
    )


@dataclass(frozen=True)
class Case:
    tier: Tier
    resources: tuple[ResourceView, ...]
    why: str = ""

    @property
    def subject(self) -> ResourceView:
        return self.resources[0]

    @property
    def stack(self) -> StackView:
        return StackView(self.tier, self.resources, name=f"test-{self.tier}")


def case(tier: Tier, *resources: ResourceView, why: str = "") -> Case:
    return Case(tier, resources, why)


@dataclass
class Examples:
    bad: list[Case]
    good: list[Case] = field(default_factory=list)


def doc(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


# Types
CLUSTER, INSTANCE, GLOBAL = (
    "aws:rds/cluster:Cluster",
    "aws:rds/instance:Instance",
    "aws:rds/globalCluster:GlobalCluster",
)
CLUSTER_INSTANCE = "aws:rds/clusterInstance:ClusterInstance"
LT, EC2, EBS_DEFAULT = (
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:ec2/instance:Instance",
    "aws:ebs/encryptionByDefault:EncryptionByDefault",
)
BUCKET, SSE = (
    "aws:s3/bucket:Bucket",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
)
PAB, ACCOUNT_PAB = (
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
    "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
)
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BACKUP_VAULT = "aws:backup/vault:Vault"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_SELECTION = "aws:backup/selection:Selection"
VAULT_POLICY = "aws:backup/vaultPolicy:VaultPolicy"
VAULT_LOCK = "aws:backup/vaultLockConfiguration:VaultLockConfiguration"
SELECT_PROD = {"selectionTags": [{"type": "STRINGEQUALS", "key": "BackupPlan", "value": "prod"}]}
OTHER_REGION = {"destinationVaultArn": f"arn:aws:backup:eu-central-1:{ACCOUNT}:backup-vault:dr"}
OTHER_ACCOUNT = {"destinationVaultArn": f"arn:aws:backup:{REGION}:111111111111:backup-vault:copies"}
ELSEWHERE = {"destinationVaultArn": "arn:aws:backup:eu-central-1:111111111111:backup-vault:copies"}
DENY_DELETE = {
    "Effect": "Deny",
    "Principal": {"AWS": "*"},
    "Action": ["backup:DeleteRecoveryPoint"],
    "Resource": "*",
}
QUEUE, TOPIC, SECRET = "aws:sqs/queue:Queue", "aws:sns/topic:Topic", "aws:secretsmanager/secret:Secret"
FUNCTION, INVOKE_CONFIG, EVENT_TARGET, SCHEDULE = (
    "aws:lambda/function:Function",
    "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
    "aws:cloudwatch/eventTarget:EventTarget",
    "aws:scheduler/schedule:Schedule",
)
DLQ_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:dlq"
TRACED = {"mode": "Active"}
CACHE, LOG_GROUP, KMS = (
    "aws:elasticache/replicationGroup:ReplicationGroup",
    "aws:cloudwatch/logGroup:LogGroup",
    "aws:kms/key:Key",
)
SG, SG_INGRESS, SG_RULE, LB = (
    "aws:ec2/securityGroup:SecurityGroup",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
    "aws:ec2/securityGroupRule:SecurityGroupRule",
    "aws:lb/loadBalancer:LoadBalancer",
)
SUBNET, VPC, FLOW_LOG = "aws:ec2/subnet:Subnet", "aws:ec2/vpc:Vpc", "aws:ec2/flowLog:FlowLog"
ROLE, POLICY, ROLE_POLICY = "aws:iam/role:Role", "aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"
QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy"
WAF_ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation"
ALB_ARN = f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/api/50dc6c495c0c9188"
CLOUDFRONT_PL = "pl-4fa04526"
"""CloudFront's origin-facing prefix list in eu-west-1, as AWS publishes it (not our constant)."""
GUARDED = R(
    WAF_ASSOCIATION, "waf", resourceArn=ALB_ARN, webAclArn="arn:aws:wafv2:eu-west-1:1:regional/webacl/r/1"
)


def _from(source: dict[str, str], name: str = "in") -> ResourceView:
    return R(SG_INGRESS, name, securityGroupId="sg-id", ipProtocol="tcp", fromPort=443, toPort=443, **source)


def _public_alb(**props: Any) -> ResourceView:
    return R(LB, "alb", arn=ALB_ARN, internal=False, securityGroups=["sg-id"], **props)


# Encrypted data and its key: a queue, the key (its policy delegating to the account's IAM), a role.
QUEUE_ARN = f"arn:aws:sqs:{REGION}:{ACCOUNT}:jobs"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/worker"
ROOT_ADMINISTERS = {
    "Effect": "Allow",
    "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"},
    "Action": "kms:*",
    "Resource": "*",
}
READS_QUEUE = {
    "Effect": "Allow",
    "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage"],
    "Resource": QUEUE_ARN,
}
DECRYPTS = {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": KEY}


def data_table(tier: str = "data", routes: list[dict[str, Any]] | None = None) -> tuple[ResourceView, ...]:
    """A route table associated with one subnet of `tier`."""
    return (
        R("aws:ec2/routeTable:RouteTable", "data-rt", **({"routes": routes} if routes else {})),
        R(
            "aws:ec2/routeTableAssociation:RouteTableAssociation",
            "a",
            routeTableId="data-rt-id",
            subnetId="sub-id",
        ),
        R(SUBNET, "sub", tags={"Tier": tier}),
    )


def queue_reader(
    *statements: dict[str, Any], key_policy: tuple[dict[str, Any], ...] = (ROOT_ADMINISTERS,)
) -> tuple[ResourceView, ...]:
    """An encrypted queue, its key and a role whose inline policy holds `statements`."""
    return (
        R(QUEUE, "jobs", arn=QUEUE_ARN, kmsMasterKeyId=KEY),
        R("aws:kms/key:Key", "jobs-key", arn=KEY, policy=doc(*key_policy), enableKeyRotation=True),
        R(ROLE, "worker", arn=ROLE_ARN),
        R(ROLE_POLICY, "worker-policy", role="worker-id", policy=doc(*statements)),
    )


ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
USER_POOL, PARAMETER, ECR = (
    "aws:cognito/userPool:UserPool",
    "aws:ssm/parameter:Parameter",
    "aws:ecr/repository:Repository",
)
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
EKS, AWS_EKS = "eks:index:Cluster", "aws:eks/cluster:Cluster"

TLS_DENY = {
    "Sid": "DenyPlainHttp",
    "Effect": "Deny",
    "Principal": "*",
    "Action": "s3:*",
    "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
    "Condition": {"Bool": {"aws:SecureTransport": "false"}},
}
GITLAB_TRUST = {
    "Effect": "Allow",
    "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/gitlab.com"},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": {
        "StringEquals": {"gitlab.com:aud": "https://gitlab.com"},
        "StringLike": {"gitlab.com:sub": "project_path:social/social-platform:ref_type:branch:ref:main"},
    },
}
GOOD_VIEWER = {
    "acmCertificateArn": "arn:aws:acm:us-east-1:1:certificate/x",
    "sslSupportMethod": "sni-only",
    "minimumProtocolVersion": "TLSv1.2_2021",
}
HTTPS = {"targetOriginId": "o", "viewerProtocolPolicy": "redirect-to-https"}
ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
PRIVATE_EKS = {
    "encryptionConfigKeyArn": KEY,
    "endpointPublicAccess": False,
    "enabledClusterLogTypes": ALL_LOGS,
    "authenticationMode": "API",
}
AWS_EKS_GOOD = {
    "encryptionConfig": {"resources": ["secrets"], "provider": {"keyArn": KEY}},
    "vpcConfig": {"endpointPublicAccess": False, "subnetIds": ["s"]},
    "enabledClusterLogTypes": ALL_LOGS,
    "accessConfig": {"authenticationMode": "API"},
}


def sse(bucket: str, algorithm: str, key: str | None = None) -> ResourceView:
    default = {"sseAlgorithm": algorithm, **({"kmsMasterKeyId": key} if key else {})}
    return R(
        SSE, f"{bucket}-sse", bucket=f"{bucket}-id", rules=[{"applyServerSideEncryptionByDefault": default}]
    )


def pab(bucket: str, **flags: bool) -> ResourceView:
    values = {
        f: True for f in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
    }
    return R(PAB, f"{bucket}-pab", bucket=f"{bucket}-id", **{**values, **flags})


ALARM, QUEUE = "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sqs/queue:Queue"
COMPOSITE = "aws:cloudwatch/compositeAlarm:CompositeAlarm"
CACHE_GROUP, TABLE = "aws:elasticache/replicationGroup:ReplicationGroup", "aws:dynamodb/table:Table"
TOPIC_ARN = f"arn:aws:sns:{REGION}:{ACCOUNT}:alerts-ticket"


def alarm(resource: str, dimension: str, value: str, /, **props: Any) -> ResourceView:
    """A CloudWatch alarm on one dimension, acting on the ticket topic unless `props` say otherwise."""
    return R(ALARM, resource, dimensions={dimension: value}, **{"alarmActions": [TOPIC_ARN], **props})


def redriven(name: str, dead_letter_queue: str) -> ResourceView:
    target = f"arn:aws:sqs:{REGION}:{ACCOUNT}:{dead_letter_queue}"
    return R(
        QUEUE,
        name,
        name=name,
        redrivePolicy=json.dumps({"deadLetterTargetArn": target, "maxReceiveCount": 5}),
    )


EXAMPLES: dict[str, Examples] = {
    "rds-encrypted": Examples(
        bad=[
            case("dev", R(CLUSTER, "db", storageEncrypted=False), why="unencrypted"),
            case("prod", R(CLUSTER, "db", storageEncrypted=True), why="prod without a customer key"),
            case("dev", R(GLOBAL, "global"), why="global cluster unencrypted"),
            case(
                "prod",
                R(INSTANCE, "db", storageEncrypted=True, kmsKeyId="alias/aws/rds"),
                why="AWS managed key",
            ),
        ],
        good=[
            case("prod", R(CLUSTER, "db", storageEncrypted=True, kmsKeyId=KEY)),
            case("dev", R(CLUSTER, "db", storageEncrypted=True)),
            case("prod", R(GLOBAL, "global", sourceDbClusterIdentifier="arn:aws:rds:x:1:cluster:db")),
        ],
    ),
    "ebs-encrypted": Examples(
        bad=[
            case("dev", R(LT, "nodes"), why="no block device declared"),
            case(
                "dev",
                R(
                    LT,
                    "nodes",
                    blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "false"}}],
                ),
            ),
            case(
                "prod",
                R(
                    LT,
                    "nodes",
                    blockDeviceMappings=[{"deviceName": "/dev/xvda", "ebs": {"encrypted": "true"}}],
                ),
                why="prod without a customer key",
            ),
            case("dev", R(EC2, "vm", rootBlockDevice={"encrypted": False})),
            case("dev", R("aws:ebs/volume:Volume", "vol", size=10)),
        ],
        good=[
            case(
                "prod",
                R(LT, "nodes", blockDeviceMappings=[{"ebs": {"encrypted": "true", "kmsKeyId": KEY}}]),
            ),
            case(
                "dev",
                R(LT, "nodes"),
                R(EBS_DEFAULT, "ebs-default", enabled=True),
                why="encryption by default",
            ),
            case(
                "dev", R(EC2, "vm", launchTemplate={"id": "lt-1"}), why="disks come from the launch template"
            ),
        ],
    ),
    "s3-encrypted": Examples(
        bad=[
            case("dev", R(BUCKET, "b"), why="no encryption configuration"),
            case("prod", R(BUCKET, "b"), sse("b", "AES256"), why="prod needs SSE-KMS"),
            case(
                "prod",
                R(BUCKET, "b"),
                sse("other", "aws:kms", KEY),
                why="the configuration is another bucket's",
            ),
        ],
        good=[
            case("prod", R(BUCKET, "b"), sse("b", "aws:kms", KEY)),
            case("dev", R(BUCKET, "b"), sse("b", "AES256")),
        ],
    ),
    "s3-public-access-blocked": Examples(
        bad=[
            case("dev", R(BUCKET, "b")),
            case("dev", R(BUCKET, "b"), pab("b", restrictPublicBuckets=False)),
        ],
        good=[
            case("dev", R(BUCKET, "b"), pab("b")),
            case(
                "dev",
                R(BUCKET, "b"),
                R(
                    ACCOUNT_PAB,
                    "account",
                    **{
                        f: True
                        for f in (
                            "blockPublicAcls",
                            "blockPublicPolicy",
                            "ignorePublicAcls",
                            "restrictPublicBuckets",
                        )
                    },
                ),
            ),
        ],
    ),
    "s3-tls-only": Examples(
        bad=[
            case("dev", R(BUCKET, "b")),
            case(
                "dev",
                R(BUCKET, "b"),
                R(BUCKET_POLICY, "b-policy", bucket="b-id", policy=doc({**TLS_DENY, "Effect": "Allow"})),
            ),
        ],
        good=[case("dev", R(BUCKET, "b"), R(BUCKET_POLICY, "b-policy", bucket="b-id", policy=doc(TLS_DENY)))],
    ),
    "sqs-encrypted": Examples(
        bad=[
            case("dev", R(QUEUE, "q", sqsManagedSseEnabled=False)),
            case("prod", R(QUEUE, "q", sqsManagedSseEnabled=True)),
        ],
        good=[case("dev", R(QUEUE, "q")), case("prod", R(QUEUE, "q", kmsMasterKeyId=KEY))],
    ),
    "sns-encrypted": Examples(
        bad=[case("dev", R(TOPIC, "t")), case("prod", R(TOPIC, "t", kmsMasterKeyId="alias/aws/sns"))],
        good=[
            case("dev", R(TOPIC, "t", kmsMasterKeyId="alias/aws/sns")),
            case("prod", R(TOPIC, "t", kmsMasterKeyId=KEY)),
        ],
    ),
    "secrets-customer-key": Examples(
        bad=[case("prod", R(SECRET, "s"))],
        good=[case("prod", R(SECRET, "s", kmsKeyId=KEY)), case("dev", R(SECRET, "s"), why="prod only")],
    ),
    "elasticache-encrypted-at-rest": Examples(
        bad=[
            case("dev", R(CACHE, "c", atRestEncryptionEnabled=False)),
            case("prod", R(CACHE, "c", atRestEncryptionEnabled=True)),
        ],
        good=[case("prod", R(CACHE, "c", atRestEncryptionEnabled=True, kmsKeyId=KEY))],
    ),
    "elasticache-encrypted-in-transit": Examples(
        bad=[
            case("dev", R(CACHE, "c")),
            case("dev", R(CACHE, "c", transitEncryptionEnabled=True, transitEncryptionMode="preferred")),
        ],
        good=[case("dev", R(CACHE, "c", transitEncryptionEnabled=True, transitEncryptionMode="required"))],
    ),
    "log-groups-encrypted": Examples(
        bad=[case("prod", R(LOG_GROUP, "lg", retentionInDays=365))],
        good=[case("prod", R(LOG_GROUP, "lg", retentionInDays=365, kmsKeyId=KEY))],
    ),
    "log-groups-retention": Examples(
        bad=[case("dev", R(LOG_GROUP, "lg")), case("dev", R(LOG_GROUP, "lg", retentionInDays=0))],
        good=[case("dev", R(LOG_GROUP, "lg", retentionInDays=14.0))],
    ),
    "encrypted-data-key-access": Examples(
        bad=[
            case("dev", *queue_reader(READS_QUEUE), why="reads the queue, may not decrypt (Karpenter)"),
            case(
                "dev",
                *queue_reader(
                    READS_QUEUE,
                    DECRYPTS,
                    key_policy=(
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "kms:Decrypt",
                            "Resource": "*",
                        },
                    ),
                ),
                why="identity allows Decrypt, the key policy admits neither the role nor the account",
            ),
            case(
                "dev",
                *queue_reader(),
                R(
                    QUEUE_POLICY,
                    "jobs-policy",
                    queueUrl=f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/jobs",
                    policy=doc(
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "events.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": QUEUE_ARN,
                        }
                    ),
                ),
                why="EventBridge may send, the key does not admit it",
            ),
            case(
                "dev",
                R(LOG_GROUP, "lg", kmsKeyId=KEY, retentionInDays=30),
                R(KMS, "lg-key", arn=KEY, policy=doc(ROOT_ADMINISTERS), enableKeyRotation=True),
                why="CloudWatch Logs cannot use the log group's key",
            ),
        ],
        good=[
            case("dev", *queue_reader(READS_QUEUE, DECRYPTS)),
            case(
                "dev",
                *queue_reader(READS_QUEUE, {"Effect": "Allow", "Action": "kms:*", "Resource": "*"}),
                why="kms on every key",
            ),
            case(
                "dev",
                R(LOG_GROUP, "lg", kmsKeyId=KEY, retentionInDays=30),
                R(
                    KMS,
                    "lg-key",
                    arn=KEY,
                    enableKeyRotation=True,
                    policy=doc(
                        ROOT_ADMINISTERS,
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": f"logs.{REGION}.amazonaws.com"},
                            "Action": ["kms:Encrypt*", "kms:Decrypt*", "kms:GenerateDataKey*"],
                            "Resource": "*",
                        },
                    ),
                ),
            ),
        ],
    ),
    "rds-global-secondary-writes": Examples(
        bad=[case("prod", R(CLUSTER, "db2", globalClusterIdentifier="g", storageEncrypted=True))],
        good=[
            case("prod", R(CLUSTER, "db2", globalClusterIdentifier="g", enableGlobalWriteForwarding=True)),
            case("prod", R(CLUSTER, "db1", globalClusterIdentifier="g", masterUsername="app"), why="primary"),
        ],
    ),
    "data-route-tables-private": Examples(
        bad=[
            case("dev", *data_table(routes=[{"cidrBlock": "0.0.0.0/0", "gatewayId": "igw-1"}]), why="inline"),
            case(
                "dev",
                *data_table(routes=[{"ipv6CidrBlock": "::/0", "egressOnlyGatewayId": "eigw-1"}]),
                why="IPv6",
            ),
            case(
                "dev",
                *data_table(),
                R(
                    "aws:ec2/route:Route",
                    "r",
                    routeTableId="data-rt-id",
                    destinationCidrBlock="10.0.0.0/8",
                    natGatewayId="nat-1",
                ),
                why="a NAT route that is not a default route",
            ),
            case(
                "dev",
                *data_table(),
                R(
                    "aws:ec2/route:Route",
                    "r",
                    routeTableId="data-rt-id",
                    destinationIpv6CidrBlock="::/0",
                    gatewayId="igw-1",
                ),
                why="separate IPv6 default route",
            ),
            case(
                "dev",
                *data_table(),
                R(
                    "aws:ec2/vpcEndpoint:VpcEndpoint",
                    "s3",
                    vpcEndpointType="Gateway",
                    routeTableIds=["data-rt-id"],
                ),
                why="gateway endpoint into a VPC-only ACL",
            ),
        ],
        good=[
            case("dev", *data_table()),
            case(
                "dev",
                *data_table(tier="private", routes=[{"cidrBlock": "0.0.0.0/0", "natGatewayId": "nat-1"}]),
            ),
        ],
    ),
    "route53-records-in-their-zone": Examples(
        bad=[
            case(
                "dev",
                R(
                    "aws:route53/record:Record",
                    "login",
                    zoneId="zone-id",
                    name="login.social.example.com",
                    type="A",
                ),
                R("aws:route53/zone:Zone", "zone", name="dev.social.example.com"),
                why="a sibling name written into the environment zone",
            )
        ],
        good=[
            case(
                "dev",
                R(
                    "aws:route53/record:Record",
                    "login",
                    zoneId="zone-id",
                    name="login.dev.social.example.com",
                    type="A",
                ),
                R("aws:route53/zone:Zone", "zone", name="dev.social.example.com"),
            ),
            case(
                "dev",
                R(
                    "aws:route53/record:Record",
                    "apex",
                    zoneId="zone-id",
                    name="dev.social.example.com.",
                    type="A",
                ),
                R("aws:route53/zone:Zone", "zone", name="dev.social.example.com"),
            ),
        ],
    ),
    "kms-key-rotation": Examples(
        bad=[case("dev", R(KMS, "k")), case("dev", R(KMS, "k", enableKeyRotation=False))],
        good=[
            case("dev", R(KMS, "k", enableKeyRotation=True)),
            case(
                "dev", R(KMS, "k", customerMasterKeySpec="RSA_2048", keyUsage="SIGN_VERIFY"), why="asymmetric"
            ),
        ],
    ),
    "imdsv2-launch-templates": Examples(
        bad=[case("dev", R(LT, "lt")), case("dev", R(LT, "lt", metadataOptions={"httpTokens": "optional"}))],
        good=[
            case("dev", R(LT, "lt", metadataOptions={"httpTokens": "required", "httpPutResponseHopLimit": 1}))
        ],
    ),
    "imdsv2-instances": Examples(
        bad=[
            case("dev", R(EC2, "vm")),
            case("dev", R(EC2, "vm", metadataOptions={"httpTokens": "optional"})),
        ],
        good=[
            case("dev", R(EC2, "vm", metadataOptions={"httpTokens": "required"})),
            case(
                "dev",
                R(EC2, "vm", metadataOptions={"httpEndpoint": "disabled"}),
                why="no metadata service at all",
            ),
        ],
    ),
    "no-world-ingress": Examples(
        bad=[
            case(
                "dev",
                R(
                    SG,
                    "sg",
                    ingress=[{"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}],
                ),
            ),
            case(
                "dev",
                R(
                    SG_INGRESS,
                    "https",
                    securityGroupId="sg-id",
                    ipProtocol="tcp",
                    fromPort=443,
                    toPort=443,
                    cidrIpv4="0.0.0.0/0",
                ),
                R(SG, "sg"),
                why="443 open to the world but no load balancer uses the group",
            ),
            case(
                "dev",
                R(
                    SG_INGRESS,
                    "https",
                    securityGroupId="sg-id",
                    ipProtocol="tcp",
                    fromPort=443,
                    toPort=443,
                    cidrIpv4="0.0.0.0/0",
                ),
                R(SG, "sg"),
                R(LB, "alb", internal=True, securityGroups=["sg-id"]),
                why="the load balancer is internal",
            ),
            case(
                "dev",
                R(
                    SG_RULE,
                    "all",
                    type="ingress",
                    securityGroupId="sg-id",
                    protocol="-1",
                    fromPort=0,
                    toPort=0,
                    ipv6CidrBlocks=["::/0"],
                ),
                R(SG, "sg"),
            ),
        ],
        good=[
            case(
                "dev",
                R(
                    SG,
                    "sg",
                    ingress=[
                        {"protocol": "tcp", "fromPort": 443.0, "toPort": 443.0, "cidrBlocks": ["0.0.0.0/0"]}
                    ],
                ),
                R(LB, "alb", securityGroups=["sg-id"]),
                why="443 on an internet-facing load balancer",
            ),
            case(
                "dev",
                R(
                    SG_INGRESS,
                    "https",
                    securityGroupId="sg-id",
                    ipProtocol="tcp",
                    fromPort=443,
                    toPort=443,
                    cidrIpv4="10.0.0.0/16",
                ),
                R(SG, "sg"),
            ),
        ],
    ),
    "subnets-no-public-ip-on-launch": Examples(
        bad=[case("dev", R(SUBNET, "public", mapPublicIpOnLaunch=True))],
        good=[case("dev", R(SUBNET, "public", mapPublicIpOnLaunch=False)), case("dev", R(SUBNET, "private"))],
    ),
    "vpc-flow-logs": Examples(
        bad=[
            case("dev", R(VPC, "vpc")),
            case("dev", R(VPC, "vpc"), R(FLOW_LOG, "fl", vpcId="vpc-id", trafficType="REJECT")),
            case("dev", R(VPC, "vpc"), R(FLOW_LOG, "fl", vpcId="other-vpc-id", trafficType="ALL")),
        ],
        good=[case("dev", R(VPC, "vpc"), R(FLOW_LOG, "fl", vpcId="vpc-id", trafficType="ALL"))],
    ),
    "iam-no-star-on-star": Examples(
        bad=[
            case("dev", R(POLICY, "p", policy=doc({"Effect": "Allow", "Action": "*", "Resource": "*"}))),
            case(
                "dev",
                R(ROLE_POLICY, "p", policy=doc({"Effect": "Allow", "NotAction": "iam:*", "Resource": ["*"]})),
            ),
        ],
        good=[
            case(
                "dev",
                R(POLICY, "p", policy=doc({"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"})),
            ),
            case("dev", R(POLICY, "p", policy=doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))),
        ],
    ),
    "iam-no-inline-admin": Examples(
        bad=[
            case(
                "dev",
                R(
                    ROLE_POLICY,
                    "p",
                    policy=doc({"Effect": "Allow", "Action": "iam:*", "Resource": "arn:aws:iam::1:role/x"}),
                ),
            ),
            case(
                "dev",
                R(
                    ROLE,
                    "r",
                    inlinePolicies=[
                        {
                            "name": "admin",
                            "policy": doc({"Effect": "Allow", "Action": ["*"], "Resource": "arn:x"}),
                        }
                    ],
                ),
            ),
        ],
        good=[
            case(
                "dev",
                R(
                    ROLE_POLICY,
                    "p",
                    policy=doc({"Effect": "Allow", "Action": ["logs:PutLogEvents"], "Resource": "*"}),
                ),
            )
        ],
    ),
    "iam-no-admin-attachments": Examples(
        bad=[
            case(
                "dev", R(ATTACHMENT, "a", role="r", policyArn="arn:aws:iam::aws:policy/AdministratorAccess")
            ),
            case("dev", R(ROLE, "r", managedPolicyArns=["arn:aws:iam::aws:policy/IAMFullAccess"])),
        ],
        good=[case("dev", R(ATTACHMENT, "a", role="r", policyArn="arn:aws:iam::aws:policy/ReadOnlyAccess"))],
    ),
    "iam-trust-scoped": Examples(
        bad=[
            case(
                "dev",
                R(
                    ROLE,
                    "r",
                    assumeRolePolicy=doc(
                        {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
                    ),
                ),
            ),
            case(
                "dev",
                R(
                    ROLE,
                    "r",
                    assumeRolePolicy=doc(
                        {
                            **GITLAB_TRUST,
                            "Condition": {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"}},
                        }
                    ),
                ),
            ),
            case(
                "dev",
                R(
                    ROLE,
                    "r",
                    assumeRolePolicy=doc(
                        {**GITLAB_TRUST, "Condition": {"StringLike": {"gitlab.com:sub": "*"}}}
                    ),
                ),
            ),
        ],
        good=[
            case("dev", R(ROLE, "r", assumeRolePolicy=doc(GITLAB_TRUST))),
            case(
                "dev",
                R(
                    ROLE,
                    "r",
                    assumeRolePolicy=doc(
                        {
                            "Effect": "Allow",
                            "Principal": {"Service": "ec2.amazonaws.com"},
                            "Action": "sts:AssumeRole",
                        }
                    ),
                ),
            ),
        ],
    ),
    "rds-backup-retention": Examples(
        bad=[
            case("prod", R(CLUSTER, "db", backupRetentionPeriod=7)),
            case("staging", R(CLUSTER, "db"), why="unset means 1 day"),
        ],
        good=[case("prod", R(CLUSTER, "db", backupRetentionPeriod=14.0)), case("dev", R(CLUSTER, "db"))],
    ),
    "rds-deletion-protection": Examples(
        bad=[
            case("prod", R(CLUSTER, "db")),
            case("prod", R(GLOBAL, "global", deletionProtection=True, forceDestroy=True)),
        ],
        good=[
            case("prod", R(CLUSTER, "db", deletionProtection=True)),
            case("dev", R(CLUSTER, "db"), why="prod only"),
        ],
    ),
    "rds-final-snapshot": Examples(
        bad=[
            case("prod", R(CLUSTER, "db", masterUsername="app", skipFinalSnapshot=True)),
            case("prod", R(CLUSTER, "db", masterUsername="app"), why="no finalSnapshotIdentifier"),
        ],
        good=[
            case("prod", R(CLUSTER, "db", masterUsername="app", finalSnapshotIdentifier="db-final")),
            case(
                "prod",
                R(CLUSTER, "db-secondary", globalClusterIdentifier="global-id"),
                why="global secondary",
            ),
        ],
    ),
    "rds-multi-az": Examples(
        bad=[
            case(
                "prod",
                R(CLUSTER, "db", masterUsername="app"),
                R(CLUSTER_INSTANCE, "db-1", clusterIdentifier="db-id"),
            ),
            case("prod", R(INSTANCE, "db")),
        ],
        good=[
            case(
                "prod",
                R(CLUSTER, "db", masterUsername="app"),
                R(CLUSTER_INSTANCE, "db-1", clusterIdentifier="db-id"),
                R(CLUSTER_INSTANCE, "db-2", clusterIdentifier="db-id"),
            ),
            case(
                "prod",
                R(CLUSTER, "db2", globalClusterIdentifier="global-id"),
                R(CLUSTER_INSTANCE, "db2-1", clusterIdentifier="db2-id"),
                why="a global secondary needs one",
            ),
        ],
    ),
    "rds-not-public": Examples(
        bad=[case("dev", R(CLUSTER_INSTANCE, "db-1", publiclyAccessible=True))],
        good=[case("dev", R(CLUSTER_INSTANCE, "db-1", publiclyAccessible=False))],
    ),
    "elasticache-multi-az": Examples(
        bad=[
            case("prod", R(CACHE, "c", numCacheClusters=1)),
            case(
                "prod", R(CACHE, "c", multiAzEnabled=True, automaticFailoverEnabled=True, numCacheClusters=1)
            ),
        ],
        good=[
            case(
                "prod", R(CACHE, "c", multiAzEnabled=True, automaticFailoverEnabled=True, numCacheClusters=3)
            )
        ],
    ),
    "elasticache-backups": Examples(
        bad=[case("prod", R(CACHE, "c")), case("prod", R(CACHE, "c", snapshotRetentionLimit=0))],
        good=[case("prod", R(CACHE, "c", snapshotRetentionLimit=7))],
    ),
    "stateful-protected": Examples(
        bad=[
            case("prod", R(KMS, "k", protect=False)),
            case("prod", R(PARAMETER, "runner-token", protect=False, type="SecureString", value="[secret]")),
        ],
        good=[
            case("prod", R(KMS, "k")),
            case(
                "prod", R(PARAMETER, "ami", protect=False, type="String", value="ami-1"), why="holds no data"
            ),
            case("dev", R(KMS, "k", protect=False), why="prod only"),
        ],
    ),
    "stateful-deletion-guards": Examples(
        bad=[
            case("prod", R(USER_POOL, "users", deletionProtection="INACTIVE")),
            case("prod", R(SECRET, "s", recoveryWindowInDays=0)),
            case("prod", R(BUCKET, "b", forceDestroy=True)),
            case("prod", R(EKS, "k")),
            case("prod", R(KMS, "k", deletionWindowInDays=7)),
        ],
        good=[
            case("prod", R(USER_POOL, "users", deletionProtection="ACTIVE")),
            case("prod", R(SECRET, "s")),
            case("prod", R(EKS, "k", deletionProtection=True)),
        ],
    ),
    "backup-covered": Examples(
        bad=[
            case("prod", R(CLUSTER, "db"), R(BACKUP_SELECTION, "sel", **SELECT_PROD), why="untagged"),
            case(
                "staging",
                R(BUCKET, "media", tags={"BackupPlan": "dev"}),
                R(BACKUP_SELECTION, "sel", **SELECT_PROD),
                why="tagged for another plan",
            ),
            case("prod", R(BUCKET, "media", tags={"BackupPlan": "prod"}), why="no selection at all"),
        ],
        good=[
            case(
                "prod",
                R(CLUSTER, "db", tags={"BackupPlan": "prod"}),
                R(BACKUP_SELECTION, "sel", **SELECT_PROD),
            ),
            case(
                "prod",
                R(BUCKET, "media", arn="arn:aws:s3:::media"),
                R(BACKUP_SELECTION, "sel", resources=["arn:aws:s3:::media"]),
                why="selected by ARN",
            ),
            case("dev", R(BUCKET, "media"), why="dev keeps no backups of record"),
        ],
    ),
    "backup-copies-leave": Examples(
        bad=[
            case("prod", R(BACKUP_PLAN, "plan", rules=[{"ruleName": "r"}]), why="no copies"),
            case("prod", R(BACKUP_PLAN, "plan", rules=[{"ruleName": "r", "copyActions": [OTHER_REGION]}])),
            case("prod", R(BACKUP_PLAN, "plan", rules=[{"ruleName": "r", "copyActions": [OTHER_ACCOUNT]}])),
            case(
                "prod",
                R(
                    BACKUP_PLAN,
                    "plan",
                    rules=[{"ruleName": "r", "copyActions": [OTHER_REGION]}, {"ruleName": "s"}],
                ),
                why="every rule copies",
            ),
        ],
        good=[
            case(
                "prod",
                R(
                    BACKUP_PLAN,
                    "plan",
                    rules=[{"ruleName": "r", "copyActions": [OTHER_REGION, OTHER_ACCOUNT]}],
                ),
            ),
            case("prod", R(BACKUP_PLAN, "plan", rules=[{"ruleName": "r", "copyActions": [ELSEWHERE]}])),
            case("staging", R(BACKUP_PLAN, "plan", rules=[{"ruleName": "r"}])),
        ],
    ),
    "backup-vault-keeps-recovery-points": Examples(
        bad=[
            case("dev", R(BACKUP_VAULT, "v", name="v"), why="no policy"),
            case(
                "dev",
                R(BACKUP_VAULT, "v", name="v"),
                R(
                    VAULT_POLICY,
                    "p",
                    backupVaultName="v",
                    policy=doc({**DENY_DELETE, "Principal": {"AWS": "arn:aws:iam::1:root"}}),
                ),
                why="denies one principal only",
            ),
            case(
                "dev",
                R(BACKUP_VAULT, "v", name="v"),
                R(VAULT_POLICY, "p", backupVaultName="v", policy=doc({**DENY_DELETE, "Effect": "Allow"})),
            ),
            case(
                "dev",
                R(BACKUP_VAULT, "v", name="v"),
                R(VAULT_POLICY, "p", backupVaultName="other", policy=doc(DENY_DELETE)),
                why="another vault's policy",
            ),
        ],
        good=[
            case(
                "dev",
                R(BACKUP_VAULT, "v", name="v"),
                R(VAULT_POLICY, "p", backupVaultName="v", policy=doc(DENY_DELETE)),
            ),
        ],
    ),
    "backup-vault-locked": Examples(
        bad=[
            case("prod", R(BACKUP_VAULT, "v", name="v"), why="no lock"),
            case(
                "prod",
                R(BACKUP_VAULT, "v", name="v"),
                R(VAULT_LOCK, "l", backupVaultName="v", minRetentionDays=7, maxRetentionDays=35),
                why="governance mode",
            ),
            case(
                "prod",
                R(BACKUP_VAULT, "v", name="v"),
                R(VAULT_LOCK, "l", backupVaultName="v", changeableForDays=3),
            ),
        ],
        good=[
            case(
                "prod",
                R(BACKUP_VAULT, "v", name="v"),
                R(
                    VAULT_LOCK,
                    "l",
                    backupVaultName="v",
                    changeableForDays=3,
                    minRetentionDays=7,
                    maxRetentionDays=35,
                ),
            ),
            case("staging", R(BACKUP_VAULT, "v", name="v")),
        ],
    ),
    "ecr-scan-on-push": Examples(
        bad=[
            case("dev", R(ECR, "repo")),
            case("dev", R(ECR, "repo", imageScanningConfiguration={"scanOnPush": False})),
        ],
        good=[case("dev", R(ECR, "repo", imageScanningConfiguration={"scanOnPush": True}))],
    ),
    "ecr-immutable-tags": Examples(
        bad=[case("dev", R(ECR, "repo")), case("dev", R(ECR, "repo", imageTagMutability="MUTABLE"))],
        good=[case("dev", R(ECR, "repo", imageTagMutability="IMMUTABLE"))],
    ),
    "cloudfront-tls": Examples(
        bad=[
            case(
                "dev",
                R(
                    DISTRIBUTION,
                    "cdn",
                    viewerCertificate={"cloudfrontDefaultCertificate": True},
                    defaultCacheBehavior=HTTPS,
                ),
            ),
            case(
                "dev",
                R(
                    DISTRIBUTION,
                    "cdn",
                    viewerCertificate={**GOOD_VIEWER, "minimumProtocolVersion": "TLSv1_2016"},
                    defaultCacheBehavior=HTTPS,
                ),
            ),
            case(
                "dev",
                R(
                    DISTRIBUTION,
                    "cdn",
                    viewerCertificate=GOOD_VIEWER,
                    defaultCacheBehavior={**HTTPS, "viewerProtocolPolicy": "allow-all"},
                ),
            ),
            case(
                "dev",
                R(
                    DISTRIBUTION,
                    "cdn",
                    viewerCertificate=GOOD_VIEWER,
                    defaultCacheBehavior=HTTPS,
                    origins=[
                        {
                            "originId": "o",
                            "customOriginConfig": {
                                "originProtocolPolicy": "http-only",
                                "originSslProtocols": ["TLSv1.2"],
                            },
                        }
                    ],
                ),
            ),
        ],
        good=[
            case(
                "dev",
                R(
                    DISTRIBUTION,
                    "cdn",
                    viewerCertificate=GOOD_VIEWER,
                    defaultCacheBehavior=HTTPS,
                    orderedCacheBehaviors=[{**HTTPS, "viewerProtocolPolicy": "https-only"}],
                    origins=[
                        {
                            "originId": "o",
                            "customOriginConfig": {
                                "originProtocolPolicy": "https-only",
                                "originSslProtocols": ["TLSv1.2"],
                            },
                        }
                    ],
                ),
            )
        ],
    ),
    "cloudfront-waf": Examples(
        bad=[case("dev", R(DISTRIBUTION, "cdn"))],
        good=[case("dev", R(DISTRIBUTION, "cdn", webAclId="arn:aws:wafv2:us-east-1:1:global/webacl/edge/1"))],
    ),
    "eks-secrets-encryption": Examples(
        bad=[
            case("dev", R(EKS, "k", **{**PRIVATE_EKS, "encryptionConfigKeyArn": None})),
            case(
                "dev",
                R(
                    AWS_EKS,
                    "k",
                    **{**AWS_EKS_GOOD, "encryptionConfig": {"resources": [], "provider": {"keyArn": KEY}}},
                ),
            ),
        ],
        good=[case("dev", R(EKS, "k", **PRIVATE_EKS)), case("dev", R(AWS_EKS, "k", **AWS_EKS_GOOD))],
    ),
    "eks-endpoint-restricted": Examples(
        bad=[
            case(
                "dev",
                R(EKS, "k", **{**PRIVATE_EKS, "endpointPublicAccess": None}),
                why="pulumi-eks defaults to public",
            ),
            case(
                "dev",
                R(
                    AWS_EKS,
                    "k",
                    **{
                        **AWS_EKS_GOOD,
                        "vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]},
                    },
                ),
            ),
        ],
        good=[
            case("dev", R(EKS, "k", **PRIVATE_EKS)),
            case(
                "dev",
                R(
                    EKS,
                    "k",
                    **{**PRIVATE_EKS, "endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]},
                ),
            ),
            case("dev", R(AWS_EKS, "k", **AWS_EKS_GOOD)),
        ],
    ),
    "eks-control-plane-logs": Examples(
        bad=[case("dev", R(EKS, "k", **{**PRIVATE_EKS, "enabledClusterLogTypes": ["api", "audit"]}))],
        good=[case("dev", R(EKS, "k", **PRIVATE_EKS)), case("dev", R(AWS_EKS, "k", **AWS_EKS_GOOD))],
    ),
    "eks-api-authentication": Examples(
        bad=[
            case("dev", R(EKS, "k", **{**PRIVATE_EKS, "authenticationMode": "API_AND_CONFIG_MAP"})),
            case("dev", R(AWS_EKS, "k", **{**AWS_EKS_GOOD, "accessConfig": {}})),
        ],
        good=[case("dev", R(EKS, "k", **PRIVATE_EKS)), case("dev", R(AWS_EKS, "k", **AWS_EKS_GOOD))],
    ),
    "required-tags": Examples(
        bad=[
            case(
                "dev", R(VPC, "vpc", provider_tags={}, tags={"Name": "vpc"}), why="no provider default tags"
            ),
            case("dev", R(VPC, "vpc", provider_tags={**TAGS, "Owner": ""}), why="an empty tag"),
        ],
        good=[
            case("dev", R(VPC, "vpc")),
            case("dev", R(VPC, "vpc", provider_tags={}, tags=TAGS), why="its own tags"),
            case(
                "dev",
                R(VPC, "vpc", provider_tags={}, tagsAll=TAGS),
                why="tagsAll (what the provider computes)",
            ),
        ],
    ),
    "load-balancers-only-from-cloudfront": Examples(
        bad=[
            case("dev", R(LB, "alb", arn=ALB_ARN, internal=False), GUARDED, why="no security group at all"),
            case(
                "dev",
                _public_alb(),
                R(SG, "sg"),
                _from({"cidrIpv4": "0.0.0.0/0"}),
                GUARDED,
                why="the world on 443",
            ),
            case(
                "dev",
                _public_alb(),
                R(SG, "sg"),
                _from({"prefixListId": CLOUDFRONT_PL}),
                _from({"cidrIpv4": "198.51.100.0/24"}, "office"),
                GUARDED,
                why="CloudFront plus an office range: not only CloudFront",
            ),
            case(
                "dev",
                _public_alb(),
                R(
                    SG,
                    "sg",
                    ingress=[
                        {"protocol": "tcp", "fromPort": 443, "toPort": 443, "prefixListIds": ["pl-12345678"]}
                    ],
                ),
                GUARDED,
                why="some other prefix list, inline",
            ),
            case(
                "dev",
                _public_alb(),
                R(SG, "sg"),
                _from({"referencedSecurityGroupId": "sg-other"}),
                GUARDED,
                why="another security group (anything could sit in it)",
            ),
            case(
                "dev",
                _public_alb(),
                R(SG, "sg"),
                _from({"prefixListId": CLOUDFRONT_PL}),
                why="only CloudFront, but no web ACL to check the secret origin header",
            ),
            case(
                "dev",
                R(LB, "nlb", loadBalancerType="network", internal=False),
                why="an internet-facing NLB without security groups",
            ),
        ],
        good=[
            case("dev", R(LB, "alb", arn=ALB_ARN, internal=True, securityGroups=["sg-id"]), why="internal"),
            case(
                "dev",
                _public_alb(),
                R(SG, "sg"),
                _from({"prefixListId": CLOUDFRONT_PL}),
                GUARDED,
                why="only CloudFront's origin-facing list, and a web ACL",
            ),
        ],
    ),
    "load-balancers-web-acl": Examples(
        bad=[case("dev", R(LB, "alb", arn=ALB_ARN, internal=True))],
        good=[
            case("dev", R(LB, "alb", arn=ALB_ARN, internal=True), GUARDED),
            case(
                "dev",
                R(LB, "nlb", loadBalancerType="network", internal=True),
                why="WAF does not attach to NLBs",
            ),
        ],
    ),
    "watched-by-an-alarm": Examples(
        bad=[
            case("dev", R(CLUSTER, "db", clusterIdentifier="app-db"), why="a database nobody watches"),
            case(
                "dev",
                R(CLUSTER, "db", clusterIdentifier="app-db"),
                alarm("other", "DBClusterIdentifier", "other-db"),
                why="an alarm on another database",
            ),
            case("dev", R(CLUSTER_INSTANCE, "db-1", identifier="app-db-1"), why="an instance nobody watches"),
            case(
                "dev", R(CACHE_GROUP, "cache", replicationGroupId="app-cache"), why="a cache nobody watches"
            ),
            case("dev", R(TABLE, "t", name="connections"), why="a table nobody watches"),
            case(
                "dev",
                redriven("events", "events-dlq"),
                R(QUEUE, "events-dlq", name="events-dlq"),
                alarm("dlq", "QueueName", "events-dlq"),
                why="its dead-letter queue is watched, the queue's backlog is not",
            ),
            case(
                "dev",
                R(QUEUE, "events-dlq", name="events-dlq"),
                redriven("events", "events-dlq"),
                alarm("age", "QueueName", "events"),
                why="the queue is watched, its dead-letter queue is not",
            ),
        ],
        good=[
            case(
                "dev",
                R(CLUSTER, "db", clusterIdentifier="app-db"),
                alarm("conn", "DBClusterIdentifier", "app-db"),
            ),
            case(
                "dev",
                R(CACHE_GROUP, "cache", replicationGroupId="app-cache"),
                alarm("cpu", "CacheClusterId", "app-cache-001"),
                why="ElastiCache publishes per node",
            ),
            case(
                "dev",
                redriven("events", "events-dlq"),
                R(QUEUE, "events-dlq", name="events-dlq"),
                alarm("age", "QueueName", "events"),
                alarm("dlq", "QueueName", "events-dlq"),
            ),
            case("dev", R(QUEUE, "plain", name="plain"), why="a queue without a dead-letter queue"),
        ],
    ),
    "alarm-has-action": Examples(
        bad=[
            case("dev", alarm("quiet", "QueueName", "q", alarmActions=[]), why="no action"),
            case("dev", alarm("muted", "QueueName", "q", actionsEnabled=False), why="actions disabled"),
            case(
                "dev",
                alarm("member", "QueueName", "q", name="member", alarmActions=[]),
                R(COMPOSITE, "both", alarmRule='ALARM("member") AND ALARM("other")', alarmActions=[]),
                why="feeds a composite that notifies nobody either",
            ),
            case(
                "dev",
                alarm("member", "QueueName", "q", name="member", alarmActions=[]),
                R(COMPOSITE, "both", alarmRule='ALARM("member-2")', alarmActions=[TOPIC_ARN]),
                why="the composite reads another alarm",
            ),
        ],
        good=[
            case("dev", alarm("loud", "QueueName", "q")),
            case(
                "dev",
                alarm("member", "QueueName", "q", name="member", alarmActions=[]),
                R(
                    COMPOSITE,
                    "both",
                    alarmRule='ALARM("member") AND ALARM("other")',
                    alarmActions=[TOPIC_ARN],
                ),
                why="notifies through its composite",
            ),
        ],
    ),
    "sqs-dead-letter-queue": Examples(
        bad=[
            case("dev", R(QUEUE, "q"), why="no redrive policy and nobody's dead-letter queue"),
            case("prod", R(QUEUE, "q", redrivePolicy=json.dumps({"maxReceiveCount": 5}))),
            case(
                "dev",
                R(QUEUE, "dlq"),
                R(QUEUE, "other", redrivePolicy=json.dumps({"deadLetterTargetArn": f"{DLQ_ARN}-2"})),
                why="another queue's redrive names a different queue",
            ),
        ],
        good=[
            case("dev", R(QUEUE, "q", redrivePolicy=json.dumps({"deadLetterTargetArn": DLQ_ARN}))),
            case(
                "dev",
                R(QUEUE, "dlq"),
                R(QUEUE, "q", redrivePolicy=json.dumps({"deadLetterTargetArn": DLQ_ARN})),
                why="a queue's dead-letter queue",
            ),
            case("dev", R(QUEUE, "dlq"), R(FUNCTION, "f", deadLetterConfig={"targetArn": DLQ_ARN})),
            case("dev", R(QUEUE, "dlq"), R(EVENT_TARGET, "t", deadLetterConfig={"arn": DLQ_ARN})),
            case("dev", R(QUEUE, "dlq"), R(SCHEDULE, "s", target={"deadLetterConfig": {"arn": DLQ_ARN}})),
            case(
                "dev",
                R(QUEUE, "dlq"),
                R(INVOKE_CONFIG, "c", destinationConfig={"onFailure": {"destination": DLQ_ARN}}),
            ),
        ],
    ),
    "lambda-tracing": Examples(
        bad=[
            case("dev", R(FUNCTION, "f")),
            case("prod", R(FUNCTION, "f", tracingConfig={"mode": "PassThrough"})),
        ],
        good=[case("dev", R(FUNCTION, "f", tracingConfig=TRACED))],
    ),
    "lambda-failure-destination": Examples(
        bad=[
            case("dev", R(FUNCTION, "f")),
            case(
                "prod",
                R(FUNCTION, "f", name="f"),
                R(INVOKE_CONFIG, "c", functionName="f", maximumRetryAttempts=2),
                why="an invoke config without an on-failure destination",
            ),
        ],
        good=[
            case("dev", R(FUNCTION, "f", deadLetterConfig={"targetArn": DLQ_ARN})),
            case(
                "dev",
                R(FUNCTION, "f", name="f"),
                R(
                    INVOKE_CONFIG,
                    "c",
                    functionName="f",
                    destinationConfig={"onFailure": {"destination": DLQ_ARN}},
                ),
            ),
        ],
    ),
    "lambda-logs-encrypted": Examples(
        bad=[
            case(
                "dev", R(FUNCTION, "f", name="f"), why="Lambda would create /aws/lambda/f itself, unencrypted"
            ),
            case(
                "dev",
                R(FUNCTION, "f", loggingConfig={"logGroup": "/fn/f"}),
                R(LOG_GROUP, "lg", name="/fn/f", retentionInDays=30),
            ),
            case(
                "prod",
                R(FUNCTION, "f", loggingConfig={"logGroup": "/fn/f"}),
                R(LOG_GROUP, "lg", name="/fn/other", kmsKeyId=KEY, retentionInDays=30),
                why="the encrypted group is another one",
            ),
        ],
        good=[
            case(
                "dev",
                R(FUNCTION, "f", loggingConfig={"logGroup": "/fn/f"}),
                R(LOG_GROUP, "lg", name="/fn/f", kmsKeyId=KEY, retentionInDays=30),
            ),
            case(
                "dev",
                R(FUNCTION, "f", name="f"),
                R(LOG_GROUP, "lg", name="/aws/lambda/f", kmsKeyId=KEY, retentionInDays=30),
            ),
        ],
    ),
    "dynamodb-pitr-and-customer-key": Examples(
        bad=[
            case("dev", R(TABLE, "t", serverSideEncryption={"enabled": True, "kmsKeyArn": KEY})),
            case("dev", R(TABLE, "t", pointInTimeRecovery={"enabled": True})),
            case(
                "prod",
                R(
                    TABLE,
                    "t",
                    pointInTimeRecovery={"enabled": True},
                    serverSideEncryption={"enabled": True, "kmsKeyArn": "alias/aws/dynamodb"},
                ),
            ),
        ],
        good=[
            case(
                "dev",
                R(
                    TABLE,
                    "t",
                    pointInTimeRecovery={"enabled": True},
                    serverSideEncryption={"enabled": True, "kmsKeyArn": KEY},
                ),
            )
        ],
    ),
}


# ---------------------------------------------------------------------------------------------
# Audit and detection (platform/rules/audit.py)

PROVIDER, TRAIL = "pulumi:providers:aws", "aws:cloudtrail/trail:Trail"
DETECTOR, RECORDER = "aws:guardduty/detector:Detector", "aws:cfg/recorder:Recorder"
CHANNEL, RECORDER_STATUS = "aws:cfg/deliveryChannel:DeliveryChannel", "aws:cfg/recorderStatus:RecorderStatus"
GOOD_TRAIL = {
    "isMultiRegionTrail": True,
    "includeGlobalServiceEvents": True,
    "enableLogFileValidation": True,
    "kmsKeyId": KEY,
    "cloudWatchLogsGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:trail:*",
}
WATCHED = (
    R(TRAIL, "trail", **GOOD_TRAIL),
    R(DETECTOR, "guardduty", enable=True),
    R(RECORDER, "config", roleArn="arn:aws:iam::1:role/config"),
    R(CHANNEL, "config", s3BucketName="archive"),
    R(RECORDER_STATUS, "config", isEnabled=True),
)


def provider(account: str = ACCOUNT, region: str = REGION) -> ResourceView:
    """An aws provider as the policy pack sees it: its placement only in its inputs."""
    return ResourceView(
        urn=f"urn:pulumi:test::social-platform::{PROVIDER}::aws-{region}",
        type=PROVIDER,
        name=f"aws-{region}",
        props={"region": region, "allowedAccountIds": [account]},
    )


USED = R(QUEUE, "work", kmsMasterKeyId=KEY)
"""Something the stack declares in the provider's account and region."""

EXAMPLES.update(
    {
        "baseline-every-region": Examples(
            bad=[
                case("dev", provider(), USED, why="nothing watches the account"),
                case("prod", provider(), USED, *WATCHED[:1], *WATCHED[2:], why="no GuardDuty"),
                case("prod", provider(), USED, *WATCHED[:2], why="no AWS Config"),
                case("prod", provider(), USED, *WATCHED[:4], why="Config recorder never started"),
                case(
                    "prod",
                    provider(),
                    USED,
                    R(TRAIL, "trail", **{**GOOD_TRAIL, "isMultiRegionTrail": False}),
                    *WATCHED[1:],
                    why="a single-region trail",
                ),
                case(
                    "prod",
                    provider(region="eu-central-1"),
                    replace(USED, region="eu-central-1"),
                    *WATCHED,
                    why="watched in eu-west-1, used in eu-central-1 too",
                ),
            ],
            good=[
                case("prod", provider(), USED, *WATCHED),
                case("prod", provider(region="eu-central-1"), *WATCHED, why="an unused region needs nothing"),
                case(
                    "prod",
                    provider(account="111111111111"),
                    replace(R("aws:route53/record:Record", "delegation"), account="111111111111"),
                    why="an NS record in the shared account's zone does not make its account ours",
                ),
            ],
        ),
        "trail-integrity": Examples(
            bad=[
                case("dev", R(TRAIL, "trail", **{**GOOD_TRAIL, key: value}), why=key)
                for key, value in (
                    ("isMultiRegionTrail", False),
                    ("includeGlobalServiceEvents", False),
                    ("enableLogFileValidation", False),
                    ("kmsKeyId", None),
                    ("cloudWatchLogsGroupArn", None),
                )
            ],
            good=[case("prod", R(TRAIL, "trail", **GOOD_TRAIL))],
        ),
    }
)

ZONE, KSK, DNSSEC = (
    "aws:route53/zone:Zone",
    "aws:route53/keySigningKey:KeySigningKey",
    "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec",
)
PUBLIC_ZONE = R(ZONE, "zone", name="dev.example.com")
SIGNED = (
    R(KSK, "ksk", hostedZoneId="zone-id", keyManagementServiceArn=KEY, status="ACTIVE"),
    R(DNSSEC, "dnssec", hostedZoneId="zone-id", signingStatus="SIGNING"),
)
EXAMPLES["public-zones-signed"] = Examples(
    bad=[
        case("dev", PUBLIC_ZONE, why="no DNSSEC at all"),
        case("prod", PUBLIC_ZONE, SIGNED[0], why="a key but signing never turned on"),
        case(
            "prod",
            PUBLIC_ZONE,
            SIGNED[0],
            R(DNSSEC, "dnssec", hostedZoneId="zone-id", signingStatus="NOT_SIGNING"),
            why="signing turned off",
        ),
        case(
            "prod", PUBLIC_ZONE, *(replace(s, props={**s.props, "hostedZoneId": "other-id"}) for s in SIGNED)
        ),
    ],
    good=[
        case("prod", PUBLIC_ZONE, *SIGNED),
        case("prod", R(ZONE, "internal", name="internal.example", vpcs=[{"vpcId": "vpc-1"}]), why="private"),
    ],
)

BUCKET_LOGGING = "aws:s3/bucketLogging:BucketLogging"
RECORDINGS = R(BUCKET, "recordings", bucket="recordings")
AUDITS_RECORDINGS = R(
    TRAIL,
    "trail",
    **GOOD_TRAIL,
    eventSelectors=[
        {
            "readWriteType": "All",
            "dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3:::recordings/"]}],
        }
    ],
)
AUDITS_RECORDINGS_ADVANCED = R(
    TRAIL,
    "trail",
    **GOOD_TRAIL,
    advancedEventSelectors=[
        {
            "fieldSelectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                {"field": "resources.ARN", "startsWiths": ["arn:aws:s3:::recordings/"]},
            ]
        }
    ],
)
LOGS_RECORDINGS = R(
    BUCKET_LOGGING, "recordings", bucket="recordings", targetBucket="logs", targetPrefix="s3/"
)
AUDITS_EVERY_BUCKET = R(
    TRAIL,
    "trail",
    **GOOD_TRAIL,
    eventSelectors=[{"dataResources": [{"type": "AWS::S3::Object", "values": ["arn:aws:s3"]}]}],
)
AUDITS_EVERY_BUCKET_ADVANCED = R(
    TRAIL,
    "trail",
    **GOOD_TRAIL,
    advancedEventSelectors=[
        {
            "fieldSelectors": [
                {"field": "eventCategory", "equals": ["Data"]},
                {"field": "resources.type", "equals": ["AWS::S3::Object"]},
            ]
        }
    ],
)
LOG_BUCKET = R(BUCKET, "logs", bucket="logs")
EXAMPLES["user-data-access-logged"] = Examples(
    bad=[
        case("prod", RECORDINGS, AUDITS_RECORDINGS, why="user data without access logs"),
        case("dev", RECORDINGS, AUDITS_RECORDINGS_ADVANCED, why="audited through an advanced selector"),
        case(
            "prod",
            RECORDINGS,
            AUDITS_RECORDINGS,
            R(BUCKET_LOGGING, "other", bucket="media", targetBucket="logs"),
            why="another bucket's logging",
        ),
        case("dev", RECORDINGS, AUDITS_EVERY_BUCKET, why="a trail over every bucket's objects"),
        case("dev", RECORDINGS, AUDITS_EVERY_BUCKET_ADVANCED, why="an advanced selector naming no ARN"),
        case(
            "prod",
            R("aws:s3/bucketV2:BucketV2", "recordings", bucket="recordings"),
            AUDITS_RECORDINGS,
            why="the other bucket type",
        ),
    ],
    good=[
        case("prod", RECORDINGS, AUDITS_RECORDINGS, LOGS_RECORDINGS),
        case(
            "prod",
            RECORDINGS,
            AUDITS_RECORDINGS,
            R(
                "aws:s3/bucketLoggingV2:BucketLoggingV2",
                "recordings",
                bucket="recordings",
                targetBucket="logs",
            ),
            why="the other logging type",
        ),
        case(
            "prod",
            R(
                "aws:s3/bucketV2:BucketV2",
                "recordings",
                bucket="recordings",
                loggings=[{"targetBucket": "logs"}],
            ),
            AUDITS_RECORDINGS,
            why="inline on the other bucket type",
        ),
        case(
            "dev",
            LOG_BUCKET,
            AUDITS_EVERY_BUCKET,
            R(BUCKET_LOGGING, "recordings", bucket="recordings", targetBucket="logs"),
            why="a trail over every bucket leaves out the buckets receiving access logs",
        ),
        case(
            "prod",
            R(BUCKET, "recordings", bucket="recordings", logging={"targetBucket": "logs"}),
            AUDITS_RECORDINGS,
        ),
        case("prod", RECORDINGS, R(TRAIL, "trail", **GOOD_TRAIL), why="no trail audits it: not user data"),
    ],
)

ROTATION = "aws:secretsmanager/secretRotation:SecretRotation"
APP_SECRET = R(SECRET, "app-api-key", kmsKeyId=KEY)
EXAMPLES["secrets-rotate"] = Examples(
    bad=[
        case("dev", APP_SECRET, why="never rotates"),
        case(
            "prod",
            APP_SECRET,
            R(
                ROTATION,
                "app-api-key-rotation",
                secretId="app-api-key-id",
                rotationRules={"automaticallyAfterDays": 365},
            ),
            why="rotates once a year",
        ),
        case(
            "prod",
            APP_SECRET,
            R(ROTATION, "other", secretId="other-id", rotationRules={"automaticallyAfterDays": 30}),
            why="the rotation belongs to another secret",
        ),
    ],
    good=[
        case(
            "prod",
            APP_SECRET,
            R(
                ROTATION,
                "app-api-key-rotation",
                secretId="app-api-key-id",
                rotationRules={"automaticallyAfterDays": 30},
            ),
        ),
        case("prod", R(SECRET, "prod-euw1-db-master", kmsKeyId=KEY), why="reviewed exemption"),
    ],
)

WEB_ACL = "aws:wafv2/webAcl:WebAcl"


def managed(name: str, group: str, override: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "overrideAction": override or {"none": {}},
        "statement": {"managedRuleGroupStatement": {"vendorName": "AWS", "name": group}},
    }


EXAMPLES["waf-known-bad-inputs"] = Examples(
    bad=[
        case("dev", R(WEB_ACL, "acl", rules=[managed("common", "AWSManagedRulesCommonRuleSet")])),
        case(
            "prod",
            R(
                WEB_ACL,
                "acl",
                rules=[managed("kbi", "AWSManagedRulesKnownBadInputsRuleSet", {"count": {}})],
            ),
            why="counts only",
        ),
    ],
    good=[case("prod", R(WEB_ACL, "acl", rules=[managed("kbi", "AWSManagedRulesKnownBadInputsRuleSet")]))],
)
