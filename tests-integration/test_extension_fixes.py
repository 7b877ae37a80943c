"""Three behaviours aiohttp extensions rely on (issue 17), over real sockets.

aiohttp-sse calls ``enable_chunked_encoding()`` on a prepared stream, sockjs and aiohttp's own
``server_simple.py`` use the lowercase ``WSMsgType`` aliases, and aiohttp-session's login
example stores state in a started application (aiohttp 3.14 warns there; it does not fail).
"""

from __future__ import annotations

import warnings

import httpx
import web
from support import serve
from websockets.asyncio.client import connect


async def test_enable_chunked_encoding_after_prepare_keeps_the_stream() -> None:
    async def sse(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await resp.prepare(request)
        resp.enable_chunked_encoding()  # what aiohttp-sse does after prepare
        for n in range(3):
            await resp.write(f"data: {n}\n\n".encode())
        await resp.write_eof()
        return resp

    app = web.Application()
    app.router.add_get("/events", sse)
    async with serve(app) as base, httpx.AsyncClient() as client:
        resp = await client.get(f"{base}/events")
    assert resp.status_code == 200
    assert resp.headers["Transfer-Encoding"] == "chunked"
    assert resp.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n"


async def test_lowercase_msgtype_aliases_in_a_handler() -> None:
    async def echo(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == web.WSMsgType.text:
                await ws.send_str(msg.data.upper())
            elif msg.type == web.WSMsgType.binary:
                await ws.send_bytes(msg.data[::-1])
        assert ws.closed
        return ws

    app = web.Application()
    app.router.add_get("/ws", echo)
    async with serve(app) as base, connect(base.replace("http", "ws", 1) + "/ws") as client:
        await client.send("hi")
        assert await client.recv() == "HI"
        await client.send(b"\x01\x02")
        assert await client.recv() == b"\x02\x01"


async def test_state_change_in_a_running_app_warns_and_is_stored() -> None:
    counter = web.AppKey("counter", int)
    seen: list[warnings.WarningMessage] = []

    async def login(request: web.Request) -> web.Response:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            request.app[counter] = request.app.get(counter, 0) + 1
        seen.extend(caught)
        return web.Response(text=str(request.app[counter]))

    app = web.Application()
    app.router.add_post("/login", login)
    async with serve(app) as base, httpx.AsyncClient() as client:
        first = await client.post(f"{base}/login")
        second = await client.post(f"{base}/login")
    assert (first.status_code, first.text) == (200, "1")
    assert (second.status_code, second.text) == (200, "2")
    assert [w.category for w in seen] == [DeprecationWarning, DeprecationWarning]
    assert "Changing state of started or joined application" in str(seen[0].message)
