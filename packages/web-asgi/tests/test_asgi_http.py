"""ASGI http scopes served by asgi_app, with the server's side played in memory."""

from __future__ import annotations

import asyncio
import gzip
import json
from typing import Any

import pytest
from web_app import Application, HTTPForbidden, Request, Response, StreamResponse, json_response
from web_asgi import Message, asgi_app
from web_asgi._connection import AsgiConnection, AsgiTransport

Driver = Any
CHUNKED = [(b"host", b"x"), (b"transfer-encoding", b"chunked")]


def make_app() -> Application:
    app = Application()

    async def hello(request: Request) -> Response:
        return Response(text="hello")

    async def echo(request: Request) -> Response:
        return Response(body=await request.read())

    async def info(request: Request) -> Response:
        return json_response(
            {
                "remote": request.remote,
                "host": request.host,
                "scheme": request.scheme,
                "secure": request.secure,
                "path": request.path,
                "query": request.query_string,
                "version": list(request.version),
                "raw": request.raw_path,
            }
        )

    async def fail(request: Request) -> Response:
        raise ValueError("boom")

    async def forbidden(request: Request) -> Response:
        raise HTTPForbidden(text="nope")

    async def chunked(request: Request) -> StreamResponse:
        resp = StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(b"a")
        await resp.write(b"b")
        return resp

    async def nothing(request: Request) -> Any:
        return None

    app.router.add_get("/", hello)
    app.router.add_post("/echo", echo)
    app.router.add_get("/info", info)
    app.router.add_get("/fail", fail)
    app.router.add_get("/forbidden", forbidden)
    app.router.add_get("/chunked", chunked)
    app.router.add_get("/nothing", nothing)
    return app


async def test_get_sends_head_and_body(driver: Driver) -> None:
    peer = await driver.call_http(asgi_app(make_app()), driver.http_scope("/"))
    start = peer.start()
    assert start["status"] == 200
    headers = peer.headers()
    assert headers[b"content-type"] == b"text/plain; charset=utf-8"
    assert headers[b"content-length"] == b"5"
    # The ASGI server frames the connection and adds its own Date and Server.
    assert b"date" not in headers
    assert b"server" not in headers
    assert b"connection" not in headers
    assert peer.body() == b"hello"
    assert peer.sent[-1]["more_body"] is False


async def test_head_keeps_the_length_and_sends_no_body(driver: Driver) -> None:
    peer = await driver.call_http(asgi_app(make_app()), driver.http_scope("/", method="HEAD"))
    assert peer.headers()[b"content-length"] == b"5"
    assert peer.body() == b""


async def test_body_in_several_events(driver: Driver) -> None:
    headers = [(b"host", b"x"), (b"content-length", b"6")]
    scope = driver.http_scope("/echo", method="POST", headers=headers)
    peer = await driver.call_http(asgi_app(make_app()), scope, [b"ab", b"cd", b"", b"ef"])
    assert peer.body() == b"abcdef"


async def test_slow_reader_stops_the_receive_pump(driver: Driver) -> None:
    """Backpressure: while the handler does not read, ``receive`` is no longer called."""
    reading = asyncio.Event()
    sizes: list[int] = []
    app = Application()

    async def slow(request: Request) -> Response:
        await reading.wait()
        total = 0
        async for chunk in request.content.iter_any():
            total += len(chunk)
        sizes.append(total)
        return Response(text=str(total))

    app.router.add_post("/", slow)
    asgi = asgi_app(app, read_bufsize=1024)
    peer = driver.Peer()
    for _ in range(50):
        peer.put({"type": "http.request", "body": b"x" * 1024, "more_body": True})
    peer.put({"type": "http.request", "body": b"", "more_body": False})
    task = asyncio.ensure_future(
        asgi(driver.http_scope("/", method="POST", headers=CHUNKED), peer.receive, peer.send)
    )
    await asyncio.sleep(0.05)
    assert 2 <= peer.received <= 4  # high water (2 KiB) reached: the pump waits
    reading.set()
    await asyncio.wait_for(task, 5)
    assert sizes == [50 * 1024]
    assert peer.body() == b"51200"


