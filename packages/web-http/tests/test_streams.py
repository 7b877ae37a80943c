"""StreamReader: reads, EOF, errors and flow control."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given, settings, strategies as st
from web_http import EMPTY_PAYLOAD, EmptyStreamReader, EofStream, StreamReader


class Proto:
    def __init__(self) -> None:
        self.paused = False
        self.calls: list[str] = []

    def pause_reading(self) -> None:
        self.paused = True
        self.calls.append("pause")

    def resume_reading(self) -> None:
        self.paused = False
        self.calls.append("resume")


def make(limit: int = 2**16, *chunks: bytes, eof: bool = True) -> StreamReader:
    reader = StreamReader(Proto(), limit)
    for c in chunks:
        reader.feed_data(c)
    if eof:
        reader.feed_eof()
    return reader


async def test_read_all_to_eof() -> None:
    r = make(2**16, b"ab", b"cd", b"e")
    assert await r.read() == b"abcde"
    assert r.at_eof()
    assert await r.read() == b""


async def test_read_n_returns_at_most_n() -> None:
    r = make(2**16, b"abc", b"def")
    assert await r.read(2) == b"ab"
    assert await r.read(3) == b"cde"
    assert await r.read(10) == b"f"
    assert await r.read(10) == b""
    assert await r.read(0) == b""


async def test_read_waits_for_data() -> None:
    r = make(eof=False)

    async def feed() -> None:
        await asyncio.sleep(0)
        r.feed_data(b"late")
        r.feed_eof()

    task = asyncio.create_task(feed())
    assert await r.read() == b"late"
    await task


async def test_readany_returns_buffered() -> None:
    r = make(2**16, b"a", b"b", eof=False)
    assert await r.readany() == b"ab"
    r.feed_eof()
    assert await r.readany() == b""


async def test_readexactly() -> None:
    r = make(2**16, b"abc", b"def")
    assert await r.readexactly(4) == b"abcd"
    with pytest.raises(asyncio.IncompleteReadError) as info:
        await r.readexactly(5)
    assert info.value.partial == b"ef"
    assert info.value.expected == 5


async def test_readexactly_negative() -> None:
    with pytest.raises(ValueError):
        await make().readexactly(-1)


async def test_readline_across_chunks() -> None:
    r = make(2**16, b"line", b" one\nline two", b"\nrest")
    assert await r.readline() == b"line one\n"
    assert await r.readline() == b"line two\n"
    assert await r.readline() == b"rest"
    assert await r.readline() == b""


async def test_readuntil_multibyte_separator_split() -> None:
    r = make(2**16, b"abc\r", b"\ndef\r", b"\n")
    assert await r.readuntil(b"\r\n") == b"abc\r\n"
    assert await r.readuntil(b"\r\n") == b"def\r\n"
    with pytest.raises(ValueError):
        await r.readuntil(b"")


async def test_readline_too_long_raises() -> None:
    r = make(4, b"0123456789\n")
    with pytest.raises(ValueError, match="too long"):
        await r.readline()


async def test_readline_too_long_without_newline() -> None:
    r = make(4, b"01234", b"56789", eof=False)
    with pytest.raises(ValueError):
        await r.readline()


async def test_readline_max_line_length() -> None:
    r = make(2**16, b"12345\n")
    with pytest.raises(ValueError):
        await r.readline(max_line_length=3)


async def test_readline_fast_path_and_limit() -> None:
    r = make(2**16, b"a\nb\n")
    assert await r.readline(max_line_length=2) == b"a\n"
    assert await r.readline() == b"b\n"


async def test_iter_line_protocol() -> None:
    r = make(2**16, b"a\nb\nc")
    assert [line async for line in r] == [b"a\n", b"b\n", b"c"]


async def test_iter_chunked_and_any() -> None:
    r = make(2**16, b"abcde")
    assert [c async for c in r.iter_chunked(2)] == [b"ab", b"cd", b"e"]
    r2 = make(2**16, b"x", eof=False)

    async def feed() -> None:
        await asyncio.sleep(0)
        r2.feed_data(b"y")
        await asyncio.sleep(0)
        r2.feed_eof()

    task = asyncio.create_task(feed())
    assert b"".join([c async for c in r2.iter_any()]) == b"xy"
    await task


async def test_readchunk_without_boundaries() -> None:
    r = make(2**16, b"ab", b"cd")
    assert await r.readchunk() == (b"ab", False)
    assert await r.readchunk() == (b"cd", False)
    assert await r.readchunk() == (b"", False)


async def test_readchunk_with_boundaries() -> None:
    r = StreamReader(Proto(), 2**16)
    r.feed_data(b"ab")
    r.feed_data(b"c")
    r.end_http_chunk_boundary()
    r.end_http_chunk_boundary()  # empty chunk is ignored
    r.feed_data(b"de")
    r.end_http_chunk_boundary()
    r.feed_eof()
    assert [c async for c in r.iter_chunks()] == [(b"abc", True), (b"de", True)]


async def test_readchunk_boundary_after_partial_read() -> None:
    r = StreamReader(Proto(), 2**16)
    r.feed_data(b"abcd")
    r.end_http_chunk_boundary()
    r.feed_data(b"ef")
    r.end_http_chunk_boundary()
    r.feed_eof()
    assert await r.read(4) == b"abcd"
    assert await r.readchunk() == (b"", True)
    assert await r.readchunk() == (b"ef", True)
    assert await r.readchunk() == (b"", False)


async def test_exception_propagates_to_waiter_and_later_reads() -> None:
    r = make(eof=False)
    err = ValueError("boom")

    async def fail() -> None:
        await asyncio.sleep(0)
        r.set_exception(err)

    task = asyncio.create_task(fail())
    with pytest.raises(ValueError, match="boom"):
        await r.read()
    await task
    assert r.exception() is err
    for coro in (r.read(), r.readany(), r.readline(), r.readchunk(), r.readexactly(1)):
        with pytest.raises(ValueError, match="boom"):
            await coro
    with pytest.raises(ValueError):
        r.read_nowait()


async def test_exception_after_data_still_raises() -> None:
    r = make(2**16, b"data", eof=False)
    r.set_exception(ConnectionResetError("gone"))
    with pytest.raises(ConnectionResetError):
        await r.read()


async def test_two_waiters_is_an_error() -> None:
    r = make(eof=False)
    first = asyncio.create_task(r.readany())
    await asyncio.sleep(0)
    with pytest.raises(RuntimeError):
        await r.read()
    with pytest.raises(RuntimeError):
        r.read_nowait()
    r.feed_data(b"x")
    assert await first == b"x"


async def test_eof_callbacks_and_wait_eof() -> None:
    r = make(eof=False)
    seen: list[int] = []
    r.on_eof(lambda: seen.append(1))
    waiter = asyncio.create_task(r.wait_eof())
    await asyncio.sleep(0)
    assert not waiter.done()
    r.feed_eof()
    await waiter
    assert seen == [1]
    r.on_eof(lambda: seen.append(2))
    assert seen == [1, 2]
    assert r.is_eof()


async def test_feed_after_eof_is_refused() -> None:
    r = make()
    with pytest.raises(RuntimeError):
        r.feed_data(b"x")


def test_invalid_limit() -> None:
    with pytest.raises(ValueError):
        StreamReader(Proto(), 0)


async def test_flow_control_pause_and_resume() -> None:
    proto = Proto()
    r = StreamReader(proto, 4)
    r.feed_data(b"1234")
    r.feed_data(b"5678")
    r.feed_data(b"9")  # the buffer was at high water (8), not above it
    assert proto.calls == []
    r.feed_data(b"more")  # data arrives while the buffer is above high water: pause
    assert proto.calls == ["pause"]
    r.feed_data(b"!")  # already paused: no second call
    assert proto.calls == ["pause"]
    assert await r.read(6) == b"123456"
    assert proto.calls == ["pause"]  # 8 left, still above low water
    assert await r.read(5) == b"789mo"
    assert proto.calls == ["pause", "resume"]
    assert r.total_bytes == 14


def test_one_feed_above_high_water_does_not_pause_by_itself() -> None:
    """A single large read is drained by a reader that keeps up: no pause/resume per read."""
    proto = Proto()
    r = StreamReader(proto, 2)
    r.feed_data(b"abcdef" * 100)
    assert proto.calls == []
    assert r.read_nowait() == b"abcdef" * 100
    r.feed_data(b"abcdef" * 100)  # the reader drained the previous feed: still no pause
    assert proto.calls == []


async def test_readany_after_a_partial_read_returns_the_rest() -> None:
    r = make(2**16, b"abcdef", eof=False)
    assert await r.read(2) == b"ab"
    assert await r.readany() == b"cdef"
    r.feed_data(b"gh")
    assert await r.readany() == b"gh"
    assert r.total_bytes == 8


async def test_readany_takes_one_block_across_a_chunk_boundary() -> None:
    r = make(2**16, b"abcd", eof=False)
    r.end_http_chunk_boundary()
    assert await r.readany() == b"abcd"
    r.feed_data(b"ef")
    r.feed_eof()
    assert await r.readany() == b"ef"
    assert r.at_eof()


async def test_readany_of_the_last_block_resumes_a_paused_transport() -> None:
    proto = Proto()
    r = StreamReader(proto, 2)
    r.feed_data(b"abcdef")
    r.feed_data(b"gh")  # the first feed was not read: above high water, paused
    assert proto.paused
    assert await r.read(6) == b"abcdef"
    assert proto.paused  # 2 bytes left: not below the low-water mark yet
    assert await r.readany() == b"gh"
    assert proto.calls == ["pause", "resume"]


async def test_flow_control_resume_on_readany() -> None:
    proto = Proto()
    r = StreamReader(proto, 2)
    r.feed_data(b"abcdef")
    r.feed_data(b"gh")  # the reader did not take the first feed
    assert proto.paused
    assert await r.readany() == b"abcdefgh"
    assert not proto.paused


async def test_reader_that_keeps_up_with_large_feeds_never_pauses() -> None:
    """Feeds larger than the high-water mark, each drained before the next: no churn."""
    proto = Proto()
    r = StreamReader(proto, 4)
    got = bytearray()

    async def consume() -> None:
        async for chunk in r.iter_any():
            got.extend(chunk)

    task = asyncio.create_task(consume())
    for i in range(50):
        await asyncio.sleep(0)  # the reader runs before the next feed, as after a socket read
        r.feed_data(bytes([i]) * 100)
    r.feed_eof()
    await task
    assert bytes(got) == b"".join(bytes([i]) * 100 for i in range(50))
    assert proto.calls == []


async def test_paused_reader_resumes_once_drained_below_low_water() -> None:
    """Backpressure: a stalled reader pauses the feeder, and draining resumes it once."""
    proto = Proto()
    r = StreamReader(proto, 4)  # low water 4, high water 8
    r.feed_data(b"x" * 100)
    r.feed_data(b"y" * 100)
    assert proto.calls == ["pause"]
    assert await r.read(150) == b"x" * 100 + b"y" * 50
    assert proto.calls == ["pause"]  # 50 left: above low water
    assert await r.read(47) == b"y" * 47
    assert proto.calls == ["pause", "resume"]  # 3 left: below low water
    r.feed_data(b"z" * 100)  # the buffer was below high water: no pause
    assert proto.calls == ["pause", "resume"]
    r.feed_eof()
    assert await r.read() == b"yyy" + b"z" * 100
    assert proto.calls == ["pause", "resume"]


async def test_buffer_bounded_when_feeder_respects_pause() -> None:
    """A slow reader: the feeder stops while paused, so the buffer stays within high water
    plus two feeds (the one that crossed it and the one that found it still crossed)."""
    proto = Proto()
    r = StreamReader(proto, 16)
    total = 0

    async def feeder() -> None:
        nonlocal total
        for _ in range(200):
            while proto.paused:  # noqa: ASYNC110 - polls like a transport would
                await asyncio.sleep(0)
            r.feed_data(b"x" * 10)
            total += 10
        r.feed_eof()

    task = asyncio.create_task(feeder())
    got = 0
    sizes: list[int] = []
    while True:
        await asyncio.sleep(0)
        chunk = await r.read(3)
        if not chunk:
            break
        got += len(chunk)
        sizes.append(r.total_bytes - got)
    await task
    assert got == total == 2000
    assert max(sizes) <= 32 + 2 * 10


def test_repr() -> None:
    r = make(8, b"abc")
    assert "3 bytes" in repr(r)
    assert "eof" in repr(r)


async def test_empty_payload() -> None:
    assert EMPTY_PAYLOAD.at_eof()
    assert EMPTY_PAYLOAD.is_eof()
    assert await EMPTY_PAYLOAD.read() == b""
    assert await EMPTY_PAYLOAD.readany() == b""
    assert await EMPTY_PAYLOAD.readline() == b""
    assert await EMPTY_PAYLOAD.readexactly(0) == b""
    with pytest.raises(asyncio.IncompleteReadError):
        await EMPTY_PAYLOAD.readexactly(1)
    assert EMPTY_PAYLOAD.read_nowait() == b""
    assert [c async for c in EMPTY_PAYLOAD.iter_any()] == []
    await EMPTY_PAYLOAD.wait_eof()
    fresh = EmptyStreamReader()
    assert await fresh.readchunk() == (b"", False)
    assert await fresh.readchunk() == (b"", True)
    called: list[bool] = []
    fresh.on_eof(lambda: called.append(True))
    assert called == [True]
    with pytest.raises(RuntimeError):
        fresh.feed_data(b"x")


def test_eof_stream_is_exception() -> None:
    assert issubclass(EofStream, Exception)


@settings(max_examples=60, deadline=None)
@given(
    data=st.binary(max_size=300),
    cuts=st.lists(st.integers(min_value=0, max_value=300), max_size=10),
)
def test_readline_any_split_gives_same_lines(data: bytes, cuts: list[int]) -> None:
    points = sorted({c for c in cuts if c <= len(data)})
    pieces = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]

    async def run() -> list[bytes]:
        r = StreamReader(Proto(), 2**16)
        for p in pieces:
            r.feed_data(p)
        r.feed_eof()
        return [line async for line in r]

    lines = asyncio.run(run())
    assert b"".join(lines) == data
    expected = [p + b"\n" for p in data.split(b"\n")]
    expected[-1] = expected[-1][:-1]
    if not expected[-1]:
        expected.pop()
    assert lines == expected


@given(
    pieces=st.lists(st.binary(min_size=1, max_size=40), max_size=8),
    sizes=st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=12),
)
def test_reads_of_any_size_across_blocks_give_the_stream_in_order(
    pieces: list[bytes], sizes: list[int]
) -> None:
    async def run() -> list[bytes]:
        r = StreamReader(Proto(), 2**16)
        for p in pieces:
            r.feed_data(p)
        r.feed_eof()
        out = []
        for n in sizes:
            block = await r.read(n)
            assert type(block) is bytes and len(block) <= n
            out.append(block)
        out.append(await r.read())
        assert r.at_eof()
        return out

    assert b"".join(asyncio.run(run())) == b"".join(pieces)


async def test_a_read_across_blocks_drops_passed_boundaries_and_resumes() -> None:
    proto = Proto()
    r = StreamReader(proto, 4)
    r.feed_data(b"abc")
    r.end_http_chunk_boundary()
    r.feed_data(b"defg")
    r.end_http_chunk_boundary()
    r.feed_data(b"hij")
    r.feed_data(b"k")  # buffered above high water (8): paused
    assert proto.calls == ["pause"]
    assert await r.read(1) == b"a"
    assert await r.read(8) == b"bcdefghi"  # from an offset, across two boundaries, to one
    assert proto.calls == ["pause", "resume"]
    r.end_http_chunk_boundary()
    r.feed_eof()
    assert await r.readchunk() == (b"jk", True)
    assert await r.readchunk() == (b"", False)
