"""Fixtures for web-app's unit tests: requests built from real parsed heads, without a socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from web_app import Application, Request
from web_http import EMPTY_PAYLOAD, HttpRequestParser, RequestHead


class _Writer:
    """Records what the expect handler writes before any response."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.output_size = 0

    async def write(self, data: bytes) -> None:
        self.written.append(data)
        self.output_size += len(data)

    async def drain(self) -> None:
        return None


class _Protocol:
    transport = None


def _make_request(
    app: Application,
    method: str = "GET",
    target: str = "/",
    headers: tuple[tuple[str, str], ...] = (),
    version: str = "1.1",
    host: str = "example.com",
) -> Request:
    """A frozen app's Request for one parsed head, in the running test's task."""
    lines = [f"{method} {target} HTTP/{version}", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in headers]
    events = HttpRequestParser().feed(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = events[0]
    assert isinstance(head, RequestHead)
    task = asyncio.current_task()
    assert task is not None
    app.freeze()
    proto: Any = _Protocol()
    writer: Any = _Writer()
    return app._make_request(head, EMPTY_PAYLOAD, proto, writer, task)


@pytest.fixture
def make_request() -> Callable[..., Request]:
    return _make_request
