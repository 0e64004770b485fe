"""Offline mocks for Pulumi programs and tests built from `social_components`.

Pulumi's mock runtime (`pulumi.runtime.set_mocks`) runs a program without the engine or a cloud
account, but every look-up and every output the program reads must be answered. These mocks answer
what the components need, with realistic values: availability zones per region, the region and
caller identity of each resource's provider, ARNs with the right partition, region and account, the
master-user secret RDS creates, the outputs of `pulumi_eks.Cluster` (one opaque resource under
mocks) and generated passwords. In a few lines:

    import pulumi
    from social_components import testing

    mocks = testing.set_mocks(account="111111111111", region="eu-west-1")

    @pulumi.runtime.test
    def test_network():
        network = Network("demo", NetworkArgs(vpc_cidr="10.0.0.0/16"))
        return network.az_names.apply(lambda names: ...)

Resources without an explicit provider are placed in `account`/`region`; those with an aws provider
in the provider's `region` and first `allowed_account_ids`. `mocks.created` lists every resource
the program declared. Needs only pulumi and pulumi-aws (no moto, no boto3).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc

from social_components.naming import region_code

# ---------------------------------------------------------------------------------------------
# Where a resource lives, from its provider


@dataclass(frozen=True)
class Placement:
    account: str | None
    region: str | None


def provider_placement(inputs: dict[str, Any]) -> Placement:
    """Account and region of an aws provider, from its inputs (nested values arrive as JSON)."""
    accounts = inputs.get("allowedAccountIds")
    if isinstance(accounts, str):
        accounts = json.loads(accounts)
    return Placement(account=(accounts or [None])[0], region=inputs.get("region"))


def fake_id(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


# ---------------------------------------------------------------------------------------------
# Outputs of particular resource types (beyond echoing the inputs)


@dataclass(frozen=True)
class NewResource:
    type: str
    name: str
    inputs: dict[str, Any]
    placement: Placement

    @property
    def arn_prefix(self) -> str:
        return f"arn:aws:{self.service}:{self.placement.region or ''}:{self.placement.account or ''}"

    @property
    def service(self) -> str:
        return self.type.split(":")[1].split("/")[0] if self.type.startswith("aws:") else "unknown"


def physical_name(r: NewResource, key: str = "name") -> str:
    """The AWS name: the one given in the inputs, else (auto-naming) the Pulumi resource name."""
    return str(r.inputs.get(key, r.name))


def ivs_id(name: str) -> str:
    """IVS resource ids are 12 letters and digits."""
    return fake_id(name, "ivs", length=12)


def ivs_channel_outputs(r: NewResource) -> dict[str, Any]:
    """What IVS returns for a channel: its ARN, the RTMPS ingest host and the HLS playback URL."""
    channel_id, region, account = ivs_id(r.name), r.placement.region, r.placement.account
    host = fake_id(r.name, "host", length=12)
    return {
        "arn": f"{r.arn_prefix}:channel/{channel_id}",
        "ingestEndpoint": f"{host}.global-contribute.live-video.net",
        "playbackUrl": (
            f"https://{host}.{region}.playback.live-video.net/api/video/v1/"
            f"{region}.{account}.channel.{channel_id}.m3u8"
        ),
    }


def ivs_stream_key(args: dict[str, Any], p: Placement) -> dict[str, Any]:
    """`aws.ivs.getStreamKey`: the channel's stream key. Its value must never show in the render."""
    channel_arn = str(args.get("channelArn"))
    key_id = fake_id(channel_arn, "stream-key", length=12)
    return {
        "arn": f"arn:aws:ivs:{p.region}:{p.account}:stream-key/{key_id}",
        "channelArn": channel_arn,
        "value": f"sk_{p.region}_{fake_id(channel_arn, 'secret', length=36)}",
        "id": key_id,
        "tags": {},
    }


