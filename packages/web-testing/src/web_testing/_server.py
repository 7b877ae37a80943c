"""Test servers: an application or a bare handler served on a free local port, or in memory.

Both run through the public runner API (``AppRunner`` / ``ServerRunner``), so a test exercises
the same code path as ``run_app``: startup and cleanup signals, the real protocol. With
``transport="socket"`` (the default) a ``SockSite`` listens on a socket bound here; with
``transport="memory"`` nothing listens and the test client connects to the runner's
``web.Server`` through an in-memory transport (:mod:`web_testing._memory`).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import ssl
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Literal

import web
from yarl import URL

from ._memory import connect_in_memory
from ._ports import get_port_socket

__all__ = ("BaseTestServer", "RawTestServer", "TestServer", "Transport")

Transport = Literal["socket", "memory"]
TRANSPORTS = ("socket", "memory")

SocketFactory = Callable[[str, int, socket.AddressFamily], socket.socket]
#: Options of ``web.ServerRunner`` itself (everything else is a ``web.Server`` setting).
_RUNNER_OPTIONS = ("handle_signals", "shutdown_timeout")
RawHandler = Callable[[web.BaseRequest], Awaitable[web.StreamResponse]]


class BaseTestServer:
    """Start a runner on ``host:port`` (a free port by default); ``make_url`` builds URLs to it.

    ``kwargs`` given here or to :meth:`start_server` go to the runner (and from it to the
    connection settings: ``access_log``, ``keepalive_timeout``, ``max_line_size`` ...);
    ``start_server(ssl=context)`` serves HTTPS. ``transport="memory"`` serves without a
    socket: only a :class:`TestClient` of this server can reach it.
    """

    __test__ = False  # a class named Test* that pytest must not collect

    def __init__(
        self,
        *,
        scheme: str = "",
        loop: asyncio.AbstractEventLoop | None = None,
        host: str = "127.0.0.1",
        port: int | None = None,
        skip_url_asserts: bool = False,
        socket_factory: SocketFactory = get_port_socket,
        transport: Transport = "socket",
        **kwargs: Any,
    ) -> None:
        if transport not in TRANSPORTS:
            raise ValueError(f"transport must be 'socket' or 'memory', got {transport!r}")
        self.transport: Transport = transport
        self._loop = loop
        self.runner: web.BaseRunner | None = None
        self._root: URL | None = None
        self.host = host
        self.port = port
        self.scheme = scheme
        self.skip_url_asserts = skip_url_asserts
        self.socket_factory = socket_factory
        self._kwargs = kwargs
        self._closed = False
        self._ssl: ssl.SSLContext | None = None

    async def _make_runner(self, **kwargs: Any) -> web.BaseRunner:
        raise NotImplementedError(f"{type(self).__name__} must implement _make_runner()")

    async def start_server(
        self, loop: asyncio.AbstractEventLoop | None = None, **kwargs: Any
    ) -> None:
        """Set the runner up and start listening; a second call does nothing."""
        if self._closed:
            raise RuntimeError("this test server was closed; make a new one")
        if self.runner is not None:
            return
        if loop is not None:
            self._loop = loop
        sslcontext = kwargs.pop("ssl", None)
        if sslcontext is not None and not isinstance(sslcontext, ssl.SSLContext):
            raise TypeError(f"ssl must be an ssl.SSLContext, got {sslcontext!r}")
        self._ssl = sslcontext
        # Like aiohttp's test server: a client that goes away cancels its handler.
        options = {"handler_cancellation": True, **self._kwargs, **kwargs}
        runner = await self._make_runner(**options)
        await runner.setup()
        self.runner = runner
        try:
            await self._listen(runner)
        except BaseException:
            self.runner = None
            await runner.cleanup()
            raise

    async def _listen(self, runner: web.BaseRunner) -> None:
        if self.transport == "memory":
            if self._ssl is not None:
                raise ValueError("ssl= needs a socket: the in-memory transport has no TLS")
            self.scheme = self.scheme or "http"
            self._root = URL(f"{self.scheme}://{self.host}")
            return
        try:
            version = ipaddress.ip_address(self.host).version
        except ValueError:
            version = 4
        family = socket.AF_INET6 if version == 6 else socket.AF_INET
        sock = self.socket_factory(self.host, self.port or 0, family)
        try:
            self.port = int(sock.getsockname()[1])
            site = web.SockSite(runner, sock, ssl_context=self._ssl)
            await site.start()
        except BaseException:
            sock.close()
            raise
        if not self.scheme:
            self.scheme = "https" if self._ssl is not None else "http"
        authority = f"[{self.host}]" if version == 6 else self.host
        self._root = URL(f"{self.scheme}://{authority}:{self.port}")

    def make_url(self, path: str | URL) -> URL:
        """The absolute URL of ``path`` on this server (``path`` must be relative)."""
        root = self._root
        if root is None:
            raise RuntimeError("the test server is not started")
        url = URL(path)
        if self.skip_url_asserts:
            return URL(str(root) + str(path))
        if url.absolute or str(path).startswith("//"):
            raise ValueError(f"make_url() takes a path relative to the server, got {path!r}")
        return root.join(url)

    def connect_in_memory(self, client: asyncio.Protocol) -> None:
        """Connect a client protocol to the server's protocol through memory transports."""
        if self.transport != "memory":
            raise RuntimeError("this test server listens on a socket; connect to its port")
        connect_in_memory(client, self.server(), server_address=(self.host, self.port or 80))

    @property
    def started(self) -> bool:
        return self.runner is not None

    @property
    def closed(self) -> bool:
        return self._closed

    @property
    def server(self) -> web.Server:
        """The low-level ``web.Server`` handling the connections."""
        runner = self.runner
        server = None if runner is None else runner.server
        if server is None:
            raise RuntimeError("the test server is not started")
        return server

    handler = server  # aiohttp's older name

    async def close(self) -> None:
        """Stop listening, shut the application down and close connections (idempotent)."""
        runner = self.runner
        if runner is not None and not self._closed:
            self._closed = True
            await runner.cleanup()
            self._root = None
            self.port = None

    def __enter__(self) -> None:
        raise TypeError("use 'async with' with a test server")

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        return None  # never reached: __enter__ raises

    async def __aenter__(self) -> BaseTestServer:
        await self.start_server(loop=self._loop)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()


