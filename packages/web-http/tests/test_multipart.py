"""MultipartReader / BodyPartReader: streaming multipart bodies (RFC 2046, RFC 7578)."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
from collections.abc import AsyncIterator

import pytest
from hypothesis import given, settings, strategies as st
from web_http import BadHttpMessage, BodyPartReader, MultipartError, MultipartReader, StreamReader

CT = {"Content-Type": "multipart/form-data; boundary=XX"}


class Proto:
    def pause_reading(self) -> None:
        """Nothing to pause in memory."""

    def resume_reading(self) -> None:
        """Nothing to resume in memory."""


def stream(*pieces: bytes) -> StreamReader:
    r = StreamReader(Proto(), 64)
    for p in pieces:
        r.feed_data(p)
    r.feed_eof()
    return r


def part(headers: str, body: bytes, boundary: bytes = b"XX") -> bytes:
    return b"--" + boundary + b"\r\n" + headers.encode() + b"\r\n\r\n" + body + b"\r\n"


FORM = (
    b"preamble line\r\n"
    + part('Content-Disposition: form-data; name="a"', b"hello\r\nworld")
    + part(
        "Content-Disposition: form-data; name=\"f\"; filename*=UTF-8''%e2%82%ac.txt\r\n"
        "Content-Type: text/plain; charset=latin-1",
        b"\xa3",
    )
    + part('Content-Disposition: form-data; name="empty"', b"")
    + b"--XX--\r\nepilogue"
)


async def collect(reader: MultipartReader) -> list[tuple[str | None, str | None, bytes]]:
    out = []
    async for item in reader:
        assert isinstance(item, BodyPartReader)
        out.append((item.name, item.filename, await item.read()))
    return out


async def test_form_parts() -> None:
    reader = MultipartReader(CT, stream(FORM))
    assert await collect(reader) == [
        ("a", None, b"hello\r\nworld"),
        ("f", "€.txt", b"\xa3"),
        ("empty", None, b""),
    ]
    assert reader.at_eof()
    assert await reader.next() is None


async def test_text_uses_part_charset() -> None:
    reader = MultipartReader(CT, stream(FORM))
    first = await reader.next()
    assert isinstance(first, BodyPartReader)
    assert await first.text() == "hello\r\nworld"
    second = await reader.next()
    assert isinstance(second, BodyPartReader)
    assert second.get_charset("utf-8") == "latin-1"
    assert await second.text() == "£"
    assert second.headers["content-type"].startswith("text/plain")


async def test_next_releases_unread_part() -> None:
    reader = MultipartReader(CT, stream(FORM))
    first = await reader.next()
    assert first is not None
    second = await reader.next()
    assert isinstance(second, BodyPartReader)
    assert second.name == "f"
    await reader.release()
    assert reader.at_eof()


async def test_read_chunk_and_readline() -> None:
    body = part('Content-Disposition: form-data; name="a"', b"l1\nl2\r\nl3") + b"--XX--\r\n"
    reader = MultipartReader(CT, stream(body))
    item = await reader.next()
    assert isinstance(item, BodyPartReader)
    assert await item.readline() == b"l1\n"
    assert await item.read_chunk(2) == b"l2"
    assert await item.readline() == b"\r\n"
    assert await item.readline() == b"l3"
    assert await item.readline() == b""
    assert item.at_eof()
    assert await item.read_chunk() == b""
    assert await reader.next() is None


async def test_readline_line_ends_before_delimiter() -> None:
    body = part("X: y", b"a\r\n") + b"--XX--"
    reader = MultipartReader(CT, stream(body))
    item = await reader.next()
    assert isinstance(item, BodyPartReader)
    assert [line async for line in _lines(item)] == [b"a\r\n", b""]


async def _lines(item: BodyPartReader) -> AsyncIterator[bytes]:
    while True:
        line = await item.readline()
        yield line
        if not line:
            return


async def test_json_and_form_helpers() -> None:
    body = (
        part("Content-Type: application/json", json.dumps({"k": [1, "é"]}).encode())
        + part("Content-Type: application/x-www-form-urlencoded", b"a=1&b=%C3%A9")
        + part("Content-Type: application/json", b"")
        + b"--XX--"
    )
    reader = MultipartReader(CT, stream(body))
    items = [item async for item in reader]
    assert all(isinstance(i, BodyPartReader) for i in items)
    # Parts were released by the iteration: read them from a fresh reader instead.
    reader = MultipartReader(CT, stream(body))
    j = await reader.next()
    assert isinstance(j, BodyPartReader)
    assert await j.json() == {"k": [1, "é"]}
    f = await reader.next()
    assert isinstance(f, BodyPartReader)
    assert await f.form() == [("a", "1"), ("b", "é")]
    e = await reader.next()
    assert isinstance(e, BodyPartReader)
    assert await e.json() is None


async def test_transfer_and_content_encodings() -> None:
    payload = b"binary\x00data" * 20
    b64 = base64.encodebytes(payload)  # wrapped in 76-char lines
    body = (
        part("Content-Transfer-Encoding: base64", b64)
        + part("Content-Transfer-Encoding: quoted-printable", b"caf=C3=A9=\r\n!")
        + part("Content-Encoding: gzip", gzip.compress(payload))
        + part("Content-Transfer-Encoding: 8bit", b"raw")
        + b"--XX--"
    )
    reader = MultipartReader(CT, stream(body))
    got = []
    while (item := await reader.next()) is not None:
        assert isinstance(item, BodyPartReader)
        got.append(await item.read(decode=True))
    assert got == [payload, "café!".encode(), payload, b"raw"]


@pytest.mark.parametrize(
    "headers",
    [
        "Content-Transfer-Encoding: base64",
        "Content-Transfer-Encoding: x-unknown",
        "Content-Encoding: gzip",
        "Content-Encoding: compress",
    ],
)
async def test_bad_encodings_raise(headers: str) -> None:
    reader = MultipartReader(CT, stream(part(headers, b"!!not valid!!") + b"--XX--"))
    item = await reader.next()
    assert isinstance(item, BodyPartReader)
    with pytest.raises(MultipartError):
        await item.read(decode=True)


async def test_decompression_bomb_is_bounded() -> None:
    bomb = gzip.compress(b"\x00" * 100_000)
    reader = MultipartReader(CT, stream(part("Content-Encoding: gzip", bomb) + b"--XX--"))
    item = await reader.next()
    assert isinstance(item, BodyPartReader)
    item._max_decompress_size = 1000
    with pytest.raises(MultipartError, match="too large"):
        await item.read(decode=True)


async def test_nested_multipart() -> None:
    inner = (
        b"--YY\r\nContent-Type: text/plain\r\n\r\ninner one\r\n"
        b"--YY\r\n\r\ninner two\r\n--YY--\r\ninner epilogue\r\n"
    )
    body = (
        part('Content-Disposition: form-data; name="a"', b"x")
        + b"--XX\r\nContent-Type: multipart/mixed; boundary=YY\r\n\r\n"
        + inner
        + part('Content-Disposition: form-data; name="z"', b"last")
        + b"--XX--"
    )
    reader = MultipartReader(CT, stream(body))
    seen: list[object] = []
    async for item in reader:
        if isinstance(item, MultipartReader):
            seen.append([await sub.read() async for sub in _parts(item)])
        else:
            seen.append(await item.read())
    assert seen == [b"x", [b"inner one", b"inner two"], b"last"]


async def _parts(reader: MultipartReader) -> AsyncIterator[BodyPartReader]:
    async for item in reader:
        assert isinstance(item, BodyPartReader)
        yield item


async def test_unread_nested_part_is_skipped() -> None:
    body = (
        b"--XX\r\nContent-Type: multipart/mixed; boundary=YY\r\n\r\n"
        b"--YY\r\n\r\ninner\r\n--YY--\r\n"
        + part('Content-Disposition: form-data; name="z"', b"last")
        + b"--XX--"
    )
    reader = MultipartReader(CT, stream(body))
    nested = await reader.next()
    assert isinstance(nested, MultipartReader)
    last = await reader.next()
    assert isinstance(last, BodyPartReader)
    assert await last.read() == b"last"


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "multipart/form-data",
        "multipart/form-data; boundary=",
        "multipart/form-data; boundary=" + "x" * 71,
        'multipart/form-data; boundary="bad\\"quote"',
        'multipart/form-data; boundary="ends with space "',
    ],
)
def test_bad_boundary_header(content_type: str) -> None:
    with pytest.raises(MultipartError) as info:
        MultipartReader({"Content-Type": content_type}, stream(b""))
    assert isinstance(info.value, BadHttpMessage)
    assert info.value.code == 400


@pytest.mark.parametrize(
    "body",
    [
        b"no boundary here\r\n",
        b"--XX\r\nContent-Disposition: form-data\r\n",
        b"--XX\r\n\r\ntruncated body",
        b"--XX\r\n\r\nbody\r\n--XY\r\n",
        b"--XX\r\n\r\nbody\r\n--XXjunk\r\n",
        b"--XX\r\nbad header line\r\n\r\nx\r\n--XX--",
        b"--XX\r\nContent-Type\r\n\r\nx\r\n--XX--",
        b"--XX\r\nX: y\r\n folded\r\n\r\nx\r\n--XX--",
        b"--XX\r\nX: y\rz\r\n\r\nx\r\n--XX--",
    ],
    ids=[
        "no-start",
        "eof-in-headers",
        "truncated",
        "wrong-boundary",
        "boundary-suffix",
        "bad-header",
        "known-name-no-colon",
        "folding",
        "bare-cr",
    ],
)
async def test_malformed_bodies_raise(body: bytes) -> None:
    reader = MultipartReader(CT, stream(body))
    with pytest.raises(MultipartError):
        async for item in reader:
            await item.release()


async def test_limits() -> None:
    many = b"".join(part("X: y", b"v") for _ in range(5)) + b"--XX--"
    reader = MultipartReader(CT, stream(many), max_parts=4)
    with pytest.raises(MultipartError, match="Too many"):
        async for item in reader:
            await item.release()
    big_header = part("X: " + "a" * 200, b"v") + b"--XX--"
    reader = MultipartReader(CT, stream(big_header), max_field_size=100)
    with pytest.raises(MultipartError, match="too long"):
        await reader.next()
    many_headers = part("\r\n".join(f"H{i}: v" for i in range(50)), b"v") + b"--XX--"
    reader = MultipartReader(CT, stream(many_headers), max_headers=200)
    with pytest.raises(MultipartError, match="too large"):
        await reader.next()
    nested = b""
    for level in range(4):
        nested += (
            f"--B{level}\r\nContent-Type: multipart/mixed; boundary=B{level + 1}\r\n\r\n".encode()
        )
    reader = MultipartReader(
        {"Content-Type": "multipart/mixed; boundary=B0"}, stream(nested), max_nesting=3
    )
    current: MultipartReader | BodyPartReader | None = reader
    with pytest.raises(MultipartError, match="nested"):
        while isinstance(current, MultipartReader):
            current = await current.next()


async def test_transport_padding_and_lf_boundary_lines() -> None:
    body = b"--XX \t\r\n\r\nv\r\n--XX--  \r\n"
    assert await collect(MultipartReader(CT, stream(body))) == [(None, None, b"v")]


async def test_body_read_from_any_reader_object() -> None:
    class Chunks:
        def __init__(self, data: bytes) -> None:
            self.data = data

        async def read(self, n: int = -1) -> bytes:
            await asyncio.sleep(0)
            out, self.data = self.data[:3], self.data[3:]
            return out

    reader = MultipartReader(CT, Chunks(FORM))
    assert [p[2] for p in await collect(reader)] == [b"hello\r\nworld", b"\xa3", b""]


class ByteAtATime:
    """A body read one byte per call: no part head is ever whole in the reader's buffer."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    async def read(self, n: int = -1) -> bytes:
        out, self.data = self.data[:1], self.data[1:]
        return out


