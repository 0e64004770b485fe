"""`preflight <stack>`: before `pulumi up`, prove every role the stack's providers assume works.

The stack is rendered offline to find its providers: each names an account (`allowed_account_ids`),
a region and the role it assumes. With the caller's credentials, preflight assumes each role,
checks where it landed against the account the provider is pinned to, and checks each region
answers. One line per account and region; the first mismatch stops it with exit code 1.
`--role preview` checks the read-only CI preview roles instead of the deploy roles.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

import boto3

from social_platform.aws_errors import AwsError, describe
from social_platform.config import PlatformConfig, load_config
from social_platform.errors import ConfigError
from social_platform.render import RenderedStack, render
from social_platform.roles import PROVIDER_ROLE_ENV, ProviderRole
from social_platform.stackfiles import read_stack_files


@dataclass(frozen=True)
class Target:
    """One provider of the stack: the account it is pinned to, its region, the role it assumes."""

    account_key: str
    account_id: str
    region: str
    role_arn: str


@contextmanager
def provider_role(role: ProviderRole) -> Iterator[None]:
    previous = os.environ.get(PROVIDER_ROLE_ENV)
    os.environ[PROVIDER_ROLE_ENV] = role
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(PROVIDER_ROLE_ENV, None)
        else:
            os.environ[PROVIDER_ROLE_ENV] = previous


def targets_of(stack: RenderedStack, cfg: PlatformConfig) -> list[Target]:
    """Every AWS provider of a rendered stack, as the account/region/role it stands for."""
    keys = {account.id: key for key, account in cfg.accounts.items()}
    found = set()
    for provider in stack.of_type("pulumi:providers:aws"):
        (account_id,) = provider.inputs["allowedAccountIds"]
        (assume,) = provider.inputs["assumeRoles"]
        found.add(Target(keys.get(account_id, "?"), account_id, provider.inputs["region"], assume["roleArn"]))
    return sorted(found, key=lambda t: (t.account_key != cfg.environment.name, t.account_key, t.region))


def check(session: boto3.Session, stack: str, targets: Sequence[Target], out: TextIO) -> int:
    """0 when every target is reachable in its own account; 1 at the first that is not."""
    caller = session.client("sts").get_caller_identity()
    print(f"preflight {stack}: caller {caller['Arn']}", file=out)
    sessions: dict[str, boto3.Session] = {}
    for target in targets:
        where = f"{target.account_key} ({target.account_id}) {target.region}"
        if target.role_arn not in sessions:
            try:
                creds = session.client("sts").assume_role(
                    RoleArn=target.role_arn, RoleSessionName=f"preflight-{stack}"[:64]
                )["Credentials"]
            except AwsError as exc:
                print(f"FAIL {where}: cannot assume {target.role_arn}: {describe(exc)}", file=out)
                return 1
            sessions[target.role_arn] = boto3.Session(
                aws_access_key_id=creds["AccessKeyId"],
                aws_secret_access_key=creds["SecretAccessKey"],
                aws_session_token=creds["SessionToken"],
            )
        assumed = sessions[target.role_arn]
        try:
            landed = assumed.client("sts", region_name=target.region).get_caller_identity()["Account"]
            if landed != target.account_id:
                print(
                    f"FAIL {where}: {target.role_arn} landed in account {landed}, "
                    f"not in {target.account_key}'s account {target.account_id}; "
                    "fix the account id or role in Pulumi.yaml before anything is deployed",
                    file=out,
                )
                return 1
            zones = assumed.client("ec2", region_name=target.region).describe_availability_zones(
                Filters=[{"Name": "state", "Values": ["available"]}]
            )["AvailabilityZones"]
        except AwsError as exc:
            print(f"FAIL {where}: cannot reach the region with {target.role_arn}: {describe(exc)}", file=out)
            return 1
        print(f"ok   {where}: {target.role_arn} ({len(zones)} AZs)", file=out)
    print(f"preflight {stack}: {len(targets)} account/region pair(s) ready", file=out)
    return 0


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="preflight", description=__doc__.split("\n\n")[0])
    parser.add_argument("stack", help="stack name (a Pulumi.<stack>.yaml in the project)")
    parser.add_argument(
        "--role",
        choices=["deploy", "preview"],
        default="deploy",
        help="which roles to check: the deploy roles (pulumi up) or the CI preview roles",
    )
    args = parser.parse_args(argv)
    try:
        raw = read_stack_files(args.stack)
        cfg = load_config(raw.values, secret_keys=raw.secret_keys)
        with provider_role(args.role):
            targets = targets_of(render(args.stack), cfg)
    except ConfigError as exc:
        print(f"preflight: {exc}", file=sys.stderr)
        return 2
    try:
        return check(boto3.Session(), args.stack, targets, out)
    except AwsError as exc:
        print(f"preflight: {describe(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
