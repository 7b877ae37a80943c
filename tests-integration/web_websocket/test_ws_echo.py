"""Echo through the real ``websockets`` client: text, binary, fragments, sizes, deflate."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager

import pytest
import web
from websockets.asyncio.client import connect

WsServe = Callable[
    [Callable[[web.Request], Awaitable[web.StreamResponse]]], AbstractAsyncContextManager[str]
]


def make_echo(**options: object) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    async def echo(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(**options)  # type: ignore[arg-type]
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == web.WSMsgType.TEXT:
                await ws.send_str(msg.data)
            elif msg.type == web.WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
        return ws

    return echo


@pytest.mark.parametrize("compression", ["deflate", None], ids=["deflate", "plain"])
async def test_text_and_binary_echo(ws_serve: WsServe, compression: str | None) -> None:
    async with ws_serve(make_echo()) as url, connect(url, compression=compression) as client:
        assert client.response is not None
        extensions = client.response.headers.get("Sec-WebSocket-Extensions")
        assert (extensions == "permessage-deflate") is (compression == "deflate")
        for text in ("hello", "", "héllo ✓ " * 1000):
            await client.send(text)
            assert await client.recv() == text
        for data in (b"\x00\xff", b"", os.urandom(70_000), os.urandom(1_000_000)):
            await client.send(data)
            assert await client.recv() == data


async def test_server_without_compression_declines_deflate(ws_serve: WsServe) -> None:
    async with ws_serve(make_echo(compress=False)) as url, connect(url) as client:
        assert client.response is not None
        assert "Sec-WebSocket-Extensions" not in client.response.headers
        await client.send("plain")
        assert await client.recv() == "plain"


@pytest.mark.parametrize("compression", ["deflate", None], ids=["deflate", "plain"])
async def test_fragmented_messages_from_the_client(
    ws_serve: WsServe, compression: str | None
) -> None:
    async with ws_serve(make_echo()) as url, connect(url, compression=compression) as client:
        await client.send(["frag", "ment", "ed ✓"])
        assert await client.recv() == "fragmented ✓"
        await client.send([b"a" * 100, b"b" * 70_000, b"c"])
        assert await client.recv() == b"a" * 100 + b"b" * 70_000 + b"c"


async def test_many_messages_in_flight(ws_serve: WsServe) -> None:
    async with ws_serve(make_echo()) as url, connect(url) as client:
        for i in range(300):
            await client.send(f"message {i}")
        for i in range(300):
            assert await client.recv() == f"message {i}"


async def test_subprotocol_negotiation(ws_serve: WsServe) -> None:
    echo = make_echo(protocols=("chat.v1", "chat.v2"))
    async with ws_serve(echo) as url:
        async with connect(url, subprotocols=["chat.v2", "chat.v1"]) as client:  # type: ignore[list-item]
            assert client.subprotocol == "chat.v2"
        async with connect(url) as client:
            assert client.subprotocol is None


async def test_json_helpers(ws_serve: WsServe) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        data = await ws.receive_json()
        await ws.send_json({"got": data})
        assert await ws.receive_str() == "text"
        assert await ws.receive_bytes() == b"bytes"
        await ws.close()
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        await client.send('{"a": 1}')
        assert await client.recv() == '{"got": {"a": 1}}'
        await client.send("text")
        await client.send(b"bytes")
        await client.wait_closed()
        assert client.close_code == 1000


async def test_a_slow_reader_pauses_the_peer_without_losing_messages(ws_serve: WsServe) -> None:
    counted: list[int] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await asyncio.sleep(0.3)  # the client's messages pile up; reading pauses
        total = 0
        for _ in range(200):
            total += len(await ws.receive_bytes())
        counted.append(total)
        await ws.send_str(f"got {total}")
        return ws

    async with ws_serve(handler) as url, connect(url, compression=None) as client:
        for _ in range(200):
            await client.send(b"z" * 10_000)
        assert await asyncio.wait_for(client.recv(), 10) == "got 2000000"
    assert counted == [2_000_000]
