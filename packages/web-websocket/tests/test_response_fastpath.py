"""The per-message fast paths of ``WebSocketResponse`` over an in-memory connection.

A real ``web_app.Server`` protocol is given a transport that records writes, so the tests
see exactly what goes on the wire and how many writes it takes, without sockets.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from web_app import BaseRequest, RequestHandler, Server, StreamResponse
from web_websocket import (
    FrameParser,
    WebSocketReader,
    WebSocketResponse,
    WSMessage,
    WSMsgType,
    encode_frame,
)

UPGRADE = (
    b"GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    b"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
)


class RecordingTransport(asyncio.Transport):
    """Keeps every write; closing is a flag."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[bytes] = []
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes.append(bytes(data))

    def is_closing(self) -> bool:
        return self.closing

    def close(self) -> None:
        self.closing = True

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 1), "sockname": ("127.0.0.1", 2)}.get(name, default)

    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        return None

    def get_write_buffer_size(self) -> int:
        return 0


class Conn:
    """One upgraded in-memory connection: ``feed`` client frames, read ``transport.writes``."""

    def __init__(self, proto: RequestHandler, transport: RecordingTransport) -> None:
        self.proto = proto
        self.transport = transport
        self.ws: WebSocketResponse | None = None

    def feed(self, opcode: int, payload: bytes, **options: Any) -> None:
        self.proto.data_received(encode_frame(opcode, payload, mask=os.urandom(4), **options))

    def frames_written(self) -> list[tuple[bool, int, bytes]]:
        parser = FrameParser(masked=False)
        found = parser.feed(b"".join(self.transport.writes))
        return [(f.fin, f.opcode, f.payload) for f in found]  # type: ignore[union-attr]


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


@asynccontextmanager
async def connection(
    body: Callable[[WebSocketResponse], Awaitable[None]],
) -> AsyncIterator[Conn]:
    """Serve ``body(ws)`` on an upgraded in-memory connection."""
    holder: list[Conn] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        ws = WebSocketResponse()
        await ws.prepare(request)
        holder[0].ws = ws
        await body(ws)
        return ws

    proto = Server(handler)()
    transport = RecordingTransport()
    conn = Conn(proto, transport)
    holder.append(conn)
    proto.connection_made(transport)
    proto.data_received(UPGRADE)
    await settle()
    assert transport.writes[0].startswith(b"HTTP/1.1 101")
    transport.writes.clear()
    try:
        yield conn
    finally:
        transport.closing = True
        proto.connection_lost(None)
        await settle()


async def echo(ws: WebSocketResponse) -> None:
    async for msg in ws:
        if msg.type is WSMsgType.BINARY:
            await ws.send_bytes(msg.data)
        elif msg.type is WSMsgType.TEXT:
            await ws.send_str(msg.data)


@pytest.mark.parametrize("size", [0, 1, 64, 125, 126, 300, 70000])
async def test_echo_is_one_write_per_message_with_the_right_header(size: int) -> None:
    payload = os.urandom(size)
    async with connection(echo) as conn:
        for opcode, data in ((0x2, payload), (0x1, b"x" * size)):
            conn.transport.writes.clear()
            conn.feed(opcode, data)
            await settle()
            assert len(conn.transport.writes) == 1
            assert conn.frames_written() == [(True, opcode, data)]
            head = conn.transport.writes[0][:2]
            assert head[0] == 0x80 | opcode
            assert head[1] == (size if size < 126 else 126 if size < 0x10000 else 127)


async def test_text_with_multibyte_characters_is_framed_by_its_encoded_length() -> None:
    text = "é✓" * 30  # 30 * 5 = 150 bytes: above the small-frame table
    async with connection(echo) as conn:
        conn.feed(0x1, "é✓".encode())
        conn.feed(0x1, text.encode())
        await settle()
        assert conn.frames_written() == [(True, 1, "é✓".encode()), (True, 1, text.encode())]


async def test_byte_like_payloads_are_sent_as_bytes() -> None:
    async def body(ws: WebSocketResponse) -> None:
        await ws.receive()
        await ws.send_bytes(bytearray(b"ab"))
        await ws.send_bytes(memoryview(b"cd"))
        await ws.send_bytes(b"ef")

    async with connection(body) as conn:
        conn.feed(0x2, b"go")
        await settle()
        assert [f[2] for f in conn.frames_written()][:3] == [b"ab", b"cd", b"ef"]


async def test_messages_keep_their_order_between_queue_and_direct_hand_over() -> None:
    got: list[bytes] = []

    async def body(ws: WebSocketResponse) -> None:
        while len(got) < 6:
            got.append((await ws.receive()).data)

    async with connection(body) as conn:
        conn.feed(0x2, b"1")  # handed to the waiting receive()
        conn.feed(0x2, b"2")  # queued: the handler has not run yet
        conn.proto.data_received(b"".join(encode_frame(2, b, mask=b"abcd") for b in (b"3", b"4")))
        await settle()
        conn.feed(0x2, b"5")
        conn.feed(0x9, b"ping")  # answered, never reported
        conn.feed(0x2, b"6")
        await settle()
    assert got == [b"1", b"2", b"3", b"4", b"5", b"6"]


