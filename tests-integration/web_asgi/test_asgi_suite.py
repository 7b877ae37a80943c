"""The same behaviour on four servers: our runner, uvicorn, Hypercorn and Granian.

Every test runs once per server (the module-scoped ``server`` fixture); a difference between
them is a bug of the ASGI adapter, except where a server itself differs, said at the test.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import websockets
from asgi_servers import BIG_SIZE, Served

pytestmark = pytest.mark.slow


async def get(server: Served, path: str, **kwargs: object) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        return await client.get(path, **kwargs)  # type: ignore[arg-type]


async def test_routing_middleware_and_signals(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        resp = await client.get("/")
        assert resp.status_code == 200
        assert resp.text == "hello"
        assert resp.headers["content-type"] == "text/plain; charset=utf-8"
        assert resp.headers["x-middleware"] == "yes"
        assert resp.headers["x-prepared"] == "yes"
        sub = await client.get("/sub/hi/bob")
        assert (sub.status_code, sub.text) == (200, "sub bob")
        assert sub.headers["x-prepared"] == "yes"  # the parent's signal covers the sub-app
        missing = await client.get("/nope")
        assert missing.status_code == 404
        assert missing.text == "404: Not Found"
        wrong = await client.post("/")
        assert wrong.status_code == 405
        assert wrong.headers["allow"] == "GET,HEAD"


async def test_json_and_cookie(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        resp = await client.get("/json")
        assert resp.headers["content-type"] == "application/json; charset=utf-8"
        assert resp.json() == {"hello": "world", "n": [1, 2, 3]}
        cookie = await client.get("/cookie")
        assert cookie.headers["set-cookie"] == "flavour=oat; HttpOnly; Path=/"


async def test_head_has_length_and_no_body(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        resp = await client.head("/")
        assert resp.status_code == 200
        assert resp.headers["content-length"] == "5"
        assert resp.content == b""


async def test_request_info_comes_from_the_connection(server: Served) -> None:
    resp = await get(server, "/info?a=1&a=2&b=x")
    data = resp.json()
    assert data["remote"] == "127.0.0.1"
    assert data["host"] == f"127.0.0.1:{server.port}"
    assert data["scheme"] == "http"
    assert data["secure"] is False
    assert data["path"] == "/info"
    assert data["query"] == {"a": "1", "b": "x"}
    assert data["version"] == [1, 1]


async def test_echo_bodies_small_and_large(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        small = await client.post("/echo", content=b"ping", headers={"content-type": "x/y"})
        assert small.content == b"ping"
        assert small.headers["content-type"] == "x/y"
        big = bytes(range(256)) * 3000  # 768000 bytes: several ASGI body events
        resp = await client.post("/echo", content=big)
        assert resp.content == big


async def test_chunked_upload_is_streamed_to_the_handler(server: Served) -> None:
    """8 MiB without Content-Length, read by a handler that pauses now and then."""

    async def body() -> AsyncIterator[bytes]:
        for _ in range(128):
            yield b"x" * 65536

    async with httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        resp = await client.post("/upload", content=body())
        assert resp.json() == {"size": 128 * 65536}


async def test_body_over_client_max_size_is_413(server: Served) -> None:
    """Announced over 1 MiB: refused before the body is read (only a first piece is sent,
    so that the server's close cannot reset the connection under the client's read)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(
            b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n" + b"x" * 1000
        )
        status = await asyncio.wait_for(reader.readline(), 10)
        assert status.split(b" ", 2)[1] == b"413"
    finally:
        writer.close()


async def test_gzip_request_body_is_decompressed(server: Served) -> None:
    payload = b"compressed " * 1000
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        resp = await client.post(
            "/echo", content=gzip.compress(payload), headers={"content-encoding": "gzip"}
        )
        assert resp.content == payload
        broken = await client.post(
            "/echo", content=b"not gzip at all", headers={"content-encoding": "gzip"}
        )
        assert broken.status_code == 400


