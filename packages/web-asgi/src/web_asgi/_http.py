"""ASGI ``http`` scopes: a request in, our handler, ASGI response events out.

The request body is read as the handler asks for it: the first ``http.request`` event is
awaited before the handler starts (a body that fits in it, the usual case, is complete before
the handler runs, and a GET costs no extra task); a longer body is pumped by a task that
stops calling ``receive`` while the body reader is over its high-water mark, so a slow
handler holds the client back instead of buffering the upload (backpressure).

The response goes through :class:`AsgiWriter`, web-app's ``PayloadWriter`` with ASGI events
for bytes: the serialized head becomes ``http.response.start`` (status and fields, minus
connection-specific ones), body writes become ``http.response.body`` events (compression
still ours, chunk framing the server's). The head leaves at ``prepare`` for streaming
responses, as on our own server, and with the body for a ``Response``.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final

from web_app import HTTPException, PayloadWriter, Response, StreamResponse
from web_app.integration import (
    error_response as _error_page,
    handle,
    make_request,
    send_at_once,
)
from web_http import (
    EMPTY_PAYLOAD,
    ContentDecoder,
    HttpProcessingError,
    HttpVersion,
    StreamReader,
    make_decoder,
)

from ._connection import AsgiConnection
from ._head import parse_head, request_head
from ._types import Message, Receive, Scope, Send

if TYPE_CHECKING:
    from web_app import Application
    from web_http import RequestHead

__all__ = (
    "AsgiWriter",
    "HttpSettings",
    "PathsendWriter",
    "error_response",
    "failure_response",
    "serve_http",
)

_Bytes = bytes | bytearray | memoryview
_HTTP2: Final = HttpVersion(2, 0)
_LAST: Final[Message] = {"type": "http.response.body", "body": b"", "more_body": False}


class HttpSettings:
    """Per-application settings of the ASGI adapter (our server's connection settings)."""

    __slots__ = ("auto_decompress", "max_decompressed_size", "read_bufsize")

    def __init__(
        self,
        *,
        read_bufsize: int = 2**16,
        auto_decompress: bool = True,
        max_decompressed_size: int | None = 2**25,
    ) -> None:
        if read_bufsize <= 0:
            raise ValueError("read_bufsize must be positive")
        self.read_bufsize = read_bufsize
        self.auto_decompress = auto_decompress
        self.max_decompressed_size = max_decompressed_size


async def _send_or_reset(send: Send, message: Message) -> None:
    """``send``, with a vanished client reported the way our transport reports it."""
    try:
        await send(message)
    except OSError as exc:  # the ASGI spec: an IOError subclass once the client is gone
        raise ConnectionResetError(f"Connection lost: {exc}") from exc


class AsgiWriter(PayloadWriter):
    """A ``PayloadWriter`` whose output is ASGI ``http.response.*`` events.

    ``enable_chunking`` only takes note: the ASGI server frames a body of unknown length.
    """

    __slots__ = ("_asgi_send", "_ended", "_length", "_pending", "_start", "_start_task")

    def __init__(self, conn: AsgiConnection, send: Send) -> None:
        super().__init__(conn)
        self._asgi_send = send
        self._start: Message | None = None
        self._start_task: asyncio.Task[None] | None = None
        self._pending: Message | None = None
        self._length: int | None = None
        self._ended = False

    def write_headers(self, head: bytes) -> None:
        super().write_headers(b"")  # the head leaves as an event: no bytes kept back
        status, headers = parse_head(head)
        self._start = {"type": "http.response.start", "status": status, "headers": headers}
        for name, value in headers:
            if name == b"content-length" and self.compression is None:
                # The body's last write can end the response: no empty event after it.
                self._length = int(value)

    def send_complete(self, data: bytes) -> None:
        """A whole response in bytes (``Response``'s one-write path): split into events.

        Only called from :func:`serve_http`, which then awaits :meth:`send_pending`.
        """
        if self.eof:
            raise RuntimeError("headers already written")
        super().write_headers(b"")
        self.mark_eof()
        end = data.index(b"\r\n\r\n") + 4
        status, headers = parse_head(data[:end])
        self._start = {"type": "http.response.start", "status": status, "headers": headers}
        body = data[end:]
        self.output_size = len(body)
        self._pending = {"type": "http.response.body", "body": body, "more_body": False}

    async def send_pending(self) -> None:
        pending = self._pending
        await self._ready()
        if pending is not None:
            self._pending = None
            await _send_or_reset(self._asgi_send, pending)

    def send_headers(self) -> None:
        """Push the head out now (a streaming response), without blocking the caller."""
        if self._start is not None and self._start_task is None:
            self._start_task = asyncio.ensure_future(self._send_start())

    async def _send_start(self) -> None:
        start = self._start
        if start is not None:
            self._start = None
            await _send_or_reset(self._asgi_send, start)

    async def _ready(self) -> None:
        """Make sure the head went out before body bytes follow it."""
        task = self._start_task
        if task is not None:
            self._start_task = None
            await task
        if self._start is not None:
            await self._send_start()

    async def write(self, data: _Bytes, *, drain: bool = True) -> None:
        if self.eof:
            raise RuntimeError("Cannot write after write_eof()")
        if not self.headers_written:
            # Bytes before the head: only an interim "100 Continue", which ASGI servers
            # send on their own when the body is first received.
            return
        data = self.compress(data)
        if not data:
            return
        await self._ready()
        self.output_size += len(data)
        length = self._length
        more = length is None or self.output_size < length
        if not more:
            self._ended = True
        message = {"type": "http.response.body", "body": bytes(data), "more_body": more}
        await _send_or_reset(self._asgi_send, message)

    async def write_eof(self, data: _Bytes = b"") -> None:
        if self.eof:
            return
        self.mark_eof()
        data = self.compress_final(data)
        await self._ready()
        if self._ended:
            return  # the last write said more_body=False already
        if data:
            self.output_size += len(data)
            message = {"type": "http.response.body", "body": bytes(data), "more_body": False}
            await _send_or_reset(self._asgi_send, message)
        else:
            await _send_or_reset(self._asgi_send, _LAST)

    async def drain(self) -> None:
        """``send`` waits for the server's own flow control; only the head may be pending."""
        self.buffer_size = 0
        if self._closing():
            raise ConnectionResetError("Cannot write to closing transport")
        await self._ready()

    def _closing(self) -> bool:
        transport = self.transport
        return transport is None or transport.is_closing()


class PathsendWriter(AsgiWriter):
    """The writer where the server offers ``http.response.pathsend``: ``FileResponse`` then
    hands whole files over by path (``send_path``) and the server reads them itself."""

    __slots__ = ()

    async def send_path(self, path: str) -> None:
        await self._ready()
        self.mark_eof()
        await _send_or_reset(self._asgi_send, {"type": "http.response.pathsend", "path": path})


def _feed(reader: StreamReader, decoder: ContentDecoder | None, body: bytes, last: bool) -> None:
    if decoder is None:
        reader.feed_data(body)
    else:
        for piece in decoder.decompress(body):
            reader.feed_data(piece)
        if last:
            for piece in decoder.flush():
                reader.feed_data(piece)
    if last:
        reader.feed_eof()


async def _pump(
    conn: AsgiConnection,
    reader: StreamReader,
    decoder: ContentDecoder | None,
    receive: Receive,
) -> None:
    """Feed the rest of the body, receiving only while the reader wants more."""
    try:
        while True:
            await conn.wait_reading()
            message = await receive()
            if message["type"] != "http.request":
                conn.connection_lost()
                reader.set_exception(ConnectionResetError("Connection lost"))
                return
            more = bool(message.get("more_body", False))
            _feed(reader, decoder, message.get("body", b""), not more)
            if not more:
                return
    except HttpProcessingError as exc:
        reader.set_exception(exc)  # a corrupt compressed body: the handler's read raises
    except Exception as exc:
        reader.set_exception(ConnectionResetError(f"Connection lost: {exc!r}"))


def error_response(
    conn: AsgiConnection,
    accept: str | None,
    status: int,
    message: str = "",
    exc: Exception | None = None,
) -> Response:
    """Our server's own error page (HTML for a browser); a traceback only in debug mode."""
    return _error_page(status, accept=accept, message=message, exc=exc if conn.debug else None)


def failure_response(
    exc: Exception, writer: PayloadWriter, conn: AsgiConnection, accept: str | None
) -> StreamResponse | None:
    """A handler's exception as our server answers it (None: the response must just end)."""
    if isinstance(exc, HTTPException):
        return exc
    if isinstance(exc, ConnectionError):
        return None
    if writer.headers_written:
        if not isinstance(exc, (HttpProcessingError, asyncio.TimeoutError)):
            conn.logger.exception("Error handling request", exc_info=exc)
        return None
    if isinstance(exc, HttpProcessingError):
        return error_response(conn, accept, exc.code or 400, str(exc))
    if isinstance(exc, asyncio.TimeoutError):
        conn.logger.debug("Request handler timed out", exc_info=exc)
        return error_response(conn, accept, 504)
    conn.logger.exception("Error handling request", exc_info=exc)
    return error_response(conn, accept, 500, exc=exc)


async def _body(
    head: RequestHead,
    conn: AsgiConnection,
    receive: Receive,
    settings: HttpSettings,
    loop: asyncio.AbstractEventLoop,
) -> tuple[StreamReader, asyncio.Task[None] | None] | None:
    """The body stream of the request (None: the client left before sending it)."""
    if head.version < _HTTP2 and not head.content_length and not head.chunked:
        return EMPTY_PAYLOAD, None  # HTTP/1: no length, no chunks, no body (RFC 9112 6.3)
    message = await receive()
    if message["type"] != "http.request":
        return None
    body: bytes = message.get("body", b"")
    more = bool(message.get("more_body", False))
    decoder = None
    if settings.auto_decompress and head.encoding is not None:
        decoder = make_decoder(head.encoding, settings.max_decompressed_size)
    if not body and not more:
        return EMPTY_PAYLOAD, None
    reader = StreamReader(conn, settings.read_bufsize, loop=loop)
    try:
        _feed(reader, decoder, body, not more)
    except HttpProcessingError as exc:
        reader.set_exception(exc)
        return reader, None
    if not more:
        return reader, None
    return reader, loop.create_task(_pump(conn, reader, decoder, receive))


async def serve_http(
    app: Application, settings: HttpSettings, scope: Scope, receive: Receive, send: Send
) -> None:
    """Serve one ASGI http request with ``app``, as our ``RequestHandler`` serves one."""
    loop = asyncio.get_running_loop()
    head = request_head(scope)
    conn = AsgiConnection(scope, loop, debug=app.debug)
    got = await _body(head, conn, receive, settings, loop)
    if got is None:
        return
    payload, pump = got
    extensions = scope.get("extensions")
    if extensions and "http.response.pathsend" in extensions:
        writer: AsgiWriter = PathsendWriter(conn, send)
    else:
        writer = AsgiWriter(conn, send)
    task: asyncio.Task[None] = asyncio.current_task(loop)  # type: ignore[assignment]
    conn.receive = receive
    conn.pump = pump
    try:
        scheme = _scheme(scope)
        request = make_request(app, head, payload, conn, writer, task, scheme=scheme)  # type: ignore[arg-type]
        resp: StreamResponse | None
        try:
            resp = await handle(app, request)
        except Exception as exc:
            resp = failure_response(exc, writer, conn, head.headers.get("Accept"))
        else:
            if not isinstance(resp, StreamResponse):
                conn.logger.error(
                    "Missing return statement on request handler: "
                    "expected a StreamResponse, got %r",
                    type(resp),
                )
                accept = head.headers.get("Accept")
                resp = None if writer.headers_written else error_response(conn, accept, 500)
        if resp is None:
            return
        try:
            if send_at_once(resp, request, writer):
                # A plain Response: built in one piece as on our own server (no prepare).
                await writer.send_pending()
            else:
                await resp.prepare(request)
                await resp.write_eof()
        except ConnectionError:
            return
        except Exception as exc:
            conn.logger.exception("Error sending the response")
            if writer.headers_written:
                return
            resp = error_response(conn, head.headers.get("Accept"), 500, exc=exc)
            await resp.prepare(request)
            await resp.write_eof()
    finally:
        if pump is not None and not pump.done():
            pump.cancel()
        start = writer._start_task
        if start is not None and not start.done():
            start.cancel()
        watcher = conn.watcher
        if watcher is not None and not watcher.done():
            watcher.cancel()


def _scheme(scope: Scope) -> str | None:
    """``request.scheme`` (and ``secure``) from the scope: there is no TLS object to ask."""
    scheme = scope.get("scheme", "http")
    if scheme in ("https", "wss"):
        return "https"
    if scheme in ("http", "ws"):
        return "http"
    return None
