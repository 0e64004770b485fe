"""Operator tools in the clusters that sign people in through the Cognito admin pool: Argo CD
(`cluster.argocd`) and Grafana (`cluster.grafana`). Their checks across sections, and the wiring
that runs once the identity exists (after the clusters): one admin-pool client per tool for every
cluster of the stack (the same port-forward address everywhere), written into each cluster as a
Secret. docs/argocd.md and docs/grafana.md have the whole picture."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pulumi

from social_components.cluster import ArgoCdArgs, Cluster, GrafanaArgs
from social_components.identity import Identity
from social_platform.areas.base import Tier, needs
from social_platform.areas.cluster import ClusterConfig, addon_on
from social_platform.areas.identity import IdentityConfig
from social_platform.areas.stack import StackConfig
from social_platform.context import Platform
from social_platform.errors import ConfigIssue

ARGOCD_CLI_CALLBACK = "http://localhost:8085/auth/callback"
"""Where `argocd login --sso` waits for the code (its default `--sso-port` 8085)."""


def check(cfg: StackConfig) -> Iterable[ConfigIssue]:
    """Argo CD needs its repository; sign-in needs the admin pool; prod has no local Argo CD admin;
    someone must be able to sign in to Grafana."""
    section = cfg.section(ClusterConfig)
    identity = cfg.section(IdentityConfig)
    why = "people sign in through the Cognito admin pool (or set it false)"
    if addon_on(section, "argo-cd"):
        argocd = section.argocd
        if argocd.repository_url is None:
            yield ConfigIssue(
                "cluster.argocd.repository_url",
                "is required where the argo-cd add-on is on (the GitOps repository of the app-of-apps)",
            )
        if argocd.sso:
            yield from needs("cluster.argocd.sso", why, identity)
        if cfg.tier is Tier.prod and argocd.enable_local_admin:
            yield ConfigIssue(
                "cluster.argocd.enable_local_admin",
                "must be false in prod (people sign in through the admin pool, with MFA)",
            )
    if addon_on(section, "kube-prometheus-stack"):
        grafana = section.grafana
        if grafana.sso:
            yield from needs("cluster.grafana.sso", why, identity)
        if not grafana.sso and not grafana.enable_local_admin:
            yield ConfigIssue(
                "cluster.grafana.enable_local_admin",
                "must be true when cluster.grafana.sso is false (else nobody can sign in to Grafana)",
            )


def build(platform: Platform, clusters: Mapping[str, Cluster], identity: Identity | None) -> None:
    """Every tool's client and Secrets, where the tool runs and its SSO is on."""
    if identity is None:
        return
    argocd(platform, clusters, identity)
    grafana(platform, clusters, identity)


def argocd(platform: Platform, clusters: Mapping[str, Cluster], identity: Identity) -> None:
    """Argo CD's client: issuer, id and secret in each cluster's ``argocd-oidc`` Secret."""
    section = platform.cfg.section(ClusterConfig)
    targets = [c for c in clusters.values() if "argo-cd" in c.addons]
    if not section.argocd.sso or not targets:
        return
    url = ArgoCdArgs().url
    client = identity.admin_sign_in_client(
        "argocd",
        callback_urls=[f"{url}/auth/callback", ARGOCD_CLI_CALLBACK],
        logout_urls=[url],
        groups={section.argocd.admin_group: "Argo CD administrators (every cluster of this environment)"},
    )
    for cluster in targets:
        cluster.use_argocd_sign_in(
            issuer_url=identity.admin_issuer_url, client_id=client.id, client_secret=client.client_secret
        )


def grafana(platform: Platform, clusters: Mapping[str, Cluster], identity: Identity) -> None:
    """Grafana's client: id, secret and the admin pool's endpoints in each cluster's ``grafana-oidc``
    Secret; its admin and viewer groups in the admin pool."""
    section = platform.cfg.section(ClusterConfig).grafana
    targets = [c for c in clusters.values() if "kube-prometheus-stack" in c.addons]
    if not section.sso or not targets:
        return
    url = GrafanaArgs().url
    client = identity.admin_sign_in_client(
        "grafana",
        callback_urls=[f"{url}/login/generic_oauth"],
        logout_urls=[f"{url}/login"],
        groups={
            section.admin_group: "Grafana administrators (every cluster of this environment)",
            section.viewer_group: "Grafana viewers (every cluster of this environment)",
        },
    )
    domain = identity.admin_domain
    for cluster in targets:
        cluster.use_grafana_sign_in(
            client_id=client.id,
            client_secret=client.client_secret,
            authorize_url=pulumi.Output.concat(domain, "/oauth2/authorize"),
            token_url=pulumi.Output.concat(domain, "/oauth2/token"),
            userinfo_url=pulumi.Output.concat(domain, "/oauth2/userInfo"),
            # Cognito's logout endpoint ends the managed-login session and comes back to Grafana.
            logout_url=pulumi.Output.concat(
                domain, "/logout?client_id=", client.id, "&logout_uri=", url, "/login"
            ),
        )
