"""WAF: a WAFv2 web ACL with AWS managed rule groups, a per-IP rate limit and redacted logging."""

from social_components.waf.args import MANAGED_RULE_GROUPS, WebAclArgs
from social_components.waf.component import WebAcl

__all__ = ["MANAGED_RULE_GROUPS", "WebAcl", "WebAclArgs"]
