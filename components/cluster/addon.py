"""`Addon`: one add-on of the cluster and everything that exists only for it.

An add-on's IAM role, its Pod Identity association, its namespace and its extras (a StorageClass, a
log group, a Secret) are all children of its `Addon`, so turning the add-on off removes exactly
that subtree and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from social_components.base import SocialComponent, policy_json
from social_components.cluster import policies
from social_components.cluster.registry import AddonSource, AddonTraits


class PodIdentity(NamedTuple):
    role: aws.iam.Role
    association: aws.eks.PodIdentityAssociation
    """Pods get the role's credentials only if created after this exists: what they wait for."""


def pod_identity_role(
    owner: SocialComponent,
    *,
    cluster_name: str,
    cluster_arn: pulumi.Input[str],
    namespace: str,
    service_account: str,
    statements: Sequence[Mapping[str, Any]] = (),
    managed_policy_arns: Sequence[str] = (),
    depends_on: Sequence[pulumi.Resource] = (),
    role: str = "role",
) -> PodIdentity:
    """An IAM role (children named ``<owner>-<role>…``) that only `namespace/service_account` of this
    cluster can assume, through EKS Pod Identity, and the association that hands it to that service
    account."""
    iam_role = aws.iam.Role(
        owner.child_name(role),
        description=f"{cluster_name}: {namespace}/{service_account} (EKS Pod Identity)",
        assume_role_policy=policy_json(policies.pod_identity_trust(cluster_arn, namespace, service_account)),
        opts=owner.child(),
    )
    for arn in managed_policy_arns:
        aws.iam.RolePolicyAttachment(
            owner.child_name(f"{role}-{arn.rsplit('/', 1)[-1]}"),
            role=iam_role.name,
            policy_arn=arn,
            opts=owner.child(),
        )
    if statements:
        aws.iam.RolePolicy(
            owner.child_name(role), role=iam_role.id, policy=policy_json(statements), opts=owner.child()
        )
    association = aws.eks.PodIdentityAssociation(
        owner.child_name(f"{role}-pod-identity"),
        cluster_name=cluster_name,
        namespace=namespace,
        service_account=service_account,
        role_arn=iam_role.arn,
        opts=owner.child(depends_on=list(depends_on)),
    )
    return PodIdentity(iam_role, association)


