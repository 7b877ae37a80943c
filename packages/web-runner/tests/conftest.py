"""Fixtures for web-runner's unit tests: a raw HTTP/1.1 client over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import pytest


@dataclass(frozen=True, slots=True)
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


Fetch = Callable[..., Awaitable[Reply]]


def parse_reply(raw: bytes) -> Reply:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return Reply(status, headers, body)


async def _fetch(
    port: int | None = None,
    path: str = "/",
    *,
    host: str = "127.0.0.1",
    unix: str | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 5.0,
) -> Reply:
    """One request with ``Connection: close``; the reply is read to EOF."""
    if unix is not None:
        reader, writer = await asyncio.open_unix_connection(unix)
    else:
        reader, writer = await asyncio.open_connection(host, port)
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    writer.write(f"GET {path} HTTP/1.1\r\nHost: test\r\n{extra}Connection: close\r\n\r\n".encode())
    try:
        raw = await asyncio.wait_for(reader.read(), timeout)
    finally:
        writer.close()
    return parse_reply(raw)


@pytest.fixture
def fetch() -> Fetch:
    return _fetch
