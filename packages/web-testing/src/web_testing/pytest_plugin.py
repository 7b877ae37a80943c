"""pytest fixtures for web applications (registered as the ``web_testing`` pytest plugin).

Installing web-testing enables them in every test session::

    async def test_hello(aiohttp_client) -> None:
        client = await aiohttp_client(make_app())
        resp = await client.get("/")
        assert resp.status == 200

``web_client``, ``web_server``, ``web_raw_server`` always exist; pytest-aiohttp's names
(``aiohttp_client``, ``aiohttp_server``, ``aiohttp_raw_server``, ``aiohttp_unused_port``)
are the same fixtures, registered when pytest-aiohttp itself is not active, so a suite
written for it runs unchanged. ``transport="memory"`` (per call) or the ini option
``web_testing_transport = memory`` (per suite) serves without sockets. Every server and
client a fixture made is closed when the test ends, even when it fails. A coroutine test
that takes one of these fixtures runs on pytest-asyncio even in its strict mode.
"""

from __future__ import annotations

import inspect
from collections.abc import AsyncIterator, Generator
from typing import TYPE_CHECKING, Any

import pytest
import pytest_asyncio

from ._fixture_types import (
    WebClientFactory as WebClientFactory,
    WebRawServerFactory as WebRawServerFactory,
    WebServerFactory as WebServerFactory,
)

if TYPE_CHECKING:
    # Loaded when a fixture first runs, not when pytest loads the plugin (see __init__).
    import web

    from ._client import TestClient
    from ._server import BaseTestServer, RawHandler, RawTestServer, TestServer

__all__ = (
    "AiohttpClient",
    "AiohttpRawServer",
    "AiohttpServer",
    "WebClientFactory",
    "WebRawServerFactory",
    "WebServerFactory",
    "web_client",
    "web_raw_server",
    "web_server",
)

TRANSPORT_INI = "web_testing_transport"
_FIXTURES = frozenset(
    (
        "web_client",
        "web_server",
        "web_raw_server",
        "aiohttp_client",
        "aiohttp_server",
        "aiohttp_raw_server",
    )
)


# pytest-aiohttp's type names for its fixtures
AiohttpClient = WebClientFactory
AiohttpServer = WebServerFactory
AiohttpRawServer = WebRawServerFactory


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        TRANSPORT_INI,
        "how web_testing's fixtures connect: socket (default) or memory (no sockets)",
        default="socket",
    )


def _default_transport(config: pytest.Config) -> str:
    value = str(config.getini(TRANSPORT_INI) or "socket").strip()
    if value not in ("socket", "memory"):
        raise pytest.UsageError(f"{TRANSPORT_INI} must be socket or memory, got {value!r}")
    return value


def pytest_configure(config: pytest.Config) -> None:
    _default_transport(config)
    pm = config.pluginmanager
    aiohttp_active = pm.has_plugin("aiohttp") or any(
        getattr(plugin, "__name__", "") in ("pytest_aiohttp", "pytest_aiohttp.plugin")
        for plugin in pm.get_plugins()
    )
    if not aiohttp_active:
        from . import _aiohttp_fixtures

        pm.register(_aiohttp_fixtures, "web_testing.aiohttp_fixtures")


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_pycollect_makeitem(
    collector: pytest.Collector, name: str, obj: object
) -> Generator[None, Any, None]:
    """Mark coroutine tests that take our fixtures for pytest-asyncio (strict mode too)."""
    if inspect.iscoroutinefunction(obj) and name.startswith("test"):
        try:
            params = inspect.signature(obj).parameters
        except (TypeError, ValueError):
            params = {}  # type: ignore[assignment]
        marks = getattr(obj, "pytestmark", [])
        if _FIXTURES.intersection(params) and not any(m.name == "asyncio" for m in marks):
            pytest.mark.asyncio(obj)
    yield


@pytest_asyncio.fixture
async def web_server(request: pytest.FixtureRequest) -> AsyncIterator[WebServerFactory]:
    """Start ``TestServer(app, **kwargs)``; ``kwargs`` go to the runner (``ssl=`` for HTTPS)."""
    from ._server import TestServer

    servers: list[BaseTestServer] = []
    transport = _default_transport(request.config)

    async def go(app: web.Application, *, port: int | None = None, **kwargs: Any) -> TestServer:
        ssl = kwargs.pop("ssl", None)
        kwargs.setdefault("transport", transport)
        server = TestServer(app, port=port, **kwargs)
        servers.append(server)
        await server.start_server(ssl=ssl)
        return server

    yield go
    while servers:
        await servers.pop().close()


@pytest_asyncio.fixture
async def web_raw_server(request: pytest.FixtureRequest) -> AsyncIterator[WebRawServerFactory]:
    """Start ``RawTestServer(handler, **kwargs)`` for a bare ``handler(request)``."""
    from ._server import RawTestServer

    servers: list[BaseTestServer] = []
    transport = _default_transport(request.config)

    async def go(handler: RawHandler, *, port: int | None = None, **kwargs: Any) -> RawTestServer:
        ssl = kwargs.pop("ssl", None)
        kwargs.setdefault("transport", transport)
        server = RawTestServer(handler, port=port, **kwargs)
        servers.append(server)
        await server.start_server(ssl=ssl)
        return server

    yield go
    while servers:
        await servers.pop().close()


@pytest_asyncio.fixture
async def web_client(request: pytest.FixtureRequest) -> AsyncIterator[WebClientFactory]:
    """A started :class:`TestClient` for an application (served by a new TestServer) or for
    an existing test server; ``server_kwargs`` configure the new server (``transport=``
    may be given directly), the other keyword arguments the client session."""
    import web

    from ._client import TestClient
    from ._server import BaseTestServer, TestServer

    clients: list[TestClient] = []
    default_transport = _default_transport(request.config)

    async def go(
        app_or_server: web.Application | BaseTestServer,
        *,
        server_kwargs: dict[str, Any] | None = None,
        transport: str | None = None,
        **kwargs: Any,
    ) -> TestClient:
        if isinstance(app_or_server, web.Application):
            options = {"transport": transport or default_transport, **(server_kwargs or {})}
            server: BaseTestServer = TestServer(app_or_server, **options)
        elif isinstance(app_or_server, BaseTestServer):
            if server_kwargs or transport is not None:
                raise TypeError(
                    "server_kwargs and transport apply to an application, not a test server"
                )
            server = app_or_server
        else:
            raise TypeError(
                f"web_client() takes a web.Application or a test server, got {app_or_server!r}"
            )
        client = TestClient(server, **kwargs)
        clients.append(client)
        await client.start_server()
        return client

    yield go
    while clients:
        await clients.pop().close()
