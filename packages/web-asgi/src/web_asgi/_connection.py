"""What a request, its body reader and its response see as "the connection" under ASGI.

Our request and response objects talk to a ``RequestHandler`` and its asyncio transport.
Under an ASGI server there is neither: :class:`AsgiConnection` offers the same surface
(``transport``, flow control, ``writing_paused``, ``set_parser``, the keep-alive switches)
on top of the scope and the server's ``receive`` / ``send``. The transport it exposes answers
``get_extra_info`` from the scope (``peername``, ``sockname``) and has no socket, so a
``FileResponse`` takes its chunked path instead of ``sendfile``.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from typing import Any, Final

from ._head import scope_address
from ._types import Receive, Scope

__all__ = ("AsgiConnection", "AsgiTransport", "server_logger")

#: The logger our own server reports handler errors on.
server_logger: Final = logging.getLogger("web.server")


class AsgiTransport:
    """The transport-shaped view of one ASGI connection."""

    __slots__ = ("_conn", "_scope")

    def __init__(self, conn: AsgiConnection, scope: Scope) -> None:
        self._conn = conn
        self._scope = scope

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``peername`` and ``sockname`` from the scope's client and server; the scope."""
        value: Any = None
        if name == "peername":
            value = scope_address(self._scope.get("client"))
        elif name == "sockname":
            value = scope_address(self._scope.get("server"))
        elif name == "asgi_scope":
            value = self._scope
        return default if value is None else value

    def is_closing(self) -> bool:
        return self._conn.closing

    def close(self) -> None:
        self._conn.close_transport()

    def abort(self) -> None:
        self._conn.close_transport()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._conn.write_raw(bytes(data))

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview]) -> None:
        self._conn.write_raw(b"".join(list_of_data))

    def pause_reading(self) -> None:
        self._conn.pause_reading()

    def resume_reading(self) -> None:
        self._conn.resume_reading()

    def is_reading(self) -> bool:
        return not self._conn.reading_paused

    def get_write_buffer_size(self) -> int:
        return self._conn.write_buffer_size


class AsgiConnection:
    """One ASGI http or websocket connection, shaped like web-app's ``RequestHandler``."""

    def __init__(self, scope: Scope, loop: asyncio.AbstractEventLoop, *, debug: bool) -> None:
        self._loop = loop
        self.debug = debug
        self.logger = server_logger
        self.closing = False
        self.reading_paused = False
        self.writing_paused = False
        self._resume_reading: asyncio.Future[None] | None = None
        self._drain_waiter: asyncio.Future[None] | None = None
        self._peer_callbacks: list[Callable[[], None]] | None = None
        #: The http path's ``receive`` and body pump: what watching for a disconnect needs.
        self.receive: Receive | None = None
        self.pump: asyncio.Task[None] | None = None
        self.watcher: asyncio.Task[None] | None = None
        self.transport: AsgiTransport | None = AsgiTransport(self, scope)

    # -- what the websocket bridge overrides ---------------------------------------

    @property
    def write_buffer_size(self) -> int:
        return 0

    def write_raw(self, data: bytes) -> None:
        """Bytes that bypass the response writer (only websocket frames may do that)."""
        raise RuntimeError("raw writes are not possible on an ASGI http connection")

    def set_parser(self, parser: Any) -> None:
        raise RuntimeError("this ASGI connection cannot be upgraded (it is not a websocket)")

    def close_transport(self) -> None:
        self.closing = True

    # -- RequestHandler's surface ----------------------------------------------------

    def keep_alive(self, val: bool) -> None:
        """The ASGI server owns keep-alive: nothing to switch here."""

    def close(self) -> None:
        """The ASGI server decides when the connection closes."""

    def force_close(self) -> None:
        self.close_transport()

    def pause_reading(self) -> None:
        self.reading_paused = True

    def resume_reading(self) -> None:
        self.reading_paused = False
        waiter = self._resume_reading
        if waiter is not None:
            self._resume_reading = None
            if not waiter.done():
                waiter.set_result(None)

    async def wait_reading(self) -> None:
        """Return once the reader wants more (flow control of the receive pump)."""
        while self.reading_paused and not self.closing:
            waiter = self._resume_reading
            if waiter is None:
                waiter = self._resume_reading = self._loop.create_future()
            await waiter

    def set_writing_paused(self, paused: bool) -> None:
        self.writing_paused = paused
        if not paused:
            waiter = self._drain_waiter
            if waiter is not None:
                self._drain_waiter = None
                if not waiter.done():
                    waiter.set_result(None)

    async def wait_writable(self) -> None:
        """Wait while the server's send() is behind (``PayloadWriter.drain()`` awaits it)."""
        if self.transport is None or self.closing:
            raise ConnectionResetError("Connection lost")
        if not self.writing_paused:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._drain_waiter = self._loop.create_future()
        await asyncio.shield(waiter)

    def on_peer_closed(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once the client is gone (now, if it is already)."""
        if self.closing:
            callback()
            return
        if self._peer_callbacks is None:
            self._peer_callbacks = []
            if self.receive is not None:
                self.watcher = self._loop.create_task(self._watch_disconnect(self.receive))
        self._peer_callbacks.append(callback)

    async def _watch_disconnect(self, receive: Receive) -> None:
        """Tell ``on_peer_closed`` callbacks when the client goes (after the whole body)."""
        pump = self.pump
        if pump is not None:
            await asyncio.wait({pump})
        if self.closing:
            return
        message = await receive()
        if message["type"] == "http.disconnect":
            self.connection_lost()

    def connection_lost(self) -> None:
        """The peer went away: wake everyone who waits on this connection."""
        self.closing = True
        self.set_writing_paused(False)
        self.resume_reading()
        callbacks, self._peer_callbacks = self._peer_callbacks, None
        for callback in callbacks or ():
            callback()
