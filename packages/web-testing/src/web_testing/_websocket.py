"""The test client's websocket: the ``websockets`` library behind aiohttp's client calls.

A client that is not ours checks our server's handshake and framing honestly; the wrapper
gives it aiohttp's ``ClientWebSocketResponse`` vocabulary (``send_str``, ``receive_json``,
messages with a ``type``) so aiohttp-style tests read the same.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from types import TracebackType
from typing import Any, NamedTuple

import web
from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

__all__ = ("ClientWebSocket", "WSMessage", "WSMessageTypeError")


class WSMessage(NamedTuple):
    """One received message: ``type`` is a ``web.WSMsgType``.

    TEXT carries ``str`` data, BINARY ``bytes``; CLOSE carries the close code as ``data`` and
    the reason as ``extra``; CLOSED (the connection was already closed) and ERROR (the
    connection broke: ``data`` is the exception) end the stream.
    """

    type: web.WSMsgType
    data: Any
    extra: Any = None

    def json(self, *, loads: Callable[[Any], Any] = json.loads) -> Any:
        return loads(self.data)


class WSMessageTypeError(TypeError):
    """``receive_str``/``receive_bytes`` got a message of another type."""


class ClientWebSocket:
    """An open client websocket to the test server (``TestClient.ws_connect``)."""

    __slots__ = ("_close_reported", "_conn")

    def __init__(self, conn: ClientConnection) -> None:
        self._conn = conn
        self._close_reported = False

    @property
    def connection(self) -> ClientConnection:
        """The ``websockets`` connection underneath."""
        return self._conn

    @property
    def protocol(self) -> str | None:
        """The subprotocol the server chose, or ``None``."""
        return self._conn.subprotocol

    @property
    def closed(self) -> bool:
        return self._conn.close_code is not None

    @property
    def close_code(self) -> int | None:
        return self._conn.close_code

    @property
    def close_reason(self) -> str | None:
        return self._conn.close_reason

    async def send_str(self, data: str) -> None:
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        await self._conn.send(data)

    async def send_bytes(self, data: bytes | bytearray | memoryview) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        await self._conn.send(bytes(data))

    async def send_json(self, data: Any, *, dumps: Callable[[Any], str] = json.dumps) -> None:
        await self.send_str(dumps(data))

    async def ping(self, data: bytes = b"") -> float:
        """Send a ping and wait for its pong; returns the round-trip time in seconds."""
        waiter = await self._conn.ping(data)
        return await waiter

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message (a TEXT, BINARY, CLOSE, CLOSED or ERROR ``WSMessage``)."""
        if self._close_reported:
            return WSMessage(web.WSMsgType.CLOSED, None)
        try:
            data = await asyncio.wait_for(self._conn.recv(), timeout)
        except ConnectionClosed as exc:
            self._close_reported = True
            rcvd = exc.rcvd
            if rcvd is None:
                return WSMessage(web.WSMsgType.ERROR, exc)
            return WSMessage(web.WSMsgType.CLOSE, rcvd.code, rcvd.reason)
        if isinstance(data, str):
            return WSMessage(web.WSMsgType.TEXT, data)
        return WSMessage(web.WSMsgType.BINARY, data)

    async def receive_str(self, *, timeout: float | None = None) -> str:
        msg = await self.receive(timeout)
        if msg.type is not web.WSMsgType.TEXT:
            raise WSMessageTypeError(f"Received message {msg.type}:{msg.data!r} is not TEXT")
        text: str = msg.data
        return text

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        msg = await self.receive(timeout)
        if msg.type is not web.WSMsgType.BINARY:
            raise WSMessageTypeError(f"Received message {msg.type}:{msg.data!r} is not BINARY")
        data: bytes = msg.data
        return data

    async def receive_json(
        self, *, loads: Callable[[str], Any] = json.loads, timeout: float | None = None
    ) -> Any:
        return loads(await self.receive_str(timeout=timeout))

    async def close(self, *, code: int = 1000, message: bytes | str = b"") -> bool:
        """Close with ``code``; False when the connection was already closed."""
        if self.closed:
            return False
        reason = message.decode("utf-8") if isinstance(message, bytes) else message
        await self._conn.close(code, reason)
        return True

    def __aiter__(self) -> ClientWebSocket:
        return self

    async def __anext__(self) -> WSMessage:
        msg = await self.receive()
        if msg.type in (web.WSMsgType.CLOSE, web.WSMsgType.CLOSING, web.WSMsgType.CLOSED):
            raise StopAsyncIteration
        return msg

    async def __aenter__(self) -> ClientWebSocket:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