OutputRule = Callable[[NewResource], dict[str, Any]]
OUTPUTS: dict[str, OutputRule] = {
    "aws:ec2/vpc:Vpc": lambda r: {
        "defaultSecurityGroupId": f"sg-{fake_id(r.name, 'default')}",
        "defaultNetworkAclId": f"acl-{fake_id(r.name, 'default')}",
        "mainRouteTableId": f"rtb-{fake_id(r.name, 'main')}",
    },
    "aws:kms/key:Key": lambda r: {"keyId": fake_id(r.name, length=32)},
    "aws:iam/role:Role": lambda r: {
        "arn": f"arn:aws:iam::{r.placement.account}:role/{r.inputs.get('name', r.name)}"
    },
    # Streaming (IVS, IVS Chat, their S3 bucket, queues, event rule and backend policy)
    "aws:ivs/channel:Channel": ivs_channel_outputs,
    "aws:ivs/playbackKeyPair:PlaybackKeyPair": lambda r: {
        "arn": f"{r.arn_prefix}:playback-key/{ivs_id(r.name)}",
        "fingerprint": ":".join(
            fake_id(r.name, "fingerprint", length=32)[i : i + 2] for i in range(0, 32, 2)
        ),
    },
    "aws:ivs/recordingConfiguration:RecordingConfiguration": lambda r: {
        "arn": f"{r.arn_prefix}:recording-configuration/{ivs_id(r.name)}",
        "state": "ACTIVE",
    },
    "aws:ivschat/room:Room": lambda r: {"arn": f"{r.arn_prefix}:room/{ivs_id(r.name)}"},
    "aws:ivschat/loggingConfiguration:LoggingConfiguration": lambda r: {
        "arn": f"{r.arn_prefix}:logging-configuration/{ivs_id(r.name)}",
        "state": "ACTIVE",
    },
    "aws:s3/bucket:Bucket": lambda r: {
        "bucket": physical_name(r, "bucket"),
        "arn": f"arn:aws:s3:::{physical_name(r, 'bucket')}",
        "bucketRegionalDomainName": f"{physical_name(r, 'bucket')}.s3.{r.placement.region}.amazonaws.com",
    },
    "aws:sqs/queue:Queue": lambda r: {
        "arn": f"arn:aws:sqs:{r.placement.region}:{r.placement.account}:{physical_name(r)}",
        "url": f"https://sqs.{r.placement.region}.amazonaws.com/{r.placement.account}/{physical_name(r)}",
    },
    "aws:sns/topic:Topic": lambda r: {
        "arn": f"arn:aws:sns:{r.placement.region}:{r.placement.account}:{physical_name(r)}",
    },
    "aws:cloudwatch/metricAlarm:MetricAlarm": lambda r: {
        "arn": f"arn:aws:cloudwatch:{r.placement.region}:{r.placement.account}:alarm:{physical_name(r)}",
    },
    "aws:cloudwatch/eventRule:EventRule": lambda r: {
        "arn": f"arn:aws:events:{r.placement.region}:{r.placement.account}:rule/{physical_name(r)}",
    },
    "aws:cloudwatch/logGroup:LogGroup": lambda r: {
        "arn": f"arn:aws:logs:{r.placement.region}:{r.placement.account}:log-group:{physical_name(r)}",
    },
    # AWS Backup's documented ARN forms (API reference: CreateBackupVault, CreateBackupPlan).
    "aws:backup/vault:Vault": lambda r: {
        "arn": f"arn:aws:backup:{r.placement.region}:{r.placement.account}:backup-vault:{physical_name(r)}",
    },
    "aws:backup/plan:Plan": lambda r: {
        "arn": f"arn:aws:backup:{r.placement.region}:{r.placement.account}:backup-plan:{fake_id(r.name)}",
    },
    "aws:iam/policy:Policy": lambda r: {
        "arn": f"arn:aws:iam::{r.placement.account}:policy/{physical_name(r)}",
    },
    # Identity (Cognito): ARN and endpoint end with the pool id; the issuer is https://<endpoint>.
    "aws:cognito/userPool:UserPool": lambda r: {
        "arn": f"arn:aws:cognito-idp:{r.placement.region}:{r.placement.account}:userpool/userpool-{r.name}",
        "endpoint": f"cognito-idp.{r.placement.region}.amazonaws.com/userpool-{r.name}",
    },
    "aws:cognito/userPoolClient:UserPoolClient": lambda r: (
        {"clientSecret": fake_id(r.name, "secret", length=51)} if r.inputs.get("generateSecret") else {}
    ),
    "aws:cognito/resourceServer:ResourceServer": lambda r: {
        "scopeIdentifiers": [
            f"{r.inputs.get('identifier')}/{scope.get('scopeName')}" for scope in r.inputs.get("scopes") or []
        ]
    },
    "aws:cognito/userPoolDomain:UserPoolDomain": lambda r: {
        "cloudfrontDistribution": f"d{fake_id(r.name, length=13)}.cloudfront.net",
        "cloudfrontDistributionZoneId": "Z2FDTNDATAQYW2",
    },
    # Edge: zones, buckets, CloudFront, ACM, WAF, logs.
    "aws:route53/zone:Zone": lambda r: {
        "zoneId": "Z" + fake_id(r.name, r.inputs.get("name", ""), length=20).upper(),
        "nameServers": [
            f"ns-{int(fake_id(str(r.inputs.get('name')), str(i), length=3), 16) % 2048}.awsdns-{i:02d}.{tld}"
            for i, tld in enumerate(("com", "net", "org", "co.uk"))
        ],
    },
    "aws:route53/record:Record": lambda r: {"fqdn": str(r.inputs.get("name", "")).rstrip(".")},
    # A DS record: key tag, algorithm 13 (ECDSA P-256 SHA-256), digest type 2 (SHA-256), digest.
    "aws:route53/keySigningKey:KeySigningKey": lambda r: {
        "dsRecord": " ".join(
            (
                str(int(fake_id(r.name, "tag", length=4), 16)),
                "13",
                "2",
                fake_id(r.name, "digest", length=64).upper(),
            )
        ),
        "keyTag": int(fake_id(r.name, "tag", length=4), 16),
    },
    "aws:cloudfront/distribution:Distribution": lambda r: {
        "arn": f"arn:aws:cloudfront::{r.placement.account}:distribution/{_distribution_id(r.name)}",
        "domainName": f"{_distribution_id(r.name).lower()}.cloudfront.net",
        "hostedZoneId": "Z2FDTNDATAQYW2",
    },
    "aws:cloudfront/vpcOrigin:VpcOrigin": lambda r: {
        "id": f"vo_{fake_id(r.name, length=22)}",
        "arn": f"arn:aws:cloudfront::{r.placement.account}:vpcorigin/vo_{fake_id(r.name, length=22)}",
    },
    # Ingress: the internal load balancer (its DNS name and the region's ELB hosted zone).
    "aws:lb/loadBalancer:LoadBalancer": lambda r: {
        "arn": f"{r.arn_prefix}:loadbalancer/app/{r.name[:32]}/{fake_id(r.name, length=16)}",
        # What CloudWatch's LoadBalancer dimension names it by.
        "arnSuffix": f"app/{r.name[:32]}/{fake_id(r.name, length=16)}",
        "dnsName": f"internal-{r.name[:32]}-{int(fake_id(r.name, length=8), 16)}"
        f".{r.placement.region}.elb.amazonaws.com",
        "zoneId": "Z" + fake_id(str(r.placement.region), "elb", length=13).upper(),
    },
    "aws:ecr/repository:Repository": lambda r: {
        "arn": f"{r.arn_prefix}:repository/{physical_name(r)}",
        "repositoryUrl": f"{r.placement.account}.dkr.ecr.{r.placement.region}.amazonaws.com"
        f"/{physical_name(r)}",
        "registryId": r.placement.account,
    },
    "aws:lb/targetGroup:TargetGroup": lambda r: {
        "arn": f"{r.arn_prefix}:targetgroup/{r.name[:32]}/{fake_id(r.name, length=16)}",
        "arnSuffix": f"targetgroup/{r.name[:32]}/{fake_id(r.name, length=16)}",
    },
    "aws:cloudfront/function:Function": lambda r: {
        "arn": f"arn:aws:cloudfront::{r.placement.account}:function/{r.inputs.get('name', r.name)}",
    },
    "aws:acm/certificate:Certificate": lambda r: {
        "arn": f"{r.arn_prefix}:certificate/{_uuid(r.name)}",
        "domainValidationOptions": [
            {
                "domainName": domain,
                "resourceRecordName": f"_{fake_id(domain, length=32)}.{domain}.",
                "resourceRecordType": "CNAME",
                "resourceRecordValue": f"_{fake_id(domain, 'value', length=32)}.acm-validations.aws.",
            }
            for domain in [r.inputs["domainName"], *r.inputs.get("subjectAlternativeNames", [])]
        ],
    },
    "aws:wafv2/webAcl:WebAcl": lambda r: {
        "arn": f"{r.arn_prefix}:{'global' if r.inputs.get('scope') == 'CLOUDFRONT' else 'regional'}"
        f"/webacl/{r.inputs.get('name', r.name)}/{_uuid(r.name)}",
    },
    # Data tier (Aurora, RDS Proxy, ElastiCache) and generated passwords
    "aws:rds/cluster:Cluster": lambda r: _aurora_cluster(r),
    "aws:rds/globalCluster:GlobalCluster": lambda r: {
        "arn": f"arn:aws:rds::{r.placement.account}:global-cluster:{r.inputs.get('globalClusterIdentifier')}",
        "globalClusterResourceId": f"cluster-{fake_id(r.name, length=26).upper()}",
    },
    "aws:rds/proxy:Proxy": lambda r: {
        "arn": f"arn:aws:rds:{r.placement.region}:{r.placement.account}:db-proxy:prx-{fake_id(r.name)}",
        "endpoint": f"{r.inputs.get('name', r.name)}.proxy-{fake_id(r.name, length=12)}"
        f".{r.placement.region}.rds.amazonaws.com",
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": lambda r: {
        "primaryEndpointAddress": f"master.{r.inputs.get('replicationGroupId')}.{fake_id(r.name, length=6)}"
        f".{_region_code(r)}.cache.amazonaws.com",
        "readerEndpointAddress": f"replica.{r.inputs.get('replicationGroupId')}.{fake_id(r.name, length=6)}"
        f".{_region_code(r)}.cache.amazonaws.com",
        "port": r.inputs.get("port", 6379),
        "arn": f"arn:aws:elasticache:{r.placement.region}:{r.placement.account}"
        f":replicationgroup:{r.inputs.get('replicationGroupId')}",
    },
    "random:index/randomPassword:RandomPassword": lambda r: {"result": random_password_value(r.name)},
    "random:index/randomId:RandomId": lambda r: {
        "hex": fake_id(r.name, "random-id", length=2 * int(r.inputs.get("byteLength", 8)))
    },
    # A documentation address (RFC 5737) per Elastic IP.
    "aws:ec2/eip:Eip": lambda r: {"publicIp": f"192.0.2.{int(fake_id(r.name, length=2), 16) % 254 + 1}"},
    "aws:ec2/launchTemplate:LaunchTemplate": lambda r: {"latestVersion": 1, "defaultVersion": 1},
    "aws:iam/instanceProfile:InstanceProfile": lambda r: {
        "arn": f"arn:aws:iam::{r.placement.account}:instance-profile/{physical_name(r)}"
    },
    "eks:index:Cluster": lambda r: eks_cluster_outputs(r),
    # Delivery: runners' auto scaling groups, the CI roles' OIDC provider.
    "aws:autoscaling/group:Group": lambda r: {
        "arn": f"arn:aws:autoscaling:{r.placement.region}:{r.placement.account}:autoScalingGroup:"
        f"{fake_id(r.name, length=8)}-{fake_id(r.name, 'uuid', length=4)}-0000-0000-"
        f"{fake_id(r.name, 'node', length=12)}:autoScalingGroupName/{r.inputs.get('name', r.name)}",
    },
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": lambda r: {
        "arn": f"arn:aws:iam::{r.placement.account}:oidc-provider/"
        + str(r.inputs.get("url", "")).removeprefix("https://")
    },
    # Realtime and wallet: WebSocket API, functions, table, bus, schedule.
    "aws:apigatewayv2/api:Api": lambda r: {
        "apiEndpoint": f"wss://{_api_id(r.name)}.execute-api.{r.placement.region}.amazonaws.com",
        "executionArn": f"arn:aws:execute-api:{r.placement.region}:{r.placement.account}:{_api_id(r.name)}",
        "id": _api_id(r.name),
    },
    "aws:apigatewayv2/domainName:DomainName": lambda r: {
        "domainNameConfiguration": {
            **r.inputs.get("domainNameConfiguration", {}),
            "targetDomainName": f"d-{fake_id(r.name, length=10)}.execute-api.{r.placement.region}"
            ".amazonaws.com",
            "hostedZoneId": "ZLY8HYME6SFDD",
        },
    },
    "aws:lambda/function:Function": lambda r: {
        "arn": f"{r.arn_prefix}:function:{physical_name(r)}",
        "invokeArn": f"arn:aws:apigateway:{r.placement.region}:lambda:path/2015-03-31/functions/"
        f"{r.arn_prefix}:function:{physical_name(r)}/invocations",
        "name": physical_name(r),
    },
    "aws:dynamodb/table:Table": lambda r: {
        "arn": f"{r.arn_prefix}:table/{physical_name(r)}",
        "name": physical_name(r),
    },
    "aws:cloudwatch/eventBus:EventBus": lambda r: {
        "arn": f"arn:aws:events:{r.placement.region}:{r.placement.account}:event-bus/{physical_name(r)}",
        "name": physical_name(r),
    },
    "aws:scheduler/schedule:Schedule": lambda r: {
        "arn": f"arn:aws:scheduler:{r.placement.region}:{r.placement.account}:schedule/default/"
        + physical_name(r),
    },
}
"""Per-type outputs. Add an entry when the program reads an output that is not an input."""


