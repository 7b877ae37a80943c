"""StreamResponse/Response: the head sent at prepare, keep-alive, framing, the state machine."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app._base_request import BaseRequest
from web_app._response import Response
from web_app._stream_response import StreamResponse
from web_app.integration import send_at_once
from web_http import EMPTY_PAYLOAD, HttpVersion, HttpVersion10, HttpVersion11, RequestHead


class FakeWriter:
    """Records what a response hands to the connection's writer."""

    def __init__(self) -> None:
        self.head: bytes | None = None
        self.body: list[bytes] = []
        self.eof = False
        self.chunked = False
        self.compression: str | None = None
        self.output_size = 0
        self.headers_sent_early = False
        self.complete: list[bytes] = []

    def send_complete(self, data: bytes) -> None:
        self.complete.append(data)

    def write_headers(self, head: bytes) -> None:
        assert self.head is None
        self.head = head

    def send_headers(self) -> None:
        self.headers_sent_early = True

    def enable_chunking(self) -> None:
        self.chunked = True

    def enable_compression(self, encoding: str, strategy: int | None = None) -> None:
        self.compression = encoding

    async def write(self, data: bytes) -> None:
        assert not self.eof
        self.body.append(bytes(data))
        self.output_size += len(data)

    async def write_eof(self, data: bytes = b"") -> None:
        self.body.append(bytes(data))
        self.output_size += len(data)
        self.eof = True

    async def drain(self) -> None:
        return None

    def head_lines(self) -> list[str]:
        assert self.head is not None
        return self.head.decode().split("\r\n")

    def header(self, name: str) -> list[str]:
        prefix = name.lower() + ": "
        return [ln[len(prefix) :] for ln in self.head_lines() if ln.lower().startswith(prefix)]


def make_request(
    method: str = "GET",
    target: str = "/",
    headers: dict[str, str] | None = None,
    version: HttpVersion = HttpVersion11,
    keep_alive: bool = True,
) -> tuple[BaseRequest, FakeWriter]:
    hdrs = CIMultiDict(headers or {})
    head = RequestHead(
        method=method,
        target=target,
        version=version,
        headers=CIMultiDictProxy(hdrs),
        raw_headers=tuple((k.encode(), v.encode()) for k, v in hdrs.items()),
        keep_alive=keep_alive,
        upgrade=False,
        chunked=False,
        content_length=None,
        encoding=None,
        expect_continue=False,
    )
    writer = FakeWriter()
    protocol = cast(Any, type("P", (), {"transport": None})())
    task = cast(Any, asyncio.current_task())
    req = BaseRequest(
        head, EMPTY_PAYLOAD, protocol, cast(Any, writer), task, asyncio.get_running_loop()
    )
    return req, writer


async def test_response_text_head_and_body() -> None:
    req, w = make_request()
    resp = Response(text="hi")
    await resp.prepare(req)
    await resp.write_eof()
    lines = w.head_lines()
    assert lines[0] == "HTTP/1.1 200 OK"
    assert w.header("Content-Length") == ["2"]
    assert w.header("Content-Type") == ["text/plain; charset=utf-8"]
    assert w.header("Server")[0].startswith("Python/")
    assert w.header("Date")[0].endswith(" GMT")
    assert w.header("Connection") == []
    assert w.head is not None and w.head.endswith(b"\r\n\r\n")
    assert b"".join(w.body) == b"hi"
    assert resp.keep_alive is True
    assert not w.headers_sent_early  # Response keeps the head for one write with the body


async def test_stream_response_pushes_head_at_prepare() -> None:
    req, w = make_request()
    resp = StreamResponse()
    await resp.prepare(req)
    assert w.headers_sent_early


async def test_prepare_is_idempotent_and_returns_writer() -> None:
    req, w = make_request()
    resp = StreamResponse()
    first = await resp.prepare(req)
    second = await resp.prepare(req)
    assert first is second is cast(Any, w)
    assert resp.prepared
    await resp.write_eof()
    assert await resp.prepare(req) is None


async def test_custom_status_and_reason() -> None:
    req, w = make_request()
    resp = Response(status=418, reason="Teapot here")
    await resp.prepare(req)
    assert w.head_lines()[0] == "HTTP/1.1 418 Teapot here"
    assert resp.status == 418
    assert resp.reason == "Teapot here"


async def test_unknown_status_has_empty_reason() -> None:
    resp = Response(status=599)
    assert resp.reason == ""


@pytest.mark.parametrize("status", [0, 99, 1000, -1])
def test_invalid_status_rejected(status: int) -> None:
    with pytest.raises(ValueError):
        StreamResponse(status=status)


