"""Websocket edge cases as aiohttp 3.14 handles them (each observed there with the same
handlers and raw clients): declined upgrades keep the connection, the handshake is always a
101, the heartbeat, handlers that never read, and a prepare() that cannot hang.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
import web

WsServe = Callable[
    [Callable[[web.Request], Awaitable[web.StreamResponse]]], AbstractAsyncContextManager[str]
]
RawConnect = Callable[..., Awaitable[tuple[bytes, Any]]]
KEY = base64.b64encode(os.urandom(16)).decode()
UPGRADE = (
    "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
    f"Sec-WebSocket-Key: {KEY}\r\n"
)
CLOSE, PING = 0x8, 0x9


async def _ws_echo(request: web.Request) -> web.StreamResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        await ws.send_str(msg.data)
    return ws


async def _plain(request: web.Request) -> web.StreamResponse:
    return web.Response(text="plain")


async def _read_responses(reader: asyncio.StreamReader, count: int) -> list[tuple[int, bytes]]:
    """``count`` HTTP responses (status, body) off one connection."""
    answers = []
    for _ in range(count):
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        body = await asyncio.wait_for(reader.readexactly(length), 5)
        answers.append((int(head.split(b" ")[1]), body))
    return answers


@pytest.mark.parametrize(
    ("first", "status"),
    [
        (f"GET /ws HTTP/1.1\r\nHost: x\r\n{UPGRADE.replace(KEY, 'c2hvcnQ=')}\r\n", 400),
        ("GET /ws HTTP/1.1\r\nHost: x\r\n" + UPGRADE.replace("13", "8") + "\r\n", 400),
        (f"GET /plain HTTP/1.1\r\nHost: x\r\n{UPGRADE}\r\n", 200),  # declined by the handler
        (f"GET /missing HTTP/1.1\r\nHost: x\r\n{UPGRADE}\r\n", 404),
        (f"POST /ws HTTP/1.1\r\nHost: x\r\n{UPGRADE}Content-Length: 2\r\n\r\nhi", 405),
    ],
    ids=["bad-key", "bad-version", "declined", "not-found", "wrong-method"],
)
async def test_pipelined_request_after_a_failed_upgrade_is_answered(
    first: str, status: int
) -> None:
    app = web.Application()
    app.router.add_get("/ws", _ws_echo)
    app.router.add_get("/plain", _plain)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", runner.addresses[0][1])
        writer.write(first.encode() + b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
        answers = await _read_responses(reader, 2)
        # and the connection is still usable afterwards
        writer.write(b"GET /plain HTTP/1.1\r\nHost: x\r\n\r\n")
        answers += await _read_responses(reader, 1)
        writer.close()
    finally:
        await runner.cleanup()
    assert answers[0][0] == status
    assert answers[1:] == [(200, b"plain"), (200, b"plain")]


@pytest.mark.parametrize("status", [200, 403])
async def test_set_status_before_prepare_still_answers_101(
    ws_serve: WsServe, raw_ws_connect: RawConnect, status: int
) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        ws.set_status(status)
        await ws.prepare(request)
        assert ws.status == 101
        async for msg in ws:
            await ws.send_str(msg.data.upper())
        return ws

    async with ws_serve(handler) as url:
        head, client = await raw_ws_connect(url)
        assert head.startswith(b"HTTP/1.1 101 ")
        client.send(0x1, b"works")
        frame = await client.next_frame()
        assert frame is not None and frame.payload == b"WORKS"
        client.close()


async def test_heartbeat_delivers_the_peers_pings_while_no_pong_comes(
    ws_serve: WsServe, raw_ws_connect: RawConnect
) -> None:
    seen: list[object] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=0.2, autoping=False)
        await ws.prepare(request)
        while True:
            msg = await asyncio.wait_for(ws.receive(), 5)
            seen.append(msg.type)
            if msg.type is not web.WSMsgType.PING:
                break
        seen.append(ws.close_code)
        return ws

    async with ws_serve(handler) as url:
        _, client = await raw_ws_connect(url)
        for n in range(10):  # any data keeps the heartbeat content, as in aiohttp
            client.send(PING, b"p%d" % n)
            await asyncio.sleep(0.05)
        # then silence: the server's ping gets no pong and the link is declared dead
        assert await client.wait_closed()
        await asyncio.sleep(0.2)
    assert seen[:10] == [web.WSMsgType.PING] * 10
    assert seen[10:] == [web.WSMsgType.ERROR, web.WSCloseCode.ABNORMAL_CLOSURE]


async def test_heartbeat_failure_while_nobody_reads_gives_closed(
    ws_serve: WsServe, raw_ws_connect: RawConnect
) -> None:
    seen: list[object] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=0.1, autoping=False)
        await ws.prepare(request)
        await asyncio.sleep(0.4)  # past the pong deadline, without reading
        msg = await asyncio.wait_for(ws.receive(), 5)
        seen.extend([msg.type, ws.close_code])
        return ws

    async with ws_serve(handler) as url:
        _, client = await raw_ws_connect(url)
        for n in range(5):
            client.send(PING, b"p%d" % n)  # queued, but never the pong the server waits for
        first = await client.next_frame()
        assert first is not None and first.opcode == PING  # the server's heartbeat
        assert await client.wait_closed()
        await asyncio.sleep(0.3)
    # as aiohttp: the link is dead, the queued pings are not delivered after it
    assert seen == [web.WSMsgType.CLOSED, web.WSCloseCode.ABNORMAL_CLOSURE]


@pytest.mark.parametrize("peer_code", [1000, 1001, 4000])
@pytest.mark.parametrize("ending", ["close", "return"])
async def test_handler_that_never_reads_completes_the_closing_handshake(
    ws_serve: WsServe, raw_ws_connect: RawConnect, peer_code: int, ending: str
) -> None:
    outcome: list[object] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await asyncio.sleep(0.2)  # the peer's CLOSE arrives meanwhile; nobody reads it
        if ending == "close":
            loop = asyncio.get_running_loop()
            started = loop.time()
            await ws.close()
            outcome.extend([ws.close_code, loop.time() - started])
        return ws

    async with ws_serve(handler) as url:
        _, client = await raw_ws_connect(url)
        client.send(CLOSE, struct.pack("!H", peer_code) + b"bye")
        frame = await client.next_frame()
        assert frame is not None and frame.opcode == CLOSE
        assert struct.unpack("!H", frame.payload[:2])[0] == 1000  # aiohttp answers 1000 too
        assert await client.wait_closed()
    if ending == "close":
        assert outcome[0] == peer_code  # close_code is the peer's, as in aiohttp
        assert isinstance(outcome[1], float) and outcome[1] < 1.0  # no wait for the timeout


async def test_prepare_never_hangs(ws_serve: WsServe) -> None:
    results: list[str] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(timeout=1.0)
        await asyncio.sleep(0.2)  # the client is gone by now
        try:
            await asyncio.wait_for(ws.prepare(request), 2.0)
            results.append("prepared")
            msg = await asyncio.wait_for(ws.receive(), 2.0)
            results.append(msg.type.name)
        except ConnectionError:
            results.append("connection error")
        return ws

    async with ws_serve(handler) as url:
        port = int(url.split(":")[2].split("/")[0])
        _, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET /ws HTTP/1.1\r\nHost: x\r\n{UPGRADE}\r\n".encode())
        await writer.drain()
        writer.close()  # gone before the handler prepares
        for _ in range(50):
            if len(results) == 2 or "connection error" in results:
                break
            await asyncio.sleep(0.05)
    # no hang: either the loss is seen at once (aiohttp raises ConnectionResetError) or
    # the websocket starts and reports CLOSED at the first receive()
    assert results in (["prepared", "CLOSED"], ["connection error"])
