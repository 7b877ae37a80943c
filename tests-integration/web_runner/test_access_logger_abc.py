"""Access loggers written against ``web.abc`` (as against ``aiohttp.abc``), over real sockets.

A subclass of ``AbstractAccessLogger`` (or the async ``AbstractAsyncAccessLogger``) is taken by
``AppRunner``, ``run_app`` and the low-level ``Server``; ``log()`` runs in the request's context
(so loggers reading context variables set by a middleware see them), and ``enabled = False``,
as a class attribute or a property, silences it.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
import web
from support import free_port, serve, serve_handler
from web.abc import AbstractAccessLogger, AbstractAsyncAccessLogger

REQUEST_ID: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
RECORDS: list[str] = []


class ContextLogger(AbstractAccessLogger):
    """The aiohttp docs' pattern: a logger that reads a context variable."""

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        RECORDS.append(f"{REQUEST_ID.get()} {request.method} {request.path} {response.status}")


class DisabledByAttribute(AbstractAccessLogger):
    enabled = False  # aiohttp programs do this

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        RECORDS.append("must not happen")


class DisabledByProperty(AbstractAccessLogger):
    @property
    def enabled(self) -> bool:
        return False

    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        RECORDS.append("must not happen")


class AsyncLogger(AbstractAsyncAccessLogger):
    async def log(
        self, request: web.BaseRequest, response: web.StreamResponse, time: float
    ) -> None:
        await asyncio.sleep(0)
        RECORDS.append(f"async {REQUEST_ID.get()} {request.path} {response.status} {time >= 0}")


class BrokenLogger(AbstractAccessLogger):
    def log(self, request: web.BaseRequest, response: web.StreamResponse, time: float) -> None:
        raise RuntimeError("broken logger")


@web.middleware
async def request_id(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    REQUEST_ID.set(request.headers.get("X-Request-Id", "none"))
    return await handler(request)


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello")


def _app() -> web.Application:
    app = web.Application(middlewares=[request_id])
    app.router.add_get("/", hello)
    return app


@pytest.fixture(autouse=True)
def _clear_records() -> None:
    RECORDS.clear()


async def test_app_runner_takes_a_context_reading_logger() -> None:
    async with serve(_app(), access_log_class=ContextLogger) as base, httpx.AsyncClient() as client:
        await client.get(f"{base}/", headers={"X-Request-Id": "r1"})
        await client.get(f"{base}/missing", headers={"X-Request-Id": "r2"})
    assert RECORDS == ["r1 GET / 200", "r2 GET /missing 404"]


@pytest.mark.parametrize("cls", [DisabledByAttribute, DisabledByProperty])
async def test_enabled_false_silences_the_logger(cls: type[AbstractAccessLogger]) -> None:
    async with serve(_app(), access_log_class=cls) as base, httpx.AsyncClient() as client:
        assert (await client.get(f"{base}/")).text == "hello"
    assert RECORDS == []


async def test_async_logger_is_awaited_in_the_request_context() -> None:
    async with serve(_app(), access_log_class=AsyncLogger) as base, httpx.AsyncClient() as client:
        for rid in ("a", "b"):  # the same keep-alive connection
            await client.get(f"{base}/", headers={"X-Request-Id": rid})
    assert RECORDS == ["async a / 200 True", "async b / 200 True"]


async def test_a_broken_logger_costs_its_record_not_the_connection(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.ERROR, logger="web.server")
    async with serve(_app(), access_log_class=BrokenLogger) as base, httpx.AsyncClient() as client:
        first = await client.get(f"{base}/")
        second = await client.get(f"{base}/")
    assert (first.text, second.text) == ("hello", "hello")
    assert "Error in the access logger" in caplog.text


async def test_low_level_server_takes_the_logger() -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        REQUEST_ID.set("low")
        return web.Response(text="ok")

    logger = logging.getLogger("test.access.lowlevel")
    async with (
        serve_handler(handler, access_log_class=ContextLogger, access_log=logger) as (
            _,
            port,
        ),
        httpx.AsyncClient() as client,
    ):
        assert (await client.get(f"http://127.0.0.1:{port}/x")).text == "ok"
    assert RECORDS == ["low GET /x 200"]


def test_a_class_that_is_no_access_logger_is_refused_by_the_app_as_by_aiohttp() -> None:
    class NotALogger:
        pass

    with pytest.raises(TypeError, match="AbstractAccessLogger"):
        web.AppRunner(_app(), access_log_class=NotALogger)
    with pytest.raises(TypeError, match="AbstractAccessLogger"):
        _app()._make_handler(access_log_class=NotALogger)


RUN_APP_SCRIPT = textwrap.dedent(
    """
    import sys
    import web
    from web.abc import AbstractAccessLogger

    class PrintLogger(AbstractAccessLogger):
        def log(self, request, response, time):
            print("LOG", request.method, request.path, response.status, flush=True)

    async def hello(request):
        return web.Response(text="hello")

    app = web.Application()
    app.router.add_get("/", hello)
    web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), access_log_class=PrintLogger,
                print=lambda *a: print(*a, flush=True))
    """
)


def test_run_app_takes_the_logger(tmp_path: Path) -> None:
    script = tmp_path / "app.py"
    script.write_text(RUN_APP_SCRIPT)
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(port)], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                resp = httpx.get(f"http://127.0.0.1:{port}/", timeout=1)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise
                time.sleep(0.05)
        assert resp.text == "hello"
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=15)
    assert "LOG GET / 200" in out