@pytest.mark.parametrize("reason", ["a\r\nX: y", "a\nb", "a\rb"])
def test_reason_with_newline_rejected(reason: str) -> None:
    with pytest.raises(ValueError):
        StreamResponse(reason=reason)


async def test_set_status_after_prepare_raises() -> None:
    req, _ = make_request()
    resp = StreamResponse()
    resp.set_status(201)
    assert resp.reason == "Created"
    await resp.prepare(req)
    with pytest.raises(RuntimeError):
        resp.set_status(404)


async def test_http10_keep_alive_header() -> None:
    req, w = make_request(version=HttpVersion10, keep_alive=True)
    resp = Response(body=b"x")
    await resp.prepare(req)
    assert w.head_lines()[0] == "HTTP/1.0 200 OK"
    assert w.header("Connection") == ["keep-alive"]


async def test_http11_not_keep_alive_says_close() -> None:
    req, w = make_request(keep_alive=False)
    resp = Response(body=b"x")
    await resp.prepare(req)
    assert w.header("Connection") == ["close"]
    assert resp.keep_alive is False


async def test_force_close() -> None:
    req, w = make_request()
    resp = Response(body=b"x")
    assert resp.keep_alive is None
    resp.force_close()
    await resp.prepare(req)
    assert w.header("Connection") == ["close"]
    assert resp.keep_alive is False


async def test_stream_response_unknown_length_is_chunked_on_11() -> None:
    req, w = make_request()
    resp = StreamResponse()
    await resp.prepare(req)
    assert w.chunked
    assert w.header("Transfer-Encoding") == ["chunked"]
    assert w.header("Content-Type") == ["application/octet-stream"]
    await resp.write(b"abc")
    await resp.write_eof()
    assert b"".join(w.body) == b"abc"


async def test_stream_response_unknown_length_on_10_closes() -> None:
    req, w = make_request(version=HttpVersion10)
    resp = StreamResponse()
    await resp.prepare(req)
    assert not w.chunked
    assert resp.keep_alive is False


async def test_enable_chunked_encoding_http10_raises() -> None:
    req, _ = make_request(version=HttpVersion10)
    resp = StreamResponse()
    resp.enable_chunked_encoding()
    assert resp.chunked
    with pytest.raises(RuntimeError):
        await resp.prepare(req)


async def test_chunked_and_content_length_exclusive() -> None:
    resp = StreamResponse()
    resp.content_length = 3
    with pytest.raises(RuntimeError):
        resp.enable_chunked_encoding()
    resp2 = StreamResponse()
    resp2.enable_chunked_encoding()
    with pytest.raises(RuntimeError):
        resp2.content_length = 3


async def test_content_length_caps_the_body() -> None:
    req, w = make_request()
    resp = StreamResponse()
    resp.content_length = 3
    await resp.prepare(req)
    assert not w.chunked
    await resp.write(b"abcdef")
    await resp.write(b"more")
    await resp.write_eof(b"end")
    assert b"".join(w.body) == b"abc"
    assert resp.keep_alive is True


async def test_short_body_closes_connection() -> None:
    req, _w = make_request()
    resp = StreamResponse()
    resp.content_length = 10
    await resp.prepare(req)
    await resp.write(b"abc")
    await resp.write_eof()
    assert resp.keep_alive is False


async def test_head_request_sends_length_but_no_body() -> None:
    req, w = make_request(method="HEAD")
    resp = Response(body=b"abc")
    await resp.prepare(req)
    await resp.write_eof()
    assert w.header("Content-Length") == ["3"]
    assert b"".join(w.body) == b""
    assert resp.keep_alive is True


async def test_head_stream_response_drops_writes() -> None:
    req, w = make_request(method="HEAD")
    resp = StreamResponse()
    await resp.prepare(req)
    await resp.write(b"abc")
    await resp.write_eof(b"def")
    assert b"".join(w.body) == b""
    assert w.header("Transfer-Encoding") == []


@pytest.mark.parametrize("status", [204, 304])
async def test_no_body_statuses(status: int) -> None:
    req, w = make_request()
    resp = Response(status=status, body=b"ignored")
    await resp.prepare(req)
    await resp.write_eof()
    assert w.header("Content-Length") == []
    assert w.header("Transfer-Encoding") == []
    assert b"".join(w.body) == b""


async def test_empty_body_no_content_type() -> None:
    req, w = make_request()
    resp = Response()
    await resp.prepare(req)
    await resp.write_eof()
    assert w.header("Content-Length") == ["0"]
    assert w.header("Content-Type") == []