async def test_streaming_response_arrives_in_parts(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        async with client.stream("GET", "/stream") as resp:
            assert resp.status_code == 200
            assert "content-length" not in resp.headers
            started = time.monotonic()
            chunks = resp.aiter_raw()
            first = await chunks.__anext__()  # before the handler wrote the rest
            assert first.startswith(b"part 0")
            rest = b"".join([chunk async for chunk in chunks])
        assert first + rest == b"".join(f"part {i}\n".encode() for i in range(5))
        assert time.monotonic() - started < 5


async def test_static_files_ranges_and_validators(server: Served, static_dir: Path) -> None:
    big = (static_dir / "big.bin").read_bytes()
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        small = await client.get("/static/small.txt")
        assert small.text == "small file\n"
        assert small.headers["content-type"].startswith("text/plain")
        assert small.headers["accept-ranges"] == "bytes"
        etag = small.headers["etag"]
        again = await client.get("/static/small.txt", headers={"if-none-match": etag})
        assert again.status_code == 304
        assert again.content == b""
        whole = await client.get("/static/big.bin")  # pathsend on Granian, chunks elsewhere
        assert whole.status_code == 200
        assert whole.headers["content-length"] == str(BIG_SIZE)
        assert whole.content == big
        part = await client.get("/static/big.bin", headers={"range": "bytes=100000-199999"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100000-199999/{BIG_SIZE}"
        assert part.content == big[100000:200000]
        tail = await client.get("/static/big.bin", headers={"range": "bytes=-10"})
        assert tail.content == big[-10:]
        unsatisfiable = await client.get("/static/big.bin", headers={"range": "bytes=999999-"})
        assert unsatisfiable.status_code == 416
        assert (await client.get("/static/missing.txt")).status_code == 404
        assert (await client.get("/static/../conftest.py")).status_code in (403, 404)


async def test_handler_errors(server: Served) -> None:
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as client:
        fail = await client.get("/fail")
        assert fail.status_code == 500
        assert fail.text == "500 Internal Server Error\n"
        assert "boom" not in fail.text  # no traceback to the client
        forbidden = await client.get("/forbidden")
        assert (forbidden.status_code, forbidden.text) == (403, "no entry")
        # The server survived both.
        assert (await client.get("/")).text == "hello"


async def test_websocket_echo_and_subprotocol(server: Served) -> None:
    async with websockets.connect(f"{server.ws_url}/ws", subprotocols=["superchat"]) as ws:  # type: ignore[list-item]
        assert ws.subprotocol == "superchat"
        assert json.loads(await ws.recv()) == {"protocol": "superchat"}
        await ws.send("hi")
        assert await ws.recv() == "echo:hi"
        await ws.send(b"\x01\x02\x03")
        assert await ws.recv() == b"\x03\x02\x01"
        large = "y" * 300_000
        await ws.send(large)
        assert await ws.recv() == "echo:" + large
    async with websockets.connect(f"{server.ws_url}/ws") as ws:
        assert ws.subprotocol is None
        assert json.loads(await ws.recv()) == {"protocol": None}


async def test_websocket_close_codes_both_ways(server: Served) -> None:
    async with websockets.connect(f"{server.ws_url}/ws") as ws:
        await ws.recv()
        await ws.send("close:4001")
        with pytest.raises(websockets.ConnectionClosed) as info:
            await ws.recv()
        assert info.value.rcvd is not None
        assert (info.value.rcvd.code, info.value.rcvd.reason) == (4001, "as asked")
    async with websockets.connect(f"{server.ws_url}/ws") as ws:
        await ws.recv()
        await ws.close(code=4002, reason="client leaves")
    # Hypercorn reports a client's close to the ASGI app as 1006, whatever its code
    # (hypercorn/protocol/ws_stream.py); the others pass the client's code on.
    expected = "ws closed 1006" if server.kind == "hypercorn" else "ws closed 4002"
    for _ in range(100):
        if expected in server.read_events():
            break
        await asyncio.sleep(0.02)
    assert "ws closed 4001" in server.read_events()
    assert expected in server.read_events()


async def test_websocket_to_an_unknown_path_is_refused(server: Served) -> None:
    with pytest.raises(websockets.InvalidStatus) as info:
        async with websockets.connect(f"{server.ws_url}/nowhere"):
            pass
    assert info.value.response.status_code == 404
