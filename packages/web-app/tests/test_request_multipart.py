"""BaseRequest.post() and multipart() on multipart/form-data bodies."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app._base_request import BaseRequest, FileField
from web_app._exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from web_app._req_body import MEMORY_FILE_MAX
from web_http import (
    BadHttpMessage,
    BodyPartReader,
    HttpVersion11,
    MultipartReader,
    RequestHead,
    StreamReader,
)

BOUNDARY = "XyZ123"


class Flow:
    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None


def form_body(parts: list[tuple[str, str, bytes]]) -> bytes:
    out = b""
    for disposition, ctype, data in parts:
        out += f"--{BOUNDARY}\r\nContent-Disposition: {disposition}\r\n".encode()
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{BOUNDARY}--\r\n".encode()


def make(
    body: bytes, *, client_max_size: int | None = 1024**2, client_max_fields: int = 1000
) -> BaseRequest:
    hdrs = CIMultiDict({"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"})
    head = RequestHead(
        "POST", "/", HttpVersion11, CIMultiDictProxy(hdrs), (), True, False, False,
        len(body), None, False,
    )  # fmt: skip
    payload = StreamReader(Flow(), 2**16)
    payload.feed_data(body)
    payload.feed_eof()
    return BaseRequest(
        head,
        payload,
        cast(Any, type("P", (), {"transport": None})()),
        cast(Any, object()),
        cast(Any, None),
        asyncio.get_running_loop(),
        client_max_size=client_max_size,
        client_max_fields=client_max_fields,
    )


async def test_post_fields_and_file() -> None:
    body = form_body(
        [
            ('form-data; name="title"', "", "héllo".encode()),
            ('form-data; name="raw"', "application/octet-stream", b"\x00\x01"),
            ('form-data; name="upload"; filename="a.txt"', "text/plain", b"file content"),
            ('form-data; name="nofile"; filename="b.bin"', "", b"\xff"),
        ]
    )
    form = await make(body).post()
    assert form["title"] == "héllo"
    assert form["raw"] == b"\x00\x01"
    upload = form["upload"]
    assert isinstance(upload, FileField)
    assert upload.name == "upload"
    assert upload.filename == "a.txt"
    assert upload.content_type == "text/plain"
    assert upload.file.read() == b"file content"
    assert upload.headers["Content-Type"] == "text/plain"
    upload.file.close()
    other = form["nofile"]
    assert isinstance(other, FileField)
    assert other.content_type == "application/octet-stream"
    other.file.close()


async def test_multipart_reader() -> None:
    body = form_body([('form-data; name="a"', "", b"1")])
    reader = await make(body).multipart()
    assert isinstance(reader, MultipartReader)
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert await part.read() == b"1"


async def test_file_over_limit_is_413() -> None:
    body = form_body([('form-data; name="f"; filename="x"', "", b"x" * 5000)])
    req = make(body, client_max_size=10**6)
    req2 = make(body, client_max_size=1000)
    assert isinstance((await req.post())["f"], FileField)
    with pytest.raises(HTTPRequestEntityTooLarge):
        await req2.post()


async def test_fields_over_limit_is_413() -> None:
    body = form_body([(f'form-data; name="f{i}"', "", b"y" * 400) for i in range(5)])
    with pytest.raises(HTTPRequestEntityTooLarge):
        await make(body, client_max_size=1000).post()


async def test_part_without_name_is_400() -> None:
    body = form_body([("form-data", "", b"v")])
    with pytest.raises(HTTPBadRequest):
        await make(body).post()


async def test_bad_charset_is_400() -> None:
    body = form_body([('form-data; name="t"', "text/plain; charset=utf-8", b"\xff\xfe")])
    with pytest.raises(HTTPBadRequest):
        await make(body).post()


async def test_empty_filename_is_a_plain_field() -> None:
    body = form_body([('form-data; name="f"; filename=""', "application/octet-stream", b"")])
    form = await make(body).post()
    assert form["f"] == b""
    body = form_body([('form-data; name="f"; filename=""', "", b"")])
    assert (await make(body).post())["f"] == ""


async def test_empty_multipart_body() -> None:
    assert len(await make(b"").post()) == 0
    assert len(await make(f"--{BOUNDARY}--\r\n".encode()).post()) == 0


async def test_transfer_encoded_parts_are_decoded() -> None:
    text_part = 'form-data; name="t"'
    file_part = 'form-data; name="f"; filename="a.bin"'
    body = form_body(
        [
            (text_part + "\r\nContent-Transfer-Encoding: base64", "", b"aMOpbGxv\r\n"),
            (file_part + "\r\nContent-Transfer-Encoding: quoted-printable", "", b"a=3Db=\r\nc"),
        ]
    )
    form = await make(body).post()
    assert form["t"] == "héllo"
    upload = form["f"]
    assert isinstance(upload, FileField)
    assert upload.file.read() == b"a=bc"
    upload.file.close()


async def test_size_counts_headers_and_encoded_bytes() -> None:
    # 300 base64 bytes decode to 225: the raw bytes are what client_max_size bounds.
    data = b"QUJD" * 75
    body = form_body([('form-data; name="t"\r\nContent-Transfer-Encoding: base64', "", data)])
    assert (await make(body, client_max_size=len(body)).post())["t"] == "ABC" * 75
    with pytest.raises(HTTPRequestEntityTooLarge):
        await make(body, client_max_size=250).post()
    # Many tiny fields: their part headers alone pass the bound.
    many = form_body([(f'form-data; name="n{i}"', "", b"") for i in range(40)])
    with pytest.raises(HTTPRequestEntityTooLarge):
        await make(many, client_max_size=1000).post()
    assert len(await make(many, client_max_size=None).post()) == 40


async def test_too_many_multipart_fields_is_413() -> None:
    body = form_body([(f'form-data; name="n{i}"', "", b"v") for i in range(3)])
    with pytest.raises(HTTPRequestEntityTooLarge) as info:
        await make(body, client_max_fields=2).post()
    assert info.value.status == 413
    assert info.value.text == "Maximum number of form fields 2 exceeded."
    assert len(await make(body, client_max_fields=3).post()) == 3


async def test_charset_field() -> None:
    body = form_body(
        [
            ('form-data; name="_charset_"', "", b"iso-8859-1"),
            ('form-data; name="a"', "", "café".encode("latin-1")),
        ]
    )
    assert dict(await make(body).post()) == {"a": "café"}


async def test_multipart_part_read_over_limit_is_413() -> None:
    body = form_body([('form-data; name="a"', "", b"x" * 500)])
    reader = await make(body, client_max_size=100).multipart()
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    with pytest.raises(HTTPRequestEntityTooLarge):
        await part.read()
    reader = await make(body, client_max_size=100).multipart()
    part = await reader.next()
    assert isinstance(part, BodyPartReader)
    assert len(b"".join([c async for c in part.read_decoded_chunks(64)])) == 500


@pytest.mark.parametrize(
    "size",
    [
        0,
        1,
        2**16,
        3 * 2**16 + 123,
        MEMORY_FILE_MAX,
        MEMORY_FILE_MAX + 1,
        MEMORY_FILE_MAX + 2 * 2**16 + 123,
    ],
)
async def test_file_parts_of_any_size_are_spooled_whole_and_rewound(size: int) -> None:
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    body = form_body([('form-data; name="f"; filename="x.bin"', "", data)])
    upload = (await make(body, client_max_size=None).post())["f"]
    assert isinstance(upload, FileField)
    file = upload.file
    assert file.readable() and file.seekable()
    assert file.tell() == 0
    assert file.read() == data
    assert file.seek(size // 2) == size // 2
    assert file.read() == data[size // 2 :]
    file.close()
    assert file.closed


async def test_small_file_parts_stay_in_memory_large_ones_go_to_a_temporary_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tempfile

    made: list[Any] = []
    original = tempfile.TemporaryFile

    def temporary_file() -> Any:
        made.append(original())
        return made[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    small = form_body([('form-data; name="f"; filename="s"', "", b"s" * MEMORY_FILE_MAX)])
    upload = (await make(small, client_max_size=None).post())["f"]
    assert isinstance(upload, FileField)
    assert not made
    with pytest.raises(OSError):  # in memory: no file descriptor
        upload.file.fileno()
    large = form_body([('form-data; name="f"; filename="l"', "", b"l" * (MEMORY_FILE_MAX + 1))])
    upload = (await make(large, client_max_size=None).post())["f"]
    assert isinstance(upload, FileField)
    assert made == [upload.file]
    assert upload.file.fileno() >= 0
    assert upload.file.read() == b"l" * (MEMORY_FILE_MAX + 1)
    upload.file.close()


async def test_files_in_memory_still_count_towards_client_max_size() -> None:
    body = form_body([('form-data; name="f"; filename="x"', "", b"x" * 5000)])
    with pytest.raises(HTTPRequestEntityTooLarge):
        await make(body, client_max_size=4000).post()
    upload = (await make(body, client_max_size=len(body)).post())["f"]
    assert isinstance(upload, FileField)
    assert upload.file.read() == b"x" * 5000


async def test_a_file_cut_short_closes_its_temporary_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import tempfile

    made: list[Any] = []
    original = tempfile.TemporaryFile

    def temporary_file() -> Any:
        made.append(original())
        return made[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    # More than fits in memory reaches the file, then the body ends without its boundary.
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="x"\r\n\r\n'
    with pytest.raises(BadHttpMessage):
        await make(
            head.encode() + b"x" * (MEMORY_FILE_MAX + 3 * 2**16), client_max_size=None
        ).post()
    assert made and all(f.closed for f in made)


async def test_a_post_cancelled_while_spooling_closes_its_temporary_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The handler's task is cancelled (client gone, timeout) while a worker thread writes
    the file part: the file that thread makes is closed when it finishes, not left to the GC."""
    import tempfile

    made: list[Any] = []
    original = tempfile.TemporaryFile
    entered = threading.Event()
    release = threading.Event()

    def temporary_file() -> Any:
        entered.set()
        release.wait(10)
        made.append(original())
        return made[-1]

    monkeypatch.setattr(tempfile, "TemporaryFile", temporary_file)
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(1)
    loop.set_default_executor(pool)
    body = form_body([('form-data; name="f"; filename="x.bin"', "", b"y" * (MEMORY_FILE_MAX + 1))])
    task = asyncio.create_task(make(body, client_max_size=None).post())
    with ThreadPoolExecutor(1) as waiter:  # the default pool's one thread is the spooler
        assert await loop.run_in_executor(waiter, entered.wait, 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    release.set()
    pool.shutdown(wait=True)
    await asyncio.sleep(0)  # the executor future's done callback runs on the loop
    await asyncio.sleep(0)
    assert len(made) == 1
    assert made[0].closed
