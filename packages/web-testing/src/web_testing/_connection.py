"""The client side of one HTTP/1.1 connection, over a socket or the in-memory transport.

``ClientConnection`` is an asyncio protocol that feeds received bytes to web-http's response
parser and hands each response over as its head plus a flow-controlled ``StreamReader`` for
the body (``resp.content``), or, when the whole response came in one piece (the usual small
answer), its head and body bytes, so no stream is built for a body already complete. A
connection in *raw* mode (websockets) gives every byte to a callback instead. The transport
underneath does not matter to it, which is what lets the same client code run over TCP and
in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Protocol

from web_http import (
    Data,
    EndOfMessage,
    Event,
    HttpProcessingError,
    HttpResponseParser,
    ResponseHead,
    StreamReader,
)

from ._errors import ClientPayloadError, ServerDisconnectedError

__all__ = ("ClientConnection",)

#: Body bytes buffered before the transport is paused (low-water mark; twice it pauses).
READ_BUFSIZE = 2**16

#: What a response is handed over as: its head, and its body stream or complete body.
Exchange = tuple[ResponseHead, "StreamReader | bytes"]


class Pool(Protocol):
    """Where a connection goes back once a response is parsed (the session's connector)."""

    def release(self, conn: ClientConnection) -> None: ...

    def discard(self, conn: ClientConnection) -> None: ...


class ClientConnection(asyncio.Protocol):
    """One connection; ``request_sent`` then ``await response_head()`` per exchange."""

    def __init__(self, *, auto_decompress: bool = True) -> None:
        self._parser = HttpResponseParser(auto_decompress=auto_decompress)
        self._loop = asyncio.get_running_loop()
        self.transport: asyncio.Transport | None = None
        self._head: asyncio.Future[Exchange] | None = None
        self._payload: StreamReader | None = None
        self._skip_interim = False
        self.continued: asyncio.Future[None] | None = None  # for Expect: 100-continue
        self._message_done = True
        self._keep_alive = False
        self._raw: Callable[[bytes], None] | None = None
        self._raw_lost: Callable[[BaseException | None], None] | None = None
        self._paused_writing = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._reading_paused = False
        self.lost = False
        #: The pool this connection returns to after a pooled request's response, its key
        #: there, and the task still writing that request's body (if any).
        self.pool: Pool | None = None
        self.pool_key: tuple[str, str, int] = ("", "", 0)
        self.writer: asyncio.Task[None] | None = None
        self._pooled = False

    # ---------------------------------------------------------------- asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport

    def data_received(self, data: bytes) -> None:
        raw = self._raw
        if raw is not None:
            raw(data)
            return
        parser = self._parser
        if self._payload is None:
            whole = parser.feed_whole(data, READ_BUFSIZE)  # the usual answer, seen before
            if whole is not None:
                self._hand_over(*whole)
                return
        events = parser.feed(data)
        if 2 <= len(events) <= 3 and self._complete(events):
            return
        for event in events:
            cls = type(event)
            if cls is Data:
                if self._payload is not None:
                    self._payload.feed_data(event.data)  # type: ignore[union-attr]
            elif cls is ResponseHead:
                self._on_head(event)  # type: ignore[arg-type]
            elif cls is EndOfMessage:
                self._on_end()
            else:
                self._fail(ClientPayloadError(f"Response is malformed: {event}"))
                return

    def eof_received(self) -> bool | None:
        return None  # the transport closes; connection_lost follows

    def connection_lost(self, exc: BaseException | None) -> None:
        self.lost = True
        self.transport = None
        if self._raw_lost is not None:
            callback, self._raw_lost, self._raw = self._raw_lost, None, None
            callback(exc)
        for event in self._parser.feed_eof():
            if type(event) is EndOfMessage:
                self._on_end()
            elif isinstance(event, HttpProcessingError):
                self._fail(ClientPayloadError(f"Response payload is not completed: {event}"))
        self._fail(ServerDisconnectedError())
        waiter = self._drain_waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(ServerDisconnectedError())
        self._drain_waiter = None

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        waiter = self._drain_waiter
        self._drain_waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    # Flow control asked for by the body stream.
    def pause_reading(self) -> None:
        if self.transport is not None and not self._reading_paused:
            self._reading_paused = True
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None and self._reading_paused:
            self._reading_paused = False
            self.transport.resume_reading()

    # ---------------------------------------------------------------- parsing

    def _complete(self, events: list[Event]) -> bool:
        """Hand over a whole final response (head, body, end) without a body stream."""
        head = events[0]
        end = events[-1]
        if type(head) is not ResponseHead or type(end) is not EndOfMessage:
            return False
        if len(events) == 3:
            data = events[1]
            if type(data) is not Data or len(data.data) > READ_BUFSIZE:
                return False
            body = data.data
        else:
            body = b""
        if head.status < 200 or head.upgrade or self._payload is not None:
            return False
        self._hand_over(head, body)
        return True

    def _hand_over(self, head: ResponseHead, body: bytes) -> None:
        """A whole final response: to the waiting request, and the connection to its pool."""
        self._keep_alive = head.keep_alive
        self._message_done = True
        waiter = self._head
        self._head = None
        if waiter is not None and not waiter.done():
            waiter.set_result((head, body))
        self._finished()

    def _on_head(self, head: ResponseHead) -> None:
        if 100 <= head.status < 200 and head.status != 101:
            self._skip_interim = True  # 100 Continue and friends: the real answer follows
            continued = self.continued
            if head.status == 100 and continued is not None and not continued.done():
                continued.set_result(None)
            return
        self._keep_alive = head.keep_alive
        payload = StreamReader(self, READ_BUFSIZE, loop=self._loop)
        self._payload = payload
        waiter = self._head
        self._head = None
        if waiter is not None and not waiter.done():
            waiter.set_result((head, payload))

    def _on_end(self) -> None:
        if self._skip_interim:
            self._skip_interim = False
            return
        payload = self._payload
        self._payload = None
        self._message_done = True
        if payload is not None:
            payload.feed_eof()
        self._finished()

    def _finished(self) -> None:
        """A pooled request's response is parsed (it may be unread): free the connection."""
        if not self._pooled:
            return
        self._pooled = False
        pool = self.pool
        writer = self.writer
        self.writer = None
        if pool is None:
            return
        if writer is None or (writer.done() and not writer.cancelled() and not writer.exception()):
            pool.release(self)
        else:
            pool.discard(self)  # the body was still going out, or failed: not reusable

    def _fail(self, exc: Exception) -> None:
        waiter = self._head
        self._head = None
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        continued = self.continued
        if continued is not None and not continued.done():
            continued.set_exception(exc)
            continued.exception()  # retrieved: the request reports the error
        payload = self._payload
        self._payload = None
        if payload is not None:
            payload.set_exception(exc)
        self._keep_alive = False
        if self.transport is not None:
            self.transport.close()

    # ---------------------------------------------------------------- use

    @property
    def reusable(self) -> bool:
        """True between messages of a keep-alive connection that is still open."""
        return (
            not self.lost
            and self._message_done
            and self._keep_alive
            and self._head is None
            and self.transport is not None
            and not self.transport.is_closing()
        )

    def start_request(
        self, method: str, *, expect_continue: bool = False, pooled: bool = False
    ) -> asyncio.Future[Exchange]:
        """Get ready for the response to a ``method`` request about to be written.

        ``pooled``: once that response is parsed, the connection goes back to ``pool``.
        """
        if self.lost:
            raise ServerDisconnectedError()
        self.continued = self._loop.create_future() if expect_continue else None
        self._parser.set_request_method(method)
        self._message_done = False
        self._pooled = pooled
        self.writer = None
        waiter: asyncio.Future[Exchange] = self._loop.create_future()
        self._head = waiter
        return waiter

    def write(self, data: bytes) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            raise ServerDisconnectedError()
        transport.write(data)

    async def drain(self) -> None:
        if self.transport is None:
            raise ServerDisconnectedError()
        if not self._paused_writing:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._drain_waiter = self._loop.create_future()
        await asyncio.shield(waiter)

    def use_raw(
        self, on_data: Callable[[bytes], None], on_lost: Callable[[BaseException | None], None]
    ) -> None:
        """Give every further byte (and the end of the connection) to callbacks."""
        self._raw = on_data
        self._raw_lost = on_lost

    def drop(self) -> None:
        """Close this connection and take it out of its pool (a response left unread)."""
        if self.pool is not None:
            self.pool.discard(self)
        else:
            self.close()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()
