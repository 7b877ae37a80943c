"""Property-based tests: serialize-then-parse round trips; any split gives the same events."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st
from web_http import (
    ChunkedEncoder,
    Data,
    EndOfMessage,
    Event,
    HttpProcessingError,
    HttpRequestParser,
    HttpResponseParser,
    RequestHead,
    ResponseHead,
    serialize_request_head,
    serialize_response_head,
)

TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
RESERVED = {"host", "content-length", "transfer-encoding", "connection", "upgrade", "expect"}

names = st.text(TCHARS, min_size=1, max_size=20).filter(lambda n: n.lower() not in RESERVED)
# Field values: visible characters with inner spaces/tabs, no surrounding whitespace.
values = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0x2FF, exclude_characters="\x7f"),
    max_size=30,
).map(lambda v: v.strip(" \t"))
headers = st.lists(st.tuples(names, values), max_size=8)
methods = st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "X-CUSTOM"])
targets = st.text("abcxyz0123456789-._~%!$&'()*+,;=:@/?", max_size=40).map(lambda t: "/" + t)
bodies = st.lists(st.binary(min_size=1, max_size=64), max_size=5)


def normalize(events: list[Event]) -> list[object]:
    """Merge adjacent Data events: only the split of body bytes may differ."""
    out: list[object] = []
    for event in events:
        if isinstance(event, Data):
            if out and isinstance(out[-1], bytes):
                out[-1] = out[-1] + event.data
            else:
                out.append(event.data)
        elif isinstance(event, HttpProcessingError):
            out.append((type(event), event.code))
        else:
            out.append(event)
    return out


def feed_split(
    parser: HttpRequestParser | HttpResponseParser, raw: bytes, cuts: list[int]
) -> list[Event]:
    events: list[Event] = []
    last = 0
    for cut in [*sorted(set(cuts)), len(raw)]:
        events += parser.feed(raw[last:cut])
        last = cut
    events += parser.feed_eof()
    return events


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, str, list[tuple[str, str]], list[bytes], bool, bytes]:
    method = draw(methods)
    target = draw(targets)
    fields = [("Host", "example.com"), *draw(headers)]
    pieces = draw(bodies)
    chunked = draw(st.booleans())
    body = b"".join(pieces)
    if chunked:
        enc = ChunkedEncoder()
        wire = b"".join(enc.encode(p) for p in pieces) + enc.end()
        all_fields = [*fields, ("Transfer-Encoding", "chunked")]
    else:
        wire = body
        all_fields = [*fields, ("Content-Length", str(len(body)))]
    raw = serialize_request_head(method, target, all_fields) + wire
    return method, target, all_fields, pieces, chunked, raw


@settings(max_examples=150, deadline=None)
@given(requests())
def test_request_round_trip(
    req: tuple[str, str, list[tuple[str, str]], list[bytes], bool, bytes],
) -> None:
    method, target, fields, pieces, chunked, raw = req
    events = HttpRequestParser().feed(raw)
    head = events[0]
    assert isinstance(head, RequestHead), events
    assert head.method == method
    assert head.target == target
    assert list(head.headers.items()) == fields
    assert head.chunked is chunked
    assert b"".join(e.data for e in events if isinstance(e, Data)) == b"".join(pieces)
    assert isinstance(events[-1], EndOfMessage)


@settings(max_examples=150, deadline=None)
@given(st.lists(requests(), min_size=1, max_size=3), st.data())
def test_any_split_gives_same_events(reqs: list[tuple[object, ...]], data: st.DataObject) -> None:
    raw = b"".join(r[-1] for r in reqs)  # type: ignore[misc]
    whole = normalize(feed_split(HttpRequestParser(), raw, []))
    assert sum(isinstance(e, EndOfMessage) for e in whole) == len(reqs)
    cuts = data.draw(st.lists(st.integers(0, len(raw)), max_size=12))
    assert normalize(feed_split(HttpRequestParser(), raw, cuts)) == whole


@settings(max_examples=40, deadline=None)
@given(requests())
def test_one_byte_at_a_time_is_the_same(req: tuple[object, ...]) -> None:
    raw = req[-1]
    assert isinstance(raw, bytes)
    whole = normalize(feed_split(HttpRequestParser(), raw, []))
    assert normalize(feed_split(HttpRequestParser(), raw, list(range(len(raw))))) == whole


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200), st.data())
def test_garbage_never_crashes_and_splits_agree(garbage: bytes, data: st.DataObject) -> None:
    raw = b"POST / HTTP/1.1\r\nHost: h\r\n" + garbage
    whole = normalize(feed_split(HttpRequestParser(), raw, []))
    cuts = data.draw(st.lists(st.integers(0, len(raw)), max_size=8))
    assert normalize(feed_split(HttpRequestParser(), raw, cuts)) == whole


@settings(max_examples=100, deadline=None)
@given(
    st.integers(200, 599).filter(lambda s: s not in (204, 304)),
    st.text(TCHARS + " ", max_size=20).map(str.strip),
    headers,
    bodies,
    st.data(),
)
def test_response_round_trip(
    status: int,
    reason: str,
    fields: list[tuple[str, str]],
    pieces: list[bytes],
    data: st.DataObject,
) -> None:
    enc = ChunkedEncoder()
    wire = b"".join(enc.encode(p) for p in pieces) + enc.end([("X-Trailer", "t")])
    all_fields = [*fields, ("Transfer-Encoding", "chunked")]
    raw = serialize_response_head(status, reason, all_fields) + wire
    cuts = data.draw(st.lists(st.integers(0, len(raw)), max_size=8))
    events = feed_split(HttpResponseParser(), raw, cuts)
    head = events[0]
    assert isinstance(head, ResponseHead)
    assert (head.status, head.reason) == (status, reason)
    assert list(head.headers.items()) == all_fields
    assert b"".join(e.data for e in events if isinstance(e, Data)) == b"".join(pieces)
    end = events[-1]
    assert isinstance(end, EndOfMessage)
    assert end.trailers["x-trailer"] == "t"
