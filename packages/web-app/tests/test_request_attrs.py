"""BaseRequest attributes derived from the request head and the transport."""

from __future__ import annotations

import datetime
import socket
from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app._base_request import BaseRequest
from web_app._exceptions import HTTPBadRequest
from web_http import EMPTY_PAYLOAD, ETag, HttpVersion10, HttpVersion11, RequestHead
from yarl import URL


class FakeTransport:
    def __init__(self, extra: dict[str, Any]) -> None:
        self.extra = extra

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return self.extra.get(name, default)


class FakeProtocol:
    def __init__(self, transport: FakeTransport | None) -> None:
        self.transport = transport


def make(
    target: str = "/",
    headers: dict[str, str] | list[tuple[str, str]] | None = None,
    *,
    method: str = "GET",
    extra: dict[str, Any] | None = None,
    transport: bool = True,
    keep_alive: bool = True,
    **kwargs: Any,
) -> BaseRequest:
    hdrs: CIMultiDict[str] = CIMultiDict(headers or {})
    head = RequestHead(
        method=method,
        target=target,
        version=HttpVersion11,
        headers=CIMultiDictProxy(hdrs),
        raw_headers=tuple((k.encode(), v.encode()) for k, v in hdrs.items()),
        keep_alive=keep_alive,
        upgrade=False,
        chunked=False,
        content_length=None,
        encoding=None,
        expect_continue=False,
    )
    default_extra: dict[str, Any] = {"peername": ("10.0.0.1", 5555)}
    tr = FakeTransport(default_extra if extra is None else extra) if transport else None
    return BaseRequest(
        head,
        EMPTY_PAYLOAD,
        cast(Any, FakeProtocol(tr)),
        cast(Any, object()),
        cast(Any, None),
        cast(Any, None),
        **kwargs,
    )


def test_request_line() -> None:
    req = make("/a%20b/c?x=1&x=2&y=", {"Host": "example.com:8080"}, method="POST")
    assert req.method == "POST"
    assert req.version == HttpVersion11
    assert req.raw_path == "/a%20b/c?x=1&x=2&y="
    assert req.path == "/a b/c"
    assert req.rel_url == URL("/a%20b/c?x=1&x=2&y=")
    assert req.query.getall("x") == ["1", "2"]
    assert req.query["y"] == ""
    assert req.query_string == "x=1&x=2&y="
    assert req.path_qs == "/a%20b/c?x=1&x=2&y="
    assert req.url == URL("http://example.com:8080/a%20b/c?x=1&x=2&y=")
    assert req.url.port == 8080
    assert req.host == "example.com:8080"


def test_rel_url_is_cached() -> None:
    req = make("/p?q=1")
    assert req.rel_url is req.rel_url
    assert req.url is req.url


def test_absolute_form_target() -> None:
    req = make("http://other.example/x/y?z=1", {"Host": "other.example"})
    assert req.path == "/x/y"
    assert req.query_string == "z=1"
    assert req.url == URL("http://other.example/x/y?z=1")


def test_double_slash_path_stays_a_path() -> None:
    req = make("//evil.example/p", {"Host": "good.example"})
    assert req.path == "//evil.example/p"
    assert req.url.host == "good.example"
    assert req.url.path == "//evil.example/p"


def test_asterisk_and_connect_targets() -> None:
    assert make("*", method="OPTIONS").path == "*"
    connect = make("example.com:443", method="CONNECT")
    assert connect.raw_path == "example.com:443"
    assert connect.path == ""


@pytest.mark.parametrize("host", ["ex ample.com", "a/b", "a@b", "[::1"])
def test_bad_host_header_url_is_400(host: str) -> None:
    req = make("/", {"Host": host})
    with pytest.raises(HTTPBadRequest):
        _ = req.url


def test_host_falls_back_to_fqdn() -> None:
    req = make("/")
    assert req.host == socket.getfqdn()


def test_scheme_and_secure() -> None:
    assert make("/").scheme == "http"
    assert not make("/").secure
    tls = make("/", extra={"sslcontext": object(), "peername": ("::1", 1, 0, 0)})
    assert tls.scheme == "https"
    assert tls.secure
    assert tls.remote == "::1"


