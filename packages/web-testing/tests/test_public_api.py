"""The public surface: __all__ is complete and every name resolves."""

from __future__ import annotations

import subprocess
import sys

import web_testing

EXPECTED = {
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
}


def test_all_lists_the_public_names() -> None:
    assert set(web_testing.__all__) == EXPECTED
    for name in web_testing.__all__:
        assert getattr(web_testing, name) is not None
    assert set(dir(web_testing)) >= EXPECTED


def test_unknown_name_is_attribute_error() -> None:
    try:
        web_testing.NoSuchThing  # noqa: B018
    except AttributeError as exc:
        assert "NoSuchThing" in str(exc)
    else:
        raise AssertionError("expected AttributeError")


def test_loading_the_plugin_does_not_import_the_framework() -> None:
    # pytest loads the plugin in every session; importing `web` there would slow every run.
    code = "import sys, web_testing.pytest_plugin; print('web' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "False"
