"""Serializer: heads as one bytes object, response-splitting refusal, chunked, dates."""

from __future__ import annotations

import email.utils
from typing import Any

import pytest
from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, istr
from web_http import (
    ChunkedEncoder,
    HttpVersion,
    HttpVersion10,
    HttpVersion11,
    http_date,
    reason_phrase,
    serialize_request_head,
    serialize_response_head,
)
from web_http._serializer import _REQUEST_HEADS, _REQUEST_LINES


def test_response_head_bytes() -> None:
    out = serialize_response_head(200, "OK", [("Content-Type", "text/plain"), ("X-A", "1")])
    assert out == b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\n\r\n"


def test_response_head_from_multidict_keeps_duplicates() -> None:
    headers = CIMultiDict([("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")])
    out = serialize_response_head(404, "Not Found", headers, HttpVersion10)
    assert out == b"HTTP/1.0 404 Not Found\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\n"


def test_response_head_from_dict_and_utf8() -> None:
    out = serialize_response_head(200, "OK", {"X-Name": "café"})
    assert out.endswith(b"X-Name: caf\xc3\xa9\r\n\r\n")


def test_request_head_bytes() -> None:
    out = serialize_request_head("GET", "/x?y", [("Host", "h")])
    assert out == b"GET /x?y HTTP/1.1\r\nHost: h\r\n\r\n"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("X-A", "a\r\nSet-Cookie: evil=1"),
        ("X-A", "a\nb"),
        ("X-A", "a\rb"),
        ("X-A", "a\x00b"),
        ("X-A\r\nEvil", "1"),
        ("X A", "1"),
        ("X:A", "1"),
        ("", "1"),
        ("Ключ", "1"),
    ],
)
def test_response_splitting_refused(name: str, value: str) -> None:
    with pytest.raises(ValueError):
        serialize_response_head(200, "OK", [(name, value)])
    with pytest.raises(ValueError):
        serialize_request_head("GET", "/", [(name, value)])


def test_reason_and_status_validated() -> None:
    with pytest.raises(ValueError):
        serialize_response_head(200, "OK\r\nX: y", [])
    with pytest.raises(ValueError):
        serialize_response_head(42, "Nope", [])
    with pytest.raises(ValueError):
        serialize_request_head("GE T", "/", [])
    with pytest.raises(ValueError):
        serialize_request_head("GET", "/a b", [])


def test_a_field_sent_before_does_not_excuse_a_bad_one() -> None:
    good = [("Content-Type", "text/plain"), ("X-A", "1")]
    expected = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-A: 1\r\n\r\n"
    for _ in range(3):  # the second and third time the lines come from the cache
        assert serialize_response_head(200, "OK", good) == expected
    with pytest.raises(ValueError):
        serialize_response_head(200, "OK", [*good, ("X-A", "1\r\nSet-Cookie: evil=1")])
    with pytest.raises(ValueError):
        serialize_response_head(200, "OK", [("X-A\r\n", "1"), *good])


def test_bad_reason_is_refused_every_time() -> None:
    for _ in range(3):
        with pytest.raises(ValueError):
            serialize_response_head(200, "O\x00K", [])
        with pytest.raises(ValueError):
            serialize_response_head(200, "OK\n", [])
    with pytest.raises(ValueError):
        serialize_request_head("GET", "/\r\nX: 1", [])
    with pytest.raises(ValueError):
        serialize_request_head("GET", "/\x00", [])


def test_request_lines_come_out_the_same_cold_and_warm_and_stay_bounded() -> None:
    _REQUEST_LINES.clear()
    for version, text in ((HttpVersion11, b"1.1"), (HttpVersion10, b"1.0")):
        for _ in range(3):  # cold, then from the cache: the same bytes, per version
            out = serialize_request_head("GET", "/a?b=1", [("Host", "h")], version)
            assert out == b"GET /a?b=1 HTTP/" + text + b"\r\nHost: h\r\n\r\n"
    for bad in ("GET /a", "G@T", ""):
        for _ in range(2):
            with pytest.raises(ValueError):
                serialize_request_head(bad, "/a?b=1", [])
    for n in range(1500):
        serialize_request_head("GET", f"/{n}", [])
    assert 0 < len(_REQUEST_LINES) <= 1024
    serialize_request_head("GET", "/" + "x" * 1000, [])
    assert ("GET", "/" + "x" * 1000, HttpVersion11) not in _REQUEST_LINES  # too long to keep


