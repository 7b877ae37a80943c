"""``make_mocked_request``: a real ``web.Request`` over a fake connection, for unit tests.

The request is the framework's own class, so every property a handler reads behaves as in
production. Only the connection is fake: a :class:`MockTransport` that records what is written
and a :class:`MockProtocol` with the flow-control surface the request, its body stream and the
payload writer use. Responses prepared against a mocked request really serialize, so a test can
read the bytes a client would have received from ``transport.written``.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from typing import Any, NoReturn, cast
from unittest import mock

import web
from multidict import CIMultiDict, CIMultiDictProxy
from web_app import PayloadWriter, RequestHandler
from web_app.integration import set_match_info
from web_http import EMPTY_PAYLOAD, HttpVersion, HttpVersion11, RequestHead, StreamReader

__all__ = ("MockProtocol", "MockTransport", "make_mocked_coro", "make_mocked_request")

_SENTINEL: Any = object()


class MockTransport(asyncio.Transport):
    """A transport that keeps every written byte in :attr:`written` instead of sending it.

    ``get_extra_info`` answers like a TCP transport on 127.0.0.1:80 (``sockname``), with no
    known peer, and returns the ``sslcontext`` given to make the request look like HTTPS.
    """

    def __init__(
        self,
        *,
        sslcontext: ssl.SSLContext | None = None,
        peername: tuple[str, int] | None = None,
        sockname: tuple[str, int] = ("127.0.0.1", 80),
    ) -> None:
        super().__init__()
        self.written = bytearray()
        self.reading_paused = False
        self._closing = False
        self._extra: dict[str, Any] = {
            "sslcontext": sslcontext,
            "peername": peername,
            "sockname": sockname,
        }

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        value = self._extra.get(name)
        return default if value is None else value

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing:
            # A real transport silently drops writes after close(); a test wants to know.
            raise ConnectionResetError("Cannot write to closing transport")
        self.written += data

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def is_closing(self) -> bool:
        return self._closing

    def close(self) -> None:
        self._closing = True

    def abort(self) -> None:
        self._closing = True

    def can_write_eof(self) -> bool:
        return False

    def pause_reading(self) -> None:
        self.reading_paused = True

    def resume_reading(self) -> None:
        self.reading_paused = False

    def is_reading(self) -> bool:
        return not self.reading_paused and not self._closing

    def get_write_buffer_size(self) -> int:
        return 0


class MockProtocol:
    """The connection surface a request, its body reader and its writer use.

    Stands in for ``web.RequestHandler`` (same attribute names): ``transport``,
    ``writing_paused``, flow control for the body stream, and the keep-alive switches a handler
    may flip (``keep_alive``, ``force_close``, ``close``), whose effect is readable afterwards.
    """

    def __init__(self, transport: asyncio.Transport | None) -> None:
        self.transport = transport
        self.writing_paused = False
        self.keepalive = True
        self.closing = False
        #: What ``set_parser`` installed (a websocket's frame feeder): feed it bytes with
        #: ``protocol.parser.feed_data(...)`` to play the client's side of an upgrade.
        self.parser: Any = None

    def set_parser(self, parser: Any) -> None:
        self.parser = parser

    async def wait_writable(self) -> None:
        if self.transport is None:
            raise ConnectionResetError("Connection lost")

    def pause_reading(self) -> None:
        if self.transport is not None:
            self.transport.pause_reading()

    def resume_reading(self) -> None:
        if self.transport is not None:
            self.transport.resume_reading()

    def keep_alive(self, val: bool) -> None:
        self.keepalive = val

    def close(self) -> None:
        self.closing = True

    def force_close(self) -> None:
        self.keepalive = False
        self.closing = True
        if self.transport is not None:
            self.transport.close()


class _NoLoop:
    """Stands for the event loop of a request built outside any running loop.

    aiohttp hands such requests a mock loop; we refuse clearly instead of pretending, on the
    first use only, so building the request (the common case in sync tests) still works.
    """

    def __getattr__(self, name: str) -> NoReturn:
        raise RuntimeError(
            "make_mocked_request() was called outside a running event loop; "
            f"pass loop= to use request.loop.{name}"
        )


async def _unrouted(request: web.Request) -> NoReturn:
    raise RuntimeError("a mocked request is not routed: call the handler directly")


def _head(
    method: str,
    path: str,
    headers: CIMultiDictProxy[str],
    version: HttpVersion,
    closing: bool,
) -> RequestHead:
    """The parsed head a real parser would have produced for these values."""
    connection = headers.get("Connection", "").lower()
    tokens = {token.strip() for token in connection.split(",")}
    if closing or "close" in tokens:
        keep_alive = False
    else:
        keep_alive = version >= HttpVersion11 or "keep-alive" in tokens
    length = headers.get("Content-Length")
    content_length = int(length) if length is not None and length.isdigit() else None
    encoding = headers.get("Content-Encoding")
    return RequestHead(
        method=method,
        target=path,
        version=version,
        headers=headers,
        raw_headers=tuple((k.encode("utf-8"), v.encode("utf-8")) for k, v in headers.items()),
        keep_alive=keep_alive,
        upgrade="upgrade" in tokens and "Upgrade" in headers,
        chunked="chunked" in headers.get("Transfer-Encoding", "").lower(),
        content_length=content_length,
        encoding=encoding.lower() if encoding is not None else None,
        expect_continue=headers.get("Expect", "").lower() == "100-continue",
    )


def make_mocked_request(
    method: str,
    path: str,
    headers: Mapping[str, str] | CIMultiDict[str] | CIMultiDictProxy[str] | None = None,
    *,
    match_info: Mapping[str, str] = _SENTINEL,
    version: HttpVersion = HttpVersion11,
    closing: bool = False,
    app: web.Application | None = None,
    writer: PayloadWriter = _SENTINEL,
    protocol: Any = _SENTINEL,
    transport: asyncio.Transport | None = _SENTINEL,
    payload: StreamReader = EMPTY_PAYLOAD,
    sslcontext: ssl.SSLContext | None = None,
    client_max_size: int = 1024**2,
    loop: Any = ...,
) -> web.Request:
    """A ``web.Request`` for ``method path`` as if the application had just routed it.

    ``match_info`` is the dict of path variables; ``app`` (a fresh ``web.Application`` by
    default) is ``request.app`` and receives ``on_response_prepare`` (that signal of ``app`` is
    frozen here, as the runner would freeze it). Unless given, the
    transport is a :class:`MockTransport`, the protocol a :class:`MockProtocol` and the writer a
    real ``PayloadWriter`` writing into that transport. ``payload`` is the body stream
    (``web_http.StreamReader``; feed it and call ``feed_eof()`` for a body). ``loop`` defaults
    to the running loop.
    """
    if not isinstance(method, str) or not method:
        raise TypeError(f"method must be a non-empty str, got {method!r}")
    if not isinstance(path, str):
        raise TypeError(f"path must be a str, got {path!r}")
    if loop is ...:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = _NoLoop()
    try:
        task = asyncio.current_task()
    except RuntimeError:
        task = None

    hdrs = CIMultiDictProxy(CIMultiDict(headers if headers is not None else ()))
    message = _head(method, path, hdrs, version, closing)

    if transport is _SENTINEL:
        transport = MockTransport(sslcontext=sslcontext)
    if protocol is _SENTINEL:
        protocol = MockProtocol(transport)
    if writer is _SENTINEL:
        writer = PayloadWriter(protocol)
    if app is None:
        app = web.Application()
    # A prepared response sends on_response_prepare, and a signal must be frozen to send: do
    # what the runner's freeze would do, for this one signal only (routes may still be added).
    app.on_response_prepare.freeze()

    request = web.Request(
        message,
        payload,
        cast(RequestHandler, protocol),
        writer,
        cast("asyncio.Task[None]", task),
        cast(asyncio.AbstractEventLoop, loop),
        client_max_size=client_max_size,
    )
    rel_path = request.rel_url.path
    resource = web.PlainResource(rel_path if rel_path.startswith("/") else "")
    route = web.ResourceRoute("*", _unrouted, resource)
    info = web.UrlMappingMatchInfo(
        {} if match_info is _SENTINEL else dict(match_info),
        route,
    )
    info.add_app(app)
    set_match_info(request, info)
    return request


def make_mocked_coro(
    return_value: Any = None, raise_exception: BaseException | None = None
) -> mock.Mock:
    """A ``Mock`` wrapping an async function that returns ``return_value`` or raises.

    Calls are recorded as on any mock (``assert_called_once_with`` ...); awaiting the call's
    result gives ``return_value``.
    """

    async def mocked(*args: Any, **kwargs: Any) -> Any:
        if raise_exception is not None:
            raise raise_exception
        return return_value

    return mock.Mock(wraps=mocked)
