"""The state of one connection: its fields, ``ConnState``, and the controls that move it.

``RequestHandler`` (``_protocol.py``) is built in layers, one module each, bottom first: this
state, the error answers written before any request object exists (``_error_answers``), the
timers (``_connection_timers``), the byte stream (``_connection_io``), then the request task
(``_protocol``). Each layer is the base class of the next, so every method stays one plain
method of ``RequestHandler``: the split costs no call and no lookup.
"""

from __future__ import annotations

import asyncio
import contextvars
import enum
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Final

from web_http import HttpProcessingError, HttpRequestParser, RequestHead, StreamReader

from ._handler_config import HandlerConfig
from ._types import UpgradedParser

if TYPE_CHECKING:
    from ._base_request import BaseRequest

__all__ = ("ConnState", "ConnectionState", "Item")

#: Queued pipelined requests beyond this pause reading until the queue drains.
MAX_QUEUE: Final = 32
#: Why the protocol cancelled a handler (``_cancel_reason``), hence what the client gets.
TIMEOUT: Final = "timeout"
SHUTDOWN: Final = "shutdown"
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


IDLE: Final = ConnState.IDLE
BUSY: Final = ConnState.BUSY
BUSY_LAST: Final = ConnState.BUSY_LAST
UPGRADED: Final = ConnState.UPGRADED
CLOSED: Final = ConnState.CLOSED

#: What the connection queues: a request head with its body stream, or a broken head's error.
Item = tuple[RequestHead, StreamReader] | HttpProcessingError


class ConnectionState(asyncio.Protocol):
    """A connection's fields, public state and controls (``RequestHandler`` is the class)."""

    __slots__ = (
        "_body_seen",
        "_cancel_reason",
        "_clock",
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
        "_max_concurrent",
        "_on_peer_closed",
        "_owed_request",
        "_parser",
        "_paused_reading",
        "_paused_writing",
        "_peer_eof",
        "_queue",
        "_receiving",
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

    # Set by RequestHandler.__init__.
    _body_seen: float
    _cancel_reason: str | None
    #: ``loop.time``, or ``time.monotonic`` when that is all it calls (see ``__init__``).
    _clock: Callable[[], float]
    _closing_task: asyncio.Task[object] | None
    _config: HandlerConfig
    _context: contextvars.Context | None
    _current_request: BaseRequest | None
    _drain_waiter: asyncio.Future[None] | None
    _fresh: bool
    _handler_cancellation: bool
    _handler_deadline: float | None
    _head_deadline: float | None
    _idle_since: float
    _loop: asyncio.AbstractEventLoop
    _max_concurrent: int | None
    _on_peer_closed: list[Callable[[], None]] | None
    _owed_request: asyncio.Future[None] | None
    _parser: HttpRequestParser
    _paused_reading: bool
    _paused_writing: bool
    _peer_eof: bool
    _queue: deque[Item]
    _receiving: StreamReader | None
    _shutdown_callback: Callable[[], Awaitable[object]] | None
    _state: ConnState
    _tail: bytes
    _task: asyncio.Task[None] | None
    _timed_handlers: bool
    _timer: asyncio.TimerHandle | None
    _timer_when: float
    _upgraded_parser: UpgradedParser | None
    transport: asyncio.Transport | None

    # ------------------------------------------------------------------ public state

    def __repr__(self) -> str:
        return f"<RequestHandler {self._state.name.lower()}>"

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

    def _close_transport(self) -> None:
        self._state = CLOSED
        transport = self.transport
        if transport is not None:
            transport.close()

    # ------------------------------------------------------------------ public control

    def keep_alive(self, val: bool) -> None:
        """``keep_alive(False)``: close the connection after the current response."""
        if not val and self._state is BUSY:
            self._state = BUSY_LAST
        elif not val and self._state is IDLE:
            self._close_transport()

    def close(self) -> None:
        """Stop keep-alive: close now when idle, else after the response in progress."""
        state = self._state
        if state is IDLE:
            self._close_transport()
        elif state is BUSY:
            self._state = BUSY_LAST

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
        if self._state is IDLE and (self._fresh or self._head_deadline is not None):
            if self._owed_request is None:
                self._owed_request = self._loop.create_future()
        else:
            self.close()
        callback = self._shutdown_callback
        if callback is not None and self._state is UPGRADED:
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
                self._cancel_reason = SHUTDOWN
                task.cancel()
                await asyncio.wait({task})
            if closing is not None and not closing.done():
                closing.cancel()
                await asyncio.wait({closing})
        self.force_close()
