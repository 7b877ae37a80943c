"""TestClient.ws_connect talks to a web.WebSocketResponse with the websockets library."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import web
from web_testing import (
    ClientWebSocket,
    TestClient,
    TestServer,
    WSMessageTypeError,
    WSServerHandshakeError,
)
from web_testing._websocket import _handshake_request
from websockets.client import ClientProtocol
from websockets.extensions.permessage_deflate import ClientPerMessageDeflateFactory
from websockets.typing import Origin, Subprotocol
from websockets.uri import parse_uri


async def echo_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(protocols=("chat",))
    await ws.prepare(request)
    async for msg in ws:
        if msg.type == web.WSMsgType.TEXT:
            if msg.data == "close":
                await ws.close(code=4000, message=b"bye")
            else:
                await ws.send_str("echo:" + msg.data)
        elif msg.type == web.WSMsgType.BINARY:
            await ws.send_bytes(msg.data[::-1])
    return ws


async def deaf_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse(autoping=False)  # never answers a ping
    await ws.prepare(request)
    async for _ in ws:
        pass
    return ws


async def query_ws(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str(request.query.get("room", "-"))
    await ws.close()
    return ws


async def plain(request: web.Request) -> web.Response:
    return web.Response(text="not a websocket")


async def target(request: web.Request) -> web.StreamResponse:
    """The request-target as received: over a websocket if one was asked for."""
    if request.headers.get("Upgrade", "").lower() != "websocket":
        return web.Response(text=request.raw_path)
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    await ws.send_str(request.raw_path)
    await ws.close()
    return ws


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    app = web.Application()
    app.router.add_get("/ws", echo_ws)
    app.router.add_get("/plain", plain)
    app.router.add_get("/deaf", deaf_ws)
    app.router.add_get("/query", query_ws)
    app.router.add_get("/target/{name}", target)
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_text_binary_and_json_round_trip(client: TestClient) -> None:
    ws = await client.ws_connect("/ws")
    assert isinstance(ws, ClientWebSocket)
    await ws.send_str("hi")
    assert await ws.receive_str() == "echo:hi"
    await ws.send_bytes(b"abc")
    assert await ws.receive_bytes() == b"cba"
    await ws.send_json({"k": 1})
    msg = await ws.receive()
    assert msg.type == web.WSMsgType.TEXT
    assert msg.data == 'echo:{"k": 1}'
    assert await ws.close() is True
    assert ws.closed
    assert await ws.close() is False


async def test_subprotocol_is_negotiated(client: TestClient) -> None:
    async with client.ws_connect("/ws", protocols=("chat",)) as ws:
        assert ws.protocol == "chat"
    assert ws.closed


async def test_server_close_is_reported_then_closed(client: TestClient) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_str("close")
    msg = await ws.receive()
    assert msg.type == web.WSMsgType.CLOSE
    assert msg.data == 4000
    assert msg.extra == "bye"
    assert ws.close_code == 4000
    assert (await ws.receive()).type == web.WSMsgType.CLOSED


async def test_iteration_stops_at_close(client: TestClient) -> None:
    ws = await client.ws_connect("/ws")
    await ws.send_str("one")
    await ws.send_str("close")
    received = [msg.data async for msg in ws]
    assert received == ["echo:one"]


async def test_wrong_message_type_is_a_type_error(client: TestClient) -> None:
    async with client.ws_connect("/ws") as ws:
        await ws.send_bytes(b"xy")
        with pytest.raises(WSMessageTypeError):
            await ws.receive_str()


async def test_type_checked_sends(client: TestClient) -> None:
    async with client.ws_connect("/ws") as ws:
        with pytest.raises(TypeError):
            await ws.send_str(b"bytes")  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            await ws.send_bytes("text")  # type: ignore[arg-type]


async def test_ping_gets_a_pong(client: TestClient) -> None:
    async with client.ws_connect("/ws") as ws:
        await ws.ping(b"p")  # the pong is absorbed, as by aiohttp's client
        await ws.send_str("after ping")
        assert await ws.receive_str() == "echo:after ping"


async def test_compressed_connection(client: TestClient) -> None:
    async with client.ws_connect("/ws", compress=True) as ws:
        await ws.send_str("z" * 1000)
        assert await ws.receive_str() == "echo:" + "z" * 1000


async def test_handshake_refused_by_a_plain_route(client: TestClient) -> None:
    with pytest.raises(WSServerHandshakeError) as info:
        await client.ws_connect("/plain")
    assert info.value.status == 200


async def test_client_close_closes_open_websockets(client: TestClient) -> None:
    ws = await client.ws_connect("/ws")
    await client.close()
    assert ws.closed


async def test_heartbeat_keeps_a_live_connection(client: TestClient) -> None:
    async with client.ws_connect("/ws", heartbeat=0.05) as ws:
        await asyncio.sleep(0.3)  # several pings, each answered
        await ws.send_str("still")
        assert await ws.receive_str() == "echo:still"


async def test_heartbeat_fails_a_silent_connection(client: TestClient) -> None:
    ws = await client.ws_connect("/deaf", heartbeat=0.05)
    msg = await ws.receive(timeout=5)
    assert msg.type is web.WSMsgType.ERROR
    assert isinstance(ws.exception(), asyncio.TimeoutError)
    assert ws.closed


async def test_params_and_receive_timeout(client: TestClient) -> None:
    async with client.ws_connect("/query", params={"room": "blue"}) as ws:
        assert await ws.receive_str() == "blue"
    async with client.ws_connect("/deaf", receive_timeout=0.05) as ws:
        with pytest.raises(asyncio.TimeoutError):
            await ws.receive()


async def test_handshake_target_is_the_http_request_target(client: TestClient) -> None:
    path = "/target/caf\u00e9 x?q=a b&r=%2F&s=\u00fc"
    async with client.get(path) as resp:
        expected = await resp.text()
    assert expected.startswith("/target/caf%C3%A9")
    async with client.ws_connect(path) as ws:
        assert await ws.receive_str() == expected


async def test_unsupported_options_are_refused(client: TestClient) -> None:
    with pytest.raises(TypeError, match="autoclose"):
        client.ws_connect("/ws", autoclose=False)
    with pytest.raises(ValueError, match="heartbeat"):
        client.ws_connect("/ws", heartbeat=0)


@pytest.mark.parametrize(
    ("uri", "origin", "compress", "subprotocols"),
    [
        ("ws://127.0.0.1/ws", None, False, None),
        ("ws://127.0.0.1:8080/ws?a=1&b=%20", "http://example.com", False, ["chat", "v2"]),
        ("wss://example.com/chat", None, True, None),
        ("wss://example.com:8443/", "null", True, ["one"]),
        ("ws://[::1]:81/x", None, False, None),
        ("ws://[::1]/x", None, False, None),
        ("ws://user:p%40ss@localhost:80/private", None, False, None),
    ],
)
def test_the_handshake_request_is_the_one_websockets_builds(
    uri: str, origin: str | None, compress: bool, subprotocols: list[str] | None
) -> None:
    """The request serialized by hand has the fields ``ClientProtocol.connect()`` gives."""
    protocol = ClientProtocol(
        parse_uri(uri),
        origin=Origin(origin) if origin is not None else None,
        extensions=[ClientPerMessageDeflateFactory()] if compress else None,
        subprotocols=[Subprotocol(p) for p in subprotocols] if subprotocols else None,
    )
    extra = [("X-Test", "1"), ("Cookie", "a=b"), ("X-Test", "2")]
    request = protocol.connect()
    for name, value in extra:
        request.headers[name] = value
    assert _handshake_request(protocol, extra) == request.serialize()
