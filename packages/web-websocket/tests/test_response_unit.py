"""WebSocketResponse without a connection: handshake checks, refusals, misuse errors."""

from __future__ import annotations

from typing import Any, cast

import pytest
import web_websocket
from multidict import CIMultiDict, CIMultiDictProxy
from web_app import BaseRequest, HTTPBadRequest, HTTPMethodNotAllowed
from web_websocket import WebSocketReady, WebSocketResponse, WSCloseCode, WSMsgType


class StubRequest:
    """Just what the handshake reads: a method, the HTTP version and headers."""

    def __init__(self, method: str = "GET", **headers: str) -> None:
        base = {
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Version": "13",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        }
        base.update({name.replace("_", "-"): value for name, value in headers.items()})
        self.method = method
        self.version = (1, 1)
        self.headers = CIMultiDictProxy(CIMultiDict(base))


def req(method: str = "GET", **headers: str) -> BaseRequest:
    return cast(BaseRequest, StubRequest(method, **headers))


def test_can_prepare_reports_the_protocol() -> None:
    ws = WebSocketResponse(protocols=("a", "b"))
    ready = ws.can_prepare(req(Sec_WebSocket_Protocol="x, b"))
    assert ready == WebSocketReady(True, "b")
    assert ready
    assert not ws.can_prepare(req(Sec_WebSocket_Version="7"))
    assert ws.can_prepare(req("POST")) == WebSocketReady(False, None)


async def test_prepare_refuses_a_bad_version_with_the_supported_one() -> None:
    with pytest.raises(HTTPBadRequest) as info:
        await WebSocketResponse().prepare(req(Sec_WebSocket_Version="12"))
    assert info.value.status == 400
    assert info.value.headers["Sec-WebSocket-Version"] == "13"


async def test_prepare_refuses_a_bad_key_and_a_post() -> None:
    with pytest.raises(HTTPBadRequest) as info:
        await WebSocketResponse().prepare(req(Sec_WebSocket_Key="AAAA"))
    assert "Handshake error" in (info.value.text or "")
    with pytest.raises(HTTPMethodNotAllowed) as not_allowed:
        await WebSocketResponse().prepare(req("POST"))
    assert not_allowed.value.status == 405


async def test_methods_need_prepare_first() -> None:
    ws = WebSocketResponse()
    assert not ws.closed
    assert ws.close_code is None
    assert ws.ws_protocol is None
    assert ws.exception() is None
    assert ws.compress is True
    assert ws.get_extra_info("peername", "none") == "none"
    for call in (
        ws.receive(),
        ws.send_str("x"),
        ws.send_bytes(b"x"),
        ws.ping(),
        ws.pong(),
        ws.close(),
    ):
        with pytest.raises(RuntimeError, match="prepare"):
            await call
    with pytest.raises(RuntimeError, match="websocket"):
        await ws.write(b"x")


async def test_send_type_checks() -> None:
    ws = WebSocketResponse()
    with pytest.raises(TypeError):
        await ws.send_str(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        await ws.send_bytes("text")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "options",
    [{"timeout": 0}, {"receive_timeout": -1}, {"heartbeat": 0}, {"max_msg_size": -1}],
    ids=["timeout", "receive_timeout", "heartbeat", "max_msg_size"],
)
def test_invalid_options(options: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        WebSocketResponse(**options)


def test_aiohttp_values() -> None:
    assert [(m.name, m.value) for m in WSMsgType] == [
        ("CONTINUATION", 0),
        ("TEXT", 1),
        ("BINARY", 2),
        ("PING", 9),
        ("PONG", 10),
        ("CLOSE", 8),
        ("CLOSING", 256),
        ("CLOSED", 257),
        ("ERROR", 258),
    ]
    codes = {m.name: m.value for m in WSCloseCode}
    assert codes["MESSAGE_TOO_BIG"] == 1009
    assert codes["ABNORMAL_CLOSURE"] == 1006
    assert codes["BAD_GATEWAY"] == 1014
    assert len(codes) == 13


def test_public_names_are_all_listed_and_importable() -> None:
    # ``annotations`` is the ``from __future__`` feature object, not an export.
    public = {n for n in dir(web_websocket) if not n.startswith("_")} - {"annotations"}
    assert set(web_websocket.__all__) - {"__version__"} == public


def test_can_prepare_refuses_http10() -> None:
    stub = StubRequest()
    stub.version = (1, 0)
    assert not WebSocketResponse().can_prepare(cast(BaseRequest, stub))