async def test_write_rules() -> None:
    req, _ = make_request()
    resp = StreamResponse()
    with pytest.raises(RuntimeError):
        await resp.write(b"x")
    await resp.prepare(req)
    with pytest.raises(TypeError):
        await resp.write(cast(Any, "text"))
    await resp.write(bytearray(b"ok"))
    await resp.write(memoryview(b"ok"))
    await resp.write_eof()
    await resp.write_eof()  # idempotent
    with pytest.raises(RuntimeError):
        await resp.write(b"x")


async def test_write_eof_before_prepare_raises() -> None:
    resp = StreamResponse()
    with pytest.raises(RuntimeError):
        await resp.write_eof()


async def test_changes_after_prepare_raise_or_warn() -> None:
    req, w = make_request()
    resp = Response(text="x")
    await resp.prepare(req)
    with pytest.raises(RuntimeError):
        resp.content_type = "text/html"
    with pytest.warns(RuntimeWarning, match="set a cookie"):
        resp.set_cookie("a", "b")
    with pytest.warns(RuntimeWarning, match="delete a cookie"):
        resp.del_cookie("a")
    assert "a" not in resp.cookies
    with pytest.raises(RuntimeError):
        resp.enable_compression()
    with pytest.raises(RuntimeError):
        resp.enable_chunked_encoding()
    with pytest.raises(RuntimeError):
        resp.last_modified = 0
    with pytest.raises(RuntimeError):
        resp.body = b"new"
    assert resp.headers["Content-Length"] == "1"  # still readable
    # Header changes are let through to a detached copy, with a warning (aiohttp ignores them).
    with pytest.warns(RuntimeWarning, match="not sent"):
        resp.headers["X-Late"] = "1"
    with pytest.warns(RuntimeWarning, match="not sent"):
        resp.headers.add("X-Late", "1")
    with pytest.warns(RuntimeWarning, match="not sent"):
        del resp.headers["Content-Length"]
    assert w.header("X-Late") == [] and w.header("Content-Length") == ["1"]


async def test_user_headers_kept_and_bad_header_refused() -> None:
    req, w = make_request()
    resp = Response(body=b"x", headers={"X-Custom": "1", "Server": "mine"})
    await resp.prepare(req)
    assert w.header("X-Custom") == ["1"]
    assert w.header("Server") == ["mine"]
    req2, _ = make_request()
    bad = Response(body=b"x", headers={"X-Evil": "a\r\nInjected: 1"})
    with pytest.raises(ValueError):
        await bad.prepare(req2)


async def test_prepare_hook_runs_after_default_headers() -> None:
    seen: list[str | None] = []

    class HookedRequest(BaseRequest):
        async def _prepare_hook(self, response: StreamResponse) -> None:
            seen.append(response.headers.get("Date"))
            response.headers["X-Hook"] = "yes"

    req, w = make_request()
    hooked = HookedRequest(req.message, req.content, req.protocol, req.writer, req.task, req.loop)
    resp = Response(text="x")
    await resp.prepare(hooked)
    assert seen and seen[0] is not None
    assert w.header("X-Hook") == ["yes"]


async def test_task_and_repr() -> None:
    req, _ = make_request(target="/p")
    resp = StreamResponse()
    assert resp.task is None
    assert "not prepared" in repr(resp)
    await resp.prepare(req)
    assert resp.task is asyncio.current_task()
    assert "GET /p" in repr(resp)
    await resp.write_eof()
    assert "eof" in repr(resp)


def test_dict_like_identity_truthiness() -> None:
    a = StreamResponse()
    b = StreamResponse()
    assert bool(a) and len(a) == 0
    assert a != b
    a["k"] = 1
    assert a["k"] == 1 and list(a) == ["k"] and len(a) == 1
    del a["k"]
    assert "k" not in a
    assert len({a, b}) == 2


async def test_cookies_become_set_cookie_headers() -> None:
    req, w = make_request()
    resp = Response(text="x")
    resp.set_cookie("sid", "abc", httponly=True, secure=True, samesite="Strict", partitioned=True)
    resp.set_cookie("theme", "dark", max_age=60)
    resp.del_cookie("old")
    await resp.prepare(req)
    values = w.header("Set-Cookie")
    assert len(values) == 3
    sid = values[0]
    assert sid.startswith("sid=abc")
    for part in ("HttpOnly", "Secure", "SameSite=Strict", "Path=/", "Partitioned"):
        assert part in sid
    assert "Max-Age=60" in values[1]
    assert values[2].startswith('old=""') and "Max-Age=0" in values[2]