def test_request_heads_come_out_the_same_cold_and_warm_and_stay_bounded() -> None:
    _REQUEST_HEADS.clear()
    fields = [("Host", "h"), ("Accept", "*/*")]
    expected = b"POST /x HTTP/1.1\r\nHost: h\r\nAccept: */*\r\n\r\n"
    for given in (fields, tuple(fields), list(fields), fields):  # cold, then cached
        assert serialize_request_head("POST", "/x", given) == expected
    unhashable: Any = [["Host", "h"]]  # pairs as lists, as some callers give them
    assert serialize_request_head("POST", "/x", unhashable) == (
        b"POST /x HTTP/1.1\r\nHost: h\r\n\r\n"
    )
    for _ in range(2):  # a bad field next to cached ones is refused every time
        with pytest.raises(ValueError):
            serialize_request_head("POST", "/x", [*fields, ("X-A", "1\r\nX-B: 2")])
    for n in range(1500):
        serialize_request_head("GET", "/", [("X-N", str(n))])
    assert 0 < len(_REQUEST_HEADS) <= 1024


@pytest.mark.parametrize(
    "headers",
    [
        [("X-A", "1"), ("X-B", "2")],
        (("X-A", "1"), ("X-B", "2")),
        {"X-A": "1", "X-B": "2"},
        CIMultiDict([(istr("X-A"), "1"), ("x-b", "2")]),
        CIMultiDictProxy(CIMultiDict([("X-A", "1"), ("X-B", "2")])),
        MultiDict([("X-A", "1"), ("X-B", "2")]),
        [["X-A", "1"], ["X-B", "2"]],  # unhashable pairs
        (pair for pair in [("X-A", "1"), ("X-B", "2")]),  # a one-shot iterator
    ],
    ids=["list", "tuple", "dict", "cimultidict", "proxy", "multidict", "lists", "generator"],
)
def test_every_kind_of_header_container(headers: Any) -> None:
    out = serialize_response_head(201, "Created", headers)
    assert out.lower() == b"http/1.1 201 created\r\nx-a: 1\r\nx-b: 2\r\n\r\n"


def test_names_keep_their_spelling() -> None:
    assert serialize_response_head(200, "OK", [("x-a", "1")]).endswith(b"\r\nx-a: 1\r\n\r\n")
    assert serialize_response_head(200, "OK", [("X-A", "1")]).endswith(b"\r\nX-A: 1\r\n\r\n")


def test_status_lines_per_version() -> None:
    assert serialize_response_head(200, "OK", [], HttpVersion10) == b"HTTP/1.0 200 OK\r\n\r\n"
    assert serialize_response_head(200, "OK", []) == b"HTTP/1.1 200 OK\r\n\r\n"
    assert serialize_response_head(599, "", [], HttpVersion(1, 1)) == b"HTTP/1.1 599 \r\n\r\n"


def test_chunked_encoder() -> None:
    enc = ChunkedEncoder()
    assert enc.encode(b"hello") == b"5\r\nhello\r\n"
    assert enc.encode(b"x" * 26) == b"1a\r\n" + b"x" * 26 + b"\r\n"
    assert enc.encode(b"") == b""
    assert enc.end() == b"0\r\n\r\n"
    with pytest.raises(RuntimeError):
        enc.encode(b"more")
    with pytest.raises(RuntimeError):
        enc.end()


def test_chunked_encoder_trailers() -> None:
    enc = ChunkedEncoder()
    assert enc.end([("Checksum", "abc")]) == b"0\r\nChecksum: abc\r\n\r\n"
    with pytest.raises(ValueError):
        ChunkedEncoder().end([("X", "a\r\nb")])


def test_http_date() -> None:
    assert http_date(784111777) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert http_date(784111777.9) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert http_date(0) == "Thu, 01 Jan 1970 00:00:00 GMT"
    now = http_date()
    parsed = email.utils.parsedate_to_datetime(now)
    assert parsed.tzinfo is not None
    assert http_date(1000.2) is http_date(1000.7)  # cached within the second (same object)


def test_reason_phrase() -> None:
    assert reason_phrase(200) == "OK"
    assert reason_phrase(404) == "Not Found"
    assert reason_phrase(418) == "I'm a Teapot"
    assert reason_phrase(599) == ""
