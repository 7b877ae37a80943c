"""Fixtures for the websocket end-to-end tests: a server running one websocket handler, and a
raw-socket client that speaks frames by hand (to send what no well-behaved library would)."""

from __future__ import annotations

import asyncio
import base64
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import pytest
import web
from web_websocket import Frame, FrameParser, WebSocketError, encode_frame

WsHandler = Callable[[web.Request], Awaitable[web.StreamResponse]]
WsServe = Callable[[WsHandler], AbstractAsyncContextManager[str]]


@asynccontextmanager
async def _ws_serve(handler: WsHandler) -> AsyncIterator[str]:
    app = web.Application()
    app.router.add_get("/ws", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield f"ws://127.0.0.1:{port}/ws"
    finally:
        await runner.cleanup()


@pytest.fixture
def ws_serve() -> WsServe:
    """``async with ws_serve(handler) as url`` serves ``handler`` at ``url`` (ws://.../ws)."""
    return _ws_serve


class RawClient:
    """A hand-driven websocket client over asyncio streams."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.parser = FrameParser(masked=False, allow_rsv1=True)
        self.frames: list[Frame] = []

    def send_raw(self, data: bytes) -> None:
        self.writer.write(data)

    def send(self, opcode: int, payload: bytes, *, fin: bool = True, rsv1: bool = False) -> None:
        self.writer.write(encode_frame(opcode, payload, fin=fin, rsv1=rsv1, mask=os.urandom(4)))

    async def next_frame(self, timeout: float = 5.0) -> Frame | None:
        """The next frame from the server, or None once the server closed the connection."""
        while not self.frames:
            data = await asyncio.wait_for(self.reader.read(65536), timeout)
            if not data:
                return None
            for event in self.parser.feed(data):
                if isinstance(event, WebSocketError):
                    raise event
                self.frames.append(event)
        return self.frames.pop(0)

    async def wait_closed(self, timeout: float = 5.0) -> bool:
        """True if the server closes the TCP connection within ``timeout``."""
        try:
            while await asyncio.wait_for(self.reader.read(65536), timeout):
                pass
        except asyncio.TimeoutError:
            return False
        return True

    def close(self) -> None:
        self.writer.close()


async def _handshake(url: str, extra: str = "") -> tuple[bytes, RawClient]:
    host_port = url.split("/")[2]
    host, port = host_port.split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(
        (
            f"GET /ws HTTP/1.1\r\nHost: {host_port}\r\nUpgrade: websocket\r\n"
            f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n{extra}\r\n"
        ).encode()
    )
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
    return head, RawClient(reader, writer)


RawConnect = Callable[..., Awaitable[tuple[bytes, RawClient]]]


@pytest.fixture
def raw_ws_connect() -> RawConnect:
    """``head, client = await raw_ws_connect(url, extra_header_lines)``."""
    return _handshake
