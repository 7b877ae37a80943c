"""Compressed request bodies over real sockets: decoded for the handler, bombs refused with 413."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import httpx
from support import serve_handler
from web_app import BaseRequest, Response, StreamResponse


async def size_of_body(request: BaseRequest) -> StreamResponse:
    return Response(text=str(len(await request.read())))


async def size_of_stream(request: BaseRequest) -> StreamResponse:
    total = 0
    async for chunk in request.content.iter_any():
        total += len(chunk)
    return Response(text=str(total))


async def test_gzip_and_deflate_bodies_are_decoded() -> None:
    async with serve_handler(size_of_body) as (_, port), httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/"
        gz = await client.post(
            url, content=gzip.compress(b"a" * 5000), headers={"Content-Encoding": "gzip"}
        )
        df = await client.post(
            url, content=zlib.compress(b"b" * 7000), headers={"Content-Encoding": "deflate"}
        )
    assert (gz.status_code, gz.text) == (200, "5000")
    assert (df.status_code, df.text) == (200, "7000")


async def test_a_gzip_bomb_is_refused_without_expanding() -> None:
    bomb = gzip.compress(b"\0" * (64 * 2**20))  # 64 MiB of zeros in about 64 KiB
    assert len(bomb) < 2**17
    async with serve_handler(size_of_stream) as (_, port):  # default bound: 32 MiB
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        head = (
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Encoding: gzip\r\n"
            f"Content-Length: {len(bomb)}\r\n\r\n"
        ).encode()
        writer.write(head + bomb)
        answer = await asyncio.wait_for(reader.read(4096), 10)
        writer.close()
    assert answer.startswith(b"HTTP/1.1 413 ")


async def test_the_default_bound_still_allows_ordinary_bodies() -> None:
    body = b"x" * (3 * 2**20)
    async with serve_handler(size_of_stream) as (_, port), httpx.AsyncClient() as client:
        resp = await client.post(
            f"http://127.0.0.1:{port}/",
            content=gzip.compress(body),
            headers={"Content-Encoding": "gzip"},
        )
    assert (resp.status_code, resp.text) == (200, str(len(body)))


async def test_zstd_bodies_decode_and_a_zstd_bomb_is_413() -> None:
    from web_http._decoders import _zstd as zstd  # stdlib on 3.14+, backports.zstd below

    assert zstd is not None, "the zstd extra (backports.zstd) is part of the dev tools"
    bomb = zstd.compress(b"\0" * (64 * 2**20))
    assert len(bomb) < 2**12
    async with serve_handler(size_of_stream) as (_, port), httpx.AsyncClient() as client:
        url = f"http://127.0.0.1:{port}/"
        ok = await client.post(
            url, content=zstd.compress(b"z" * 9000), headers={"Content-Encoding": "zstd"}
        )
        corrupt = await client.post(
            url, content=b"\x28\xb5\x2f\xfdgarbage", headers={"Content-Encoding": "zstd"}
        )
        big = await client.post(url, content=bomb, headers={"Content-Encoding": "zstd"})
    assert (ok.status_code, ok.text) == (200, "9000")
    assert corrupt.status_code == 400
    assert big.status_code == 413
