"""BaseRequest body access: read/text/json/post/release and the client_max_size bound."""

from __future__ import annotations

import asyncio
import json
from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app._base_request import BaseRequest
from web_app._exceptions import (
    HTTPBadRequest,
    HTTPRequestEntityTooLarge,
    HTTPUnsupportedMediaType,
)
from web_http import EMPTY_PAYLOAD, HttpVersion11, RequestHead, StreamReader


class Flow:
    def __init__(self) -> None:
        self.paused = False

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False


def make(
    body: bytes | list[bytes] | None,
    headers: dict[str, str] | None = None,
    *,
    method: str = "POST",
    declare_length: bool = True,
    eof: bool = True,
    client_max_size: int = 1024**2,
) -> tuple[BaseRequest, StreamReader]:
    hdrs: CIMultiDict[str] = CIMultiDict(headers or {})
    chunks = [body] if isinstance(body, bytes) else (body or [])
    length = sum(map(len, chunks)) if body is not None and declare_length else None
    head = RequestHead(
        method, "/", HttpVersion11, CIMultiDictProxy(hdrs), (), True, False,
        not declare_length, length, None, False,
    )  # fmt: skip
    if body is None:
        payload: StreamReader = EMPTY_PAYLOAD
    else:
        payload = StreamReader(Flow(), 2**16)
        for chunk in chunks:
            payload.feed_data(chunk)
        if eof:
            payload.feed_eof()
    req = BaseRequest(
        head,
        payload,
        cast(Any, type("P", (), {"transport": None})()),
        cast(Any, object()),
        cast(Any, None),
        asyncio.get_running_loop(),
        client_max_size=client_max_size,
    )
    return req, payload


async def test_read_text_json() -> None:
    req, _ = make(json.dumps({"a": "é"}).encode(), {"Content-Type": "application/json"})
    assert req.body_exists and req.can_read_body and req.has_body
    raw = await req.read()
    assert raw == b'{"a": "\\u00e9"}'
    assert await req.read() is raw
    assert await req.text() == raw.decode()
    assert await req.json() == {"a": "é"}
    assert await req.json(loads=lambda s: len(s)) == len(raw)
    assert not req.can_read_body


async def test_text_uses_charset() -> None:
    req, _ = make("é".encode("latin-1"), {"Content-Type": "text/plain; charset=latin-1"})
    assert await req.text() == "é"


async def test_empty_body() -> None:
    req, _ = make(None)
    assert not req.body_exists
    assert not req.can_read_body
    assert await req.read() == b""
    assert await req.text() == ""


async def test_declared_length_over_limit_is_413_without_reading() -> None:
    req, payload = make(b"x" * 100, client_max_size=10)
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.read()
    assert info.value.status == 413
    assert info.value.keep_alive is False
    assert payload.total_bytes == 100
    assert not payload.at_eof()  # nothing consumed


async def test_streamed_body_over_limit_is_413() -> None:
    # No Content-Length and the stream is still open: refused without waiting for the end.
    req, payload = make(
        [b"a" * 8, b"b" * 8, b"c" * 8], declare_length=False, eof=False, client_max_size=10
    )
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.read()
    assert "Maximum request body size 10 exceeded" in (info.value.text or "")
    assert not payload.at_eof()


async def test_zero_limit_means_unbounded() -> None:
    req, _ = make(b"x" * 100, client_max_size=0)
    assert len(await req.read()) == 100


async def test_read_waits_for_more_data() -> None:
    req, payload = make([b"ab"], declare_length=False, eof=False)
    task = asyncio.ensure_future(req.read())
    await asyncio.sleep(0)
    assert not task.done()
    payload.feed_data(b"cd")
    payload.feed_eof()
    assert await task == b"abcd"


async def test_read_of_a_complete_body_does_not_suspend() -> None:
    req, _ = make([b"ab", b"cd", b"ef"])
    coro = req.read()
    with pytest.raises(StopIteration) as info:
        coro.send(None)  # finished on its first step: nothing to wait for
    assert info.value.value == b"abcdef"
    assert await req.read() == b"abcdef"
    assert not req.can_read_body


async def test_read_of_a_complete_body_keeps_what_was_not_consumed() -> None:
    req, payload = make([b"head-", b"rest"], declare_length=False)
    assert await payload.read(5) == b"head-"
    assert await req.read() == b"rest"


