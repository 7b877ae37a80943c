"""web-testing: run a web application on a local port and talk to it from tests.

``TestServer`` / ``RawTestServer`` serve an application or a bare handler through the real
runner, on a socket or in memory; ``TestClient`` sends requests to one of them with aiohttp's
client API (its own HTTP/1.1 client over web-http, websockets through the ``websockets``
library's sans-IO client); ``make_mocked_request`` builds a real ``web.Request`` for
unit-testing a handler; ``AioHTTPTestCase`` and the loop helpers serve unittest suites. The
pytest plugin (``web_testing.pytest_plugin``) provides ``web_client``/``aiohttp_client`` and
the other fixtures.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from .__about__ import __version__ as __version__

# The pytest plugin lives in this package, so pytest imports this module in every test session
# of an environment where web-testing is installed. The names below are therefore loaded on
# first use: a session that never touches them does not pay for importing the framework.
if TYPE_CHECKING:
    from web import FormData as FormData

    from ._client import TestClient as TestClient
    from ._cookie_jar import CookieJar as CookieJar
    from ._errors import (
        ClientConnectionError as ClientConnectionError,
        ClientError as ClientError,
        ClientPayloadError as ClientPayloadError,
        ClientResponseError as ClientResponseError,
        ContentTypeError as ContentTypeError,
        RequestInfo as RequestInfo,
        ServerDisconnectedError as ServerDisconnectedError,
        TooManyRedirects as TooManyRedirects,
        WSServerHandshakeError as WSServerHandshakeError,
    )
    from ._loop import (
        loop_context as loop_context,
        setup_test_loop as setup_test_loop,
        teardown_test_loop as teardown_test_loop,
    )
    from ._memory import MemoryTransport as MemoryTransport
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
    from ._response import ClientResponse as ClientResponse
    from ._server import (
        BaseTestServer as BaseTestServer,
        RawTestServer as RawTestServer,
        TestServer as TestServer,
    )
    from ._session import ClientSession as ClientSession
    from ._test_case import (
        AioHTTPTestCase as AioHTTPTestCase,
        unittest_run_loop as unittest_run_loop,
    )
    from ._websocket import (
        ClientWebSocket as ClientWebSocket,
        WSMessage as WSMessage,
        WSMessageTypeError as WSMessageTypeError,
    )

_WHERE = {
    "AioHTTPTestCase": "._test_case",
    "BaseTestServer": "._server",
    "ClientConnectionError": "._errors",
    "ClientError": "._errors",
    "ClientPayloadError": "._errors",
    "ClientResponse": "._response",
    "ClientResponseError": "._errors",
    "ClientSession": "._session",
    "ClientWebSocket": "._websocket",
    "ContentTypeError": "._errors",
    "CookieJar": "._cookie_jar",
    "FormData": "web",
    "MemoryTransport": "._memory",
    "MockProtocol": "._mocked",
    "MockTransport": "._mocked",
    "RawTestServer": "._server",
    "RequestInfo": "._errors",
    "ServerDisconnectedError": "._errors",
    "TestClient": "._client",
    "TestServer": "._server",
    "TooManyRedirects": "._errors",
    "WSMessage": "._websocket",
    "WSMessageTypeError": "._websocket",
    "WSServerHandshakeError": "._errors",
    "get_port_socket": "._ports",
    "get_unused_port_socket": "._ports",
    "loop_context": "._loop",
    "make_mocked_coro": "._mocked",
    "make_mocked_request": "._mocked",
    "setup_test_loop": "._loop",
    "teardown_test_loop": "._loop",
    "unittest_run_loop": "._test_case",
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
    "AioHTTPTestCase",
    "BaseTestServer",
    "ClientConnectionError",
    "ClientError",
    "ClientPayloadError",
    "ClientResponse",
    "ClientResponseError",
    "ClientSession",
    "ClientWebSocket",
    "ContentTypeError",
    "CookieJar",
    "FormData",
    "MemoryTransport",
    "MockProtocol",
    "MockTransport",
    "RawTestServer",
    "RequestInfo",
    "ServerDisconnectedError",
    "TestClient",
    "TestServer",
    "TooManyRedirects",
    "WSMessage",
    "WSMessageTypeError",
    "WSServerHandshakeError",
    "__version__",
    "get_port_socket",
    "get_unused_port_socket",
    "loop_context",
    "make_mocked_coro",
    "make_mocked_request",
    "setup_test_loop",
    "teardown_test_loop",
    "unittest_run_loop",
    "unused_port",
)
