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


# Runs of equal-size chunks take a shortcut (one startswith per chunk); these pin its edges.


def test_a_run_of_equal_chunks_then_other_sizes_gives_the_exact_body() -> None:
    pieces = [bytes([i]) * 300 for i in range(20)] + [b"short", b"x" * 301] + [b"y" * 300] * 3
    events = HttpRequestParser().feed(HEAD + chunked(*pieces))
    assert data_events(events) == [b"".join(pieces)]
    assert isinstance(events[-1], EndOfMessage)


@pytest.mark.parametrize("step", [1, 2, 5, 9, 300, 301, 307, 4096])
def test_a_run_of_equal_chunks_split_anywhere_gives_the_same_body(step: int) -> None:
    pieces = [bytes([65 + i % 26]) * 300 for i in range(40)]
    raw = HEAD + chunked(*pieces)
    parser = HttpRequestParser()
    events: list[Event] = []
    for i in range(0, len(raw), step):  # cuts size lines, CRLFs and data inside the run
        events += parser.feed(raw[i : i + step])
    assert b"".join(data_events(events)) == b"".join(pieces)
    assert isinstance(events[-1], EndOfMessage)


def test_a_bad_crlf_inside_a_run_delivers_the_data_before_it_then_fails() -> None:
    raw = HEAD + b"5\r\nhello\r\n5\r\nworld\r\n5\r\nthereXX5\r\nagain\r\n0\r\n\r\n"
    events = HttpRequestParser().feed(raw)
    assert data_events(events) == [b"helloworldthere"]
    assert isinstance(events[-1], TransferEncodingError)
    assert events[-1].code == 400


def test_the_same_size_written_differently_or_with_extensions_leaves_the_run() -> None:
    # "5", "05", an extension and upper/lower case hex are all the same size: each parses
    raw = HEAD + b"a\r\n0123456789\r\nA\r\n9876543210\r\n0a;x=y\r\nabcdefghij\r\na\r\n"
    raw += b"ABCDEFGHIJ\r\n0\r\n\r\n"
    events = HttpRequestParser().feed(raw)
    assert data_events(events) == [b"0123456789" + b"9876543210" + b"abcdefghij" + b"ABCDEFGHIJ"]
    assert isinstance(events[-1], EndOfMessage)


def test_a_run_ending_in_the_last_chunk_with_trailers() -> None:
    body = b"".join(b"4\r\nabcd\r\n" for _ in range(10)) + b"0\r\nX-Sum: 40\r\nX-Other: y\r\n\r\n"
    parser = HttpRequestParser()
    events = parser.feed(HEAD + body)
    assert data_events(events) == [b"abcd" * 10]
    end = events[-1]
    assert isinstance(end, EndOfMessage)
    assert end.trailers["X-Sum"] == "40" and end.trailers["X-Other"] == "y"
    # the next message on the connection parses normally
    events = parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")
    assert isinstance(events[0], RequestHead) and isinstance(events[1], EndOfMessage)


def test_a_run_whose_next_chunk_is_not_all_here_continues_in_the_next_feed() -> None:
    parser = HttpRequestParser()
    first = HEAD + b"3\r\nabc\r\n3\r\ndef\r\n3\r\ngh"  # the third chunk is cut in its data
    assert data_events(parser.feed(first)) == [b"abcdefgh"]
    events = parser.feed(b"i\r\n3\r\njkl\r\n0\r\n\r\n")
    assert data_events(events) == [b"ijkl"]
    assert isinstance(events[-1], EndOfMessage)


def test_a_run_with_a_size_line_over_the_digit_limit_is_refused() -> None:
    too_long = b"0" * 17 + b"3"  # the same size, but more digits than max_chunk_size_digits
    raw = HEAD + b"3\r\nabc\r\n" + too_long + b"\r\ndef\r\n0\r\n\r\n"
    events = HttpRequestParser().feed(raw)
    assert data_events(events) == [b"abc"]
    assert isinstance(events[-1], TransferEncodingError)


def test_a_chunk_fed_as_size_line_data_and_crlf_passes_the_data_through() -> None:
    # how a server that writes each chunk's data apart from its framing is read
    parser = HttpRequestParser()
    parser.feed(HEAD)
    data = b"d" * 5000
    for _ in range(2):
        assert parser.feed(b"1388\r\n") == []
        events = parser.feed(data)
        assert data_events(events) == [data]
        assert data_events(events)[0] is data  # the input itself, not a copy
        assert parser.feed(b"\r\n") == []
    events = parser.feed(b"0\r\n\r\n")
    assert events == [EndOfMessage()]


def test_data_past_the_chunk_end_in_one_feed_still_needs_its_crlf() -> None:
    parser = HttpRequestParser()
    parser.feed(HEAD + b"4\r\n")
    events = parser.feed(b"abcdXY")  # the chunk ends after "abcd": "XY" is not its CRLF
    assert data_events(events) == [b"abcd"]
    assert isinstance(events[-1], TransferEncodingError)


def test_a_bad_crlf_after_a_chunk_whose_data_came_alone_is_refused() -> None:
    parser = HttpRequestParser()
    parser.feed(HEAD + b"4\r\n")
    assert data_events(parser.feed(b"ab")) == [b"ab"]
    assert data_events(parser.feed(b"cd")) == [b"cd"]
    events = parser.feed(b"\n\n0\r\n\r\n")
    assert len(events) == 1 and isinstance(events[0], TransferEncodingError)


@pytest.mark.parametrize("line", [b"zz\r\n", b"4\n", b" 4\r\n", b"+4\r\n", b"\r\n", b"4_0\r\n"])
def test_a_bad_size_line_fed_alone_is_refused(line: bytes) -> None:
    parser = HttpRequestParser()
    parser.feed(HEAD)
    events = parser.feed(line)
    assert len(events) == 1 and isinstance(events[0], TransferEncodingError)


def test_lone_framing_feeds_with_extensions_and_the_last_chunk_parse() -> None:
    parser = HttpRequestParser()
    parser.feed(HEAD)
    assert parser.feed(b"3;name=value\r\n") == []
    assert data_events(parser.feed(b"abc")) == [b"abc"]
    assert parser.feed(b"\r\n") == []
    assert parser.feed(b"0\r\n") == []
    assert parser.feed(b"\r\n") == [EndOfMessage()]
    assert isinstance(parser.feed(b"GET / HTTP/1.1\r\nHost: h\r\n\r\n")[0], RequestHead)


def test_a_lone_crlf_where_data_is_due_is_data() -> None:
    parser = HttpRequestParser()
    parser.feed(HEAD + b"4\r\n")
    assert data_events(parser.feed(b"\r\n")) == [b"\r\n"]  # two of the chunk's four bytes
    assert data_events(parser.feed(b"ab")) == [b"ab"]
    assert parser.feed(b"\r\n") == []
