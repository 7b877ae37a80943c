"""The bottom of web-app's layers: what a request knows of the connection that carries it.

A request is built by its connection (``RequestHandler``) and hands it on as
``request.protocol``, while the connection sits above requests and responses (it runs the
handler and answers errors with responses). So the request modules annotate against these
protocols, which ``RequestHandler`` implements, and import no connection module.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Protocol

__all__ = ("RequestConnection", "UpgradedParser")


class UpgradedParser(Protocol):
    """A reader that takes over the stream after an upgrade (e.g. a websocket reader).

    If ``feed_data`` returns a tuple whose first item is true (aiohttp's ``(eof, tail)``),
    the connection is closed.
    """

    def feed_data(self, data: bytes, /) -> object: ...

    def feed_eof(self) -> object: ...


class RequestConnection(Protocol):
    """``request.protocol``: the connection's controls that handlers and responses use."""

    @property
    def transport(self) -> asyncio.Transport | None: ...

    @property
    def writing_paused(self) -> bool:
        """True while the transport's buffer is above its high-water mark."""

    async def wait_writable(self) -> None:
        """Return once the transport's buffer is below its high-water mark (at once if it is).

        Raises ``ConnectionResetError`` when the connection is gone. ``PayloadWriter.drain()``
        awaits it, so a connection of another server (ASGI, in-memory) that hands
        ``PayloadWriter`` itself as the writer's protocol implements it.
        """

    def keep_alive(self, val: bool) -> None:
        """``keep_alive(False)``: close the connection after the current response."""

    def close(self) -> None:
        """Stop keep-alive: close now when idle, else after the response in progress."""

    def force_close(self) -> None:
        """Close the connection now, dropping queued pipelined requests."""

    def pause_reading(self) -> None:
        """Stop reading from the socket (flow control of an upgraded stream)."""

    def resume_reading(self) -> None:
        """Read from the socket again."""

    def set_parser(self, parser: UpgradedParser) -> None:
        """Feed every byte received from now on to ``parser`` (after an upgrade)."""

    def on_peer_closed(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once when the peer closes its side or the connection is lost."""

    def set_shutdown_callback(self, callback: Callable[[], Awaitable[object]]) -> None:
        """Have ``await callback()`` run when the server starts shutting down."""
