"""web-testing: run a web application on a local port and talk to it from tests.

``TestServer`` / ``RawTestServer`` serve an application or a bare handler through the real
runner; ``TestClient`` sends requests to one of them (httpx underneath, aiohttp's call style on
top, websockets through the ``websockets`` library); ``make_mocked_request`` builds a real
``web.Request`` for unit-testing a handler without a socket. The pytest plugin
(``web_testing.pytest_plugin``) provides the ``web_client``, ``web_server`` and
``web_raw_server`` fixtures.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .__about__ import __version__ as __version__

# The pytest plugin lives in this package, so pytest imports this module in every test session
# of an environment where web-testing is installed. The names below are therefore loaded on
# first use: a session that never touches them does not pay for importing the framework.
if TYPE_CHECKING:
    from ._client import TestClient as TestClient
    from ._mocked import (
        MockProtocol as MockProtocol,
        MockTransport as MockTransport,
        make_mocked_coro as make_mocked_coro,
        make_mocked_request as make_mocked_request,
    )
    from ._ports import (
        get_port_socket as get_port_socket,
        get_unused_port_socket as get_unused_port_socket,
        unused_port as unused_port,
    )
    from ._response import (
        ClientResponse as ClientResponse,
        ClientResponseError as ClientResponseError,
        ContentTypeError as ContentTypeError,
    )
    from ._server import (
        BaseTestServer as BaseTestServer,
        RawTestServer as RawTestServer,
        TestServer as TestServer,
    )
    from ._websocket import (
        ClientWebSocket as ClientWebSocket,
        WSMessage as WSMessage,
        WSMessageTypeError as WSMessageTypeError,
    )

_WHERE = {
    "BaseTestServer": "._server",
    "ClientResponse": "._response",
    "ClientResponseError": "._response",
    "ClientWebSocket": "._websocket",
    "ContentTypeError": "._response",
    "MockProtocol": "._mocked",
    "MockTransport": "._mocked",
    "RawTestServer": "._server",
    "TestClient": "._client",
    "TestServer": "._server",
    "WSMessage": "._websocket",
    "WSMessageTypeError": "._websocket",
    "get_port_socket": "._ports",
    "get_unused_port_socket": "._ports",
    "make_mocked_coro": "._mocked",
    "make_mocked_request": "._mocked",
    "unused_port": "._ports",
}


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(where, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted((*globals(), *_WHERE))


__all__ = (
    "BaseTestServer",
    "ClientResponse",
    "ClientResponseError",
    "ClientWebSocket",
    "ContentTypeError",
    "MockProtocol",
    "MockTransport",
    "RawTestServer",
    "TestClient",
    "TestServer",
    "WSMessage",
    "WSMessageTypeError",
    "__version__",
    "get_port_socket",
    "get_unused_port_socket",
    "make_mocked_coro",
    "make_mocked_request",
    "unused_port",
)
