"""Application state, signals and response-prepare hooks, seen over real sockets."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support import serve_app_client as serve
from web_app import AppKey, Application, Request, Response, StreamResponse

COUNTER = AppKey("counter", list)


async def test_state_shared_with_handlers_and_rebinding_warns_at_request_time() -> None:
    app = Application()
    app[COUNTER] = []

    async def handler(request: Request) -> StreamResponse:
        request.app[COUNTER].append(1)  # mutating a value is fine
        return Response(text=str(len(request.app[COUNTER])))

    async def rebind(request: Request) -> StreamResponse:
        with pytest.warns(DeprecationWarning, match="Changing state"):
            request.app[COUNTER] = []  # changing the app's own state warns (aiohttp 3.14)
        return Response(text="changed")

    app.router.add_get("/", handler)
    app.router.add_get("/rebind", rebind)
    async with serve(app) as client:
        assert (await client.get("/")).text == "1"
        assert (await client.get("/")).text == "2"
        resp = await client.get("/rebind")
        assert (resp.status_code, resp.text) == (200, "changed")
        assert (await client.get("/")).text == "1"


async def test_signals_order_around_serving() -> None:
    log: list[str] = []
    app = Application()

    async def ctx(a: Application) -> AsyncIterator[None]:
        log.append("ctx up")
        yield
        log.append("ctx down")

    async def on_startup(a: Application) -> None:
        log.append("startup")

    async def on_shutdown(a: Application) -> None:
        log.append("shutdown")

    async def on_cleanup(a: Application) -> None:
        log.append("cleanup")

    async def handler(request: Request) -> StreamResponse:
        log.append("request")
        return Response()

    app.cleanup_ctx.append(ctx)
    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    app.router.add_get("/", handler)
    async with serve(app) as client:
        assert (await client.get("/")).status_code == 200
    assert log == ["ctx up", "startup", "request", "shutdown", "ctx down", "cleanup"]


async def test_on_response_prepare_adds_headers_for_every_app() -> None:
    app = Application()
    sub = Application()

    async def root_hook(request: Request, response: StreamResponse) -> None:
        response.headers["X-Root"] = "1"

    async def sub_hook(request: Request, response: StreamResponse) -> None:
        response.headers["X-Sub"] = "sub" if request.app is sub else "other"

    async def handler(request: Request) -> StreamResponse:
        return Response(text="x")

    app.on_response_prepare.append(root_hook)
    sub.on_response_prepare.append(sub_hook)
    app.router.add_get("/", handler)
    sub.router.add_get("/in", handler)
    app.add_subapp("/sub", sub)
    async with serve(app) as client:
        resp = await client.get("/")
        assert resp.headers["X-Root"] == "1"
        assert "X-Sub" not in resp.headers
        resp = await client.get("/sub/in")
        assert resp.headers["X-Root"] == "1"
        assert resp.headers["X-Sub"] == "sub"
        # misses are prepared too
        resp = await client.get("/nope")
        assert (resp.status_code, resp.headers["X-Root"]) == (404, "1")


async def test_client_max_size_applies_to_requests() -> None:
    app = Application(client_max_size=10)

    async def handler(request: Request) -> StreamResponse:
        body = await request.read()
        return Response(text=str(len(body)))

    app.router.add_post("/", handler)
    async with serve(app) as client:
        assert (await client.post("/", content=b"x" * 10)).text == "10"
        assert (await client.post("/", content=b"x" * 11)).status_code == 413


async def test_handler_args_reach_the_server() -> None:
    app = Application(handler_args={"max_field_size": 64})

    async def handler(request: Request) -> StreamResponse:
        return Response(text="x")

    app.router.add_get("/", handler)
    async with serve(app) as client:
        assert (await client.get("/", headers={"X-Small": "a" * 10})).status_code == 200
        resp = await client.get("/", headers={"X-Big": "a" * 200})
        assert resp.status_code == 431