def _api_id(name: str) -> str:
    """API Gateway ids are 10 lowercase letters and digits."""
    return fake_id(name, "api", length=10)


def _distribution_id(name: str) -> str:
    return "E" + fake_id(name, length=13).upper()


def _uuid(name: str) -> str:
    raw = fake_id(name, length=32)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def eks_cluster_outputs(r: NewResource) -> dict[str, Any]:
    """What `pulumi_eks.Cluster` (one opaque resource under mocks) returns that the program reads.

    `eksCluster` is a resource reference and cannot be fabricated as plain data; the program reads the
    endpoint from `core` instead."""
    name = r.inputs.get("name", r.name)
    region, account = r.placement.region, r.placement.account
    oidc_id = fake_id(name, length=32).upper()
    endpoint = f"https://{fake_id(name, 'endpoint', length=32).upper()}.gr7.{region}.eks.amazonaws.com"
    role = (r.inputs.get("providerCredentialOpts") or {}).get("roleArn")
    ca_data = "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCm9mZmxpbmUKLS0tLS1FTkQgQ0VSVElGSUNBVEUtLS0tLQo="
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "kubernetes", "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}
        ],
        "contexts": [{"name": "aws", "context": {"cluster": "kubernetes", "user": "aws"}}],
        "current-context": "aws",
        "users": [
            {
                "name": "aws",
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": ["eks", "get-token", "--cluster-name", name, "--region", region]
                        + (["--role-arn", role] if role else []),
                    }
                },
            }
        ],
    }
    issuer = f"oidc.eks.{region}.amazonaws.com/id/{oidc_id}"
    return {
        "kubeconfig": kubeconfig,
        "kubeconfigJson": json.dumps(kubeconfig),
        "core": {
            "endpoint": endpoint,
            "vpcId": r.inputs.get("vpcId"),
            "subnetIds": r.inputs.get("privateSubnetIds", []),
        },
        "clusterSecurityGroupId": f"sg-{fake_id(name, 'cluster')}",
        "nodeSecurityGroupId": f"sg-{fake_id(name, 'nodes')}",
        "oidcIssuer": issuer,
        "oidcProviderUrl": f"https://{issuer}",
        "oidcProviderArn": f"arn:aws:iam::{account}:oidc-provider/{issuer}",
    }


