"""What compute and networking bill: EKS control planes, nodes (node groups, Karpenter's
expected baseline, CI runners), NAT gateways, public addresses, interface endpoints, load balancers
and image registries."""

from __future__ import annotations

from social_platform.costbook import (
    ALB_AVERAGE_LCU,
    HOURS_PER_MONTH,
    IMAGE_SCANS_PER_MONTH,
    IMAGE_STORAGE_GB_PER_REPOSITORY,
    Charge,
    Context,
    assumed,
    rule,
    volume_charges,
)
from social_platform.render import RenderedResource


@rule("eks:index:Cluster")
def _eks(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge("control plane", "eks.cluster_hour", HOURS_PER_MONTH, ctx.region_of(r))]


@rule("aws:eks/nodeGroup:NodeGroup")
def _node_group(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    nodes = float(r.inputs["scalingConfig"]["desiredSize"])
    itype = r.inputs["instanceTypes"][0]
    hours = nodes * HOURS_PER_MONTH
    charges = [Charge(f"{nodes:g} x {itype} (desired size)", "ec2.instance_hour", hours, region, itype)]
    template = ctx.by_id(r.inputs.get("launchTemplate", {}).get("id", ""))
    if template:
        charges += volume_charges(template.inputs.get("blockDeviceMappings", []), hours, region)
    return charges


@rule("kubernetes:karpenter.sh/v1:NodePool")
def _node_pool(r: RenderedResource, ctx: Context) -> list[Charge]:
    if r.inputs["metadata"]["name"] != "general":
        return []  # extra pools scale from zero; the workload baseline is priced on the general pool
    region = ctx.region_of(r)
    nodes, said = assumed(ctx, "workload_nodes", " nodes")
    itype = ctx.usage.workload_node_type
    hours = nodes * HOURS_PER_MONTH
    charges = [
        Charge(f"Karpenter workload nodes as {itype}", "ec2.instance_hour", hours, region, itype, said)
    ]
    for node_class in ctx.siblings(r, "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"):
        charges += [
            Charge(c.what, c.price, c.quantity, c.region, c.item, said)
            for c in volume_charges(node_class.inputs["spec"].get("blockDeviceMappings", []), hours, region)
        ]
    return charges


@rule("aws:autoscaling/group:Group")
def _auto_scaling_group(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    spec = r.inputs.get("launchTemplate") or {}
    template_id = spec.get("id") or r.inputs.get("mixedInstancesPolicy", {}).get("launchTemplate", {}).get(
        "launchTemplateSpecification", {}
    ).get("launchTemplateId")
    template = ctx.by_id(template_id or "")
    inputs = template.inputs if template else {}
    if inputs.get("instanceType"):
        itype = inputs["instanceType"]
        desired = float(r.inputs.get("desiredCapacity", r.inputs.get("minSize", 0)))
        hours, said = desired * HOURS_PER_MONTH, None
        what = f"{desired:g} x {itype} (desired capacity)"
    else:  # instances chosen by attributes: priced from the usage assumption
        itype = ctx.usage.ci_worker_instance_type
        hours, said = assumed(ctx, "ci_worker_hours", " instance-hours")
        said += f", priced as usage.ci_worker_instance_type = {itype}"
        what = f"workers chosen by attributes, priced as {itype}"
    if hours == 0:
        return []
    charges = [Charge(what, "ec2.instance_hour", hours, region, itype, said)]
    return charges + [
        Charge(c.what, c.price, c.quantity, c.region, c.item, said)
        for c in volume_charges(inputs.get("blockDeviceMappings", []), hours, region)
    ]


@rule("aws:ec2/natGateway:NatGateway")
def _nat(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    gb, said = assumed(ctx, "nat_processed_gb", " GB")
    return [
        Charge("gateway hours", "nat.hour", HOURS_PER_MONTH, region),
        Charge("data processed", "nat.gb", gb, region, assumption=said),
    ]


@rule("aws:ec2/eip:Eip")
def _eip(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge("public IPv4 address", "ipv4.hour", HOURS_PER_MONTH, ctx.region_of(r))]


@rule("aws:ec2/vpcEndpoint:VpcEndpoint")
def _endpoint(r: RenderedResource, ctx: Context) -> list[Charge]:
    if r.inputs.get("vpcEndpointType") != "Interface":
        return []  # gateway endpoints (S3, DynamoDB) have no hourly or data charge
    region = ctx.region_of(r)
    zones = len(r.inputs.get("subnetIds", []))
    gb, said = assumed(ctx, "endpoint_processed_gb", " GB")
    return [
        Charge(f"interface endpoint in {zones} AZs", "endpoint.az_hour", zones * HOURS_PER_MONTH, region),
        Charge("data processed", "endpoint.gb", gb, region, assumption=said),
    ]


@rule("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    kind = r.inputs.get("loadBalancerType", "application")
    return [
        Charge(f"{kind} load balancer hours", "elb.alb_hour", HOURS_PER_MONTH, region),
        Charge(
            "capacity units",
            "elb.lcu_hour",
            HOURS_PER_MONTH * ALB_AVERAGE_LCU,
            region,
            assumption=f"{ALB_AVERAGE_LCU:g} LCU on average (25 new connections/s, 3,000 active/min, 1 GB/h)",
        ),
    ]


@rule("aws:ecr/repository:Repository")
def _repository(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [
        Charge(
            "image storage",
            "ecr.gb_month",
            IMAGE_STORAGE_GB_PER_REPOSITORY,
            ctx.region_of(r),
            assumption=f"{IMAGE_STORAGE_GB_PER_REPOSITORY:g} GB of images kept per repository",
        )
    ]


@rule("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration")
def _image_scanning(r: RenderedResource, ctx: Context) -> list[Charge]:
    if r.inputs.get("scanType") != "ENHANCED":
        return []
    return [
        Charge(
            "Amazon Inspector image scans",
            "inspector.ecr_image_scan",
            IMAGE_SCANS_PER_MONTH,
            ctx.region_of(r),
            assumption=f"{IMAGE_SCANS_PER_MONTH:g} images pushed or replicated per month",
        )
    ]
