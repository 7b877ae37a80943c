"""ASGI lifespan: our runner's signal order, failures reported, factories."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from web_app import Application, Request, Response
from web_asgi import AsgiApp, asgi_app, factory

Driver = Any


def recording_app(events: list[str], *, fail: bool = False) -> Application:
    app = Application()

    async def ctx(app: Application) -> AsyncIterator[None]:
        events.append("ctx enter")
        yield
        events.append("ctx exit")

    async def startup(app: Application) -> None:
        events.append("on_startup")
        if fail:
            raise RuntimeError("no start today")

    async def shutdown(app: Application) -> None:
        events.append("on_shutdown")

    async def cleanup(app: Application) -> None:
        events.append("on_cleanup")

    async def hello(request: Request) -> Response:
        return Response(text="hi")

    app.cleanup_ctx.append(ctx)
    app.on_startup.append(startup)
    app.on_shutdown.append(shutdown)
    app.on_cleanup.append(cleanup)
    app.router.add_get("/", hello)
    return app


async def run_lifespan(asgi: AsgiApp, driver: Driver, *, shutdown: bool = True) -> Any:
    peer = driver.Peer()
    task = asyncio.ensure_future(asgi({"type": "lifespan"}, peer.receive, peer.send))
    peer.put({"type": "lifespan.startup"})
    first = await asyncio.wait_for(_next_sent(peer, 0), 2)
    if first["type"] == "lifespan.startup.complete" and shutdown:
        peer.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(task, 2)
    return peer


async def _next_sent(peer: Any, index: int) -> Any:
    while len(peer.sent) <= index:
        peer.new_sent.clear()
        await peer.new_sent.wait()
    return peer.sent[index]


async def test_lifespan_runs_signals_in_runner_order(driver: Driver) -> None:
    events: list[str] = []
    app = recording_app(events)
    peer = await run_lifespan(asgi_app(app), driver)
    assert [m["type"] for m in peer.sent] == [
        "lifespan.startup.complete",
        "lifespan.shutdown.complete",
    ]
    assert events == ["ctx enter", "on_startup", "on_shutdown", "ctx exit", "on_cleanup"]
    assert app.frozen


async def test_failed_startup_is_reported_and_undone(driver: Driver) -> None:
    events: list[str] = []
    peer = await run_lifespan(asgi_app(recording_app(events, fail=True)), driver)
    [failed] = peer.sent
    assert failed["type"] == "lifespan.startup.failed"
    assert "no start today" in failed["message"]
    assert events == ["ctx enter", "on_startup", "ctx exit"]


async def test_without_lifespan_the_first_request_freezes_the_app(driver: Driver) -> None:
    events: list[str] = []
    app = recording_app(events)
    peer = await driver.call_http(asgi_app(app), driver.http_scope("/"))
    assert peer.body() == b"hi"
    assert app.frozen
    assert events == []  # no lifespan, no signals


async def test_async_factory_builds_the_app_at_startup(driver: Driver) -> None:
    events: list[str] = []
    built: list[Application] = []

    async def make() -> Application:
        app = recording_app(events)
        built.append(app)
        return app

    make_asgi = factory(make)
    asgi = make_asgi()
    assert built == []  # not before the worker's loop runs lifespan
    peer = driver.Peer()
    task = asyncio.ensure_future(asgi({"type": "lifespan"}, peer.receive, peer.send))
    peer.put({"type": "lifespan.startup"})
    assert (await _next_sent(peer, 0))["type"] == "lifespan.startup.complete"
    assert asgi.app is built[0]
    served = await driver.call_http(asgi, driver.http_scope("/"))
    assert served.body() == b"hi"
    peer.put({"type": "lifespan.shutdown"})
    await asyncio.wait_for(task, 2)
    assert events[-1] == "on_cleanup"


async def test_sync_factory_builds_the_app_when_called(driver: Driver) -> None:
    events: list[str] = []
    asgi = factory(lambda: recording_app(events))()
    peer = await driver.call_http(asgi, driver.http_scope("/"))
    assert peer.body() == b"hi"


async def test_async_factory_needs_lifespan(driver: Driver) -> None:
    async def make() -> Application:
        return Application()

    asgi = factory(make)()
    peer = driver.Peer()
    peer.put({"type": "http.request", "body": b"", "more_body": False})
    try:
        await asgi(driver.http_scope("/"), peer.receive, peer.send)
    except RuntimeError as exc:
        assert "lifespan" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("served without the application")
    finally:
        asgi._pending.close()  # type: ignore[union-attr]
