"""Argo CD's part of the `cluster` section (`cluster.argocd`): the GitOps repository of the
app-of-apps, sign-in and high availability, and how they become `ArgoCdArgs`. The cluster area
holds the checks across sections and the sign-in wiring; docs/argocd.md the whole picture."""

from __future__ import annotations

from typing import Annotated

import pulumi
from pydantic import Field

from social_components.cluster import ArgoCdArgs, GitOpsRepository
from social_components.migrations import BOOTSTRAP_NAMESPACE
from social_platform.areas.base import PulumiSecret, Slug, TierFilledModel

GitUrl = Annotated[str, Field(pattern=r"^https://[a-z0-9.-]+(:\d+)?(/[\w.~-]+)+$")]
RepoPath = Annotated[str, Field(pattern=r"^(\.|[\w.-]+(/[\w.-]+)*)$")]
GitRevision = Annotated[str, Field(pattern=r"^[\w./-]{1,200}$")]


class ArgoCdConfig(TierFilledModel):
    """Argo CD (the `argo-cd` add-on; tier default: on in staging and prod, off in dev)."""

    repository_url: GitUrl | None = None
    """HTTPS URL of the GitOps repository whose root application (app-of-apps) Argo CD syncs.
    Required where `argo-cd` is on."""
    path: RepoPath = "."
    """Directory of the root application in the repository."""
    revision: GitRevision = "main"
    """Branch, tag or commit the root application follows."""
    repository_username: Annotated[str, Field(min_length=1, max_length=128)] | None = None
    """User name for `repository_password` (unset: `git`)."""
    repository_password: PulumiSecret | None = None
    """Read token for the repository (store with --secret); it reaches the cluster only as a
    Kubernetes Secret. Unset: the repository is readable without credentials."""
    high_availability: bool
    """The chart's HA shape, Redis HA on three nodes (tier default: prod only)."""
    enable_local_admin: bool = False
    """Argo CD's local `admin` user (prod may not turn it on: people sign in through the admin pool)."""
    sso: bool = True
    """Sign-in through the Cognito admin pool (OIDC). Needs `identity.enabled`."""
    admin_group: Slug = "argocd-admins"
    """Admin-pool group whose members are Argo CD admins (created with the sign-in client)."""

    def args(self) -> ArgoCdArgs:
        repository = None
        if self.repository_url is not None:
            repository = GitOpsRepository(
                url=self.repository_url,
                path=self.path,
                revision=self.revision,
                username=self.repository_username,
                password=None
                if self.repository_password is None
                else pulumi.Output.secret(self.repository_password.get_secret_value()),
            )
        return ArgoCdArgs(
            repository=repository,
            high_availability=self.high_availability,
            enable_local_admin=self.enable_local_admin,
            enable_sso=self.sso,
            admin_group=self.admin_group,
            # The bootstrap Job of the database users runs there (social_components.migrations).
            protected_namespaces=(BOOTSTRAP_NAMESPACE,),
        )
