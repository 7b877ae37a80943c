"""Fuzz targets for the sans-IO codecs of web-http: request parser, response parser, chunked
decoder, multipart reader.

Each target takes raw bytes and fails only on a real defect: an exception that is not one of
the package's own errors, an input that takes longer than ``BOUND`` seconds, or a different
outcome when the same bytes arrive whole, in random splits, or one byte at a time.

Here hypothesis drives them (valid messages, mutated, plus plain random bytes); the short
run is part of the README's check and ``WEB_FUZZ_EXAMPLES`` sets its size.
``tools/fuzz.py`` runs the same ``TARGETS`` for longer (atheris, coverage-guided, seeded
with ``SEEDS``). A crash found there becomes a case in test_hostile_corpus.py.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import random
import signal
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from web_http import (
    Data,
    EndOfMessage,
    HttpLimits,
    HttpProcessingError,
    HttpRequestParser,
    HttpResponseParser,
    MultipartReader,
    RequestHead,
    ResponseHead,
)
from web_http._body import ChunkedReader

#: Seconds one input may take (all its splits together) before it counts as a hang.
BOUND = 5.0
EXAMPLES = int(os.environ.get("WEB_FUZZ_EXAMPLES", "1000"))


class Hang(Exception):
    """An input took longer than ``BOUND`` seconds."""


@contextmanager
def bounded(seconds: float = BOUND) -> Iterator[None]:
    """Raise ``Hang`` in the running code if the block lasts longer than ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise Hang(f"input took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def splits(data: bytes) -> list[list[bytes]]:
    """The ways the same bytes are delivered: whole, randomly cut (seeded by the bytes, so
    a failure replays), and one byte at a time for inputs small enough to afford it."""
    rng = random.Random(zlib.crc32(data))
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, 12))) if data else []
    edges = [0, *cuts, len(data)]
    ways = [[data], [data[a:b] for a, b in itertools.pairwise(edges)]]
    if len(data) <= 1500:
        ways.append([data[i : i + 1] for i in range(len(data))])
    return ways


def same_for_every_split(run: Callable[[list[bytes]], object], data: bytes) -> None:
    """``run`` gives one outcome per delivery; every delivery must give the same."""
    with bounded():
        outcomes = [run(pieces) for pieces in splits(data)]
    for outcome in outcomes[1:]:
        assert outcome == outcomes[0], (data, outcomes[0], outcome)


# ----------------------------------------------------------------- the parsers


def _events(parser: HttpRequestParser | HttpResponseParser, pieces: list[bytes]) -> list[object]:
    """The parser's events with body bytes merged (their split may differ) and errors as
    (class, code); anything but the package's own events and errors escapes as a crash."""
    out: list[object] = []
    body = bytearray()
    events = [e for piece in pieces for e in parser.feed(piece)] + parser.feed_eof()
    for event in events:
        if isinstance(event, Data):
            body += event.data
            continue
        if isinstance(event, HttpProcessingError):
            # Class and status only: the reason names the first fault seen, and body bytes
            # just before an error are a partial body; both depend on where the input was cut
            # (a decoder yields what it could decode so far).
            out.append((type(event), event.code))
            return out
        if body:
            out.append(bytes(body))
            body = bytearray()
        assert isinstance(event, RequestHead | ResponseHead | EndOfMessage), event
        out.append(event)
    if body:
        out.append(bytes(body))
    return out


def request_parser(data: bytes) -> None:
    same_for_every_split(lambda pieces: _events(HttpRequestParser(), pieces), data)


def response_parser(data: bytes) -> None:
    def run(pieces: list[bytes]) -> list[object]:
        parser = HttpResponseParser()
        if zlib.crc32(data) % 4 == 0:  # a quarter answer a HEAD (no body, whatever the head)
            parser.set_request_method("HEAD")
        return _events(parser, pieces)

    same_for_every_split(run, data)


def chunked_decoder(data: bytes) -> None:
    limits = HttpLimits()

    def run(pieces: list[bytes]) -> object:
        reader = ChunkedReader(limits)
        buf = bytearray()
        body = bytearray()
        views: list[memoryview] = []
        try:
            for i, piece in enumerate(pieces):
                buf += piece
                pos, trailers = reader.feed(buf, 0, views)
                for view in views:
                    body += view
                    view.release()
                views.clear()
                del buf[:pos]
                if trailers is not None:
                    # what follows the body is the next message's, untouched
                    return (
                        bytes(body),
                        list(trailers.items()),
                        bytes(buf + b"".join(pieces[i + 1 :])),
                    )
        except HttpProcessingError as exc:
            for view in views:
                view.release()
            return type(exc), exc.code  # (the body before it is partial, as in _events)
        return bytes(body), "incomplete"

    same_for_every_split(run, data)


# ----------------------------------------------------------------- multipart


class _Pieces:
    """A body that arrives in the given pieces (``read(n)`` never returns more than n)."""

    def __init__(self, pieces: list[bytes]) -> None:
        self._pieces = [p for p in pieces if p]

    async def read(self, n: int = -1) -> bytes:
        if not self._pieces:
            return b""
        piece = self._pieces.pop(0)
        if 0 < n < len(piece):
            self._pieces.insert(0, piece[n:])
            piece = piece[:n]
        return piece


async def _read_parts(reader: MultipartReader, out: list[object]) -> None:
    while (part := await reader.next()) is not None:
        if isinstance(part, MultipartReader):
            out.append("nested")
            await _read_parts(part, out)
            out.append("end")
        else:
            out.append((tuple(part.headers.items()), await part.read(decode=True)))


_LOOP = asyncio.new_event_loop()