async def _outcome(content: StreamReader | ByteAtATime, limits: dict[str, int]) -> object:
    try:
        reader = MultipartReader(
            CT,
            content,
            max_field_size=limits.get("max_field_size", 8190),
            max_headers=limits.get("max_headers", 32768),
        )
        parts = []
        async for item in reader:
            assert isinstance(item, BodyPartReader)
            parts.append((list(item.headers.items()), await item.read()))
        return parts
    except MultipartError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize(
    ("body", "limits"),
    [
        (b"--XX\r\nA: 1\r\nB: 2\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\nA: 1\nB: 2\n\nv\r\n--XX--\n", {}),
        (b"--XX\r\nA: 1\r\r\nB: 2\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\nA: 1\nB: 2\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\nA: 1\r\n\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\nA: 1\r\n B: 2\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\nA: " + b"a" * 97 + b"\r\n\r\nv\r\n--XX--\r\n", {"max_field_size": 100}),
        (b"--XX\r\nA: " + b"a" * 98 + b"\r\n\r\nv\r\n--XX--\r\n", {"max_field_size": 100}),
        (b"--XX\r\nA: 1\r\nB: 2\r\n\r\nv\r\n--XX--\r\n", {"max_headers": 14}),
        (b"--XX\r\nA: 1\r\nB: 2\r\n\r\nv\r\n--XX--\r\n", {"max_headers": 13}),
        (b"--XX\r\nA\x00: 1\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\nContent-Type\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\nContent-Type : a\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\ncontent-type: a\r\nContent-Type: b\x00\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX\r\nA: caf\xc3\xa9\r\nB: caf\xe9\r\n\r\nv\r\n--XX--\r\n", {}),
        (b"--XX  \r\nA: 1\r\n\r\nv\r\n--XX--\t\r\n", {}),
        (b"--XX\r\nA: 1\r\n\r\nv\r\n--XX--", {}),
        (b"--XXY\r\nA: 1\r\n\r\nv\r\n--XX--\r\n", {}),
    ],
    ids=[
        "plain",
        "no-headers",
        "bare-lf",
        "cr-cr-lf",
        "mixed-endings",
        "body-starts-with-crlf",
        "folding",
        "line-at-limit",
        "line-over-limit",
        "head-at-limit",
        "head-over-limit",
        "bad-name",
        "known-name-no-colon",
        "known-name-space",
        "known-name-nul-value",
        "utf8-and-latin1",
        "padded-boundaries",
        "close-without-crlf",
        "longer-boundary",
    ],
)
async def test_whole_head_in_buffer_reads_as_line_by_line(
    body: bytes, limits: dict[str, int]
) -> None:
    """A head whole in the buffer (taken at once) parses, or fails, as one read byte by byte."""
    whole = await _outcome(stream(body), limits)
    assert whole == await _outcome(ByteAtATime(body), limits)
    assert whole != [] or body.startswith(b"--XXY")


