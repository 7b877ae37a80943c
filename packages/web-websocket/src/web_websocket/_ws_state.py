"""The state of one server websocket and the transport calls every layer above shares.

``WebSocketResponse`` is built in layers, bottom first: this one (options, state, the
properties a handler reads, writing to and closing the transport), ``_ws_sending`` (the send
API, the closing handshake, heartbeat pings), ``_ws_receiving`` (the feeder that turns bytes
into queued messages, and ``receive`` / ``async for``), then ``_response`` (handshake and
``prepare``). Each layer is a plain subclass, so the hot paths stay single attribute lookups.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from web_app import StreamResponse

from ._models import WSMessage
from ._reader import WebSocketReader
from ._writer import FrameWriter

if TYPE_CHECKING:
    from web_app import PayloadWriter, RequestConnection

__all__ = ("WebSocketState",)


class WebSocketState(StreamResponse):
    """Options and state of a server websocket (see ``WebSocketResponse`` for the API)."""

    def __init__(
        self,
        *,
        timeout: float = 10.0,
        receive_timeout: float | None = None,
        autoclose: bool = True,
        autoping: bool = True,
        heartbeat: float | None = None,
        protocols: Iterable[str] = (),
        compress: bool = True,
        max_msg_size: int = 4 * 1024 * 1024,
        writer_limit: int = 2**16,
        decode_text: bool = True,
    ) -> None:
        super().__init__(status=101)
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        if receive_timeout is not None and receive_timeout <= 0:
            raise ValueError("receive_timeout must be positive or None")
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError("heartbeat must be positive or None")
        if max_msg_size < 0:
            raise ValueError("max_msg_size must be >= 0 (0 disables the limit)")
        if writer_limit <= 0:
            raise ValueError("writer_limit must be positive")
        self._protocols = tuple(protocols)
        self._timeout = timeout
        self._receive_timeout = receive_timeout
        self._autoclose = autoclose
        self._autoping = autoping
        self._heartbeat = heartbeat
        self._compress: bool | int = compress
        self._max_msg_size = max_msg_size
        self._writer_limit = writer_limit
        self._decode_text = decode_text
        self._ws_protocol: str | None = None
        self._loop: asyncio.AbstractEventLoop = None  # type: ignore[assignment]  # set by prepare
        self._conn: RequestConnection | None = None
        self._ws_writer: PayloadWriter | None = None
        self._frames: FrameWriter | None = None
        # True after prepare() when permessage-deflate is off: small messages skip FrameWriter.
        self._plain = False
        self._reader: WebSocketReader | None = None
        self._queue: deque[WSMessage] = deque()
        self._queued = 0
        self._paused = False
        # Set while receive() waits; its result is the next data message, or None: look in _queue.
        self._waiter: asyncio.Future[WSMessage | None] | None = None
        self._closed = False
        self._closing = False
        self._close_code: int | None = None
        self._exception: BaseException | None = None
        self._conn_lost = 0
        # What the feeder saw, for a close() waiting for the peer: its CLOSE, or the end.
        self._peer_close: WSMessage | None = None
        self._eof = False
        self._close_waiter: asyncio.Future[bool] | None = None
        self._last_rx = 0.0
        self._ping_sent = 0.0
        self._heartbeat_handle: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ state

    @property
    def closed(self) -> bool:
        """True once closing started (our ``close`` or a failed link)."""
        return self._closed

    @property
    def close_code(self) -> int | None:
        """The close code (the peer's, or why the link failed); None while open."""
        return self._close_code

    @property
    def ws_protocol(self) -> str | None:
        """The negotiated subprotocol, or None."""
        return self._ws_protocol

    @property
    def compress(self) -> bool | int:
        """Before ``prepare``: whether deflate may be negotiated; after: the server's window
        bits if permessage-deflate is in use, else 0."""
        return self._compress

    def exception(self) -> BaseException | None:
        """The error that ended the websocket, if any."""
        return self._exception

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``transport.get_extra_info(name, default)``; ``default`` without a transport."""
        conn = self._conn
        transport = None if conn is None else conn.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    def _drop_queue(self) -> None:
        """Forget unread messages (the websocket is closed: receive() reports CLOSED)."""
        self._queue.clear()
        self._queued = 0
        if self._paused and self._conn is not None:
            self._paused = False
            self._conn.resume_reading()

    def _wake_close(self) -> None:
        waiter = self._close_waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    # ------------------------------------------------------------------ heartbeat

    def _cancel_heartbeat(self) -> None:
        handle = self._heartbeat_handle
        if handle is not None:
            self._heartbeat_handle = None
            handle.cancel()

    def _close_transport(self) -> None:
        self._cancel_heartbeat()
        conn = self._conn
        transport = None if conn is None else conn.transport
        if transport is not None:
            transport.close()

    def _write(self, data: bytes) -> None:
        conn = self._conn
        transport = None if conn is None else conn.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        transport.write(data)
