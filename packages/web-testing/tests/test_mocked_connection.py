"""Responses prepared against a mocked request really serialize into the fake transport."""

from __future__ import annotations

import pytest
import web
from web_testing import MockTransport, make_mocked_request


def written(req: web.Request) -> bytes:
    transport = req.transport
    assert isinstance(transport, MockTransport)
    return bytes(transport.written)


async def test_response_head_and_body_reach_the_transport() -> None:
    req = make_mocked_request("GET", "/")
    resp = web.Response(text="hello", headers={"X-Test": "1"})
    await resp.prepare(req)
    await resp.write_eof()
    data = written(req)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 OK\r\n")
    assert b"\r\nX-Test: 1" in head
    assert b"\r\nContent-Length: 5" in head
    assert body == b"hello"


async def test_stream_response_is_chunked() -> None:
    req = make_mocked_request("GET", "/")
    resp = web.StreamResponse()
    await resp.prepare(req)
    await resp.write(b"abc")
    await resp.write_eof()
    data = written(req)
    assert b"Transfer-Encoding: chunked" in data
    assert data.endswith(b"3\r\nabc\r\n0\r\n\r\n")


async def test_on_response_prepare_of_the_app_fires() -> None:
    app = web.Application()
    seen: list[str] = []

    async def on_prepare(request: web.Request, response: web.StreamResponse) -> None:
        seen.append(request.path)
        response.headers["X-Signal"] = "yes"

    app.on_response_prepare.append(on_prepare)
    req = make_mocked_request("GET", "/sig", app=app)
    resp = web.Response(text="x")
    await resp.prepare(req)
    await resp.write_eof()
    assert seen == ["/sig"]
    assert b"X-Signal: yes" in written(req)


async def test_http10_closing_request_answers_connection_close() -> None:
    req = make_mocked_request("GET", "/", closing=True)
    resp = web.Response(text="x")
    await resp.prepare(req)
    await resp.write_eof()
    assert resp.keep_alive is False
    assert b"Connection: close" in written(req)


async def test_writing_to_a_closed_transport_fails_clearly() -> None:
    req = make_mocked_request("GET", "/")
    transport = req.transport
    assert transport is not None
    transport.close()
    resp = web.Response(text="x")
    with pytest.raises(ConnectionResetError):
        await resp.prepare(req)
        await resp.write_eof()


def test_force_close_closes_the_transport() -> None:
    transport = MockTransport()
    req = make_mocked_request("GET", "/", transport=transport)
    req.protocol.force_close()
    assert transport.is_closing()


def test_custom_transport_extra_info() -> None:
    transport = MockTransport(peername=("10.0.0.9", 5555))
    req = make_mocked_request("GET", "/", transport=transport)
    assert req.remote == "10.0.0.9"


async def test_websocket_upgrade_on_a_mocked_request() -> None:
    req = make_mocked_request(
        "GET",
        "/ws",
        headers={
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
            "Sec-WebSocket-Version": "13",
        },
    )
    ws = web.WebSocketResponse()
    assert ws.can_prepare(req).ok
    await ws.prepare(req)
    data = written(req)
    assert data.startswith(b"HTTP/1.1 101 Switching Protocols\r\n")
    assert b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in data
    assert req.protocol.parser is not None  # type: ignore[attr-defined]
