"""The README's promise end to end: an aiohttp-style app answers GET and HEAD over real sockets.

Driven by httpx and by curl on an ephemeral port: status line, Content-Length, Content-Type, Date
and Server headers, keep-alive between requests, and closing on `Connection: close`.
"""

from __future__ import annotations

import asyncio
import email.utils
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
import web
from support import ServeApp, free_port

ROOT = Path(__file__).resolve().parent.parent


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello, world")


def make_app() -> web.Application:
    app = web.Application()
    app.add_routes([web.get("/", hello)])
    return app


async def test_get_has_the_documented_headers(serve_app: ServeApp) -> None:
    async with serve_app(make_app()) as base, httpx.AsyncClient() as client:
        resp = await client.get(base + "/")
    assert resp.status_code == 200
    assert resp.http_version == "HTTP/1.1"
    assert resp.text == "Hello, world"
    assert resp.headers["Content-Length"] == "12"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert email.utils.parsedate_to_datetime(resp.headers["Date"]) is not None
    assert resp.headers["Server"].startswith("Python/")


async def test_head_has_headers_and_no_body(serve_app: ServeApp) -> None:
    async with serve_app(make_app()) as base, httpx.AsyncClient() as client:
        resp = await client.head(base + "/")
    assert resp.status_code == 200
    assert resp.headers["Content-Length"] == "12"
    assert resp.content == b""


async def _raw_exchange(base: str, payload: bytes) -> tuple[bytes, bool]:
    """Send raw bytes, read until the server closes or 1 s passes; report whether it closed."""
    url = urlsplit(base)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(payload)
    chunks = []
    closed = False
    try:
        while True:
            chunk = await asyncio.wait_for(reader.read(65536), 1.0)
            if not chunk:
                closed = True
                break
            chunks.append(chunk)
    except asyncio.TimeoutError:
        pass
    writer.close()
    return b"".join(chunks), closed


async def test_keep_alive_then_connection_close(serve_app: ServeApp) -> None:
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    closing = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    async with serve_app(make_app()) as base:
        data, closed = await _raw_exchange(base, request)
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert not closed, "HTTP/1.1 keeps the connection open by default"
        data, closed = await _raw_exchange(base, request + request + closing)
    assert data.count(b"HTTP/1.1 200 OK\r\n") == 3
    assert data.count(b"Hello, world") == 3
    assert closed, "the server closes after answering Connection: close"


async def test_curl_reuses_the_connection(serve_app: ServeApp, curl: str) -> None:
    async with serve_app(make_app()) as base:
        proc = await asyncio.create_subprocess_exec(
            curl,
            "-sv",
            base + "/",
            base + "/",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await proc.communicate()
    assert proc.returncode == 0
    assert out == b"Hello, worldHello, world"
    assert b"Re-using existing connection" in err or b"Reusing existing" in err


async def test_curl_head(serve_app: ServeApp, curl: str) -> None:
    async with serve_app(make_app()) as base:
        proc = await asyncio.create_subprocess_exec(
            curl, "-sI", base + "/", stdout=asyncio.subprocess.PIPE
        )
        out, _ = await proc.communicate()
    head = out.decode().lower()
    assert head.startswith("http/1.1 200 ok")
    assert "content-length: 12" in head
    assert "content-type: text/plain; charset=utf-8" in head


@pytest.mark.slow
def test_demo_serves_like_the_readme_says(curl: str) -> None:
    """The README's first command runs examples/demo.py; it answers 200 to curl -i."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "demo.py"), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"demo exited: {proc.stdout.read() if proc.stdout else ''!r}")
                time.sleep(0.1)
        done = subprocess.run(
            [curl, "-si", f"http://127.0.0.1:{port}/hello?name=curl"],
            capture_output=True,
            check=True,
        )
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert done.stdout.startswith(b"HTTP/1.1 200 OK\r\n")
    assert done.stdout.endswith(b"Hello, curl!\n")