class Addon(SocialComponent):
    """One add-on: an EKS managed add-on or a Helm chart, with its own role when it calls AWS."""

    MODULE = "cluster"

    role: aws.iam.Role | None
    """The add-on's Pod Identity role (None when it never calls AWS)."""
    association: aws.eks.PodIdentityAssociation | None
    installed: pulumi.Resource
    """The `aws.eks.Addon` or the Helm `Chart`: what others wait for."""

    def __init__(
        self,
        name: str,
        addon: str,
        traits: AddonTraits,
        opts: pulumi.ResourceOptions | None = None,
        protect: bool = False,
    ) -> None:
        super().__init__(name, protect=protect, opts=opts)
        self.addon = addon
        self.traits = traits
        self.role = None
        self.association = None
        self.ns: k8s.core.v1.Namespace | None = None
        self.exports: dict[str, pulumi.Output[Any]] = {}
        self.more_associations: list[aws.eks.PodIdentityAssociation] = []
        """Associations of the add-on's other service accounts (`AddonEntry.more_roles`)."""
        """Values the add-on hands back to the cluster's users (Grafana's admin password)."""

    def grant(
        self,
        *,
        cluster_name: str,
        cluster_arn: pulumi.Input[str],
        statements: Sequence[Mapping[str, Any]] = (),
        managed_policy_arns: Sequence[str] = (),
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> PodIdentity:
        """Give the add-on's service account (from its traits) its own role through Pod Identity."""
        if self.traits.service_account is None:
            raise ValueError(f"{self.addon} has no service account that calls AWS")
        grant = pod_identity_role(
            self,
            cluster_name=cluster_name,
            cluster_arn=cluster_arn,
            namespace=self.traits.namespace,
            service_account=self.traits.service_account,
            statements=statements,
            managed_policy_arns=managed_policy_arns,
            depends_on=depends_on,
        )
        self.role, self.association = grant
        return grant

    def grant_more(
        self,
        role: str,
        *,
        service_account: str,
        cluster_name: str,
        cluster_arn: pulumi.Input[str],
        managed_policy_arns: Sequence[str] = (),
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> PodIdentity:
        """Give another of the add-on's service accounts its own role (children ``<addon>-<role>…``)."""
        grant = pod_identity_role(
            self,
            cluster_name=cluster_name,
            cluster_arn=cluster_arn,
            namespace=self.traits.namespace,
            service_account=service_account,
            managed_policy_arns=managed_policy_arns,
            depends_on=depends_on,
            role=role,
        )
        self.more_associations.append(grant.association)
        return grant

    def secret(
        self,
        child: str,
        name: str,
        data: Mapping[str, pulumi.Input[str]],
        *,
        provider: k8s.Provider,
        labels: Mapping[str, str] | None = None,
        after_install: bool = False,
    ) -> k8s.core.v1.Secret:
        """A Kubernetes Secret `name` in the add-on's namespace: credentials the add-on reads by name
        (never chart values, which land in plain ConfigMaps and Helm release data). It comes after the
        namespace, or with `after_install` after the add-on itself (one that reads it when it changes)."""
        after: list[pulumi.Resource] = [self.installed] if after_install else self._after_namespace()
        return k8s.core.v1.Secret(
            self.child_name(child),
            metadata=self._metadata(name, labels),
            type="Opaque",
            string_data=dict(data),
            opts=self.child(provider=provider, depends_on=after),
        )

    def config_map(
        self,
        child: str,
        name: str,
        data: Mapping[str, pulumi.Input[str]],
        *,
        provider: k8s.Provider,
        labels: Mapping[str, str] | None = None,
    ) -> k8s.core.v1.ConfigMap:
        """A ConfigMap `name` in the add-on's namespace, after the namespace: settings or files the
        add-on reads by name or by label (not secrets: those go through `secret`)."""
        return k8s.core.v1.ConfigMap(
            self.child_name(child),
            metadata=self._metadata(name, labels),
            data=dict(data),
            opts=self.child(provider=provider, depends_on=self._after_namespace()),
        )

    def _metadata(self, name: str, labels: Mapping[str, str] | None) -> k8s.meta.v1.ObjectMetaArgsDict:
        metadata: k8s.meta.v1.ObjectMetaArgsDict = {"name": name, "namespace": self.traits.namespace}
        if labels:
            metadata["labels"] = dict(labels)
        return metadata

    def _after_namespace(self) -> list[pulumi.Resource]:
        return [self.ns] if self.ns is not None else []

    def namespace(self, provider: k8s.Provider) -> k8s.core.v1.Namespace:
        """The add-on's own namespace (for add-ons not in kube-system)."""
        self.ns = k8s.core.v1.Namespace(
            self.child_name("namespace"),
            metadata={"name": self.traits.namespace, "labels": {"app.kubernetes.io/managed-by": "pulumi"}},
            opts=self.child(provider=provider),
        )
        return self.ns

    def eks_addon(
        self,
        *,
        cluster_name: str,
        source: AddonSource,
        version: str,
        configuration: Mapping[str, Any] | None = None,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> aws.eks.Addon:
        self.installed = aws.eks.Addon(
            self.child_name("addon"),
            cluster_name=cluster_name,
            addon_name=self.addon,
            addon_version=version,
            configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
            resolve_conflicts_on_create="OVERWRITE",
            resolve_conflicts_on_update="OVERWRITE",
            opts=self.child(depends_on=list(depends_on)),
        )
        return self.installed

    def chart(
        self,
        *,
        source: AddonSource,
        version: str,
        values: Mapping[str, Any],
        provider: k8s.Provider,
        depends_on: Sequence[pulumi.Resource] = (),
    ) -> k8s.helm.v4.Chart:
        """The chart, rendered client-side (helm v4 `Chart`) into the add-on's namespace."""
        self.installed = k8s.helm.v4.Chart(
            self.child_name("chart"),
            name=self.addon,
            chart=source.chart,
            version=version,
            repository_opts=k8s.helm.v4.RepositoryOptsArgs(repo=source.repository)
            if source.repository
            else None,
            namespace=self.traits.namespace,
            values=dict(values),
            opts=self.child(provider=provider, depends_on=list(depends_on)),
        )
        return self.installed

    @property
    def credentials(self) -> list[pulumi.Resource]:
        """What the add-on's pods must wait for to start with their AWS credentials."""
        own: list[pulumi.Resource] = [self.association] if self.association is not None else []
        return [*own, *self.more_associations]

    def done(self) -> None:
        self.register_outputs({"role_arn": self.role.arn if self.role is not None else None})
