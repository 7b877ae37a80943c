"""BaseRequest.post() and multipart() on multipart/form-data bodies."""

from __future__ import annotations

import asyncio
from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app._exceptions import HTTPBadRequest, HTTPRequestEntityTooLarge
from web_app._request import BaseRequest, FileField
from web_http import BodyPartReader, HttpVersion11, MultipartReader, RequestHead, StreamReader

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


def make(body: bytes, *, client_max_size: int = 1024**2) -> BaseRequest:
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
