"""The platform composition: config in, components wired together, stack outputs out.

This is the only place that reads config, decides per tier, builds providers and passes one
component's outputs into another's args. `__main__.py` calls `main()`; the offline render calls the
very same function under mocks.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from social_components import watch
from social_components.edge import LoggedBucket
from social_platform import stackfiles
from social_platform.areas import (
    backup,
    ci,
    cluster,
    data,
    edge,
    identity,
    ingress,
    migrations,
    network,
    observability,
    realtime,
    registry,
    runners,
    security,
    sign_in,
    streaming,
    wallet,
)
from social_platform.config import PlatformConfig, load_config
from social_platform.context import Platform
from social_platform.errors import ConfigError
from social_platform.providers import Providers
from social_platform.roles import provider_role


def read_config(project_dir: Path = stackfiles.PROJECT_ROOT) -> PlatformConfig:
    """The stack's validated config, from what the engine hands the program."""
    # Public SDK calls only (`pulumi.runtime.__all__`): the engine hands the program its config as
    # PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS (every key, so unknown keys are still reported);
    # keys set through the SDK itself (`set_all_config`) are read by name.
    engine_config = dict(pulumi.runtime.get_config_env())
    secret_keys = list(pulumi.runtime.get_config_secret_keys_env())
    for field in PlatformConfig.model_fields:
        key = stackfiles.PREFIX + field
        value = pulumi.runtime.get_config(key)
        if value is not None:
            engine_config[key] = value
            if pulumi.runtime.is_config_secret(key):
                secret_keys.append(key)
    raw = stackfiles.from_engine(engine_config, secret_keys)
    return load_config(
        raw.values,
        secret_keys=raw.secret_keys,
        other_environments=stackfiles.other_environment_regions(pulumi.get_stack(), project_dir),
    )


def build(cfg: PlatformConfig, stack: str) -> dict[str, Any]:
    """Declare the stack's resources; returns the stack outputs."""
    shared = None
    if cfg.shared_stack and not cfg.environment.is_tooling:
        shared = pulumi.StackReference(cfg.shared_stack)
    mode = provider_role()
    providers = Providers(cfg, stack, role_arn=lambda account: ci.role_arn(cfg, account, mode))
    platform = Platform(cfg=cfg, stack=stack, providers=providers, shared=shared)
    # Every component built from here on is watched (alarms, dashboards) by the observability area.
    built = watch.collect()
    alerts = observability.topics(platform)
    outputs: dict[str, Any] = {
        "environment": cfg.environment.name,
        "tier": cfg.tier.value,
        "account_id": cfg.account.id,
        "regions": [region.name for region in cfg.regions.all()],
    }
    # Backups first: the plans select by tag what the other areas build.
    outputs.update(backup.outputs(cfg, backup.build(platform)))
    networks = network.build(platform)
    outputs.update(network.outputs(networks))
    clusters = cluster.build(platform, networks, alerts)
    outputs.update(cluster.outputs(clusters))
    # The cluster's nodes are the data tier's clients, admitted by security group, region by region.
    # (CI runners live in the shared account's VPC; migrations run as Jobs in the cluster instead.)
    nodes = {region: {"cluster-nodes": c.node_security_group_id} for region, c in clusters.items()}
    data_tier = data.build(platform, networks, client_security_groups=nodes)
    outputs.update(data.outputs(data_tier))
    live = streaming.build(platform)
    outputs.update(streaming.outputs(live))
    # The regional load balancers need the zone and the web ACLs; the distribution needs the
    # serving region's load balancer (its CloudFront VPC origin).
    edge_build = edge.foundation(platform)
    served = ingress.build(
        platform,
        networks,
        clusters,
        zone_id=edge_build.zone.zone_id,
        web_acl_arns={region: acl.arn for region, acl in edge_build.regional_web_acls.items()},
    )
    outputs.update(ingress.outputs(served))
    serving = served.serving
    edge.build(
        platform,
        edge_build,
        None if serving is None else edge.ApiOrigin(serving.domain_name, serving.vpc_origin_id),
        # The recordings are user data too: their access logs join the media's in the edge log bucket.
        logged_buckets={}
        if live is None
        else {"recordings": LoggedBucket(live.recording_bucket.id, live.recording_bucket.arn)},
    )
    outputs.update(edge_build.outputs)
    pools = identity.build(
        platform,
        waf_web_acl_arn=edge_build.regional_web_acl_arn,
        certificate_arn=edge_build.certificate_arn,
        dns_zone_id=edge_build.zone.zone_id,
    )
    if pools is not None:
        outputs["identity"] = identity.outputs(pools)
    outputs.update(realtime.outputs(realtime.build(platform, pools, zone_id=edge_build.zone.zone_id)))
    outputs.update(wallet.outputs(wallet.build(platform, clusters, data_tier.databases)))
    outputs.update(migrations.outputs(migrations.build(platform, clusters, data_tier.databases)))
    # Argo CD's and Grafana's sign-in clients live in the admin pool, which exists only now.
    sign_in.build(platform, clusters, pools)
    ci_roles = ci.build(platform)
    outputs.update(ci.outputs(ci_roles))
    registries = registry.build(
        platform,
        clusters,
        # Image vulnerabilities are work to schedule, not a page: the ticket topic of each region.
        findings_topic_arns={}
        if alerts is None
        else {r.name: alerts.get(r.name).topic_arns["ticket"] for r in platform.cfg.regions.all()},
    )
    if ci_roles is not None:
        deploy_role = ci_roles.deploy_role_arn.apply(lambda arn: arn.rsplit("/", 1)[-1])
        registry.grant_push(platform, registries, deploy_role)
    outputs.update(registry.outputs(registries))
    # The runners reach the internet (and the clusters' API) through the primary network's NAT.
    egress = networks[platform.cfg.regions.primary.name].nat_public_ips if networks else []
    outputs.update(runners.outputs(runners.build(platform, networks), egress))
    # The buckets holding user data: the trail records who read or wrote which object.
    user_data = [live.recording_bucket.arn] if live is not None else []
    if edge_build.edge is not None:
        user_data.append(edge_build.edge.media_bucket_arn)
    outputs.update(security.outputs(security.build(platform, data_bucket_arns=user_data, alerts=alerts)))
    outputs.update(observability.outputs(observability.build(platform, alerts, built)))
    return outputs


def main(project_dir: Path = stackfiles.PROJECT_ROOT) -> dict[str, Any]:
    """The program: validate config, declare resources, export outputs (the render calls this)."""
    outputs = build(read_config(project_dir), pulumi.get_stack())
    for key, value in outputs.items():
        pulumi.export(key, value)
    return outputs


def run() -> None:
    """Entry point of `__main__.py`: `main()`, with config errors as a short message."""
    try:
        main()
    except ConfigError as exc:
        # RunError makes `pulumi preview` print the message alone, without a Python traceback.
        raise pulumi.RunError(str(exc)) from None
