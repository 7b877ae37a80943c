"""MultipartWriter and FormData: the bytes they produce, read back by web-http's reader."""

from __future__ import annotations

import base64
import gzip
import io
from pathlib import Path

import pytest
from web_app import FormData, MultipartWriter, Response
from web_app.payload import BytesPayload, PayloadWriterLike, get_payload
from web_http import BodyPartReader, MultipartReader


class Source:
    def __init__(self, data: bytes) -> None:
        self._data = data

    async def read(self, n: int = -1) -> bytes:
        n = len(self._data) if n < 0 else n
        chunk, self._data = self._data[:n], self._data[n:]
        return chunk


async def parse(content_type: str, body: bytes) -> list[tuple[BodyPartReader, bytes]]:
    reader = MultipartReader({"Content-Type": content_type}, Source(body))
    out = []
    async for part in reader:
        assert isinstance(part, BodyPartReader)
        out.append((part, await part.read(decode=True)))
    return out


async def test_mixed_parts_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "pic.png"
    path.write_bytes(b"\x89PNG" + bytes(100_000))
    with MultipartWriter("mixed", boundary="bound") as mp:
        mp.append("hello")
        mp.append_json({"a": 1})
        mp.append_form([("k", "v w")])
        mp.append(open(path, "rb"))  # noqa: SIM115, ASYNC230 - closed by mp.close()
        mp.append(b"zipped", {"Content-Encoding": "gzip"})
        mp.append(b"\x00" * 100, {"Content-Transfer-Encoding": "base64"})
    assert len(mp) == 6
    assert mp.content_type == "multipart/mixed; boundary=bound"
    assert mp.size is None  # encoded parts have no known length
    body = await mp.as_bytes()
    await mp.close()
    parts = await parse(mp.content_type, body)
    assert [p.headers.get("Content-Type") for p, _ in parts] == [
        "text/plain; charset=utf-8",
        "application/json",
        "application/x-www-form-urlencoded",
        "image/png",
        "application/octet-stream",
        "application/octet-stream",
    ]
    data = [d for _, d in parts]
    assert data[:3] == [b"hello", b'{"a": 1}', b"k=v+w"]
    assert data[3] == b"\x89PNG" + bytes(100_000)
    assert data[4] == b"zipped"
    assert data[5] == b"\x00" * 100
    assert parts[0][0].headers["Content-Length"] == "5"
    assert parts[3][0].filename == "pic.png"


async def test_size_is_exact_when_known() -> None:
    mp = MultipartWriter("related")
    mp.append("x" * 10)
    mp.append(io.BytesIO(b"12345"))
    assert mp.size == len(await mp.as_bytes())


async def test_part_heads_follow_header_changes_between_size_and_write() -> None:
    """The size asked first and the bytes written later agree, also when a part's headers
    change in between (the part head made for the size is not reused then)."""
    mp = MultipartWriter("form-data", boundary="b")
    part = mp.append(b"data", {"X-Tag": "one"})
    unchanged = mp.size
    assert unchanged == len(await mp.as_bytes())
    part.headers["X-Tag"] = "two, longer"
    part.set_content_disposition("form-data", name="renamed")
    changed = mp.size
    body = await mp.as_bytes()
    assert changed == len(body) and changed != unchanged
    ((read, data),) = await parse(mp.content_type, body)
    assert (read.headers["X-Tag"], read.name, data) == ("two, longer", "renamed", b"data")
    part.headers["X-Tag"] = "bad\r\nInjected: 1"
    with pytest.raises(ValueError, match="X-Tag"):
        mp.size  # noqa: B018 - a changed head is checked again


async def test_generated_boundary_and_in_memory_parts() -> None:
    """Each writer has its own token boundary; bytes, text and memoryview parts are sent
    whole and exactly, and a BytesPayload subclass still writes through its own ``write``."""

    class Shouting(BytesPayload):
        async def write(self, writer: PayloadWriterLike) -> None:
            await writer.write(bytes(self._value).upper())

    first, second = MultipartWriter("form-data"), MultipartWriter("form-data")
    assert first.boundary != second.boundary
    assert len(first.boundary) == 32 and int(first.boundary, 16) >= 0
    assert first.content_type == f"multipart/form-data; boundary={first.boundary}"
    first.append("héllo")
    first.append(memoryview(b"mem"))
    first.append(bytearray(b"arr"))
    first.append_payload(Shouting(b"quiet"))
    body = await first.as_bytes()
    assert first.size == len(body)
    parts = await parse(first.content_type, body)
    assert [d for _, d in parts] == ["héllo".encode(), b"mem", b"arr", b"QUIET"]


