"""The send side of a server websocket: ``send_*``, ``ping``/``pong``, ``close`` and the
heartbeat that pings an idle peer.

A small message on an uncompressed websocket is one ``transport.write`` of a header from a
table and the payload; the send waits for ``drain`` only while the connection's writing is
paused, so an echo costs no extra await.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, Final

from ._models import WS_CLOSING_MESSAGE, WSCloseCode, WSMessage, WSMsgType
from ._ws_state import WebSocketState

__all__ = ("WebSocketSending",)

_TEXT: Final = WSMsgType.TEXT
_BINARY: Final = WSMsgType.BINARY
_PING: Final = WSMsgType.PING
_PONG: Final = WSMsgType.PONG
_ERROR: Final = WSMsgType.ERROR
#: The two header bytes of a final, unmasked, uncompressed frame of 0..125 bytes, built once:
#: a small message is sent as ``head[len] + payload`` in one ``transport.write``.
_BINARY_HEADS: Final = tuple(bytes((0x82, size)) for size in range(126))
_TEXT_HEADS: Final = tuple(bytes((0x81, size)) for size in range(126))


def _expire(waiter: asyncio.Future[bool]) -> None:
    """``close``'s timeout: the peer did not answer our CLOSE in time."""
    if not waiter.done():
        waiter.set_result(False)


class WebSocketSending(WebSocketState):
    """Sending, closing and the heartbeat."""

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
        # The feeder resolves the waiter True (the peer's CLOSE or the end of the stream),
        # the timer False: awaited directly, no wait_for/shield futures and their turns.
        answer: asyncio.Future[bool] = self._loop.create_future()
        self._close_waiter = answer
        timer = self._loop.call_later(self._timeout, _expire, answer)
        try:
            answered = await answer
        except asyncio.CancelledError:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._close_transport()
            raise
        finally:
            timer.cancel()
        if not answered:
            self._close_code = WSCloseCode.ABNORMAL_CLOSURE
            self._close_transport()
            return True
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

    # ------------------------------------------------------------------ heartbeat

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
