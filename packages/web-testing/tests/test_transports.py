"""The same client scenarios over a socket and over the in-memory transport.

The in-memory server runs the framework's real ``RequestHandler``; these tests check that
what a test sees does not depend on the transport: bodies both ways with flow control,
keep-alive reuse, HEAD, streaming, websockets, errors and the end of connections.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import web
from web_testing import (
    ClientPayloadError,
    ServerDisconnectedError,
    TestClient,
    TestServer,
)

BIG = 3 * 1024 * 1024  # well over every buffer's high-water mark


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(body=body, headers={"X-Peer": str(request.remote)})


async def big(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse()
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    piece = b"x" * 65536
    for _ in range(BIG // len(piece)):
        await resp.write(piece)
    await resp.write_eof()
    return resp


async def count(request: web.Request) -> web.Response:
    return web.Response(text=str(id(request.transport)))


async def boom(request: web.Request) -> web.Response:
    raise RuntimeError("boom")


async def cut(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse(headers={"Content-Length": "100"})
    await resp.prepare(request)
    await resp.write(b"only part")
    assert request.transport is not None
    request.transport.close()
    return resp


async def ws_echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is web.WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close(code=4000, message=b"bye")
            else:
                await ws.send_str("echo:" + msg.data)
        elif msg.type is web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
    return ws


def make_app() -> web.Application:
    app = web.Application(client_max_size=2 * BIG)
    app.router.add_route("*", "/echo", echo)
    app.router.add_get("/big", big)
    app.router.add_get("/conn", count)
    app.router.add_get("/boom", boom)
    app.router.add_get("/cut", cut)
    app.router.add_get("/ws", ws_echo)
    return app


@pytest.fixture(params=["socket", "memory"])
async def client(request: pytest.FixtureRequest) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app(), transport=request.param)) as client:
        yield client


async def test_transport_is_reported(client: TestClient) -> None:
    assert client.transport in ("socket", "memory")
    assert client.server.transport == client.transport


async def test_small_and_big_bodies_both_ways(client: TestClient) -> None:
    resp = await client.post("/echo", data=b"hello")
    assert await resp.read() == b"hello"
    payload = bytes(range(256)) * (BIG // 256)
    resp = await client.post("/echo", data=payload)
    assert resp.status == 200
    assert await resp.read() == payload


async def test_streamed_body_is_flow_controlled(client: TestClient) -> None:
    resp = await client.get("/big")
    first = await resp.content.read(10)
    assert first == b"x" * 10
    await asyncio.sleep(0.05)  # the server fills the buffers and must wait for us
    rest = await resp.content.read()
    assert len(first) + len(rest) == BIG


async def test_keep_alive_reuses_the_connection(client: TestClient) -> None:
    first = await (await client.get("/conn")).text()
    second = await (await client.get("/conn")).text()
    assert first == second


async def test_unread_body_does_not_leak_into_the_next_response(client: TestClient) -> None:
    resp = await client.get("/big")
    resp.release()  # body not read: this connection cannot be reused
    assert await (await client.post("/echo", data=b"next")).read() == b"next"


async def test_head_has_no_body(client: TestClient) -> None:
    resp = await client.head("/conn")
    assert resp.status == 200
    assert await resp.read() == b""
    assert (await client.post("/echo", data=b"after")).status == 200


async def test_server_error_is_a_500(client: TestClient) -> None:
    resp = await client.get("/boom")
    assert resp.status == 500


async def test_body_cut_short_is_a_payload_error(client: TestClient) -> None:
    resp = await client.get("/cut")
    with pytest.raises(ClientPayloadError):
        await resp.read()


async def test_peer_address_is_loopback(client: TestClient) -> None:
    resp = await client.post("/echo", data=b"")
    assert resp.headers["X-Peer"] == "127.0.0.1"


async def test_websocket_round_trip_and_close(client: TestClient) -> None:
    async with client.ws_connect("/ws") as ws:
        await ws.send_str("hi")
        assert await ws.receive_str() == "echo:hi"
        await ws.send_bytes(b"\x00\x01")
        assert await ws.receive_bytes() == b"\x00\x01"
        await ws.send_json({"a": 1})
        assert await ws.receive_str() == 'echo:{"a": 1}'
        await ws.send_str("close")
        msg = await ws.receive()
        assert msg.type is web.WSMsgType.CLOSE
        assert (msg.data, msg.extra) == (4000, "bye")
        assert ws.closed
        assert (await ws.receive()).type is web.WSMsgType.CLOSED


async def test_websocket_async_for_ends_on_close(client: TestClient) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_str("one")
    await ws.send_str("close")
    got = [msg.data async for msg in ws]
    assert got == ["echo:one"]
    assert await ws.close() is False


async def test_websocket_client_close(client: TestClient) -> None:
    ws = await client.ws_connect("/ws")
    assert await ws.close(code=1000) is True
    assert ws.closed
    with pytest.raises(ConnectionResetError):
        await ws.send_str("late")


async def test_server_going_away_ends_the_request() -> None:
    async def slow(request: web.Request) -> web.Response:
        assert request.transport is not None
        request.transport.close()
        await asyncio.sleep(1)
        return web.Response()

    for transport in ("socket", "memory"):
        app = web.Application()
        app.router.add_get("/", slow)
        async with TestClient(TestServer(app, transport=transport)) as client:
            with pytest.raises(ServerDisconnectedError):
                await client.get("/")


async def test_memory_server_has_no_port_and_refuses_ssl() -> None:
    server = TestServer(web.Application(), transport="memory")
    with pytest.raises(ValueError, match="ssl"):
        import ssl

        await server.start_server(ssl=ssl.create_default_context())
    async with TestClient(TestServer(web.Application(), transport="memory")) as client:
        assert str(client.make_url("/x")) == "http://127.0.0.1/x"
        with pytest.raises(ValueError, match="in-memory"):
            await client.session.request("GET", "http://example.com/")
        # the origin is scheme, host and port: another port or scheme is another server
        for other in ("http://127.0.0.1:81/", "https://127.0.0.1/"):
            with pytest.raises(
                ValueError,
                match=rf"^{other} is not on the in-memory test server \(http://127.0.0.1/\)",
            ):
                await client.session.request("GET", other)
        resp = await client.session.request("GET", "http://127.0.0.1:80/x")
        assert resp.status == 404
        resp.release()


def test_unknown_transport_is_refused() -> None:
    with pytest.raises(ValueError, match="transport"):
        TestServer(web.Application(), transport="pigeon")
