"""The receive side of a server websocket: the feeder the connection hands every byte to,
the message queue with its flow control, ``receive`` and ``async for``.

A data message that arrives while ``receive()`` (or ``async for``) waits is handed over in the
waiter itself: no queue round trip, no flow-control bookkeeping. Everything else (control
messages, messages nobody waits for) is queued; past ``_READ_LIMIT`` queued bytes the
connection stops reading until the handler catches up.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, Final

from ._models import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WebSocketError,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)
from ._reader import WebSocketReader
from ._ws_sending import WebSocketSending

__all__ = ("Feeder", "WebSocketReceiving")

#: receive() on a closed websocket this many times raises instead of returning CLOSED,
#: so a handler looping without checking the message type cannot spin forever.
_THRESHOLD_CONNLOST_ACCESS: Final = 5
#: Queued message bytes above which the connection stops reading from the socket.
_READ_LIMIT: Final = 2**16

_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY
_PING: Final = WSMsgType.PING
_PONG: Final = WSMsgType.PONG
_CLOSE: Final = WSMsgType.CLOSE
_CLOSING: Final = WSMsgType.CLOSING
_CLOSED: Final = WSMsgType.CLOSED
_ERROR: Final = WSMsgType.ERROR
_ITER_END: Final = frozenset((_CLOSE, _CLOSING, _CLOSED))
#: Queued messages whose size counts toward _READ_LIMIT, and what each costs beyond its data.
_COUNTED: Final = frozenset((_TEXT, _BINARY, _PING, _PONG))
_MESSAGE_OVERHEAD: Final = 64


class Feeder:
    """What the connection feeds after the upgrade (``UpgradedParser``): bytes to messages."""

    __slots__ = ("_reader", "_ws")

    def __init__(self, ws: WebSocketReceiving, reader: WebSocketReader) -> None:
        self._ws = ws
        self._reader = reader

    def feed_data(self, data: bytes, /) -> None:
        ws = self._ws
        if ws._heartbeat is not None:
            ws._last_rx = ws._loop.time()
        reader = self._reader
        message = reader.feed_one(data)
        if message is not None:
            # One small data message (the usual case): straight to a waiting receive().
            waiter = ws._waiter
            if waiter is not None and not ws._queue and not ws._closed and not waiter.done():
                waiter.set_result(message)
            else:
                ws._push(message)
            return
        for message in reader.feed(data):
            ws._push(message)

    def feed_eof(self) -> None:
        self._ws._push_eof()


class WebSocketReceiving(WebSocketSending):
    """The incoming queue and the receive API."""

    # ------------------------------------------------------------------ incoming (feeder)

    def _push(self, message: WSMessage) -> None:
        mtype = message.type
        if mtype is _BINARY or mtype is _TEXT:
            if self._closed:
                return  # receive() reports CLOSED from now on
            waiter = self._waiter
            if waiter is not None and not self._queue and not waiter.done():
                # A receive() is waiting and nothing is queued before this message: hand it
                # over in the future itself; no queue round trip, no flow-control bookkeeping.
                waiter.set_result(message)
                return
        elif mtype is _CLOSE:
            self._peer_close = message
            self._wake_close()
        elif mtype is _ERROR:
            self._eof = True  # the reader stopped: nothing more will come
            self._wake_close()
        if self._closed:
            return  # receive() reports CLOSED from now on; close() got what it needs
        self._queue.append(message)
        if mtype in _COUNTED:
            # Pings count too: a ping flood to a busy handler must not grow the queue forever.
            self._queued += len(message.data) + _MESSAGE_OVERHEAD
            if self._queued > _READ_LIMIT and not self._paused and self._conn is not None:
                self._paused = True
                self._conn.pause_reading()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _push_eof(self) -> None:
        self._eof = True
        self._wake_close()
        self._cancel_heartbeat()
        if not self._closed:
            self._push(WS_CLOSED_MESSAGE)

    # ------------------------------------------------------------------ receiving

    def _take(self) -> WSMessage:
        """Pop the oldest queued message; resume reading once the queue has drained enough."""
        message = self._queue.popleft()
        if message.type in _COUNTED:
            self._queued -= len(message.data) + _MESSAGE_OVERHEAD
            if self._paused and self._queued <= _READ_LIMIT // 2 and self._conn is not None:
                self._paused = False
                self._conn.resume_reading()
        return message

    def _unwait(self, waiter: asyncio.Future[WSMessage | None]) -> None:
        """The waiting receive() was cancelled or timed out: a message already handed to it
        goes back to the front of the queue, so it is not lost to the next receive()."""
        self._waiter = None
        if waiter.done() and not waiter.cancelled():
            message = waiter.result()
            if message is not None:
                self._queue.appendleft(message)
                self._queued += len(message.data) + _MESSAGE_OVERHEAD
        else:
            waiter.cancel()

    async def _next(self, timeout: float | None) -> WSMessage | None:
        """The next message, waiting for it if none is queued; None when woken with nothing
        to read (a concurrent close() emptied the queue): the caller checks the state again."""
        if self._queue:
            return self._take()
        waiter: asyncio.Future[WSMessage | None] = self._loop.create_future()
        self._waiter = waiter
        try:
            if timeout is None:
                message = await waiter
            else:
                # A timeout leaves the websocket open: the caller may receive again.
                message = await asyncio.wait_for(waiter, timeout)
        except BaseException:
            self._unwait(waiter)
            raise
        self._waiter = None
        if message is None and self._queue:
            return self._take()
        return message

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next data message (TEXT, BINARY; PING/PONG without ``autoping``), or CLOSE,
        CLOSING, CLOSED or ERROR; pings, pongs and the closing handshake are handled here."""
        # Fast path (the same as in __anext__): open, no other receiver, no timeout, and the
        # next message is data, queued or handed over by the feeder when it arrives.
        if (
            self._waiter is None
            and not self._closed
            and not self._closing
            and self._frames is not None
            and (timeout or self._receive_timeout) is None
        ):
            queue = self._queue
            if not queue:
                waiter: asyncio.Future[WSMessage | None] = self._loop.create_future()
                self._waiter = waiter
                try:
                    message = await waiter
                except BaseException:
                    self._unwait(waiter)
                    raise
                self._waiter = None
                if message is not None:
                    return message
            elif queue[0].type is _BINARY or queue[0].type is _TEXT:
                return self._take()
        return await self._receive(timeout)

    async def _receive(self, timeout: float | None) -> WSMessage:
        if self._frames is None:
            raise RuntimeError("Call .prepare() first")
        while True:
            if self._waiter is not None:
                raise RuntimeError("Concurrent call to receive() is not allowed")
            if self._closed and not self._queue:
                self._conn_lost += 1
                if self._conn_lost >= _THRESHOLD_CONNLOST_ACCESS:
                    raise RuntimeError("WebSocket connection is closed.")
                return WS_CLOSED_MESSAGE
            if self._closing:
                return WS_CLOSING_MESSAGE
            message = await self._next(timeout or self._receive_timeout)
            if message is None:
                continue
            mtype = message.type
            if mtype is _TEXT or mtype is _BINARY:
                return message
            if mtype is _PING:
                if self._autoping:
                    try:
                        await self.pong(message.data)
                    except ConnectionError:
                        pass
                    continue
            elif mtype is _PONG:
                if self._autoping:
                    continue
            elif mtype is _CLOSE:
                self._closing = True
                self._close_code = message.data
                if not self._closed and self._autoclose:
                    await self.close(code=message.data or WSCloseCode.OK, drain=False)
            elif mtype is _CLOSING:
                self._closing = True
            elif mtype is _CLOSED:
                if self._close_code is None:
                    self._close_code = WSCloseCode.ABNORMAL_CLOSURE
                self._closed = True
                self._close_transport()
            elif mtype is _ERROR:
                exc = message.data
                self._exception = exc
                if isinstance(exc, WebSocketError):
                    if self._close_code is None:
                        self._close_code = exc.code
                    await self.close(code=exc.code)
            return message

    async def receive_str(self, *, timeout: float | None = None) -> str:
        """``receive()`` a TEXT message; ``TypeError`` for any other type.

        With ``decode_text=False`` the message's UTF-8 bytes are returned (typed ``str``
        here for the common case; aiohttp 3.14 types it by the flag).
        """
        message = await self.receive(timeout)
        if message.type is not _TEXT:
            raise TypeError(f"Received message {message.type}:{message.data!r} is not TEXT")
        text: str = message.data
        return text

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        """``receive()`` a BINARY message; ``TypeError`` for any other type."""
        message = await self.receive(timeout)
        if message.type is not _BINARY:
            raise TypeError(f"Received message {message.type}:{message.data!r} is not BINARY")
        data: bytes = message.data
        return data

    async def receive_json(
        self,
        *,
        loads: Callable[[str], Any] | Callable[[bytes], Any] = json.loads,
        timeout: float | None = None,
    ) -> Any:
        """``receive_str()`` decoded with ``loads`` (given bytes with ``decode_text=False``)."""
        data: Any = await self.receive_str(timeout=timeout)
        return loads(data)

    def __aiter__(self) -> WebSocketReceiving:
        return self

    async def __anext__(self) -> WSMessage:
        # receive()'s fast path, inlined: ``async for`` is how most handlers read, and one
        # coroutine level less per message is measurable.
        if (
            self._waiter is None
            and not self._closed
            and not self._closing
            and self._frames is not None
            and self._receive_timeout is None
        ):
            queue = self._queue
            if not queue:
                waiter: asyncio.Future[WSMessage | None] = self._loop.create_future()
                self._waiter = waiter
                try:
                    message = await waiter
                except BaseException:
                    self._unwait(waiter)
                    raise
                self._waiter = None
                if message is not None:
                    return message
            elif queue[0].type is _BINARY or queue[0].type is _TEXT:
                return self._take()
        message = await self._receive(None)
        if message.type in _ITER_END:
            raise StopAsyncIteration
        return message
