"""The values a websocket user sees: message types, close codes, messages, errors.

Names and numbers are aiohttp's (``WSMsgType``, ``WSCloseCode``, ``WSMessage``) so that code
comparing ``msg.type == WSMsgType.TEXT`` or ``ws.close_code == 1000`` keeps working.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Callable
from typing import Any, NamedTuple

__all__ = (
    "WS_CLOSED_MESSAGE",
    "WS_CLOSING_MESSAGE",
    "WSCloseCode",
    "WSMessage",
    "WSMsgType",
    "WebSocketError",
    "WebSocketReady",
)


class WSMsgType(enum.IntEnum):
    """Frame opcodes (RFC 6455 section 5.2) plus three local states that never go on the wire."""

    CONTINUATION = 0x0
    TEXT = 0x1
    BINARY = 0x2
    PING = 0x9
    PONG = 0xA
    CLOSE = 0x8
    # Not opcodes: what ``receive()`` reports about the connection itself.
    CLOSING = 0x100
    CLOSED = 0x101
    ERROR = 0x102
    # aiohttp's lowercase aliases (same members: ``WSMsgType.text is WSMsgType.TEXT``)
    text = TEXT
    binary = BINARY
    ping = PING
    pong = PONG
    close = CLOSE
    closing = CLOSING
    closed = CLOSED
    error = ERROR


class WSCloseCode(enum.IntEnum):
    """Close status codes (RFC 6455 section 7.4.1 and the IANA registry)."""

    OK = 1000
    GOING_AWAY = 1001
    PROTOCOL_ERROR = 1002
    UNSUPPORTED_DATA = 1003
    ABNORMAL_CLOSURE = 1006
    INVALID_TEXT = 1007
    POLICY_VIOLATION = 1008
    MESSAGE_TOO_BIG = 1009
    MANDATORY_EXTENSION = 1010
    INTERNAL_ERROR = 1011
    SERVICE_RESTART = 1012
    TRY_AGAIN_LATER = 1013
    BAD_GATEWAY = 1014


class WSMessage(NamedTuple):
    """One received message: ``data`` is str (TEXT), bytes (BINARY, PING, PONG), the close
    code (CLOSE, with the reason in ``extra``), the exception (ERROR) or None."""

    type: WSMsgType
    data: Any
    extra: Any

    def json(self, *, loads: Callable[[Any], Any] = json.loads) -> Any:
        """Decode ``data`` as JSON (the message is expected to be TEXT or BINARY)."""
        return loads(self.data)


WS_CLOSED_MESSAGE = WSMessage(WSMsgType.CLOSED, None, None)
WS_CLOSING_MESSAGE = WSMessage(WSMsgType.CLOSING, None, None)


class WebSocketError(Exception):
    """A protocol violation by the peer: ``code`` is the close code the connection ends with."""

    def __init__(self, code: int, message: str) -> None:
        self.code = code
        super().__init__(code, message)

    def __str__(self) -> str:
        return str(self.args[1])


class WebSocketReady(NamedTuple):
    """What ``WebSocketResponse.can_prepare`` found; true when the handshake would succeed."""

    ok: bool
    protocol: str | None

    def __bool__(self) -> bool:
        return self.ok
