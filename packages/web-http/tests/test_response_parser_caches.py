"""The response parser's caches change speed only: a head parses the same, cold or warm.

It remembers validated status lines, whole header sections and whole heads. These tests parse heads
made of parts already seen (valid ones, from other heads and under other limits) next to
hostile ones, and check every outcome against a parse with empty caches.
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
    HttpResponseParser,
    ResponseHead,
)
from web_http._headers import LINE_CACHE
from web_http._response_parser import _HEADS, _SECTIONS, _STATUS_LINES


def clear_caches() -> None:
    LINE_CACHE.clear()
    _STATUS_LINES.clear()
    _SECTIONS.clear()
    _HEADS.clear()


def summary(events: list[Event]) -> list[object]:
    """What a user of the events sees, in comparable form."""
    out: list[object] = []
    for event in events:
        if isinstance(event, ResponseHead):
            out.append(
                (
                    event.version,
                    event.status,
                    event.reason,
                    list(event.headers.items()),
                    event.raw_headers,
                    event.keep_alive,
                    event.chunked,
                    event.content_length,
                    event.encoding,
                    event.upgrade,
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


def parse(
    raw: bytes, limits: HttpLimits | None = None, method: str = "GET", split: int = 0
) -> list[object]:
    parser = HttpResponseParser(limits=limits)
    parser.set_request_method(method)
    events = parser.feed(raw[:split]) + parser.feed(raw[split:]) if split else parser.feed(raw)
    return summary(events + parser.feed_eof())


GOOD_STATUS_LINES = [
    b"HTTP/1.1 200 OK",
    b"HTTP/1.1 404 Not Found",
    b"HTTP/1.0 200 OK",
    b"HTTP/1.1 101 Switching Protocols",
    b"HTTP/1.1 204 No Content",
    b"HTTP/1.1 302",
    b"HTTP/1.1 200 " + b"r" * 60,
]
BAD_STATUS_LINES = [
    b"HTTP/2.0 200 OK",
    b"HTTP/1.1 099 Low",
    b"HTTP/1.1 2000 OK",
    b"HTTP/1.1 200 O\x00K",
    b"HTTP/1.1 200 O\x7fK",
    b"HTP/1.1 200 OK",
    b"",
]
GOOD_FIELDS = [
    b"Content-Length: 3",
    b"Content-Length: 0",
    b"Transfer-Encoding: chunked",
    b"Transfer-Encoding: gzip",
    b"Connection: close",
    b"Connection: keep-alive",
    b"Content-Encoding: GZIP",
    b"Content-Type: text/plain",
    b"X-Long: " + b"v" * 60,
    b"X-Empty:",
]
BAD_FIELDS = [
    b"Content-Length: 1x",
    b"No colon here",
    b" Folded: value",
    b"X-Nul: a\x00b",
    b"X-Bare-LF: a\nb",
]
SMALL = HttpLimits(max_line_size=40, max_field_size=40, max_headers=120, max_header_count=2)

status_lines = st.sampled_from(GOOD_STATUS_LINES + BAD_STATUS_LINES)
field_lists = st.lists(st.sampled_from(GOOD_FIELDS + BAD_FIELDS), max_size=5)
limit_choices = st.sampled_from([None, SMALL])
methods = st.sampled_from(["GET", "HEAD", "CONNECT"])


def build(line: bytes, fields: list[bytes], body: bytes = b"") -> bytes:
    return b"\r\n".join([line, *fields]) + b"\r\n\r\n" + body


def warm_up() -> None:
    """Parse every good part in valid heads, under both limits, so all are cached."""
    for line in GOOD_STATUS_LINES:
        for limits in (None, SMALL):
            parse(build(line, [b"Content-Length: 0"]), limits)
    for field in GOOD_FIELDS:
        for line in GOOD_STATUS_LINES[:3]:
            parse(build(line, [field]))


@settings(max_examples=300, deadline=None)
@given(status_lines, field_lists, limit_choices, methods, st.binary(max_size=8))
def test_a_head_parses_the_same_cold_and_warm(
    line: bytes, fields: list[bytes], limits: HttpLimits | None, method: str, body: bytes
) -> None:
    raw = build(line, fields, body)
    split = len(raw) // 2 or 1  # the head in two pieces: the buffered path
    clear_caches()
    cold = parse(raw, limits, method)
    clear_caches()
    cold_split = parse(raw, limits, method, split)
    warm_up()
    assert parse(raw, limits, method) == cold
    assert parse(raw, limits, method) == cold  # once more with this head's own parts cached
    assert parse(raw, limits, method, split) == cold_split


def test_a_cached_section_does_not_excuse_a_bad_status_line() -> None:
    fields = [b"Content-Length: 0", b"Content-Type: text/plain"]
    parse(build(b"HTTP/1.1 200 OK", fields))
    assert b"\r\n".join(fields) in _SECTIONS
    out = parse(build(b"HTTP/1.1 200 O\x01K", fields))
    assert out[0] == ("BadHttpMessage", 400, "Invalid control character in message head")


def test_a_cached_status_line_does_not_excuse_a_bad_field() -> None:
    parse(build(b"HTTP/1.1 200 OK", [b"Content-Length: 0"]))
    out = parse(build(b"HTTP/1.1 200 OK", [b"Content-Length: 0", b"X-Bad: a\x01b"]))
    assert out[0] == ("BadHttpMessage", 400, "Invalid control character in message head")


def test_cached_parts_still_meet_smaller_limits() -> None:
    long_line = b"HTTP/1.1 200 " + b"r" * 60
    parse(build(long_line, [b"Content-Length: 0"]))
    assert parse(build(long_line, [b"Content-Length: 0"]), SMALL)[0][:2] == (  # type: ignore[index]
        "LineTooLong",
        400,
    )
    many = [b"Content-Length: 0", b"X-A: 1", b"X-B: 2"]
    parse(build(b"HTTP/1.1 200 OK", many))
    out = parse(build(b"HTTP/1.1 200 OK", many), SMALL)
    assert out[0][:2] == ("HeaderFieldsTooLarge", 431)  # type: ignore[index]
    tight = HttpLimits(max_headers=20)
    out = parse(build(b"HTTP/1.1 200 OK", many), tight)
    assert out[0] == ("HeaderFieldsTooLarge", 431, "Header section too large")


def test_a_cached_section_frames_per_version_and_method() -> None:
    fields = [b"Transfer-Encoding: chunked"]
    parse(build(b"HTTP/1.1 200 OK", fields, b"0\r\n\r\n"))
    out = parse(build(b"HTTP/1.0 200 OK", fields))
    assert out[0] == ("BadHttpMessage", 400, "Transfer-Encoding is not allowed in HTTP/1.0")
    keep = [b"Content-Length: 2", b"Connection: keep-alive"]
    assert parse(build(b"HTTP/1.1 200 OK", keep, b"hi"))[0][5] is True  # type: ignore[index]
    assert parse(build(b"HTTP/1.0 200 OK", keep, b"hi"))[0][5] is True  # type: ignore[index]
    assert parse(build(b"HTTP/1.0 200 OK", keep[:1], b"hi"))[0][5] is False  # type: ignore[index]
    assert parse(build(b"HTTP/1.1 200 OK", keep, b"hi"), method="HEAD")[1] == ("end", [])


def test_shared_sections_give_equal_read_only_headers() -> None:
    raw = build(b"HTTP/1.1 200 OK", [b"Content-Length: 0", b"X-A: 1"])
    first = HttpResponseParser().feed(raw)[0]
    second = HttpResponseParser().feed(raw)[0]
    assert isinstance(first, ResponseHead) and isinstance(second, ResponseHead)
    assert first is not second
    assert first.headers == second.headers == {"Content-Length": "0", "X-A": "1"}
    with pytest.raises(TypeError):
        first.headers["X-A"] = "2"  # type: ignore[index]
    copied = first.headers.copy()  # what a user changes is a copy of their own
    copied["X-A"] = "2"
    assert second.headers["X-A"] == "1"


def test_the_caches_stay_bounded() -> None:
    clear_caches()
    for n in range(1200):
        parse(build(b"HTTP/1.1 %d X" % (200 + n % 700), [b"Content-Length: 0", b"X-N: %d" % n]))
    assert 0 < len(_STATUS_LINES) <= 1024
    assert 0 < len(_SECTIONS) <= 256
    assert 0 < len(_HEADS) <= 256
    big = [b"Content-Length: 0", *(b"X-%d: " % n + b"v" * 100 for n in range(60))]
    parse(build(b"HTTP/1.1 200 OK", big), HttpLimits(max_headers=16384, max_header_count=100))
    assert b"\r\n".join(big) not in _SECTIONS  # over 4 KiB: parsed, not kept


def test_a_whole_response_in_one_chunk_and_a_pipelined_next_one() -> None:
    one = build(b"HTTP/1.1 200 OK", [b"Content-Length: 2"], b"hi")
    parser = HttpResponseParser()
    events = parser.feed(one + one[:10])
    assert [type(e) for e in events] == [ResponseHead, Data, EndOfMessage]
    assert parser.buffered == 10
    assert [type(e) for e in parser.feed(one[10:])] == [ResponseHead, Data, EndOfMessage]


def test_a_cached_head_is_checked_against_each_parsers_limits() -> None:
    clear_caches()
    long_line = build(b"HTTP/1.1 200 " + b"r" * 60, [b"Content-Length: 0"])
    assert parse(long_line)[0][1] == 200  # type: ignore[index]
    assert len(_HEADS) == 1
    assert parse(long_line, SMALL)[0][:2] == ("LineTooLong", 400)  # type: ignore[index]
    many = build(b"HTTP/1.1 200 OK", [b"Content-Length: 0", b"X-A: 1", b"X-B: 2"])
    parse(many)
    assert parse(many, SMALL)[0][:2] == ("HeaderFieldsTooLarge", 431)  # type: ignore[index]
    assert parse(many)[0][1] == 200  # type: ignore[index]


def test_a_head_cached_for_get_frames_head_and_connect_answers_by_their_method() -> None:
    clear_caches()
    raw = build(b"HTTP/1.1 200 OK", [b"Content-Length: 2"], b"hi")
    get = parse(raw)
    assert get[1:] == [b"hi", ("end", [])]
    assert raw[: raw.index(b"\r\n\r\n")] in _HEADS
    assert parse(raw, method="HEAD")[1] == ("end", [])  # no body after a HEAD's answer
    connect = parse(raw, method="CONNECT")
    assert connect[0][9] is True  # type: ignore[index]  # a 2xx CONNECT answer: upgraded
    assert parse(raw) == get


def whole_or_fed(
    raw: bytes, limits: HttpLimits | None = None, method: str = "GET"
) -> tuple[str, list[object]]:
    """``feed_whole``'s answer as ``parse`` would summarise it, else what ``feed`` gives."""
    parser = HttpResponseParser(limits=limits)
    parser.set_request_method(method)
    whole = parser.feed_whole(raw, 64)
    if whole is None:
        return ("fed", summary(parser.feed(raw) + parser.feed_eof()))
    head, body = whole
    events: list[Event] = [head, *([Data(body)] if body else []), EndOfMessage()]
    return ("whole", summary(events + parser.feed_eof()))


