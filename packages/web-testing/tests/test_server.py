"""TestServer and RawTestServer serve over real sockets through the public runner."""

from __future__ import annotations

import asyncio
import socket

import pytest
import web
from web_testing import (
    ClientSession,
    RawTestServer,
    TestClient,
    TestServer,
    get_unused_port_socket,
    unused_port,
)

STATE = web.AppKey("state", list)


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    return app


async def test_serves_the_app_on_a_free_port() -> None:
    async with TestServer(make_app()) as server:
        assert server.started
        assert server.scheme == "http"
        assert server.host == "127.0.0.1"
        assert isinstance(server.port, int) and server.port > 0
        url = server.make_url("/")
        assert str(url) == f"http://127.0.0.1:{server.port}/"
        async with ClientSession() as client:
            resp = await client.get(str(url))
        assert await resp.text() == "hello"
        assert isinstance(server.server, web.Server)
        assert isinstance(server.runner, web.AppRunner)
    assert server.closed
    assert server.port is None


async def test_startup_and_cleanup_signals_run() -> None:
    app = make_app()
    events: list[str] = []
    app[STATE] = events

    async def on_startup(app: web.Application) -> None:
        app[STATE].append("startup")

    async def on_cleanup(app: web.Application) -> None:
        app[STATE].append("cleanup")

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    server = TestServer(app)
    await server.start_server()
    assert events == ["startup"]
    await server.close()
    assert events == ["startup", "cleanup"]


async def test_close_is_idempotent_and_stops_listening() -> None:
    server = TestServer(make_app())
    await server.start_server()
    port = server.port
    assert port is not None
    await server.close()
    await server.close()
    with pytest.raises(OSError):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.close()


async def test_start_server_twice_is_one_start() -> None:
    server = TestServer(make_app())
    await server.start_server()
    port = server.port
    await server.start_server()
    assert server.port == port
    await server.close()


async def test_closed_server_cannot_restart() -> None:
    server = TestServer(make_app())
    await server.start_server()
    await server.close()
    with pytest.raises(RuntimeError, match="closed"):
        await server.start_server()


async def test_explicit_port() -> None:
    port = unused_port()
    async with TestServer(make_app(), port=port) as server:
        assert server.port == port
        assert server.make_url("/x").port == port


async def test_make_url_refuses_absolute_urls_and_before_start() -> None:
    server = TestServer(make_app())
    with pytest.raises(RuntimeError, match="not started"):
        server.make_url("/")
    async with server:
        with pytest.raises(ValueError, match="relative"):
            server.make_url("http://example.com/")
        with pytest.raises(ValueError, match="relative"):
            server.make_url("//example.com/x")
        assert server.make_url("/a?b=c").query["b"] == "c"


async def test_sync_with_is_refused() -> None:
    server = TestServer(make_app())
    with pytest.raises(TypeError, match="async with"), server:
        pass


def test_rejects_what_is_not_an_application() -> None:
    with pytest.raises(TypeError, match="Application"):
        TestServer(hello)  # type: ignore[arg-type]


async def test_runner_options_reach_the_connections() -> None:
    async with TestServer(make_app(), max_line_size=100) as server:
        async with ClientSession() as client:
            resp = await client.get(str(server.make_url("/" + "a" * 200)))
        assert resp.status == 414


async def test_raw_server_serves_a_bare_handler() -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(text=f"{request.method} {request.path_qs}")

    async with RawTestServer(handler) as server:
        assert isinstance(server.runner, web.ServerRunner)
        async with ClientSession() as client:
            resp = await client.post(str(server.make_url("/p?q=1")))
        assert await resp.text() == "POST /p?q=1"


async def test_raw_server_handler_error_is_500() -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        raise RuntimeError("boom")

    async with RawTestServer(handler) as server, ClientSession() as client:
        resp = await client.get(str(server.make_url("/")))
    assert resp.status == 500


def test_raw_server_needs_a_callable() -> None:
    with pytest.raises(TypeError):
        RawTestServer("nope")  # type: ignore[arg-type]


async def test_ipv6_host_is_bracketed() -> None:
    if not socket.has_ipv6:
        pytest.skip("no IPv6")
    try:
        get_unused_port_socket("::1", socket.AF_INET6).close()
    except OSError:
        pytest.skip("no IPv6 loopback")
    async with TestServer(make_app(), host="::1") as server:
        assert str(server.make_url("/")).startswith("http://[::1]:")
        async with ClientSession() as client:
            resp = await client.get(str(server.make_url("/")))
        assert await resp.text() == "hello"


async def stream_256k(request: web.Request) -> web.StreamResponse:
    sock = request.get_extra_info("socket")
    nodelay = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)
    resp = web.StreamResponse(headers={"X-Nodelay": str(int(bool(nodelay)))})
    await resp.prepare(request)
    for _ in range(16):
        await resp.write(b"s" * 16384)
    await resp.write_eof()
    return resp


async def test_socket_mode_connections_have_nagle_off() -> None:
    # The test server's socket is made with proto 0, for which asyncio leaves Nagle on: the
    # stream's last small chunk then waited for the client's delayed ACK (tens of ms each).
    app = web.Application()
    app.router.add_get("/stream", stream_256k)
    async with TestClient(TestServer(app, transport="socket")) as client:
        for _ in range(2):  # a fresh connection and a reused one
            resp = await client.get("/stream")
            assert resp.headers["X-Nodelay"] == "1"
            assert len(await resp.read()) == 256 * 1024
