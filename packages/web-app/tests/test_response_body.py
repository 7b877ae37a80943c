"""Response bodies: constructor rules, text/body, JSON helpers, compression."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app._base_request import BaseRequest
from web_app._compression import BROTLI_AVAILABLE
from web_app._response import Response, json_bytes_response, json_response
from web_app._response_coding import ContentCoding
from web_app._stream_response import StreamResponse
from web_http import EMPTY_PAYLOAD, HttpVersion11, RequestHead


class FakeWriter:
    def __init__(self) -> None:
        self.head = b""
        self.body: list[bytes] = []
        self.chunked = False
        self.compression: str | None = None
        self.output_size = 0

    def write_headers(self, head: bytes) -> None:
        self.head = head

    def enable_chunking(self) -> None:
        self.chunked = True

    def enable_compression(self, encoding: str, strategy: int | None = None) -> None:
        self.compression = encoding

    async def write(self, data: bytes) -> None:
        self.body.append(bytes(data))

    async def write_eof(self, data: bytes = b"") -> None:
        self.body.append(bytes(data))

    async def drain(self) -> None:
        return None

    def header(self, name: str) -> list[str]:
        prefix = name.lower() + ": "
        lines = self.head.decode().split("\r\n")
        return [ln[len(prefix) :] for ln in lines if ln.lower().startswith(prefix)]


def make_request(headers: dict[str, str] | None = None) -> tuple[BaseRequest, FakeWriter]:
    hdrs = CIMultiDict(headers or {})
    head = RequestHead(
        "GET", "/", HttpVersion11, CIMultiDictProxy(hdrs), (), True, False, False, None, None, False
    )
    writer = FakeWriter()
    protocol = cast(Any, type("P", (), {"transport": None})())
    req = BaseRequest(
        head,
        EMPTY_PAYLOAD,
        protocol,
        cast(Any, writer),
        cast(Any, asyncio.current_task()),
        asyncio.get_running_loop(),
    )
    return req, writer


def test_text_defaults() -> None:
    resp = Response(text="héllo")
    assert resp.content_type == "text/plain"
    assert resp.charset == "utf-8"
    assert resp.body == "héllo".encode()
    assert resp.text == "héllo"
    assert resp.content_length == len("héllo".encode())


def test_text_with_charset_and_type() -> None:
    resp = Response(text="é", content_type="text/html", charset="latin-1")
    assert resp.headers["Content-Type"] == "text/html; charset=latin-1"
    assert resp.body == b"\xe9"


def test_body_defaults_to_octet_stream() -> None:
    resp = Response(body=b"\x00\x01")
    assert resp.content_type == "application/octet-stream"
    assert resp.charset is None
    assert "Content-Type" not in resp.headers


def test_body_with_content_type() -> None:
    resp = Response(body=b"{}", content_type="application/json", charset="utf-8")
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"body": b"x", "text": "x"},
        {"text": "x", "content_type": "text/plain; charset=utf-8"},
        {"text": "x", "headers": {"Content-Type": "text/html"}, "content_type": "text/plain"},
        {"body": b"x", "headers": {"Content-Type": "text/html"}, "charset": "utf-8"},
    ],
    ids=["body+text", "charset-in-type", "header+type-text", "header+charset-body"],
)
def test_conflicting_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        Response(**kwargs)


def test_text_must_be_str() -> None:
    with pytest.raises(TypeError):
        Response(text=cast(Any, b"bytes"))
    resp = Response()
    with pytest.raises(TypeError):
        resp.text = cast(Any, 1)


def test_body_types() -> None:
    assert Response(body=bytearray(b"ab")).body == b"ab"
    assert Response(body=memoryview(b"ab")).body == b"ab"
    s = Response(body="text")
    assert s.body == b"text"
    assert s.content_type == "text/plain"
    with pytest.raises(ValueError, match="Unsupported body type"):  # aiohttp's error
        Response(body=cast(Any, 123))


def test_text_setter_sets_type() -> None:
    resp = Response()
    resp.text = "abc"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.content_length == 3


def test_content_length_is_automatic() -> None:
    resp = Response(body=b"abc")
    with pytest.raises(RuntimeError):
        resp.content_length = 5


def test_json_response() -> None:
    resp = json_response({"a": [1, 2]})
    assert resp.content_type == "application/json"
    assert resp.charset == "utf-8"
    assert json.loads(resp.text or "") == {"a": [1, 2]}
    custom = json_response({"a": 1}, dumps=lambda o: "X", status=201)
    assert custom.text == "X" and custom.status == 201
    with pytest.raises(ValueError):
        json_response({"a": 1}, text="{}")
    assert json_response(text="[1]").text == "[1]"


def test_json_bytes_response() -> None:
    resp = json_bytes_response({"a": 1}, dumps=lambda o: json.dumps(o).encode())
    assert resp.body == b'{"a": 1}'
    assert resp.content_type == "application/json"
    with pytest.raises(ValueError):
        json_bytes_response({"a": 1}, dumps=lambda o: b"", body=b"{}")


BODY = b"hello world " * 200


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("gzip", "gzip"),
        ("deflate", "deflate"),
        ("gzip;q=0.5, deflate", "deflate"),
        ("identity", None),
        ("gzip;q=0, deflate;q=0", None),
        ("*", "deflate"),
        ("gzip, deflate, br", "deflate"),
        ("gzip, deflate;q=0.9", "gzip"),
        ("GZIP", "gzip"),
        ("gzip;q=abc", None),
    ],
)
async def test_negotiated_compression(accept: str, expected: str | None) -> None:
    req, w = make_request({"Accept-Encoding": accept})
    resp = Response(body=BODY)
    resp.enable_compression()
    assert resp.compression
    await resp.prepare(req)
    await resp.write_eof()
    assert w.header("Vary") == ["Accept-Encoding"]
    sent = b"".join(w.body)
    if expected is None:
        assert w.header("Content-Encoding") == []
        assert sent == BODY
        return
    assert w.header("Content-Encoding") == [expected]
    assert w.header("Content-Length") == [str(len(sent))]
    if expected == "gzip":
        assert gzip.decompress(sent) == BODY
    elif expected == "deflate":
        assert zlib.decompress(sent) == BODY


async def test_forced_compression_ignores_accept() -> None:
    req, w = make_request()
    resp = Response(body=BODY)
    resp.enable_compression(ContentCoding.deflate)
    await resp.prepare(req)
    await resp.write_eof()
    assert w.header("Content-Encoding") == ["deflate"]
    assert zlib.decompress(b"".join(w.body)) == BODY
    assert w.header("Vary") == []


async def test_forced_identity() -> None:
    req, w = make_request({"Accept-Encoding": "gzip"})
    resp = Response(body=BODY)
    resp.enable_compression(ContentCoding.identity)
    await resp.prepare(req)
    assert w.header("Content-Encoding") == []


async def test_already_encoded_body_not_compressed_twice() -> None:
    req, w = make_request({"Accept-Encoding": "gzip"})
    resp = Response(body=gzip.compress(BODY), headers={"Content-Encoding": "gzip"})
    resp.enable_compression()
    await resp.prepare(req)
    await resp.write_eof()
    assert gzip.decompress(b"".join(w.body)) == BODY


async def test_compression_in_executor() -> None:
    req, w = make_request({"Accept-Encoding": "gzip"})
    with ThreadPoolExecutor(1) as pool:
        resp = Response(body=BODY, zlib_executor_size=16, zlib_executor=pool)
        resp.enable_compression()
        await resp.prepare(req)
        await resp.write_eof()
    assert gzip.decompress(b"".join(w.body)) == BODY


async def test_stream_response_compression_uses_writer() -> None:
    req, w = make_request({"Accept-Encoding": "gzip"})
    resp = StreamResponse()
    resp.content_length = 100
    resp.enable_compression()
    await resp.prepare(req)
    assert w.compression == "gzip"
    assert w.header("Content-Length") == []
    assert w.chunked


def test_enable_compression_bad_force() -> None:
    resp = StreamResponse()
    with pytest.raises(TypeError):
        resp.enable_compression(cast(Any, "gzip"))


@pytest.mark.skipif(not BROTLI_AVAILABLE, reason="brotli not installed")
async def test_brotli_negotiated() -> None:
    import brotli

    req, w = make_request({"Accept-Encoding": "gzip;q=0.8, br"})  # br only when preferred
    resp = Response(body=BODY)
    resp.enable_compression()
    await resp.prepare(req)
    await resp.write_eof()
    assert w.header("Content-Encoding") == ["br"]
    assert brotli.decompress(b"".join(w.body)) == BODY


@pytest.mark.parametrize(
    ("status", "body"), [(204, None), (200, b""), (200, None)], ids=["204", "empty", "none"]
)
async def test_no_vary_when_nothing_could_be_compressed(status: int, body: bytes | None) -> None:
    req, w = make_request({"Accept-Encoding": "gzip"})
    resp = Response(status=status, body=body)
    resp.enable_compression()
    await resp.prepare(req)
    await resp.write_eof()
    assert w.header("Vary") == []
    assert w.header("Content-Encoding") == []


async def test_vary_on_negotiated_stream_even_without_accept_encoding() -> None:
    req, w = make_request()
    resp = StreamResponse()
    resp.enable_compression()
    await resp.prepare(req)
    assert w.header("Vary") == ["Accept-Encoding"]
    assert w.header("Content-Encoding") == []
