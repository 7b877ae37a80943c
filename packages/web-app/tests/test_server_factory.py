"""Server alone: settings checked once, protocol factory, connection bookkeeping."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from web_app import BaseRequest, RequestHandler, Response, Server, StreamResponse


async def hello(request: BaseRequest) -> StreamResponse:
    return Response(text="hi")


class T:
    """The least a transport must do for these tests."""

    def __init__(self) -> None:
        self.out = bytearray()

    def write(self, data: bytes) -> None:
        self.out += data

    def is_closing(self) -> bool:
        return False

    def close(self) -> None:
        return None

    def get_extra_info(self, name: str, default: object = None) -> object:
        return default


def test_settings_are_validated_when_the_server_is_built() -> None:
    with pytest.raises(TypeError):
        Server(hello, keepalive_timout=3)  # misspelt on purpose
    with pytest.raises(ValueError):
        Server(hello, read_bufsize=0)
    with pytest.raises(ValueError):
        Server(hello, client_head_timeout=0)


TIMEOUTS = ["client_head_timeout", "client_body_timeout", "handler_timeout"]


@pytest.mark.parametrize("name", [*TIMEOUTS, "websocket_handshake_timeout"])
@pytest.mark.parametrize("bad", [0, -1.5, float("nan")])
def test_each_timeout_must_be_positive_or_none(name: str, bad: float) -> None:
    settings: dict[str, Any] = {name: bad}
    with pytest.raises(ValueError, match=rf"^{name} must be positive or None, got {bad!r}$"):
        Server(hello, **settings)
    for good in (None, 0.5):
        settings[name] = good
        Server(hello, **settings)


async def test_call_returns_a_request_handler_per_connection() -> None:
    server = Server(hello, keepalive_timeout=5)
    a, b = server(), server()
    assert isinstance(a, RequestHandler)
    assert a is not b
    assert a.keepalive_timeout == 5


async def test_default_factory_builds_base_request() -> None:
    seen: list[BaseRequest] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        seen.append(request)
        return Response(text="ok")

    server = Server(handler)
    proto = server()
    proto.connection_made(T())  # type: ignore[arg-type]
    proto.data_received(b"GET /p?q=1 HTTP/1.1\r\nHost: x\r\n\r\n")
    for _ in range(5):
        await asyncio.sleep(0)
    (request,) = seen
    assert type(request) is BaseRequest
    assert request.path == "/p"
    assert request.protocol is proto
    assert request.task is not None
    assert server.requests_count == 1
    await server.shutdown(0.1)
    assert server.connections == []


async def test_custom_request_factory_is_used() -> None:
    calls: list[str] = []

    def factory(message, payload, protocol, writer, task):  # type: ignore[no-untyped-def]
        calls.append(message.target)
        return BaseRequest(message, payload, protocol, writer, task, asyncio.get_running_loop())

    server = Server(hello, request_factory=factory)
    assert server.request_factory is factory
    proto = server()
    transport = T()
    proto.connection_made(transport)  # type: ignore[arg-type]
    proto.data_received(b"GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
    for _ in range(5):
        await asyncio.sleep(0)
    assert calls == ["/x"]
    assert transport.out.endswith(b"hi")


async def test_has_connections_from_factory_call_to_connection_lost() -> None:
    server = Server(hello)
    assert not server.has_connections
    proto = server()
    assert server.has_connections  # made, connection_made still to come
    proto.connection_made(T())
    assert server.has_connections
    assert server.connections == [proto]
    proto.connection_lost(None)
    assert not server.has_connections
