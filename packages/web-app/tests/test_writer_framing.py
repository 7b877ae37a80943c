"""PayloadWriter: head coalescing, chunked framing, raw interim writes, errors."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import pytest
from web_app._writer import PayloadWriter


class FakeTransport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.lines: list[list[bytes | bytearray | memoryview]] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview, /) -> None:
        self.writes.append(bytes(data))

    def writelines(self, list_of_data: Iterable[bytes | bytearray | memoryview], /) -> None:
        pieces = list(list_of_data)
        self.lines.append(pieces)
        self.writes.append(b"".join(pieces))

    def is_closing(self) -> bool:
        return self.closing

    @property
    def data(self) -> bytes:
        return b"".join(self.writes)


class FakeProtocol:
    def __init__(self) -> None:
        self._transport: FakeTransport | None = FakeTransport()
        self.paused = False
        self.drains = 0
        self._waiter: asyncio.Future[None] | None = None

    @property
    def transport(self) -> FakeTransport | None:
        return self._transport

    def lose(self) -> None:
        self._transport = None

    @property
    def writing_paused(self) -> bool:
        return self.paused

    def resume(self) -> None:
        self.paused = False
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    async def wait_writable(self) -> None:
        self.drains += 1
        if self.paused:
            self._waiter = asyncio.get_running_loop().create_future()
            await self._waiter


HEAD = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"


def _pair() -> tuple[PayloadWriter, FakeProtocol]:
    proto = FakeProtocol()
    return PayloadWriter(proto), proto


async def test_head_and_small_body_leave_in_one_write() -> None:
    writer, proto = _pair()
    writer.write_headers(HEAD)
    assert proto.transport is not None
    assert proto.transport.writes == []  # nothing sent until the body is known
    await writer.write_eof(b"hello")
    assert proto.transport.writes == [HEAD + b"hello"]
    assert writer.output_size == len(HEAD) + 5


async def test_head_only_response_is_sent_on_eof() -> None:
    writer, proto = _pair()
    writer.write_headers(HEAD)
    await writer.write_eof()
    assert proto.transport is not None
    assert proto.transport.writes == [HEAD]


async def test_first_write_carries_the_head() -> None:
    writer, proto = _pair()
    writer.write_headers(HEAD)
    await writer.write(b"ab")
    await writer.write(b"cde")
    await writer.write_eof()
    assert proto.transport is not None
    assert proto.transport.writes == [HEAD + b"ab", b"cde"]


async def test_chunked_framing_and_last_chunk() -> None:
    writer, proto = _pair()
    writer.enable_chunking()
    writer.write_headers(b"H\r\n\r\n")
    await writer.write(b"x" * 26)
    await writer.write(b"")  # an empty write must not emit a terminating chunk
    await writer.write_eof(b"end")
    assert proto.transport is not None
    assert proto.transport.data == b"H\r\n\r\n1a\r\n" + b"x" * 26 + b"\r\n3\r\nend\r\n0\r\n\r\n"


async def test_a_large_chunk_leaves_in_one_writelines_without_copying_its_data() -> None:
    writer, proto = _pair()
    writer.enable_chunking()
    writer.write_headers(b"H\r\n\r\n")
    data = bytearray(b"y" * 5000)
    await writer.write(data)  # the first write: the head goes in front of the size line
    await writer.write(b"z" * 4096)
    await writer.write(b"small")  # under the threshold: one joined write
    assert proto.transport is not None
    first, second = proto.transport.lines
    assert first == [b"H\r\n\r\n1388\r\n", data, b"\r\n"]
    assert first[1] is data  # handed over as it is
    assert second == [b"1000\r\n", b"z" * 4096, b"\r\n"]
    assert proto.transport.writes[2] == b"5\r\nsmall\r\n"
    await writer.write_eof()
    assert proto.transport.data == (
        b"H\r\n\r\n1388\r\n" + b"y" * 5000 + b"\r\n1000\r\n" + b"z" * 4096 + b"\r\n"
        b"5\r\nsmall\r\n0\r\n\r\n"
    )
    assert writer.output_size == len(proto.transport.data)


async def test_a_large_chunk_to_a_closing_transport_raises() -> None:
    writer, proto = _pair()
    writer.enable_chunking()
    writer.write_headers(b"H\r\n\r\n")
    assert proto.transport is not None
    proto.transport.closing = True
    with pytest.raises(ConnectionResetError):
        await writer.write(b"y" * 5000)


async def test_chunked_eof_without_data_sends_only_last_chunk() -> None:
    writer, proto = _pair()
    writer.enable_chunking()
    writer.write_headers(b"H\r\n\r\n")
    await writer.write_eof()
    assert proto.transport is not None
    assert proto.transport.writes == [b"H\r\n\r\n0\r\n\r\n"]


async def test_raw_write_before_headers_sends_interim_response() -> None:
    writer, proto = _pair()
    await writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    writer.write_headers(HEAD)
    await writer.write_eof(b"hello")
    assert proto.transport is not None
    assert proto.transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n", HEAD + b"hello"]


async def test_write_to_lost_connection_raises_connection_reset() -> None:
    writer, proto = _pair()
    writer.write_headers(HEAD)
    proto.lose()
    with pytest.raises(ConnectionResetError, match="Cannot write to closing transport"):
        await writer.write(b"x")


async def test_write_to_closing_transport_raises_connection_reset() -> None:
    writer, proto = _pair()
    assert proto.transport is not None
    proto.transport.closing = True
    with pytest.raises(ConnectionResetError):
        await writer.write_eof(b"x")


async def test_write_after_eof_is_refused_and_second_eof_ignored() -> None:
    writer, proto = _pair()
    writer.write_headers(HEAD)
    await writer.write_eof(b"hello")
    await writer.write_eof(b"again")
    with pytest.raises(RuntimeError):
        await writer.write(b"more")
    assert proto.transport is not None
    assert proto.transport.writes == [HEAD + b"hello"]


def test_headers_twice_is_an_error() -> None:
    writer, _ = _pair()
    writer.write_headers(HEAD)
    with pytest.raises(RuntimeError):
        writer.write_headers(HEAD)


async def test_write_waits_while_transport_is_paused() -> None:
    writer, proto = _pair()
    writer.write_headers(HEAD)
    proto.paused = True
    task = asyncio.ensure_future(writer.write(b"data"))
    await asyncio.sleep(0)
    assert not task.done()
    assert writer.buffer_size == 0  # drain resets the unflushed counter
    proto.resume()
    await task
    assert proto.drains == 1


async def test_drain_on_lost_connection_raises() -> None:
    writer, proto = _pair()
    proto.lose()
    with pytest.raises(ConnectionResetError):
        await writer.drain()


async def test_memoryview_and_bytearray_are_accepted() -> None:
    writer, proto = _pair()
    writer.enable_chunking()
    await writer.write(memoryview(b"abc"))
    await writer.write(bytearray(b"de"))
    assert proto.transport is not None
    assert proto.transport.data == b"3\r\nabc\r\n2\r\nde\r\n"


async def test_send_headers_flushes_the_buffered_head_once() -> None:
    writer, proto = _pair()
    writer.write_headers(HEAD)
    writer.send_headers()
    writer.send_headers()  # nothing left to send
    await writer.write_eof(b"hello")
    assert proto.transport is not None
    assert proto.transport.writes == [HEAD, b"hello"]
