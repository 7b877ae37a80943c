"""The parser's line caches change speed only: a head parses the same, cold or warm.

The request parser remembers validated request lines, field lines, whole header
sections and whole heads. These tests parse heads made of lines already seen (valid ones,
from other heads and under other limits) next to hostile lines, and check every outcome
against a parse with empty caches.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st
from web_http import (
    Data,
    EndOfMessage,
    Event,
    HttpLimits,
    HttpProcessingError,
    HttpRequestParser,
    RequestHead,
)
from web_http._headers import LINE_CACHE
from web_http._request_parser import _HEADS, _REQUEST_LINES, _SECTIONS


def clear_caches() -> None:
    LINE_CACHE.clear()
    _REQUEST_LINES.clear()
    _SECTIONS.clear()
    _HEADS.clear()


def summary(events: list[Event]) -> list[object]:
    """What a user of the events sees, in comparable form."""
    out: list[object] = []
    for event in events:
        if isinstance(event, RequestHead):
            out.append(
                (
                    event.method,
                    event.target,
                    event.version,
                    list(event.headers.items()),
                    event.raw_headers,
                    event.keep_alive,
                    event.upgrade,
                    event.chunked,
                    event.content_length,
                    event.encoding,
                    event.expect_continue,
                )
            )
        elif isinstance(event, Data):
            if out and isinstance(out[-1], bytes):
                out[-1] += event.data
            else:
                out.append(event.data)
        elif isinstance(event, EndOfMessage):
            out.append(("end", list(event.trailers.items())))
        else:
            assert isinstance(event, HttpProcessingError)
            out.append((type(event).__name__, event.code, str(event)))
    return out


def parse(raw: bytes, limits: HttpLimits | None = None) -> list[object]:
    parser = HttpRequestParser(limits=limits)
    return summary(parser.feed(raw) + parser.feed_eof())


GOOD_REQUEST_LINES = [
    b"GET / HTTP/1.1",
    b"POST /upload?x=1 HTTP/1.1",
    b"GET / HTTP/1.0",
    b"OPTIONS * HTTP/1.1",
    b"CONNECT example.com:443 HTTP/1.1",
    b"GET http://example.com/a HTTP/1.1",
    b"GET /" + b"a" * 120 + b" HTTP/1.1",
]
BAD_REQUEST_LINES = [
    b"GET  / HTTP/1.1",
    b"GET / HTTP/2.0",
    b"G@T / HTTP/1.1",
    b"GET / HTTP/1.1\x00",
    b"GET /\x7f HTTP/1.1",
    b"CONNECT / HTTP/1.1",
    b"GET * HTTP/1.1",
    b"GET /\rx HTTP/1.1",
]
GOOD_FIELDS = [
    b"Host: example.com",
    b"Host: 127.0.0.1:8080",
    b"Connection: keep-alive",
    b"Connection: close",
    b"Connection: Upgrade",
    b"Upgrade: websocket",
    b"Content-Length: 3",
    b"Transfer-Encoding: chunked",
    b"Content-Encoding: GZIP",
    b"Expect: 100-continue",
    b"Accept: */*",
    b"X-Long: " + b"v" * 150,
    b"X-Caf\xc3\xa9-Free: caf\xc3\xa9",
    b"X-Empty:",
    b"X-Spaces:   padded \t",
]
BAD_FIELDS = [
    b"Host: exa mple.com",
    b"Content-Length: 1x",
    b"Transfer-Encoding: gzip",
    b"No colon here",
    b" Folded: value",
    b"Space : before colon",
    b"X-Nul: a\x00b",
    b"X-Bare-LF: a\nb",
    b"X-Bare-CR: a\rb",
    b"X\xc3\xa9: non-token name",
]
SMALL = HttpLimits(max_line_size=40, max_field_size=40, max_headers=120, max_header_count=3)

request_lines = st.sampled_from(GOOD_REQUEST_LINES + BAD_REQUEST_LINES)
field_lists = st.lists(st.sampled_from(GOOD_FIELDS + BAD_FIELDS), max_size=6)
limit_choices = st.sampled_from([None, SMALL])


def build(line: bytes, fields: list[bytes], body: bytes = b"") -> bytes:
    return b"\r\n".join([line, *fields]) + b"\r\n\r\n" + body


def warm_up() -> None:
    """Parse every good line in valid heads, under both limits, so all are cached."""
    for line in GOOD_REQUEST_LINES:
        for limits in (None, SMALL):
            parse(build(line, [b"Host: example.com"]), limits)
    for field in GOOD_FIELDS:
        parse(build(b"GET / HTTP/1.1", [field]))
        parse(build(b"GET / HTTP/1.0", [field]))


@settings(max_examples=300, deadline=None)
@given(request_lines, field_lists, limit_choices, st.binary(max_size=8))
def test_a_head_parses_the_same_cold_and_warm(
    line: bytes, fields: list[bytes], limits: HttpLimits | None, body: bytes
) -> None:
    raw = build(line, fields, body)
    clear_caches()
    cold = parse(raw, limits)
    warm_up()
    assert parse(raw, limits) == cold
    assert parse(raw, limits) == cold  # and once more with this head's own lines cached


def test_cached_lines_do_not_excuse_a_bad_line_next_to_them() -> None:
    warm_up()
    raw = build(b"GET / HTTP/1.1", [b"Host: example.com", b"X-Bad: a\x01b"])
    assert parse(raw)[0] == (
        "BadHttpMessage",
        400,
        "Invalid control character in message head",
    )


def test_cached_lines_still_meet_smaller_limits() -> None:
    long_target = b"GET /" + b"a" * 120 + b" HTTP/1.1"
    parse(build(long_target, [b"Host: example.com"]))  # cached under the default limits
    out = parse(build(long_target, [b"Host: example.com"]), SMALL)
    assert out[0][:2] == ("LineTooLong", 414)  # type: ignore[index]

    long_field = b"X-Long: " + b"v" * 150
    parse(build(b"GET / HTTP/1.1", [b"Host: example.com", long_field]))
    out = parse(build(b"GET / HTTP/1.1", [b"Host: example.com", long_field]), SMALL)
    assert out[0][:2] == ("HeaderFieldsTooLarge", 431)  # type: ignore[index]

    many = [b"Host: example.com", b"Accept: */*", b"Accept: */*", b"Accept: */*"]
    parse(build(b"GET / HTTP/1.1", many))
    out = parse(build(b"GET / HTTP/1.1", many), SMALL)
    assert out[0][:2] == ("HeaderFieldsTooLarge", 431)  # type: ignore[index]


def test_caches_stay_bounded() -> None:
    clear_caches()
    for n in range(6000):
        parse(build(b"GET /%d HTTP/1.1" % n, [b"Host: example.com", b"X-N: %d" % n]))
    assert len(_REQUEST_LINES) <= 1024
    assert len(LINE_CACHE) <= 4096
    # a long line is parsed but not kept
    long_field = b"X-Huge: " + b"h" * 1000
    out = parse(build(b"GET / HTTP/1.1", [b"Host: example.com", long_field]))
    assert out[0][4][-1] == (b"X-Huge", b"h" * 1000)  # type: ignore[index]
    assert long_field not in LINE_CACHE


def test_shared_lines_give_read_only_headers() -> None:
    raw = build(b"GET / HTTP/1.1", [b"Host: example.com", b"Accept: */*"])
    first = HttpRequestParser().feed(raw)[0]
    second = HttpRequestParser().feed(raw)[0]
    assert isinstance(first, RequestHead) and isinstance(second, RequestHead)
    # the heads of one section share its read-only view: nothing can change it
    assert first.headers == second.headers
    with pytest.raises(TypeError):
        first.headers["Accept"] = "text/html"  # type: ignore[index]
    mine = first.headers.copy()  # what a handler wanting to edit headers does
    mine["Accept"] = "text/html"
    del mine["Host"]
    assert second.headers == {"Host": "example.com", "Accept": "*/*"}
    third = HttpRequestParser().feed(raw)[0]
    assert isinstance(third, RequestHead)
    assert list(third.headers.items()) == [("Host", "example.com"), ("Accept", "*/*")]
    assert first.raw_headers == ((b"Host", b"example.com"), (b"Accept", b"*/*"))


def test_a_cached_section_still_meets_smaller_limits() -> None:
    fields = [b"Host: example.com", b"Accept: */*", b"Accept: */*", b"Accept: */*"]
    parse(build(b"GET / HTTP/1.1", fields))  # the section is cached under the default limits
    assert b"\r\n".join(fields) in _SECTIONS
    out = parse(build(b"GET / HTTP/1.1", fields), SMALL)
    assert out[0][:2] == ("HeaderFieldsTooLarge", 431)  # type: ignore[index]
    tight = HttpLimits(max_headers=20)
    out = parse(build(b"GET / HTTP/1.1", fields), tight)
    assert out[0] == ("HeaderFieldsTooLarge", 431, "Header section too large")


def test_a_cached_section_does_not_excuse_a_bad_request_line() -> None:
    fields = [b"Host: example.com", b"Accept: */*"]
    parse(build(b"GET / HTTP/1.1", fields))
    out = parse(build(b"GET /\x01 HTTP/1.1", fields))
    assert out[0] == ("BadHttpMessage", 400, "Invalid control character in message head")


def test_a_cached_section_decides_framing_per_version() -> None:
    fields = [b"Host: example.com", b"Connection: keep-alive"]
    clear_caches()
    cold_11 = parse(build(b"GET / HTTP/1.1", fields))
    cold_10 = parse(build(b"GET / HTTP/1.0", fields))
    clear_caches()
    parse(build(b"GET / HTTP/1.0", fields))
    assert parse(build(b"GET / HTTP/1.1", fields)) == cold_11
    assert parse(build(b"GET / HTTP/1.0", fields)) == cold_10


def test_the_section_cache_stays_bounded() -> None:
    clear_caches()
    for n in range(600):
        parse(build(b"GET / HTTP/1.1", [b"Host: example.com", b"X-N: %d" % n]))
    assert 0 < len(_SECTIONS) <= 256
    big = [b"Host: example.com", *(b"X-%d: " % n + b"v" * 100 for n in range(60))]
    parse(build(b"GET / HTTP/1.1", big), HttpLimits(max_headers=16384, max_header_count=100))
    assert b"\r\n".join(big) not in _SECTIONS  # over 4 KiB: parsed, not kept


def test_a_cached_head_still_meets_smaller_limits() -> None:
    clear_caches()
    many = build(b"GET / HTTP/1.1", [b"Host: example.com", b"Accept: */*", b"A: 1", b"B: 2"])
    long_line = build(b"GET /" + b"a" * 60 + b" HTTP/1.1", [b"Host: example.com"])
    long_field = build(b"GET / HTTP/1.1", [b"Host: example.com", b"X-Long: " + b"v" * 50])
    tight = HttpLimits(max_headers=20)
    expected = [("HeaderFieldsTooLarge", 431), ("LineTooLong", 414), ("LineTooLong", 431)]
    for raw, (name, code) in zip(heads := (many, long_line, long_field), expected, strict=True):
        clear_caches()
        cold = parse(raw, SMALL)
        assert cold[0][:2] == (name, code)  # type: ignore[index]
        parse(raw)
        assert raw[:-4] in _HEADS  # the next parse under the default limits is a hit
        assert parse(raw) == parse(raw)
        assert parse(raw, SMALL) == cold
    assert parse(heads[0], tight)[0] == ("HeaderFieldsTooLarge", 431, "Header section too large")


def test_a_cached_head_gives_the_same_events_with_fresh_headers() -> None:
    heads = [
        build(b"POST /u HTTP/1.1", [b"Host: h", b"Content-Length: 3"], b"abc"),
        build(b"POST /u HTTP/1.1", [b"Host: h", b"Transfer-Encoding: chunked"], b"0\r\n\r\n"),
        build(b"GET /ws HTTP/1.1", [b"Host: h", b"Connection: Upgrade", b"Upgrade: websocket"]),
        build(b"PUT /e HTTP/1.1", [b"Host: h", b"Expect: 100-continue", b"Content-Length: 1"]),
        build(b"GET / HTTP/1.0", [b"Connection: keep-alive", b"Expect: 100-continue"]),
        build(b"GET / HTTP/1.0", []),
    ]
    for raw in heads:
        clear_caches()
        cold = parse(raw)
        assert parse(raw) == cold == parse(raw)
    raw = build(b"GET / HTTP/1.1", [b"Host: h", b"Accept: */*"])
    first = HttpRequestParser().feed(raw)[0]
    second = HttpRequestParser().feed(raw)[0]
    assert isinstance(first, RequestHead) and isinstance(second, RequestHead)
    assert first.headers == second.headers


def test_the_head_cache_stays_bounded() -> None:
    clear_caches()
    for n in range(600):
        parse(build(b"GET /%d HTTP/1.1" % n, [b"Host: example.com"]))
    assert 0 < len(_HEADS) <= 256
    big = [b"Host: example.com", *(b"X-%d: " % n + b"v" * 100 for n in range(60))]
    raw = build(b"GET / HTTP/1.1", big)
    parse(raw, HttpLimits(max_headers=16384, max_header_count=100))
    assert raw[:-4] not in _HEADS  # over the size kept: parsed, not kept
