"""ASGI ``websocket`` scopes: our ``WebSocketResponse`` on ASGI websocket events.

A ``WebSocketResponse`` talks frames: it writes RFC 6455 frames to the transport and reads
frames through the parser it installs with ``set_parser``. :class:`WebSocketBridge` is that
transport and connection. Frames written by the response are parsed back (unmasked, as a
server sends them) into ``websocket.send`` / ``websocket.close`` events; ``websocket.receive``
events become masked frames fed to the response's parser (with an all-zero mask, so no
byte is touched). The handler, its ``receive``/``send_*``/``close`` calls, close codes and
subprotocols therefore behave exactly as on our own server.

What the ASGI server owns: the handshake (its 101 answer carries the subprotocol and
headers our handshake chose), pings and pongs (a ping of ours is answered locally, so a
``heartbeat`` never times out a connection the server keeps alive) and the closing
handshake (our CLOSE becomes ``websocket.close``; the server's CLOSE echo is not visible to
an ASGI app, so the echo is played back at once).

Events to the server are queued and sent by one task in order: ``writing_paused`` turns on
above a high-water mark, so ``send_*`` wait (``drain``) when the client reads slowly.
Incoming events are received only while the response's queue is below its own limit.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import TYPE_CHECKING, Any, Final, Protocol

from web_app import PayloadWriter, StreamResponse
from web_app.integration import handle, make_request
from web_http import EMPTY_PAYLOAD
from web_websocket import FrameParser, WebSocketError, is_valid_close_code

from ._connection import AsgiConnection
from ._head import parse_head, request_head
from ._http import _scheme, _send_or_reset, error_response, failure_response
from ._types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from web_app import Application

__all__ = ("WebSocketBridge", "serve_websocket")

_OP_CONT: Final = 0x0
_OP_TEXT: Final = 0x1
_OP_BINARY: Final = 0x2
_OP_CLOSE: Final = 0x8
_OP_PING: Final = 0x9
_OP_PONG: Final = 0xA
#: Queued outgoing bytes above which ``send_*`` wait for the server to take them.
_HIGH_WATER: Final = 2**16
_ZERO_MASK: Final = b"\x00\x00\x00\x00"


class _Parser(Protocol):
    """What ``WebSocketResponse`` installs with ``set_parser`` (its frame feeder)."""

    def feed_data(self, data: bytes, /) -> object: ...

    def feed_eof(self) -> object: ...


def _client_frame(opcode: int, payload: bytes) -> bytes:
    """A final frame as a client sends it: masked, here with the all-zero key."""
    size = len(payload)
    if size < 126:
        head = bytes((0x80 | opcode, 0x80 | size))
    elif size < 0x10000:
        head = bytes((0x80 | opcode, 0x80 | 126)) + size.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + size.to_bytes(8, "big")
    return head + _ZERO_MASK + payload


class WebSocketBridge(AsgiConnection):
    """The connection of one ASGI websocket, as a ``WebSocketResponse`` sees it."""

    def __init__(
        self, scope: Scope, receive: Receive, send: Send, loop: asyncio.AbstractEventLoop, **kw: Any
    ) -> None:
        super().__init__(scope, loop, **kw)
        self._receive = receive
        self._send = send
        self._extensions: dict[str, Any] = scope.get("extensions") or {}
        self._frames = FrameParser(masked=False)
        self._fragments: list[bytes] = []
        self._fragment_op = 0
        self._out: deque[tuple[Message, int]] = deque()
        self._queued = 0
        self._sender: asyncio.Task[None] | None = None
        self._pump: asyncio.Task[None] | None = None
        self._parser: _Parser | None = None
        self.accepted = False
        self.answered = False  # accepted, denied or closed: the handshake is settled
        self.peer_gone = False

    @property
    def write_buffer_size(self) -> int:
        return self._queued

    # -- outgoing --------------------------------------------------------------------

    def queue(self, message: Message, size: int = 0) -> None:
        """Send ``message`` after everything queued before it."""
        if self.peer_gone:
            return  # the server would refuse it: the client is gone
        self._out.append((message, size))
        self._queued += size
        if self._queued > _HIGH_WATER and not self.writing_paused:
            self.set_writing_paused(True)
        if self._sender is None:
            self._sender = self._loop.create_task(self._send_queued())

    async def _send_queued(self) -> None:
        out = self._out
        try:
            while out:
                message, size = out.popleft()
                self._queued -= size
                try:
                    await _send_or_reset(self._send, message)
                except ConnectionResetError:
                    self._lost()
                    return
                if self.writing_paused and self._queued <= _HIGH_WATER // 2:
                    self.set_writing_paused(False)
        finally:
            self._sender = None

    async def flush(self) -> None:
        """Wait until every queued event went to the server."""
        while self._sender is not None:
            await asyncio.shield(self._sender)

    def write_raw(self, data: bytes) -> None:
        """Frames from the ``WebSocketResponse``: parse them back into ASGI events."""
        if self.closing:
            raise ConnectionResetError("Cannot write to closing transport")
        for frame in self._frames.feed(data):
            if isinstance(frame, WebSocketError):  # pragma: no cover - our own writer's frames
                raise RuntimeError(f"unreadable outgoing frame: {frame}")
            opcode = frame.opcode
            if opcode == _OP_CLOSE:
                self._send_close(frame.payload)
            elif opcode == _OP_PING:
                self._feed(_client_frame(_OP_PONG, frame.payload))
            elif opcode != _OP_PONG:
                self._send_data(opcode, frame.fin, frame.payload)

    def _send_data(self, opcode: int, fin: bool, payload: bytes) -> None:
        if opcode == _OP_CONT:
            self._fragments.append(payload)
            if not fin:
                return
            opcode = self._fragment_op
            payload = b"".join(self._fragments)
            self._fragments = []
        elif not fin:
            self._fragment_op = opcode
            self._fragments = [payload]
            return
        if opcode == _OP_TEXT:
            self.queue({"type": "websocket.send", "text": payload.decode("utf-8")}, len(payload))
        else:
            self.queue({"type": "websocket.send", "bytes": payload}, len(payload))

    def _send_close(self, payload: bytes) -> None:
        code = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1000
        reason = payload[2:].decode("utf-8", "replace")
        self.queue({"type": "websocket.close", "code": code, "reason": reason})
        # The server runs the closing handshake and never shows us the peer's CLOSE:
        # play the echo back so that close() completes at once.
        self._feed(_client_frame(_OP_CLOSE, payload))

    # -- incoming --------------------------------------------------------------------

    def set_parser(self, parser: _Parser) -> None:
        if self._parser is not None:
            raise RuntimeError("a parser is already set on this connection")
        self._parser = parser
        self._pump = self._loop.create_task(self._receive_loop())

    def _feed(self, frame: bytes) -> None:
        parser = self._parser
        if parser is not None:
            parser.feed_data(frame)

    async def _receive_loop(self) -> None:
        try:
            while not self.peer_gone:
                await self.wait_reading()
                message = await self._receive()
                kind = message["type"]
                if kind == "websocket.receive":
                    text = message.get("text")
                    if text is not None:
                        self._feed(_client_frame(_OP_TEXT, text.encode("utf-8")))
                    else:
                        self._feed(_client_frame(_OP_BINARY, bytes(message.get("bytes") or b"")))
                elif kind == "websocket.disconnect":
                    self._peer_closed(message.get("code", 1005), message.get("reason") or "")
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            self._lost()

    def _peer_closed(self, code: int, reason: str) -> None:
        """The client closed (or vanished): what our reader would have seen on the wire."""
        if is_valid_close_code(code):
            payload = code.to_bytes(2, "big") + reason.encode("utf-8")[:123]
            self._feed(_client_frame(_OP_CLOSE, payload))
        elif code == 1005:
            self._feed(_client_frame(_OP_CLOSE, b""))
        self._lost()

    def _lost(self) -> None:
        """The client is gone: later frames are dropped, as a closed socket would drop them.

        The transport does not turn "closing": our answer to the peer's CLOSE must still
        "succeed", or the response would record 1006 instead of the peer's code.
        """
        self.peer_gone = True
        self._out.clear()
        self._queued = 0
        parser, self._parser = self._parser, None
        if parser is not None:
            parser.feed_eof()
        self.set_writing_paused(False)
        self.resume_reading()

    async def finish(self) -> None:
        """The handler returned: send what is queued, settle the handshake, stop reading."""
        if not self.answered and not self.peer_gone:
            # Neither accepted nor answered: refused, as ASGI servers refuse (403).
            self.queue({"type": "websocket.close", "code": 1000, "reason": ""})
            self.answered = True
        try:
            await self.flush()
        finally:
            pump = self._pump
            if pump is not None and not pump.done():
                pump.cancel()


class HandshakeWriter(PayloadWriter):
    """The response head of a websocket scope: ``websocket.accept``, or a denial."""

    __slots__ = ("_bridge", "_denial", "_denial_start")

    def __init__(self, bridge: WebSocketBridge) -> None:
        super().__init__(bridge)
        self._bridge = bridge
        self._denial: list[bytes] | None = None
        self._denial_start: Message | None = None

    def write_headers(self, head: bytes) -> None:
        super().write_headers(b"")  # the head becomes an event: no bytes kept back
        bridge = self._bridge
        status, headers = parse_head(head, websocket=True)
        if status == 101:
            protocol = None
            for line in head.split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.lower() == b"sec-websocket-protocol":
                    protocol = value.strip().decode("latin-1")
            message: Message = {"type": "websocket.accept", "subprotocol": protocol}
            if headers:
                message["headers"] = headers
            bridge.accepted = bridge.answered = True
            bridge.queue(message)
        else:
            self._denial = []
            if "websocket.http.response" in bridge._extensions:
                self._denial_start = {
                    "type": "websocket.http.response.start",
                    "status": status,
                    "headers": headers,
                }
            # else the server can only refuse (403): the body has nowhere to go

    def send_headers(self) -> None:
        """The accept event is queued already; a denial waits for its body."""

    async def write(self, data: bytes | bytearray | memoryview, *, drain: bool = True) -> None:
        if self.eof:
            raise RuntimeError("Cannot write after write_eof()")
        denial = self._denial
        if denial is None:
            return  # before the head (100 Continue) or after a 101: nothing to send
        data = self.compress(data)
        if data:
            self.output_size += len(data)
            denial.append(bytes(data))

    async def write_eof(self, data: bytes | bytearray | memoryview = b"") -> None:
        if self.eof:
            return
        await self.write(data)
        self.mark_eof()
        denial = self._denial
        if denial is None:
            return
        bridge = self._bridge
        start = self._denial_start
        if start is not None:
            if self.compression is not None:
                denial.append(bytes(self.compress_final()))
            # One body event: Granian takes no more than one.
            body = {"type": "websocket.http.response.body", "body": b"".join(denial)}
            bridge.queue(start)
            bridge.queue(body, len(body["body"]))
        else:
            bridge.queue({"type": "websocket.close", "code": 1000, "reason": ""})
        bridge.answered = True
        await bridge.flush()

    async def drain(self) -> None:
        self.buffer_size = 0
        bridge = self._bridge
        if bridge.closing and not bridge.accepted:
            raise ConnectionResetError("Cannot write to closing transport")
        await bridge.wait_writable()


async def serve_websocket(app: Application, scope: Scope, receive: Receive, send: Send) -> None:
    """Serve one ASGI websocket with ``app``'s handler for its path."""
    message = await receive()
    if message["type"] != "websocket.connect":
        return
    loop = asyncio.get_running_loop()
    bridge = WebSocketBridge(scope, receive, send, loop, debug=app.debug)
    writer = HandshakeWriter(bridge)
    head = request_head(scope, websocket=True)
    task: asyncio.Task[None] = asyncio.current_task(loop)  # type: ignore[assignment]
    try:
        scheme = _scheme(scope)
        request = make_request(app, head, EMPTY_PAYLOAD, bridge, writer, task, scheme=scheme)  # type: ignore[arg-type]
        resp: StreamResponse | None
        try:
            resp = await handle(app, request)
        except Exception as exc:
            resp = failure_response(exc, writer, bridge, None)
        if resp is not None:
            try:
                await resp.prepare(request)
                await resp.write_eof()
            except ConnectionError:
                pass
            except Exception as exc:
                bridge.logger.exception("Error sending the response")
                if not writer.headers_written:
                    resp = error_response(bridge, None, 500, exc=exc)
                    await resp.prepare(request)
                    await resp.write_eof()
    finally:
        await bridge.finish()
