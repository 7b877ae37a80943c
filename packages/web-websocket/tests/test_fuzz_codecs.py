"""Fuzz targets for the sans-IO codecs of web-websocket: the frame reader and
permessage-deflate.

As in web-http's test_fuzz_codecs.py (whose helpers are repeated here: unit tests use only
their own package): each target fails only on an exception other than the package's own
errors, an input slower than ``BOUND`` seconds, or different messages when the same bytes
arrive whole, in random splits, or one byte at a time. ``tools/fuzz.py`` runs the same
``TARGETS`` for longer.
"""

from __future__ import annotations

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
from web_websocket import Deflater, Inflater, WebSocketError, WSMsgType, encode_frame
from web_websocket._reader import WebSocketReader

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


# ----------------------------------------------------------------- the targets

MASK = b"\x37\xfa\x21\x3d"
MAX_SIZE = 1 << 16


def _messages(reader: WebSocketReader, pieces: list[bytes]) -> list[object]:
    """The messages, errors as (ERROR, close code); the reader reads nothing after one."""
    out: list[object] = []
    for piece in pieces:
        for msg in reader.feed(piece):
            if msg.type is WSMsgType.ERROR:
                assert isinstance(msg.data, WebSocketError), msg
                out.append((msg.type, msg.data.code))
            else:
                out.append(tuple(msg))
    reader.feed_eof()
    return out


def frame_reader(data: bytes) -> None:
    """Masked client frames, as a server reads them, without compression."""
    same_for_every_split(
        lambda pieces: _messages(WebSocketReader(masked=True, max_msg_size=MAX_SIZE), pieces),
        data,
    )


def permessage_deflate(data: bytes) -> None:
    """``data`` is the compressed payload of one message, sent in fragments cut where the
    bytes say; the reader (with context takeover or without) must agree with inflating
    the payload in one go, for every delivery of the frames."""
    rng = random.Random(zlib.crc32(data) ^ 1)
    cuts = sorted(rng.sample(range(1, len(data)), min(len(data) - 1, 4))) if data else []
    edges = [0, *cuts, len(data)]
    fragments = [data[a:b] for a, b in itertools.pairwise(edges)]
    wire = b"".join(
        encode_frame(
            0x2 if i == 0 else 0x0,
            fragment,
            fin=i == len(fragments) - 1,
            rsv1=i == 0,
            mask=MASK,
        )
        for i, fragment in enumerate(fragments)
    )
    takeover = rng.random() < 0.5
    try:
        expected: object = [(WSMsgType.BINARY, Inflater().decompress(data, MAX_SIZE), "")]
    except WebSocketError as exc:
        expected = [(WSMsgType.ERROR, exc.code)]

    def run(pieces: list[bytes]) -> list[object]:
        inflater = Inflater(no_context_takeover=not takeover)
        reader = WebSocketReader(masked=True, max_msg_size=MAX_SIZE, inflater=inflater)
        return _messages(reader, pieces)

    same_for_every_split(run, wire)
    assert run([wire]) == expected, (data, expected)


TARGETS: dict[str, Callable[[bytes], None]] = {
    "frame_reader": frame_reader,
    "permessage_deflate": permessage_deflate,
}


def _client(opcode: int, payload: bytes, *, fin: bool = True) -> bytes:
    return encode_frame(opcode, payload, fin=fin, mask=MASK)


_DEFLATE = Deflater()
SEEDS: dict[str, list[bytes]] = {
    "frame_reader": [
        _client(0x1, "héllo".encode()) + _client(0x2, b"\x00\x01" * 80),
        _client(0x1, b"frag", fin=False) + _client(0x9, b"ping") + _client(0x0, b"ment"),
        _client(0x2, b"z" * 300) + _client(0xA, b"") + _client(0x8, b"\x03\xe8bye"),
        _client(0x1, b"a" * 70000),
    ],
    "permessage_deflate": [
        _DEFLATE.compress(b"hello " * 50),
        Deflater(no_context_takeover=True).compress(bytes(range(256)) * 4),
        zlib.compress(b"x" * 5000)[2:-4],
        b"\x00",
    ],
}
#: Bytes a mutation splices in: frame heads, lengths, opcodes.
TOKENS = [
    b"\x81", b"\x01", b"\x80", b"\x88", b"\x89", b"\xc1", b"\x00", b"\xff", b"\xfe\xff\xff",
    b"\xff" * 8, MASK, b"\x7f\xff\xff\xff\xff\xff\xff\xff", b"\x00\x00\xff\xff",
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
@given(fuzz_input("frame_reader"))
def test_fuzz_frame_reader(data: bytes) -> None:
    frame_reader(data)


@_FUZZ
@given(fuzz_input("permessage_deflate"))
def test_fuzz_permessage_deflate(data: bytes) -> None:
    permessage_deflate(data)


def test_seeds_are_valid_inputs() -> None:
    """The seeds decode cleanly, so mutations start from the deep paths, not from errors."""
    for seed in SEEDS["frame_reader"]:
        messages = _messages(WebSocketReader(masked=True, max_msg_size=1 << 17), [seed])
        assert all(m[0] is not WSMsgType.ERROR for m in messages), messages  # type: ignore[index]
    for seed in SEEDS["permessage_deflate"]:
        Inflater().decompress(seed, MAX_SIZE)


def test_a_hang_is_reported() -> None:
    """The time bound really stops a runaway input (what the fuzz targets rely on)."""
    with pytest.raises(Hang), bounded(0.05):
        while True:
            pass
