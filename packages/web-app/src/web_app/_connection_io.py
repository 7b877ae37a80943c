"""The connection's byte stream: asyncio's callbacks, the parser's events turned into queued
requests and body bytes, flow control both ways, and the stream after an upgrade.
"""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING, Final

from web_http import (
    EMPTY_PAYLOAD,
    Data,
    EndOfMessage,
    HttpProcessingError,
    RequestHead,
    StreamReader,
)

from ._connection_state import BUSY, CLOSED, IDLE, MAX_QUEUE, UPGRADED, Item
from ._connection_timers import ConnectionTimers

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._types import UpgradedParser

__all__ = ("ConnectionIO", "tune_tcp")

#: Bytes of an upgraded stream kept before ``set_parser`` is called.
_MAX_TAIL: Final = 2**16


def tune_tcp(sock: socket.socket, keepalive: bool) -> None:
    """Turn Nagle off (and keep-alive probes on) for one accepted TCP connection.

    asyncio sets TCP_NODELAY itself only on sockets whose ``proto`` is ``IPPROTO_TCP``; a
    listening socket made in-process with ``socket.socket(AF_INET, SOCK_STREAM)`` (a test
    server's, one handed to ``SockSite`` or ``run_app(sock=...)``) has ``proto == 0``, and so
    do the sockets it accepts. With Nagle on, the small tail of a streamed response (the last
    chunk) waited for the client's delayed ACK: tens of milliseconds per response.
    """
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if keepalive:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    except OSError:  # the peer is already gone; connection_lost follows
        pass


