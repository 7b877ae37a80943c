"""Timeouts and load shedding over real sockets (issue 11, issue 18): a stalled body gets 408,
a slow handler 503/504, a stuck websocket handshake 503, requests over the concurrency limit
a quick 503 with Retry-After while a health path still answers, and a handler cut off by the
shutdown timeout a 503 (not started) or a broken stream (started)."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
import web
from support import serve
from web_app import BaseRequest, Response, Server, StreamResponse


async def raw_exchange(port: int, data: bytes, *, timeout: float = 5.0) -> bytes:
    """Send ``data``, then read until the server closes the connection."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        writer.write(data)
        return await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()


def port_of(url: str) -> int:
    return int(url.rsplit(":", 1)[1])


async def test_a_stalled_body_gets_408_and_the_connection_closes() -> None:
    async def upload(request: web.Request) -> web.Response:
        body = await request.read()
        return web.Response(text=str(len(body)))

    app = web.Application()
    app.router.add_post("/up", upload)
    async with serve(app, client_body_timeout=0.3, access_log=None) as url:
        t0 = time.monotonic()
        head = b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"
        answer = await raw_exchange(port_of(url), head + b"only ten b")
        elapsed = time.monotonic() - t0
    assert answer.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert b"\r\nConnection: close\r\n" in answer
    assert b"request body not received in time" in answer
    assert 0.25 < elapsed < 3


async def test_a_slow_but_steady_body_is_not_cut() -> None:
    async def upload(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    app = web.Application()
    app.router.add_post("/up", upload)
    async with serve(app, client_body_timeout=0.3, access_log=None) as url:
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(
            b"POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: 8\r\nConnection: close\r\n\r\n"
        )
        for _ in range(8):  # 8 bytes over ~1.2 s, never 0.3 s without one
            await asyncio.sleep(0.15)
            writer.write(b"x")
        answer = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n") and answer.endswith(b"\r\n\r\n8")


@pytest.mark.parametrize("status", [503, 504])
async def test_a_handler_over_its_timeout_is_cancelled_and_answered(status: int) -> None:
    cancelled = asyncio.Event()

    async def slow(request: web.Request) -> web.Response:
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return web.Response(text="never")

    async def quick(request: web.Request) -> web.Response:
        return web.Response(text="quick")

    app = web.Application()
    app.router.add_get("/slow", slow)
    app.router.add_get("/quick", quick)
    options = {"handler_timeout": 0.3, "handler_timeout_status": status, "access_log": None}
    async with serve(app, **options) as url, httpx.AsyncClient(base_url=url) as client:
        t0 = time.monotonic()
        reply = await client.get("/slow")
        assert 0.25 < time.monotonic() - t0 < 3
        assert reply.status_code == status
        assert reply.headers["Connection"] == "close"
        assert "did not finish in time" in reply.text
        assert cancelled.is_set()
        # a fast handler on the same server is untouched, also after idle periods
        for _ in range(3):
            assert (await client.get("/quick")).text == "quick"
            await asyncio.sleep(0.2)


async def test_a_websocket_handler_that_never_switches_protocols_gets_503() -> None:
    async def stuck(request: web.Request) -> web.WebSocketResponse:
        await asyncio.sleep(30)
        raise AssertionError("not reached")

    async def echo(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/stuck", stuck)
    app.router.add_get("/echo", echo)
    upgrade = (
        b"GET %b HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
    )
    async with serve(app, websocket_handshake_timeout=0.3, access_log=None) as url:
        answer = await raw_exchange(port_of(url), upgrade % b"/stuck")
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        # the timeout ends with the handshake: an open websocket lives on past it
        reader, writer = await asyncio.open_connection("127.0.0.1", port_of(url))
        writer.write(upgrade % b"/echo")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 101 ")
        await asyncio.sleep(0.6)
        writer.write(bytes((0x81, 0x82, 0, 0, 0, 0)) + b"hi")  # masked text "hi", zero key
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"\x81\x02hi"
        writer.close()


async def test_requests_over_the_limit_get_a_quick_503_and_the_health_path_answers() -> None:
    release = asyncio.Event()
    all_busy = asyncio.Event()
    entered = 0

    async def busy(request: web.Request) -> web.Response:
        nonlocal entered
        entered += 1
        if entered == 4:
            all_busy.set()
        await release.wait()
        return web.Response(text="done")

    async def health(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/work", busy)
    app.router.add_get("/healthz", health)
    options = {
        "max_concurrent_requests": 4,
        "shed_exempt_paths": ["/healthz"],
        "shed_retry_after": 2,
        "access_log": None,
    }
    limits = httpx.Limits(max_connections=50)
    async with (
        serve(app, **options) as url,
        httpx.AsyncClient(base_url=url, limits=limits, timeout=10) as client,
    ):
        first = [asyncio.ensure_future(client.get("/work")) for _ in range(4)]
        await asyncio.wait_for(all_busy.wait(), 5)
        t0 = time.monotonic()
        over = await asyncio.gather(*(client.get("/work") for _ in range(20)))
        assert time.monotonic() - t0 < 3  # answered at once, not queued behind the busy ones
        assert {r.status_code for r in over} == {503}
        assert all(r.headers["Retry-After"] == "2" for r in over)
        assert entered == 4  # the shed requests never reached the handler
        assert (await client.get("/healthz?probe=1")).text == "ok"
        release.set()
        assert [r.status_code for r in await asyncio.gather(*first)] == [200] * 4
        # the limit frees up once the handlers are done
        assert (await client.get("/work")).text == "done"


async def test_shed_request_with_a_body_closes_the_connection() -> None:
    release = asyncio.Event()
    entered = asyncio.Event()

    async def busy(request: BaseRequest) -> StreamResponse:
        entered.set()
        await release.wait()
        return Response(text="done")

    loop = asyncio.get_running_loop()
    server = Server(busy, max_concurrent_requests=1)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        _r, holder = await asyncio.open_connection("127.0.0.1", port)
        holder.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(entered.wait(), 5)
        assert server.active_requests == 1
        post = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
        answer = await raw_exchange(port, post)
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
        assert b"\r\nRetry-After: 1\r\n" in answer
        assert b"\r\nConnection: close\r\n" in answer
        release.set()
        holder.close()
    finally:
        srv.close()
        await server.shutdown(0.5)


async def test_a_started_response_cut_by_the_shutdown_timeout_is_not_a_complete_message() -> None:
    started = asyncio.Event()

    async def streaming(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(b"first part")
        started.set()
        await asyncio.sleep(30)
        return resp

    loop = asyncio.get_running_loop()
    server = Server(streaming)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    srv.close()
    await server.shutdown(0.2)
    received = b""
    try:
        while chunk := await asyncio.wait_for(reader.read(65536), 5):
            received += chunk
    except ConnectionResetError:
        pass  # the abort: what a client sees as an error
    writer.close()
    assert received.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"first part" in received
    assert not received.endswith(b"0\r\n\r\n")  # no terminating chunk
