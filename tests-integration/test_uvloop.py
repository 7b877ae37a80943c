"""The same app served on uvloop (the optional `web-runner[uvloop]` extra): what a client sees
must not depend on the event loop."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Any

import httpx
import pytest
import web
import web_static._file_response as file_response
import web_static._sendfile as sendfile_module
from support import serve

uvloop = pytest.importorskip("uvloop")


def run_on_uvloop(coro: Coroutine[Any, Any, None]) -> None:
    loop = uvloop.new_event_loop()
    try:
        loop.run_until_complete(coro)
    finally:
        loop.close()


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello, world")


async def echo(request: web.Request) -> web.Response:
    return web.json_response({"size": len(await request.read())})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_post("/echo", echo)
    return app


def test_requests_on_uvloop() -> None:
    async def scenario() -> None:
        assert type(asyncio.get_running_loop()).__module__.startswith("uvloop")
        async with serve(make_app()) as base, httpx.AsyncClient() as client:
            first = await client.get(base + "/")
            second = await client.post(base + "/echo", content=b"x" * 4096)
            head = await client.head(base + "/")
        assert (first.status_code, first.text) == (200, "Hello, world")
        assert second.json() == {"size": 4096}
        assert head.headers["Content-Length"] == "12" and head.content == b""

    run_on_uvloop(scenario())


def test_pipelined_and_malformed_on_uvloop() -> None:
    async def scenario() -> None:
        async with serve(make_app()) as base:
            port = int(base.rsplit(":", 1)[1])
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
            writer.write(request * 2 + b"GET / HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n")
            data = await asyncio.wait_for(reader.read(65536 * 4), 5)
            while not data.endswith(b"\n") or data.count(b"HTTP/1.1") < 3:
                more = await asyncio.wait_for(reader.read(65536), 5)
                if not more:
                    break
                data += more
            writer.close()
        assert data.count(b"HTTP/1.1 200 OK") == 2
        assert b"HTTP/1.1 400 Bad Request" in data

    run_on_uvloop(scenario())


def test_static_files_go_zero_copy_on_uvloop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = os.urandom(3 * 2**20)
    (tmp_path / "big.bin").write_bytes(payload)
    sent: list[int] = []
    real = sendfile_module.sendfile_now

    def spy(sock_fd: int, fd: int, offset: int, count: int) -> int:
        done = real(sock_fd, fd, offset, count)
        sent.append(done)
        return done

    monkeypatch.setattr(file_response, "sendfile_now", spy)

    async def scenario() -> None:
        app = web.Application()
        app.router.add_static("/files", tmp_path)
        async with serve(app) as base, httpx.AsyncClient() as client:
            resp = await client.get(base + "/files/big.bin")
        assert resp.status_code == 200
        assert resp.content == payload

    run_on_uvloop(scenario())
    assert sent and sent[0] > 0, "the body did not go through os.sendfile on uvloop"
