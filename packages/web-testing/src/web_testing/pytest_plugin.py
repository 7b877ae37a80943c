"""pytest fixtures for web applications (registered as the ``web_testing`` pytest plugin).

Installing web-testing enables them in every test session::

    async def test_hello(web_client: WebClientFactory) -> None:
        client = await web_client(make_app())
        resp = await client.get("/")
        assert resp.status == 200

Every server and client a fixture made is closed when the test ends, even when it fails.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Protocol

import pytest_asyncio

if TYPE_CHECKING:
    # Loaded when a fixture first runs, not when pytest loads the plugin (see __init__).
    import web

    from ._client import TestClient
    from ._server import BaseTestServer, RawHandler, RawTestServer, TestServer

__all__ = (
    "WebClientFactory",
    "WebRawServerFactory",
    "WebServerFactory",
    "web_client",
    "web_raw_server",
    "web_server",
)


class WebServerFactory(Protocol):
    """The ``web_server`` fixture: ``await web_server(app, port=None, **kwargs)``."""

    async def __call__(
        self, app: web.Application, *, port: int | None = None, **kwargs: Any
    ) -> TestServer: ...


class WebRawServerFactory(Protocol):
    """The ``web_raw_server`` fixture: ``await web_raw_server(handler, port=None, **kwargs)``."""

    async def __call__(
        self, handler: RawHandler, *, port: int | None = None, **kwargs: Any
    ) -> RawTestServer: ...


class WebClientFactory(Protocol):
    """The ``web_client`` fixture: ``await web_client(app_or_server, **client_kwargs)``."""

    async def __call__(
        self,
        app_or_server: web.Application | BaseTestServer,
        *,
        server_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> TestClient: ...


@pytest_asyncio.fixture
async def web_server() -> AsyncIterator[WebServerFactory]:
    """Start ``TestServer(app, **kwargs)``; ``kwargs`` go to the runner (``ssl=`` for HTTPS)."""
    from ._server import TestServer

    servers: list[BaseTestServer] = []

    async def go(app: web.Application, *, port: int | None = None, **kwargs: Any) -> TestServer:
        ssl = kwargs.pop("ssl", None)
        server = TestServer(app, port=port, **kwargs)
        servers.append(server)
        await server.start_server(ssl=ssl)
        return server

    yield go
    while servers:
        await servers.pop().close()


@pytest_asyncio.fixture
async def web_raw_server() -> AsyncIterator[WebRawServerFactory]:
    """Start ``RawTestServer(handler, **kwargs)`` for a bare ``handler(request)``."""
    from ._server import RawTestServer

    servers: list[BaseTestServer] = []

    async def go(handler: RawHandler, *, port: int | None = None, **kwargs: Any) -> RawTestServer:
        ssl = kwargs.pop("ssl", None)
        server = RawTestServer(handler, port=port, **kwargs)
        servers.append(server)
        await server.start_server(ssl=ssl)
        return server

    yield go
    while servers:
        await servers.pop().close()


@pytest_asyncio.fixture
async def web_client() -> AsyncIterator[WebClientFactory]:
    """A started :class:`TestClient` for an application (served by a new TestServer) or for
    an existing test server; ``server_kwargs`` configure the new server, the other keyword
    arguments the httpx client."""
    import web

    from ._client import TestClient
    from ._server import BaseTestServer, TestServer

    clients: list[TestClient] = []

    async def go(
        app_or_server: web.Application | BaseTestServer,
        *,
        server_kwargs: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> TestClient:
        if isinstance(app_or_server, web.Application):
            server: BaseTestServer = TestServer(app_or_server, **(server_kwargs or {}))
        elif isinstance(app_or_server, BaseTestServer):
            if server_kwargs:
                raise TypeError("server_kwargs applies to an application, not a test server")
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
