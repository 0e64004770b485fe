"""Checks on `IngressArgs`, run before anything is declared."""

from __future__ import annotations

import re

from social_components.ingress.args import IngressArgs

IDLE_TIMEOUT_RANGE = (1, 4000)
"""What the ELB API accepts for `idle_timeout.timeout_seconds` (botocore elbv2 model)."""
_HOST = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_PATH = re.compile(r"^/[\w./-]{0,1023}$")


def validate_ingress_args(args: IngressArgs) -> None:
    low, high = IDLE_TIMEOUT_RANGE
    if not low <= args.idle_timeout_seconds <= high:
        raise ValueError(
            f"idle_timeout_seconds: {args.idle_timeout_seconds} is not allowed; use {low} to {high}"
        )
    if not 1 <= args.target_port <= 65535:
        raise ValueError(f"target_port: {args.target_port} is not allowed; use 1 to 65535")
    if not _HOST.match(args.domain_name):
        raise ValueError(f"domain_name: {args.domain_name!r} is not a lower-case DNS name")
    if not _PATH.match(args.health_check_path):
        raise ValueError(
            f"health_check_path: {args.health_check_path!r} must start with / (letters, digits, ./_-)"
        )
    if len(args.subnet_ids) < 2:
        raise ValueError("subnet_ids: an Application Load Balancer needs subnets in at least two zones")
    if not args.ssl_policy.startswith("ELBSecurityPolicy-TLS13-"):
        raise ValueError(
            f"ssl_policy: {args.ssl_policy!r} is not allowed; use an ELBSecurityPolicy-TLS13-* policy"
        )
