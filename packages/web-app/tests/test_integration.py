"""web_app.integration: the server-integration API (web-runner, web-asgi, web-testing use it)."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app import (
    AbstractAccessLogger,
    Application,
    BaseRequest,
    HTTPNotFound,
    Request,
    Response,
    Server,
    StreamResponse,
    json_response,
)
from web_app.integration import (
    bind_loop,
    error_response,
    handle,
    make_request,
    make_server,
    send_at_once,
    set_match_info,
)
from web_http import EMPTY_PAYLOAD, HttpVersion11, RequestHead
from web_routing import PlainResource, ResourceRoute, UrlMappingMatchInfo


class _Writer:
    """Records what is handed to the connection's writer."""

    def __init__(self) -> None:
        self.complete: list[bytes] = []
        self.head: bytes | None = None
        self.body: list[bytes] = []
        self.output_size = 0

    def send_complete(self, data: bytes) -> None:
        self.complete.append(data)

    def write_headers(self, head: bytes) -> None:
        self.head = head

    def send_headers(self) -> None:
        return None

    def enable_chunking(self) -> None:
        return None

    async def write(self, data: bytes) -> None:
        self.body.append(bytes(data))

    async def write_eof(self, data: bytes = b"") -> None:
        self.body.append(bytes(data))

    async def drain(self) -> None:
        return None


class _Connection:
    transport = None


def _head(target: str = "/", method: str = "GET") -> RequestHead:
    hdrs = CIMultiDictProxy(CIMultiDict({"Host": "example.com"}))
    return RequestHead(
        method=method,
        target=target,
        version=HttpVersion11,
        headers=hdrs,
        raw_headers=((b"Host", b"example.com"),),
        keep_alive=True,
        upgrade=False,
        chunked=False,
        content_length=None,
        encoding=None,
        expect_continue=False,
    )


def _request(
    app: Application, target: str = "/", scheme: str | None = None
) -> tuple[Request, _Writer]:
    writer = _Writer()
    task = cast("asyncio.Task[None]", asyncio.current_task())
    request = make_request(
        app,
        _head(target),
        EMPTY_PAYLOAD,
        cast(Any, _Connection()),
        cast(Any, writer),
        task,
        scheme=scheme,
    )
    return request, writer


async def test_make_request_and_handle_route_as_the_connection_does() -> None:
    async def hello(request: Request) -> Response:
        return json_response({"path": request.path, "name": request.match_info["name"]})

    app = Application(client_max_size=1234)
    app.router.add_get("/hi/{name}", hello)
    bind_loop(app, asyncio.get_running_loop())
    app.freeze()
    request, writer = _request(app, "/hi/bob")
    assert isinstance(request, Request)
    assert request.client_max_size == 1234
    response = await handle(app, request)
    assert request.match_info["name"] == "bob"
    assert request.app is app
    assert isinstance(response, Response)
    assert response.body == b'{"path": "/hi/bob", "name": "bob"}'
    assert send_at_once(response, request, cast(Any, writer))
    assert writer.complete and writer.complete[0].startswith(b"HTTP/1.1 200 OK\r\n")
    assert writer.complete[0].endswith(b'{"path": "/hi/bob", "name": "bob"}')
    assert response.eof_sent
    assert not send_at_once(response, request, cast(Any, writer))  # sent: never twice


async def test_handle_lets_http_exceptions_through() -> None:
    app = Application()
    bind_loop(app, asyncio.get_running_loop())
    app.freeze()
    request, _ = _request(app, "/missing")
    with pytest.raises(HTTPNotFound):
        await handle(app, request)


async def test_make_request_scheme() -> None:
    app = Application()
    app.freeze()
    assert _request(app, scheme="https")[0].scheme == "https"
    assert _request(app, scheme="https")[0].secure
    assert _request(app)[0].scheme == "http"  # no TLS object on the transport


async def test_send_at_once_refuses_what_needs_the_general_path() -> None:
    app = Application()
    app.freeze()
    request, writer = _request(app)
    streamed = StreamResponse()
    assert not send_at_once(streamed, request, cast(Any, writer))
    with_cookie = Response(text="x")
    with_cookie.set_cookie("a", "b")
    assert not send_at_once(with_cookie, request, cast(Any, writer))
    assert writer.complete == []
    assert not with_cookie.prepared  # nothing changed: prepare() still to come


async def test_bind_loop_refuses_a_second_loop_and_reaches_subapps() -> None:
    app = Application()
    sub = Application()
    app.add_subapp("/sub", sub)
    loop = asyncio.get_running_loop()
    bind_loop(app, loop)
    bind_loop(app, loop)  # the same loop again: fine
    other = asyncio.new_event_loop()
    try:
        for bound in (app, sub):  # the sub-application was bound with its parent
            with pytest.raises(RuntimeError, match="different loop"):
                bind_loop(bound, other)
    finally:
        other.close()


async def test_make_server_freezes_and_serves_the_app() -> None:
    app = Application(handler_args={"keepalive_timeout": 5.0})
    server = make_server(app, loop=asyncio.get_running_loop(), keepalive_timeout=1.0)
    assert isinstance(server, Server)
    assert app.frozen
    assert server.request_factory == app._make_request
    assert server().keepalive_timeout == 5.0  # the app's handler_args win
    assert make_server(Application(), keepalive_timeout=1.0)().keepalive_timeout == 1.0
    with pytest.raises(TypeError, match="access_log_class"):
        make_server(Application(), access_log_class=object)


async def test_make_server_takes_logger_classes_by_inheritance_or_registration() -> None:
    class Inherited(AbstractAccessLogger):
        def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
            return None

    class Registered:
        def __init__(self, logger: object, log_format: str) -> None:
            return None

    AbstractAccessLogger.register(Registered)
    for cls in (Inherited, Registered):
        assert isinstance(make_server(Application(), access_log_class=cls), Server)
    with pytest.raises(TypeError, match="access_log_class"):
        make_server(Application(), access_log_class="Inherited")


async def test_set_match_info_for_a_request_built_outside_routing() -> None:
    async def handler(request: Request) -> Response:
        return Response()

    app = Application()
    app.freeze()
    request, _ = _request(app, "/x")
    info = UrlMappingMatchInfo({"k": "v"}, ResourceRoute("GET", handler, PlainResource("/x")))
    info.add_app(app)
    set_match_info(request, info)
    assert request.match_info is info
    assert request.match_info["k"] == "v"
    assert request.app is app


def test_error_response_is_the_servers_error_page() -> None:
    html = error_response(500, accept="text/html", message="boom")
    assert html.status == 500 and html.content_type == "text/html"
    text = error_response(400, accept=None, message="bad")
    assert text.content_type == "text/plain"
    assert text.text is not None and "bad" in text.text
    assert text.keep_alive is False