def random_password_value(name: str) -> str:
    """What a `random.RandomPassword` named `name` yields offline: recognisable, so tests can prove
    it never appears in plain text anywhere in a rendered stack."""
    return f"OfflinePassword{fake_id(name, 'password', length=24)}"


def _region_code(r: NewResource) -> str:
    return region_code(r.placement.region) if r.placement.region else "unknown"


def _aurora_cluster(r: NewResource) -> dict[str, Any]:
    identifier = r.inputs.get("clusterIdentifier", r.name)
    host = f"{fake_id(r.placement.account or '', r.placement.region or '', length=12)}.{r.placement.region}"
    outputs: dict[str, Any] = {
        "arn": f"arn:aws:rds:{r.placement.region}:{r.placement.account}:cluster:{identifier}",
        "clusterResourceId": f"cluster-{fake_id(r.name, length=26).upper()}",
        "endpoint": f"{identifier}.cluster-{host}.rds.amazonaws.com",
        "readerEndpoint": f"{identifier}.cluster-ro-{host}.rds.amazonaws.com",
        "port": r.inputs.get("port", 5432),
        "masterUserSecrets": [],
    }
    if r.inputs.get("manageMasterUserPassword"):
        outputs["masterUserSecrets"] = [
            {
                "secretArn": f"arn:aws:secretsmanager:{r.placement.region}:{r.placement.account}"
                f":secret:rds!cluster-{fake_id(r.name, 'secret', length=32)}-{fake_id(r.name, length=6)}",
                "kmsKeyId": r.inputs.get("masterUserSecretKmsKeyId"),
                "secretStatus": "active",
            }
        ]
    return outputs


