"""``WebSocketResponse``: the server side of one websocket, on top of a ``StreamResponse``.

Theory of operation
-------------------
``prepare`` validates the handshake, sends the 101 head, then installs a ``_Feeder`` on the
connection (``RequestHandler.set_parser``): from then on every received byte goes through
the sans-IO ``WebSocketReader`` and the resulting messages land in a queue that ``receive``
pops. Frames are written straight to the transport (a websocket has no HTTP body framing);
back-pressure is the connection's own ``pause_writing`` signal.

Closing has three ways in: we call ``close`` (send CLOSE, wait up to ``timeout`` for the
peer's CLOSE), the peer sends CLOSE (with ``autoclose`` we answer it and close the
transport), or the link fails (protocol error, heartbeat timeout, lost connection: close
code 1002/1007/1009/1006). The peer's CLOSE and the end of the stream are recorded by the
feeder as they arrive, so a ``close`` waiting for them never has to read the queue.
"""

from __future__ import annotations

import asyncio
import json
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, Final

from web_app import HTTPBadRequest, HTTPMethodNotAllowed, StreamResponse

from ._deflate import Deflater, Inflater
from ._handshake import HandshakeError, HandshakeResult, check_handshake
from ._models import (
    WS_CLOSED_MESSAGE,
    WS_CLOSING_MESSAGE,
    WebSocketError,
    WebSocketReady,
    WSCloseCode,
    WSMessage,
    WSMsgType,
)
from ._reader import WebSocketReader
from ._writer import FrameWriter

if TYPE_CHECKING:
    from web_app import BaseRequest, PayloadWriter, RequestConnection

__all__ = ("WebSocketResponse",)

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
#: The two header bytes of a final, unmasked, uncompressed frame of 0..125 bytes, built once:
#: a small message is sent as ``head[len] + payload`` in one ``transport.write``.
_BINARY_HEADS: Final = tuple(bytes((0x82, size)) for size in range(126))
_TEXT_HEADS: Final = tuple(bytes((0x81, size)) for size in range(126))


class _Feeder:
    """What the connection feeds after the upgrade (``UpgradedParser``): bytes to messages."""

    __slots__ = ("_reader", "_ws")

    def __init__(self, ws: WebSocketResponse, reader: WebSocketReader) -> None:
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


