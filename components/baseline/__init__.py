"""The security and audit baseline of an account: CloudTrail to a central log archive with security
alarms, AWS Config, GuardDuty, Security Hub, Inspector, IAM Access Analyzer and account settings."""

from .args import (
    AccountBaselineArgs,
    FindingFrequency,
    LogArchiveArgs,
    LogArchiveTarget,
    RegionalBaselineArgs,
)
from .component import (
    GUARDDUTY_FEATURES,
    SECURITY_ALARMS,
    SECURITY_HUB_STANDARDS,
    AccountBaseline,
    LogArchive,
    RegionalBaseline,
    trail_arn_pattern,
)

__all__ = [
    "GUARDDUTY_FEATURES",
    "SECURITY_ALARMS",
    "SECURITY_HUB_STANDARDS",
    "AccountBaseline",
    "AccountBaselineArgs",
    "FindingFrequency",
    "LogArchive",
    "LogArchiveArgs",
    "LogArchiveTarget",
    "RegionalBaseline",
    "RegionalBaselineArgs",
    "trail_arn_pattern",
]