def test_writer_refuses_bad_input() -> None:
    with pytest.raises(ValueError):
        MultipartWriter(boundary="é")
    with pytest.raises(ValueError):
        MultipartWriter(boundary="a\nb")
    assert MultipartWriter(boundary="has space").content_type.endswith('boundary="has space"')
    with pytest.raises(TypeError):
        MultipartWriter().append(object())
    with pytest.raises(RuntimeError):
        MultipartWriter().append(b"x", {"Content-Encoding": "br"})
    with pytest.raises(ValueError):
        MultipartWriter("form-data").append(b"x", {"Content-Encoding": "gzip"})


async def test_nested_writers_and_gzip_part() -> None:
    inner = MultipartWriter("alternative", boundary="in")
    inner.append("plain")
    outer = MultipartWriter("mixed", boundary="out")
    outer.append(inner)
    payload = BytesPayload(b"abc" * 100, headers={"Content-Encoding": "gzip"})
    outer.append_payload(payload)
    body = await outer.as_bytes()
    assert body.endswith(b"--out--\r\n")
    reader = MultipartReader({"Content-Type": outer.content_type}, Source(body))
    nested = await reader.next()
    assert isinstance(nested, MultipartReader)
    text = await nested.next()
    assert isinstance(text, BodyPartReader)
    assert await text.read() == b"plain"
    await nested.release()
    zipped = await reader.next()
    assert isinstance(zipped, BodyPartReader)
    assert gzip.decompress(await zipped.read()) == b"abc" * 100


async def test_formdata_urlencoded_and_multipart() -> None:
    form = FormData({"a": "1", "b": "é"})
    assert not form.is_multipart
    payload = form()
    assert payload.content_type == "application/x-www-form-urlencoded"
    assert await payload.as_bytes() == b"a=1&b=%C3%A9"
    latin = FormData([("b", "é")], charset="latin-1")()
    assert latin.content_type == "application/x-www-form-urlencoded; charset=latin-1"
    assert await latin.as_bytes() == b"b=%E9"

    form = FormData()
    form.add_field("title", "my doc")
    form.add_field("file", io.BytesIO(b"content"), filename="my doc.txt")
    form.add_field("meta", '{"x": 1}', content_type="application/json")
    assert form.is_multipart
    mp = form()
    assert isinstance(mp, MultipartWriter)
    parts = await parse(mp.content_type, await mp.as_bytes())
    assert [(p.name, p.filename, d) for p, d in parts] == [
        ("title", None, b"my doc"),
        ("file", "my%20doc.txt", b"content"),  # aiohttp's quote_fields percent-encoding
        ("meta", None, b'{"x": 1}'),
    ]
    assert "Content-Length" not in parts[0][0].headers


def test_formdata_warnings_and_errors() -> None:
    form = FormData()
    with pytest.warns(DeprecationWarning, match="passing bytes"):
        form.add_field("raw", b"\x00")
    with pytest.warns(DeprecationWarning, match="content_transfer_encoding"):
        form.add_field("t", "x", content_transfer_encoding="base64")
    with pytest.raises(TypeError):
        form.add_field("f", "x", filename=3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        form.add_field("bad\r\nname", "x")
    with pytest.raises(TypeError):
        FormData([object()])


async def test_formdata_as_response_body() -> None:
    resp = Response(body=FormData({"a": "1"}))
    assert resp.content_type == "application/x-www-form-urlencoded"
    resp = Response(body=FormData({"f": io.BytesIO(b"x")}))
    assert resp.content_type == "multipart/form-data"
    assert "boundary=" in resp.headers["Content-Type"]


async def test_base64_part_wraps_lines() -> None:
    mp = MultipartWriter(boundary="b")
    mp.append(bytes(1000), {"Content-Transfer-Encoding": "base64"})
    body = await mp.as_bytes()
    encoded = body.split(b"\r\n\r\n", 1)[1].split(b"\r\n--b--")[0]
    assert all(len(line) <= 76 for line in encoded.split(b"\n"))
    assert base64.b64decode(encoded) == bytes(1000)
    assert get_payload(mp) is mp