class WebSocketResponse(StreamResponse):
    """Server side of a websocket: ``prepare`` it, then ``receive`` / ``send_*`` / ``close``."""

    auto_framing = False

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
        self._close_waiter: asyncio.Future[None] | None = None
        self._last_rx = 0.0
        self._ping_sent = 0.0
        self._heartbeat_handle: asyncio.TimerHandle | None = None

    # ------------------------------------------------------------------ handshake

    def _handshake(self, request: BaseRequest) -> HandshakeResult:
        return check_handshake(
            request.method,
            request.headers,
            protocols=self._protocols,
            compress=bool(self._compress),
            http_version=request.version,
        )

    def can_prepare(self, request: BaseRequest) -> WebSocketReady:
        """Whether ``prepare(request)`` would succeed, and the subprotocol it would choose."""
        if self._frames is not None:
            raise RuntimeError("Already started")
        try:
            result = self._handshake(request)
        except HandshakeError:
            return WebSocketReady(False, None)
        return WebSocketReady(True, result.protocol)

    async def prepare(self, request: BaseRequest) -> PayloadWriter | None:
        """Answer the handshake (101) and start the websocket; ``HTTPBadRequest`` (400) or
        ``HTTPMethodNotAllowed`` (405) if the request is not a valid upgrade."""
        if self.prepared:
            return self.payload_writer
        try:
            result = self._handshake(request)
        except HandshakeError as exc:
            if exc.status == 405:
                raise HTTPMethodNotAllowed(request.method, ["GET"]) from None
            raise HTTPBadRequest(text=str(exc), headers=exc.headers or None) from None
        transport = request.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Connection lost")  # as aiohttp: nobody to answer
        # A handshake answer is a 101 whatever set_status() said before (aiohttp forces it too):
        # any other status with a websocket behind it would be a broken connection.
        self.set_status(101)
        headers = self.headers
        for name, value in result.headers:
            headers[name] = value
        self._ws_protocol = result.protocol
        deflate = result.deflate
        inflater = None
        deflater = None
        if deflate is not None:
            inflater = Inflater(no_context_takeover=deflate.client_no_context_takeover)
            deflater = Deflater(
                no_context_takeover=deflate.server_no_context_takeover,
                window_bits=deflate.server_max_window_bits,
            )
            self._compress = deflate.server_max_window_bits
        else:
            self._compress = 0
        writer = await super().prepare(request)
        self._loop = request.loop
        self._conn = request.protocol
        if self._writer_limit != 2**16 and transport is not None:
            # Sends wait for the peer once this much is buffered (asyncio's default is 64 KiB).
            transport.set_write_buffer_limits(high=self._writer_limit)
        self._ws_writer = writer
        self._frames = FrameWriter(deflater=deflater)
        self._plain = deflater is None
        reader = self._reader = WebSocketReader(
            masked=True,
            max_msg_size=self._max_msg_size,
            inflater=inflater,
            decode_text=self._decode_text,
        )
        if self._heartbeat is not None:
            self._last_rx = self._loop.time()
            self._heartbeat_handle = self._loop.call_later(self._heartbeat, self._on_heartbeat)
        protocol = request.protocol
        protocol.set_parser(_Feeder(self, reader))
        on_shutdown = getattr(protocol, "set_shutdown_callback", None)
        if on_shutdown is not None:
            on_shutdown(self._going_away)
        return writer

    async def _going_away(self) -> None:
        """The server shuts down: tell the peer with a close frame, code 1001 (going away)."""
        if self._frames is not None and not self._closed:
            await self.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

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
            waiter.set_result(None)

    # ------------------------------------------------------------------ heartbeat

    def _cancel_heartbeat(self) -> None:
        handle = self._heartbeat_handle
        if handle is not None:
            self._heartbeat_handle = None
            handle.cancel()

    def _on_heartbeat(self) -> None:
        """Ping unless something was received in the last ``heartbeat`` seconds."""
        self._heartbeat_handle = None
        heartbeat = self._heartbeat
        if heartbeat is None or self._closed or self._frames is None:
            return
        loop = self._loop
        now = loop.time()
        due = self._last_rx + heartbeat
        if due > now:
            self._heartbeat_handle = loop.call_at(due, self._on_heartbeat)
            return
        try:
            self._write(self._frames.encode(_PING, b""))
        except ConnectionError:
            return
        self._ping_sent = now
        self._heartbeat_handle = loop.call_at(now + heartbeat / 2, self._on_pong_deadline)

    def _on_pong_deadline(self) -> None:
        self._heartbeat_handle = None
        heartbeat = self._heartbeat
        if heartbeat is None or self._closed:
            return
        if self._last_rx >= self._ping_sent:
            # Something (the pong, or any data) came back: the peer is alive.
            self._heartbeat_handle = self._loop.call_at(
                self._last_rx + heartbeat, self._on_heartbeat
            )
            return
        exc = asyncio.TimeoutError(f"No PONG received after {heartbeat / 2} seconds")
        self._exception = exc
        self._close_code = WSCloseCode.ABNORMAL_CLOSURE
        self._drop_queue()
        self._closed = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            # as aiohttp: a receive() waiting now gets the ERROR, a later one gets CLOSED
            self._queue.append(WSMessage(_ERROR, exc, None))
            waiter.set_result(None)
        self._close_transport()

    # ------------------------------------------------------------------ sending

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

    async def send_frame(
        self, message: bytes, opcode: WSMsgType | int, compress: int | None = None
    ) -> None:
        """Send one message with ``opcode``; ``compress`` sets window bits for this message."""
        frames = self._frames
        conn = self._conn
        if frames is None or conn is None:
            raise RuntimeError("Call .prepare() first")
        if self._closed:
            # Nothing may follow our CLOSE frame (RFC 6455 section 5.5.1).
            raise ConnectionResetError("Cannot send on a closed websocket")
        data = frames.encode(opcode, message, compress=compress)
        transport = conn.transport
        if transport is None or transport.is_closing():
            raise ConnectionResetError("Cannot write to closing transport")
        transport.write(data)
        if conn.writing_paused and self._ws_writer is not None:
            await self._ws_writer.drain()

    async def send_str(self, data: str, compress: int | None = None) -> None:
        """Send a TEXT message."""
        if type(data) is not str and not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data).__name__!r})")
        payload = data.encode("utf-8")
        conn = self._conn
        if len(payload) < 126 and self._plain and not self._closed and conn is not None:
            # Same as send_bytes' small-frame path.
            transport = conn.transport
            if transport is None or transport.is_closing():
                raise ConnectionResetError("Cannot write to closing transport")
            transport.write(_TEXT_HEADS[len(payload)] + payload)
            if conn.writing_paused and self._ws_writer is not None:
                await self._ws_writer.drain()
            return
        await self.send_frame(payload, _TEXT, compress)

    async def send_bytes(
        self, data: bytes | bytearray | memoryview, compress: int | None = None
    ) -> None:
        """Send a BINARY message."""
        if type(data) is bytes:
            conn = self._conn
            if len(data) < 126 and self._plain and not self._closed and conn is not None:
                # The common case, inlined: one small frame (prepared, uncompressed, open),
                # its header from a table, one write, and a drain only when paused.
                transport = conn.transport
                if transport is None or transport.is_closing():
                    raise ConnectionResetError("Cannot write to closing transport")
                transport.write(_BINARY_HEADS[len(data)] + data)
                if conn.writing_paused and self._ws_writer is not None:
                    await self._ws_writer.drain()
                return
        elif not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data).__name__!r})")
        await self.send_frame(bytes(data), _BINARY, compress)

    async def send_json(
        self,
        data: Any,
        compress: int | None = None,
        *,
        dumps: Callable[[Any], str] = json.dumps,
    ) -> None:
        """Send ``dumps(data)`` as a TEXT message."""
        await self.send_str(dumps(data), compress=compress)

    async def send_json_bytes(
        self,
        data: Any,
        compress: int | None = None,
        *,
        dumps: Callable[[Any], bytes],
    ) -> None:
        """Send ``dumps(data)`` (an encoder returning bytes, such as orjson) as BINARY."""
        await self.send_bytes(dumps(data), compress=compress)

    async def ping(self, message: bytes | str = b"") -> None:
        """Send a PING (at most 125 bytes)."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        await self.send_frame(message, _PING)

    async def pong(self, message: bytes | str = b"") -> None:
        """Send an unsolicited PONG (at most 125 bytes)."""
        if isinstance(message, str):
            message = message.encode("utf-8")
        await self.send_frame(message, _PONG)

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        raise RuntimeError("Cannot call .write() for websocket")

    async def write_eof(self, data: bytes | bytearray | memoryview = b"") -> None:
        """End the response: close the websocket (the handler returned)."""
        if self.eof_sent:
            return
        if self.payload_writer is None:
            raise RuntimeError("Response has not been started")
        await self.close()
        self.mark_eof_sent()

    # ------------------------------------------------------------------ closing

    async def close(
        self, *, code: int = WSCloseCode.OK, message: bytes | str = b"", drain: bool = True
    ) -> bool:
        """Send CLOSE and wait up to ``timeout`` for the peer's; False if already closed."""
        frames = self._frames
        if frames is None:
            raise RuntimeError("Call .prepare() first")
        if self._closed:
            return False
        self._closed = True
        self._cancel_heartbeat()
        self._drop_queue()
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            # Another task waits in receive(): it gets CLOSING.
            self._queue.append(WS_CLOSING_MESSAGE)
            waiter.set_result(None)
        if isinstance(message, str):
            message = message.encode("utf-8")
        try:
            self._write(frames.close(code, message))
            conn = self._conn
            if drain and conn is not None and conn.writing_paused and self._ws_writer:
                await self._ws_writer.drain()
        except (asyncio.CancelledError, asyncio.TimeoutError):
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._close_transport()
            raise
        except Exception as exc:
            self._exception = exc
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._close_transport()
            return True
        if self._closing or self._peer_close is not None or self._eof:
            self._finish_close(code)
            return True
        self._close_waiter = self._loop.create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self._close_waiter), self._timeout)
        except asyncio.TimeoutError:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._close_transport()
            return True
        except asyncio.CancelledError:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._close_transport()
            raise
        self._finish_close(code)
        return True

    def _finish_close(self, code: int) -> None:
        if self._close_code is None:
            peer = self._peer_close
            if peer is not None:
                self._close_code = peer.data or code
            else:
                self._close_code = WSCloseCode.ABNORMAL_CLOSURE if self._eof else code
        self._close_transport()

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

    def __aiter__(self) -> WebSocketResponse:
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
