"""Expect: 100-continue over a raw socket; unknown expectations get 417."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from web_app import Application, Request, Response, StreamResponse
from web_app.integration import make_server


@asynccontextmanager
async def serve_raw(app: Application) -> AsyncIterator[int]:
    loop = asyncio.get_running_loop()
    server = make_server(app)
    await app.startup()
    srv = await loop.create_server(server, "127.0.0.1", 0)
    try:
        yield srv.sockets[0].getsockname()[1]
    finally:
        srv.close()
        await server.shutdown(2.0)
        await srv.wait_closed()
        await app.cleanup()


async def echo(request: Request) -> StreamResponse:
    body = await request.read()
    return Response(body=body)


async def test_100_continue_then_body() -> None:
    app = Application()
    app.router.add_post("/", echo)
    async with serve_raw(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
            b"Expect: 100-continue\r\nConnection: close\r\n\r\n"
        )
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"hello")
        rest = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    head, _, body = rest.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert b"Content-Length: 5" in head
    assert body == b"hello"


async def test_unknown_expectation_is_417() -> None:
    app = Application()
    app.router.add_post("/", echo)
    async with serve_raw(app) as port:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
            b"Expect: something\r\nConnection: close\r\n\r\n"
        )
        data = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert data.startswith(b"HTTP/1.1 417 ")
