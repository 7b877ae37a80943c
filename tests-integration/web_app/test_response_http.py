"""Requests and responses over real sockets: web_app.Server + loop.create_server + httpx."""

from __future__ import annotations

import asyncio
import gzip
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import web_app

Handler = Callable[[web_app.BaseRequest], Awaitable[web_app.StreamResponse]]


@asynccontextmanager
async def serve(handler: Handler, **kwargs: object) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    server = web_app.Server(handler, **kwargs)  # type: ignore[arg-type]
    srv = await loop.create_server(server, "127.0.0.1", 0)
    port = srv.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.shutdown(1.0)
        srv.close()
        await srv.wait_closed()


async def raw_exchange(base: str, data: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(data)
    await writer.drain()
    out = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    return out


async def test_text_response() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        return web_app.Response(text=f"hello {request.query.get('name', '')}")

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.get(base + "/?name=you")
    assert r.status_code == 200
    assert r.text == "hello you"
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["content-length"] == str(len("hello you"))
    assert r.headers["server"].startswith("Python/")
    assert "date" in r.headers


async def test_json_and_request_json_roundtrip() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        data = await request.json()
        return web_app.json_response({"got": data, "method": request.method}, status=201)

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.post(base + "/", json={"a": [1, 2]})
    assert r.status_code == 201
    assert r.json() == {"got": {"a": [1, 2]}, "method": "POST"}
    assert r.headers["content-type"] == "application/json; charset=utf-8"


async def test_stream_response_chunked() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        resp = web_app.StreamResponse()
        resp.content_type = "text/plain"
        await resp.prepare(request)
        for i in range(3):
            await resp.write(f"part{i};".encode())
        await resp.write_eof()
        return resp

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.get(base + "/")
    assert r.text == "part0;part1;part2;"
    assert r.headers["transfer-encoding"] == "chunked"


async def test_raised_http_exception_is_sent() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        if request.path == "/move":
            raise web_app.HTTPFound("/elsewhere")
        raise web_app.HTTPNotFound()

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.get(base + "/missing")
        m = await client.get(base + "/move")
    assert r.status_code == 404
    assert r.text == "404: Not Found"
    assert m.status_code == 302
    assert m.headers["location"] == "/elsewhere"


async def test_body_over_client_max_size_is_413() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        data = await request.read()
        return web_app.Response(text=str(len(data)))

    big = b"x" * (1024**2 + 1)
    async with serve(handler) as base, httpx.AsyncClient() as client:
        ok = await client.post(base + "/", content=b"x" * 1000)
        r = await client.post(base + "/", content=big)
    assert ok.text == "1000"
    assert r.status_code == 413
    assert "Maximum request body size 1048576 exceeded" in r.text


async def test_streamed_body_over_limit_is_413_and_closes() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        await request.read()
        return web_app.Response(text="read")

    def factory(
        message: Any, payload: Any, protocol: Any, writer: Any, task: Any
    ) -> web_app.BaseRequest:
        loop = asyncio.get_running_loop()
        return web_app.BaseRequest(
            message, payload, protocol, writer, task, loop, client_max_size=1000
        )

    chunk = b"x" * 800
    head = b"POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    # Two chunks pass the limit; the body never ends: the answer must not wait for it.
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(2))
    async with serve(handler, request_factory=factory) as base:
        out = await raw_exchange(base, head + body)
    assert out.startswith(b"HTTP/1.1 413 ")
    assert b"Connection: close" in out
    assert b"Maximum request body size 1000 exceeded" in out


async def test_head_and_no_content() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        if request.path == "/empty":
            return web_app.Response(status=204)
        return web_app.Response(text="body")

    async with serve(handler) as base:
        head = await raw_exchange(base, b"HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        empty = await raw_exchange(
            base, b"GET /empty HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
        )
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"Content-Length: 4\r\n" in head
    assert head.endswith(b"\r\n\r\n")
    assert empty.startswith(b"HTTP/1.1 204 No Content\r\n")
    assert b"Content-Length" not in empty
    assert empty.endswith(b"\r\n\r\n")


async def test_compression_negotiated() -> None:
    text = "compress me " * 500

    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        resp = web_app.Response(text=text)
        resp.enable_compression()
        return resp

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.get(base + "/", headers={"Accept-Encoding": "gzip"})
        raw = await raw_exchange(
            base,
            b"GET / HTTP/1.1\r\nHost: t\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
        )
    assert r.headers["content-encoding"] == "gzip"
    assert r.text == text
    body = raw.split(b"\r\n\r\n", 1)[1]
    assert gzip.decompress(body).decode() == text


async def test_cookies_both_ways() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        resp = web_app.Response(text=json.dumps(dict(request.cookies)))
        resp.set_cookie("out", "v2", httponly=True)
        return resp

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.get(base + "/", headers={"Cookie": "a=1; b=2"})
    assert r.json() == {"a": "1", "b": "2"}
    assert "out=v2" in r.headers["set-cookie"]
    assert "HttpOnly" in r.headers["set-cookie"]


async def test_request_attributes_over_tcp() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        return web_app.json_response(
            {
                "url": str(request.url),
                "remote": request.remote,
                "scheme": request.scheme,
                "host": request.host,
                "keep_alive": request.keep_alive,
                "version": list(request.version),
            }
        )

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.get(base + "/p/q?x=1")
    data = r.json()
    port = base.rsplit(":", 1)[1]
    assert data["url"] == f"http://127.0.0.1:{port}/p/q?x=1"
    assert data["remote"] == "127.0.0.1"
    assert data["scheme"] == "http"
    assert data["keep_alive"] is True
    assert data["version"] == [1, 1]


async def test_multipart_upload() -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        form = await request.post()
        upload = form["file"]
        assert isinstance(upload, web_app.FileField)
        content = upload.file.read()
        upload.file.close()
        return web_app.json_response(
            {"title": form["title"], "name": upload.filename, "size": len(content)}
        )

    async with serve(handler) as base, httpx.AsyncClient() as client:
        r = await client.post(
            base + "/",
            data={"title": "doc"},
            files={"file": ("report.bin", b"\x00" * 100000, "application/octet-stream")},
        )
    assert r.json() == {"title": "doc", "name": "report.bin", "size": 100000}


def test_socket_module_available() -> None:
    # Guards the raw-socket helpers above: loopback TCP must be usable here.
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        assert s.getsockname()[1] > 0


@pytest.mark.parametrize("version", [b"HTTP/1.0", b"HTTP/1.1"])
async def test_connection_header_by_version(version: bytes) -> None:
    async def handler(request: web_app.BaseRequest) -> web_app.StreamResponse:
        resp = web_app.Response(text="x")
        resp.force_close()
        return resp

    async with serve(handler) as base:
        out = await raw_exchange(base, b"GET / " + version + b"\r\nHost: t\r\n\r\n")
    assert out.startswith(version + b" 200 OK\r\n")
    if version == b"HTTP/1.1":
        assert b"Connection: close\r\n" in out
    assert out.endswith(b"\r\n\r\nx")
