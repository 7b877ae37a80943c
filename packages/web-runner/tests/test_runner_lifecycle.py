"""AppRunner / ServerRunner: setup fires startup, cleanup fires shutdown then cleanup, in order."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import pytest
from web_app import Application, BaseRequest, Request, Response, Server, StreamResponse
from web_runner import AppRunner, ServerRunner, TCPSite

Fetch = Callable[..., Coroutine[Any, Any, Any]]


async def hello(request: Request) -> Response:
    return Response(text="hello")


def make_app(events: list[str]) -> Application:
    app = Application()
    app.router.add_get("/", hello)

    async def on_startup(app: Application) -> None:
        events.append("startup")

    async def ctx(app: Application) -> AsyncIterator[None]:
        events.append("ctx-enter")
        yield
        events.append("ctx-exit")

    async def on_shutdown(app: Application) -> None:
        events.append("shutdown")

    async def on_cleanup(app: Application) -> None:
        events.append("cleanup")

    app.on_startup.append(on_startup)
    app.cleanup_ctx.append(ctx)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


async def test_app_runner_fires_signals_in_order(fetch: Fetch) -> None:
    events: list[str] = []
    app = make_app(events)
    runner = AppRunner(app)
    assert runner.server is None
    assert runner.app is app
    await runner.setup()
    # aiohttp's order: cleanup contexts are registered first on on_startup / on_cleanup.
    assert events == ["ctx-enter", "startup"]
    assert app.frozen
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert runner.sites == {site}
    assert runner.addresses == [("127.0.0.1", site.port)]
    reply = await fetch(site.port)
    assert (reply.status, reply.body) == (200, b"hello")
    await runner.cleanup()
    assert events == ["ctx-enter", "startup", "shutdown", "ctx-exit", "cleanup"]
    assert runner.server is None
    assert runner.sites == set()
    assert runner.addresses == []
    with pytest.raises(OSError):
        await fetch(site.port)


async def test_server_runner_serves_a_low_level_server(fetch: Fetch) -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        return Response(text=f"low {request.path}")

    server = Server(handler)
    runner = ServerRunner(server)
    await runner.setup()
    assert runner.server is server
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    reply = await fetch(site.port, "/x")
    await runner.cleanup()
    assert reply.body == b"low /x"
    assert server.requests_count == 1


def test_app_runner_refuses_a_non_application() -> None:
    with pytest.raises(TypeError, match=r"web\.Application"):
        AppRunner(object())  # type: ignore[arg-type]


def test_access_log_class_must_be_an_access_logger() -> None:
    with pytest.raises(TypeError, match="AbstractAccessLogger"):
        AppRunner(Application(), access_log_class=dict)


def test_negative_shutdown_timeout_is_refused() -> None:
    with pytest.raises(ValueError, match="shutdown_timeout"):
        AppRunner(Application(), shutdown_timeout=-1)


async def test_site_before_setup_is_an_error() -> None:
    runner = AppRunner(Application())
    with pytest.raises(RuntimeError, match=r"runner\.setup\(\)"):
        TCPSite(runner, "127.0.0.1", 0)


async def test_setup_twice_is_an_error() -> None:
    runner = AppRunner(Application())
    await runner.setup()
    with pytest.raises(RuntimeError, match="already"):
        await runner.setup()
    await runner.cleanup()


async def test_starting_a_site_twice_is_an_error() -> None:
    runner = AppRunner(Application())
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    with pytest.raises(RuntimeError, match="already started"):
        await site.start()
    await runner.cleanup()


async def test_port_in_use_raises_and_registers_nothing() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        runner = AppRunner(Application())
        await runner.setup()
        site = TCPSite(runner, "127.0.0.1", port, reuse_port=False)
        with pytest.raises(OSError):
            await site.start()
        assert runner.sites == set()
        await runner.cleanup()


async def test_failing_startup_still_runs_cleanup_contexts() -> None:
    events: list[str] = []
    app = Application()

    async def ctx(app: Application) -> AsyncIterator[None]:
        events.append("ctx-enter")
        yield
        events.append("ctx-exit")

    async def broken(app: Application) -> None:
        raise RuntimeError("db down")

    app.cleanup_ctx.append(ctx)
    app.on_startup.append(broken)
    runner = AppRunner(app)
    with pytest.raises(RuntimeError, match="db down"):
        await runner.setup()
    await runner.cleanup()
    assert events == ["ctx-enter", "ctx-exit"]


async def test_runner_kwargs_reach_the_connection(fetch: Fetch) -> None:
    runner = AppRunner(make_app([]), max_line_size=20, access_log=None)
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    reply = await fetch(site.port, "/" + "a" * 100)
    await runner.cleanup()
    assert reply.status == 414


async def test_every_documented_keyword_is_accepted(fetch: Fetch) -> None:
    import logging

    from web_runner import AccessLogger

    runner = AppRunner(
        make_app([]),
        handle_signals=False,
        shutdown_timeout=1.0,
        tcp_keepalive=False,
        keepalive_timeout=5,
        logger=logging.getLogger("test.runner.server"),
        access_log=logging.getLogger("test.runner.access"),
        access_log_class=AccessLogger,
        access_log_format="%r %s",
        max_line_size=4096,
        max_headers=16384,
        max_field_size=4096,
        lingering_time=1.0,
        read_bufsize=2**15,
        auto_decompress=False,
        handler_cancellation=True,
    )
    await runner.setup()
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    reply = await fetch(site.port)
    await runner.cleanup()
    assert reply.body == b"hello"
