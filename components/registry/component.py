"""`Registry`: the ECR repositories of the application's services in one region.

What it builds (the provider passed in `opts`):
- a KMS key for the images, and one repository per service: immutable tags, KMS encryption, scan on
  push, never force-deleted, protected in prod;
- a lifecycle policy per repository: untagged images expire after a few days, only the last N
  release tags are kept;
- a repository policy per repository: only `pull_role_arns` may pull (Amazon Inspector excepted),
  only `push_role_arns` may push;
- registry-level enhanced scanning (Amazon Inspector, on push and continuous) for this region;
- with `replicate_to_regions`: the registry's replication of these repositories there;
- with `findings_topic_arn`: an EventBridge rule sending HIGH and CRITICAL Inspector findings on
  these images to the topic.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent, policy_json
from social_components.registry.args import PULL_ACTIONS, PUSH_ACTIONS, RegistryArgs
from social_components.registry.validation import validate_registry_args

INSPECTOR_ROLE = "role/aws-service-role/inspector2.amazonaws.com/AWSServiceRoleForAmazonInspector2"
"""Amazon Inspector's service-linked role: it pulls images to scan them."""
ALERT_SEVERITIES = ("HIGH", "CRITICAL")


def lifecycle_policy(keep_release_tags: int, untagged_expiry_days: int, release_tag_prefix: str) -> str:
    """ECR lifecycle rules: untagged images expire `untagged_expiry_days` after their push; of the
    images tagged `<release_tag_prefix>…`, the newest `keep_release_tags` stay."""
    return json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": f"Untagged images expire {untagged_expiry_days} days after their push",
                    "selection": {
                        "tagStatus": "untagged",
                        "countType": "sinceImagePushed",
                        "countUnit": "days",
                        "countNumber": untagged_expiry_days,
                    },
                    "action": {"type": "expire"},
                },
                {
                    "rulePriority": 2,
                    "description": f"Keep the newest {keep_release_tags} release images",
                    "selection": {
                        "tagStatus": "tagged",
                        "tagPrefixList": [release_tag_prefix],
                        "countType": "imageCountMoreThan",
                        "countNumber": keep_release_tags,
                    },
                    "action": {"type": "expire"},
                },
            ]
        },
        sort_keys=True,
    )


def repository_statements(
    account_id: pulumi.Input[str],
    pull_role_arns: list[pulumi.Input[str]],
    push_role_arns: list[pulumi.Input[str]],
) -> list[Mapping[str, Any]]:
    """Pulls by the pull roles only, pushes by the push roles only: explicit denies for everyone
    else (an explicit deny also binds principals of this account that IAM would allow)."""
    inspector = pulumi.Output.concat("arn:aws:iam::", account_id, ":", INSPECTOR_ROLE)
    statements: list[Mapping[str, Any]] = [
        {
            "Sid": "DenyPullExceptNodes",
            "Effect": "Deny",
            "Principal": "*",
            "Action": list(PULL_ACTIONS),
            "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [*pull_role_arns, inspector]}},
        },
        {
            "Sid": "DenyPushExceptCi",
            "Effect": "Deny",
            "Principal": "*",
            "Action": [*PUSH_ACTIONS, "ecr:BatchDeleteImage"],
            "Condition": {
                "ArnNotEquals": {
                    "aws:PrincipalArn": list(push_role_arns) or ["arn:aws:iam::000000000000:role/nobody"]
                }
            },
        },
    ]
    if pull_role_arns:
        statements.insert(
            0,
            {
                "Sid": "NodesPull",
                "Effect": "Allow",
                "Principal": {"AWS": list(pull_role_arns)},
                "Action": [*PULL_ACTIONS, "ecr:BatchCheckLayerAvailability"],
            },
        )
    if push_role_arns:
        statements.insert(
            0,
            {
                "Sid": "CiPushes",
                "Effect": "Allow",
                "Principal": {"AWS": list(push_role_arns)},
                "Action": list(PUSH_ACTIONS),
            },
        )
    return statements


def findings_pattern(repository_names: list[str]) -> str:
    """EventBridge pattern: active Inspector findings of severity HIGH or CRITICAL on these images."""
    return json.dumps(
        {
            "source": ["aws.inspector2"],
            "detail-type": ["Inspector2 Finding"],
            "detail": {
                "severity": list(ALERT_SEVERITIES),
                "status": ["ACTIVE"],
                "resources": {
                    "type": ["AWS_ECR_CONTAINER_IMAGE"],
                    "details": {"awsEcrContainerImage": {"repositoryName": sorted(repository_names)}},
                },
            },
        },
        sort_keys=True,
    )


