"""The connection over real sockets: keep-alive, HTTP/1.0, Connection: close, idle timeout."""

from __future__ import annotations

import asyncio
import shutil
import time

import httpx
from support import serve_handler as serve
from web_app import BaseRequest, Response, StreamResponse


async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text="hello " + request.path)


async def read_response(reader: asyncio.StreamReader) -> tuple[bytes, bytes]:
    """Read one Content-Length framed response: (head, body)."""
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await asyncio.wait_for(reader.readexactly(length), 5)
    return head, body


async def test_two_requests_share_one_connection() -> None:
    async with serve(hello) as (server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n")
        head, body = await read_response(reader)
        assert head.startswith(b"HTTP/1.1 200 OK\r\n")
        assert body == b"hello /a"
        writer.write(b"GET /b HTTP/1.1\r\nHost: x\r\n\r\n")
        _, body = await read_response(reader)
        assert body == b"hello /b"
        assert len(server.connections) == 1
        assert server.requests_count == 2
        writer.close()


async def test_httpx_reuses_the_connection() -> None:
    async with serve(hello) as (server, port), httpx.AsyncClient() as client:
        for i in range(5):
            resp = await client.get(f"http://127.0.0.1:{port}/{i}")
            assert resp.text == f"hello /{i}"
        assert len(server.connections) == 1
        assert server.requests_count == 5


async def test_connection_close_closes_after_response() -> None:
    async with serve(hello) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 5)  # returns at EOF: the server closed
        assert data.startswith(b"HTTP/1.1 200 OK\r\n")
        assert b"\r\nConnection: close\r\n" in data
        assert data.endswith(b"hello /c")
        writer.close()


async def test_http10_without_keepalive_closes() -> None:
    async with serve(hello) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /old HTTP/1.0\r\n\r\n")
        data = await asyncio.wait_for(reader.read(), 5)
        assert data.endswith(b"hello /old")
        writer.close()


async def test_http10_keepalive_is_honoured() -> None:
    async with serve(hello) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        for path in (b"/x", b"/y"):
            writer.write(b"GET " + path + b" HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            head, body = await read_response(reader)
            assert b"Connection: keep-alive" in head
            assert body == b"hello " + path
        writer.close()


async def test_idle_connection_closes_after_keepalive_timeout() -> None:
    async with serve(hello, keepalive_timeout=0.2) as (server, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        await read_response(reader)
        started = time.monotonic()
        assert await asyncio.wait_for(reader.read(), 5) == b""
        assert 0.1 < time.monotonic() - started < 2.0
        await asyncio.sleep(0.05)
        assert server.connections == []
        writer.close()


async def test_busy_connection_is_not_cut_by_keepalive_timeout() -> None:
    async def slow(request: BaseRequest) -> StreamResponse:
        await asyncio.sleep(0.4)
        return Response(text="done")

    async with serve(slow, keepalive_timeout=0.1) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        _, body = await read_response(reader)
        assert body == b"done"
        writer.close()


async def test_silent_connection_is_closed_after_keepalive_timeout() -> None:
    async with serve(hello, keepalive_timeout=0.2) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        assert await asyncio.wait_for(reader.read(), 5) == b""
        writer.close()


async def test_curl_gets_keepalive_answers() -> None:
    curl = shutil.which("curl")
    assert curl is not None, "curl is not installed"
    async with serve(hello) as (server, port):
        url = f"http://127.0.0.1:{port}"
        proc = await asyncio.create_subprocess_exec(
            curl, "-s", "-v", f"{url}/one", f"{url}/two",
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await asyncio.wait_for(proc.communicate(), 10)
        assert out == b"hello /onehello /two"
        assert b"Re-using existing connection" in err or b"Reusing existing" in err
        assert server.requests_count == 2


async def test_half_closed_client_still_gets_its_answer() -> None:
    async def slow(request: BaseRequest) -> StreamResponse:
        await asyncio.sleep(0.1)
        return Response(text="answer")

    async with serve(slow) as (_, port):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        writer.write_eof()  # shutdown(SHUT_WR): nothing more to send, still reading
        raw = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert raw.startswith(b"HTTP/1.1 200 OK")
    assert raw.endswith(b"answer")
