"""Pipelined requests in one feed: all heads, in order, as if fed one byte at a time."""

from __future__ import annotations

import pytest
from web_http import (
    Data,
    EndOfMessage,
    Event,
    HttpProcessingError,
    HttpRequestParser,
    InvalidHeader,
    RequestHead,
)


def summary(events: list[Event]) -> list[object]:
    out: list[object] = []
    for event in events:
        if isinstance(event, RequestHead):
            out.append((event.method, event.target, list(event.headers.items())))
        elif isinstance(event, Data):
            if out and isinstance(out[-1], bytes):
                out[-1] += event.data
            else:
                out.append(event.data)
        elif isinstance(event, EndOfMessage):
            out.append("end")
        else:
            assert isinstance(event, HttpProcessingError)
            out.append((type(event).__name__, event.code))
    return out


def byte_by_byte(raw: bytes) -> list[Event]:
    parser = HttpRequestParser()
    events: list[Event] = []
    for i in range(len(raw)):
        events += parser.feed(raw[i : i + 1])
    return events


def get(path: str) -> bytes:
    return b"GET %s HTTP/1.1\r\nHost: h\r\n\r\n" % path.encode()


def test_many_gets_in_one_feed() -> None:
    raw = b"".join(get(f"/{n}") for n in range(100))
    events = HttpRequestParser().feed(raw)
    heads = [e for e in events if isinstance(e, RequestHead)]
    assert [h.target for h in heads] == [f"/{n}" for n in range(100)]
    assert len(events) == 200
    assert summary(events) == summary(byte_by_byte(raw))


def test_mixed_pipeline_matches_byte_by_byte() -> None:
    raw = (
        get("/a")
        + b"POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello"
        + get("/c")
        + b"\r\n"  # an empty line between requests is ignored
        + b"POST /d HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"
        + get("/e")
    )
    events = HttpRequestParser().feed(raw)
    assert summary(events) == summary(byte_by_byte(raw))
    targets = [e.target for e in events if isinstance(e, RequestHead)]
    assert targets == ["/a", "/b", "/c", "/d", "/e"]


def test_error_in_the_middle_stops_the_pipeline() -> None:
    raw = get("/a") + b"GET /b HTTP/1.1\r\n\r\n" + get("/c")  # /b has no Host
    parser = HttpRequestParser()
    events = parser.feed(raw)
    assert summary(events)[:2] == [("GET", "/a", [("Host", "h")]), "end"]
    assert isinstance(events[-1], InvalidHeader)
    assert len(events) == 3
    assert parser.feed(get("/d")) == []


def test_partial_head_at_the_end_is_kept_for_the_next_feed() -> None:
    parser = HttpRequestParser()
    whole = get("/a") + get("/b")
    events = parser.feed(whole[:-7])
    assert [e.target for e in events if isinstance(e, RequestHead)] == ["/a"]
    events = parser.feed(whole[-7:])
    assert [e.target for e in events if isinstance(e, RequestHead)] == ["/b"]
    assert isinstance(events[-1], EndOfMessage)


def test_max_heads_bounds_the_heads_of_one_feed_and_feed_empty_continues() -> None:
    one = b"GET /%d HTTP/1.1\r\nHost: h\r\n\r\n"
    raw = b"".join(one % i for i in range(100))
    for split in (len(raw), 7):  # whole, and in small pieces (the buffered path)
        parser = HttpRequestParser(max_heads=8)
        events: list[Event] = []
        batch: list[Event] = []
        for start in range(0, len(raw), split):
            batch = parser.feed(raw[start : start + split])
            assert sum(isinstance(e, RequestHead) for e in batch) <= 8
            events += batch
        assert parser.buffered > 0 or split != len(raw)
        while batch or parser.buffered:
            batch = parser.feed(b"")
            assert sum(isinstance(e, RequestHead) for e in batch) <= 8
            events += batch
            if not batch:
                break
        targets = [e.target for e in events if isinstance(e, RequestHead)]
        assert targets == [f"/{i}" for i in range(100)]
        assert parser.buffered == 0
    with pytest.raises(ValueError):
        HttpRequestParser(max_heads=-1)