async def test_enable_chunked_encoding_after_prepare_only_sets_the_flag() -> None:
    # aiohttp-sse calls it on a prepared stream; aiohttp does not raise there
    req, w = make_request()
    resp = StreamResponse()
    resp.enable_chunked_encoding()
    await resp.prepare(req)
    resp.enable_chunked_encoding()
    assert resp.chunked and w.chunked
    with pytest.warns(DeprecationWarning, match="Chunk size"):
        resp.enable_chunked_encoding(chunk_size=10)


# -- extension points for subclasses: auto_framing, send_headers_at_prepare, eof state ------


class _SelfFramed(StreamResponse):
    """A subclass that frames its own body (as an upgraded stream does)."""

    auto_framing = False


async def test_auto_framing_off_leaves_framing_to_the_subclass() -> None:
    req, w = make_request()
    resp = _SelfFramed()
    resp.content_length = 3
    await resp.prepare(req)
    assert not w.chunked
    assert w.header("Transfer-Encoding") == []
    assert w.header("Content-Length") == ["3"]
    await resp.write(b"abcdef")  # not capped: the subclass owns the length
    await resp.write_eof()
    assert b"".join(w.body) == b"abcdef"
    assert resp.keep_alive is True


async def test_auto_framing_off_without_length_neither_chunks_nor_closes() -> None:
    req, w = make_request(version=HttpVersion10)
    resp = _SelfFramed()
    await resp.prepare(req)
    assert not w.chunked
    assert resp.keep_alive is True
    req11, w11 = make_request()
    await _SelfFramed().prepare(req11)
    assert not w11.chunked
    assert w11.header("Transfer-Encoding") == []


async def test_auto_framing_can_be_turned_off_per_instance() -> None:
    req, w = make_request()
    resp = StreamResponse()
    resp.auto_framing = False
    await resp.prepare(req)
    assert not w.chunked
    assert StreamResponse.auto_framing is True


async def test_send_headers_at_prepare_off_keeps_the_head_for_the_body() -> None:
    class Buffered(StreamResponse):
        send_headers_at_prepare = False

    req, w = make_request()
    await Buffered().prepare(req)
    assert w.head is not None
    assert not w.headers_sent_early
    assert StreamResponse.send_headers_at_prepare is True
    assert Response.send_headers_at_prepare is False


async def test_eof_sent_payload_writer_and_mark_eof_sent() -> None:
    req, w = make_request()
    resp = _SelfFramed()
    assert resp.payload_writer is None
    assert not resp.eof_sent
    writer = await resp.prepare(req)
    assert writer is cast(Any, w)
    assert resp.payload_writer is writer
    resp.mark_eof_sent()  # the subclass's protocol ended the stream itself
    assert resp.eof_sent
    assert resp.prepared
    with pytest.raises(RuntimeError, match="after write_eof"):
        await resp.write(b"x")
    await resp.write_eof()  # returns at once: the writer gets no end of body
    assert not w.eof
    assert await resp.prepare(req) is None


async def test_write_eof_clears_payload_writer() -> None:
    req, _w = make_request()
    resp = StreamResponse()
    await resp.prepare(req)
    await resp.write_eof()
    assert resp.eof_sent
    assert resp.payload_writer is None


async def test_response_subclass_changing_framing_leaves_the_fast_path() -> None:
    class Framed(Response):
        auto_framing = False

    class Plain(Response):
        pass

    req, w = make_request()
    assert send_at_once(Plain(text="x"), req, cast(Any, w))
    assert len(w.complete) == 1 and w.complete[0].endswith(b"\r\n\r\nx")
    req, w = make_request()
    framed = Framed(text="x")
    assert not send_at_once(framed, req, cast(Any, w))  # its framing is its own: general path
    assert w.complete == [] and not framed.prepared
    await framed.prepare(req)
    await framed.write_eof()
    assert w.head is not None and b"".join(w.body) == b"x"


async def test_aiohttp_private_hook_names_keep_working_with_a_warning() -> None:
    with pytest.warns(DeprecationWarning, match="_length_check is aiohttp's private name"):

        class Ported(StreamResponse):
            _length_check = False

    with pytest.warns(DeprecationWarning, match="set send_headers_at_prepare instead"):

        class Buffered(StreamResponse):
            _send_headers_immediately = False

    assert Ported.auto_framing is False
    assert Buffered.send_headers_at_prepare is False
    req, w = make_request()
    await Ported().prepare(req)
    assert not w.chunked  # the ported subclass frames its own body, as on aiohttp
    resp = StreamResponse()
    with pytest.warns(DeprecationWarning, match="set auto_framing instead"):
        resp._length_check = False  # aiohttp's FileResponse does this on the instance
    assert resp.auto_framing is False and resp._length_check is False
    req2, w2 = make_request()
    await resp.prepare(req2)
    assert not w2.chunked
