"""make_mocked_request builds a real, routed-looking web.Request without any socket."""

from __future__ import annotations

import ssl

import pytest
import web
from web_http import HttpVersion10, StreamReader
from web_testing import MockProtocol, make_mocked_coro, make_mocked_request

COUNTER = web.AppKey("counter", int)


def test_request_line_headers_and_query() -> None:
    req = make_mocked_request("POST", "/items/7?x=1&x=2", headers={"Host": "example.com"})
    assert isinstance(req, web.Request)
    assert req.method == "POST"
    assert req.path == "/items/7"
    assert req.query.getall("x") == ["1", "2"]
    assert str(req.url) == "http://example.com/items/7?x=1&x=2"
    assert req.headers["HOST"] == "example.com"
    assert req.raw_headers == ((b"Host", b"example.com"),)


def test_match_info_and_default_app() -> None:
    req = make_mocked_request("GET", "/users/ann", match_info={"name": "ann"})
    assert req.match_info == {"name": "ann"}
    assert isinstance(req.app, web.Application)
    assert req.config_dict.get(COUNTER) is None


def test_given_app_is_request_app_and_config_dict() -> None:
    app = web.Application()
    app[COUNTER] = 3
    req = make_mocked_request("GET", "/", app=app)
    assert req.app is app
    assert req.config_dict[COUNTER] == 3


async def test_handler_called_directly() -> None:
    async def handler(request: web.Request) -> web.Response:
        return web.json_response({"id": request.match_info["id"]})

    resp = await handler(make_mocked_request("GET", "/x/5", match_info={"id": "5"}))
    assert resp.status == 200
    assert resp.body == b'{"id": "5"}'


def test_keep_alive_follows_version_connection_and_closing() -> None:
    assert make_mocked_request("GET", "/").keep_alive is True
    assert make_mocked_request("GET", "/", closing=True).keep_alive is False
    assert make_mocked_request("GET", "/", headers={"Connection": "close"}).keep_alive is False
    assert make_mocked_request("GET", "/", version=HttpVersion10).keep_alive is False
    http10_ka = make_mocked_request(
        "GET", "/", headers={"Connection": "keep-alive"}, version=HttpVersion10
    )
    assert http10_ka.keep_alive is True
    assert http10_ka.version == HttpVersion10


def test_scheme_follows_sslcontext() -> None:
    plain = make_mocked_request("GET", "/")
    assert plain.scheme == "http"
    assert plain.secure is False
    secure = make_mocked_request("GET", "/", sslcontext=ssl.create_default_context())
    assert secure.scheme == "https"
    assert secure.secure is True


def test_no_peer_address_but_sockname() -> None:
    req = make_mocked_request("GET", "/")
    assert req.remote is None
    assert req.get_extra_info("sockname") == ("127.0.0.1", 80)
    assert req.get_extra_info("peername", "nobody") == "nobody"


def test_content_headers_are_parsed() -> None:
    req = make_mocked_request(
        "POST",
        "/",
        headers={"Content-Type": "text/plain; charset=latin-1", "Content-Length": "5"},
    )
    assert req.content_type == "text/plain"
    assert req.charset == "latin-1"
    assert req.content_length == 5


def test_cookies_are_parsed() -> None:
    req = make_mocked_request("GET", "/", headers={"Cookie": "a=1; b=two"})
    assert dict(req.cookies) == {"a": "1", "b": "two"}


async def test_payload_is_the_body() -> None:
    protocol = MockProtocol(None)
    payload = StreamReader(protocol, 2**16)
    payload.feed_data(b'{"k": [1, 2]}')
    payload.feed_eof()
    req = make_mocked_request(
        "POST", "/", headers={"Content-Type": "application/json"}, payload=payload
    )
    assert req.body_exists
    assert await req.json() == {"k": [1, 2]}


async def test_body_over_client_max_size_is_413() -> None:
    payload = StreamReader(MockProtocol(None), 2**16)
    payload.feed_data(b"x" * 11)
    payload.feed_eof()
    req = make_mocked_request("POST", "/", payload=payload, client_max_size=10)
    with pytest.raises(web.HTTPRequestEntityTooLarge):
        await req.read()


async def test_no_body_reads_empty() -> None:
    req = make_mocked_request("GET", "/")
    assert req.body_exists is False
    assert await req.read() == b""


def test_built_outside_a_loop_refuses_loop_use_clearly() -> None:
    req = make_mocked_request("GET", "/sync")
    assert req.path == "/sync"
    with pytest.raises(RuntimeError, match="outside a running event loop"):
        req.loop.time()


async def test_inside_a_loop_uses_it_and_the_current_task() -> None:
    import asyncio

    req = make_mocked_request("GET", "/")
    assert req.loop is asyncio.get_running_loop()
    assert req.task is asyncio.current_task()


def test_clone_keeps_match_info() -> None:
    req = make_mocked_request("GET", "/a", match_info={"k": "v"})
    clone = req.clone(rel_url="/b")
    assert clone.path == "/b"
    assert clone.match_info == {"k": "v"}


@pytest.mark.parametrize(
    ("method", "path"), [("", "/"), (None, "/"), ("GET", None)], ids=["empty", "none", "path"]
)
def test_bad_arguments_are_type_errors(method: object, path: object) -> None:
    with pytest.raises(TypeError):
        make_mocked_request(method, path)  # type: ignore[arg-type]


async def test_make_mocked_coro_records_calls_and_returns() -> None:
    coro = make_mocked_coro(return_value=42)
    assert await coro(1, key="v") == 42
    coro.assert_called_once_with(1, key="v")


async def test_make_mocked_coro_raises() -> None:
    coro = make_mocked_coro(raise_exception=ValueError("boom"))
    with pytest.raises(ValueError, match="boom"):
        await coro()
