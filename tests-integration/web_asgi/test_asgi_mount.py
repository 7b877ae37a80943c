"""A Starlette application mounted with ``add_asgi`` on our own runner: http and websocket
under the prefix, with httpx and the websockets library."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import web
import websockets
from starlette.applications import Starlette
from starlette.requests import Request as StarRequest
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect
from support import serve

LIFESPAN: list[str] = []
CLOSES: list[int] = []
SEEN: list[str] = []

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


async def star_hello(request: StarRequest) -> Response:
    return PlainTextResponse(f"starlette {request.path_params['name']}")


async def star_info(request: StarRequest) -> Response:
    return JSONResponse(
        {
            "root_path": request.scope["root_path"],
            "path": request.scope["path"],
            "url": str(request.url),
            "url_for": str(request.url_for("hello", name="x")),
            "query": dict(request.query_params),
            "client": request.client.host if request.client else None,
            "started": request.state.started,
        }
    )


async def star_echo(request: StarRequest) -> Response:
    return Response(await request.body(), media_type="application/octet-stream")


async def star_stream(request: StarRequest) -> Response:
    async def parts() -> AsyncIterator[bytes]:
        for i in range(3):
            yield f"chunk {i}\n".encode()
            await asyncio.sleep(0.01)

    return StreamingResponse(parts(), media_type="text/plain")


async def star_ws(websocket: WebSocket) -> None:
    await websocket.accept(subprotocol="v2" if "v2" in websocket.scope["subprotocols"] else None)
    try:
        while True:
            text = await websocket.receive_text()
            if text == "bye":
                await websocket.close(code=4100, reason="starlette says bye")
                return
            await websocket.send_text(f"star:{text}")
    except WebSocketDisconnect as exc:
        CLOSES.append(exc.code)


async def star_ws_refuse(websocket: WebSocket) -> None:
    await websocket.close(code=1008)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[dict[str, Any]]:
    LIFESPAN.append("star startup")
    yield {"started": True}
    LIFESPAN.append("star shutdown")


def starlette_app() -> Starlette:
    return Starlette(
        routes=[
            Route("/hello/{name}", star_hello, name="hello"),
            Route("/info", star_info),
            Route("/echo", star_echo, methods=["POST"]),
            Route("/stream", star_stream),
            WebSocketRoute("/ws", star_ws),
            WebSocketRoute("/refuse", star_ws_refuse),
        ],
        lifespan=lifespan,
    )


@web.middleware
async def seen(request: web.Request, handler: Handler) -> web.StreamResponse:
    SEEN.append(request.path)
    return await handler(request)


async def tag(request: web.Request, resp: web.StreamResponse) -> None:
    resp.headers["X-Ours"] = "yes"


async def ours(request: web.Request) -> web.Response:
    return web.Response(text="ours")


def make_app() -> web.Application:
    app = web.Application(middlewares=[seen])
    app.on_response_prepare.append(tag)
    app.router.add_get("/", ours)
    app.add_asgi("/star", starlette_app())
    return app


@pytest.fixture
async def base() -> AsyncIterator[str]:
    LIFESPAN.clear()
    async with serve(make_app()) as url:
        yield url
    assert LIFESPAN == ["star startup", "star shutdown"]


async def test_http_under_the_prefix(base: str) -> None:
    assert LIFESPAN == ["star startup"]
    async with httpx.AsyncClient(base_url=base, timeout=10) as client:
        assert (await client.get("/")).text == "ours"
        hello = await client.get("/star/hello/bob")
        assert (hello.status_code, hello.text) == (200, "starlette bob")
        assert hello.headers["content-type"] == "text/plain; charset=utf-8"
        info = (await client.get("/star/info?x=1")).json()
        assert info["root_path"] == "/star"
        assert info["path"] == "/star/info"
        assert info["url"] == f"{base}/star/info?x=1"
        assert info["url_for"] == f"{base}/star/hello/x"
        assert info["query"] == {"x": "1"}
        assert info["client"] == "127.0.0.1"
        assert info["started"] is True  # the lifespan's state reached the request
        body = bytes(range(256)) * 1000
        echoed = await client.post("/star/echo", content=body)
        assert echoed.content == body
        assert echoed.headers["content-length"] == str(len(body))
        streamed = await client.get("/star/stream")
        assert streamed.text == "chunk 0\nchunk 1\nchunk 2\n"
        missing = await client.get("/star/nothing")
        assert (missing.status_code, missing.text) == (404, "Not Found")  # Starlette's 404
        # Our middlewares wrap the mounted app like any route; its responses stream, so
        # they are prepared when a middleware gets them: on_response_prepare adds headers.
        assert "/star/hello/bob" in SEEN
        assert "/star/nothing" in SEEN
        assert hello.headers["x-ours"] == "yes"
        assert missing.headers["x-ours"] == "yes"


async def test_websocket_under_the_prefix(base: str) -> None:
    CLOSES.clear()
    ws_base = base.replace("http://", "ws://")
    async with websockets.connect(f"{ws_base}/star/ws", subprotocols=["v1", "v2"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "v2"
        await ws.send("hi")
        assert await ws.recv() == "star:hi"
        await ws.send("bye")
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None
        assert (info.value.rcvd.code, info.value.rcvd.reason) == (4100, "starlette says bye")
    async with websockets.connect(f"{ws_base}/star/ws") as ws:
        assert ws.subprotocol is None
        await ws.send("again")
        assert await ws.recv() == "star:again"
        await ws.close(code=4200)
    for _ in range(100):
        if CLOSES:
            break
        await asyncio.sleep(0.02)
    assert CLOSES == [4200]
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with websockets.connect(f"{ws_base}/star/refuse"):
            pass
    assert refused.value.response.status_code == 403
