"""``web.compression_middleware`` over real sockets, read by httpx, raw sockets and curl."""

from __future__ import annotations

import asyncio
import gzip
import json
import subprocess
import zlib
from pathlib import Path

import brotli
import httpx
import pytest
import web
from support import ServeApp
from web_app._compression import _zstd as zstd

BODY = {"items": [{"id": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(300)]}
TEXT = json.dumps(BODY)


def make_app(**options: object) -> web.Application:
    app = web.Application(middlewares=[web.compression_middleware(**options)])  # type: ignore[arg-type]

    async def data(request: web.Request) -> web.StreamResponse:
        return web.json_response(BODY)

    async def small(request: web.Request) -> web.StreamResponse:
        return web.Response(text="tiny")

    async def png(request: web.Request) -> web.StreamResponse:
        return web.Response(body=b"\x89PNG" + b"\0" * 5000, content_type="image/png")

    async def encoded(request: web.Request) -> web.StreamResponse:
        return web.Response(
            body=gzip.compress(TEXT.encode()),
            headers={"Content-Encoding": "gzip", "Content-Type": "application/json"},
        )

    async def no_transform(request: web.Request) -> web.StreamResponse:
        resp = web.json_response(BODY)
        resp.headers["Cache-Control"] = "public, no-transform"
        return resp

    async def empty(request: web.Request) -> web.StreamResponse:
        status = int(request.query["status"])
        return web.Response(status=status, headers={"Content-Type": "text/plain"})

    async def stream(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Type": "text/plain"})
        await resp.prepare(request)
        await resp.write(b"first piece " * 100)
        await request.app[GATE].wait()  # the client must have decoded the first piece
        await resp.write(b"second piece " * 100)
        await resp.write_eof()
        return resp

    app[GATE] = asyncio.Event()
    app.router.add_get("/data", data)
    app.router.add_get("/small", small)
    app.router.add_get("/png", png)
    app.router.add_get("/encoded", encoded)
    app.router.add_get("/no-transform", no_transform)
    app.router.add_get("/empty", empty)
    app.router.add_get("/stream", stream)
    return app


GATE = web.AppKey("gate", asyncio.Event)


def decode(coding: str, raw: bytes) -> bytes:
    if coding == "gzip":
        return gzip.decompress(raw)
    if coding == "deflate":
        return zlib.decompress(raw)
    if coding == "br":
        return bytes(brotli.decompress(raw))
    assert coding == "zstd" and zstd is not None
    return bytes(zstd.decompress(raw))


async def fetch(client: httpx.AsyncClient, url: str, accept: str | None) -> httpx.Response:
    """GET with exactly this Accept-Encoding; ``resp.raw`` is the body as sent."""
    headers = {} if accept is None else {"Accept-Encoding": accept}
    req = client.build_request("GET", url, headers=headers)
    if accept is None:
        del req.headers["Accept-Encoding"]
    resp = await client.send(req, stream=True)
    resp.raw = b"".join([chunk async for chunk in resp.aiter_raw()])  # type: ignore[attr-defined]
    return resp


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("br", "br"),
        ("zstd", "zstd"),
        ("gzip, deflate, br, zstd", "zstd"),  # equal q: the server's order
        ("gzip;q=1, br;q=0.5, zstd;q=0.1", "gzip"),
        ("*", "zstd"),
        ("*;q=0.5, gzip", "gzip"),
        ("gzip;q=0, deflate;q=0.2", "deflate"),
    ],
)
async def test_negotiated_coding_and_exact_body(
    serve_app: ServeApp, accept: str, expected: str
) -> None:
    async with serve_app(make_app()) as url, httpx.AsyncClient() as client:
        resp = await fetch(client, url + "/data", accept)
        raw: bytes = resp.raw  # type: ignore[attr-defined]
    assert resp.headers["content-encoding"] == expected
    assert resp.headers["vary"] == "Accept-Encoding"
    assert int(resp.headers["content-length"]) == len(raw) < len(TEXT) // 3
    assert json.loads(decode(expected, raw)) == BODY


