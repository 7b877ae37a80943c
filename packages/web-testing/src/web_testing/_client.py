"""``TestClient``: aiohttp's test client API, bound to one test server.

``await client.get("/")`` and ``async with client.get("/") as resp`` both work, as in aiohttp;
requests take paths (the server's address is filled in) and aiohttp's arguments. Requests go
through :class:`ClientSession` over TCP, or through the in-memory transport when the server
was made with ``transport="memory"``; the calls and the responses are the same.
"""

from __future__ import annotations

from collections.abc import Coroutine, Generator, Iterable, Mapping
from types import TracebackType
from typing import Any, Generic, TypeVar

import web
from yarl import URL

from ._connection import ClientConnection
from ._cookie_jar import CookieJar, cookie_header_of
from ._response import ClientResponse
from ._server import BaseTestServer, TestServer
from ._session import ClientSession, Connector, SocketConnector
from ._websocket import ClientWebSocket

__all__ = ("TestClient",)

_T = TypeVar("_T", ClientResponse, ClientWebSocket)
_URLS_MAX = 256


class _ContextManager(Generic[_T]):
    """Await it for the result, or ``async with`` it to close the result afterwards."""

    __slots__ = ("_coro", "_result")

    _coro: Coroutine[Any, Any, _T]
    _result: _T | None

    def __init__(self, coro: Coroutine[Any, Any, _T]) -> None:
        self._coro = coro
        self._result = None

    def __await__(self) -> Generator[Any, None, _T]:
        return self._coro.__await__()

    async def __aenter__(self) -> _T:
        self._result = await self._coro
        return self._result

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        result = self._result
        if isinstance(result, ClientWebSocket):
            await result.close()
        elif result is not None:
            result.release()


class _MemoryConnector(Connector):
    """Connections to one in-memory test server; any other origin is unreachable."""

    def __init__(self, server: BaseTestServer) -> None:
        self._server = server
        super().__init__(self._connect)

    async def _connect(self, url: URL, ssl: object) -> ClientConnection:
        # the server's root itself, not make_url("/"): the same origin without a URL join
        # per connection (one connection per test, usually)
        root = self._server._root
        if root is None:
            raise RuntimeError("the test server is not started")
        if (url.scheme, url.raw_host, url.port) != (root.scheme, root.raw_host, root.port):
            raise ValueError(
                f"{url} is not on the in-memory test server ({self._server.make_url('/')});"
                " only it can be reached"
            )
        conn = ClientConnection()
        self._server.connect_in_memory(conn)
        return conn


