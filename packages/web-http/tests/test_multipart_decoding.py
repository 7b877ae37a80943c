"""Multipart parts decoded while they stream, size bounds, ``_charset_``, empty bodies."""

from __future__ import annotations

import base64
import binascii
import gzip

import pytest
from web_http import (
    BadHttpMessage,
    BodyPartReader,
    MultipartError,
    MultipartReader,
    PayloadTooLarge,
    StreamReader,
    content_disposition_header,
    parse_content_disposition,
    parse_urlencoded,
)

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


def part(headers: str, body: bytes) -> bytes:
    return b"--XX\r\n" + headers.encode() + b"\r\n\r\n" + body + b"\r\n"


async def first_part(body: bytes, **kwargs: object) -> BodyPartReader:
    reader = MultipartReader(CT, stream(body), **kwargs)  # type: ignore[arg-type]
    item = await reader.next()
    assert isinstance(item, BodyPartReader)
    return item


PAYLOAD = bytes(range(256)) * 300


@pytest.mark.parametrize(
    ("headers", "encoded"),
    [
        ("Content-Transfer-Encoding: base64", base64.encodebytes(PAYLOAD)),
        ("Content-Transfer-Encoding: base64", base64.b64encode(PAYLOAD)),
        ("Content-Transfer-Encoding: quoted-printable", binascii.b2a_qp(PAYLOAD)),
        ("Content-Encoding: gzip", gzip.compress(PAYLOAD)),
        (
            "Content-Transfer-Encoding: base64\r\nContent-Encoding: gzip",
            base64.encodebytes(gzip.compress(PAYLOAD)),
        ),
    ],
    ids=["base64-lines", "base64-flat", "qp", "gzip", "base64-gzip"],
)
@pytest.mark.parametrize("size", [1, 7, 100, 4096])
async def test_streamed_decoding_matches_whole(headers: str, encoded: bytes, size: int) -> None:
    item = await first_part(part(headers, encoded) + b"--XX--")
    chunks = [c async for c in item.read_decoded_chunks(size)]
    assert b"".join(chunks) == PAYLOAD
    assert item.decode(encoded) == PAYLOAD


@pytest.mark.parametrize(
    "headers",
    ["Content-Type: application/octet-stream", "Content-Transfer-Encoding: binary"],
    ids=["no-encoding", "binary"],
)
@pytest.mark.parametrize("size", [1, 100, 65536])
async def test_streamed_plain_part_is_its_bytes(headers: str, size: int) -> None:
    item = await first_part(part(headers, PAYLOAD) + b"--XX--")
    chunks = [c async for c in item.read_decoded_chunks(size)]
    assert b"".join(chunks) == PAYLOAD
    assert all(0 < len(c) <= size for c in chunks)
    assert item.at_eof()


async def test_streamed_bad_base64_raises() -> None:
    item = await first_part(part("Content-Transfer-Encoding: base64", b"QUJD!!==") + b"--XX--")
    with pytest.raises(MultipartError):
        async for _ in item.read_decoded_chunks():
            pass


async def test_empty_body_has_no_parts() -> None:
    reader = MultipartReader(CT, stream(b""))
    assert await reader.next() is None
    assert reader.at_eof()
    reader = MultipartReader(CT, stream(b"--XX--\r\n"))
    assert await reader.next() is None


def test_multipart_error_is_value_error() -> None:
    assert issubclass(MultipartError, ValueError)
    with pytest.raises(ValueError):
        MultipartReader({"Content-Type": "text/plain"}, stream(b""))


async def test_part_read_bounded_by_client_max_size() -> None:
    body = part('Content-Disposition: form-data; name="a"', b"x" * 500) + b"--XX--"
    item = await first_part(body, client_max_size=100)
    with pytest.raises(PayloadTooLarge) as info:
        await item.read()
    assert info.value.code == 413

    seen: list[int] = []

    def error(limit: int) -> Exception:
        seen.append(limit)
        return OverflowError(limit)

    item = await first_part(body, client_max_size=100, max_size_error_cls=error)
    with pytest.raises(OverflowError):
        await item.read()
    assert seen == [100]
    # Streaming is not bounded by it.
    item = await first_part(body, client_max_size=100)
    total = 0
    while chunk := await item.read_chunk(64):
        total += len(chunk)
    assert total == 500