async def test_http1_request_without_length_or_chunks_has_no_body(driver: Driver) -> None:
    """RFC 9112 6.3: the body is not even received (ASGI servers send an empty event)."""
    scope = driver.http_scope("/echo", method="POST")
    peer = driver.Peer()
    await asyncio.wait_for(asgi_app(make_app())(scope, peer.receive, peer.send), 5)
    assert peer.received == 0
    assert peer.body() == b""


async def test_client_gone_mid_body(driver: Driver) -> None:
    errors: list[BaseException] = []
    app = Application()

    async def reader(request: Request) -> Response:
        try:
            await request.read()
        except ConnectionError as exc:
            errors.append(exc)
            raise
        return Response()

    app.router.add_post("/", reader)
    peer = driver.Peer()
    peer.put({"type": "http.request", "body": b"x", "more_body": True})
    peer.put({"type": "http.disconnect"})
    await asyncio.wait_for(
        asgi_app(app)(
            driver.http_scope("/", method="POST", headers=CHUNKED), peer.receive, peer.send
        ),
        5,
    )
    assert len(errors) == 1
    assert not peer.sent  # nothing to answer: the client left


async def test_gzip_body_is_decoded_and_bad_gzip_is_400(driver: Driver) -> None:
    headers = [*CHUNKED, (b"content-encoding", b"gzip")]
    scope = driver.http_scope("/echo", method="POST", headers=headers)
    data = gzip.compress(b"zipped" * 100)
    peer = await driver.call_http(asgi_app(make_app()), scope, [data[:10], data[10:]])
    assert peer.body() == b"zipped" * 100
    bad = await driver.call_http(asgi_app(make_app()), scope, [b"definitely not gzip"])
    assert bad.start()["status"] == 400
    off = await driver.call_http(asgi_app(make_app(), auto_decompress=False), scope, [data])
    assert off.body() == data


async def test_request_attributes_from_the_scope(driver: Driver) -> None:
    scope = driver.http_scope(
        "/info", query=b"a=1", scheme="https", http_version="2", root_path="/mount"
    )
    scope["raw_path"] = b"/mount/in%66o"
    peer = await driver.call_http(asgi_app(make_app()), scope)
    data = json.loads(peer.body())
    assert data == {
        "remote": "10.1.2.3",
        "host": "example.test",
        "scheme": "https",
        "secure": True,
        "path": "/info",
        "query": "a=1",
        "version": [2, 0],
        "raw": "/in%66o?a=1",
    }


async def test_host_falls_back_to_the_server_address(driver: Driver) -> None:
    peer = await driver.call_http(asgi_app(make_app()), driver.http_scope("/info", headers=[]))
    assert json.loads(peer.body())["host"] == "127.0.0.1:8000"


async def test_errors_answer_as_our_server_does(driver: Driver) -> None:
    asgi = asgi_app(make_app())
    fail = await driver.call_http(asgi, driver.http_scope("/fail"))
    assert fail.start()["status"] == 500
    assert fail.body() == b"500 Internal Server Error\n"
    forbidden = await driver.call_http(asgi, driver.http_scope("/forbidden"))
    assert (forbidden.start()["status"], forbidden.body()) == (403, b"nope")
    missing = await driver.call_http(asgi, driver.http_scope("/missing"))
    assert missing.start()["status"] == 404
    nothing = await driver.call_http(asgi, driver.http_scope("/nothing"))
    assert nothing.start()["status"] == 500


