"""Helpers shared by the end-to-end tests: real servers on ephemeral ports."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import web
from web_app import Application, BaseRequest, Server, StreamResponse

ServeApp = Callable[[web.Application], AbstractAsyncContextManager[str]]
Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def serve(app: web.Application, **runner_kwargs: object) -> AsyncIterator[str]:
    """Run `app` with the public runner API on 127.0.0.1 and yield its base URL."""
    runner = web.AppRunner(app, **runner_kwargs)  # type: ignore[arg-type]
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]  # the port the OS chose
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def serve_handler(handler: Handler, **kwargs: Any) -> AsyncIterator[tuple[Server, int]]:
    """Run a low-level `Server(handler, **kwargs)` on loop.create_server; yield it and its port."""
    loop = asyncio.get_running_loop()
    server = Server(handler, **kwargs)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port: int = srv.sockets[0].getsockname()[1]
    try:
        yield server, port
    finally:
        srv.close()
        await server.shutdown(0.5)


@asynccontextmanager
async def serve_app_client(app: Application) -> AsyncIterator[httpx.AsyncClient]:
    """Run `app` with its own server factory (no web-runner) and yield an httpx client."""
    loop = asyncio.get_running_loop()
    server = app._make_handler()
    await app.startup()
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        srv.close()
        await app.shutdown()
        await server.shutdown(2.0)
        await srv.wait_closed()
        await app.cleanup()
