"""The one-write fast path for plain responses sends exactly what the general path sends.

Each case is served twice over a fake transport: once as the handler returns it (the
connection takes the fast path when it can) and once after the handler touched
``resp.headers`` (which creates the header multidict and so forces the general path of
``prepare`` + ``write_eof``). The bytes on the wire must be identical but for the Date.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from web_app import (
    Application,
    BaseRequest,
    HTTPBadRequest,
    HTTPNotFound,
    PayloadWriter,
    Request,
    Response,
    Server,
    StreamResponse,
    json_response,
)

_DATE = re.compile(rb"Date: [^\r]*\r\n")


class FakeTransport:
    def __init__(self) -> None:
        self.out = bytearray()
        self.writes = 0
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.writes += 1
        self.out += data

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default


async def serve(
    make: Callable[[], StreamResponse], raw: bytes, *, general: bool
) -> tuple[bytes, FakeTransport, list[StreamResponse]]:
    sent: list[StreamResponse] = []

    async def handler(request: BaseRequest) -> StreamResponse:
        resp = make()
        if general:
            resp.headers  # noqa: B018 - creating the multidict disables the fast path
        sent.append(resp)
        return resp

    server = Server(handler)
    proto = server()
    transport = FakeTransport()
    proto.connection_made(transport)  # type: ignore[arg-type]
    proto.data_received(raw)
    for _ in range(5):
        await asyncio.sleep(0)
    return _DATE.sub(b"Date: X\r\n", bytes(transport.out)), transport, sent


GET11 = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
GET11_CLOSE = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
GET10 = b"GET / HTTP/1.0\r\n\r\n"
GET10_KEEP = b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
HEAD11 = b"HEAD / HTTP/1.1\r\nHost: x\r\n\r\n"
POST11 = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"

CASES: dict[str, Callable[[], StreamResponse]] = {
    "text": lambda: Response(text="Hello, World!"),
    "text-charset": lambda: Response(text="h\xe9", content_type="text/html", charset="latin-1"),
    "bytes-no-type": lambda: Response(body=b"\x00\x01binary"),
    "bytes-typed": lambda: Response(body=b"{}", content_type="application/json"),
    "bytearray": lambda: Response(body=bytearray(b"abc"), content_type="text/csv"),
    "empty": lambda: Response(),
    "empty-typed": lambda: Response(content_type="text/plain"),
    "status": lambda: Response(status=201, text="made"),
    "reason": lambda: Response(status=299, reason="Fine Indeed", text="x"),
    "unregistered": lambda: Response(status=599, text="x"),
    "error-status": lambda: Response(status=404, text="nope"),
    "no-content": lambda: Response(status=204),
    "not-modified": lambda: Response(status=304),
    "json": lambda: json_response({"a": [1, 2.5, None], "b": "\u2603"}),
    "json-status": lambda: json_response({"a": 1}, status=202),
    "non-ascii-type": lambda: Response(body=b"x", content_type="text/\u00e9"),
    "http-exception": lambda: HTTPNotFound(),
    "http-exception-text": lambda: HTTPBadRequest(text="bad input"),
}


@pytest.mark.parametrize("raw", [GET11, GET11_CLOSE, GET10, GET10_KEEP, HEAD11, POST11])
@pytest.mark.parametrize("case", sorted(CASES))
async def test_fast_and_general_paths_send_the_same_bytes(case: str, raw: bytes) -> None:
    fast, fast_transport, _ = await serve(CASES[case], raw, general=False)
    slow, _, _ = await serve(CASES[case], raw, general=True)
    assert fast == slow
    assert fast.startswith(b"HTTP/1.")
    assert fast_transport.writes == 1  # head and body in one write


async def test_hello_on_the_wire() -> None:
    out, transport, _ = await serve(CASES["text"], GET11, general=False)
    assert out == (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: 13\r\nDate: X\r\nServer: " + _server() + b"\r\n\r\nHello, World!"
    )
    assert not transport.closed


def _server() -> bytes:
    from web_app._response_headers import SERVER_SOFTWARE

    return SERVER_SOFTWARE.encode()


@pytest.mark.parametrize(
    ("raw", "connection"),
    [(GET11, None), (GET11_CLOSE, "close"), (GET10, None), (GET10_KEEP, "keep-alive")],
)
async def test_headers_after_fast_send_show_what_was_sent(
    raw: bytes, connection: str | None
) -> None:
    out, transport, sent = await serve(CASES["bytes-no-type"], raw, general=False)
    resp = sent[0]
    assert resp.prepared
    headers = resp.headers
    assert headers["Content-Length"] == "8"
    assert headers["Content-Type"] == "application/octet-stream"
    assert headers["Server"] == _server().decode()
    assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT", headers["Date"])
    assert headers.get("Connection") == connection
    head = out.split(b"\r\n\r\n", 1)[0].split(b"\r\n")[1:]
    names = [line.split(b":", 1)[0].decode() for line in head]
    assert names == list(headers.keys())
    with pytest.warns(RuntimeWarning, match="not sent"):
        headers["X-Late"] = "1"
    assert b"X-Late" not in out
    assert resp.body_length == len(transport.out)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Response(text="x", content_type="text/plain\r\nX-Injected: 1"),
        lambda: Response(body=b"x", content_type="text/plain\nX-Injected: 1"),
        lambda: Response(body=b"x", content_type="text/plain\x00"),
        lambda: Response(status=200, reason="OK\x00", text="x"),
    ],
)
async def test_control_characters_are_refused_not_sent(make: Callable[[], Response]) -> None:
    out, transport, _ = await serve(make, GET11, general=False)
    assert out.startswith(b"HTTP/1.1 500 Internal Server Error\r\n")
    assert b"X-Injected" not in out
    assert b"\x00" not in out
    assert transport.closed


async def test_prepare_signal_still_sees_and_changes_the_head() -> None:
    seen: list[str | None] = []

    async def on_prepare(request: Request, response: StreamResponse) -> None:
        seen.append(response.headers.get("Content-Type"))
        response.headers["X-Signal"] = "yes"

    async def handler(request: Request) -> StreamResponse:
        return Response(text="hi")

    app = Application()
    app.router.add_get("/", handler)
    app.on_response_prepare.append(on_prepare)
    server = app._make_handler()
    proto = server()
    transport = FakeTransport()
    proto.connection_made(transport)  # type: ignore[arg-type]
    proto.data_received(GET11)
    for _ in range(5):
        await asyncio.sleep(0)
    assert seen == ["text/plain; charset=utf-8"]
    assert b"\r\nX-Signal: yes\r\n" in transport.out


async def test_a_sub_applications_prepare_signal_sees_its_plain_responses() -> None:
    async def on_prepare(request: Request, response: StreamResponse) -> None:
        response.headers["X-Signal"] = "sub"

    async def handler(request: Request) -> StreamResponse:
        return Response(text="hi")

    app, sub = Application(), Application()
    app.router.add_get("/", handler)
    sub.router.add_get("/x", handler)
    sub.on_response_prepare.append(on_prepare)
    app.add_subapp("/sub", sub)
    server = app._make_handler()
    answers = []
    for request_line in (b"GET /sub/x HTTP/1.1\r\n", b"GET / HTTP/1.1\r\n"):
        proto = server()
        transport = FakeTransport()
        proto.connection_made(transport)  # type: ignore[arg-type]
        proto.data_received(request_line + b"Host: h\r\n\r\n")
        for _ in range(5):
            await asyncio.sleep(0)
        answers.append(bytes(transport.out))
    assert b"\r\nX-Signal: sub\r\n" in answers[0] and answers[0].endswith(b"\r\n\r\nhi")
    assert b"X-Signal" not in answers[1] and answers[1].endswith(b"\r\n\r\nhi")


async def test_a_request_class_with_its_own_prepare_hook_runs_it() -> None:
    class Hooked(BaseRequest):
        async def _prepare_hook(self, response: Any) -> None:
            response.headers["X-Hook"] = "yes"

    async def handler(request: BaseRequest) -> StreamResponse:
        assert type(request) is Hooked
        return Response(text="h")

    def factory(head: Any, payload: Any, protocol: Any, writer: Any, task: Any) -> BaseRequest:
        return Hooked(head, payload, protocol, writer, task, asyncio.get_running_loop())

    proto = Server(handler, request_factory=factory)()
    transport = FakeTransport()
    proto.connection_made(transport)  # type: ignore[arg-type]
    proto.data_received(GET11)
    for _ in range(5):
        await asyncio.sleep(0)
    assert b"\r\nX-Hook: yes\r\n" in transport.out and transport.out.endswith(b"\r\n\r\nh")


async def test_cookies_and_compression_take_the_general_path() -> None:
    def with_cookie() -> Response:
        resp = Response(text="c")
        resp.set_cookie("a", "b")
        return resp

    out, _, _ = await serve(with_cookie, GET11, general=False)
    assert b"\r\nSet-Cookie: a=b; Path=/\r\n" in out

    def compressed() -> Response:
        resp = Response(text="z" * 100)
        resp.enable_compression(force=True)
        return resp

    out, _, _ = await serve(compressed, GET11, general=False)
    assert b"\r\nContent-Encoding: deflate\r\n" in out


class Tagged(Response):
    """A user's subclass that changes prepare: it must always be sent the general way."""

    async def prepare(self, request: BaseRequest) -> PayloadWriter | None:
        self.headers["X-Tagged"] = "1"
        return await super().prepare(request)


