"""Two strictness rules over real sockets: a request-target with a fragment gets 400
(RFC 9112 3.2), and a websocket upgrade over HTTP/1.0 gets 400 and never a 101
(RFC 6455 4.2.1). Each is also checked with a well-behaved client, which must still work."""

from __future__ import annotations

import asyncio

import pytest
import web
import websockets
from support import serve


async def _exchange(base: str, raw: bytes) -> bytes:
    """Send ``raw`` and read everything until the server closes the connection."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(raw)
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


def _app(seen: list[str]) -> web.Application:
    async def page(request: web.Request) -> web.Response:
        seen.append(request.path_qs)
        return web.Response(text="page")

    async def ws_handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    app = web.Application()
    app.router.add_get("/page", page)
    app.router.add_get("/ws", ws_handler)
    return app


@pytest.mark.parametrize(
    "target", [b"/page#top", b"/page?x=1#top", b"/page#", b"http://127.0.0.1/page#top"]
)
async def test_fragment_in_request_target_gets_400(target: bytes) -> None:
    seen: list[str] = []
    async with serve(_app(seen)) as base:
        response = await _exchange(base, b"GET " + target + b" HTTP/1.1\r\nHost: x\r\n\r\n")
        # the connection still serves a clean request afterwards on a new socket
        ok = await _exchange(base, b"GET /page HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert response.startswith(b"HTTP/1.1 400 "), response
    assert b"fragment" in response
    assert ok.startswith(b"HTTP/1.1 200 ")
    assert seen == ["/page"]  # the handler never saw the fragment request


async def test_percent_encoded_hash_is_a_normal_path() -> None:
    async with serve(_app([])) as base:
        response = await _exchange(
            base, b"GET /page%23top HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
    assert response.startswith(b"HTTP/1.1 404 ")


UPGRADE = (
    b"Host: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


async def test_websocket_upgrade_over_http10_gets_400_and_no_101() -> None:
    async with serve(_app([])) as base:
        # a frame sent right behind the head must not be taken as websocket data either
        response = await _exchange(base, b"GET /ws HTTP/1.0\r\n" + UPGRADE + b"\x81\x80abcd")
    assert response.startswith((b"HTTP/1.0 400 ", b"HTTP/1.1 400 ")), response
    assert b" 101 " not in response
    assert b"HTTP/1.1" in response.split(b"\r\n\r\n", 1)[1]  # the reason names the need


async def test_websocket_upgrade_over_http11_still_works() -> None:
    async with (
        serve(_app([])) as base,
        websockets.connect(base.replace("http", "ws", 1) + "/ws") as client,
    ):
        await client.send("hello")
        assert await asyncio.wait_for(client.recv(), 5) == "hello"
