"""``RequestHandler``: one asyncio ``Protocol`` per connection, the server's hot path.

Theory of operation
-------------------
``data_received`` feeds the sans-IO parser and routes its events: a ``RequestHead`` becomes
a queued item with its body stream (``EMPTY_PAYLOAD`` when there is no body), ``Data`` and
``EndOfMessage`` go to the body stream of the newest head, a parser error either fails that
body (error after a head) or is queued as an error answer (error in a head). Every event of a
segment is routed *before* a handler starts, so a handler reading a small body finds it
complete and does not suspend.

A handler task serves one item: build the request, run the handler, send the response,
drain or refuse the unread body, then hand over to the next queued item (pipelining keeps
order because only one task runs at a time). On Python 3.12+ the first task of a burst starts
eagerly inside ``data_received``: a handler that never suspends costs no loop round trip.
Each request runs in a fresh task, hence a fresh copy of the context (contextvars never leak
from one request to the next).

The connection moves through ``ConnState``::

    IDLE --head--> BUSY --response sent, keep-alive--> IDLE
                   BUSY --keep_alive(False)/force_close/close()--> BUSY_LAST --> CLOSED
                   BUSY --upgrade head, handler took over--> UPGRADED --> CLOSED

One timer per connection serves both the keep-alive timeout (idle connection) and the
slow-head timeout (a head that does not complete in time is answered 408). It is armed once
and re-armed from its own callback, so a busy keep-alive connection creates no timer per
request.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import logging
import math
import socket
import sys
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

from web_http import (
    EMPTY_PAYLOAD,
    Data,
    EndOfMessage,
    HttpProcessingError,
    HttpRequestParser,
    RequestHead,
    StreamReader,
    http_date,
    reason_phrase,
)

from ._access_log import AbstractAsyncAccessLogger
from ._error_page import error_response, error_text
from ._exceptions import HTTPException
from ._handler_config import HandlerConfig
from ._response import Response
from ._stream_response import StreamResponse
from ._types import UpgradedParser
from ._writer import PayloadWriter

if TYPE_CHECKING:
    from ._base_request import BaseRequest

__all__ = (
    "AccessLoggerLike",
    "ConnState",
    "ConnectionManager",
    "RequestHandler",
    "RequestFactory",
    "RequestHandlerFunc",
    "UpgradedParser",
)

RequestHandlerFunc = Callable[["BaseRequest"], Awaitable[StreamResponse]]
RequestFactory = Callable[
    [RequestHead, StreamReader, "RequestHandler", PayloadWriter, "asyncio.Task[None]"],
    "BaseRequest",
]

_EAGER: Final = sys.version_info >= (3, 12)
_TASK_CONTEXT: Final = sys.version_info >= (3, 11)
#: Queued pipelined requests beyond this pause reading until the queue drains.
_MAX_QUEUE: Final = 32
#: An unread body longer than this is not skipped: the connection closes instead.
_MAX_DRAIN: Final = 2**20
#: Bytes of an upgraded stream kept before ``set_parser`` is called.
_MAX_TAIL: Final = 2**16
#: Why the protocol cancelled a handler (``_cancel_reason``), hence what the client gets.
_TIMEOUT: Final = "timeout"
_SHUTDOWN: Final = "shutdown"
# How long a shutting-down server waits for the request a fresh connection owes it: its bytes
# are normally already in flight (the race of a reload), and a client that opened a socket
# without a request (a browser's preconnect) must not hold the shutdown up for long.
_OWED_REQUEST_GRACE: Final = 1.0


class ConnState(enum.Enum):
    """Where a connection is; see the module docstring for the transitions."""

    IDLE = enum.auto()  # waiting for a request head
    BUSY = enum.auto()  # a request is being handled; keep-alive afterwards if allowed
    BUSY_LAST = enum.auto()  # a request is being handled; close afterwards
    UPGRADED = enum.auto()  # the byte stream belongs to the parser given to set_parser()
    CLOSED = enum.auto()


_IDLE: Final = ConnState.IDLE
_BUSY: Final = ConnState.BUSY
_BUSY_LAST: Final = ConnState.BUSY_LAST
_UPGRADED: Final = ConnState.UPGRADED
_CLOSED: Final = ConnState.CLOSED


class AccessLoggerLike(Protocol):
    """What web-runner's ``AccessLogger`` offers (web-app never imports web-runner)."""

    @property
    def enabled(self) -> bool: ...

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None: ...


