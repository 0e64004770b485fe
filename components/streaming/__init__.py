"""Live video and chat: Amazon IVS channels, recording, playback keys, IVS Chat, stream events."""

from .args import ChannelArgs, ChannelType, ChatRoomArgs, LatencyMode, StreamingArgs
from .component import Streaming

__all__ = ["ChannelArgs", "ChannelType", "ChatRoomArgs", "LatencyMode", "Streaming", "StreamingArgs"]