class Registry(SocialComponent):
    """ECR repositories for the application's services, in one region."""

    MODULE = "registry"

    repository_urls: dict[str, pulumi.Output[str]]
    """Service name → repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<name>`)."""
    repository_arns: dict[str, pulumi.Output[str]]
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: RegistryArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_registry_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        account_id = self.account_id()
        key = self.kms_key("images", f"{name}: container images")
        self.key_arn = key.arn
        self.repository_urls, self.repository_arns = {}, {}
        repository_names = []
        for service, repo in sorted(args.repositories.items()):
            repository_name = f"{args.name_prefix}{service}"
            repository_names.append(repository_name)
            repository = aws.ecr.Repository(
                self.child_name(service),
                name=repository_name,
                image_tag_mutability="IMMUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(
                    scan_on_push=True
                ),
                encryption_configurations=[
                    aws.ecr.RepositoryEncryptionConfigurationArgs(encryption_type="KMS", kms_key=key.arn)
                ],
                force_delete=False,
                tags=dict(args.tags),
                opts=self.stateful(),
            )
            self.repository_urls[service] = repository.repository_url
            self.repository_arns[service] = repository.arn
            aws.ecr.LifecyclePolicy(
                self.child_name(f"{service}-lifecycle"),
                repository=repository.name,
                policy=lifecycle_policy(
                    repo.keep_release_tags if repo.keep_release_tags is not None else args.keep_release_tags,
                    repo.untagged_expiry_days
                    if repo.untagged_expiry_days is not None
                    else args.untagged_expiry_days,
                    args.release_tag_prefix,
                ),
                opts=self.child(),
            )
            aws.ecr.RepositoryPolicy(
                self.child_name(f"{service}-policy"),
                repository=repository.name,
                policy=policy_json(
                    repository_statements(account_id, list(args.pull_role_arns), list(args.push_role_arns))
                ),
                opts=self.child(),
            )

        aws.ecr.RegistryScanningConfiguration(
            self.child_name("scanning"),
            scan_type="ENHANCED" if args.enable_enhanced_scanning else "BASIC",
            rules=[
                aws.ecr.RegistryScanningConfigurationRuleArgs(
                    scan_frequency="CONTINUOUS_SCAN" if args.enable_enhanced_scanning else "SCAN_ON_PUSH",
                    repository_filters=[
                        aws.ecr.RegistryScanningConfigurationRuleRepositoryFilterArgs(
                            filter=f"{args.name_prefix}*", filter_type="WILDCARD"
                        )
                    ],
                )
            ],
            opts=self.child(),
        )
        if args.replicate_to_regions:
            aws.ecr.ReplicationConfiguration(
                self.child_name("replication"),
                replication_configuration=aws.ecr.ReplicationConfigurationReplicationConfigurationArgs(
                    rules=[
                        aws.ecr.ReplicationConfigurationReplicationConfigurationRuleArgs(
                            destinations=[
                                aws.ecr.ReplicationConfigurationReplicationConfigurationRuleDestinationArgs(
                                    region=region, registry_id=account_id
                                )
                                for region in args.replicate_to_regions
                            ],
                            repository_filters=[
                                aws.ecr.ReplicationConfigurationReplicationConfigurationRuleRepositoryFilterArgs(
                                    filter=name, filter_type="PREFIX_MATCH"
                                )
                                for name in repository_names
                            ],
                        )
                    ]
                ),
                opts=self.child(),
            )
        if args.findings_topic_arn is not None:
            rule = aws.cloudwatch.EventRule(
                self.child_name("findings"),
                description=f"{name}: HIGH and CRITICAL image vulnerabilities (Amazon Inspector)",
                event_pattern=findings_pattern(repository_names),
                opts=self.child(),
            )
            aws.cloudwatch.EventTarget(
                self.child_name("findings"),
                rule=rule.name,
                arn=args.findings_topic_arn,
                opts=self.child(),
            )
        self.register_outputs({"repository_urls": self.repository_urls, "key_arn": self.key_arn})

    def push_statements(self) -> list[Mapping[str, Any]]:
        """What a CI role needs to push to these repositories (and log in to the registry)."""
        return [
            {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": list(PUSH_ACTIONS),
                "Resource": list(self.repository_arns.values()),
            },
            {"Effect": "Allow", "Action": ["kms:GenerateDataKey", "kms:Decrypt"], "Resource": self.key_arn},
        ]

    def grant_push(self, role: str, role_name: pulumi.Input[str]) -> aws.iam.RolePolicy:
        """Let an IAM role (the CI deploy role) push images to these repositories."""
        return aws.iam.RolePolicy(
            self.child_name(f"push-{role}"),
            role=role_name,
            policy=policy_json(self.push_statements()),
            opts=self.child(),
        )