@pytest.mark.parametrize(
    "accept", [None, "", "identity", "*;q=0, identity", "gzip;q=0", "gzip;q=abc", "compress"]
)
async def test_identity_when_nothing_acceptable_but_still_vary(
    serve_app: ServeApp, accept: str | None
) -> None:
    async with serve_app(make_app()) as url, httpx.AsyncClient() as client:
        resp = await fetch(client, url + "/data", accept)
    assert "content-encoding" not in resp.headers
    assert resp.headers["vary"] == "Accept-Encoding"
    assert json.loads(resp.raw) == BODY  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", ["/small", "/png", "/no-transform", "/encoded"])
async def test_responses_left_alone(serve_app: ServeApp, path: str) -> None:
    async with serve_app(make_app()) as url, httpx.AsyncClient() as client:
        resp = await fetch(client, url + path, "gzip, br")
    if path == "/encoded":
        assert resp.headers["content-encoding"] == "gzip"  # the handler's, not encoded twice
        assert json.loads(gzip.decompress(resp.raw)) == BODY  # type: ignore[attr-defined]
    else:
        assert "content-encoding" not in resp.headers
        assert "vary" not in resp.headers


@pytest.mark.parametrize("status", [204, 304])
async def test_bodiless_statuses(serve_app: ServeApp, status: int) -> None:
    async with serve_app(make_app(minimum_size=0)) as url, httpx.AsyncClient() as client:
        resp = await fetch(client, url + f"/empty?status={status}", "gzip")
    assert resp.status_code == status
    assert "content-encoding" not in resp.headers and resp.raw == b""  # type: ignore[attr-defined]


async def test_stream_is_compressed_incrementally(serve_app: ServeApp) -> None:
    app = make_app()
    async with serve_app(app) as url, httpx.AsyncClient() as client:
        req = client.build_request("GET", url + "/stream", headers={"Accept-Encoding": "gzip"})
        resp = await client.send(req, stream=True)
        assert resp.headers["content-encoding"] == "gzip"
        assert resp.headers["transfer-encoding"] == "chunked"
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        got = b""
        raw = resp.aiter_raw()
        while len(got) < 1200:  # the first write arrives whole while the handler waits
            got += decoder.decompress(await asyncio.wait_for(raw.__anext__(), 5))
        assert got == b"first piece " * 100
        app[GATE].set()
        async for chunk in raw:
            got += decoder.decompress(chunk)
        assert decoder.eof
    assert got == b"first piece " * 100 + b"second piece " * 100


async def test_static_files_compressed_but_ranges_untouched(
    serve_app: ServeApp, tmp_path: Path
) -> None:
    (tmp_path / "app.js").write_text("console.log('hello world');\n" * 400)
    app = web.Application(middlewares=[web.compression_middleware()])
    app.router.add_static("/s", tmp_path)
    async with serve_app(app) as url, httpx.AsyncClient() as client:
        whole = await fetch(client, url + "/s/app.js", "gzip")
        part = await client.get(
            url + "/s/app.js", headers={"Range": "bytes=0-9", "Accept-Encoding": "gzip"}
        )
    assert whole.headers["content-encoding"] == "gzip"
    assert "accept-ranges" not in whole.headers
    assert gzip.decompress(whole.raw) == (tmp_path / "app.js").read_bytes()  # type: ignore[attr-defined]
    assert part.status_code == 206 and part.content == b"console.lo"
    assert "content-encoding" not in part.headers


async def test_curl_compressed_roundtrip(serve_app: ServeApp, curl: str) -> None:
    async with serve_app(make_app(codings=["gzip"])) as url:
        done = await asyncio.to_thread(
            subprocess.run,
            [curl, "-sS", "--compressed", "-D", "-", url + "/data"],
            capture_output=True,
            timeout=10,
        )
    head, _, body = done.stdout.partition(b"\r\n\r\n")
    assert b"content-encoding: gzip" in head.lower()
    assert json.loads(body) == BODY


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown content coding"):
        web.compression_middleware(codings=["lzma"])
    with pytest.raises(ValueError, match="type/sub"):
        web.compression_middleware(content_types=["json"])
    with pytest.raises(ValueError, match="negative"):
        web.compression_middleware(minimum_size=-1)
