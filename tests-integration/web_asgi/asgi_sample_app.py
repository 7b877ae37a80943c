"""The application the ASGI suite serves on our runner, uvicorn, Hypercorn and Granian.

Environment: ``ASGI_EVENTS`` (a file the lifecycle signals append to), ``ASGI_STATIC`` (the
static directory), ``ASGI_FAIL_STARTUP`` (set: ``on_startup`` raises). Entry points:
``asgi`` (module-level ASGI app), ``make_asgi`` (for ``--factory``; builds the application
with the async factory, at lifespan startup) and ``python asgi_sample_app.py PORT`` (our
runner).
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import web
import web_asgi

EVENTS = os.environ.get("ASGI_EVENTS", "")
STATIC = os.environ.get("ASGI_STATIC", "")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def record(event: str) -> None:
    if EVENTS:
        with open(EVENTS, "a", encoding="utf-8") as out:
            out.write(event + "\n")


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


async def json_handler(request: web.Request) -> web.Response:
    return web.json_response({"hello": "world", "n": [1, 2, 3]})


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(body=body, content_type=request.content_type)


async def upload(request: web.Request) -> web.Response:
    """Read a large body slowly, chunk by chunk (the server must hold the client back)."""
    total = 0
    chunks = 0
    async for chunk in request.content.iter_chunked(65536):
        total += len(chunk)
        chunks += 1
        if chunks % 16 == 0:
            await asyncio.sleep(0.001)
    return web.json_response({"size": total})


async def stream(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse()
    resp.content_type = "text/plain"
    await resp.prepare(request)
    for i in range(5):
        await resp.write(f"part {i}\n".encode())
        await asyncio.sleep(0.01)
    await resp.write_eof()
    return resp


async def info(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "remote": request.remote,
            "host": request.host,
            "scheme": request.scheme,
            "secure": request.secure,
            "path": request.path,
            "query": dict(request.query),
            "version": list(request.version),
            "method": request.method,
        }
    )


async def fail(request: web.Request) -> web.Response:
    raise ValueError("boom")


async def forbidden(request: web.Request) -> web.Response:
    raise web.HTTPForbidden(text="no entry")


async def cookie(request: web.Request) -> web.Response:
    resp = web.Response(text="cookie")
    resp.set_cookie("flavour", "oat", httponly=True)
    return resp


async def websocket(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=("chat", "superchat"))
    await ws.prepare(request)
    await ws.send_json({"protocol": ws.ws_protocol})
    async for msg in ws:
        if msg.type is web.WSMsgType.TEXT:
            if msg.data.startswith("close:"):
                code = int(msg.data.split(":", 1)[1])
                await ws.close(code=code, message=b"as asked")
                break
            await ws.send_str("echo:" + msg.data)
        elif msg.type is web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data[::-1])
    record(f"ws closed {ws.close_code}")
    return ws


async def sub_hello(request: web.Request) -> web.Response:
    return web.Response(text=f"sub {request.match_info['name']}")


@web.middleware
async def tag(request: web.Request, handler: Handler) -> web.StreamResponse:
    resp = await handler(request)
    if not resp.prepared:
        resp.headers["X-Middleware"] = "yes"
    return resp


async def on_prepare(request: web.Request, resp: web.StreamResponse) -> None:
    resp.headers["X-Prepared"] = "yes"


async def on_startup(app: web.Application) -> None:
    record("on_startup")
    if os.environ.get("ASGI_FAIL_STARTUP"):
        raise RuntimeError("startup refused")


async def on_shutdown(app: web.Application) -> None:
    record("on_shutdown")


async def on_cleanup(app: web.Application) -> None:
    record("on_cleanup")


async def context(app: web.Application) -> AsyncIterator[None]:
    record("ctx enter")
    yield
    record("ctx exit")


def create_app() -> web.Application:
    app = web.Application(middlewares=[tag])
    app.router.add_get("/", hello)
    app.router.add_get("/json", json_handler)
    app.router.add_post("/echo", echo)
    app.router.add_post("/upload", upload)
    app.router.add_get("/stream", stream)
    app.router.add_get("/info", info)
    app.router.add_get("/fail", fail)
    app.router.add_get("/forbidden", forbidden)
    app.router.add_get("/cookie", cookie)
    app.router.add_get("/ws", websocket)
    if STATIC:
        app.router.add_static("/static", Path(STATIC))
    sub = web.Application()
    sub.router.add_get("/hi/{name}", sub_hello)
    app.add_subapp("/sub", sub)
    app.on_response_prepare.append(on_prepare)
    app.cleanup_ctx.append(context)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


async def create_app_async() -> web.Application:
    return create_app()


asgi = web_asgi.asgi_app(create_app())
make_asgi = web_asgi.factory(create_app_async)


if __name__ == "__main__":
    web.run_app(create_app(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
