"""pytest-aiohttp's fixture names over web-testing's fixtures.

Registered by the plugin only when pytest-aiohttp is not active, so the two never fight over
a name; a suite ported from aiohttp keeps requesting ``aiohttp_client`` and friends.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ._fixture_types import WebClientFactory, WebRawServerFactory, WebServerFactory

__all__ = ("aiohttp_client", "aiohttp_raw_server", "aiohttp_server", "aiohttp_unused_port")


@pytest.fixture
def aiohttp_client(web_client: WebClientFactory) -> WebClientFactory:
    """``await aiohttp_client(app_or_server, *, server_kwargs=None, **client_kwargs)``."""
    return web_client


@pytest.fixture
def aiohttp_server(web_server: WebServerFactory) -> WebServerFactory:
    """``await aiohttp_server(app, *, port=None, **kwargs)``: a started TestServer."""
    return web_server


@pytest.fixture
def aiohttp_raw_server(web_raw_server: WebRawServerFactory) -> WebRawServerFactory:
    """``await aiohttp_raw_server(handler, *, port=None, **kwargs)``: a started RawTestServer."""
    return web_raw_server


@pytest.fixture
def aiohttp_unused_port() -> Callable[[], int]:
    """``aiohttp_unused_port()`` returns a free TCP port of 127.0.0.1."""
    from ._ports import unused_port

    return unused_port