def _managed_prefix_list_id(name: str, region: str) -> str:
    from social_components.ingress.args import CLOUDFRONT_ORIGIN_FACING, CLOUDFRONT_ORIGIN_FACING_IDS

    if name == CLOUDFRONT_ORIGIN_FACING and region in CLOUDFRONT_ORIGIN_FACING_IDS:
        return CLOUDFRONT_ORIGIN_FACING_IDS[region]
    return f"pl-{fake_id(region, name, length=8)}"


INVOKES: dict[str, Callable[[dict[str, Any], Placement], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda args, p: {
        "accountId": p.account,
        "arn": f"arn:aws:sts::{p.account}:assumed-role/deploy/pulumi",
        "userId": "AROAOFFLINE:pulumi",
        "id": p.account,
    },
    "aws:index/getPartition:getPartition": lambda args, p: {
        "partition": "aws",
        "dnsSuffix": "amazonaws.com",
        "id": "aws",
    },
    "aws:index/getRegion:getRegion": lambda args, p: {"name": p.region, "region": p.region, "id": p.region},
    "aws:ivs/getStreamKey:getStreamKey": ivs_stream_key,
    "aws:ec2/getManagedPrefixList:getManagedPrefixList": lambda args, p: {
        # AWS-managed lists have one fixed ID per region (CloudFront's: `CLOUDFRONT_ORIGIN_FACING_IDS`).
        "id": _managed_prefix_list_id(str(args.get("name")), str(p.region)),
        "name": args.get("name"),
        "addressFamily": "IPv4",
        "maxEntries": 55,
        "ownerId": "AWS",
        "entries": [],
    },
    "aws:elb/getServiceAccount:getServiceAccount": lambda args, p: {
        "arn": f"arn:aws:iam::{int(fake_id(str(p.region), 'elb'), 16) % 10**12:012d}:root",
        "id": f"{int(fake_id(str(p.region), 'elb'), 16) % 10**12:012d}",
    },
    "aws:ssm/getParameter:getParameter": lambda args, p: {
        "name": args.get("name"),
        "type": "String",
        "value": f"ami-{fake_id(str(args.get('name')))}",
        "id": args.get("name"),
    },
}
"""Answers to data-source look-ups, by token. An unknown token fails the render, naming it."""


AVAILABILITY_ZONES = "aws:index/getAvailabilityZones:getAvailabilityZones"
ZoneSource = Callable[[str], Sequence[tuple[str, str]]]
"""(name, zone id) of each availability zone of a region."""


def three_zones(region: str) -> tuple[tuple[str, str], ...]:
    """A region's first three AZs as AWS names them: ``<region>a`` … with ids ``<code>-az1`` …"""
    return tuple((f"{region}{letter}", f"{region_code(region)}-az{i}") for i, letter in enumerate("abc", 1))


class ComponentMocks(pulumi.runtime.Mocks):
    """Answers resource registrations and look-ups (see the module docstring).

    `account` and `region` place resources that have no explicit aws provider; `availability_zones`
    answers AZ look-ups (unset: three zones per region). Extend `outputs` / `invokes` (copies of
    `OUTPUTS` / `INVOKES`) per instance for resources or look-ups of your own."""

    def __init__(
        self,
        account: str | None = None,
        region: str | None = None,
        availability_zones: ZoneSource = three_zones,
    ) -> None:
        self.default_placement = Placement(account, region)
        self.availability_zones = availability_zones
        self.outputs: dict[str, OutputRule] = dict(OUTPUTS)
        self.invokes = INVOKES
        """Answers to look-ups (the shared table: a test may swap an entry for the length of a test)."""
        self.placements: dict[str, Placement] = {}
        """Provider reference (``urn::id``) → where its resources live; filled as providers register."""
        self.remote_provider = threading.local()
        """The aws provider of the multi-language component being registered on this thread (the
        monitor sets it: mocks are not told a component's providers)."""
        self.created: list[NewResource] = []
        """Every resource (not provider) the program declared, in order."""

    def placement_of(self, provider_ref: str | None) -> Placement:
        return self.placements.get(provider_ref or "", self.default_placement)

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        resource_id = f"{args.typ.rsplit(':', 1)[-1].lower()}-{args.name}"
        if args.typ.startswith("pulumi:providers:"):
            return resource_id, dict(args.inputs)
        provider = args.provider or getattr(self.remote_provider, "ref", None)
        new = NewResource(args.typ, args.name, args.inputs, self.placement_of(provider))
        self.created.append(new)
        outputs: dict[str, Any] = {"id": resource_id, **args.inputs}
        if args.custom and new.service != "unknown":
            outputs.setdefault("arn", f"{new.arn_prefix}:{args.typ.split(':')[-1].lower()}/{args.name}")
            outputs.setdefault("name", args.name)
        rule = self.outputs.get(args.typ)
        if rule is not None:
            outputs.update(rule(new))
        return resource_id, outputs

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        placement = self.placement_of(args.provider)
        if args.token == AVAILABILITY_ZONES:
            zones = self.availability_zones(placement.region or "")
            return {
                "names": [n for n, _ in zones],
                "zoneIds": [z for _, z in zones],
                "id": placement.region,
            }, []
        answer = self.invokes.get(args.token)
        if answer is None:
            raise NotImplementedError(
                f"the offline mocks have no answer for {args.token}; add one to the mocks' `invokes`"
            )
        return answer(dict(args.args), placement), []


class PlacementMonitor(pulumi_mocks.MockMonitor):
    """The SDK's mock monitor, telling the mocks where each aws provider points and which provider a
    multi-language component (`eks:index:Cluster`) was given, so their outputs carry the right
    account and region."""

    def __init__(self, mocks: ComponentMocks) -> None:
        super().__init__(mocks)
        self.component_mocks = mocks

    def RegisterResource(self, request: Any) -> Any:
        # A multi-language component names its aws provider in `providers`, not `provider`.
        self.component_mocks.remote_provider.ref = request.providers.get("aws") if request.remote else None
        try:
            response = super().RegisterResource(request)
        finally:
            self.component_mocks.remote_provider.ref = None
        if request.type.startswith("pulumi:providers:"):
            inputs = rpc.deserialize_properties(request.object)
            self.component_mocks.placements[f"{response.urn}::{response.id}"] = provider_placement(inputs)
        return response


def set_mocks(
    account: str = "123456789012",
    region: str = "us-east-1",
    *,
    project: str = "project",
    stack: str = "stack",
    availability_zones: ZoneSource = three_zones,
) -> ComponentMocks:
    """Run this process's Pulumi programs under `ComponentMocks` (see the module docstring)."""
    mocks = ComponentMocks(account, region, availability_zones)
    pulumi.runtime.set_mocks(
        mocks, project=project, stack=stack, preview=False, monitor=PlacementMonitor(mocks)
    )
    return mocks
