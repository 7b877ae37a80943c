"""Graceful shutdown: stop accepting, on_shutdown, drain in-flight handlers, cancel the rest."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any

import pytest
from web_app import Application, Request, Response
from web_runner import AppRunner, TCPSite

Fetch = Callable[..., Coroutine[Any, Any, Any]]


async def start(app: Application, shutdown_timeout: float) -> tuple[AppRunner, int]:
    runner = AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, site.port


async def test_in_flight_request_completes_in_documented_order(fetch: Fetch) -> None:
    events: list[str] = []
    entered = asyncio.Event()
    app = Application()

    async def slow(request: Request) -> Response:
        entered.set()
        await asyncio.sleep(0.3)
        events.append("handler-done")
        return Response(text="finished")

    async def on_shutdown(app: Application) -> None:
        events.append("shutdown")

    async def on_cleanup(app: Application) -> None:
        events.append("cleanup")

    app.router.add_get("/slow", slow)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    runner, port = await start(app, shutdown_timeout=5)
    request = asyncio.create_task(fetch(port, "/slow"))
    await entered.wait()
    cleanup = asyncio.create_task(runner.cleanup())
    await asyncio.sleep(0.05)
    with pytest.raises(OSError):  # no longer accepting
        await fetch(port)
    reply = await request
    await cleanup
    assert (reply.status, reply.body) == (200, b"finished")
    assert events == ["shutdown", "handler-done", "cleanup"]


async def test_idle_keep_alive_connection_closes_at_once() -> None:
    app = Application()

    async def hello(request: Request) -> Response:
        return Response(text="hi")

    app.router.add_get("/", hello)
    runner, port = await start(app, shutdown_timeout=30)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
    head = await reader.readuntil(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert await reader.readexactly(2) == b"hi"
    began = time.monotonic()
    await runner.cleanup()
    assert time.monotonic() - began < 2  # not the 30 s shutdown_timeout
    assert await asyncio.wait_for(reader.read(), 2) == b""  # the server closed it
    writer.close()


async def test_handler_past_shutdown_timeout_is_cancelled(fetch: Fetch) -> None:
    cancelled = asyncio.Event()
    entered = asyncio.Event()
    app = Application()

    async def forever(request: Request) -> Response:
        entered.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response(text="never")

    app.router.add_get("/", forever)
    runner, port = await start(app, shutdown_timeout=0.2)
    request = asyncio.create_task(fetch(port))
    await entered.wait()
    began = time.monotonic()
    await runner.cleanup()
    assert time.monotonic() - began < 3
    assert cancelled.is_set()
    reply = await request  # the response had not started: 503 and close, not a bare EOF
    assert reply.status == 503
    assert reply.headers["connection"] == "close"


async def test_connection_made_queued_at_cleanup_is_shut_down_gracefully() -> None:
    # As a transport does: the factory builds the handler, connection_made comes a turn later.
    events: list[str] = []
    app = Application()

    async def on_shutdown(app: Application) -> None:
        events.append("shutdown")

    app.on_shutdown.append(on_shutdown)
    runner = AppRunner(app, access_log=None)
    await runner.setup()
    server = runner.server
    assert server is not None
    proto = server()
    closed: list[bool] = []

    class Transport(asyncio.Transport):
        def is_closing(self) -> bool:
            return bool(closed)

        def close(self) -> None:
            closed.append(True)

    asyncio.get_running_loop().call_soon(proto.connection_made, Transport())
    await runner.cleanup()
    assert closed  # reached the server before shutdown, so closed by it as idle
    assert events == ["shutdown"]


async def test_cleanup_without_connections_takes_no_loop_turn() -> None:
    app = Application()
    ran: list[str] = []

    async def on_cleanup(app: Application) -> None:
        ran.append("cleanup" if not ran else "cleanup after the callback")

    app.on_cleanup.append(on_cleanup)
    runner = AppRunner(app, access_log=None)
    await runner.setup()
    asyncio.get_running_loop().call_soon(ran.append, "callback")
    await runner.cleanup()
    assert ran == ["cleanup"]
