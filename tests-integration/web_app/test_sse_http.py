"""``web.EventSourceResponse`` read by httpx's streaming API, parsed as the HTML standard says."""

from __future__ import annotations

import asyncio
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest
import web
from support import ServeApp

SEEN = web.AppKey("seen", dict)


def sse_app(*, ping_interval: float | None = 0.2) -> web.Application:
    app = web.Application()
    app[SEEN] = {"disconnected": asyncio.Event()}

    async def events(request: web.Request) -> web.StreamResponse:
        resp = web.EventSourceResponse(ping_interval=ping_interval)
        await resp.prepare(request)
        seen = request.app[SEEN]
        seen["last_event_id"] = resp.last_event_id
        await resp.send("hello", event="greeting", id="1", retry=1500)
        await resp.send("line one\nline two\r\nline three", id="2")
        await resp.comment("a comment\nover two lines")
        try:
            await asyncio.wait_for(resp.wait_closed(), 5)
        except asyncio.TimeoutError:
            seen["timeout"] = True
        seen["connected_after"] = resp.is_connected()
        with pytest.raises(ConnectionResetError):
            await resp.send("into the void")
        seen["disconnected"].set()
        return resp

    async def context(request: web.Request) -> web.StreamResponse:
        async with web.sse_response(request, ping_interval=None) as resp:
            for i in range(3):
                await resp.send(str(i))
        return resp

    async def bad(request: web.Request) -> web.StreamResponse:
        resp = web.EventSourceResponse()
        await resp.prepare(request)
        errors = []
        for kwargs in ({"event": "a\nb"}, {"id": "x\ry"}, {"id": "nul\0"}, {"retry": -1}):
            try:
                await resp.send("x", **kwargs)
            except ValueError as exc:
                errors.append(str(exc).split(":")[0])
        await resp.send("|".join(errors))
        await resp.write_eof()
        return resp

    app.router.add_get("/events", events)
    app.router.add_get("/context", context)
    app.router.add_get("/bad", bad)
    return app


async def parse_sse(lines: AsyncIterator[str]) -> AsyncIterator[dict[str, str]]:
    """Dispatch events as EventSource does (comments surface as {"comment": ...})."""
    event: dict[str, str] = {}
    async for line in lines:
        if line == "":
            if event:
                yield event
            event = {}
        elif line.startswith(":"):
            yield {"comment": line[1:].lstrip(" ")}
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            event[name] = event[name] + "\n" + value if name in event else value


async def test_events_headers_pings_and_disconnect(serve_app: ServeApp) -> None:
    app = sse_app()
    async with serve_app(app) as url, httpx.AsyncClient(timeout=5) as client:
        headers = {"Last-Event-ID": "41"}
        async with client.stream("GET", url + "/events", headers=headers) as resp:
            assert resp.status_code == 200
            assert resp.headers["content-type"] == "text/event-stream"
            assert resp.headers["cache-control"] == "no-cache"
            assert resp.headers["x-accel-buffering"] == "no"
            assert resp.headers["transfer-encoding"] == "chunked"
            got = []
            async for item in parse_sse(resp.aiter_lines()):
                got.append(item)
                if item == {"comment": "ping"}:
                    break
        # leaving the block closed the connection: the server noticed by itself
        await asyncio.wait_for(app[SEEN]["disconnected"].wait(), 3)
    assert got == [
        {"id": "1", "event": "greeting", "retry": "1500", "data": "hello"},
        {"id": "2", "data": "line one\nline two\nline three"},
        {"comment": "a comment"},
        {"comment": "over two lines"},
        {"comment": "ping"},
    ]
    seen = app[SEEN]
    assert seen["last_event_id"] == "41"
    assert "timeout" not in seen and seen["connected_after"] is False


async def test_sse_response_context_manager_finishes_the_stream(serve_app: ServeApp) -> None:
    async with serve_app(sse_app()) as url, httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(url + "/context")
    assert resp.text == "data: 0\n\ndata: 1\n\ndata: 2\n\n"


async def test_fields_with_line_breaks_are_refused(serve_app: ServeApp) -> None:
    async with serve_app(sse_app()) as url, httpx.AsyncClient(timeout=5) as client:
        resp = await client.get(url + "/bad")
    assert resp.text == (
        "data: SSE event cannot contain a line break|SSE id cannot contain a line break|"
        "SSE id cannot contain NUL|SSE retry must be a non-negative int (ms), got -1\n\n"
    )


async def test_events_compressed_by_the_middleware_arrive_one_by_one(
    serve_app: ServeApp,
) -> None:
    app = sse_app(ping_interval=None)
    app.middlewares.append(web.compression_middleware())
    async with serve_app(app) as url, httpx.AsyncClient(timeout=5) as client:
        req = client.build_request("GET", url + "/events", headers={"Accept-Encoding": "gzip"})
        resp = await client.send(req, stream=True)
        assert resp.headers["content-encoding"] == "gzip"
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        text = b""
        async for raw in resp.aiter_raw():  # the stream stays open: each piece decodes alone
            text += decoder.decompress(raw)
            if text.endswith(b": over two lines\n\n"):
                break
        await resp.aclose()
        await asyncio.wait_for(app[SEEN]["disconnected"].wait(), 3)
    assert text.startswith(b"id: 1\nevent: greeting\nretry: 1500\ndata: hello\n\n")


def test_bad_ping_interval() -> None:
    with pytest.raises(ValueError, match="ping_interval"):
        web.EventSourceResponse(ping_interval=0)