class ConnectionManager(Protocol):
    """What a connection needs of the ``Server`` that made it: the handler, the request
    factory, the counters and the registry of open connections."""

    request_handler: RequestHandlerFunc
    request_factory: RequestFactory
    requests_count: int
    active_requests: int

    def connection_made(
        self, handler: RequestHandler, transport: asyncio.BaseTransport
    ) -> None: ...

    def connection_lost(
        self, handler: RequestHandler, exc: BaseException | None = None
    ) -> None: ...


_Item = tuple[RequestHead, StreamReader] | HttpProcessingError

_RESPONSE_TYPES: set[type] = {StreamResponse, Response}


def _is_response(obj: object) -> bool:
    if isinstance(obj, HTTPException):
        # Not remembered: aiohttp warns each time one is returned.
        warnings.warn(
            "returning HTTPException object is deprecated (#2415) and will be removed, "
            "please raise the exception instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return True
    if isinstance(obj, StreamResponse):
        if len(_RESPONSE_TYPES) < 256:
            _RESPONSE_TYPES.add(type(obj))
        return True
    return False


def _simple_response(status: int, text: str, *, close: bool = True, extra: str = "") -> bytes:
    """A complete plain-text response, for answers sent before any request object exists."""
    body = text.encode("utf-8", "replace")
    reason = reason_phrase(status) or "Error"
    head = (
        f"HTTP/1.1 {status} {reason}\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\n"
        f"Date: {http_date()}\r\n"
        f"{extra}"
        f"{'Connection: close' if close else 'Connection: keep-alive'}\r\n\r\n"
    )
    return head.encode("ascii") + body


def _tune_tcp(sock: socket.socket, keepalive: bool) -> None:
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


class RequestHandler(asyncio.Protocol):
    """Serve HTTP/1.1 requests on one connection (keep-alive, pipelining, upgrades)."""

    __slots__ = (
        "_access_logger",
        "_async_access_logger",
        "_body_seen",
        "_cancel_reason",
        "_closing_task",
        "_config",
        "_context",
        "_current_request",
        "_drain_waiter",
        "_fresh",
        "_handler_cancellation",
        "_handler_deadline",
        "_head_deadline",
        "_idle_since",
        "_loop",
        "_manager",
        "_max_concurrent",
        "_on_peer_closed",
        "_owed_request",
        "_parser",
        "_paused_reading",
        "_paused_writing",
        "_peer_eof",
        "_queue",
        "_receiving",
        "_request_factory",
        "_request_handler",
        "_shutdown_callback",
        "_state",
        "_tail",
        "_task",
        "_timed_handlers",
        "_timer",
        "_timer_when",
        "_upgraded_parser",
        "transport",
    )

    def __init__(
        self,
        manager: ConnectionManager,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        handler_cancellation: bool = False,
        config: HandlerConfig | None = None,
        **kwargs: Any,
    ) -> None:
        if config is None:
            config = HandlerConfig(**kwargs)
        elif kwargs:
            raise TypeError("pass either config or keyword settings, not both")
        self._config = config
        self._manager = manager
        self._loop = loop if loop is not None else asyncio.get_event_loop()
        self._request_handler: RequestHandlerFunc = manager.request_handler
        self._request_factory: RequestFactory = manager.request_factory
        self._handler_cancellation = handler_cancellation
        self._parser = HttpRequestParser(
            limits=config.limits,
            auto_decompress=config.auto_decompress,
            max_decompressed_size=config.max_decompressed_size,
            max_heads=_MAX_QUEUE,  # pipelined heads beyond wait unparsed (see _finish)
        )
        self._state = _IDLE
        self._queue: deque[_Item] = deque()
        self._receiving: StreamReader | None = None
        self._task: asyncio.Task[None] | None = None
        self._current_request: BaseRequest | None = None
        self._on_peer_closed: list[Callable[[], None]] | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._timer_when = 0.0
        self._idle_since = 0.0
        self._head_deadline: float | None = None
        self._handler_deadline: float | None = None
        self._timed_handlers = (
            config.handler_timeout is not None or config.websocket_handshake_timeout is not None
        )
        self._body_seen = 0.0
        self._cancel_reason: str | None = None
        self._max_concurrent = config.max_concurrent_requests
        self._shutdown_callback: Callable[[], Awaitable[object]] | None = None
        self._closing_task: asyncio.Task[object] | None = None
        self._fresh = True  # no request started yet on this connection
        self._owed_request: asyncio.Future[None] | None = None
        self._paused_reading = False
        self._paused_writing = False
        self._peer_eof = False
        self._drain_waiter: asyncio.Future[None] | None = None
        self._upgraded_parser: UpgradedParser | None = None
        self._tail = b""
        self._context: contextvars.Context | None = None
        self.transport: asyncio.Transport | None = None
        self._access_logger: AccessLoggerLike | None = None
        self._async_access_logger: AbstractAsyncAccessLogger | None = None
        cls = config.access_log_class
        if cls is not None and config.access_log is not None:
            if isinstance(cls, type) and issubclass(cls, AbstractAsyncAccessLogger):
                self._async_access_logger = cls()
            else:
                self._access_logger = cls(config.access_log, config.access_log_format)

    def __repr__(self) -> str:
        return f"<RequestHandler {self._state.name.lower()}>"

    # ------------------------------------------------------------------ public state

    @property
    def state(self) -> ConnState:
        return self._state

    @property
    def keepalive_timeout(self) -> float:
        return self._config.keepalive_timeout

    @property
    def writing_paused(self) -> bool:
        return self._paused_writing

    @property
    def current_request(self) -> BaseRequest | None:
        return self._current_request

    @property
    def logger(self) -> logging.Logger:
        return self._config.logger

    @property
    def debug(self) -> bool:
        return self._config.debug

    # ------------------------------------------------------------------ asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            _tune_tcp(sock, self._config.tcp_keepalive)
        self._context = contextvars.copy_context()
        now = self._loop.time()
        self._idle_since = now
        if self._config.keepalive_timeout > 0:
            # keepalive_timeout=0 (aiohttp): no reuse after a response, but no deadline
            # for the first request either
            self._arm_timer(now + self._config.keepalive_timeout)
        self._manager.connection_made(self, transport)

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

    def connection_lost(self, exc: BaseException | None) -> None:
        self._peer_gone()
        state = self._state
        self._state = _CLOSED
        self._manager.connection_lost(self, exc)
        self.transport = None
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        # Whoever reads a body that will never complete gets a clear error.
        for event in self._parser.feed_eof():
            if isinstance(event, HttpProcessingError) and self._receiving is not None:
                self._receiving.set_exception(event)
                self._receiving = None
        if self._receiving is not None:
            self._receiving.set_exception(ConnectionResetError("Connection lost"))
            self._receiving = None
        self._queue.clear()
        owed = self._owed_request
        if owed is not None:
            self._owed_request = None
            owed.set_result(None)
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_exception(ConnectionResetError("Connection lost"))
        if self._upgraded_parser is not None:
            self._upgraded_parser.feed_eof()
            self._upgraded_parser = None
        task = self._task
        if task is not None and state is not _CLOSED and self._handler_cancellation:
            task.cancel()

    def pause_writing(self) -> None:
        self._paused_writing = True

    def resume_writing(self) -> None:
        self._paused_writing = False
        waiter = self._drain_waiter
        if waiter is not None:
            self._drain_waiter = None
            if not waiter.done():
                waiter.set_result(None)

    async def _drain_helper(self) -> None:
        """Wait while the transport is over its high-water mark (used by PayloadWriter)."""
        if self.transport is None:
            raise ConnectionResetError("Connection lost")
        if not self._paused_writing:
            return
        waiter = self._drain_waiter
        if waiter is None:
            waiter = self._loop.create_future()
            self._drain_waiter = waiter
        await asyncio.shield(waiter)

    # Flow control asked for by body streams (``StreamReader``).
    def pause_reading(self) -> None:
        if not self._paused_reading and self.transport is not None:
            self._paused_reading = True
            try:
                self.transport.pause_reading()
            except (AttributeError, RuntimeError, NotImplementedError):
                pass

    def resume_reading(self) -> None:
        if self._paused_reading and self.transport is not None:
            self._paused_reading = False
            try:
                self.transport.resume_reading()
            except (AttributeError, RuntimeError, NotImplementedError):
                pass

    def eof_received(self) -> bool | None:
        """The peer closed its side: answer what it already sent, then close.

        With handler_cancellation the EOF is taken as the peer going away (as aiohttp does):
        the transport closes and the handler is cancelled.
        """
        self._peer_eof = True
        self._peer_gone()
        if self._state is _UPGRADED:
            return None  # the upgraded reader hears of it in connection_lost
        if self._parser.buffered:
            # Pipelined heads held back unparsed: nothing more comes, take them all now.
            self._parser.max_heads = 0
            self.data_received(b"")
        if self._handler_cancellation or (self._state is _IDLE and not self._queue):
            return None  # asyncio closes the transport; connection_lost follows
        for event in self._parser.feed_eof():
            if isinstance(event, HttpProcessingError):
                self._on_parse_error(event)
        if self._state is _IDLE and self._queue:
            self._state = _BUSY
            self._start(self._queue.popleft(), eager=True)
        return True  # keep the write side open for the responses still owed

    def data_received(self, data: bytes) -> None:
        state = self._state
        if state is _UPGRADED:
            self._feed_upgraded(data)
            return
        if state is _CLOSED:
            return
        queue = self._queue
        heads = 0
        for event in self._parser.feed(data):
            cls = type(event)
            if cls is Data:
                receiving = self._receiving
                if receiving is not None:
                    receiving.feed_data(event.data)  # type: ignore[union-attr]
                else:
                    self._store_tail(event.data)  # type: ignore[union-attr]
            elif cls is RequestHead:
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
            else:
                self._on_parse_error(event)  # type: ignore[arg-type]
        if heads:
            self._head_deadline = None
        elif state is _IDLE and data and not queue and self._head_deadline is None:
            timeout = self._config.client_head_timeout
            if timeout is not None:
                self._head_deadline = self._loop.time() + timeout
                self._arm_timer(self._head_deadline)
        if self._receiving is not None:
            self._body_progress()  # a body still on its way (a body that came whole costs nothing)
        if queue:
            if self._state is _IDLE:
                self._state = _BUSY
                self._start(queue.popleft(), eager=True)
            if len(queue) > _MAX_QUEUE or heads >= _MAX_QUEUE:
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

    # ------------------------------------------------------------------ public control

    def set_parser(self, parser: UpgradedParser) -> None:
        """Hand every further byte of the connection to ``parser`` (websocket upgrade)."""
        if self._upgraded_parser is not None:
            raise RuntimeError("a parser is already set on this connection")
        self._upgraded_parser = parser
        self._handler_deadline = None  # switched protocols: the handshake timeout is over
        if self._state is not _CLOSED:
            self._state = _UPGRADED
        tail, self._tail = self._tail, b""
        if tail:
            self._feed_upgraded(tail)
        if self._peer_eof and self._upgraded_parser is parser:
            # the peer finished sending before the upgrade completed: nothing more will come
            parser.feed_eof()
        self.resume_reading()

    def keep_alive(self, val: bool) -> None:
        """``keep_alive(False)``: close the connection after the current response."""
        if not val and self._state is _BUSY:
            self._state = _BUSY_LAST
        elif not val and self._state is _IDLE:
            self._close_transport()

    def close(self) -> None:
        """Stop keep-alive: close now when idle, else after the response in progress."""
        state = self._state
        if state is _IDLE:
            self._close_transport()
        elif state is _BUSY:
            self._state = _BUSY_LAST

    def force_close(self) -> None:
        """Close the connection now, dropping queued pipelined requests."""
        self._queue.clear()
        self._close_transport()

    def set_shutdown_callback(self, callback: Callable[[], Awaitable[object]]) -> None:
        """Have ``await callback()`` run when the server starts shutting down.

        For an upgraded connection that must say goodbye in its own protocol: a websocket
        sends a close frame with code 1001 (going away) before the server exits.
        """
        self._shutdown_callback = callback

    def pre_shutdown(self) -> None:
        """The server is shutting down: stop keep-alive, start the shutdown callback.

        An idle connection closes now, except one that is owed a request: accepted but no
        request started yet (the listener closed while its first bytes were on the way), or
        with part of a head received. That request is still served, with ``Connection:
        close``; ``shutdown()`` waits one second at most for it to start.
        """
        if self._state is _IDLE and (self._fresh or self._head_deadline is not None):
            if self._owed_request is None:
                self._owed_request = self._loop.create_future()
        else:
            self.close()
        callback = self._shutdown_callback
        if callback is not None and self._state is _UPGRADED:
            self._shutdown_callback = None
            self._closing_task = self._loop.create_task(callback())  # type: ignore[arg-type]

    async def shutdown(self, timeout: float | None = 15.0) -> None:
        """Let the handler in progress finish for up to ``timeout`` seconds, then close.

        A handler still running then is cancelled: a response not started yet becomes 503
        with ``Connection: close``; a response already started is cut off (the connection
        is aborted, so the client sees an incomplete message, never a complete one).
        """
        self.pre_shutdown()
        owed = self._owed_request
        if owed is not None:
            grace = _OWED_REQUEST_GRACE if timeout is None else min(timeout, _OWED_REQUEST_GRACE)
            started = self._loop.time()
            await asyncio.wait({owed}, timeout=grace)
            self._owed_request = None
            if timeout is not None:
                timeout = max(0.0, timeout - (self._loop.time() - started))
            self.close()  # still idle: nothing came; busy: close after this response
        task = self._task
        waiting: set[asyncio.Future[Any]] = set()
        if task is not None and not task.done():
            waiting.add(task)
        closing = self._closing_task
        if closing is not None and not closing.done():
            waiting.add(closing)
        if waiting:
            if timeout is None or timeout > 0:
                await asyncio.wait(waiting, timeout=timeout)
            task = self._task
            if task is not None and not task.done():
                self._cancel_reason = _SHUTDOWN
                task.cancel()
                await asyncio.wait({task})
            if closing is not None and not closing.done():
                closing.cancel()
                await asyncio.wait({closing})
        self.force_close()

    # ------------------------------------------------------------------ timers

    def _next_deadline(self) -> float:
        head_deadline = self._head_deadline
        if head_deadline is not None:
            return head_deadline  # a head is arriving: only its own deadline applies
        return self._idle_since + self._config.keepalive_timeout

    def _arm_timer(self, when: float) -> None:
        timer = self._timer
        if timer is not None:
            if self._timer_when <= when:
                return  # the earlier callback re-arms for later deadlines
            timer.cancel()
        self._timer_when = when
        self._timer = self._loop.call_at(when, self._on_timer)

    def _on_timer(self) -> None:
        self._timer = None
        state = self._state
        if state is _BUSY or state is _BUSY_LAST:
            self._on_busy_timer()
            return
        if state is not _IDLE:
            return
        now = self._loop.time()
        head_deadline = self._head_deadline
        if head_deadline is not None:
            if now < head_deadline:
                self._arm_timer(head_deadline)
                return
            # Part of a head arrived but not the rest in time (slowloris): 408, close.
            self._state = _CLOSED
            transport = self.transport
            if transport is not None:
                if not transport.is_closing():
                    text = error_text(408, "request head not received in time")
                    transport.write(_simple_response(408, text))
                transport.close()
            return
        if now >= self._idle_since + self._config.keepalive_timeout:
            self._close_transport()
            return
        self._arm_timer(self._next_deadline())

    def _on_busy_timer(self) -> None:
        """A request is in progress: the handler's deadline, then the body's stall timeout.

        Without either, nothing is re-armed: ``_finish`` arms the keep-alive timeout.
        """
        now = self._loop.time()
        when = math.inf
        deadline = self._handler_deadline
        if deadline is not None:
            if now >= deadline:
                self._handler_deadline = None
                task = self._task
                if task is not None and not task.done():
                    self._cancel_reason = _TIMEOUT
                    task.cancel()
                return
            when = deadline
        receiving = self._receiving
        timeout = self._config.client_body_timeout
        if receiving is not None and timeout is not None:
            if self._paused_reading:
                self._body_seen = now  # the server holds the body back, not the client
            stall = self._body_seen + timeout
            if now >= stall:
                self._body_stalled(receiving)
            elif stall < when:
                when = stall
        if when < math.inf:
            self._arm_timer(when)

    def _body_stalled(self, receiving: StreamReader) -> None:
        """No body bytes for ``client_body_timeout``: the reader fails with 408, then close."""
        self._receiving = None
        receiving.set_exception(
            HttpProcessingError(code=408, message="request body not received in time")
        )
        if self._state is _BUSY:
            self._state = _BUSY_LAST
        self.pause_reading()

    # ------------------------------------------------------------------ serving

    def _start(self, item: _Item, *, eager: bool) -> None:
        self._fresh = False
        owed = self._owed_request
        if owed is not None:  # the request a shutting-down server still serves: the last one
            self._owed_request = None
            self._state = _BUSY_LAST
            owed.set_result(None)
        coro: Coroutine[Any, Any, None]
        if type(item) is tuple:
            coro = self._handle(item[0], item[1])
        else:
            coro = self._serve_error(cast(HttpProcessingError, item))
        loop = self._loop
        if eager:
            # Called from a protocol callback: the current context is the connection's own,
            # untouched by any handler, so the task's implicit copy of it is clean.
            if _EAGER:
                task = asyncio.Task(coro, loop=loop, eager_start=True)  # type: ignore[call-arg,unused-ignore]
            else:
                task = asyncio.Task(coro, loop=loop)
        elif self._context is not None:
            # Called from the previous request's task: start from the connection's context,
            # not from whatever that handler set.
            if _TASK_CONTEXT:
                task = asyncio.Task(coro, loop=loop, context=self._context.copy())  # type: ignore[call-arg,unused-ignore]
            else:  # Python 3.10: a task copies the context it is created in
                task = self._context.run(loop.create_task, coro)
        else:
            task = loop.create_task(coro)
        if not task.done():
            self._task = task

    def _close_transport(self) -> None:
        self._state = _CLOSED
        transport = self.transport
        if transport is not None:
            transport.close()

    def _finish(self, keep: bool) -> None:
        """After a response: hand over to the next queued item, go idle, or close."""
        self._task = None
        if self._cancel_reason is not None:  # the handler swallowed its cancellation
            self._cancel_reason = None
        if self._handler_deadline is not None:
            self._handler_deadline = None
        if not keep or self._state is not _BUSY:
            self._close_transport()
            return
        queue = self._queue
        if queue:
            self._start(queue.popleft(), eager=False)
            if len(queue) <= _MAX_QUEUE // 2:
                if self._parser.buffered:
                    self.data_received(b"")  # the next batch of held-back pipelined heads
                if self._paused_reading and len(queue) <= _MAX_QUEUE // 2:
                    self.resume_reading()
            return
        if self._peer_eof:
            self._close_transport()
            return
        self._state = _IDLE
        self._idle_since = now = self._loop.time()
        if self._paused_reading:
            self.resume_reading()
        idle_deadline = now + self._config.keepalive_timeout
        if self._timer is None or self._timer_when > idle_deadline:
            self._arm_timer(idle_deadline)

    async def _serve_error(self, exc: HttpProcessingError) -> None:
        self._answer_parse_error(exc)
        self._finish(False)

    def _answer_parse_error(self, exc: HttpProcessingError) -> None:
        self._state = _BUSY_LAST
        transport = self.transport
        if transport is not None and not transport.is_closing():
            transport.write(_simple_response(exc.code or 400, error_text(exc.code, str(exc))))

    async def _handle(self, head: RequestHead, payload: StreamReader) -> None:
        """The task of one request: handler, response, body skipping, then ``_finish``.

        One coroutine per request (no nested helper coroutine): ``keep`` stays False on
        every early exit, including cancellation, so ``finally`` closes the connection.
        """
        keep = False
        counted = False
        try:
            loop = self._loop
            manager = self._manager
            manager.requests_count += 1
            if self._max_concurrent is not None:
                if manager.active_requests >= self._max_concurrent and not self._exempt(head):
                    keep = self._shed(head, payload)
                    return
                manager.active_requests += 1
                counted = True
            if self._timed_handlers:
                self._start_handler_deadline(head)
            writer = PayloadWriter(self)
            task: asyncio.Task[None] = asyncio.current_task(loop)  # type: ignore[assignment]
            try:
                request = self._request_factory(head, payload, self, writer, task)
            except HttpProcessingError as exc:
                self._answer_parse_error(exc)
                return
            except Exception:
                self.logger.exception("Error building the request object")
                self._answer_parse_error(HttpProcessingError(code=500, message=""))
                return
            access_logger = self._access_logger
            async_logger = self._async_access_logger
            start = (
                loop.time()
                if (access_logger is not None and access_logger.enabled)
                or (async_logger is not None and async_logger.enabled)
                else -1.0
            )
            self._current_request = request
            try:
                resp: StreamResponse | None
                try:
                    resp = await self._request_handler(request)
                except Exception as exc:
                    resp = self._failure_response(exc, request, writer)
                else:
                    # Response classes are ABC-registered MutableMappings: a plain isinstance
                    # goes through ABCMeta, so known classes are remembered.
                    if type(resp) not in _RESPONSE_TYPES and not _is_response(resp):
                        self.logger.error(
                            "Missing return statement on request handler: "
                            "expected a StreamResponse, got %r",
                            type(resp),
                        )
                        resp = (
                            None if writer.headers_written else self._error_response(request, 500)
                        )
                if resp is None:
                    return
                if self._state is not _BUSY and not resp.prepared:
                    resp.force_close()  # closing after this one: say so in the head
                try:
                    if (
                        resp._fast_send_ok
                        and resp._payload_writer is None
                        and not resp._eof_sent
                        and cast(Response, resp)._send_fast(request, writer)
                    ):
                        if self._paused_writing:
                            await writer.drain()
                    else:
                        await resp.prepare(request)
                        await resp.write_eof()
                except ConnectionError:
                    return
                except Exception as exc:
                    # Typically a bad header value refused by the serializer.
                    self.logger.exception("Error sending the response")
                    if writer.headers_written:
                        return
                    resp = self._error_response(request, 500, exc=exc)
                    await resp.prepare(request)
                    await resp.write_eof()
            except ConnectionError:
                return
            finally:
                self._current_request = None
            if start >= 0.0:
                try:
                    if async_logger is not None:
                        await async_logger.log(request, resp, loop.time() - start)
                    else:
                        access_logger.log(request, resp, loop.time() - start)  # type: ignore[union-attr]
                except Exception:
                    # a broken access logger costs its record, not the connection
                    self.logger.exception("Error in the access logger")
            if head.upgrade:
                if self._upgraded_parser is not None or resp.status == 101:
                    return  # the handler took the stream over: no more HTTP here
                # A declined or failed upgrade (a 400, a plain answer): as in aiohttp the
                # connection goes on as HTTP, with the bytes received after the request.
                self._parser.resume_http()
                tail, self._tail = self._tail, b""
                if tail:
                    self.data_received(tail)
            if not resp.keep_alive:
                return
            if payload is not EMPTY_PAYLOAD and not payload.is_eof():
                keep = await self._drain_body(head, payload)
            else:
                keep = payload.exception() is None
        except asyncio.CancelledError:
            reason = self._cancel_reason
            if reason is None:
                raise  # cancelled by someone else (handler_cancellation, the loop closing)
            self._cancel_reason = None
            current = asyncio.current_task()
            if current is not None and hasattr(current, "uncancel"):
                current.uncancel()  # handled here: the task is not being cancelled anymore
            self._answer_cancelled(reason, writer.headers_written)
        finally:
            if counted:
                self._manager.active_requests -= 1
            self._finish(keep)

    def _exempt(self, head: RequestHead) -> bool:
        """Whether the request is for a path load shedding never refuses (health checks)."""
        exempt = self._config.shed_exempt_paths
        return bool(exempt) and head.target.partition("?")[0] in exempt

    def _shed(self, head: RequestHead, payload: StreamReader) -> bool:
        """Over ``max_concurrent_requests``: 503 with Retry-After at once; True to keep alive."""
        close = payload is not EMPTY_PAYLOAD or not head.keep_alive or self._state is not _BUSY
        transport = self.transport
        if transport is not None and not transport.is_closing():
            retry = f"Retry-After: {self._config.shed_retry_after}\r\n"
            text = error_text(503, "too many requests in progress, retry later")
            transport.write(_simple_response(503, text, close=close, extra=retry))
        return not close

    def _start_handler_deadline(self, head: RequestHead) -> None:
        config = self._config
        timeout = config.websocket_handshake_timeout if head.upgrade else config.handler_timeout
        if timeout is not None:
            self._handler_deadline = deadline = self._loop.time() + timeout
            self._arm_timer(deadline)

    def _answer_cancelled(self, reason: str, started: bool) -> None:
        """The handler was cancelled by its timeout or by the shutdown timeout.

        Not started: 503 (shutdown) or ``handler_timeout_status``, then close. Started: abort
        the connection, so a chunked body lacks its last chunk and a sized one its end.
        """
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        self._state = _BUSY_LAST
        if started:
            transport.abort()
            return
        if reason is _TIMEOUT:
            status = self._config.handler_timeout_status
            text = error_text(status, "the request handler did not finish in time")
        else:
            status = 503
            text = error_text(status, "the server is shutting down")
        transport.write(_simple_response(status, text))

    def _failure_response(
        self, exc: Exception, request: BaseRequest, writer: PayloadWriter
    ) -> StreamResponse | None:
        """Turn a handler's exception into a response (None: the stream must just close)."""
        if isinstance(exc, HTTPException):
            return exc
        if isinstance(exc, ConnectionError):
            return None
        started = writer.headers_written
        if isinstance(exc, HttpProcessingError):
            # A malformed or oversized body found while the handler read it: 400/413.
            return None if started else self._error_response(request, exc.code or 400, str(exc))
        if isinstance(exc, asyncio.TimeoutError):
            self.logger.debug("Request handler timed out", exc_info=exc)
            return None if started else self._error_response(request, 504)
        self.logger.exception("Error handling request", exc_info=exc)
        return None if started else self._error_response(request, 500, exc=exc)

    def _error_response(
        self,
        request: BaseRequest,
        status: int,
        message: str = "",
        *,
        exc: BaseException | None = None,
    ) -> StreamResponse:
        """The server's own error page (HTML for a browser); tracebacks only in debug mode."""
        return error_response(
            status,
            accept=request.headers.get("Accept"),
            message=message,
            exc=exc if self._config.debug else None,
        )

    async def _drain_body(self, head: RequestHead, payload: StreamReader) -> bool:
        """Skip an unread body so the next pipelined request can be read; False to close."""
        if head.expect_continue and payload.total_bytes == 0:
            return False  # the client may still be waiting for "100 Continue": don't wait
        lingering = self._config.lingering_time
        if not lingering:
            return False
        self.resume_reading()
        end = self._loop.time() + lingering
        budget = _MAX_DRAIN
        try:
            while not payload.at_eof():
                remaining = end - self._loop.time()
                if remaining <= 0:
                    return False
                budget -= len(await asyncio.wait_for(payload.readany(), remaining))
                if budget < 0:
                    return False
        except (asyncio.TimeoutError, HttpProcessingError, ConnectionError):
            return False
        return self._state is _BUSY
