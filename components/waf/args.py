"""Arguments of `WebAcl`, and the rule groups it can use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Scope = Literal["CLOUDFRONT", "REGIONAL"]

MANAGED_RULE_GROUPS: dict[str, tuple[int, str]] = {
    "ip-reputation": (10, "AWSManagedRulesAmazonIpReputationList"),
    "anonymous-ip": (20, "AWSManagedRulesAnonymousIpList"),
    "common": (40, "AWSManagedRulesCommonRuleSet"),
    "known-bad-inputs": (50, "AWSManagedRulesKnownBadInputsRuleSet"),
    "sql-injection": (60, "AWSManagedRulesSQLiRuleSet"),
    "bot-control": (70, "AWSManagedRulesBotControlRuleSet"),
}
"""Rule name → (priority, AWS managed rule group). Priorities are fixed per rule, so turning an
optional group on or off never renumbers the others. Cheap reputation checks run first."""

RATE_LIMIT_RULE = "rate-limit-per-ip"
RATE_LIMIT_PRIORITY = 30
"""The rate rule runs after the reputation lists and before the (costlier) inspection groups."""


@dataclass(frozen=True)
class WebAclArgs:
    scope: Scope
    """`CLOUDFRONT` (the provider must be in us-east-1) or `REGIONAL` (load balancers, Cognito,
    API Gateway in the provider's region)."""
    rate_limit: int
    """Requests per client IP per `rate_limit_window_seconds` before the IP is blocked (10 to 2e9)."""
    log_retention_days: int
    """Retention of the `aws-waf-logs-<name>` log group (a value CloudWatch Logs accepts)."""
    rate_limit_window_seconds: Literal[60, 120, 300, 600] = 300
    """Window the rate limit counts over."""
    enable_anonymous_ip_rules: bool = False
    """Add the anonymous-IP group (VPNs, Tor, hosting providers). Unset: not used."""
    enable_bot_control: bool = False
    """Add Bot Control at the COMMON inspection level (billed per request). Unset: not used."""
    redacted_headers: Sequence[str] = ("authorization", "cookie")
    """Request headers replaced by `REDACTED` in the logs (lower case). Default: credentials."""
    protect: bool = False
    """Protect the log group (logs of record) from deletion. Unset: deleted with the stack."""

    @property
    def rule_groups(self) -> list[str]:
        """Names (keys of `MANAGED_RULE_GROUPS`) of the managed groups this ACL uses."""
        optional = {"anonymous-ip": self.enable_anonymous_ip_rules, "bot-control": self.enable_bot_control}
        return [name for name in MANAGED_RULE_GROUPS if optional.get(name, True)]
