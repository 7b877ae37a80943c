"""Request parser behaviour: heads, framing, keep-alive, upgrade, errors, EOF."""

from __future__ import annotations

import pytest
from web_http import (
    BadHttpMessage,
    BadHttpMethod,
    ContentLengthError,
    Data,
    EndOfMessage,
    Event,
    HeaderFieldsTooLarge,
    HttpLimits,
    HttpProcessingError,
    HttpRequestParser,
    HttpVersion10,
    HttpVersion11,
    HttpVersionNotSupported,
    InvalidHeader,
    InvalidURLError,
    LineTooLong,
    RequestHead,
    TransferEncodingError,
    UnsupportedTransferCoding,
)


def head_of(events: list[Event]) -> RequestHead:
    assert isinstance(events[0], RequestHead)
    return events[0]


def body_of(events: list[Event]) -> bytes:
    return b"".join(e.data for e in events if isinstance(e, Data))


def error_of(events: list[Event]) -> HttpProcessingError:
    assert isinstance(events[-1], HttpProcessingError)
    return events[-1]


def test_simple_get() -> None:
    events = HttpRequestParser().feed(b"GET /path?q=1 HTTP/1.1\r\nHost: a.example\r\n\r\n")
    head = head_of(events)
    assert head.method == "GET"
    assert head.target == "/path?q=1"
    assert head.version == HttpVersion11
    assert head.headers["host"] == "a.example"
    assert head.raw_headers == ((b"Host", b"a.example"),)
    assert head.keep_alive is True
    assert head.upgrade is False
    assert head.chunked is False
    assert head.content_length is None
    assert head.encoding is None
    assert head.expect_continue is False
    assert events[1] == EndOfMessage()
    assert len(events) == 2
    assert len(events[1].trailers) == 0


def test_headers_multidict_and_raw_order() -> None:
    raw = (
        b"GET / HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nx-a:   2  \r\nSet-Cookie: a=b\r\n"
        b"X-Empty:\r\nX-Utf8: caf\xc3\xa9\r\nX-Latin: \xff\r\n\r\n"
    )
    head = head_of(HttpRequestParser().feed(raw))
    assert head.headers.getall("X-A") == ["1", "2"]
    assert head.headers["X-EMPTY"] == ""
    assert head.headers["x-utf8"] == "café"
    assert head.headers["x-latin"] == "\udcff"  # surrogateescape keeps the raw byte
    assert [n for n, _ in head.raw_headers] == [
        b"Host",
        b"X-A",
        b"x-a",
        b"Set-Cookie",
        b"X-Empty",
        b"X-Utf8",
        b"X-Latin",
    ]
    assert head.raw_headers[2] == (b"x-a", b"2")


def test_content_length_body_and_pipelining() -> None:
    parser = HttpRequestParser()
    events = parser.feed(
        b"POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhelloGET /b HTTP/1.1\r\nHost: h"
    )
    assert head_of(events).content_length == 5
    assert body_of(events) == b"hello"
    assert isinstance(events[-1], EndOfMessage)
    events = parser.feed(b"\r\n\r\n")
    assert head_of(events).target == "/b"
    assert parser.feed_eof() == []


