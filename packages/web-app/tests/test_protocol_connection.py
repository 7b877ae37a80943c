"""RequestHandler driven directly with a fake transport: states, ordering, errors, upgrades."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from web_app import BaseRequest, ConnState, RequestHandler, Response, Server, StreamResponse


class FakeTransport:
    def __init__(self) -> None:
        self.out = bytearray()
        self.closed = False
        self.reading = True

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.closed:
            raise AssertionError("write after close")
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


async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text="hi" + request.path)


def connect(handler: Any = hello, **kwargs: Any) -> tuple[Server, RequestHandler, FakeTransport]:
    server = Server(handler, **kwargs)
    proto = server()
    transport = FakeTransport()
    proto.connection_made(transport)  # type: ignore[arg-type]
    return server, proto, transport


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_request_moves_idle_busy_idle() -> None:
    server, proto, transport = connect()
    assert proto.state is ConnState.IDLE
    assert server.connections == [proto]
    proto.data_received(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
    await settle()
    assert transport.out.startswith(b"HTTP/1.1 200 OK\r\n")
    assert transport.out.endswith(b"\r\n\r\nhi/a")
    assert proto.state is ConnState.IDLE
    assert not transport.closed
    assert server.requests_count == 1


async def test_head_split_across_segments() -> None:
    _, proto, transport = connect()
    for byte in b"GET /split HTTP/1.1\r\nHost: x\r\n\r\n":
        proto.data_received(bytes([byte]))
    await settle()
    assert transport.out.endswith(b"hi/split")


async def test_pipelined_in_one_segment_answered_in_order() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        await asyncio.sleep(0.01 if request.path == "/1" else 0)
        return Response(text=request.path)

    _, proto, transport = connect(handler)
    proto.data_received(
        b"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n"
        b"GET /3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    )
    for _ in range(50):
        await asyncio.sleep(0.005)
        if transport.closed:
            break
    out = bytes(transport.out)
    assert out.index(b"\r\n\r\n/1") < out.index(b"\r\n\r\n/2") < out.index(b"\r\n\r\n/3")
    assert transport.closed


async def test_long_pipeline_pauses_reading_until_drained() -> None:
    _, proto, transport = connect()
    proto.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n" * 100)
    assert not transport.reading
    for _ in range(300):
        await asyncio.sleep(0)
    assert transport.out.count(b"HTTP/1.1 200 OK") == 100
    assert transport.reading


async def test_parse_error_answers_and_closes() -> None:
    server, proto, transport = connect()
    proto.data_received(b"BROKEN\r\n\r\n")
    await settle()
    assert transport.out.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Connection: close" in transport.out
    assert transport.closed
    assert server.requests_count == 0


async def test_keep_alive_false_closes_after_response() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        request.protocol.keep_alive(False)
        return Response(text="bye")

    _, proto, transport = connect(handler)
    proto.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await settle()
    assert b"Connection: close" in transport.out
    assert transport.out.endswith(b"bye")
    assert transport.closed
    assert proto.state is ConnState.CLOSED


async def test_close_when_idle_closes_now() -> None:
    _, proto, transport = connect()
    proto.close()
    assert transport.closed
    assert proto.state is ConnState.CLOSED


async def test_body_arriving_later_reaches_the_handler() -> None:
    async def echo(request: BaseRequest) -> StreamResponse:
        return Response(body=await request.read())

    _, proto, transport = connect(echo)
    proto.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nabc")
    await settle()
    assert transport.out == b""
    proto.data_received(b"def")
    await settle()
    assert transport.out.endswith(b"\r\n\r\nabcdef")


async def test_connection_lost_fails_the_body_being_read() -> None:
    seen: list[BaseException] = []

    async def reader(request: BaseRequest) -> StreamResponse:
        try:
            await request.read()
        except Exception as exc:
            seen.append(exc)
            raise
        return Response(text="unreachable")

    server, proto, _ = connect(reader)
    proto.data_received(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
    await settle()
    proto.connection_lost(None)
    await settle()
    assert len(seen) == 1
    assert server.connections == []
    assert proto.state is ConnState.CLOSED


class RecordingParser:
    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.eof = False

    def feed_data(self, data: bytes) -> tuple[bool, bytes]:
        self.data.append(data)
        return (data == b"END", b"")

    def feed_eof(self) -> None:
        self.eof = True


async def test_upgrade_hands_the_stream_to_set_parser() -> None:
    parser = RecordingParser()
    release = asyncio.Event()

    async def upgrade(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse(status=101, headers={"Upgrade": "websocket", "Connection": "Upgrade"})
        await resp.prepare(request)
        request.protocol.set_parser(parser)
        await release.wait()
        return resp

    _, proto, transport = connect(upgrade)
    proto.data_received(
        b"GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nearly"
    )
    await settle()
    assert proto.state is ConnState.UPGRADED
    proto.data_received(b"more")
    assert parser.data == [b"early", b"more"]
    proto.data_received(b"END")  # the reader says the stream ended
    assert not transport.closed  # the handler still owns the connection
    release.set()
    await settle()
    assert transport.closed  # an upgraded connection ends with its handler
    proto.connection_lost(None)
    assert parser.eof


async def test_writer_waits_while_transport_paused() -> None:
    async def stream(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        await resp.write(b"one")
        await resp.write(b"two")
        return resp

    _, proto, transport = connect(stream)
    proto.pause_writing()
    proto.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await settle()
    assert b"one" in transport.out  # sent, then the writer waits for the peer
    assert b"two" not in transport.out
    proto.resume_writing()
    await settle()
    assert b"two" in transport.out


async def test_slow_head_gets_408() -> None:
    _, proto, transport = connect(client_head_timeout=0.05)
    proto.data_received(b"GET / HTTP/1.1\r\n")
    await asyncio.sleep(0.15)
    assert transport.out.startswith(b"HTTP/1.1 408 Request Timeout\r\n")
    assert transport.closed


async def test_idle_timeout_closes_silently() -> None:
    _, proto, transport = connect(keepalive_timeout=0.05)
    proto.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    await settle()
    assert not transport.closed
    await asyncio.sleep(0.15)
    assert transport.closed
    assert transport.out.count(b"HTTP/1.1") == 1


@pytest.mark.parametrize("timeout", [0.0, 0.05])
async def test_keepalive_timer_is_one_handle_per_connection(timeout: float) -> None:
    _, proto, transport = connect(keepalive_timeout=timeout + 60)
    loop = asyncio.get_running_loop()
    before = len(loop._scheduled)  # type: ignore[attr-defined]
    for _ in range(20):
        proto.data_received(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await settle()
    assert len(loop._scheduled) <= before  # type: ignore[attr-defined]
    assert transport.out.count(b"HTTP/1.1 200") == 20
