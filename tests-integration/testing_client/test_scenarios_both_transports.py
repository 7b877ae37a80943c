"""Scenarios across the packages, through the test client over a socket and in memory.

Static files (web-static: ranges, validators, HEAD), sub-applications with middlewares,
compression, server-sent events, body limits answered before the body is read, Expect,
big chunked uploads: each test runs on both transports and must see the same thing, which
is what lets a suite switch to ``transport="memory"`` without changing a test.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest
import web
from web_testing import TestClient, TestServer

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
FILE = bytes(range(256)) * 4096  # 1 MiB


@web.middleware
async def stamp(request: web.Request, handler: Handler) -> web.StreamResponse:
    resp = await handler(request)
    resp.headers["X-Sub"] = "yes"
    return resp


async def sub_index(request: web.Request) -> web.Response:
    return web.json_response({"path": request.path, "url": str(request.url.relative())})


async def digest(request: web.Request) -> web.Response:
    h = hashlib.sha256()
    async for chunk in request.content.iter_any():
        h.update(chunk)
    return web.Response(text=h.hexdigest())


async def small(request: web.Request) -> web.Response:
    return web.Response(text=str(len(await request.read())))


async def text(request: web.Request) -> web.Response:
    return web.Response(text="compress me " * 200)


async def events(request: web.Request) -> web.StreamResponse:
    async with web.sse_response(request, ping_interval=None) as resp:
        for i in range(3):
            await resp.send(f"tick {i}", id=str(i))
    return resp


@pytest.fixture(params=["socket", "memory"])
async def client(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TestClient]:
    (tmp_path / "big.bin").write_bytes(FILE)
    (tmp_path / "hello.txt").write_text("hello static")
    app = web.Application(client_max_size=1024)
    app.router.add_static("/static", tmp_path)
    app.router.add_post("/small", small)
    app.router.add_get("/events", events)
    big = web.Application(client_max_size=64 * 1024 * 1024)
    big.router.add_post("/digest", digest)
    app.add_subapp("/big", big)
    sub = web.Application(middlewares=[stamp])
    sub.router.add_get("/", sub_index)
    app.add_subapp("/api", sub)
    zipped = web.Application(middlewares=[web.compression_middleware()])
    zipped.router.add_get("/text", text)
    app.add_subapp("/z", zipped)
    async with TestClient(TestServer(app, transport=request.param)) as client:
        yield client


async def test_static_file_whole_ranged_and_conditional(client: TestClient) -> None:
    resp = await client.get("/static/big.bin")
    assert resp.status == 200
    assert resp.content_length == len(FILE)
    assert await resp.read() == FILE
    etag = resp.headers["ETag"]
    resp = await client.get("/static/big.bin", headers={"Range": "bytes=100-199"})
    assert resp.status == 206
    assert await resp.read() == FILE[100:200]
    resp = await client.get("/static/big.bin", headers={"If-None-Match": etag})
    assert resp.status == 304
    assert await resp.read() == b""
    resp = await client.head("/static/hello.txt")
    assert (resp.status, resp.content_length, await resp.read()) == (200, 12, b"")
    assert (await client.get("/static/../secret")).status in (403, 404)


async def test_subapp_with_middleware(client: TestClient) -> None:
    resp = await client.get("/api/", params={"q": "1"})
    assert resp.headers["X-Sub"] == "yes"
    assert await resp.json() == {"path": "/api/", "url": "/api/?q=1"}


async def test_compressed_response_is_decoded(client: TestClient) -> None:
    resp = await client.get("/z/text", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert await resp.text() == "compress me " * 200


async def test_server_sent_events(client: TestClient) -> None:
    resp = await client.get("/events")
    assert resp.content_type == "text/event-stream"
    lines = [line async for line in resp.content]
    body = b"".join(lines).decode()
    assert [f"data: tick {i}" in body for i in range(3)] == [True] * 3


async def test_big_chunked_upload(client: TestClient) -> None:
    async def pieces() -> AsyncIterator[bytes]:
        for _ in range(8):
            yield FILE

    resp = await client.post("/big/digest", data=pieces())
    assert await resp.text() == hashlib.sha256(FILE * 8).hexdigest()


async def test_body_over_the_limit_is_413(client: TestClient) -> None:
    resp = await client.post("/small", data=b"x" * 4096)
    assert resp.status == 413
    resp = await client.post("/small", data=b"x" * 10)
    assert await resp.text() == "10"


async def test_expect_continue(client: TestClient) -> None:
    resp = await client.post("/small", data=b"abc", expect100=True)
    assert await resp.text() == "3"
    # Refused before "100 Continue": the body is never sent, the answer still arrives.
    resp = await client.post("/small", data=b"x" * 100_000, expect100=True)
    assert resp.status == 413
    assert await (await client.post("/small", data=b"ok")).text() == "2"
