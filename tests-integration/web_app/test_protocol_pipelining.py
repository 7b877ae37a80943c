"""Pipelined requests are answered in order; unread bodies are skipped or the connection ends."""

from __future__ import annotations

import asyncio
import contextvars

from support import serve_handler as serve
from web_app import BaseRequest, RequestHandler, Response, StreamResponse


async def exchange(port: int, data: bytes) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(data)
    try:
        return await asyncio.wait_for(reader.read(), 5)
    finally:
        writer.close()


def bodies(raw: bytes) -> list[bytes]:
    """Split Content-Length framed responses."""
    out = []
    while raw:
        head, _, rest = raw.partition(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        out.append(rest[:length])
        raw = rest[length:]
    return out


async def delayed(request: BaseRequest) -> StreamResponse:
    # Earlier requests take longer: answers must still come back in request order.
    delay = {"/1": 0.15, "/2": 0.05, "/3": 0.0}.get(request.path, 0.0)
    await asyncio.sleep(delay)
    return Response(text=request.path)


async def test_pipelined_requests_answered_in_order() -> None:
    async with serve(delayed) as (server, port):
        raw = await exchange(
            port,
            b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
        assert bodies(raw) == [b"/1", b"/2", b"/3"]
        assert server.requests_count == 3


async def test_many_pipelined_requests_in_one_segment() -> None:
    async def echo_path(request: BaseRequest) -> StreamResponse:
        return Response(text=request.path)

    n = 200
    data = b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(n))
    data += b"GET /end HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    async with serve(echo_path) as (_, port):
        raw = await exchange(port, data)
    assert bodies(raw) == [b"/%d" % i for i in range(n)] + [b"/end"]


async def test_pipelined_bodies_go_to_their_own_request() -> None:
    async def echo(request: BaseRequest) -> StreamResponse:
        return Response(body=await request.read())

    async with serve(echo) as (_, port):
        raw = await exchange(
            port,
            b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nfirst"
            b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"3\r\nsec\r\n3\r\nond\r\n0\r\n\r\n"
            b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    assert bodies(raw) == [b"first", b"second", b""]


async def test_unread_body_is_skipped_before_next_request() -> None:
    async def ignore_body(request: BaseRequest) -> StreamResponse:
        return Response(text="ok" + request.path)

    async with serve(ignore_body) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        body = b"z" * 300_000  # more than the read buffer: must be drained, not buffered
        writer.write(b"POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body))
        writer.write(body)
        writer.write(b"GET /next HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert bodies(raw) == [b"ok/big", b"ok/next"]


async def test_unread_body_closes_when_lingering_is_off() -> None:
    async def ignore_body(request: BaseRequest) -> StreamResponse:
        return Response(text="ok")

    async with serve(ignore_body, lingering_time=0) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
        raw = await asyncio.wait_for(reader.read(), 5)  # EOF: the server closed
        writer.close()
    assert bodies(raw) == [b"ok"]


async def test_body_never_completed_within_lingering_time_closes() -> None:
    async def ignore_body(request: BaseRequest) -> StreamResponse:
        return Response(text="ok")

    async with serve(ignore_body, lingering_time=0.2) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\npartial")
        raw = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert bodies(raw) == [b"ok"]


_seen: contextvars.ContextVar[str] = contextvars.ContextVar("_seen", default="unset")


async def test_context_variables_do_not_leak_between_requests() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        before = _seen.get()
        _seen.set(request.path)
        return Response(text=before)

    async with serve(handler) as (_, port):
        raw = await exchange(
            port,
            b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
            b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        )
    assert bodies(raw) == [b"unset", b"unset", b"unset"]


async def test_a_pipelining_flood_is_parsed_in_bounded_batches_and_answered_in_order() -> None:
    """10,000 GETs in one go, responses not read: the server keeps a bounded number of parsed
    heads (issue 18: not thousands) and still answers every request, in order."""
    most_queued = 0

    async def handler(request: BaseRequest) -> StreamResponse:
        nonlocal most_queued
        connection = request.protocol
        assert isinstance(connection, RequestHandler)
        most_queued = max(most_queued, len(connection._queue))
        return Response(text=request.path[1:])

    count = 10_000
    flood = b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(count))
    async with serve(handler) as (_server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(flood + b"GET /last HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        raw = await asyncio.wait_for(reader.read(), 60)
        writer.close()
    assert bodies(raw) == [str(i).encode() for i in range(count)] + [b"last"]
    assert most_queued <= 100


async def test_held_back_heads_are_answered_when_the_client_half_closes() -> None:
    flood = b"".join(b"GET /%d HTTP/1.1\r\nHost: x\r\n\r\n" % i for i in range(500))
    async with serve(_echo_path) as (_server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(flood)
        writer.write_eof()
        raw = await asyncio.wait_for(reader.read(), 30)
        writer.close()
    assert bodies(raw) == [str(i).encode() for i in range(500)]


async def _echo_path(request: BaseRequest) -> StreamResponse:
    return Response(text=request.path[1:])
