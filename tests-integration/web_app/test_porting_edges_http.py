"""Porting edges of issue 19 over real sockets: what an aiohttp program meets on our server.

Headers stamped after a streamed response, a malformed user Content-Length, aiohttp 3.14's
field-count ``max_headers``, error pages for browsers and scripts, and compression's Vary.
"""

from __future__ import annotations

import asyncio
import gzip
import time
import zlib
from collections.abc import Awaitable, Callable

import httpx
import pytest
import web
from support import serve


async def raw_exchange(base: str, request: bytes) -> bytes:
    """Send ``request`` on a fresh connection and read until the server closes or times out."""
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(request)
    chunks: list[bytes] = []
    try:
        while True:
            data = await asyncio.wait_for(reader.read(65536), 1.0)
            if not data:
                break
            chunks.append(data)
    except asyncio.TimeoutError:
        pass  # keep-alive: the server keeps the connection, which is what we want
    writer.close()
    return b"".join(chunks)


@web.middleware
async def timing(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """The seed's timing middleware: a header set after the handler ran."""
    started = time.monotonic()
    resp = await handler(request)
    resp.headers["X-Elapsed"] = f"{time.monotonic() - started:.6f}"
    resp.set_cookie("seen", "1")  # a session-style middleware refreshing a cookie
    return resp


async def streamed(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse()
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    await resp.write(b"part one, ")
    await resp.write(b"part two")
    return resp  # not finished: the server calls write_eof


async def plain(request: web.Request) -> web.Response:
    return web.Response(text="plain")


async def test_header_after_streamed_response_keeps_body_and_connection() -> None:
    app = web.Application(middlewares=[timing])
    app.router.add_get("/stream", streamed)
    app.router.add_get("/plain", plain)
    async with serve(app) as base:
        with pytest.warns(RuntimeWarning) as warned:
            raw = await raw_exchange(
                base,
                b"GET /stream HTTP/1.1\r\nHost: t\r\n\r\n"
                b"GET /plain HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
            )
    messages = {str(w.message).split(" ")[0] for w in warned}
    assert messages == {"response", "cannot"}  # the header, then the cookie
    first, _, rest = raw.partition(b"\r\n\r\n")
    assert first.startswith(b"HTTP/1.1 200 OK") and b"Transfer-Encoding: chunked" in first
    assert b"X-Elapsed" not in first and b"Set-Cookie" not in first  # too late for the head
    # The chunked body ends with its 0-chunk, and the same connection answers the next one.
    body, _, second = rest.partition(b"0\r\n\r\n")
    assert body == b"a\r\npart one, \r\n8\r\npart two\r\n"
    assert second.startswith(b"HTTP/1.1 200 OK") and second.endswith(b"plain")
    assert b"X-Elapsed: " in second and b"Set-Cookie: seen=1" in second  # in time here


async def test_non_numeric_content_length_is_refused_with_500() -> None:
    async def bad(request: web.Request) -> web.Response:
        return web.Response(text="x", headers={"Content-Length": "abc"})

    async def direct(request: web.Request) -> web.StreamResponse:
        resp = web.StreamResponse(headers={"Content-Length": "abc"})
        with pytest.raises(ValueError, match="Content-Length"):
            await resp.prepare(request)
        return web.Response(text="refused")

    app = web.Application()
    app.router.add_get("/bad", bad)
    app.router.add_get("/direct", direct)
    async with serve(app) as base:
        raw = await raw_exchange(base, b"GET /bad HTTP/1.1\r\nHost: t\r\n\r\n")
        async with httpx.AsyncClient(base_url=base) as client:
            refused = await client.get("/direct")
    head = raw.partition(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 500 ")
    assert b"abc" not in head and b"chunked" not in head
    assert refused.text == "refused"


def ordinary_request(fields: int) -> bytes:
    lines = [
        "GET / HTTP/1.1",
        "Host: t",
        "User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36",
        "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        "Accept-Language: en-US,en;q=0.9",
        "Accept-Encoding: gzip, deflate, br",
        "Cookie: " + "; ".join(f"c{i}=v{i}" for i in range(20)),
        *[f"X-Extra-{i}: {i}" for i in range(fields)],
        "Connection: close",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


@pytest.mark.parametrize("max_headers", [128, 32768], ids=["aiohttp-3.14-count", "byte-bound"])
async def test_max_headers_either_meaning_serves_ordinary_requests(max_headers: int) -> None:
    app = web.Application()
    app.router.add_get("/", plain)
    async with serve(app, max_headers=max_headers) as base:
        raw = await raw_exchange(base, ordinary_request(40))
    assert raw.startswith(b"HTTP/1.1 200 OK"), raw[:80]


async def test_max_headers_as_count_refuses_too_many_fields() -> None:
    app = web.Application()
    app.router.add_get("/", plain)
    async with serve(app, max_headers=20) as base:
        ok = await raw_exchange(base, ordinary_request(10))
        refused = await raw_exchange(base, ordinary_request(30))
    assert ok.startswith(b"HTTP/1.1 200 OK")
    assert refused.startswith(b"HTTP/1.1 431 ")


async def failing(request: web.Request) -> web.Response:
    raise KeyError("secret-detail")


@pytest.mark.parametrize("debug", [False, True], ids=["quiet", "debug"])
async def test_error_page_html_for_browsers_text_for_scripts(debug: bool) -> None:
    app = web.Application(debug=debug)
    app.router.add_get("/fail", failing)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        browser = await client.get("/fail", headers={"Accept": "text/html,*/*;q=0.8"})
        script = await client.get("/fail", headers={"Accept": "*/*"})
    assert browser.status_code == script.status_code == 500
    assert browser.headers["content-type"] == "text/html; charset=utf-8"
    assert browser.text.startswith("<html><head><title>500 Internal Server Error</title>")
    assert script.headers["content-type"] == "text/plain; charset=utf-8"
    assert script.text.startswith("500 Internal Server Error\n")
    for page in (browser.text, script.text):
        assert ("secret-detail" in page) is debug  # tracebacks only in debug mode
    if debug:
        assert "<pre>" in browser.text and "KeyError" in browser.text


async def test_request_entity_too_large_positional_as_aiohttp() -> None:
    async def upload(request: web.Request) -> web.Response:
        raise web.HTTPRequestEntityTooLarge(10, 25)

    app = web.Application()
    app.router.add_post("/", upload)
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        resp = await client.post("/", content=b"x" * 25)
    assert resp.status_code == 413
    assert resp.text == "Maximum request body size 10 exceeded, actual body size 25"
    exc = web.HTTPRequestEntityTooLarge(max_size=1, actual_size=2)
    assert (exc.max_size, exc.actual_size) == (1, 2)


BODY = b"compress me " * 100


async def test_compression_vary_and_preference_order() -> None:
    async def big(request: web.Request) -> web.Response:
        resp = web.Response(body=BODY)
        resp.enable_compression()
        return resp

    async def empty(request: web.Request) -> web.Response:
        resp = web.Response(status=204)
        resp.enable_compression()
        return resp

    app = web.Application()
    app.router.add_get("/big", big)
    app.router.add_get("/empty", empty)
    async with serve(app) as base:
        browser = await raw_exchange(
            base,
            b"GET /big HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, deflate, br\r\n"
            b"Connection: close\r\n\r\n",
        )
        gzip_preferred = await raw_exchange(
            base,
            b"GET /big HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip, deflate;q=0.5\r\n"
            b"Connection: close\r\n\r\n",
        )
        nothing = await raw_exchange(
            base,
            b"GET /empty HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
        )
    head, _, body = browser.partition(b"\r\n\r\n")
    assert b"Content-Encoding: deflate" in head and b"Vary: Accept-Encoding" in head
    assert zlib.decompress(body) == BODY
    head, _, body = gzip_preferred.partition(b"\r\n\r\n")
    assert b"Content-Encoding: gzip" in head and gzip.decompress(body) == BODY
    head = nothing.partition(b"\r\n\r\n")[0]
    assert head.startswith(b"HTTP/1.1 204 ")
    assert b"Vary" not in head and b"Content-Encoding" not in head
