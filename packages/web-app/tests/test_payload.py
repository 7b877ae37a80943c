"""web_app.payload: the registry, each payload's headers and size, and Response.body."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from web_app import Response
from web_app.payload import (
    PAYLOAD_REGISTRY,
    AsyncIterablePayload,
    BufferedReaderPayload,
    BytesIOPayload,
    BytesPayload,
    JsonPayload,
    LookupError as PayloadLookupError,
    Order,
    Payload,
    PayloadRegistry,
    StringIOPayload,
    StringPayload,
    TextIOPayload,
    get_payload,
)


class Sink:
    def __init__(self) -> None:
        self.data = bytearray()

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        self.data += data


async def written(payload: Payload) -> bytes:
    sink = Sink()
    await payload.write(sink)
    return bytes(sink.data)


async def test_bytes_and_strings() -> None:
    p = get_payload(b"abc")
    assert isinstance(p, BytesPayload)
    assert (p.size, p.content_type, await written(p)) == (3, "application/octet-stream", b"abc")
    assert get_payload(memoryview(b"abcd")).size == 4
    s = get_payload("é")
    assert isinstance(s, StringPayload)
    assert (s.size, s.content_type, s.encoding) == (2, "text/plain; charset=utf-8", "utf-8")
    latin = StringPayload("é", content_type="text/html; charset=latin-1")
    assert (await written(latin), latin.encoding) == (b"\xe9", "latin-1")
    assert StringPayload("é", encoding="latin-1").content_type == "text/plain; charset=latin-1"
    sio = get_payload(io.StringIO("hi"))
    assert isinstance(sio, StringIOPayload)
    assert await written(sio) == b"hi"
    with pytest.raises(TypeError):
        BytesPayload("not bytes")  # type: ignore[arg-type]


async def test_files(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(b"<p>x</p>" * 20000)
    with open(path, "rb") as f:  # noqa: ASYNC230 - a test fixture file
        f.read(8)
        p = get_payload(f)
        assert isinstance(p, BufferedReaderPayload)
        assert p.content_type == "text/html"
        assert p.headers["Content-Disposition"] == 'attachment; filename="page.html"'
        assert p.size == 8 * 20000 - 8  # from the current position
        assert await written(p) == b"<p>x</p>" * 19999
        assert p.consumed
        await p.close()
        assert f.closed
    with open(path, encoding="utf-8") as t:  # noqa: ASYNC230
        tp = get_payload(t)
        assert isinstance(tp, TextIOPayload)
        assert tp.size is None
        assert tp.content_type == "text/plain; charset=utf-8"
        assert await written(tp) == b"<p>x</p>" * 20000
    custom = get_payload(io.BytesIO(b"12345"), filename="x.png", content_type=None)
    assert isinstance(custom, BytesIOPayload)
    assert (custom.size, custom.content_type) == (5, "image/png")
    assert get_payload(io.BytesIO(b""), content_type="a/b").content_type == "a/b"


async def test_async_iterables() -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"a"
        yield b"b"

    p = get_payload(gen())
    assert isinstance(p, AsyncIterablePayload)
    assert p.size is None
    assert await written(p) == b"ab"
    with pytest.raises(RuntimeError):
        await written(p)
    with pytest.raises(TypeError):
        AsyncIterablePayload([b"x"])  # type: ignore[arg-type]


def test_registry_orders_and_lookup_error() -> None:
    class Mine:
        pass

    class MinePayload(BytesPayload):
        def __init__(self, value: Any, *args: Any, **kwargs: Any) -> None:
            super().__init__(b"mine", *args, **kwargs)

    registry = PayloadRegistry()
    with pytest.raises(PayloadLookupError):
        registry.get(Mine())
    registry.register(MinePayload, Mine)
    assert isinstance(registry.get(Mine()), MinePayload)
    registry.register(MinePayload, bytes, order=Order.try_first)
    assert isinstance(registry.get(b"x"), MinePayload)
    registry.register(MinePayload, object, order=Order.try_last)
    assert isinstance(registry.get(3.5), MinePayload)
    with pytest.raises(ValueError):
        registry.register(MinePayload, int, order="sideways")  # type: ignore[arg-type]
    ready = JsonPayload({"a": 1})
    assert PAYLOAD_REGISTRY.get(ready) is ready
    assert (ready.content_type, ready.size) == ("application/json", 8)


def test_set_content_disposition_and_binary_headers() -> None:
    p = BytesPayload(b"x", headers={"X-Extra": "1"})
    p.set_content_disposition("form-data", name="field", filename="a b.txt")
    assert p.headers["Content-Disposition"] == 'form-data; name="field"; filename="a%20b.txt"'
    assert p._binary_headers == (
        b"Content-Type: application/octet-stream\r\nX-Extra: 1\r\n"
        b'Content-Disposition: form-data; name="field"; filename="a%20b.txt"\r\n\r\n'
    )
    for name, value in [
        ("X-Bad", "a\r\nb"),
        ("X-Bad", "a\nb"),
        ("X-Bad", "a\rb"),
        ("X-Bad", "\x00"),
    ]:
        bad = BytesPayload(b"x", headers={"X-Fine": "1", name: value})
        with pytest.raises(ValueError, match="in the X-Bad header"):
            bad._binary_headers  # noqa: B018


async def test_response_body_payloads() -> None:
    resp = Response(body=io.BytesIO(b"xyz"))
    assert isinstance(resp.body, BytesIOPayload)
    assert resp.content_type == "application/octet-stream"
    assert resp.content_length is None  # decided at prepare
    resp = Response(body=io.StringIO("héllo"), headers={"Content-Type": "text/html"})
    assert resp.headers["Content-Type"] == "text/html"  # the response's own wins
    assert resp.text == "héllo"
    resp.body = b"plain"
    assert resp.body == b"plain"
    assert resp.content_length == 5
    with pytest.raises(ValueError, match="Unsupported body type"):
        Response(body=object())
