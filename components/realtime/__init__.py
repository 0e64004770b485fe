"""Realtime: a WebSocket API (Cognito-authorized), its connections table and the event fan-out."""

from .args import FUNCTION_NAMES, Architecture, CustomDomain, FunctionName, RealtimeArgs, TokenUse
from .component import Realtime

__all__ = [
    "FUNCTION_NAMES",
    "Architecture",
    "CustomDomain",
    "FunctionName",
    "Realtime",
    "RealtimeArgs",
    "TokenUse",
]
