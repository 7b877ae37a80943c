"""Helpers shared by the end-to-end tests: real servers on ephemeral ports."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

import httpx
import pytest
import web
from web_app import Application, BaseRequest, Server, StreamResponse
from web_app.integration import make_server

ServeApp = Callable[[web.Application], AbstractAsyncContextManager[str]]
Handler = Callable[[BaseRequest], Awaitable[StreamResponse]]


def debian_tool(package: str, names: tuple[str, ...], timeout: float = 600) -> str:
    """The path of a command from Debian's ``package`` (``names``: commands or absolute paths),
    installed with apt-get when missing.

    A fresh machine may have no package lists yet, so a failed install is retried after
    ``apt-get update``. Skips, saying why, where it cannot install (no apt-get, not root).
    """

    def find() -> str | None:
        return next((found for name in names if (found := shutil.which(name))), None)

    found = find()
    if found is not None:
        return found
    if shutil.which("apt-get") is None:
        pytest.skip(f"{package} is not installed and apt-get is not available to install it")
    if os.geteuid() != 0:
        pytest.skip(f"{package} is not installed and installing it with apt-get needs root")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "--no-install-recommends", package]
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            subprocess.run(["apt-get", "update", "-qq"], env=env, capture_output=True, timeout=300)
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.skip(f"apt-get install {package} took more than {timeout:.0f} s")
    found = find()
    if done.returncode != 0 or found is None:
        pytest.skip(f"apt-get install {package} failed: {done.stderr.strip()[-300:]}")
    return found


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
    server = make_server(app)
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