def test_remote() -> None:
    assert make("/").remote == "10.0.0.1"
    assert make("/", extra={"peername": "/tmp/sock"}).remote == "/tmp/sock"
    assert make("/", transport=False).remote is None
    assert make("/", transport=False).transport is None
    assert make("/", extra={}).remote is None


def test_overrides_from_constructor() -> None:
    req = make("/", {"Host": "a"}, scheme="https", host="b.example", remote="1.2.3.4")
    assert req.scheme == "https"
    assert req.host == "b.example"
    assert req.remote == "1.2.3.4"
    assert req.url == URL("https://b.example/")


def test_get_extra_info() -> None:
    req = make("/", extra={"peername": ("1.1.1.1", 1), "custom": 42})
    assert req.get_extra_info("custom") == 42
    assert req.get_extra_info("missing", "dflt") == "dflt"
    assert make("/", transport=False).get_extra_info("custom", 7) == 7


def test_headers_and_raw_headers() -> None:
    req = make("/", [("X-A", "1"), ("x-a", "2")])
    assert req.headers.getall("X-A") == ["1", "2"]
    assert req.raw_headers == ((b"X-A", b"1"), (b"x-a", b"2"))
    assert req.keep_alive is True
    assert make("/", keep_alive=False).keep_alive is False


def test_cookies() -> None:
    req = make("/", {"Cookie": "a=1; b=two; c="})
    assert dict(req.cookies) == {"a": "1", "b": "two", "c": ""}
    with pytest.raises(TypeError):
        req.cookies["a"] = "x"  # type: ignore[index]
    assert dict(make("/").cookies) == {}


def test_content_type_and_charset() -> None:
    req = make("/", {"Content-Type": "Text/HTML; Charset=UTF-8"})
    assert req.content_type == "text/html"
    assert req.charset == "UTF-8"
    plain = make("/")
    assert plain.content_type == "application/octet-stream"
    assert plain.charset is None


def test_http_range() -> None:
    assert make("/", {"Range": "bytes=2-5"}).http_range == slice(2, 6, 1)
    assert make("/", {"Range": "bytes=-3"}).http_range == slice(-3, None, 1)
    assert make("/").http_range == slice(None, None, 1)
    with pytest.raises(ValueError):
        _ = make("/", {"Range": "bytes=5-2"}).http_range


def test_conditional_dates() -> None:
    date = "Sun, 06 Nov 1994 08:49:37 GMT"
    expected = datetime.datetime(1994, 11, 6, 8, 49, 37, tzinfo=datetime.timezone.utc)
    req = make("/", {"If-Modified-Since": date, "If-Unmodified-Since": date, "If-Range": date})
    assert req.if_modified_since == expected
    assert req.if_unmodified_since == expected
    assert req.if_range == expected
    assert make("/", {"If-Modified-Since": "garbage"}).if_modified_since is None
    assert make("/").if_modified_since is None


def test_etag_conditions() -> None:
    req = make("/", {"If-Match": '"a", W/"b"', "If-None-Match": "*"})
    assert req.if_match == (ETag("a"), ETag("b", is_weak=True))
    assert req.if_none_match == (ETag("*"),)
    assert make("/").if_match is None
    assert make("/").if_none_match is None


def test_forwarded() -> None:
    req = make("/", [("Forwarded", 'for=1.2.3.4;proto=https, for="[::1]"')])
    fwd = req.forwarded
    assert len(fwd) == 2
    assert fwd[0]["for"] == "1.2.3.4"
    assert fwd[0]["proto"] == "https"
    assert fwd[1]["for"] == "[::1]"
    assert make("/").forwarded == ()


def test_dict_like_and_identity() -> None:
    req = make("/")
    req["k"] = 1
    assert req["k"] == 1 and len(req) == 1 and list(req) == ["k"]
    assert req.get("missing") is None
    del req["k"]
    assert len(req) == 0 and bool(req)
    other = make("/")
    assert req != other
    assert len({req, other}) == 2
    assert "GET /" in repr(req)


def test_http10_version() -> None:
    head = make("/").message
    import dataclasses

    req = BaseRequest(
        dataclasses.replace(head, version=HttpVersion10),
        EMPTY_PAYLOAD,
        cast(Any, FakeProtocol(None)),
        cast(Any, object()),
        cast(Any, None),
        cast(Any, None),
    )
    assert req.version == HttpVersion10
    assert req.client_max_size == 1024**2
