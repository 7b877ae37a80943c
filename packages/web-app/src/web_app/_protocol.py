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

One timer per connection (``_connection_timers``) serves the keep-alive timeout (idle
connection), the slow-head timeout (a head that does not complete in time is answered 408),
the slow-body timeout and the handler's deadline. It is armed once and re-armed from its own
callback, so a busy keep-alive connection creates no timer per request.

``RequestHandler`` is built in layers, each the base class of the next (so every method is
still a plain method of one class, at no cost per call): ``_connection_state`` (fields,
``ConnState``, the public controls), ``_error_answers`` (what the connection writes itself),
``_connection_timers``, ``_connection_io`` (asyncio's callbacks, parser events, flow
control, upgrades), and this module: construction and the request task.
"""

from __future__ import annotations

import asyncio
import contextvars
import socket
import sys
import time
import warnings
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any, Final, Protocol, cast

from web_http import (
    EMPTY_PAYLOAD,
    HttpProcessingError,
    HttpRequestParser,
    RequestHead,
    StreamReader,
)

from ._access_log import AbstractAsyncAccessLogger
from ._connection_io import ConnectionIO, tune_tcp
from ._connection_state import BUSY, BUSY_LAST, CLOSED, IDLE, MAX_QUEUE, Item
from ._exceptions import HTTPException
from ._handler_config import HandlerConfig
from ._response import Response
from ._stream_response import StreamResponse
from ._writer import PayloadWriter

if TYPE_CHECKING:
    from ._base_request import BaseRequest

__all__ = (
    "AccessLoggerLike",
    "ConnectionManager",
    "RequestHandler",
    "RequestFactory",
    "RequestHandlerFunc",
)

RequestHandlerFunc = Callable[["BaseRequest"], Awaitable[StreamResponse]]
RequestFactory = Callable[
    [RequestHead, StreamReader, "RequestHandler", PayloadWriter, "asyncio.Task[None]"],
    "BaseRequest",
]

_EAGER: Final = sys.version_info >= (3, 12)
_TASK_CONTEXT: Final = sys.version_info >= (3, 11)
#: An unread body longer than this is not skipped: the connection closes instead.
_MAX_DRAIN: Final = 2**20


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


class RequestHandler(ConnectionIO):
    """Serve HTTP/1.1 requests on one connection (keep-alive, pipelining, upgrades).

    Its layers, bottom first: ``_connection_state``, ``_error_answers``,
    ``_connection_timers``, ``_connection_io``; this class adds the request task.
    """

    __slots__ = (
        "_access_logger",
        "_async_access_logger",
        "_logs_access",
        "_manager",
        "_request_factory",
        "_request_handler",
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
        # asyncio's own loop.time() is time.monotonic(): called directly, a Python call less
        # (never look at vars(loop): that makes its attributes slower for the loop's own code)
        self._clock = (
            time.monotonic
            if type(self._loop).time is asyncio.BaseEventLoop.time
            else self._loop.time
        )
        self._request_handler: RequestHandlerFunc = manager.request_handler
        self._request_factory: RequestFactory = manager.request_factory
        self._handler_cancellation = handler_cancellation
        self._parser = HttpRequestParser(
            limits=config.limits,
            auto_decompress=config.auto_decompress,
            max_decompressed_size=config.max_decompressed_size,
            max_heads=MAX_QUEUE,  # pipelined heads beyond wait unparsed (see _finish)
        )
        self._state = IDLE
        self._queue = deque()
        self._receiving = None
        self._task = None
        self._current_request = None
        self._on_peer_closed = None
        self._timer = None
        self._timer_when = 0.0
        self._idle_since = 0.0
        self._head_deadline = None
        self._handler_deadline = None
        self._timed_handlers = (
            config.handler_timeout is not None or config.websocket_handshake_timeout is not None
        )
        self._body_seen = 0.0
        self._cancel_reason = None
        self._max_concurrent = config.max_concurrent_requests
        self._shutdown_callback = None
        self._closing_task = None
        self._fresh = True  # no request started yet on this connection
        self._owed_request = None
        self._paused_reading = False
        self._paused_writing = False
        self._peer_eof = False
        self._drain_waiter = None
        self._upgraded_parser = None
        self._tail = b""
        self._context = None
        self.transport = None
        self._access_logger: AccessLoggerLike | None = None
        self._async_access_logger: AbstractAsyncAccessLogger | None = None
        cls = config.access_log_class
        if cls is not None and config.access_log is not None:
            if isinstance(cls, type) and issubclass(cls, AbstractAsyncAccessLogger):
                self._async_access_logger = cls()
            else:
                self._access_logger = cls(config.access_log, config.access_log_format)
        self._logs_access = cls is not None and config.access_log is not None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]  # a stream transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            tune_tcp(sock, self._config.tcp_keepalive)
        self._context = contextvars.copy_context()
        now = self._loop.time()
        self._idle_since = now
        if self._config.keepalive_timeout > 0:
            # keepalive_timeout=0 (aiohttp): no reuse after a response, but no deadline
            # for the first request either
            self._arm_timer(now + self._config.keepalive_timeout)
        self._manager.connection_made(self, transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        self._peer_gone()
        state = self._state
        self._state = CLOSED
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
        if task is not None and state is not CLOSED and self._handler_cancellation:
            task.cancel()

    def _start(self, item: Item, *, eager: bool) -> None:
        self._fresh = False
        owed = self._owed_request
        if owed is not None:  # the request a shutting-down server still serves: the last one
            self._owed_request = None
            self._state = BUSY_LAST
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
                if task.done():
                    return  # it ran to its end inside the constructor
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
        self._task = task  # only an eager start can finish the task before this

    def _finish(self, keep: bool) -> None:
        """After a response: hand over to the next queued item, go idle, or close."""
        self._task = None
        if self._cancel_reason is not None:  # the handler swallowed its cancellation
            self._cancel_reason = None
        if self._handler_deadline is not None:
            self._handler_deadline = None
        if not keep or self._state is not BUSY:
            self._close_transport()
            return
        queue = self._queue
        if queue:
            self._start(queue.popleft(), eager=False)
            if len(queue) <= MAX_QUEUE // 2:
                if self._parser.buffered:
                    self.data_received(b"")  # the next batch of held-back pipelined heads
                if self._paused_reading and len(queue) <= MAX_QUEUE // 2:
                    self.resume_reading()
            return
        if self._peer_eof:
            self._close_transport()
            return
        self._state = IDLE
        self._idle_since = now = self._clock()
        if self._paused_reading:
            self.resume_reading()
        idle_deadline = now + self._config.keepalive_timeout
        if self._timer is None or self._timer_when > idle_deadline:
            self._arm_timer(idle_deadline)

    async def _serve_error(self, exc: HttpProcessingError) -> None:
        self._answer_parse_error(exc)
        self._finish(False)

    async def _handle(self, head: RequestHead, payload: StreamReader) -> None:
        """The task of one request: handler, response, body skipping, then ``_finish``.

        One coroutine per request (no nested helper coroutine): ``keep`` stays False on
        every early exit, including cancellation, so ``finally`` closes the connection.
        """
        keep = False
        counted = False
        try:
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
            # Before 3.12 the task _start stored before the loop ran it (asyncio.current_task is
            # Python there); 3.12 starts it inside the Task constructor, before _start stores it.
            task: asyncio.Task[None] = (
                asyncio.current_task(self._loop) if _EAGER else self._task  # type: ignore[assignment]
            )
            try:
                request = self._request_factory(head, payload, self, writer, task)
            except HttpProcessingError as exc:
                self._answer_parse_error(exc)
                return
            except Exception:
                self.logger.exception("Error building the request object")
                self._answer_parse_error(HttpProcessingError(code=500, message=""))
                return
            start = -1.0
            if self._logs_access:  # either logger (one test for a server without)
                access_logger = self._access_logger
                async_logger = self._async_access_logger
                if (access_logger is not None and access_logger.enabled) or (
                    async_logger is not None and async_logger.enabled
                ):
                    start = self._clock()
            self._current_request = request
            keep_alive: bool | None = None  # known without a property call after _send_fast
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
                if self._state is not BUSY and not resp.prepared:
                    resp.force_close()  # closing after this one: say so in the head
                try:
                    if (
                        resp._fast_send_ok
                        and resp._payload_writer is None
                        and not resp._eof_sent
                        # _fast_send_ok is true only on a Response (no cast(): a call per request)
                        and resp._send_fast(request, writer)  # type: ignore[attr-defined]
                    ):
                        keep_alive = resp._keep_alive
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
                        await async_logger.log(request, resp, self._clock() - start)
                    else:
                        access_logger.log(request, resp, self._clock() - start)  # type: ignore[union-attr]
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
            if keep_alive is None or start >= 0.0:  # a logger may have called force_close()
                keep_alive = resp.keep_alive
            if not keep_alive:
                return
            if payload is EMPTY_PAYLOAD:
                keep = True  # the shared empty body never holds an error
            elif not payload.is_eof():
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

    def _start_handler_deadline(self, head: RequestHead) -> None:
        config = self._config
        timeout = config.websocket_handshake_timeout if head.upgrade else config.handler_timeout
        if timeout is not None:
            self._handler_deadline = deadline = self._loop.time() + timeout
            self._arm_timer(deadline)

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
        return self._state is BUSY
