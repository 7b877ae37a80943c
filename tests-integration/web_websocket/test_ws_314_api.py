"""aiohttp 3.14's websocket additions through the ``websockets`` client: decode_text=False,
bytes-taking ``loads`` (orjson-style), ``send_json_bytes``, ``writer_limit``."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
import web
from websockets.asyncio.client import connect

WsServe = Callable[
    [Callable[[web.Request], Awaitable[web.StreamResponse]]], AbstractAsyncContextManager[str]
]


def bytes_loads(data: bytes) -> Any:
    """An orjson-like decoder: it takes bytes, never str."""
    if not isinstance(data, bytes):
        raise TypeError(f"bytes expected, got {type(data).__name__}")
    return json.loads(data)


def bytes_dumps(obj: Any) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize("compression", ["deflate", None], ids=["deflate", "plain"])
async def test_decode_text_false(ws_serve: WsServe, compression: str | None) -> None:
    seen: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(decode_text=False, writer_limit=2**15)
        await ws.prepare(request)
        seen.append(await ws.receive_str())  # raw bytes of a TEXT message
        msg = await ws.receive()
        seen.append((msg.type, msg.data))
        seen.append(await ws.receive_json(loads=bytes_loads))
        await ws.send_json_bytes({"ok": True}, dumps=bytes_dumps)
        big = "é" * 5000
        seen.append(len(await ws.receive_str()))
        await ws.send_str(big)
        await ws.close()
        return ws

    async with ws_serve(handler) as url, connect(url, compression=compression) as client:
        await client.send("héllo")
        await client.send("second")
        await client.send('{"n": 1}')
        reply = await client.recv()
        assert reply == b'{"ok": true}'  # a BINARY frame
        await client.send("x" * 300)
        assert await client.recv() == "é" * 5000
    assert seen == [
        "héllo".encode(),
        (web.WSMsgType.TEXT, b"second"),
        {"n": 1},
        300,
    ]


async def test_decode_text_default_and_json_loads(ws_serve: WsServe) -> None:
    seen: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        seen.append(await ws.receive_str())
        seen.append(await ws.receive_json())
        await ws.close()
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        await client.send("text")
        await client.send("[1, 2]")
        await client.wait_closed()
    assert seen == ["text", [1, 2]]


def test_writer_limit_must_be_positive() -> None:
    with pytest.raises(ValueError):
        web.WebSocketResponse(writer_limit=0)