class TestServer(BaseTestServer):
    """Serve ``app`` (a ``web.Application``) through ``web.AppRunner``."""

    def __init__(
        self,
        app: web.Application,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: int | None = None,
        **kwargs: Any,
    ) -> None:
        if not isinstance(app, web.Application):
            raise TypeError(f"TestServer serves a web.Application, got {app!r}")
        self.app = app
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, **kwargs: Any) -> web.BaseRunner:
        return web.AppRunner(self.app, **kwargs)


class RawTestServer(BaseTestServer):
    """Serve a bare ``handler(request) -> StreamResponse`` through ``web.Server``."""

    def __init__(
        self,
        handler: RawHandler,
        *,
        scheme: str = "",
        host: str = "127.0.0.1",
        port: int | None = None,
        **kwargs: Any,
    ) -> None:
        if not callable(handler):
            raise TypeError(f"RawTestServer needs an async handler, got {handler!r}")
        self._handler = handler
        super().__init__(scheme=scheme, host=host, port=port, **kwargs)

    async def _make_runner(self, debug: bool = True, **kwargs: Any) -> web.BaseRunner:
        # The runner's own options go to it; the rest configures the connections.
        runner_options = {key: kwargs.pop(key) for key in _RUNNER_OPTIONS if key in kwargs}
        srv = web.Server(self._handler, debug=debug, **kwargs)
        return web.ServerRunner(srv, **runner_options)