async def test_subclass_overriding_prepare_is_honoured() -> None:
    out, _, _ = await serve(lambda: Tagged(text="t"), GET11, general=False)
    assert b"\r\nX-Tagged: 1\r\n" in out
    assert out.endswith(b"\r\n\r\nt")


async def test_raised_http_exception_is_sent_whole() -> None:
    async def handler(request: BaseRequest) -> StreamResponse:
        raise HTTPNotFound(text="gone")

    server = Server(handler)
    proto = server()
    transport = FakeTransport()
    proto.connection_made(transport)  # type: ignore[arg-type]
    proto.data_received(GET11 + GET11)
    for _ in range(10):
        await asyncio.sleep(0)
    out = _DATE.sub(b"Date: X\r\n", bytes(transport.out))
    one = (
        b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"Content-Length: 4\r\nDate: X\r\nServer: " + _server() + b"\r\n\r\ngone"
    )
    assert out == one + one
    assert not transport.closed


async def test_response_without_headers_argument_still_has_a_multidict() -> None:
    resp = Response(text="x")
    assert resp.content_type == "text/plain"
    assert resp.charset == "utf-8"
    resp.headers["X-A"] = "1"
    assert list(resp.headers.items()) == [
        ("Content-Type", "text/plain; charset=utf-8"),
        ("X-A", "1"),
    ]
    resp2 = Response(body=b"x", content_type="text/csv")
    resp2.charset = "utf-8"
    assert resp2.headers["Content-Type"] == "text/csv; charset=utf-8"
    resp3 = Response(body="text body")
    assert resp3.content_type == "text/plain"
    assert resp3.text == "text body"


