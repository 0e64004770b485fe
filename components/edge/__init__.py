"""Edge: CloudFront in front of the web app, media and API, with WAF, TLS, S3 origins and DNS."""

from social_components.edge.args import (
    DEFAULT_CONTENT_SECURITY_POLICY,
    MEDIA_PATH_PREFIX,
    EdgeArgs,
    GeoRestriction,
    LoggedBucket,
)
from social_components.edge.component import Edge

__all__ = [
    "DEFAULT_CONTENT_SECURITY_POLICY",
    "MEDIA_PATH_PREFIX",
    "Edge",
    "EdgeArgs",
    "GeoRestriction",
    "LoggedBucket",
]
