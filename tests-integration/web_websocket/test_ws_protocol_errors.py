"""Hostile and broken peers, from a raw socket: the server answers with the right close code
(or HTTP status) and never hangs or crashes."""

from __future__ import annotations

import asyncio
import struct
import zlib
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
import web
from web_websocket import Deflater

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WsServe = Callable[[Handler], AbstractAsyncContextManager[str]]
RawConnect = Callable[..., Awaitable[tuple[bytes, Any]]]


def recording_handler(
    results: list[Any], **options: Any
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(**options)
        await ws.prepare(request)
        async for msg in ws:
            results.append(msg.type)
            if msg.type == web.WSMsgType.TEXT:
                await ws.send_str(msg.data)
        results.append(ws.close_code)
        results.append(ws.exception())
        return ws

    return handler


async def expect_close(client: Any, code: int) -> None:
    frame = await client.next_frame()
    assert frame is not None
    assert frame.opcode == 0x8
    assert struct.unpack("!H", frame.payload[:2])[0] == code
    assert await client.wait_closed()
    client.close()


def unmasked(opcode: int, payload: bytes) -> bytes:
    return bytes((0x80 | opcode, len(payload))) + payload


@pytest.mark.parametrize(
    ("send", "code"),
    [
        (lambda c: c.send_raw(unmasked(0x1, b"hi")), 1002),
        (lambda c: c.send(0x1, b"x", rsv1=True), 1002),
        (lambda c: c.send_raw(bytes((0x80 | 0x20 | 0x2, 0x80)) + b"\x00" * 4), 1002),
        (lambda c: c.send(0x9, b"", fin=False), 1002),
        (lambda c: c.send_raw(bytes((0x89, 0x80 | 126, 0, 126)) + b"\0" * 130), 1002),
        (lambda c: c.send(0x3, b""), 1002),
        (lambda c: c.send(0x0, b"orphan"), 1002),
        (lambda c: (c.send(0x1, b"a", fin=False), c.send(0x1, b"b")), 1002),
        (lambda c: c.send(0x1, b"\xff\xfe"), 1007),
        (lambda c: c.send(0x8, struct.pack("!H", 1005)), 1002),
        (lambda c: c.send(0x8, b"\x03"), 1002),
        (lambda c: c.send(0x8, struct.pack("!H", 1000) + b"\xff"), 1007),
    ],
    ids=[
        "unmasked",
        "rsv1-without-deflate",
        "rsv2",
        "fragmented-ping",
        "long-ping",
        "bad-opcode",
        "orphan-continuation",
        "interleaved-data",
        "invalid-utf8",
        "close-1005",
        "close-one-byte",
        "close-bad-reason",
    ],
)
async def test_protocol_errors_close_with_the_right_code(
    ws_serve: WsServe, raw_ws_connect: RawConnect, send: Callable[[Any], object], code: int
) -> None:
    results: list[Any] = []
    async with ws_serve(recording_handler(results)) as url:
        head, client = await raw_ws_connect(url)
        assert head.startswith(b"HTTP/1.1 101 ")
        send(client)
        await expect_close(client, code)
        await asyncio.sleep(0.05)
    assert results[0] == web.WSMsgType.ERROR
    assert results[-2] == code
    assert getattr(results[-1], "code", None) == code


async def test_max_msg_size_closes_with_1009(ws_serve: WsServe, raw_ws_connect: RawConnect) -> None:
    results: list[Any] = []
    async with ws_serve(recording_handler(results, max_msg_size=1000)) as url:
        _, client = await raw_ws_connect(url)
        client.send(0x1, b"a" * 1000)
        frame = await client.next_frame()
        assert frame.payload == b"a" * 1000  # exactly at the limit: fine
        client.send(0x2, b"a" * 600, fin=False)
        client.send(0x0, b"a" * 600)  # the whole message is over the limit
        await expect_close(client, 1009)


async def test_huge_declared_frame_is_refused_without_waiting(
    ws_serve: WsServe, raw_ws_connect: RawConnect
) -> None:
    async with ws_serve(recording_handler([])) as url:
        _, client = await raw_ws_connect(url)
        client.send_raw(bytes((0x82, 0xFF)) + struct.pack("!Q", 2**40) + b"\x00" * 4)
        await expect_close(client, 1009)


async def test_deflate_bomb_is_cut_off(ws_serve: WsServe, raw_ws_connect: RawConnect) -> None:
    results: list[Any] = []
    async with ws_serve(recording_handler(results, max_msg_size=1 << 20)) as url:
        head, client = await raw_ws_connect(url, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
        assert b"permessage-deflate" in head
        bomb = Deflater().compress(b"\x00" * (64 << 20))
        assert len(bomb) < (1 << 20)
        client.send(0x2, bomb, rsv1=True)
        await expect_close(client, 1009)
    assert results[-2] == 1009


async def test_compressed_messages_from_a_raw_client(
    ws_serve: WsServe, raw_ws_connect: RawConnect
) -> None:
    async with ws_serve(recording_handler([])) as url:
        _, client = await raw_ws_connect(
            url, "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover\r\n"
        )
        deflater = Deflater()
        client.send(0x1, deflater.compress(b"compressed hello"), rsv1=True)
        frame = await client.next_frame()
        assert frame.rsv1
        inflated = zlib.decompressobj(-15).decompress(frame.payload + b"\x00\x00\xff\xff")
        assert inflated == b"compressed hello"
        client.close()


@pytest.mark.parametrize(
    ("request_text", "status", "header"),
    [
        (
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n",
            400,
            b"sec-websocket-version: 13",
        ),
        (
            "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: c2hvcnQ=\r\nSec-WebSocket-Version: 13\r\n\r\n",
            400,
            b"",
        ),
        (
            "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            400,
            b"",
        ),
    ],
    ids=["bad-version", "short-key", "plain-get"],
)
async def test_bad_handshakes_get_http_errors(
    ws_serve: WsServe, request_text: str, status: int, header: bytes
) -> None:
    async with ws_serve(recording_handler([])) as url:
        port = int(url.split(":")[2].split("/")[0])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request_text.encode())
        # the connection stays open after a failed upgrade (as in aiohttp): read the head only
        response = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        writer.close()
    assert response.startswith(f"HTTP/1.1 {status} ".encode())
    assert header in response.lower()


async def test_can_prepare_lets_a_handler_fall_back(ws_serve: WsServe) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(protocols=("chat",))
        ready = ws.can_prepare(request)
        if not ready:
            return web.Response(text="not a websocket")
        return web.Response(text=f"would upgrade with {ready.protocol}")

    async with ws_serve(handler) as url:
        port = int(url.split(":")[2].split("/")[0])
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        response = await asyncio.wait_for(reader.read(), 5)
        writer.close()
    assert response.endswith(b"not a websocket")
