"""100-continue from a low-level handler, handler cancellation, socket and buffer options,
the access-log hook and streaming/compressed responses over real sockets."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx
from support import serve_handler as serve
from web_app import BaseRequest, Response, StreamResponse


async def continue_then_echo(request: BaseRequest) -> StreamResponse:
    if request.headers.get("Expect", "").lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    return Response(body=await request.read())


async def test_low_level_handler_sends_100_continue() -> None:
    async with serve(continue_then_echo) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
        )
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(b"data")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        assert head.startswith(b"HTTP/1.1 200 OK")
        assert await asyncio.wait_for(reader.readexactly(4), 5) == b"data"
        writer.close()


async def test_curl_expect_continue_round_trip() -> None:
    import shutil

    curl = shutil.which("curl")
    assert curl is not None
    async with serve(continue_then_echo) as (_, port):
        proc = await asyncio.create_subprocess_exec(
            curl, "-s", "-H", "Expect: 100-continue", "--data-binary", "x" * 2000,
            "--expect100-timeout", "10", f"http://127.0.0.1:{port}/",
            stdout=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, _ = await asyncio.wait_for(proc.communicate(), 10)
    assert out == b"x" * 2000


async def test_refusing_expect_without_reading_closes_the_connection() -> None:
    async def refuse(request: BaseRequest) -> StreamResponse:
        return Response(status=417, text="no")

    async with serve(refuse) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(
            b"POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n"
        )
        raw = await asyncio.wait_for(reader.read(), 5)  # answered, then closed: no hang
        writer.close()
    assert raw.startswith(b"HTTP/1.1 417 ")


async def test_handler_cancellation_cancels_on_disconnect() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def long(request: BaseRequest) -> StreamResponse:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return Response(text="late")

    async with serve(long, handler_cancellation=True) as (_, port):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(started.wait(), 5)
        writer.close()
        await asyncio.wait_for(cancelled.wait(), 5)


async def test_handler_is_not_cancelled_by_default() -> None:
    started = asyncio.Event()
    finished = asyncio.Event()

    async def long(request: BaseRequest) -> StreamResponse:
        started.set()
        await asyncio.sleep(0.3)
        finished.set()
        return Response(text="late")

    async with serve(long) as (_, port):
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await asyncio.wait_for(started.wait(), 5)
        writer.close()
        await asyncio.wait_for(finished.wait(), 5)


async def test_tcp_keepalive_option() -> None:
    async def hello(request: BaseRequest) -> StreamResponse:
        return Response(text="hi")

    for enabled in (True, False):
        async with serve(hello, tcp_keepalive=enabled) as (server, port):
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            await asyncio.wait_for(reader.readuntil(b"hi"), 5)
            (conn,) = server.connections
            assert conn.transport is not None
            sock = conn.transport.get_extra_info("socket")
            assert bool(sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)) is enabled
            writer.close()


async def test_read_bufsize_sets_the_body_buffer_limits() -> None:
    async def limits(request: BaseRequest) -> StreamResponse:
        low, high = request.content.get_read_buffer_limits()
        await request.read()
        return Response(text=f"{low},{high}")

    async with serve(limits, read_bufsize=1000) as (_, port), httpx.AsyncClient() as client:
        resp = await client.post(f"http://127.0.0.1:{port}/", content=b"a" * 5000)
    assert resp.text == "1000,2000"


async def test_streamed_chunked_response_with_large_body() -> None:
    async def stream(request: BaseRequest) -> StreamResponse:
        resp = StreamResponse()
        await resp.prepare(request)
        for _ in range(64):
            await resp.write(b"y" * 65536)  # 4 MiB: exercises write flow control
        await resp.write_eof()
        return resp

    async with serve(stream) as (_, port), httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/")
    assert resp.headers["Transfer-Encoding"] == "chunked"
    assert resp.content == b"y" * 65536 * 64


async def test_compressed_response_decodes() -> None:
    async def compressed(request: BaseRequest) -> StreamResponse:
        resp = Response(text="squeeze me " * 500)
        resp.enable_compression()
        return resp

    async with serve(compressed) as (_, port), httpx.AsyncClient() as client:
        resp = await client.get(f"http://127.0.0.1:{port}/", headers={"Accept-Encoding": "gzip"})
    assert resp.headers["Content-Encoding"] == "gzip"
    assert resp.text == "squeeze me " * 500


class RecordingAccessLogger:
    def __init__(self, logger: Any, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format
        self.calls: list[tuple[str, int, float]] = []
        RecordingAccessLogger.last = self

    last: RecordingAccessLogger | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.logger)

    def log(self, request: Any, response: Any, time: float) -> None:
        self.calls.append((request.path, response.status, time))


async def test_access_logger_is_called_per_response() -> None:
    async def hello(request: BaseRequest) -> StreamResponse:
        return Response(text="hi", status=201)

    kwargs = {"access_log_class": RecordingAccessLogger, "access_log": "yes"}
    async with serve(hello, access_log_format="%r", **kwargs) as (_, port):
        async with httpx.AsyncClient() as client:
            await client.get(f"http://127.0.0.1:{port}/a")
            await client.get(f"http://127.0.0.1:{port}/b")
        logger = RecordingAccessLogger.last
        assert logger is not None
        assert logger.log_format == "%r"
        assert [c[:2] for c in logger.calls] == [("/a", 201), ("/b", 201)]
        assert all(0 <= c[2] < 5 for c in logger.calls)


async def test_disabled_access_logger_is_not_called() -> None:
    async def hello(request: BaseRequest) -> StreamResponse:
        return Response(text="hi")

    kwargs = {"access_log_class": RecordingAccessLogger, "access_log": ""}
    async with serve(hello, **kwargs) as (_, port), httpx.AsyncClient() as client:
        await client.get(f"http://127.0.0.1:{port}/a")
        logger = RecordingAccessLogger.last
        assert logger is not None and logger.calls == []