class ConnectionIO(ConnectionTimers):
    """Bytes in and out (a layer of ``RequestHandler``, see ``_connection_state``)."""

    __slots__ = ()

    def _start(self, item: Item, *, eager: bool) -> None:
        """Start the task serving ``item``: the request task, ``RequestHandler._start``."""
        raise NotImplementedError

    def on_peer_closed(self, callback: Callable[[], None]) -> None:
        """Call ``callback()`` once when the peer closes its side or the connection is lost.

        For long-lived responses (server-sent events) that must stop as soon as the client
        goes away, without waiting for a write to fail. Runs at once if that happened.
        """
        if self.transport is None or self._peer_eof:
            callback()
            return
        if self._on_peer_closed is None:
            self._on_peer_closed = []
        self._on_peer_closed.append(callback)

    def _peer_gone(self) -> None:
        callbacks = self._on_peer_closed
        if callbacks:
            self._on_peer_closed = None
            for callback in callbacks:
                callback()

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def wait_writable(self) -> None:
        """Wait while the transport is over its high-water mark (``PayloadWriter.drain()``)."""
        if self.transport is None:
            raise ConnectionResetError("Connection lost")
        if not self._paused_writing:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._loop.create_future()
            self._drain_waiter = waiter
        await asyncio.shield(waiter)

    def eof_received(self) -> bool | None:
        """The peer closed its side: answer what it already sent, then close.

        With handler_cancellation the EOF is taken as the peer going away (as aiohttp does):
        the transport closes and the handler is cancelled.
        """
        self._peer_eof = True
        self._peer_gone()
        if self._state is UPGRADED:
            return None  # the upgraded reader hears of it in connection_lost
        if self._parser.buffered:
            # Pipelined heads held back unparsed: nothing more comes, take them all now.
            self._parser.max_heads = 0
            self.data_received(b"")
        if self._handler_cancellation or (self._state is IDLE and not self._queue):
            return None  # asyncio closes the transport; connection_lost follows
        for event in self._parser.feed_eof():
            if isinstance(event, HttpProcessingError):
                self._on_parse_error(event)
        if self._state is IDLE and self._queue:
            self._state = BUSY
            self._start(self._queue.popleft(), eager=True)
        return True  # keep the write side open for the responses still owed

    def data_received(self, data: bytes) -> None:
        state = self._state
        if state is UPGRADED:
            # _feed_upgraded inlined (a websocket's every frame comes this way); in this state
            # set_parser's parser is always there.
            parser = self._upgraded_parser
            if parser is not None:
                result = parser.feed_data(data)
                if type(result) is tuple and result and result[0]:
                    self.close()
                return
            self._feed_upgraded(data)
            return
        if state is CLOSED:
            return
        queue = self._queue
        heads = 0
        # in the order a bodyless request's events come: its head, then its end
        for event in self._parser.feed(data):
            cls = type(event)
            if cls is RequestHead:
                head: RequestHead = event  # type: ignore[assignment]
                heads += 1
                if head.chunked or head.content_length:
                    payload = StreamReader(self, self._config.read_bufsize, loop=self._loop)
                    self._receiving = payload
                else:
                    payload = EMPTY_PAYLOAD
                queue.append((head, payload))
            elif cls is EndOfMessage:
                receiving = self._receiving
                if receiving is not None:
                    self._receiving = None
                    receiving.feed_eof()
            elif cls is Data:
                receiving = self._receiving
                if receiving is not None:
                    receiving.feed_data(event.data)  # type: ignore[union-attr]
                else:
                    self._store_tail(event.data)  # type: ignore[union-attr]
            else:
                self._on_parse_error(event)  # type: ignore[arg-type]
        if heads:
            self._head_deadline = None
        elif state is IDLE and data and not queue and self._head_deadline is None:
            timeout = self._config.client_head_timeout
            if timeout is not None:
                self._head_deadline = self._loop.time() + timeout
                self._arm_timer(self._head_deadline)
        if self._receiving is not None:
            self._body_progress()  # a body still on its way (a body that came whole costs nothing)
        if queue:
            if self._state is IDLE:
                self._state = BUSY
                self._start(queue.popleft(), eager=True)
            # (a batch of MAX_QUEUE heads leaves at least MAX_QUEUE - 2 of them queued)
            if queue and (len(queue) > MAX_QUEUE or heads >= MAX_QUEUE):
                # a full batch: the parser may hold more back; read on once they are served
                self.pause_reading()

    def _on_parse_error(self, exc: HttpProcessingError) -> None:
        receiving = self._receiving
        if receiving is not None:
            # The body being received is malformed: its reader raises (the handler that
            # reads it answers 400/413) and the connection ends after that request, whose
            # body can never be skipped. The parser accepts nothing more.
            self._receiving = None
            receiving.set_exception(exc)
        else:
            # A broken head: answered in turn, after the responses already owed.
            self._queue.append(exc)

    def _body_progress(self) -> None:
        timeout = self._config.client_body_timeout
        if timeout is not None:
            self._body_seen = now = self._loop.time()
            self._arm_timer(now + timeout)

    def _store_tail(self, data: bytes) -> None:
        """Bytes after an upgrade head, before the new protocol's parser is installed."""
        if self._upgraded_parser is not None:
            self._feed_upgraded(data)
            return
        self._tail += data
        if len(self._tail) > _MAX_TAIL:
            self.pause_reading()

    def _feed_upgraded(self, data: bytes) -> None:
        parser = self._upgraded_parser
        if parser is None:
            self._store_tail(data)
            return
        result = parser.feed_data(data)
        if type(result) is tuple and result and result[0]:
            self.close()

    def set_parser(self, parser: UpgradedParser) -> None:
        """Hand every further byte of the connection to ``parser`` (websocket upgrade)."""
        if self._upgraded_parser is not None:
            raise RuntimeError("a parser is already set on this connection")
        self._upgraded_parser = parser
        self._handler_deadline = None  # switched protocols: the handshake timeout is over
        if self._state is not CLOSED:
            self._state = UPGRADED
        tail, self._tail = self._tail, b""
        if tail:
            self._feed_upgraded(tail)
        if self._peer_eof and self._upgraded_parser is parser:
            # the peer finished sending before the upgrade completed: nothing more will come
            parser.feed_eof()
        self.resume_reading()
