"""`Addons`: installs the cluster's add-ons from the registry, each as its own `Addon` component.

The cluster calls `install` as its build reaches each milestone (control plane, system nodes,
nodes ready, node pools); every enabled add-on is installed as soon as what it waits for exists.
One code path for all of them: namespace, the entry's `prepare`, the Pod Identity role, the EKS
add-on or Helm chart with the entry's values and the user's overrides merged in, `after_install`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from social_components.base import SocialComponent
from social_components.cluster.addon import Addon
from social_components.cluster.args import AddonArgs, ClusterArgs
from social_components.cluster.registry import REGISTRY, AddonContext, AddonEntry, Milestone
from social_components.cluster.validation import merge_values, require_pinned


class Addons(SocialComponent):
    """The add-ons of one cluster (children: one `Addon` per add-on that is on)."""

    MODULE = "cluster"

    addons: dict[str, Addon]

    def __init__(
        self,
        name: str,
        args: ClusterArgs,
        *,
        cluster_arn: pulumi.Input[str],
        region: pulumi.Output[str],
        provider: k8s.Provider,
        logs_key: aws.kms.Key,
        registry: Mapping[str, AddonEntry] = REGISTRY,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
        moved_from: pulumi.Resource | None = None,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts, moved_from=moved_from)
        self._args = args
        self._cluster_arn = cluster_arn
        self._region = region
        self._k8s_provider = provider
        self._logs_key = logs_key
        self._registry = registry
        self.settings = {name: args.addons.get(name, AddonArgs()) for name in registry}
        self.enabled = frozenset(name for name, settings in self.settings.items() if settings.enabled)
        self.addons = {}
        self._reached: dict[str, list[pulumi.Resource]] = {}

    def install(self, milestone: Milestone, resources: Sequence[pulumi.Resource]) -> list[Addon]:
        """Record that the build reached `milestone` (those resources exist) and install every
        enabled add-on whose waits are all met now. Returns the add-ons installed."""
        self._reached[milestone] = list(resources)
        installed: list[Addon] = []
        progress = True
        while progress:
            progress = False
            for name, entry in self._registry.items():
                if name in self.addons or name not in self.enabled:
                    continue
                if all(self._met(wait) for wait in entry.traits.waits_for):
                    installed.append(self._install(name, entry))
                    progress = True
        return installed

    def done(self) -> None:
        missing = sorted(self.enabled - set(self.addons))
        if missing:
            raise ValueError(f"add-ons never installed (what they wait for never happened): {missing}")
        self.register_outputs({name: addon.installed.urn for name, addon in self.addons.items()})

    def _met(self, wait: str) -> bool:
        if wait in self._reached:
            return True
        # Another add-on: met once it is installed (or it is off).
        return wait in self._registry and (wait in self.addons or wait not in self.enabled)

    def _waits(self, entry: AddonEntry) -> list[pulumi.Resource]:
        out: list[pulumi.Resource] = []
        for wait in entry.traits.waits_for:
            if wait in self._reached:
                out += self._reached[wait]
            elif wait in self.addons:
                out.append(self.addons[wait].installed)
        return out

    def _install(self, name: str, entry: AddonEntry) -> Addon:
        addon = Addon(
            self.child_name(name), name, entry.traits, opts=self.child(), protect=self._protect_state
        )
        self.addons[name] = addon
        helm = entry.source.kind == "helm"
        waits = self._waits(entry)
        if helm and entry.traits.namespace != "kube-system":
            waits.append(addon.namespace(self._k8s_provider))
        ctx = AddonContext(
            addon=addon,
            args=self._args,
            region=self._region,
            provider=self._k8s_provider,
            logs_key=self._logs_key,
            enabled=self.enabled,
        )
        if entry.prepare is not None:
            prepared = entry.prepare(ctx)
            ctx = dataclasses.replace(ctx, prepared=prepared)
            waits += prepared.values()
        # An entry whose policy depends on the cluster's args (Alertmanager without alert topics)
        # may ask for nothing: then it gets no role.
        statements = entry.policy(ctx) if entry.policy is not None else []
        if entry.managed_policies or statements:
            addon.grant(
                cluster_name=self._args.cluster_name,
                cluster_arn=self._cluster_arn,
                statements=statements,
                managed_policy_arns=entry.managed_policies,
                depends_on=self._reached["cluster"],
            )
        for role, more in entry.more_roles.items():
            addon.grant_more(
                role,
                service_account=more.service_account,
                cluster_name=self._args.cluster_name,
                cluster_arn=self._cluster_arn,
                managed_policy_arns=more.managed_policies,
                depends_on=self._reached["cluster"],
            )
        settings = self.settings[name]
        version = require_pinned(f"addons.{name}.version", settings.version or entry.source.version)
        values = merge_values(f"addons.{name}.values", entry.values(ctx), settings.values, entry.locked)
        waits += addon.credentials
        if helm:
            addon.chart(
                source=entry.source,
                version=version,
                values=values,
                provider=self._k8s_provider,
                depends_on=waits,
            )
        else:
            addon.eks_addon(
                cluster_name=self._args.cluster_name,
                source=entry.source,
                version=version,
                configuration=values or None,
                depends_on=waits,
            )
        if entry.after_install is not None:
            entry.after_install(ctx, addon.installed)
        addon.done()
        return addon
