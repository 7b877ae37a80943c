"""The types of web-testing's fixtures (``web_client``, ``web_server``, ``web_raw_server``).

Apart from ``pytest_plugin`` so that the aiohttp-named fixtures, which the plugin registers,
annotate against them without importing the plugin back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import web

    from ._client import TestClient
    from ._server import BaseTestServer, RawHandler, RawTestServer, TestServer

__all__ = ("WebClientFactory", "WebRawServerFactory", "WebServerFactory")


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
