"""`WebAcl`: a WAFv2 web ACL with AWS managed rule groups, a per-IP rate limit and redacted logging."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from social_components.base import SocialComponent
from social_components.waf.args import (
    MANAGED_RULE_GROUPS,
    RATE_LIMIT_PRIORITY,
    RATE_LIMIT_RULE,
    WebAclArgs,
)
from social_components.waf.validation import validate_web_acl_args

waf = aws.wafv2


class WebAcl(SocialComponent):
    """A web ACL that allows by default and blocks what the rules match.

    Rules: AWS's IP reputation list, common rule set, known bad inputs (Log4j and friends) and SQL
    injection groups, optionally anonymous IPs and Bot Control, and a rate-based rule per client IP.
    Full logs go to the CloudWatch log group `aws-waf-logs-<name>` (WAF requires the prefix) with
    the credential headers redacted. The provider decides the region: us-east-1 for CLOUDFRONT.
    """

    MODULE = "waf"

    arn: pulumi.Output[str]
    """ARN of the web ACL (what CloudFront's `web_acl_id` and associations take)."""
    log_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: WebAclArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_web_acl_args(args)
        super().__init__(name, protect=args.protect, opts=opts)
        self.scope = args.scope

        rules = [(MANAGED_RULE_GROUPS[group][0], self._managed_rule(group)) for group in args.rule_groups]
        rate_rule = waf.WebAclRuleArgs(
            name=RATE_LIMIT_RULE,
            priority=RATE_LIMIT_PRIORITY,
            action=waf.WebAclRuleActionArgs(block=waf.WebAclRuleActionBlockArgs()),
            statement=waf.WebAclRuleStatementArgs(
                rate_based_statement=waf.WebAclRuleStatementRateBasedStatementArgs(
                    aggregate_key_type="IP",
                    limit=args.rate_limit,
                    evaluation_window_sec=args.rate_limit_window_seconds,
                )
            ),
            visibility_config=self._visibility(RATE_LIMIT_RULE),
        )
        rules.append((RATE_LIMIT_PRIORITY, rate_rule))
        acl = waf.WebAcl(
            self.child_name("acl"),
            scope=args.scope,
            description=f"{name}: managed rule groups and a per-IP rate limit",
            default_action=waf.WebAclDefaultActionArgs(allow=waf.WebAclDefaultActionAllowArgs()),
            rules=[rule for _, rule in sorted(rules, key=lambda pair: pair[0])],
            visibility_config=waf.WebAclVisibilityConfigArgs(
                cloudwatch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True
            ),
            opts=self.child(),
        )
        self.arn = acl.arn
        # WAF's metrics: the web ACL's metric name, every rule together, and (regional) the region.
        dimensions: dict[str, pulumi.Input[str]] = {"WebACL": name, "Rule": "ALL"}
        if args.scope == "REGIONAL":
            dimensions["Region"] = self.region()

        log_group = aws.cloudwatch.LogGroup(
            self.child_name("logs"),
            name=f"aws-waf-logs-{name}",
            retention_in_days=args.log_retention_days,
            kms_key_id=self.log_key("logs", f"{name}: WAF logs", f"aws-waf-logs-{name}").arn,
            opts=self.stateful(),
        )
        self.log_group_name = log_group.name
        self.watch("web-acl", "acl", dimensions, log_group_name=log_group.name)
        waf.WebAclLoggingConfiguration(
            self.child_name("logging"),
            resource_arn=acl.arn,
            log_destination_configs=[log_group.arn],
            redacted_fields=[
                waf.WebAclLoggingConfigurationRedactedFieldArgs(
                    single_header=waf.WebAclLoggingConfigurationRedactedFieldSingleHeaderArgs(name=header)
                )
                for header in args.redacted_headers
            ],
            opts=self.child(),
        )
        self.register_outputs({"arn": self.arn, "log_group_name": self.log_group_name})

    def associate(self, role: str, resource_arn: pulumi.Input[str]) -> waf.WebAclAssociation:
        """Put a regional resource (ALB, Cognito user pool, API Gateway stage) behind this ACL.

        CloudFront distributions take the ARN in their own `web_acl_id` instead.
        """
        if self.scope != "REGIONAL":
            raise ValueError(
                "associate: only a REGIONAL web ACL can be associated; CloudFront uses web_acl_id"
            )
        return waf.WebAclAssociation(
            self.child_name(f"association-{role}"),
            resource_arn=resource_arn,
            web_acl_arn=self.arn,
            opts=self.child(),
        )

    def _visibility(self, rule: str) -> waf.WebAclRuleVisibilityConfigArgs:
        return waf.WebAclRuleVisibilityConfigArgs(
            cloudwatch_metrics_enabled=True, metric_name=f"{self.name}-{rule}", sampled_requests_enabled=True
        )

    def _managed_rule(self, group: str) -> waf.WebAclRuleArgs:
        priority, group_name = MANAGED_RULE_GROUPS[group]
        configs = None
        if group == "bot-control":
            configs = [
                waf.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigArgs(
                    aws_managed_rules_bot_control_rule_set=waf.WebAclRuleStatementManagedRuleGroupStatementManagedRuleGroupConfigAwsManagedRulesBotControlRuleSetArgs(
                        inspection_level="COMMON"
                    )
                )
            ]
        return waf.WebAclRuleArgs(
            name=group,
            priority=priority,
            override_action=waf.WebAclRuleOverrideActionArgs(none=waf.WebAclRuleOverrideActionNoneArgs()),
            statement=waf.WebAclRuleStatementArgs(
                managed_rule_group_statement=waf.WebAclRuleStatementManagedRuleGroupStatementArgs(
                    vendor_name="AWS", name=group_name, managed_rule_group_configs=configs
                )
            ),
            visibility_config=self._visibility(group),
        )