async def test_streaming_head_leaves_at_prepare(driver: Driver) -> None:
    release = asyncio.Event()
    app = Application()

    async def slow_stream(request: Request) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        await release.wait()
        await resp.write(b"late")
        return resp

    app.router.add_get("/", slow_stream)
    peer = driver.Peer()
    peer.put({"type": "http.request", "body": b"", "more_body": False})
    task = asyncio.ensure_future(asgi_app(app)(driver.http_scope("/"), peer.receive, peer.send))
    start = await peer.wait_for("http.response.start")
    assert start["status"] == 200
    assert b"transfer-encoding" not in dict(start["headers"])  # the server frames it
    release.set()
    await asyncio.wait_for(task, 5)
    assert peer.body() == b"late"
    assert peer.sent[-1] == {"type": "http.response.body", "body": b"", "more_body": False}


async def test_chunked_encoding_is_allowed_on_http2(driver: Driver) -> None:
    peer = await driver.call_http(
        asgi_app(make_app()), driver.http_scope("/chunked", http_version="2")
    )
    assert peer.start()["status"] == 200
    assert peer.body() == b"ab"


async def test_send_failure_is_a_lost_connection(driver: Driver) -> None:
    seen: list[BaseException] = []
    app = Application()

    async def stream(request: Request) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        try:
            await resp.write(b"x")
        except ConnectionResetError as exc:
            seen.append(exc)
            raise
        return resp

    app.router.add_get("/", stream)
    peer = driver.Peer()
    peer.put({"type": "http.request", "body": b"", "more_body": False})

    async def send(message: Message) -> None:
        if message["type"] == "http.response.body":
            raise OSError("client disconnected")

    await asyncio.wait_for(asgi_app(app)(driver.http_scope("/"), peer.receive, send), 5)
    assert len(seen) == 1


def test_only_applications_are_served() -> None:
    with pytest.raises(TypeError, match=r"web\.Application"):
        asgi_app(object())  # type: ignore[arg-type]


async def test_unknown_scope_type_is_refused(driver: Driver) -> None:
    peer = driver.Peer()
    with pytest.raises(ValueError, match="unsupported ASGI scope type"):
        await asgi_app(make_app())({"type": "telepathy"}, peer.receive, peer.send)


async def test_peer_closed_callbacks_fire_on_disconnect(driver: Driver) -> None:
    """What a long-lived response (server-sent events) watches to stop in time."""
    app = Application()

    async def watch(request: Request) -> StreamResponse:
        gone = asyncio.Event()
        request.protocol.on_peer_closed(gone.set)
        resp = StreamResponse()
        await resp.prepare(request)
        await asyncio.wait_for(gone.wait(), 2)
        return resp

    app.router.add_get("/", watch)
    peer = driver.Peer()
    peer.put({"type": "http.request", "body": b"", "more_body": False})
    task = asyncio.ensure_future(asgi_app(app)(driver.http_scope("/"), peer.receive, peer.send))
    await peer.wait_for("http.response.start")
    peer.put({"type": "http.disconnect"})
    await asyncio.wait_for(task, 5)
    assert peer.received == 1  # the watcher's receive; GET has no body to receive


async def test_browsers_get_the_html_error_page(driver: Driver) -> None:
    headers = [(b"host", b"x"), (b"accept", b"text/html,*/*")]
    peer = await driver.call_http(asgi_app(make_app()), driver.http_scope("/fail", headers=headers))
    assert peer.start()["status"] == 500
    assert peer.headers()[b"content-type"] == b"text/html; charset=utf-8"
    assert b"<h1>500 Internal Server Error</h1>" in peer.body()


async def test_transport_writelines_is_write_of_the_joined_bytes() -> None:
    # the response writer may hand a chunk over as pieces; an http connection refuses raw
    # bytes either way, with the same error
    scope: dict[str, Any] = {"type": "http", "client": ("1.2.3.4", 5), "server": None}
    conn = AsgiConnection(scope, asyncio.get_running_loop(), debug=False)
    transport = AsgiTransport(conn, scope)
    with pytest.raises(RuntimeError, match="raw writes are not possible"):
        transport.write(b"ab")
    with pytest.raises(RuntimeError, match="raw writes are not possible"):
        transport.writelines([b"a", memoryview(b"b")])