async def test_leading_charset_field_sets_default_charset() -> None:
    body = (
        part('Content-Disposition: form-data; name="_charset_"', b"latin-1")
        + part('Content-Disposition: form-data; name="a"', b"caf\xe9")
        + part(
            'Content-Disposition: form-data; name="b"\r\nContent-Type: text/plain; charset=utf-8',
            "é".encode(),
        )
        + b"--XX--"
    )
    reader = MultipartReader(CT, stream(body))
    names = []
    texts = []
    async for item in reader:
        assert isinstance(item, BodyPartReader)
        names.append(item.name)
        texts.append(await item.text())
    assert names == ["a", "b"]
    assert texts == ["café", "é"]


@pytest.mark.parametrize("value", [b"no-such-charset", b"x" * 100])
async def test_bad_charset_field_raises(value: bytes) -> None:
    body = part('Content-Disposition: form-data; name="_charset_"', value) + b"--XX--"
    with pytest.raises(MultipartError):
        await MultipartReader(CT, stream(body)).next()


@pytest.mark.parametrize(
    ("args", "params", "expected"),
    [
        (("form-data",), {"name": "a"}, 'form-data; name="a"'),
        (("attachment",), {"filename": "my file.txt"}, 'attachment; filename="my%20file.txt"'),
        (("form-data",), {"name": 'q"x'}, 'form-data; name="q\\"x"'),
        (("form-data",), {"name": "é"}, "form-data; name*=utf-8''%C3%A9"),
        (
            ("form-data", False),
            {"name": "é", "filename": 'a"b'},
            'form-data; name="é"; filename="a\\"b"',
        ),
        (("inline",), {}, "inline"),
        (
            ("form-data",),
            {"name": "f", "filename": "a-b_c.~9.bin"},
            'form-data; name="f"; filename="a-b_c.~9.bin"',
        ),
        (("form-data",), {"filename": "é.txt"}, 'form-data; filename="%C3%A9.txt"'),
        (("form-data", True, "latin-1"), {"filename": "é.txt"}, 'form-data; filename="%E9.txt"'),
        (("form-data", True, "utf-16-le"), {"filename": "ab"}, 'form-data; filename="a%00b%00"'),
        (
            ("form-data", False),
            {"name": "a-b", "filename": "f.bin"},
            'form-data; name="a-b"; filename="f.bin"',
        ),
        (("form-data", True, "utf-16-le"), {"name": "ab"}, 'form-data; name="ab"'),
        (("form-data",), {"name": "a b"}, 'form-data; name="a b"'),
        (("form-data",), {"name": "a\\b"}, 'form-data; name="a\\\\b"'),
        (("form-data",), {"filename": "a/b"}, 'form-data; filename="a%2Fb"'),
    ],
)
def test_content_disposition_header(
    args: tuple[str, ...], params: dict[str, str], expected: str
) -> None:
    value = content_disposition_header(*args, **params)
    assert value == expected
    assert parse_content_disposition(value)[0] == args[0]


@pytest.mark.parametrize(
    ("args", "params"),
    [
        (("",), {}),
        (("bad type",), {}),
        (("form-data",), {"bad key": "v"}),
        (("a",), {"n": "x\r\ny"}),
    ],
)
def test_content_disposition_header_refuses(args: tuple[str], params: dict[str, str]) -> None:
    with pytest.raises(ValueError):
        content_disposition_header(*args, **params)


def test_lenient_urlencoded() -> None:
    data = b"a=%zz&b=%ff&c=%e2%82&d=ok%21&e=1+2"
    assert parse_urlencoded(data, strict=False) == [
        ("a", "%zz"),
        ("b", "\ufffd"),
        ("c", "\ufffd"),
        ("d", "ok!"),
        ("e", "1 2"),
    ]
    with pytest.raises(BadHttpMessage):
        parse_urlencoded(data)
