"""Ingress: the application's regional origin — an internal ALB that only CloudFront reaches (VPC origin)."""

from social_components.ingress.args import CLOUDFRONT_ORIGIN_FACING, CLOUDFRONT_ORIGIN_FACING_IDS, IngressArgs
from social_components.ingress.component import Ingress, load_balancer_log_delivery

__all__ = [
    "CLOUDFRONT_ORIGIN_FACING",
    "CLOUDFRONT_ORIGIN_FACING_IDS",
    "Ingress",
    "IngressArgs",
    "load_balancer_log_delivery",
]
