"""Large reads while a request body streams in (_socket_reads), driven with a fake transport.

The fake transport has asyncio's ``max_size`` class attribute (256 KiB) like a selector socket
transport; the protocol shadows it per connection while a body arrives in full reads, and drops
the shadow when the body ends or the handler falls behind (reading pauses).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from web_app import BaseRequest, RequestHandler, Response, Server, StreamResponse
from web_app._socket_reads import BODY_READ_SIZE, FULL_READ

HEAD = b"POST /up HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"


class SocketLikeTransport:
    max_size = FULL_READ  # asyncio's _SelectorSocketTransport.max_size

    def __init__(self) -> None:
        self.out = bytearray()
        self.closed = False
        self.reading = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.out += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        self.reading = False

    def resume_reading(self) -> None:
        self.reading = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class OtherTransport(SocketLikeTransport):
    """A transport without the attribute (uvloop, TLS): its read size is left alone."""

    max_size = None  # type: ignore[assignment]


def connect(
    handler: Any, transport: SocketLikeTransport | None = None
) -> tuple[RequestHandler, SocketLikeTransport]:
    proto = Server(handler)()
    transport = transport if transport is not None else SocketLikeTransport()
    proto.connection_made(transport)  # type: ignore[arg-type]
    return proto, transport


def frame(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def counting_handler(sizes: list[int]) -> Callable[[BaseRequest], Awaitable[StreamResponse]]:
    async def handler(request: BaseRequest) -> StreamResponse:
        total = 0
        async for chunk in request.content.iter_any():
            total += len(chunk)
        sizes.append(total)
        return Response(text=str(total))

    return handler


async def test_full_reads_of_a_body_widen_reads_until_the_body_ends() -> None:
    sizes: list[int] = []
    proto, transport = connect(counting_handler(sizes))
    block = frame(b"x" * (FULL_READ - 16))
    proto.data_received(HEAD + block)  # a full read, the body still on its way
    assert vars(transport)["max_size"] == BODY_READ_SIZE
    await settle()
    proto.data_received(block * 3)
    assert vars(transport)["max_size"] == BODY_READ_SIZE
    await settle()
    proto.data_received(b"0\r\n\r\n")  # the end of the body: back to the transport's own size
    assert "max_size" not in vars(transport)
    await settle()
    assert sizes == [4 * (FULL_READ - 16)]
    assert transport.out.startswith(b"HTTP/1.1 200 OK\r\n")
    # the next request on the connection is read with the default size
    proto.data_received(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert "max_size" not in vars(transport)


async def test_short_reads_and_whole_bodies_keep_the_default_size() -> None:
    sizes: list[int] = []
    proto, transport = connect(counting_handler(sizes))
    proto.data_received(HEAD + frame(b"y" * 1000))  # the peer is slower than one read
    assert "max_size" not in vars(transport)
    await settle()
    proto.data_received(frame(b"z" * FULL_READ) + b"0\r\n\r\n")  # a full read ending the body
    assert "max_size" not in vars(transport)
    await settle()
    assert sizes == [1000 + FULL_READ]


async def test_a_handler_that_falls_behind_gets_default_reads_again() -> None:
    release = asyncio.Event()
    sizes: list[int] = []

    async def slow(request: BaseRequest) -> StreamResponse:
        await release.wait()  # not reading: the body buffer fills
        return await counting_handler(sizes)(request)

    proto, transport = connect(slow)
    block = frame(b"s" * (FULL_READ - 16))
    proto.data_received(HEAD + block)
    assert vars(transport)["max_size"] == BODY_READ_SIZE
    await settle()
    proto.data_received(block)  # the buffer is still above high water: pause, narrow reads
    assert not transport.reading
    assert "max_size" not in vars(transport)
    release.set()
    await settle()
    assert transport.reading  # drained: reading resumes
    proto.data_received(block + b"0\r\n\r\n")
    await settle()
    assert sizes == [3 * (FULL_READ - 16)]


async def test_transport_without_the_attribute_is_left_alone() -> None:
    sizes: list[int] = []
    proto, transport = connect(counting_handler(sizes), OtherTransport())
    block = frame(b"o" * (FULL_READ - 16))
    proto.data_received(HEAD + block)
    await settle()
    proto.data_received(block + b"0\r\n\r\n")
    await settle()
    assert "max_size" not in vars(transport)
    assert sizes == [2 * (FULL_READ - 16)]


async def test_content_length_bodies_widen_reads_too() -> None:
    sizes: list[int] = []
    proto, transport = connect(counting_handler(sizes))
    size = 3 * FULL_READ
    head = b"POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\n\r\n" % size
    proto.data_received(head + b"c" * (FULL_READ - len(head)))
    assert vars(transport)["max_size"] == BODY_READ_SIZE
    await settle()
    proto.data_received(b"c" * (2 * FULL_READ + len(head)))
    assert "max_size" not in vars(transport)
    await settle()
    assert sizes == [size]