async def test_a_message_handed_to_a_cancelled_receive_is_not_lost() -> None:
    started = asyncio.Event()
    release = asyncio.Event()
    got: list[Any] = []

    async def body(ws: WebSocketResponse) -> None:
        started.set()
        await release.wait()
        got.append(await ws.receive())
        got.append(await ws.receive())

    async with connection(body) as conn:
        await started.wait()
        ws = conn.ws
        assert ws is not None
        reader = asyncio.ensure_future(ws.receive())
        await settle()
        conn.feed(0x2, b"first")  # completes the waiting receive() directly
        reader.cancel()  # ... which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await reader
        conn.feed(0x2, b"second")
        release.set()
        await settle()
    assert [m.data for m in got] == [b"first", b"second"]


async def test_a_receive_timeout_keeps_the_next_message() -> None:
    async def body(ws: WebSocketResponse) -> None:
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive(timeout=0.01)
        message = await ws.receive()
        await ws.send_bytes(message.data)

    async with connection(body) as conn:
        await asyncio.sleep(0.05)
        conn.feed(0x2, b"after")
        await settle()
        assert conn.frames_written()[0] == (True, 2, b"after")


async def test_concurrent_receive_is_refused_on_the_fast_path() -> None:
    async def body(ws: WebSocketResponse) -> None:
        first = asyncio.ensure_future(ws.receive())
        await asyncio.sleep(0)
        with pytest.raises(RuntimeError, match="Concurrent"):
            await ws.receive()
        with pytest.raises(RuntimeError, match="Concurrent"):
            await ws.__anext__()
        first.cancel()

    async with connection(body) as conn:
        await settle()
        assert not conn.transport.writes


async def test_send_waits_for_drain_only_while_writing_is_paused() -> None:
    sent: list[int] = []

    async def body(ws: WebSocketResponse) -> None:
        await ws.send_bytes(b"a")
        sent.append(1)
        await ws.send_str("b")
        sent.append(2)

    async with connection(body) as conn:
        await settle()
        assert sent == [1, 2]

    async def body2(ws: WebSocketResponse) -> None:
        await ws.receive()
        await ws.send_bytes(b"c")
        sent.append(3)

    async with connection(body2) as conn:
        conn.proto.pause_writing()
        conn.feed(0x2, b"go")
        await settle()
        assert conn.frames_written() == [(True, 2, b"c")]  # written, then waiting
        assert sent == [1, 2]
        conn.proto.resume_writing()
        await settle()
        assert sent == [1, 2, 3]


async def test_small_sends_after_close_or_on_a_closing_transport_fail() -> None:
    async def body(ws: WebSocketResponse) -> None:
        await ws.receive()
        conn = ws._conn
        assert conn is not None and conn.transport is not None
        conn.transport.close()
        with pytest.raises(ConnectionResetError):
            await ws.send_bytes(b"x")
        with pytest.raises(ConnectionResetError):
            await ws.send_str("x")

    async with connection(body) as conn:
        conn.feed(0x2, b"go")
        await settle()
        assert conn.transport.writes == []


def test_feed_one_takes_only_a_whole_small_valid_data_frame() -> None:
    reader = WebSocketReader()
    frame = encode_frame(2, b"abc", mask=b"\x01\x02\x03\x04")
    assert reader.feed_one(frame) == WSMessage(WSMsgType.BINARY, b"abc", "")
    text = encode_frame(1, "é".encode(), mask=b"wxyz")
    assert reader.feed_one(text) == WSMessage(WSMsgType.TEXT, "é", "")
    refused = [
        frame[:-1],  # incomplete
        frame + frame,  # more than one frame
        encode_frame(2, b"abc", fin=False, mask=b"abcd"),  # a fragment
        encode_frame(1, b"\xff", mask=b"abcd"),  # invalid UTF-8: feed() reports it
        encode_frame(9, b"", mask=b"abcd"),  # control frame
        encode_frame(2, b"x" * 126, mask=b"abcd"),  # above the small size
        encode_frame(2, b"abc"),  # unmasked from a client
        b"\x82",
    ]
    for data in refused:
        assert reader.feed_one(data) is None, data
    # Nothing was consumed: feed() still sees the whole frames.
    assert reader.feed(frame + frame) == [WSMessage(WSMsgType.BINARY, b"abc", "")] * 2
    small = WebSocketReader(max_msg_size=2)
    assert small.feed_one(frame) is None
    assert small.feed(frame)[0].type is WSMsgType.ERROR
    assert WebSocketReader(masked=False).feed_one(encode_frame(2, b"abc")) is None


@pytest.mark.parametrize("size", [0, 1, 2, 3, 4, 5, 63, 64, 124, 125])
def test_feed_one_unmasks_every_small_size_like_the_frame_parser(size: int) -> None:
    # Every payload length mod 4 (the mask's tail), the empty payload and the largest small one;
    # bytes chosen so a wrong mask lane or byte order changes the result.
    payload = bytes((i * 37 + 11) & 0xFF for i in range(size))
    for opcode, decode_text in ((2, True), (1, False)):
        frame = encode_frame(opcode, payload, mask=b"\x9a\x3c\x51\xe7")
        fast = WebSocketReader(decode_text=decode_text).feed_one(frame)
        assert fast is not None
        assert fast == WebSocketReader(decode_text=decode_text).feed(frame)[0]
        assert fast.data == payload
    text = ("é" * (size // 2)).encode()
    frame = encode_frame(1, text, mask=b"\x00\xff\x80\x7f")
    assert WebSocketReader().feed_one(frame) == WSMessage(WSMsgType.TEXT, text.decode(), "")