async def test_complete_undeclared_body_over_limit_is_413() -> None:
    req, _ = make([b"a" * 8, b"b" * 8], declare_length=False, client_max_size=10)
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.read()
    assert "Maximum request body size 10 exceeded" in (info.value.text or "")
    assert info.value.keep_alive is False


async def test_complete_body_with_error_raises_it() -> None:
    req, payload = make([b"abc"])
    payload.set_exception(HTTPBadRequest(text="broken body"))
    with pytest.raises(HTTPBadRequest):
        await req.read()


async def test_post_urlencoded() -> None:
    req, _ = make(b"a=1&b=%C3%A9&a=2&empty=", {"Content-Type": "application/x-www-form-urlencoded"})
    form = await req.post()
    assert form.getall("a") == ["1", "2"]
    assert form["b"] == "é"
    assert form["empty"] == ""
    assert await req.post() is form


async def test_post_without_content_type_is_empty() -> None:
    # A missing Content-Type means application/octet-stream (as in aiohttp): not a form.
    req, _ = make(b"k=v")
    assert dict(await req.post()) == {}


async def test_post_other_method_or_type_is_empty() -> None:
    req, _ = make(b"k=v", method="GET")
    assert len(await req.post()) == 0
    req2, _ = make(b"{}", {"Content-Type": "application/json"})
    assert len(await req2.post()) == 0


async def test_post_is_lenient_like_aiohttp() -> None:
    # Bad escapes stay as written, invalid UTF-8 becomes U+FFFD (aiohttp's behaviour).
    req, _ = make(b"a=%FF&b=%zz&c=%e2%82", {"Content-Type": "application/x-www-form-urlencoded"})
    assert list((await req.post()).items()) == [("a", "\ufffd"), ("b", "%zz"), ("c", "\ufffd")]


async def test_post_unknown_charset_is_400() -> None:
    ctype = {"Content-Type": "application/x-www-form-urlencoded; charset=no-such"}
    req, _ = make(b"a=1", ctype)
    with pytest.raises(HTTPBadRequest):
        await req.post()


async def test_post_too_many_fields_is_413() -> None:
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    req, _ = make(b"a=1&b=2&c=3", form_type)
    req = req.clone(client_max_fields=2)
    assert req.client_max_fields == 2
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await req.post()
    assert info.value.text == "Maximum number of form fields 2 exceeded."
    req, _ = make(b"a=1&b=2", form_type)
    assert len(await req.clone(client_max_fields=2).post()) == 2
    req, _ = make(b"&".join(b"k=v" for _ in range(1500)), form_type)
    assert len(await req.clone(client_max_fields=0).post()) == 1500


async def test_client_max_size_none_is_unlimited() -> None:
    req, _ = make(b"x" * 5000, client_max_size=None)  # type: ignore[arg-type]
    assert len(await req.read()) == 5000
    assert req.client_max_size is None


async def test_post_over_limit_is_413() -> None:
    form_type = {"Content-Type": "application/x-www-form-urlencoded"}
    req, _ = make(b"a=" + b"x" * 50, form_type, client_max_size=10)
    with pytest.raises(HTTPRequestEntityTooLarge):
        await req.post()


async def test_release_consumes_body() -> None:
    req, payload = make([b"abc", b"def"])
    await req.release()
    assert payload.at_eof()
    assert not req.can_read_body


async def test_text_unknown_charset_is_415() -> None:
    req, _ = make(b"abc", {"Content-Type": "text/plain; charset=no-such-charset"})
    with pytest.raises(HTTPUnsupportedMediaType):
        await req.text()


async def test_text_invalid_bytes_raise_unicode_error() -> None:
    req, _ = make(b"\xff\xfe\xfa", {"Content-Type": "text/plain; charset=utf-8"})
    with pytest.raises(UnicodeDecodeError):
        await req.text()


async def test_read_of_a_body_arriving_in_pieces_is_exact_whatever_the_framing() -> None:
    pieces = [bytes([i]) * 70_000 for i in range(5)]
    for declare in (True, False):  # sized from Content-Length, or grown (chunked)
        req, payload = make(pieces[:1], declare_length=declare, eof=False)
        if declare:
            req._message.content_length = sum(map(len, pieces))
        task = asyncio.ensure_future(req.read())
        for piece in pieces[1:]:
            await asyncio.sleep(0)
            payload.feed_data(piece)
        payload.feed_eof()
        body = await task
        assert type(body) is bytes and body == b"".join(pieces)
        assert await req.read() is body
