"""web-websocket: RFC 6455 websockets for the web framework.

The frame layer (``FrameParser``, ``WebSocketReader``, ``FrameWriter``, permessage-deflate)
is sans-IO and usable on its own; ``WebSocketResponse`` is the aiohttp-compatible server side.
"""

from __future__ import annotations

from .__about__ import __version__ as __version__
from ._deflate import (
    DeflateParams as DeflateParams,
    Deflater as Deflater,
    Inflater as Inflater,
    negotiate_deflate as negotiate_deflate,
)
from ._frames import (
    Frame as Frame,
    FrameParser as FrameParser,
    apply_mask as apply_mask,
    encode_frame as encode_frame,
)
from ._handshake import (
    HandshakeError as HandshakeError,
    HandshakeResult as HandshakeResult,
    accept_key as accept_key,
    check_handshake as check_handshake,
)
from ._models import (
    WS_CLOSED_MESSAGE as WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE as WS_CLOSING_MESSAGE,
    WebSocketError as WebSocketError,
    WebSocketReady as WebSocketReady,
    WSCloseCode as WSCloseCode,
    WSMessage as WSMessage,
    WSMsgType as WSMsgType,
)
from ._reader import WebSocketReader as WebSocketReader, is_valid_close_code as is_valid_close_code
from ._response import WebSocketResponse as WebSocketResponse
from ._writer import FrameWriter as FrameWriter

__all__ = (
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "DeflateParams",
    "Deflater",
    "Frame",
    "FrameParser",
    "FrameWriter",
    "HandshakeError",
    "HandshakeResult",
    "Inflater",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketError",
    "WebSocketReader",
    "WebSocketReady",
    "WebSocketResponse",
    "__version__",
    "accept_key",
    "apply_mask",
    "check_handshake",
    "encode_frame",
    "is_valid_close_code",
    "negotiate_deflate",
)