def test_body_split_over_feeds() -> None:
    parser = HttpRequestParser()
    events = parser.feed(b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123")
    assert body_of(events) == b"0123"
    assert not isinstance(events[-1], EndOfMessage)
    events = parser.feed(b"456789")
    assert body_of(events) == b"456789"
    assert isinstance(events[-1], EndOfMessage)


def test_body_end_and_next_head_in_one_feed_after_split() -> None:
    parser = HttpRequestParser()
    parser.feed(b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n")
    assert parser.feed(b"") == []
    events = parser.feed(b"0123")
    assert body_of(events) == b"0123"
    assert len(events) == 1
    events = parser.feed(b"456789GET /b HTTP/1.1\r\nHost: h\r\n\r\n")
    assert body_of(events) == b"456789"
    assert isinstance(events[1], EndOfMessage)
    assert head_of(events[2:]).target == "/b"


def test_body_pieces_as_bytearray_and_memoryview_come_out_as_bytes() -> None:
    parser = HttpRequestParser()
    parser.feed(b"PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 6\r\n\r\n")
    first = parser.feed(bytearray(b"abc"))
    last = parser.feed(memoryview(b"def"))
    assert [type(e.data) for e in first + last if isinstance(e, Data)] == [bytes, bytes]
    assert body_of(first) + body_of(last) == b"abcdef"
    assert isinstance(last[-1], EndOfMessage)


def test_chunked_body_with_trailers() -> None:
    raw = (
        b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nChecksum: abc\r\nX-T: 2\r\n\r\n"
    )
    events = HttpRequestParser().feed(raw)
    assert head_of(events).chunked is True
    assert body_of(events) == b"Wikipedia"
    end = events[-1]
    assert isinstance(end, EndOfMessage)
    assert end.trailers["checksum"] == "abc"
    assert end.trailers["X-T"] == "2"


@pytest.mark.parametrize(
    ("connection", "version", "keep_alive"),
    [
        (None, b"1.1", True),
        (b"close", b"1.1", False),
        (b"Keep-Alive, CLOSE", b"1.1", False),
        (None, b"1.0", False),
        (b"keep-alive", b"1.0", True),
        (b"Keep-Alive", b"1.0", True),
    ],
)
def test_keep_alive(connection: bytes | None, version: bytes, keep_alive: bool) -> None:
    raw = b"GET / HTTP/" + version + b"\r\nHost: h\r\n"
    if connection is not None:
        raw += b"Connection: " + connection + b"\r\n"
    head = head_of(HttpRequestParser().feed(raw + b"\r\n"))
    assert head.keep_alive is keep_alive
    assert head.version == (HttpVersion10 if version == b"1.0" else HttpVersion11)


def test_websocket_upgrade_hands_over_the_stream() -> None:
    parser = HttpRequestParser()
    raw = (
        b"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, Upgrade\r\n"
        b"Upgrade: WebSocket\r\nSec-WebSocket-Key: x\r\n\r\n\x81\x85rest"
    )
    events = parser.feed(raw)
    assert head_of(events).upgrade is True
    assert isinstance(events[1], EndOfMessage)
    assert events[2:] == [Data(b"\x81\x85rest")]
    assert parser.feed(b"GET / HTTP/1.1\r\n\r\n") == [Data(b"GET / HTTP/1.1\r\n\r\n")]
    assert parser.feed_eof() == []


def test_connect_hands_over_the_stream() -> None:
    parser = HttpRequestParser()
    events = parser.feed(
        b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n\x16\x03"
    )
    head = head_of(events)
    assert head.upgrade is True
    assert head.target == "example.com:443"
    assert events[-1] == Data(b"\x16\x03")


def test_other_upgrade_is_a_normal_request() -> None:
    events = HttpRequestParser().feed(
        b"GET / HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n"
    )
    assert head_of(events).upgrade is False


def test_upgrade_is_ignored_in_http10() -> None:
    """RFC 9110 7.8: Upgrade in an HTTP/1.0 request is ignored; what follows stays HTTP."""
    parser = HttpRequestParser()
    events = parser.feed(
        b"GET /ws HTTP/1.0\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
        b"GET / HTTP/1.0\r\n\r\n"
    )
    assert head_of(events).upgrade is False
    assert [type(e) for e in events].count(RequestHead) == 2


def test_fragment_in_target_is_refused() -> None:
    events = HttpRequestParser().feed(b"GET /page#top HTTP/1.1\r\nHost: h\r\n\r\n")
    assert len(events) == 1
    err = events[0]
    assert isinstance(err, InvalidURLError)
    assert err.code == 400
    assert "fragment" in str(err)


def test_upgrade_needs_connection_upgrade() -> None:
    events = HttpRequestParser().feed(b"GET / HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n")
    assert head_of(events).upgrade is False


@pytest.mark.parametrize(
    ("value", "version", "expected"),
    [
        (b"100-continue", b"1.1", True),
        (b"100-Continue", b"1.1", True),
        (b"100-continue", b"1.0", False),
    ],
)
def test_expect_continue(value: bytes, version: bytes, expected: bool) -> None:
    raw = b"POST / HTTP/" + version + b"\r\nHost: h\r\nExpect: " + value + b"\r\n"
    head = head_of(HttpRequestParser().feed(raw + b"Content-Length: 1\r\n\r\n"))
    assert head.expect_continue is expected


def test_content_encoding_is_lower_case() -> None:
    head = head_of(
        HttpRequestParser(auto_decompress=False).feed(
            b"POST / HTTP/1.1\r\nHost: h\r\nContent-Encoding: GZIP\r\nContent-Length: 1\r\n\r\nx"
        )
    )
    assert head.encoding == "gzip"


@pytest.mark.parametrize(
    ("raw", "cls", "code"),
    [
        (b"G(ET / HTTP/1.1\r\nHost: h\r\n\r\n", BadHttpMethod, 400),
        (b"GET / HTTP/3.0\r\nHost: h\r\n\r\n", HttpVersionNotSupported, 505),
        (b"GET x HTTP/1.1\r\nHost: h\r\n\r\n", InvalidURLError, 400),
        (b"GET / HTTP/1.1\r\n\r\n", InvalidHeader, 400),
        (b"GET / HTTP/1.1\r\nHost: h\r\nA : b\r\n\r\n", InvalidHeader, 400),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\n\r\n", LineTooLong, 414),
        (b"GET / HTTP/1.1\r\nHost: h\r\nA: " + b"b" * 9000 + b"\r\n\r\n", LineTooLong, 431),
        (
            b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: br\r\n\r\n",
            UnsupportedTransferCoding,
            501,
        ),
        (b"GET / HTTP/1.1\r\nHost: h\r\n" + b"A: b\r\n" * 300 + b"\r\n", HeaderFieldsTooLarge, 431),
        (b"GET / HTTP/1.1\nHost: h\n\n", BadHttpMessage, 400),
    ],
    ids=[
        "method",
        "version",
        "target",
        "no-host",
        "space-colon",
        "line",
        "field",
        "te",
        "count",
        "lf",
    ],
)
def test_typed_errors(raw: bytes, cls: type[HttpProcessingError], code: int) -> None:
    err = error_of(HttpRequestParser().feed(raw))
    assert type(err) is cls
    assert err.code == code
    assert str(err)  # a short reason fit to send
    assert len(str(err)) < 120


def test_line_too_long_is_also_a_bad_http_message() -> None:
    err = error_of(HttpRequestParser().feed(b"GET /" + b"a" * 9000))
    assert isinstance(err, LineTooLong)
    assert isinstance(err, BadHttpMessage)
    assert err.code == 414


def test_feed_after_error_returns_nothing() -> None:
    parser = HttpRequestParser()
    assert isinstance(parser.feed(b"BAD\r\n\r\n")[-1], BadHttpMessage)
    assert parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n") == []
    assert parser.feed_eof() == []


def test_eof_mid_content_length_body() -> None:
    parser = HttpRequestParser()
    parser.feed(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
    events = parser.feed_eof()
    assert len(events) == 1
    assert isinstance(events[0], ContentLengthError)


def test_eof_mid_chunked_body() -> None:
    parser = HttpRequestParser()
    parser.feed(b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab")
    events = parser.feed_eof()
    assert isinstance(events[0], TransferEncodingError)


def test_eof_mid_head_and_at_boundary() -> None:
    parser = HttpRequestParser()
    parser.feed(b"GET / HTTP/1.1\r\nHo")
    assert isinstance(parser.feed_eof()[0], BadHttpMessage)
    parser = HttpRequestParser()
    parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n\r\n")
    assert parser.feed_eof() == []


def test_error_after_head_follows_the_head() -> None:
    events = HttpRequestParser().feed(
        b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcXX"
    )
    assert isinstance(events[0], RequestHead)
    assert events[1] == Data(b"abc")
    assert isinstance(events[2], TransferEncodingError)


def test_limits_are_parameters() -> None:
    limits = HttpLimits(max_line_size=20)
    assert error_of(HttpRequestParser(limits=limits).feed(b"GET /" + b"a" * 30)).code == 414
    ok = HttpRequestParser(limits=limits).feed(b"GET /aaaa HTTP/1.1\r\nHost: h\r\n\r\n")
    assert isinstance(ok[0], RequestHead)


def test_limits_validate_their_values() -> None:
    with pytest.raises(ValueError, match="max_line_size"):
        HttpLimits(max_line_size=0)
    with pytest.raises(ValueError, match="max_decompressed_size"):
        HttpRequestParser(max_decompressed_size=-1)


def test_defaults_match_aiohttp() -> None:
    limits = HttpLimits()
    assert (limits.max_line_size, limits.max_field_size, limits.max_headers) == (8190, 8190, 32768)


def test_endless_header_is_stopped_early() -> None:
    parser = HttpRequestParser()
    parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\nX: ")
    events: list[Event] = []
    for _ in range(20):
        events = parser.feed(b"a" * 1000)
        if events:
            break
    assert error_of(events).code == 431


def test_memoryview_and_bytearray_input() -> None:
    raw = b"GET / HTTP/1.1\r\nHost: h\r\n\r\n"
    assert isinstance(HttpRequestParser().feed(bytearray(raw))[0], RequestHead)
    assert isinstance(HttpRequestParser().feed(memoryview(raw))[0], RequestHead)


def test_chunk_extension_limit() -> None:
    limits = HttpLimits(max_chunk_extension_size=10)
    raw = b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1;a=" + b"x" * 12
    err = error_of(HttpRequestParser(limits=limits).feed(raw + b"\r\nz\r\n0\r\n\r\n"))
    assert isinstance(err, TransferEncodingError)
    ok = HttpRequestParser(limits=limits).feed(raw[:-6] + b"\r\nz\r\n0\r\n\r\n")
    assert isinstance(ok[-1], EndOfMessage)


def test_large_body_in_many_pieces_is_not_buffered() -> None:
    parser = HttpRequestParser()
    events = parser.feed(b"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1000000\r\n\r\n")
    total = 0
    piece = b"x" * 10000
    for _ in range(100):
        out = parser.feed(piece)
        assert len(out) in (1, 2)
        assert isinstance(out[0], Data)
        assert out[0].data is piece  # handed over without a copy
        total += len(out[0].data)
    assert total == 1000000
    assert isinstance(out[-1], EndOfMessage)
    assert isinstance(events[0], RequestHead)


def test_trailers_limit_count() -> None:
    limits = HttpLimits(max_header_count=3)
    raw = (
        b"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"
        + b"T: 1\r\n" * 4
        + b"\r\n"
    )
    assert error_of(HttpRequestParser(limits=limits).feed(raw)).code == 431
