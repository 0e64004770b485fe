"""Grafana's part of the `cluster` section (`cluster.grafana`): how people sign in to the Grafana of
kube-prometheus-stack, and how that becomes `GrafanaArgs`. The cluster area holds the checks across
sections and the sign-in wiring; docs/grafana.md the whole picture."""

from __future__ import annotations

from social_components.cluster import GrafanaArgs
from social_platform.areas.base import Slug, StrictModel, args_field


class GrafanaConfig(StrictModel):
    """Grafana (part of the `kube-prometheus-stack` add-on; tier default: on in staging and prod,
    off in dev)."""

    sso: bool = True
    """Sign-in through the Cognito admin pool (OIDC, Grafana's generic OAuth). Needs `identity.enabled`."""
    admin_group: Slug = args_field(GrafanaArgs, "admin_group")
    viewer_group: Slug = args_field(GrafanaArgs, "viewer_group")
    enable_local_admin: bool = args_field(GrafanaArgs, "enable_local_admin")

    def args(self) -> GrafanaArgs:
        return GrafanaArgs(**self.args_for(GrafanaArgs, enable_sso=self.sso))
