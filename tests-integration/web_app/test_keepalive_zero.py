"""``keepalive_timeout=0`` as in aiohttp: no deadline for the first request, no reuse after it."""

from __future__ import annotations

import asyncio

from support import serve_handler
from web_app import BaseRequest, Response, StreamResponse


async def _ok(request: BaseRequest) -> StreamResponse:
    return Response(text="ok")


async def _read_all(reader: asyncio.StreamReader) -> bytes:
    data = b""
    while chunk := await asyncio.wait_for(reader.read(65536), 2.0):
        data += chunk
    return data


async def test_first_request_has_no_deadline_and_connection_closes_after() -> None:
    async with serve_handler(_ok, keepalive_timeout=0) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await asyncio.sleep(0.3)  # idle before the first request: still served
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        data = await _read_all(reader)  # ends: the server closes after the response
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert data.endswith(b"\r\n\r\nok")
        writer.close()


async def test_pipelined_requests_are_all_answered() -> None:
    async with serve_handler(_ok, keepalive_timeout=0) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        data = await _read_all(reader)
        assert data.count(b"HTTP/1.1 200 OK\r\n") == 2
        writer.close()


async def test_default_timeout_keeps_the_connection_for_a_second_request() -> None:
    async with serve_handler(_ok) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for _ in range(2):
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2.0)
            assert head.startswith(b"HTTP/1.1 200 OK\r\n")
            assert await asyncio.wait_for(reader.readexactly(2), 2.0) == b"ok"
        writer.close()
