"""Checks on `RegistryArgs`, run before anything is declared."""

from __future__ import annotations

import re

from social_components.registry.args import RegistryArgs

NAME_PATTERN = r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(\/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*"
"""ECR's repository-name pattern, 2 to 256 characters (botocore's ecr model, shape `RepositoryName`)."""
_NAME = re.compile(f"^{NAME_PATTERN}$")


def validate_registry_args(args: RegistryArgs) -> None:
    if not args.repositories:
        raise ValueError("repositories: name at least one service")
    for service, repo in args.repositories.items():
        name = f"{args.name_prefix}{service}"
        if not 2 <= len(name) <= 256 or not _NAME.match(name):
            raise ValueError(f"repositories[{service!r}]: {name!r} is not a valid ECR repository name")
        keep = repo.keep_release_tags if repo.keep_release_tags is not None else args.keep_release_tags
        days = (
            repo.untagged_expiry_days if repo.untagged_expiry_days is not None else args.untagged_expiry_days
        )
        if not 1 <= keep <= 1000:
            raise ValueError(
                f"repositories[{service!r}].keep_release_tags: {keep} is not allowed; use 1 to 1000"
            )
        if not 1 <= days <= 365:
            raise ValueError(
                f"repositories[{service!r}].untagged_expiry_days: {days} is not allowed; use 1 to 365"
            )
    if not args.release_tag_prefix:
        raise ValueError("release_tag_prefix: must not be empty (every tag would count as a release)")
