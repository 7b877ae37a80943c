"""Chunked bodies: one Data event per feed, correct bytes whatever the buffering."""

from __future__ import annotations

import gzip

import pytest
from web_http import (
    Data,
    EndOfMessage,
    Event,
    HttpRequestParser,
    RequestHead,
    TransferEncodingError,
)

HEAD = b"POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"


def chunked(*pieces: bytes) -> bytes:
    return b"".join(b"%x\r\n%b\r\n" % (len(p), p) for p in pieces) + b"0\r\n\r\n"


def data_events(events: list[Event]) -> list[bytes]:
    return [e.data for e in events if isinstance(e, Data)]


def test_many_chunks_in_one_feed_give_one_data_event() -> None:
    pieces = [bytes([65 + i]) * (100 + i) for i in range(16)]
    events = HttpRequestParser().feed(HEAD + chunked(*pieces))
    assert isinstance(events[0], RequestHead)
    assert data_events(events) == [b"".join(pieces)]
    assert isinstance(events[-1], EndOfMessage)
    assert len(events) == 3


def test_body_bytes_are_copies_not_views_into_the_input() -> None:
    raw = bytearray(HEAD + chunked(b"hello", b"world"))
    parser = HttpRequestParser()
    events = parser.feed(raw)
    raw[:] = b"x" * len(raw)  # the caller reuses its buffer
    assert data_events(events) == [b"helloworld"]
    assert all(type(d) is bytes for d in data_events(events))


@pytest.mark.parametrize("step", [1, 2, 3, 7, 64, 4099])
def test_any_split_through_the_buffer_gives_the_same_body(step: int) -> None:
    pieces = [b"a" * 4096, b"b" * 3, b"c" * 1000]
    raw = HEAD + chunked(*pieces)
    parser = HttpRequestParser()
    events: list[Event] = []
    for i in range(0, len(raw), step):  # pieces often end mid-line, so the buffer is used
        events += parser.feed(raw[i : i + step])
    assert b"".join(data_events(events)) == b"".join(pieces)
    assert isinstance(events[-1], EndOfMessage)
    # the parser is ready for the next request on the same connection
    events = parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert isinstance(events[0], RequestHead) and isinstance(events[1], EndOfMessage)


def test_data_before_a_framing_error_is_delivered_first() -> None:
    raw = HEAD + b"5\r\nhelloXX3\r\nabc\r\n0\r\n\r\n"
    events = HttpRequestParser().feed(raw)
    assert data_events(events) == [b"hello"]
    assert isinstance(events[-1], TransferEncodingError)
    assert events[-1].code == 400


@pytest.mark.parametrize(
    "size_line",
    [b"0x5", b"+5", b"5_0", b" 5", b"5 ", b"\xef\xbc\x95", b"g", b"1" * 17],
)
def test_size_lines_int_would_accept_are_refused(size_line: bytes) -> None:
    raw = HEAD + size_line + b"\r\nhello\r\n0\r\n\r\n"
    events = HttpRequestParser().feed(raw)
    assert isinstance(events[-1], TransferEncodingError)
    assert data_events(events) == []


def test_extensions_and_upper_case_hex_still_parse() -> None:
    raw = HEAD + b"A;name=value;flag\r\n0123456789\r\n00F\r\n" + b"f" * 15 + b"\r\n0\r\n\r\n"
    events = HttpRequestParser().feed(raw)
    assert data_events(events) == [b"0123456789" + b"f" * 15]
    assert isinstance(events[-1], EndOfMessage)


def test_compressed_chunked_body_is_decoded_once_per_feed() -> None:
    payload = b"compress me " * 1000
    blob = gzip.compress(payload)
    head = HEAD.replace(b"\r\n\r\n", b"\r\nContent-Encoding: gzip\r\n\r\n")
    pieces = [blob[i : i + 500] for i in range(0, len(blob), 500)]
    events = HttpRequestParser().feed(head + chunked(*pieces))
    assert b"".join(data_events(events)) == payload
    assert isinstance(events[-1], EndOfMessage)


def test_a_feed_inside_one_large_chunk_passes_the_input_through_uncopied() -> None:
    parser = HttpRequestParser()
    parser.feed(HEAD + b"100000\r\n")  # one 1 MiB chunk announced
    block = b"z" * 65536
    events = parser.feed(block)
    assert data_events(events) == [block]
    assert data_events(events)[0] is block  # the input itself, not a copy
