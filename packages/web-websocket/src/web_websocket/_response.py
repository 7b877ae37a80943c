"""``WebSocketResponse``: the server side of one websocket, on top of a ``StreamResponse``.

Theory of operation
-------------------
``prepare`` validates the handshake, sends the 101 head, then installs a ``Feeder`` on the
connection (``RequestHandler.set_parser``): from then on every received byte goes through
the sans-IO ``WebSocketReader`` and the resulting messages land in a queue that ``receive``
pops. Frames are written straight to the transport (a websocket has no HTTP body framing);
back-pressure is the connection's own ``pause_writing`` signal.

Closing has three ways in: we call ``close`` (send CLOSE, wait up to ``timeout`` for the
peer's CLOSE), the peer sends CLOSE (with ``autoclose`` we answer it and close the
transport), or the link fails (protocol error, heartbeat timeout, lost connection: close
code 1002/1007/1009/1006). The peer's CLOSE and the end of the stream are recorded by the
feeder as they arrive, so a ``close`` waiting for them never has to read the queue.

The class is built in layers (``_ws_state``, ``_ws_sending``, ``_ws_receiving``); this module
adds the handshake and ``prepare``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from web_app import HTTPBadRequest, HTTPMethodNotAllowed

from ._deflate import Deflater, Inflater
from ._handshake import HandshakeError, HandshakeResult, check_handshake
from ._models import WebSocketReady, WSCloseCode
from ._reader import WebSocketReader
from ._writer import FrameWriter
from ._ws_receiving import Feeder, WebSocketReceiving

if TYPE_CHECKING:
    from web_app import BaseRequest, PayloadWriter

__all__ = ("WebSocketResponse",)


class WebSocketResponse(WebSocketReceiving):
    """Server side of a websocket: ``prepare`` it, then ``receive`` / ``send_*`` / ``close``."""

    auto_framing = False

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
        protocol.set_parser(Feeder(self, reader))
        on_shutdown = getattr(protocol, "set_shutdown_callback", None)
        if on_shutdown is not None:
            on_shutdown(self._going_away)
        return writer

    async def _going_away(self) -> None:
        """The server shuts down: tell the peer with a close frame, code 1001 (going away)."""
        if self._frames is not None and not self._closed:
            await self.close(code=WSCloseCode.GOING_AWAY, message=b"server shutdown")

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