def _random_body(parts: list[bytes]) -> bytes:
    return (
        b"".join(
            part(f'Content-Disposition: form-data; name="p{i}"', p) for i, p in enumerate(parts)
        )
        + b"--XX--\r\n"
    )


@settings(max_examples=80, deadline=None)
@given(
    parts=st.lists(st.binary(max_size=200).filter(lambda b: b"\r\n--XX" not in b), max_size=5),
    cuts=st.lists(st.integers(min_value=0, max_value=2000), max_size=12),
    chunk=st.integers(min_value=1, max_value=300),
)
def test_random_splits_give_same_parts(parts: list[bytes], cuts: list[int], chunk: int) -> None:
    body = _random_body(parts)
    points = sorted({c for c in cuts if c <= len(body)})
    pieces = [body[a:b] for a, b in zip([0, *points], [*points, len(body)], strict=True)]

    async def run() -> list[bytes]:
        reader = MultipartReader(CT, stream(*pieces))
        out = []
        async for item in reader:
            assert isinstance(item, BodyPartReader)
            data = b""
            while chunk_data := await item.read_chunk(chunk):
                data += chunk_data
            out.append(data)
        return out

    assert asyncio.run(run()) == parts


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=300), st.integers(min_value=1, max_value=50))
def test_random_bytes_never_hang(body: bytes, chunk: int) -> None:
    """Any body ends in parts or a MultipartError, never a hang or another exception."""

    async def run() -> None:
        reader = MultipartReader(CT, stream(b"--XX\r\n" + body))
        try:
            async for item in reader:
                if isinstance(item, BodyPartReader):
                    while await item.read_chunk(chunk):
                        pass
                else:
                    await item.release()
        except MultipartError:
            return

    asyncio.run(asyncio.wait_for(run(), 5))


async def test_next_releases_a_custom_part_even_when_read() -> None:
    """A part_reader_cls of the user's is always handed its release(), read to its end or not."""
    released: list[str | None] = []

    class Tracking(BodyPartReader):
        async def release(self) -> None:
            released.append(self.name)
            await super().release()

    class Reader(MultipartReader):
        part_reader_cls = Tracking

    reader = Reader(CT, stream(FORM))
    first = await reader.next()
    assert isinstance(first, Tracking)
    assert await first.read() == b"hello\r\nworld"
    second = await reader.next()
    assert released == ["a"]
    assert isinstance(second, Tracking)
    assert await second.read() == b"\xa3"
    third = await reader.next()
    assert isinstance(third, Tracking)
    assert released == ["a", "f"]
    assert await reader.next() is None
    assert released == ["a", "f", "empty"]
