"""Pings, pongs, the closing handshake and close codes, heartbeat, receive timeouts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import web
from web_websocket import WSMessage
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WsServe = Callable[[Handler], AbstractAsyncContextManager[str]]
RawConnect = Callable[..., Awaitable[tuple[bytes, Any]]]


async def test_client_ping_gets_a_pong(ws_serve: WsServe) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for _ in ws:
            pass
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        pong = await client.ping(b"are you there")
        latency = await asyncio.wait_for(pong, 5)
        assert latency >= 0


async def test_without_autoping_pings_reach_the_handler(ws_serve: WsServe) -> None:
    seen: list[WSMessage] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=False)
        await ws.prepare(request)
        msg = await ws.receive()
        seen.append(msg)
        await ws.pong(msg.data)
        await ws.ping("server ping")
        seen.append(await ws.receive())  # the client's automatic pong
        await ws.close()
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        pong = await client.ping(b"p1")
        await asyncio.wait_for(pong, 5)
        await client.wait_closed()
    assert seen[0].type == web.WSMsgType.PING
    assert seen[0].data == b"p1"
    assert seen[1].type == web.WSMsgType.PONG
    assert seen[1].data == b"server ping"


async def test_client_close_code_and_reason_reach_the_handler(ws_serve: WsServe) -> None:
    seen: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        msg = await ws.receive()
        seen.extend((msg.type, msg.data, msg.extra, ws.closed, ws.close_code))
        return ws

    async with ws_serve(handler) as url:
        client = await connect(url)
        await client.close(code=4000, reason="bye")
        assert client.close_code == 4000  # the server echoed the code
    assert seen == [web.WSMsgType.CLOSE, 4000, "bye", True, 4000]


async def test_server_close_code_reaches_the_client(ws_serve: WsServe) -> None:
    results: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        results.append(await ws.close(code=4001, message=b"go away"))
        results.append(await ws.close())
        results.append(ws.close_code)
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        try:
            await client.recv()
        except ConnectionClosed as exc:
            assert exc.rcvd is not None
            assert exc.rcvd.code == 4001
            assert exc.rcvd.reason == "go away"
        await client.wait_closed()
    assert results == [True, False, 4001]


async def test_returning_from_the_handler_closes_with_1000(ws_serve: WsServe) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str("only message")
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        assert await client.recv() == "only message"
        await client.wait_closed()
        assert client.close_code == 1000


async def test_close_times_out_on_a_silent_peer(
    ws_serve: WsServe, raw_ws_connect: RawConnect
) -> None:
    results: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(timeout=0.3)
        await ws.prepare(request)
        loop = asyncio.get_running_loop()
        start = loop.time()
        results.append(await ws.close())
        results.append(loop.time() - start)
        results.append(ws.close_code)
        return ws

    async with ws_serve(handler) as url:
        head, client = await raw_ws_connect(url)
        assert head.startswith(b"HTTP/1.1 101")
        frame = await client.next_frame()
        assert frame.opcode == 0x8  # the server's close; we never answer it
        assert await client.wait_closed()
        client.close()
    assert results[0] is True
    assert 0.25 <= results[1] < 2
    assert results[2] == 1006


async def test_heartbeat_closes_a_peer_that_never_pongs(
    ws_serve: WsServe, raw_ws_connect: RawConnect
) -> None:
    results: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=0.2)
        await ws.prepare(request)
        msg = await ws.receive()
        results.extend((msg.type, ws.close_code, type(ws.exception())))
        results.append((await ws.receive()).type)
        return ws

    async with ws_serve(handler) as url:
        _, client = await raw_ws_connect(url)
        frame = await client.next_frame()
        assert frame.opcode == 0x9  # the heartbeat ping, left unanswered
        assert await client.wait_closed(3)
        client.close()
    assert results[:2] == [web.WSMsgType.ERROR, 1006]
    assert issubclass(results[2], asyncio.TimeoutError)
    assert results[3] == web.WSMsgType.CLOSED


async def test_heartbeat_keeps_a_responsive_peer(ws_serve: WsServe) -> None:
    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(heartbeat=0.1)
        await ws.prepare(request)
        async for msg in ws:
            await ws.send_str(msg.data)
        return ws

    async with ws_serve(handler) as url, connect(url, ping_interval=None) as client:
        await asyncio.sleep(0.6)  # several heartbeats, answered by the client library
        await client.send("still here")
        assert await client.recv() == "still here"


async def test_receive_timeout(ws_serve: WsServe) -> None:
    results: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(receive_timeout=0.1)
        await ws.prepare(request)
        try:
            await ws.receive()
        except asyncio.TimeoutError:
            results.append("timeout")
        results.append((await ws.receive(timeout=5)).data)
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        await asyncio.sleep(0.3)
        await client.send("late")
        await client.wait_closed()
    assert results == ["timeout", "late"]


async def test_close_from_another_task_wakes_the_receiver(ws_serve: WsServe) -> None:
    results: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)

        async def closer() -> None:
            await asyncio.sleep(0.1)
            await ws.close(code=4002)

        task = asyncio.create_task(closer())
        results.append((await ws.receive()).type)
        await task
        results.append(ws.close_code)
        return ws

    async with ws_serve(handler) as url, connect(url) as client:
        await client.wait_closed()
        assert client.close_code == 4002
    assert results == [web.WSMsgType.CLOSING, 4002]


async def test_peer_half_close_ends_the_websocket(
    ws_serve: WsServe, raw_ws_connect: RawConnect
) -> None:
    results: list[Any] = []

    async def handler(request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        results.append((await ws.receive()).type)
        results.append(ws.close_code)
        return ws

    async with ws_serve(handler) as url:
        _, client = await raw_ws_connect(url)
        client.writer.write_eof()  # TCP FIN without a close frame
        assert await client.wait_closed(3)
        client.close()
    assert results == [web.WSMsgType.CLOSED, 1006]
