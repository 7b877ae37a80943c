"""Fixtures for web-static's unit tests: real web_app requests on a capturing transport.

A request is parsed from raw bytes with web_http's parser and built as a real
``BaseRequest`` whose writer is a real ``PayloadWriter``; the bytes the response sends
are parsed back with web_http's response parser, so tests assert what a client sees.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pytest
from web_app import (
    Application,
    BaseRequest,
    HTTPException,
    PayloadWriter,
    Request,
    StreamResponse,
)
from web_app.integration import handle, make_request
from web_http import (
    EMPTY_PAYLOAD,
    Data,
    EndOfMessage,
    HttpRequestParser,
    HttpResponseParser,
    RequestHead,
    ResponseHead,
)


class CaptureTransport(asyncio.Transport):
    """Collects what is written; no socket, so FileResponse uses its read fallback."""

    def __init__(self) -> None:
        super().__init__()
        self.data = bytearray()
        self.writes = 0
        self.closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes += 1
        self.data += data

    def is_closing(self) -> bool:
        return self.closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


class CaptureProtocol:
    def __init__(self) -> None:
        self.transport: CaptureTransport | None = CaptureTransport()
        self.writing_paused = False

    async def wait_writable(self) -> None:
        return None


@dataclass
class Answer:
    """A response as the client parsed it."""

    status: int
    headers: Mapping[str, str]  # a case-insensitive multidict proxy
    body: bytes
    keep_alive: bool
    writes: int = 0
    raw: bytes = field(default=b"", repr=False)


def parse_request(raw: bytes) -> RequestHead:
    events = HttpRequestParser().feed(raw)
    head = events[0]
    assert isinstance(head, RequestHead), events
    return head


def build_request(
    head: RequestHead, app: Application | None = None
) -> tuple[BaseRequest, CaptureProtocol]:
    protocol = CaptureProtocol()
    writer = PayloadWriter(protocol)
    task = cast("asyncio.Task[None]", asyncio.current_task())
    assert task is not None
    if app is not None:
        made = make_request(app, head, EMPTY_PAYLOAD, cast(Any, protocol), writer, task)
        return made, protocol
    request = BaseRequest(
        head, EMPTY_PAYLOAD, cast(Any, protocol), writer, task, asyncio.get_running_loop()
    )
    return request, protocol


def raw_request(method: str, path: str, headers: dict[str, str] | None) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: test"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parse_answer(raw: bytes, method: str) -> Answer:
    parser = HttpResponseParser()
    parser.set_request_method(method)
    events = parser.feed(raw)
    events += parser.feed_eof()
    head = events[0]
    assert isinstance(head, ResponseHead), events
    body = b"".join(e.data for e in events if isinstance(e, Data))
    assert isinstance(events[-1], EndOfMessage), events[-1]
    return Answer(head.status, head.headers, body, head.keep_alive, raw=raw)


Send = Callable[..., Awaitable[Answer]]


@pytest.fixture
def static_send() -> Send:
    """``await static_send(resp, method="GET", path="/", headers={...})`` -> Answer."""

    async def send(
        resp: StreamResponse,
        method: str = "GET",
        path: str = "/f",
        headers: dict[str, str] | None = None,
    ) -> Answer:
        request, protocol = build_request(parse_request(raw_request(method, path, headers)))
        await resp.prepare(request)
        await resp.write_eof()
        transport = protocol.transport
        assert transport is not None
        answer = parse_answer(bytes(transport.data), method)
        answer.writes = transport.writes
        return answer

    return send


@pytest.fixture
def static_fetch() -> Send:
    """``await static_fetch(app, path, method="GET", headers=None)``: route, handle, send."""

    async def fetch(
        app: Application,
        path: str,
        method: str = "GET",
        headers: dict[str, str] | None = None,
    ) -> Answer:
        app.freeze()
        head = parse_request(raw_request(method, path, headers))
        request, protocol = build_request(head, app)
        resp: StreamResponse
        try:
            resp = await handle(app, cast(Request, request))
        except HTTPException as exc:
            resp = exc
        await resp.prepare(request)
        await resp.write_eof()
        transport = protocol.transport
        assert transport is not None
        answer = parse_answer(bytes(transport.data), method)
        answer.writes = transport.writes
        return answer

    return fetch