class TestClient:
    """Requests to one :class:`BaseTestServer`; ``close()`` also closes the server.

    ``kwargs`` are aiohttp's ``ClientSession`` options: ``headers``, ``cookies``,
    ``cookie_jar``, ``auto_decompress``, ``raise_for_status``, ``timeout`` (seconds or an
    object with ``total``), ``skip_auto_headers``, and ``ssl`` (an ``ssl.SSLContext``, or
    ``False`` to skip verification) for an HTTPS test server. Redirects are followed and
    cookies kept, as in aiohttp; the jar accepts cookies from IP addresses (``unsafe``).
    """

    __test__ = False  # a class named Test* that pytest must not collect

    def __init__(
        self,
        server: BaseTestServer,
        *,
        cookie_jar: CookieJar | None = None,
        ssl: Any = None,
        loop: Any = None,  # aiohttp's deprecated argument, ignored
        **kwargs: Any,
    ) -> None:
        if not isinstance(server, BaseTestServer):
            raise TypeError(f"server must be a TestServer or RawTestServer, got {server!r}")
        self._server = server
        connector: Connector
        if server.transport == "memory":
            connector = _MemoryConnector(server)
        else:
            connector = SocketConnector(ssl=ssl)
        self._session = ClientSession(
            connector, cookie_jar=cookie_jar if cookie_jar is not None else CookieJar(), **kwargs
        )
        self._websockets: list[ClientWebSocket] = []
        self._closed = False
        #: The server URLs of the paths requested so far (fixed once the server listens).
        self._urls: dict[str, URL] = {}

    async def start_server(self) -> None:
        await self._server.start_server()

    @property
    def server(self) -> BaseTestServer:
        return self._server

    @property
    def app(self) -> web.Application | None:
        """The application of a :class:`TestServer`, ``None`` for a raw server."""
        return self._server.app if isinstance(self._server, TestServer) else None

    @property
    def host(self) -> str:
        return self._server.host

    @property
    def port(self) -> int | None:
        return self._server.port

    @property
    def transport(self) -> str:
        """``"socket"`` or ``"memory"``: how this client reaches its server."""
        return self._server.transport

    @property
    def session(self) -> ClientSession:
        """The client session (``session.cookie_jar`` holds the cookies kept)."""
        return self._session

    @property
    def closed(self) -> bool:
        return self._closed

    def make_url(self, path: str | URL) -> URL:
        return self._server.make_url(path)

    def request(
        self, method: str, path: str | URL, **kwargs: Any
    ) -> _ContextManager[ClientResponse]:
        """Send ``method path``; the response comes back after its head (body in ``content``).

        aiohttp's request arguments: ``params``, ``data`` (bytes, str, a form dict or pairs,
        ``FormData``, an open file, an async iterable), ``json``, ``headers``, ``cookies``,
        ``allow_redirects``, ``max_redirects``, ``raise_for_status``, ``chunked``,
        ``expect100``, ``timeout``, ``ssl``, ``skip_auto_headers``. A closed client and a
        path that is not relative to the server raise at once, in the call.
        """
        if self._closed:
            raise RuntimeError("the test client is closed")
        url = self._urls.get(path) if type(path) is str else None
        if url is None:
            url = self._server.make_url(path)
            if type(path) is str and len(self._urls) < _URLS_MAX:
                self._urls[path] = url  # a test asks for the same few paths again
        # The session's coroutine itself: no layer of ours to pass through per await.
        return _ContextManager(self._session.request(method, url, **kwargs))

    def get(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("GET", path, **kwargs)

    def post(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("POST", path, **kwargs)

    def put(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("PUT", path, **kwargs)

    def patch(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("DELETE", path, **kwargs)

    def head(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("HEAD", path, **kwargs)

    def options(self, path: str | URL, **kwargs: Any) -> _ContextManager[ClientResponse]:
        return self.request("OPTIONS", path, **kwargs)

    def ws_connect(
        self,
        path: str | URL,
        *,
        protocols: Iterable[str] = (),
        headers: Mapping[str, str] | None = None,
        origin: str | None = None,
        max_msg_size: int = 4 * 1024 * 1024,
        compress: int | bool = False,
        timeout: float | None = 10.0,
        ssl: Any = None,
        params: Any = None,
        receive_timeout: float | None = None,
        heartbeat: float | None = None,
        autoclose: bool = True,
        autoping: bool = True,
    ) -> _ContextManager[ClientWebSocket]:
        """Open a websocket to ``path`` (``ws://`` or ``wss://`` after the server's scheme).

        ``protocols`` are offered subprotocols, ``compress`` offers permessage-deflate; the
        session's cookies and default headers are sent with the handshake. ``heartbeat``
        pings every so many seconds and fails the connection when a pong is late;
        ``receive_timeout`` is the default limit of ``receive()``.
        """
        if not (autoclose and autoping):
            raise TypeError(
                "autoclose=False and autoping=False are not supported: the websockets "
                "client always answers pings and close frames itself"
            )
        if heartbeat is not None and heartbeat <= 0:
            raise ValueError(f"heartbeat must be positive seconds, got {heartbeat!r}")
        url = self._server.make_url(path)
        if params is not None:
            url = url.extend_query(params)
        return _ContextManager(
            self._ws_connect(
                url,
                receive_timeout=receive_timeout,
                heartbeat=heartbeat,
                protocols=tuple(protocols),
                headers=headers,
                origin=origin,
                max_msg_size=max_msg_size,
                compress=bool(compress),
                timeout=timeout,
                ssl=ssl,
            )
        )

    async def _ws_connect(
        self,
        url: URL,
        *,
        receive_timeout: float | None,
        heartbeat: float | None,
        protocols: tuple[str, ...],
        headers: Mapping[str, str] | None,
        origin: str | None,
        max_msg_size: int,
        compress: bool,
        timeout: float | None,
        ssl: Any,
    ) -> ClientWebSocket:
        if self._closed:
            raise RuntimeError("the test client is closed")
        fields = list(self._session.headers.items())
        if headers:
            fields += list(headers.items())
        cookies = self._session.cookie_jar.filter_cookies(url)
        if cookies:
            fields.append(("Cookie", cookie_header_of(cookies)))
        conn = await self._session.connector.acquire(url, ssl)
        ws_url = url.with_scheme("wss" if url.scheme == "https" else "ws")
        ws = await ClientWebSocket.connect(
            conn,
            ws_url,
            deadlines=self._session.deadlines,
            protocols=protocols,
            headers=fields,
            origin=origin,
            max_msg_size=max_msg_size,
            compress=compress,
            timeout=timeout,
            receive_timeout=receive_timeout,
            heartbeat=heartbeat,
        )
        self._websockets.append(ws)
        return ws

    async def close(self) -> None:
        """Close open websockets, the connections and the server (idempotent)."""
        if self._closed:
            return
        self._closed = True
        for ws in self._websockets:
            await ws.close()
        self._websockets.clear()
        await self._session.close()
        await self._server.close()

    def __enter__(self) -> None:
        raise TypeError("use 'async with' with a test client")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None  # never reached: __enter__ raises

    async def __aenter__(self) -> TestClient:
        await self.start_server()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()