@pytest.mark.parametrize(
    "data",
    [
        {"message": "Hello, World!", "items": [1, 2, 3], "ok": True},
        [1.5, float("inf"), float("nan"), None, "\u2603\ud83d\ude00"],
        "plain",
        42,
        {1: "int key", False: "bool key", None: "none key", 2.5: "float key"},
    ],
)
def test_json_response_matches_json_dumps(data: Any) -> None:
    resp = json_response(data)
    assert resp.text == json.dumps(data)
    assert resp.content_type == "application/json"
    assert resp.charset == "utf-8"
    assert resp.status == 200


def test_json_response_errors_match_json_dumps_and_do_not_stick() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference detected"):
        json_response(loop)
    with pytest.raises(TypeError, match="not JSON serializable"):
        json_response({"a": [{1, 2}]})
    # A failed encode must not leave stale state: the same shapes encode fine afterwards.
    shared = [1]
    assert json_response({"a": shared, "b": shared}).text == '{"a": [1], "b": [1]}'


def test_json_response_with_custom_dumps_and_options() -> None:
    resp = json_response({"a": 1}, dumps=lambda obj: json.dumps(obj, separators=(",", ":")))
    assert resp.text == '{"a":1}'
    resp = json_response({"a": 1}, status=201, reason="Made", headers={"X-A": "b"})
    assert (resp.status, resp.reason, resp.headers["X-A"]) == (201, "Made", "b")
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    resp = json_response({"a": 1}, content_type="application/vnd.api+json")
    assert resp.content_type == "application/vnd.api+json"
