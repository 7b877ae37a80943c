"""ASGI websocket scopes: our WebSocketResponse on websocket.* events."""

from __future__ import annotations

import asyncio
from typing import Any

from web_app import Application, HTTPForbidden, Request, StreamResponse
from web_asgi import asgi_app
from web_websocket import WebSocketResponse, WSMsgType

Driver = Any


def ws_app(closed: list[int | None]) -> Application:
    app = Application()

    async def echo(request: Request) -> StreamResponse:
        ws = WebSocketResponse(protocols=("chat",), heartbeat=0.05)
        await ws.prepare(request)
        async for msg in ws:
            if msg.type is WSMsgType.TEXT:
                if msg.data == "close":
                    await ws.close(code=4321, message=b"done")
                    break
                await ws.send_str(msg.data.upper())
            elif msg.type is WSMsgType.BINARY:
                await ws.send_bytes(msg.data * 2)
        closed.append(ws.close_code)
        return ws

    async def refuse(request: Request) -> StreamResponse:
        raise HTTPForbidden(text="go away")

    app.router.add_get("/ws", echo)
    app.router.add_get("/refuse", refuse)
    return app


async def start(driver: Driver, app: Application, scope: Any) -> tuple[Any, asyncio.Future[None]]:
    peer = driver.Peer()
    peer.put({"type": "websocket.connect"})
    task = asyncio.ensure_future(asgi_app(app)(scope, peer.receive, peer.send))
    return peer, task


async def test_accept_echo_and_close_code_from_the_handler(driver: Driver) -> None:
    closed: list[int | None] = []
    peer, task = await start(driver, ws_app(closed), driver.ws_scope(subprotocols=["x", "chat"]))
    accept = await peer.wait_for("websocket.accept")
    assert accept["subprotocol"] == "chat"
    assert b"sec-websocket-accept" not in dict(accept.get("headers", ()))
    peer.put({"type": "websocket.receive", "text": "hi"})
    peer.put({"type": "websocket.receive", "bytes": b"ab"})
    peer.put({"type": "websocket.receive", "text": "x" * 70000})
    await asyncio.sleep(0.15)  # longer than the heartbeat: it must not time the socket out
    peer.put({"type": "websocket.receive", "text": "close"})
    await asyncio.wait_for(task, 2)
    sends = [m for m in peer.sent if m["type"] == "websocket.send"]
    assert sends[0] == {"type": "websocket.send", "text": "HI"}
    assert sends[1] == {"type": "websocket.send", "bytes": b"abab"}
    assert sends[2]["text"] == "X" * 70000
    assert peer.sent[-1] == {"type": "websocket.close", "code": 4321, "reason": "done"}
    assert closed == [4321]


async def test_client_close_code_reaches_the_handler(driver: Driver) -> None:
    closed: list[int | None] = []
    peer, task = await start(driver, ws_app(closed), driver.ws_scope())
    accept = await peer.wait_for("websocket.accept")
    assert accept["subprotocol"] is None
    peer.put({"type": "websocket.disconnect", "code": 4001, "reason": "bye"})
    await asyncio.wait_for(task, 2)
    assert closed == [4001]
    assert not [m for m in peer.sent if m["type"] == "websocket.close"]  # nobody to tell


async def test_abnormal_disconnect_is_1006(driver: Driver) -> None:
    closed: list[int | None] = []
    peer, task = await start(driver, ws_app(closed), driver.ws_scope())
    await peer.wait_for("websocket.accept")
    peer.put({"type": "websocket.disconnect", "code": 1006})
    await asyncio.wait_for(task, 2)
    assert closed == [1006]


async def test_refusal_uses_the_http_response_extension(driver: Driver) -> None:
    scope = driver.ws_scope("/refuse", extensions={"websocket.http.response": {}})
    peer, task = await start(driver, ws_app([]), scope)
    await asyncio.wait_for(task, 2)
    start_msg, body = peer.sent
    assert start_msg["type"] == "websocket.http.response.start"
    assert start_msg["status"] == 403
    assert body == {"type": "websocket.http.response.body", "body": b"go away"}


async def test_refusal_without_the_extension_closes(driver: Driver) -> None:
    peer, task = await start(driver, ws_app([]), driver.ws_scope("/missing"))
    await asyncio.wait_for(task, 2)
    assert peer.sent == [{"type": "websocket.close", "code": 1000, "reason": ""}]


async def test_plain_handler_on_a_websocket_scope_is_refused(driver: Driver) -> None:
    app = Application()

    async def plain(request: Request) -> StreamResponse:
        return StreamResponse(status=204)

    app.router.add_get("/ws", plain)
    peer, task = await start(
        driver, app, driver.ws_scope(extensions={"websocket.http.response": {}})
    )
    await asyncio.wait_for(task, 2)
    assert peer.sent[0]["status"] == 204
