"""What each resource type is, for the guardrails: does it hold data, and does it take tags.

Every resource type that appears in any rendered stack must be classified here, as holding data
(`STATEFUL`, or `STATEFUL_WHEN` for types that hold data only in some configurations) or not
(`STATELESS`). A test renders every stack and fails on a type found in neither, so adding a new
kind of resource forces a decision: is losing it losing data? If so it is protected in prod.

Pure data and small functions; no Pulumi imports (the policy pack and the tests both read it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

Classification = Literal["structural", "stateful", "stateless", "unclassified"]

STRUCTURAL_PREFIXES = ("social:", "pulumi:providers:")
"""Our own components (their children are classified one by one) and providers."""
STRUCTURAL_TYPES = frozenset({"pulumi:pulumi:Stack", "pulumi:pulumi:StackReference"})

# ---------------------------------------------------------------------------------------------
# Types that hold data: losing one loses something no redeploy brings back.

STATEFUL: Mapping[str, str] = {
    # Relational data
    "aws:rds/cluster:Cluster": "Aurora cluster volume: the platform's relational data",
    "aws:rds/clusterInstance:ClusterInstance": "Aurora instance (serves the cluster data)",
    "aws:rds/globalCluster:GlobalCluster": "Aurora Global Database spanning the regional clusters",
    "aws:rds/instance:Instance": "RDS instance storage",
    "aws:rds/clusterSnapshot:ClusterSnapshot": "manual Aurora snapshot",
    "aws:rds/snapshot:Snapshot": "manual RDS snapshot",
    "aws:dynamodb/table:Table": "DynamoDB items",
    "aws:dynamodb/globalTable:GlobalTable": "DynamoDB items",
    # Caches and queues (deliberate: in-flight data is data)
    "aws:elasticache/replicationGroup:ReplicationGroup": "Valkey/Redis data (sessions, feeds, counters)",
    "aws:elasticache/cluster:Cluster": "cache node data",
    "aws:elasticache/serverlessCache:ServerlessCache": "cache data",
    "aws:elasticache/globalReplicationGroup:GlobalReplicationGroup": "cache data across regions",
    "aws:memorydb/cluster:Cluster": "durable in-memory data",
    "aws:sqs/queue:Queue": "messages not yet processed (a replaced queue drops them)",
    "aws:kinesis/stream:Stream": "records in the retention window",
    "aws:cloudwatch/eventArchive:EventArchive": "archived events",
    # Objects and files
    "aws:s3/bucket:Bucket": "objects (media, logs, state)",
    "aws:s3/bucketV2:BucketV2": "objects (media, logs, state)",
    "aws:s3/directoryBucket:DirectoryBucket": "objects",
    "aws:efs/fileSystem:FileSystem": "files",
    "aws:ebs/volume:Volume": "block storage",
    "aws:ebs/snapshot:Snapshot": "block storage snapshot",
    "aws:ecr/repository:Repository": "container images (pinned digests in use)",
    "aws:backup/vault:Vault": "recovery points",
    "aws:opensearch/domain:Domain": "search indexes",
    # Keys and secrets: losing a key loses everything it encrypts
    "aws:kms/key:Key": "key material; everything encrypted with it",
    "aws:kms/replicaKey:ReplicaKey": "key material (multi-region replica)",
    "aws:secretsmanager/secret:Secret": "a secret whose value may be set or rotated outside this code",
    "aws:secretsmanager/secretVersion:SecretVersion": "a secret value",
    "random:index/randomPassword:RandomPassword": "a generated secret that exists only in state",
    "tls:index/privateKey:PrivateKey": "generated key material that exists only in state",
    # Identity
    "aws:cognito/userPool:UserPool": "user accounts and credentials",
    "aws:cognito/identityPool:IdentityPool": "identity IDs of users",
    # Logs of record
    "aws:cloudwatch/logGroup:LogGroup": "logs (audit, flow and control-plane logs are evidence)",
    "aws:cloudwatch/logStream:LogStream": "log events",
    # Names others depend on
    "aws:ivs/channel:Channel": "stream key and ingest/playback URLs that creators' encoders and links use",
    "aws:route53/zone:Zone": "DNS zone (its name servers are delegated to from the parent)",
    "aws:route53/delegationSet:DelegationSet": "reusable name servers registered at the registrar",
    # Kubernetes control plane: etcd holds workloads, secrets, custom resources
    "aws:eks/cluster:Cluster": "Kubernetes API state (etcd)",
    "eks:index:Cluster": "Kubernetes API state (etcd), through the pulumi-eks component",
    "kubernetes:core/v1:PersistentVolumeClaim": "a volume holding pod data",
    "kubernetes:core/v1:PersistentVolume": "a volume holding pod data",
}
"""Resource type → what data it holds."""

STATEFUL_WHEN: Mapping[str, tuple[Callable[[Mapping[str, Any]], bool], str]] = {
    "aws:ssm/parameter:Parameter": (
        lambda props: props.get("type") == "SecureString",
        "a SecureString (tokens registered outside this code)",
    ),
}
"""Types that hold data only in some configurations: type → (test on its inputs, what it holds)."""

# ---------------------------------------------------------------------------------------------
# Types that hold no data: the code recreates them exactly.

STATELESS: frozenset[str] = frozenset(
    {
        # Network
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/route:Route",
        "aws:ec2/routeTableAssociation:RouteTableAssociation",
        "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
        "aws:ec2/natGateway:NatGateway",
        # An Elastic IP is an address, not data; partners allowlisting egress IPs are told to expect change.
        "aws:ec2/eip:Eip",
        "aws:ec2/networkAcl:NetworkAcl",
        "aws:ec2/networkAclRule:NetworkAclRule",
        "aws:ec2/networkAclAssociation:NetworkAclAssociation",
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:ec2/vpcEndpointPolicy:VpcEndpointPolicy",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/managedPrefixList:ManagedPrefixList",
        "aws:ec2/vpcPeeringConnection:VpcPeeringConnection",
        # Compute
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/instance:Instance",
        "aws:ec2/keyPair:KeyPair",
        "aws:autoscaling/group:Group",
        "aws:autoscaling/lifecycleHook:LifecycleHook",
        "aws:autoscaling/schedule:Schedule",
        "aws:autoscaling/policy:Policy",
        "aws:ebs/encryptionByDefault:EncryptionByDefault",
        "aws:ebs/defaultKmsKey:DefaultKmsKey",
        "aws:lambda/function:Function",
        "aws:lambda/permission:Permission",
        "aws:lambda/eventSourceMapping:EventSourceMapping",
        "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig",
        "aws:scheduler/schedule:Schedule",
        # Load balancing and edge
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/targetGroupAttachment:TargetGroupAttachment",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:lb/listenerCertificate:ListenerCertificate",
        "aws:acm/certificate:Certificate",
        "aws:acm/certificateValidation:CertificateValidation",
        "aws:cloudfront/distribution:Distribution",
        "aws:cloudfront/originAccessControl:OriginAccessControl",
        "aws:cloudfront/originAccessIdentity:OriginAccessIdentity",
        "aws:cloudfront/cachePolicy:CachePolicy",
        "aws:cloudfront/originRequestPolicy:OriginRequestPolicy",
        "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy",
        "aws:cloudfront/function:Function",
        "aws:cloudfront/vpcOrigin:VpcOrigin",
        "aws:cloudfront/publicKey:PublicKey",
        "aws:cloudfront/keyGroup:KeyGroup",
        "aws:cloudfront/monitoringSubscription:MonitoringSubscription",
        "aws:cloudfront/realtimeLogConfig:RealtimeLogConfig",
        "aws:wafv2/webAcl:WebAcl",
        "aws:wafv2/webAclAssociation:WebAclAssociation",
        "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
        "aws:wafv2/ipSet:IpSet",
        "aws:wafv2/regexPatternSet:RegexPatternSet",
        "aws:wafv2/ruleGroup:RuleGroup",
        "aws:route53/record:Record",
        "aws:route53/healthCheck:HealthCheck",
        # API Gateway (WebSocket): the connections it holds live in a DynamoDB table (stateful)
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/authorizer:Authorizer",
        "aws:apigatewayv2/integration:Integration",
        "aws:apigatewayv2/route:Route",
        "aws:apigatewayv2/stage:Stage",
        "aws:apigatewayv2/domainName:DomainName",
        "aws:apigatewayv2/apiMapping:ApiMapping",
        "aws:apigateway/account:Account",
        "aws:route53/zoneAssociation:ZoneAssociation",
        "aws:route53/queryLog:QueryLog",
        # Storage configuration (the bucket itself is stateful)
        "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
        "aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock",
        "aws:s3/bucketPolicy:BucketPolicy",
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
        "aws:s3/bucketVersioning:BucketVersioning",
        "aws:s3/bucketVersioningV2:BucketVersioningV2",
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2",
        "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
        "aws:s3/bucketLogging:BucketLogging",
        "aws:s3/bucketLoggingV2:BucketLoggingV2",
        "aws:s3/bucketCorsConfiguration:BucketCorsConfiguration",
        "aws:s3/bucketCorsConfigurationV2:BucketCorsConfigurationV2",
        "aws:s3/bucketNotification:BucketNotification",
        "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
        "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
        "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2",
        "aws:s3/bucketIntelligentTieringConfiguration:BucketIntelligentTieringConfiguration",
        "aws:s3/bucketAcl:BucketAcl",
        "aws:s3/bucketAclV2:BucketAclV2",
        "aws:s3/bucketObject:BucketObject",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:ecr/lifecyclePolicy:LifecyclePolicy",
        "aws:ecr/repositoryPolicy:RepositoryPolicy",
        "aws:ecr/pullThroughCacheRule:PullThroughCacheRule",
        "aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",
        "aws:ecr/replicationConfiguration:ReplicationConfiguration",
        "aws:backup/plan:Plan",
        "aws:backup/selection:Selection",
        "aws:backup/vaultPolicy:VaultPolicy",
        "aws:backup/vaultLockConfiguration:VaultLockConfiguration",
        # Databases and caches: configuration around the data
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/clusterEndpoint:ClusterEndpoint",
        "aws:rds/proxy:Proxy",
        "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup",
        "aws:rds/proxyTarget:ProxyTarget",
        "aws:rds/clusterRoleAssociation:ClusterRoleAssociation",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:elasticache/user:User",
        "aws:elasticache/userGroup:UserGroup",
        "aws:elasticache/userGroupAssociation:UserGroupAssociation",
        "aws:appautoscaling/target:Target",
        "aws:appautoscaling/policy:Policy",
        # Keys and secrets: configuration around them
        "aws:kms/alias:Alias",
        "aws:kms/grant:Grant",
        "aws:kms/keyPolicy:KeyPolicy",
        "aws:secretsmanager/secretPolicy:SecretPolicy",
        "aws:secretsmanager/secretRotation:SecretRotation",
        "random:index/randomId:RandomId",
        "random:index/randomString:RandomString",
        "random:index/randomPet:RandomPet",
        # IAM
        "aws:iam/role:Role",
        "aws:iam/policy:Policy",
        "aws:iam/rolePolicy:RolePolicy",
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        # Identity (the user pool itself is stateful)
        "aws:cognito/userPoolClient:UserPoolClient",
        "aws:cognito/managedUserPoolClient:ManagedUserPoolClient",
        "aws:cognito/userPoolDomain:UserPoolDomain",
        "aws:cognito/identityProvider:IdentityProvider",
        "aws:cognito/resourceServer:ResourceServer",
        "aws:cognito/userGroup:UserGroup",
        "aws:cognito/managedLoginBranding:ManagedLoginBranding",
        "aws:cognito/userPoolUICustomization:UserPoolUICustomization",
        "aws:cognito/logDeliveryConfiguration:LogDeliveryConfiguration",
        "aws:cognito/riskConfiguration:RiskConfiguration",
        "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment",
        # Live video: the recordings live in an S3 bucket (stateful); these only point at it.
        "aws:ivs/recordingConfiguration:RecordingConfiguration",
        "aws:ivs/playbackKeyPair:PlaybackKeyPair",
        "aws:ivschat/room:Room",
        "aws:ivschat/loggingConfiguration:LoggingConfiguration",
        # Messaging: a topic pushes and keeps nothing
        "aws:sns/topic:Topic",
        "aws:sns/topicPolicy:TopicPolicy",
        "aws:sns/topicSubscription:TopicSubscription",
        "aws:sqs/queuePolicy:QueuePolicy",
        "aws:sqs/redrivePolicy:RedrivePolicy",
        "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy",
        # Monitoring
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/compositeAlarm:CompositeAlarm",
        "aws:cloudwatch/dashboard:Dashboard",
        "aws:budgets/budget:Budget",
        "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
        "aws:costexplorer/anomalySubscription:AnomalySubscription",
        "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:cloudwatch/eventTarget:EventTarget",
        "aws:cloudwatch/eventBus:EventBus",
        "aws:cloudwatch/logMetricFilter:LogMetricFilter",
        "aws:cloudwatch/logSubscriptionFilter:LogSubscriptionFilter",
        "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
        "aws:cloudwatch/logDataProtectionPolicy:LogDataProtectionPolicy",
        "aws:cloudwatch/queryDefinition:QueryDefinition",
        "aws:cloudwatch/logDelivery:LogDelivery",
        "aws:cloudwatch/logDeliverySource:LogDeliverySource",
        "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
        "aws:cloudwatch/logDeliveryDestinationPolicy:LogDeliveryDestinationPolicy",
        "aws:cloudtrail/trail:Trail",
        # Security baseline: detectors and recorders. What they find and record is delivered
        # elsewhere (findings to EventBridge and Security Hub, Config snapshots to the log archive).
        "aws:cfg/recorder:Recorder",
        "aws:cfg/deliveryChannel:DeliveryChannel",
        "aws:cfg/recorderStatus:RecorderStatus",
        "aws:guardduty/detector:Detector",
        "aws:guardduty/detectorFeature:DetectorFeature",
        "aws:securityhub/account:Account",
        "aws:securityhub/standardsSubscription:StandardsSubscription",
        "aws:inspector2/enabler:Enabler",
        "aws:accessanalyzer/analyzer:Analyzer",
        "aws:iam/accountPasswordPolicy:AccountPasswordPolicy",
        "aws:route53/keySigningKey:KeySigningKey",
        "aws:route53/hostedZoneDnsSec:HostedZoneDnsSec",
        "aws:ssm/document:Document",
        # EKS around the cluster
        "aws:eks/addon:Addon",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:eks/fargateProfile:FargateProfile",
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
        "aws:eks/identityProviderConfig:IdentityProviderConfig",
        "eks:index:ManagedNodeGroup",
        "eks:index:NodeGroup",
        "eks:index:NodeGroupV2",
        "eks:index:NodeGroupSecurityGroup",
        "eks:index:VpcCniAddon",
        "eks:index:Addon",
        # Kubernetes objects the code declares (data lives in PersistentVolumeClaims, classified above)
        "kubernetes:core/v1:Namespace",
        "kubernetes:core/v1:ServiceAccount",
        "kubernetes:core/v1:ConfigMap",
        "kubernetes:core/v1:Secret",
        "kubernetes:core/v1:Service",
        "kubernetes:core/v1:LimitRange",
        "kubernetes:core/v1:ResourceQuota",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:apps/v1:DaemonSet",
        "kubernetes:batch/v1:Job",
        "kubernetes:batch/v1:CronJob",
        "kubernetes:policy/v1:PodDisruptionBudget",
        "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
        "kubernetes:networking.k8s.io/v1:Ingress",
        "kubernetes:networking.k8s.io/v1:IngressClass",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
        "kubernetes:rbac.authorization.k8s.io/v1:Role",
        "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
        "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
        "kubernetes:scheduling.k8s.io/v1:PriorityClass",
        "kubernetes:storage.k8s.io/v1:StorageClass",
        "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition",
        "kubernetes:admissionregistration.k8s.io/v1:ValidatingWebhookConfiguration",
        "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
        "kubernetes:helm.sh/v3:Release",
        "kubernetes:helm.sh/v4:Chart",
        "kubernetes:yaml/v2:ConfigGroup",
        "kubernetes:yaml/v2:ConfigFile",
        "kubernetes:karpenter.sh/v1:NodePool",
        "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass",
    }
)

# ---------------------------------------------------------------------------------------------
# Tags


REQUIRED_TAGS = ("Project", "Environment", "Owner", "CostCenter", "ManagedBy", "Stack")
"""Every taggable resource carries these (normally from the provider's default tags)."""

TAGGABLE: frozenset[str] = frozenset(
    {
        "aws:cloudfront/vpcOrigin:VpcOrigin",
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/eip:Eip",
        "aws:ec2/networkAcl:NetworkAcl",
        "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl",
        "aws:ec2/defaultRouteTable:DefaultRouteTable",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:ec2/flowLog:FlowLog",
        "aws:ec2/managedPrefixList:ManagedPrefixList",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/instance:Instance",
        "aws:ec2/keyPair:KeyPair",
        "aws:ebs/volume:Volume",
        "aws:ebs/snapshot:Snapshot",
        "aws:lambda/function:Function",
        "aws:apigatewayv2/api:Api",
        "aws:apigatewayv2/stage:Stage",
        "aws:apigatewayv2/domainName:DomainName",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:lb/listener:Listener",
        "aws:lb/listenerRule:ListenerRule",
        "aws:acm/certificate:Certificate",
        "aws:cloudfront/distribution:Distribution",
        "aws:cloudfront/function:Function",
        "aws:wafv2/webAcl:WebAcl",
        "aws:wafv2/ipSet:IpSet",
        "aws:wafv2/regexPatternSet:RegexPatternSet",
        "aws:wafv2/ruleGroup:RuleGroup",
        "aws:route53/zone:Zone",
        "aws:route53/healthCheck:HealthCheck",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketV2:BucketV2",
        "aws:ecr/repository:Repository",
        "aws:efs/fileSystem:FileSystem",
        "aws:backup/vault:Vault",
        "aws:backup/plan:Plan",
        "aws:rds/cluster:Cluster",
        "aws:rds/clusterInstance:ClusterInstance",
        "aws:rds/globalCluster:GlobalCluster",
        "aws:rds/instance:Instance",
        "aws:rds/subnetGroup:SubnetGroup",
        "aws:rds/clusterParameterGroup:ClusterParameterGroup",
        "aws:rds/parameterGroup:ParameterGroup",
        "aws:rds/clusterSnapshot:ClusterSnapshot",
        "aws:rds/snapshot:Snapshot",
        "aws:rds/proxy:Proxy",
        "aws:dynamodb/table:Table",
        "aws:elasticache/replicationGroup:ReplicationGroup",
        "aws:elasticache/cluster:Cluster",
        "aws:elasticache/serverlessCache:ServerlessCache",
        "aws:elasticache/subnetGroup:SubnetGroup",
        "aws:elasticache/parameterGroup:ParameterGroup",
        "aws:elasticache/user:User",
        "aws:elasticache/userGroup:UserGroup",
        "aws:memorydb/cluster:Cluster",
        "aws:opensearch/domain:Domain",
        "aws:kinesis/stream:Stream",
        "aws:sqs/queue:Queue",
        "aws:sns/topic:Topic",
        "aws:kms/key:Key",
        "aws:kms/replicaKey:ReplicaKey",
        "aws:secretsmanager/secret:Secret",
        "aws:ssm/parameter:Parameter",
        "aws:ssm/document:Document",
        "aws:cloudwatch/logGroup:LogGroup",
        "aws:cloudwatch/logDelivery:LogDelivery",
        "aws:cloudwatch/logDeliverySource:LogDeliverySource",
        "aws:cloudwatch/logDeliveryDestination:LogDeliveryDestination",
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "aws:cloudwatch/compositeAlarm:CompositeAlarm",
        "aws:cloudwatch/eventRule:EventRule",
        "aws:budgets/budget:Budget",
        "aws:costexplorer/anomalyMonitor:AnomalyMonitor",
        "aws:costexplorer/anomalySubscription:AnomalySubscription",
        "aws:chatbot/slackChannelConfiguration:SlackChannelConfiguration",
        "aws:cloudwatch/eventBus:EventBus",
        "aws:cloudtrail/trail:Trail",
        "aws:guardduty/detector:Detector",
        "aws:accessanalyzer/analyzer:Analyzer",
        "aws:iam/serviceLinkedRole:ServiceLinkedRole",
        "aws:iam/role:Role",
        "aws:iam/policy:Policy",
        "aws:iam/instanceProfile:InstanceProfile",
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
        "aws:cognito/userPool:UserPool",
        "aws:cognito/identityPool:IdentityPool",
        "aws:ivs/channel:Channel",
        "aws:ivs/recordingConfiguration:RecordingConfiguration",
        "aws:ivs/playbackKeyPair:PlaybackKeyPair",
        "aws:ivschat/room:Room",
        "aws:ivschat/loggingConfiguration:LoggingConfiguration",
        "aws:eks/cluster:Cluster",
        "aws:eks/nodeGroup:NodeGroup",
        "aws:eks/addon:Addon",
        "aws:eks/fargateProfile:FargateProfile",
        "aws:eks/accessEntry:AccessEntry",
        "aws:eks/podIdentityAssociation:PodIdentityAssociation",
    }
)
"""AWS resource types that take a `tags` map to which the provider's default tags apply."""

UNTAGGED: Mapping[str, str] = {
    "aws:autoscaling/group:Group": "tags are a list with propagate_at_launch; provider default tags skip it",
}
"""Types that have a `tags` input but are deliberately left out of the tag rule, and why."""


# ---------------------------------------------------------------------------------------------


def classify(type_: str) -> Classification:
    if type_ in STRUCTURAL_TYPES or type_.startswith(STRUCTURAL_PREFIXES):
        return "structural"
    if type_ in STATEFUL or type_ in STATEFUL_WHEN:
        return "stateful"
    if type_ in STATELESS:
        return "stateless"
    return "unclassified"


def holds_data(type_: str, props: Mapping[str, Any]) -> bool:
    """Whether a resource of this type with these inputs holds data (conditional types decide here)."""
    if type_ in STATEFUL:
        return True
    conditional = STATEFUL_WHEN.get(type_)
    return conditional is not None and bool(conditional[0](props))


def what_it_holds(type_: str) -> str:
    if type_ in STATEFUL:
        return STATEFUL[type_]
    return STATEFUL_WHEN[type_][1] if type_ in STATEFUL_WHEN else ""