def multipart_reader(data: bytes) -> None:
    headers = {"Content-Type": "multipart/form-data; boundary=XyZ"}

    def run(pieces: list[bytes]) -> list[object]:
        out: list[object] = []
        try:
            reader = MultipartReader(headers, _Pieces(pieces), client_max_size=1 << 16)
            _LOOP.run_until_complete(_read_parts(reader, out))
        except HttpProcessingError as exc:
            out.append((type(exc), exc.code))
        return out

    same_for_every_split(run, data)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "request_parser": request_parser,
    "response_parser": response_parser,
    "chunked_decoder": chunked_decoder,
    "multipart_reader": multipart_reader,
}

_H = b"Host: example.com\r\n"
_PART = (
    b'--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nvalue\r\n'
    b'--XyZ\r\nContent-Disposition: form-data; name="f"; filename="x.txt"\r\n'
    b"Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n\r\naGVsbG8=\r\n"
    b'--XyZ\r\nContent-Disposition: form-data; name="q"\r\n'
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\nh=C3=A9llo=\r\n\r\n"
)
_NESTED = (
    b"--XyZ\r\nContent-Type: multipart/mixed; boundary=In\r\n\r\n"
    b"--In\r\nContent-Type: text/plain\r\n\r\ninner\r\n--In--\r\n"
)
_DEFLATED = zlib.compress(b"squeezed " * 20)
SEEDS: dict[str, list[bytes]] = {
    "request_parser": [
        b"GET /a?b=c HTTP/1.1\r\n" + _H + b"Cookie: x=1\r\n\r\n",
        b"POST /p HTTP/1.1\r\n"
        + _H
        + b"Content-Length: 5\r\n\r\nhelloGET / HTTP/1.1\r\n"
        + _H
        + b"\r\n",
        b"POST / HTTP/1.1\r\n" + _H + b"Transfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n0\r\nX-T: 1\r\n\r\n",
        b"GET /ws HTTP/1.1\r\n" + _H + b"Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n\x81\x80",
        b"POST / HTTP/1.1\r\n"
        + _H
        + b"Content-Encoding: deflate\r\nContent-Length: "
        + str(len(_DEFLATED)).encode()
        + b"\r\n\r\n"
        + _DEFLATED,
        b"GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\nOPTIONS * HTTP/1.1\r\n" + _H + b"\r\n",
    ],
    "response_parser": [
        b"HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 204 No Content\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
        b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x00",
        b"HTTP/1.0 200 OK\r\n\r\nuntil the connection closes",
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Encoding: gzip\r\n\r\n",
    ],
    "chunked_decoder": [
        b"5\r\nhello\r\n0\r\n\r\nrest",
        b"a;name=value\r\n0123456789\r\n1\r\nx\r\n0\r\nX-Trailer: t\r\nX-Two: 2\r\n\r\n",
        b"FFFF\r\n" + b"z" * 64,
        b"3\r\nabc\r\n3\r\ndef\r\n3\r\nghi\r\n03\r\njkl\r\n0\r\n\r\n",  # a run of equal sizes
    ],
    "multipart_reader": [_PART + b"--XyZ--\r\n", _NESTED + b"--XyZ--\r\n", b"--XyZ--\r\n"],
}
#: Bytes a mutation splices in: the grammar's separators and keywords.
TOKENS = [
    b"\r\n", b"\n", b"\r", b"\r\n\r\n", b":", b" ", b"\t", b";", b"=", b",", b"\x00", b"#",
    b"chunked", b"Content-Length: ", b"Transfer-Encoding: ", b"0\r\n", b"--XyZ", b"--",
    b"HTTP/1.1", b"\xff", b"9" * 20,
]  # fmt: skip


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    """A seed with a few byte-level edits: flips, token splices, cuts, deletions, repeats."""
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(0, 5))):
        op = draw(st.integers(0, 5))
        pos = draw(st.integers(0, len(data)))
        if op == 0 and data:
            data[min(pos, len(data) - 1)] = draw(st.integers(0, 255))
        elif op == 1:
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == 2:
            del data[pos : pos + draw(st.integers(1, 16))]
        elif op == 3:
            del data[pos:]
        elif op == 4:
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 24))] * draw(st.integers(1, 40))
        else:
            data[pos:pos] = draw(st.binary(min_size=1, max_size=8))
    return bytes(data)


def fuzz_input(name: str) -> st.SearchStrategy[bytes]:
    return st.one_of(mutated(SEEDS[name]), st.binary(max_size=300))


_FUZZ = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@_FUZZ
@given(fuzz_input("request_parser"))
def test_fuzz_request_parser(data: bytes) -> None:
    request_parser(data)


@_FUZZ
@given(fuzz_input("response_parser"))
def test_fuzz_response_parser(data: bytes) -> None:
    response_parser(data)


@_FUZZ
@given(fuzz_input("chunked_decoder"))
def test_fuzz_chunked_decoder(data: bytes) -> None:
    chunked_decoder(data)


@_FUZZ
@given(fuzz_input("multipart_reader"))
def test_fuzz_multipart_reader(data: bytes) -> None:
    multipart_reader(data)


def test_seeds_are_valid_inputs() -> None:
    """The seeds parse cleanly, so mutations start from the deep paths, not from errors."""
    assert not any(isinstance(e, HttpProcessingError) for s in SEEDS["request_parser"]
                   for e in HttpRequestParser().feed(s))  # fmt: skip
    for seed in SEEDS["multipart_reader"]:
        multipart_reader(seed)


def test_a_hang_is_reported() -> None:
    """The time bound really stops a runaway input (what the fuzz targets rely on)."""
    with pytest.raises(Hang), bounded(0.05):
        while True:
            pass
