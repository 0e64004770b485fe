"""Usage area: the `usage` section, the assumptions `cost <stack>` (platform/cost.py, its rules in
platform/charges/) prices what the render cannot know with. Nothing in the program reads them;
every figure they drive prints them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from social_platform.areas.base import InstanceType, Section, Tier


class UsageConfig(Section):
    """Usage assumptions for `cost <stack>`: what the offline estimate cannot read from the render.

    They are guesses, printed beside every figure they drive; nothing in the program reads them.
    Per-resource figures are per month."""

    KEY = "usage"
    SCOPE = "all"
    TIER_DEFAULTS = {
        Tier.dev: {
            "active_users": 50,
            "admin_users": 5,
            "cdn_egress_gb": 20,
            "cdn_requests_millions": 1,
            "api_requests_millions": 1,
            "nat_processed_gb": 30,
            "endpoint_processed_gb": 5,
            "log_ingest_gb": 0.5,
            "db_average_acu": 0.5,
            "db_active_hours": 160,
            "db_storage_gb": 5,
            "db_io_millions": 1,
            "workload_nodes": 1,
            "workload_node_type": "t4g.large",
            "streaming_input_hours": 10,
            "streaming_viewer_hours": 20,
            "chat_messages_millions": 0.1,
            "bucket_storage_gb": 5,
            "dns_queries_millions": 1,
            "queue_requests_millions": 1,
            "ci_worker_hours": 20,
            "trail_data_events_millions": 0.1,
            "config_items": 2000,
            "guardduty_events_millions": 0.5,
            "security_hub_checks": 5000,
            "backup_storage_gb": 10,
            "backup_copied_gb": 0,
            "replicated_gb": 0,
            "realtime_connected_hours_per_user": 5,
            "realtime_messages_per_user": 100,
        },
        Tier.staging: {
            "active_users": 500,
            "admin_users": 5,
            "cdn_egress_gb": 50,
            "cdn_requests_millions": 2,
            "api_requests_millions": 2,
            "nat_processed_gb": 100,
            "endpoint_processed_gb": 10,
            "log_ingest_gb": 2,
            "db_average_acu": 1,
            "db_active_hours": 730,
            "db_storage_gb": 20,
            "db_io_millions": 10,
            "workload_nodes": 2,
            "workload_node_type": "m7g.large",
            "streaming_input_hours": 20,
            "streaming_viewer_hours": 50,
            "chat_messages_millions": 0.2,
            "bucket_storage_gb": 20,
            "dns_queries_millions": 1,
            "queue_requests_millions": 1,
            "ci_worker_hours": 50,
            "trail_data_events_millions": 0.5,
            "config_items": 5000,
            "guardduty_events_millions": 1,
            "security_hub_checks": 10000,
            "backup_storage_gb": 50,
            "backup_copied_gb": 0,
            "replicated_gb": 0,
            "realtime_connected_hours_per_user": 5,
            "realtime_messages_per_user": 200,
        },
        Tier.prod: {
            "active_users": 50_000,
            "admin_users": 20,
            "cdn_egress_gb": 5_000,
            "cdn_requests_millions": 200,
            "api_requests_millions": 100,
            "nat_processed_gb": 300,
            "endpoint_processed_gb": 50,
            "log_ingest_gb": 20,
            "db_average_acu": 4,
            "db_active_hours": 730,
            "db_storage_gb": 200,
            "db_io_millions": 200,
            "workload_nodes": 4,
            "workload_node_type": "m7g.large",
            "streaming_input_hours": 300,
            "streaming_viewer_hours": 30_000,
            "chat_messages_millions": 20,
            "bucket_storage_gb": 500,
            "dns_queries_millions": 50,
            "queue_requests_millions": 10,
            "ci_worker_hours": 300,
            "trail_data_events_millions": 20,
            "config_items": 20000,
            "guardduty_events_millions": 5,
            "security_hub_checks": 30000,
            "backup_storage_gb": 500,
            "backup_copied_gb": 100,
            "replicated_gb": 100,
            "realtime_connected_hours_per_user": 10,
            "realtime_messages_per_user": 300,
        },
    }

    active_users: Annotated[int, Field(ge=0)]
    """Monthly active users of the users' pool (Cognito MAUs)."""
    admin_users: Annotated[int, Field(ge=0)]
    """Monthly active users of the admins' pool."""
    cdn_egress_gb: Annotated[float, Field(ge=0)]
    """GB CloudFront sends to viewers."""
    cdn_requests_millions: Annotated[float, Field(ge=0)]
    """Millions of viewer requests to CloudFront (also what its web ACL and function inspect)."""
    api_requests_millions: Annotated[float, Field(ge=0)]
    """Millions of requests each regional web ACL inspects."""
    nat_processed_gb: Annotated[float, Field(ge=0)]
    """GB through each NAT gateway."""
    endpoint_processed_gb: Annotated[float, Field(ge=0)]
    """GB through each interface endpoint."""
    log_ingest_gb: Annotated[float, Field(ge=0)]
    """GB written to each CloudWatch log group (stored for its retention)."""
    db_average_acu: Annotated[float, Field(ge=0)]
    """Average ACUs of each Aurora Serverless v2 instance (never below the cluster's min_acu)."""
    db_active_hours: Annotated[float, Field(ge=0, le=744)]
    """Hours a min_acu 0 cluster is awake (others run all month)."""
    db_storage_gb: Annotated[float, Field(ge=0)]
    """GB stored by each Aurora cluster."""
    db_io_millions: Annotated[float, Field(ge=0)]
    """Millions of storage I/Os of each Aurora cluster."""
    workload_nodes: Annotated[int, Field(ge=0)]
    """Nodes Karpenter keeps for the workloads of each cluster, on average."""
    workload_node_type: InstanceType
    """The instance type those nodes are priced as (Karpenter picks; spot is priced as on-demand)."""
    streaming_input_hours: Annotated[float, Field(ge=0)]
    """Hours of live video sent to each IVS channel."""
    streaming_viewer_hours: Annotated[float, Field(ge=0)]
    """Viewer-hours delivered by each IVS channel."""
    chat_messages_millions: Annotated[float, Field(ge=0)]
    """Millions of chat messages delivered by each IVS chat room."""
    bucket_storage_gb: Annotated[float, Field(ge=0)]
    """GB stored in each S3 bucket (S3 Standard)."""
    dns_queries_millions: Annotated[float, Field(ge=0)]
    """Millions of DNS queries each hosted zone answers."""
    queue_requests_millions: Annotated[float, Field(ge=0)]
    """Millions of requests to each SQS queue."""
    ci_worker_hours: Annotated[float, Field(ge=0)]
    """Instance-hours of CI worker fleets that choose instances by attributes."""
    backup_storage_gb: Annotated[float, Field(ge=0)]
    """GB of recovery points each AWS Backup vault holds (incremental backups over the retention,
    and the copies it receives)."""
    backup_copied_gb: Annotated[float, Field(ge=0)]
    """GB each backup plan copies to another region per month (cross-region transfer)."""
    replicated_gb: Annotated[float, Field(ge=0)]
    """GB each S3 replication copies to another region per month (new and changed objects)."""
    ci_worker_instance_type: InstanceType = "t3.large"
    """The instance type those worker hours are priced as."""
    trail_data_events_millions: Annotated[float, Field(ge=0)]
    """Millions of S3 data events the account trail records (reads and writes of user-data objects)."""
    config_items: Annotated[int, Field(ge=0)]
    """Configuration items AWS Config records in each region of the account (one per resource change)."""
    guardduty_events_millions: Annotated[float, Field(ge=0)]
    """Millions of CloudTrail management events GuardDuty analyses in each region."""
    security_hub_checks: Annotated[int, Field(ge=0)]
    """Security Hub checks run in each region of the account."""
    realtime_connected_hours_per_user: Annotated[float, Field(ge=0)]
    """Hours each active user keeps a WebSocket connection open to the realtime API per month (all
    their devices together); with `active_users` it gives the API's connection minutes."""
    realtime_messages_per_user: Annotated[float, Field(ge=0)]
    """Messages the fan-out delivers to each active user per month (notifications, presence, live
    comments); pings and their answers come on top (`realtime_ping_minutes`)."""
    realtime_session_minutes: Annotated[float, Field(gt=0, le=120)] = 30
    """Average length of one WebSocket connection (API Gateway closes every connection after 2 hours,
    so at most 120): each connection runs the authorizer once and writes and deletes its item."""
    realtime_ping_minutes: Annotated[float, Field(gt=0, le=10)] = 5
    """How often a connected client pings (``{"action": "ping"}``, answered with a pong): API Gateway
    closes a connection idle for 10 minutes, so at most 10. Each ping is a function invocation and
    two billed messages."""
    realtime_recipients_per_event: Annotated[float, Field(ge=1, le=1000)] = 3
    """Connections one event on the bus reaches on average (a notification one, a live comment
    many; an event names at most 1,000 recipients): fan-out invocations and bus events are the
    delivered messages divided by it."""
    lambda_duration_ms: Annotated[float, Field(gt=0, le=900_000)] = 100
    """Average billed duration of one invocation of the realtime functions (their memory size and
    architecture are read from the render)."""
