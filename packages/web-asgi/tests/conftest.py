"""Play the ASGI server's side in memory: scopes, receive queues, recorded sends.

The helpers reach the tests through the ``driver`` fixture (test modules are imported by
path here, so they cannot import each other or this file).
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from web_asgi import ASGIApp, Message, Scope


def http_scope(
    path: str = "/",
    *,
    method: str = "GET",
    query: bytes = b"",
    headers: list[tuple[bytes, bytes]] | None = None,
    http_version: str = "1.1",
    scheme: str = "http",
    root_path: str = "",
    extensions: dict[str, Any] | None = None,
) -> Scope:
    return {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.3"},
        "http_version": http_version,
        "method": method,
        "scheme": scheme,
        "path": root_path + path,
        "raw_path": (root_path + path).encode(),
        "query_string": query,
        "root_path": root_path,
        "headers": headers if headers is not None else [(b"host", b"example.test")],
        "client": ("10.1.2.3", 5555),
        "server": ("127.0.0.1", 8000),
        "extensions": extensions or {},
    }


def ws_scope(path: str = "/ws", *, subprotocols: list[str] | None = None, **kw: Any) -> Scope:
    scope = http_scope(path, **kw)
    del scope["method"]
    scope["type"] = "websocket"
    scope["scheme"] = "ws"
    protocols = subprotocols or []
    if protocols:
        scope["headers"].append((b"sec-websocket-protocol", ", ".join(protocols).encode()))
    scope["subprotocols"] = protocols
    return scope


class Peer:
    """The server side of one ASGI call: what the app receives, and what it sent."""

    def __init__(self) -> None:
        self.inbox: asyncio.Queue[Message] = asyncio.Queue()
        self.sent: list[Message] = []
        self.received = 0
        self.new_sent = asyncio.Event()

    def put(self, message: Message) -> None:
        self.inbox.put_nowait(message)

    async def receive(self) -> Message:
        self.received += 1
        return await self.inbox.get()

    async def send(self, message: Message) -> None:
        self.sent.append(message)
        self.new_sent.set()

    async def wait_for(self, kind: str, timeout: float = 2.0) -> Message:
        """The first sent message of type ``kind`` (waiting for it if needed)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for message in self.sent:
                if message["type"] == kind:
                    return message
            self.new_sent.clear()
            await asyncio.wait_for(self.new_sent.wait(), deadline - loop.time())

    def body(self) -> bytes:
        return b"".join(m.get("body", b"") for m in self.sent if m["type"] == "http.response.body")

    def start(self) -> Message:
        [start] = [m for m in self.sent if m["type"] == "http.response.start"]
        return start

    def headers(self) -> dict[bytes, bytes]:
        return dict(self.start()["headers"])


async def call_http(
    asgi: ASGIApp, scope: Scope, body: list[bytes] | None = None, *, timeout: float = 5.0
) -> Peer:
    """One request, its body in the given pieces (the last with more_body False)."""
    peer = Peer()
    pieces = body or [b""]
    for i, piece in enumerate(pieces):
        peer.put({"type": "http.request", "body": piece, "more_body": i < len(pieces) - 1})
    await asyncio.wait_for(asgi(scope, peer.receive, peer.send), timeout)
    return peer


class Driver:
    """What the ``driver`` fixture hands to the tests."""

    http_scope = staticmethod(http_scope)
    ws_scope = staticmethod(ws_scope)
    call_http = staticmethod(call_http)
    Peer = Peer


@pytest.fixture
def driver() -> type[Driver]:
    return Driver
