"""The low-level Server: the documented example, counters, pre_shutdown and shutdown."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from web_app import BaseRequest, RequestHandler, Response, Server, StreamResponse

SEED_EXAMPLE = textwrap.dedent(
    """
    import asyncio
    import web


    async def handler(request):
        return web.Response(text="OK")


    async def main(loop):
        server = web.Server(handler)
        await loop.create_server(server, "127.0.0.1", PORT)
        print("======= Serving on http://127.0.0.1:PORT/ ======", flush=True)

        # pause here for very long time by serving HTTP requests and
        # waiting for keyboard interruption
        await asyncio.sleep(100*3600)


    loop = asyncio.get_event_loop()

    try:
        loop.run_until_complete(main(loop))
    except KeyboardInterrupt:
        pass
    loop.close()
    """
)


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_seed_low_level_example_runs(tmp_path: Path) -> None:
    port = _free_port()
    script = tmp_path / "lowlevel.py"
    script.write_text(SEED_EXAMPLE.replace("PORT", str(port)))
    proc = subprocess.Popen(
        [sys.executable, "-W", "ignore::DeprecationWarning", str(script)],
        stdout=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert b"Serving on" in line
        resp = httpx.get(f"http://127.0.0.1:{port}/anything", timeout=5)
        assert resp.status_code == 200
        assert resp.text == "OK"
        resp = httpx.post(f"http://127.0.0.1:{port}/other", content=b"x", timeout=5)
        assert resp.text == "OK"
    finally:
        proc.kill()
        proc.wait(5)


async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text="OK")


async def test_connections_and_requests_count() -> None:
    loop = asyncio.get_running_loop()
    server = Server(hello)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    assert server.connections == []
    async with httpx.AsyncClient() as c1, httpx.AsyncClient() as c2:
        await c1.get(f"http://127.0.0.1:{port}/")
        await c2.get(f"http://127.0.0.1:{port}/")
        await c2.get(f"http://127.0.0.1:{port}/")
        assert len(server.connections) == 2
        assert server.requests_count == 3
    await asyncio.sleep(0.1)
    assert server.connections == []
    srv.close()
    await server.shutdown()


async def test_shutdown_waits_for_handler_then_cancels() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def stuck(request: BaseRequest) -> StreamResponse:
        started.set()
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response(text="never")

    loop = asyncio.get_running_loop()
    server = Server(stuck)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    srv.close()
    t0 = time.monotonic()
    await server.shutdown(0.3)
    assert 0.25 < time.monotonic() - t0 < 3
    assert cancelled.is_set()
    assert server.connections == []
    # the response had not started: the client is told why (issue 18), not left with a bare EOF
    answer = await asyncio.wait_for(reader.read(), 5)
    assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert b"\r\nConnection: close\r\n" in answer
    writer.close()


async def test_shutdown_lets_a_quick_handler_finish() -> None:
    started = asyncio.Event()

    async def quick(request: BaseRequest) -> StreamResponse:
        started.set()
        await asyncio.sleep(0.2)
        return Response(text="finished")

    loop = asyncio.get_running_loop()
    server = Server(quick)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    srv.close()
    await server.shutdown(5)
    raw = await asyncio.wait_for(reader.read(), 5)
    assert raw.endswith(b"finished")
    assert b"Connection: close" in raw  # shutdown stopped keep-alive
    writer.close()


async def test_pre_shutdown_closes_idle_keeps_busy() -> None:
    started = asyncio.Event()

    async def handler(request: BaseRequest) -> StreamResponse:
        if request.path == "/slow":
            started.set()
            await asyncio.sleep(0.3)
        return Response(text="done" + request.path)

    loop = asyncio.get_running_loop()
    server = Server(handler)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    idle_r, idle_w = await asyncio.open_connection("127.0.0.1", port)
    idle_w.write(b"GET /idle HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(idle_r.readuntil(b"done/idle"), 5)
    busy_r, busy_w = await asyncio.open_connection("127.0.0.1", port)
    busy_w.write(b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(started.wait(), 5)
    server.pre_shutdown()
    assert await asyncio.wait_for(idle_r.read(), 5) == b""
    raw = await asyncio.wait_for(busy_r.read(), 5)
    assert raw.endswith(b"done/slow")
    idle_w.close()
    busy_w.close()
    srv.close()
    await server.shutdown()


class _SeenServer(Server):
    """A Server that says when its protocol has seen a connection (connection_made)."""

    def __init__(self, handler: Callable[[BaseRequest], Awaitable[StreamResponse]]) -> None:
        super().__init__(handler)
        self.seen = asyncio.Event()

    def connection_made(self, handler: RequestHandler, transport: asyncio.BaseTransport) -> None:
        super().connection_made(handler, transport)
        self.seen.set()


async def _accepted_then_closed(
    server: _SeenServer,
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    """A connection the server has accepted, then the listener closed: the reload race."""
    srv = await asyncio.get_running_loop().create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    await asyncio.wait_for(server.seen.wait(), 5)
    srv.close()
    return reader, writer


async def test_shutdown_serves_the_request_a_fresh_connection_owes() -> None:
    """The reload race: a connection accepted just before the listener closed, its request
    bytes still on the way, is served (then closed) instead of being dropped as idle."""
    server = _SeenServer(hello)
    reader, writer = await _accepted_then_closed(server)
    server.pre_shutdown()
    shutdown = asyncio.create_task(server.shutdown(10))
    await asyncio.sleep(0)  # shutdown() is now waiting for the owed request
    assert not shutdown.done()
    writer.write(b"GET /late HTTP/1.1\r\nHost: x\r\n\r\n")
    raw = await asyncio.wait_for(reader.read(), 5)
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in raw  # the last request of this connection
    assert raw.endswith(b"OK")
    await asyncio.wait_for(shutdown, 5)
    assert server.connections == []
    writer.close()


async def test_shutdown_serves_a_head_received_in_part() -> None:
    loop = asyncio.get_running_loop()
    server = Server(hello)
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET /first HTTP/1.1\r\nHost: x\r\n\r\n")
    await asyncio.wait_for(reader.readuntil(b"\r\n\r\nOK"), 5)
    writer.write(b"GET /second HTTP/1.1\r\nHo")  # a keep-alive request half-way in
    await asyncio.sleep(0.05)
    srv.close()
    shutdown = asyncio.create_task(server.shutdown(10))
    await asyncio.sleep(0)
    writer.write(b"st: x\r\n\r\n")
    raw = await asyncio.wait_for(reader.read(), 5)
    assert raw.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nConnection: close\r\n" in raw
    await asyncio.wait_for(shutdown, 5)
    writer.close()


async def test_shutdown_waits_briefly_for_a_connection_that_sends_nothing() -> None:
    """A socket opened without a request (a browser's preconnect) holds the shutdown up
    for about a second, not for the whole shutdown timeout."""
    server = _SeenServer(hello)
    reader, writer = await _accepted_then_closed(server)
    # that it waits at all: test_shutdown_serves_the_request_a_fresh_connection_owes
    await asyncio.wait_for(server.shutdown(60), 10)  # not the whole 60 s timeout
    assert await asyncio.wait_for(reader.read(), 5) == b""  # closed, nothing sent
    assert server.connections == []
    writer.close()


async def test_shutdown_timeout_bounds_the_wait_for_an_owed_request() -> None:
    server = _SeenServer(hello)
    reader, writer = await _accepted_then_closed(server)
    await asyncio.wait_for(server.shutdown(0), 5)  # no grace at all: closed at once
    assert await asyncio.wait_for(reader.read(), 5) == b""
    writer.close()


def test_unknown_setting_is_refused_early() -> None:
    with pytest.raises(TypeError):
        Server(hello, no_such_option=1)
    with pytest.raises(ValueError):
        Server(hello, keepalive_timeout=-1)