@settings(max_examples=300, deadline=None)
@given(status_lines, field_lists, limit_choices, methods, st.binary(max_size=8))
def test_feed_whole_answers_as_feed_does_or_leaves_the_bytes_to_it(
    line: bytes, fields: list[bytes], limits: HttpLimits | None, method: str, body: bytes
) -> None:
    raw = build(line, fields, body)
    clear_caches()
    unseen = whole_or_fed(raw, limits, method)
    assert unseen[0] == "fed"  # a head not seen before is never taken whole
    clear_caches()
    cold = parse(raw, limits, method)
    assert unseen[1] == cold
    parse(raw, limits, method)  # now seen, if it parses
    warm_up()
    assert whole_or_fed(raw, limits, method)[1] == cold


def test_feed_whole_takes_only_exactly_one_plain_final_response() -> None:
    clear_caches()
    ok = build(b"HTTP/1.1 200 OK", [b"Content-Length: 2"], b"hi")
    gzip = build(b"HTTP/1.1 200 OK", [b"Content-Length: 2", b"Content-Encoding: gzip"], b"hi")
    interim = build(b"HTTP/1.1 100 Continue", [])
    switch = build(b"HTTP/1.1 101 Switching Protocols", [b"Upgrade: websocket"])
    chunked = build(b"HTTP/1.1 200 OK", [b"Transfer-Encoding: chunked"], b"0\r\n\r\n")
    empty = build(b"HTTP/1.1 204 No Content", [])
    for raw in (ok, gzip, interim, switch, chunked, empty):
        parse(raw)  # now seen
    parser = HttpResponseParser()
    whole = parser.feed_whole(ok, 64)
    assert whole is not None and whole[0].status == 200 and whole[1] == b"hi"
    empty_whole = parser.feed_whole(empty, 64)
    assert empty_whole is not None and empty_whole[1] == b""
    assert parser.feed_whole(ok, 1) is None  # a body over max_body
    assert parser.feed_whole(ok + ok, 64) is None  # more than one response
    assert parser.feed_whole(ok[:-1], 64) is None  # less than its body
    for raw in (gzip, interim, switch, chunked):
        assert parser.feed_whole(raw, 64) is None
    assert HttpResponseParser(auto_decompress=False).feed_whole(gzip, 64) is not None
    parser.set_request_method("HEAD")
    assert parser.feed_whole(ok, 64) is None
    parser.set_request_method("GET")
    assert [type(e) for e in parser.feed(ok[:10])] == []
    assert parser.feed_whole(ok, 64) is None  # bytes of a response are buffered
    assert [type(e) for e in parser.feed(ok[10:])] == [ResponseHead, Data, EndOfMessage]
    assert parser.feed_whole(ok, 64) is not None  # between messages again
