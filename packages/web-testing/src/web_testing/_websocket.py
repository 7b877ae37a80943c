"""The test client's websocket: the ``websockets`` library's sans-IO client, aiohttp's calls.

A client protocol that is not ours checks our server's handshake and framing honestly; being
sans-IO, it runs over whatever connection the test client has (TCP or in memory). The
wrapper gives it aiohttp's ``ClientWebSocketResponse`` vocabulary (``send_str``,
``receive_json``, messages with a ``type``, ``async for msg in ws``).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Any, NamedTuple

import web
from websockets.client import ClientProtocol
from websockets.exceptions import InvalidStatus
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.frames import Frame, Opcode
from websockets.headers import build_authorization_basic, build_extension, build_subprotocol
from websockets.http11 import Response
from websockets.protocol import State
from websockets.typing import Origin, Subprotocol
from websockets.uri import WebSocketURI, parse_uri
from yarl import URL

from ._connection import ClientConnection
from ._deadlines import Deadlines
from ._errors import ServerDisconnectedError, WSServerHandshakeError

__all__ = ("ClientWebSocket", "WSMessage", "WSMessageTypeError")


class WSMessage(NamedTuple):
    """One received message: ``type`` is a ``web.WSMsgType``.

    TEXT carries ``str`` data, BINARY ``bytes``; CLOSE carries the close code as ``data`` and
    the reason as ``extra``; CLOSED (the connection was already closed) and ERROR (the
    connection broke: ``data`` is the exception) end the stream.
    """

    type: web.WSMsgType
    data: Any
    extra: Any = None

    def json(self, *, loads: Callable[[Any], Any] = json.loads) -> Any:
        return loads(self.data)


class WSMessageTypeError(TypeError):
    """``receive_str``/``receive_bytes`` got a message of another type."""


_CLOSED = WSMessage(web.WSMsgType.CLOSED, None)
#: The logger ``ClientProtocol`` would look up itself on every connect.
_LOGGER = logging.getLogger("websockets.client")


def _ws_uri(url: URL) -> WebSocketURI:
    """``parse_uri(str(url))`` without re-parsing: yarl already split and encoded the URL.

    A URL with credentials or a fragment still goes through ``parse_uri`` (which refuses
    a fragment and unquotes credentials).
    """
    host = url.raw_host
    port = url.port
    if url.raw_user is not None or url.raw_fragment or host is None or port is None:
        return parse_uri(str(url))
    return WebSocketURI(url.scheme == "wss", host, port, url.raw_path, url.raw_query_string)


def _handshake_request(protocol: ClientProtocol, headers: Iterable[tuple[str, str]]) -> bytes:
    """The request ``protocol.connect()`` builds, then ``headers``, serialized in one string.

    The same fields in the same order (Host without the scheme's default port, an IPv6
    literal in brackets), the same ISO-8859-1 encoding, without the ``Headers`` mapping, the
    ``Request`` and the ``ipaddress`` parse that building them costs; the server's answer is
    still checked by ``protocol`` (``process_response``).
    """
    uri = protocol.uri
    host = f"[{uri.host}]" if ":" in uri.host else uri.host
    if uri.port != (443 if uri.secure else 80):
        host = f"{host}:{uri.port}"
    parts = [f"GET {uri.resource_name} HTTP/1.1\r\nHost: {host}\r\n"]
    if uri.user_info:
        parts.append(f"Authorization: {build_authorization_basic(*uri.user_info)}\r\n")
    if protocol.origin is not None:
        parts.append(f"Origin: {protocol.origin}\r\n")
    parts.append(
        "Upgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {protocol.key}\r\nSec-WebSocket-Version: 13\r\n"
    )
    extensions = protocol.available_extensions
    if extensions is not None:
        offer = build_extension([(ext.name, ext.get_request_params()) for ext in extensions])
        parts.append(f"Sec-WebSocket-Extensions: {offer}\r\n")
    subprotocols = protocol.available_subprotocols
    if subprotocols is not None:
        parts.append(f"Sec-WebSocket-Protocol: {build_subprotocol(subprotocols)}\r\n")
    parts.extend(f"{name}: {value}\r\n" for name, value in headers)
    parts.append("\r\n")
    return "".join(parts).encode("iso-8859-1")


class ClientWebSocket:
    """An open client websocket to the test server (``TestClient.ws_connect``)."""

    def __init__(
        self,
        conn: ClientConnection,
        protocol: ClientProtocol,
        *,
        deadlines: Deadlines,
        receive_timeout: float | None = None,
        heartbeat: float | None = None,
    ) -> None:
        self._conn = conn
        self._proto = protocol
        #: The session's time limits: the handshake, close and receive(timeout) wait there.
        self._deadlines = deadlines
        self._receive_timeout = receive_timeout
        self._heartbeat = heartbeat
        self._heartbeat_timer: asyncio.TimerHandle | None = None
        self._pong_due = False
        loop = asyncio.get_running_loop()
        self._loop = loop
        self._handshake: asyncio.Future[Response] = loop.create_future()
        self._messages: deque[WSMessage] = deque()
        self._waiter: asyncio.Future[None] | None = None
        self._close_frame: asyncio.Future[None] = loop.create_future()
        self._fragments: list[bytes] = []
        self._fragment_type = Opcode.TEXT
        self._closed = False
        self._close_reported = False
        self._exception: BaseException | None = None
        conn.use_raw(self._on_data, self._on_lost)

    @classmethod
    async def connect(
        cls,
        conn: ClientConnection,
        url: URL,
        *,
        deadlines: Deadlines,
        protocols: Iterable[str],
        headers: Iterable[tuple[str, str]],
        origin: str | None,
        max_msg_size: int,
        compress: bool,
        timeout: float | None,
        receive_timeout: float | None = None,
        heartbeat: float | None = None,
    ) -> ClientWebSocket:
        protocol = ClientProtocol(
            _ws_uri(url),
            origin=Origin(origin) if origin is not None else None,
            extensions=[ClientPerMessageDeflateFactory()] if compress else None,
            subprotocols=[Subprotocol(p) for p in protocols] or None,
            max_size=max_msg_size or None,
            logger=_LOGGER,
        )
        ws = cls(
            conn,
            protocol,
            deadlines=deadlines,
            receive_timeout=receive_timeout,
            heartbeat=heartbeat,
        )
        conn.write(_handshake_request(protocol, headers))
        try:
            response = await deadlines.wait(ws._handshake, timeout)
        except BaseException:
            conn.close()
            raise
        if protocol.handshake_exc is not None:
            conn.close()
            exc = protocol.handshake_exc
            status = exc.response.status_code if isinstance(exc, InvalidStatus) else 0
            raise WSServerHandshakeError(
                None, status=status or response.status_code, message=str(exc)
            ) from exc
        ws._arm_heartbeat()
        return ws

    # ---------------------------------------------------------------- heartbeat

    def _arm_heartbeat(self) -> None:
        if self._heartbeat is not None and not self._closed:
            self._heartbeat_timer = self._loop.call_later(self._heartbeat, self._beat)

    def _beat(self) -> None:
        """Ping; when the previous ping is still unanswered, the connection is dead."""
        if self._closed:
            return
        if self._pong_due:
            error = asyncio.TimeoutError("no pong within the heartbeat interval")
            self._exception = error
            self._closed = True
            self._push(WSMessage(web.WSMsgType.ERROR, error))
            self._conn.close()
            return
        self._pong_due = True
        if self._proto.state is State.OPEN:
            self._proto.send_ping(b"")
            self._flush()
        self._arm_heartbeat()

    # ---------------------------------------------------------------- connection events

    def _on_data(self, data: bytes) -> None:
        self._proto.receive_data(data)
        self._process()

    def _on_lost(self, exc: BaseException | None) -> None:
        self._proto.receive_eof()
        self._process()
        self._closed = True
        if self._heartbeat_timer is not None:
            self._heartbeat_timer.cancel()
        if not self._handshake.done():
            self._handshake.set_exception(ServerDisconnectedError())
        if not self._close_frame.done():
            self._close_frame.set_result(None)
        if self._proto.close_rcvd is None and self._exception is None:
            error = exc or ServerDisconnectedError("connection closed without a close frame")
            self._exception = error
            self._push(WSMessage(web.WSMsgType.ERROR, error))
        self._wake()

    def _process(self) -> None:
        for event in self._proto.events_received():
            if type(event) is Frame:
                self._on_frame(event)
            elif isinstance(event, Response) and not self._handshake.done():
                self._handshake.set_result(event)
        self._flush()

    def _on_frame(self, frame: Frame) -> None:
        opcode = frame.opcode
        if frame.fin and not self._fragments and (opcode is Opcode.TEXT or opcode is Opcode.BINARY):
            # A whole message in one frame (the usual case): no fragment list to join.
            self._on_message(opcode, bytes(frame.data))
            return
        if opcode is Opcode.TEXT or opcode is Opcode.BINARY:
            self._fragment_type = opcode
            self._fragments = [bytes(frame.data)]
        elif opcode is Opcode.CONT:
            self._fragments.append(bytes(frame.data))
        elif opcode is Opcode.CLOSE:
            self._closed = True
            close = self._proto.close_rcvd
            code = close.code if close is not None else 1005
            reason = close.reason if close is not None else ""
            self._push(WSMessage(web.WSMsgType.CLOSE, code, reason))
            if not self._close_frame.done():
                self._close_frame.set_result(None)
            return
        elif opcode is Opcode.PONG:
            self._pong_due = False
            return
        else:
            return  # PING: websockets answers it
        if not frame.fin:
            return
        data = b"".join(self._fragments)
        self._fragments = []
        self._on_message(self._fragment_type, data)

    def _on_message(self, opcode: Opcode, data: bytes) -> None:
        if opcode is Opcode.TEXT:
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                self._proto.fail(1007, "invalid UTF-8 in a text message")
                self._exception = exc
                self._push(WSMessage(web.WSMsgType.ERROR, exc))
                return
            self._push(WSMessage(web.WSMsgType.TEXT, text))
        else:
            self._push(WSMessage(web.WSMsgType.BINARY, data))

    def _push(self, msg: WSMessage) -> None:
        self._messages.append(msg)
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        self._waiter = None
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _flush(self) -> None:
        for data in self._proto.data_to_send():
            if data:
                if self._conn.transport is not None:
                    self._conn.write(data)
            else:
                self._conn.close()  # the protocol ends its side: close the connection

    # ---------------------------------------------------------------- aiohttp's API

    @property
    def protocol(self) -> str | None:
        """The subprotocol the server chose, or ``None``."""
        return self._proto.subprotocol

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def close_code(self) -> int | None:
        close = self._proto.close_rcvd
        if close is not None:
            return close.code
        return 1006 if self._closed and self._conn.lost else None

    @property
    def close_reason(self) -> str | None:
        close = self._proto.close_rcvd
        return close.reason if close is not None else None

    def exception(self) -> BaseException | None:
        return self._exception

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        transport = self._conn.transport
        return default if transport is None else transport.get_extra_info(name, default)

    def _check_open(self) -> None:
        if self._closed or self._proto.state is not State.OPEN:
            raise ConnectionResetError("Cannot write to closing transport")

    async def send_str(self, data: str, compress: int | None = None) -> None:
        if not isinstance(data, str):
            raise TypeError(f"data argument must be str ({type(data)!r})")
        self._check_open()
        self._proto.send_text(data.encode("utf-8"))
        self._flush()
        await self._conn.drain()

    async def send_bytes(
        self, data: bytes | bytearray | memoryview, compress: int | None = None
    ) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"data argument must be byte-ish ({type(data)!r})")
        self._check_open()
        self._proto.send_binary(bytes(data))
        self._flush()
        await self._conn.drain()

    async def send_json(
        self, data: Any, compress: int | None = None, *, dumps: Callable[[Any], str] = json.dumps
    ) -> None:
        await self.send_str(dumps(data))

    async def ping(self, message: bytes = b"") -> None:
        """Send a ping (the pong is absorbed, as aiohttp's client does with autoping)."""
        self._check_open()
        self._proto.send_ping(bytes(message))
        self._flush()

    async def pong(self, message: bytes = b"") -> None:
        self._check_open()
        self._proto.send_pong(bytes(message))
        self._flush()

    async def receive(self, timeout: float | None = None) -> WSMessage:
        """The next message (a TEXT, BINARY, CLOSE, CLOSED or ERROR ``WSMessage``)."""
        if timeout is None:
            timeout = self._receive_timeout
        while not self._messages:
            if self._close_reported or (self._closed and self._conn.lost):
                return _CLOSED
            waiter = self._waiter = self._loop.create_future()
            if timeout is None:
                await waiter
            else:
                await self._deadlines.wait(waiter, timeout)
        msg = self._messages.popleft()
        if msg.type in (web.WSMsgType.CLOSE, web.WSMsgType.ERROR):
            self._close_reported = True
            self._messages.clear()
        return msg

    async def receive_str(self, *, timeout: float | None = None) -> str:
        msg = await self.receive(timeout)
        if msg.type is not web.WSMsgType.TEXT:
            raise WSMessageTypeError(f"Received message {msg.type}:{msg.data!r} is not TEXT")
        text: str = msg.data
        return text

    async def receive_bytes(self, *, timeout: float | None = None) -> bytes:
        msg = await self.receive(timeout)
        if msg.type is not web.WSMsgType.BINARY:
            raise WSMessageTypeError(f"Received message {msg.type}:{msg.data!r} is not BINARY")
        data: bytes = msg.data
        return data

    async def receive_json(
        self, *, loads: Callable[[str], Any] = json.loads, timeout: float | None = None
    ) -> Any:
        return loads(await self.receive_str(timeout=timeout))

    async def close(self, *, code: int = 1000, message: bytes | str = b"") -> bool:
        """Close with ``code`` and wait for the server's close frame; False if already closed."""
        if self._closed:
            if not self._conn.lost:
                self._conn.close()
            return False
        self._closed = True
        reason = message.decode("utf-8") if isinstance(message, bytes) else message
        if self._proto.state is State.OPEN:
            self._proto.send_close(code, reason)
            self._flush()
        try:
            await self._deadlines.wait(self._close_frame, 10.0)
        except asyncio.TimeoutError:
            pass
        self._conn.close()
        return True

    def __aiter__(self) -> ClientWebSocket:
        return self

    async def __anext__(self) -> WSMessage:
        msg = await self.receive()
        if msg.type in (web.WSMsgType.CLOSE, web.WSMsgType.CLOSING, web.WSMsgType.CLOSED):
            raise StopAsyncIteration
        return msg

    async def __aenter__(self) -> ClientWebSocket:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
