"""What the edge and the user-facing services bill: CloudFront, WAF, Route 53, Cognito and IVS."""

from __future__ import annotations

from social_platform.costbook import (
    GLOBAL,
    Charge,
    Context,
    assumed,
    rule,
)
from social_platform.render import RenderedResource


@rule("aws:cloudfront/distribution:Distribution")
def _distribution(r: RenderedResource, ctx: Context) -> list[Charge]:
    gb, said_gb = assumed(ctx, "cdn_egress_gb", " GB")
    requests, said_requests = assumed(ctx, "cdn_requests_millions", "M")
    return [
        Charge("data transfer to viewers", "cloudfront.gb", gb, GLOBAL, assumption=said_gb),
        Charge("HTTPS requests", "cloudfront.https_10k", requests * 100, GLOBAL, assumption=said_requests),
    ]


@rule("aws:cloudfront/function:Function")
def _function(r: RenderedResource, ctx: Context) -> list[Charge]:
    requests, said = assumed(ctx, "cdn_requests_millions", "M")
    return [
        Charge(
            "invocations (every viewer request)",
            "cloudfront.function_million",
            requests,
            GLOBAL,
            assumption=said,
        )
    ]


@rule("aws:wafv2/webAcl:WebAcl")
def _web_acl(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    rules = len(r.inputs.get("rules", []))
    usage = "cdn_requests_millions" if r.inputs.get("scope") == "CLOUDFRONT" else "api_requests_millions"
    requests, said = assumed(ctx, usage, "M")
    return [
        Charge("web ACL", "waf.acl_month", 1, region),
        Charge(f"{rules} rules", "waf.rule_month", rules, region),
        Charge("requests inspected", "waf.million_requests", requests, region, assumption=said),
    ]


@rule("aws:route53/zone:Zone")
def _zone(r: RenderedResource, ctx: Context) -> list[Charge]:
    queries, said = assumed(ctx, "dns_queries_millions", "M")
    return [
        Charge("hosted zone", "route53.zone_month", 1, GLOBAL),
        Charge("queries", "route53.query_million", queries, GLOBAL, assumption=said),
    ]


@rule("aws:route53/healthCheck:HealthCheck")
def _health_check(r: RenderedResource, ctx: Context) -> list[Charge]:
    return [Charge(f"{r.inputs.get('type', 'HTTP')} health check", "route53.health_check_month", 1, GLOBAL)]


@rule("aws:cognito/userPool:UserPool")
def _user_pool(r: RenderedResource, ctx: Context) -> list[Charge]:
    admins = r.name.endswith("admins")
    users, said = assumed(ctx, "admin_users" if admins else "active_users", " MAU")
    tier = r.inputs.get("userPoolTier", "ESSENTIALS")
    return [Charge(f"monthly active users ({tier})", "cognito.mau", users, ctx.region_of(r), tier, said)]


@rule("aws:ivs/channel:Channel")
def _channel(r: RenderedResource, ctx: Context) -> list[Charge]:
    region = ctx.region_of(r)
    kind = r.inputs.get("type", "STANDARD")
    hours, said_in = assumed(ctx, "streaming_input_hours", " h")
    viewers, said_out = assumed(ctx, "streaming_viewer_hours", " h")
    return [
        Charge(f"video input ({kind})", "ivs.input_hour", hours, region, kind, said_in),
        Charge("video output to viewers", "ivs.output_hour", viewers, region, assumption=said_out),
    ]


@rule("aws:ivschat/room:Room")
def _chat(r: RenderedResource, ctx: Context) -> list[Charge]:
    messages, said = assumed(ctx, "chat_messages_millions", "M")
    return [
        Charge("messages delivered", "ivschat.message_million", messages, ctx.region_of(r), assumption=said)
    ]
