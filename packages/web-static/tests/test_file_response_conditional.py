"""FileResponse: ETag / Last-Modified validators, 304 and 412, Range, If-Range."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from web_static import FileResponse

Send = Callable[..., Awaitable[Any]]
DATA = bytes(range(256)) * 4  # 1024 bytes
MTIME = 1_700_000_000.25  # Last-Modified rounds up to ...:21
LM_DATE = "Tue, 14 Nov 2023 22:13:21 GMT"
BEFORE = "Tue, 14 Nov 2023 22:13:20 GMT"


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "data.bin"
    path.write_bytes(DATA)
    os.utime(path, (MTIME, MTIME))
    return path


def etag_of(path: Path) -> str:
    st = path.stat()
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


async def test_last_modified_header(data_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(data_file))
    assert ans.headers["Last-Modified"] == LM_DATE


@pytest.mark.parametrize("method", ["GET", "HEAD"])
async def test_if_none_match_gives_304(data_file: Path, static_send: Send, method: str) -> None:
    ans = await static_send(
        FileResponse(data_file), method=method, headers={"If-None-Match": etag_of(data_file)}
    )
    assert ans.status == 304
    assert ans.body == b""
    assert ans.headers["ETag"] == etag_of(data_file)
    assert ans.headers["Last-Modified"] == LM_DATE
    assert "Content-Length" not in ans.headers
    assert ans.keep_alive


async def test_weak_if_none_match_still_304(data_file: Path, static_send: Send) -> None:
    headers = {"If-None-Match": '"zzz", W/' + etag_of(data_file)}
    ans = await static_send(FileResponse(data_file), headers=headers)
    assert ans.status == 304


async def test_if_none_match_other_tag_sends(data_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(data_file), headers={"If-None-Match": '"nope"'})
    assert ans.status == 200
    assert ans.body == DATA


@pytest.mark.parametrize(("date", "status"), [(LM_DATE, 304), (BEFORE, 200), ("junk", 200)])
async def test_if_modified_since(
    data_file: Path, static_send: Send, date: str, status: int
) -> None:
    ans = await static_send(FileResponse(data_file), headers={"If-Modified-Since": date})
    assert ans.status == status


@pytest.mark.parametrize(
    ("value", "status"), [("*", 200), ('"nope"', 412), ("garbage", 412), ("ETAG", 200)]
)
async def test_if_match(data_file: Path, static_send: Send, value: str, status: int) -> None:
    value = etag_of(data_file) if value == "ETAG" else value
    ans = await static_send(FileResponse(data_file), headers={"If-Match": value})
    assert ans.status == status
    if status == 412:
        assert ans.body == b""
        assert ans.headers["Content-Length"] == "0"


@pytest.mark.parametrize(("date", "status"), [(LM_DATE, 200), (BEFORE, 412)])
async def test_if_unmodified_since(
    data_file: Path, static_send: Send, date: str, status: int
) -> None:
    ans = await static_send(FileResponse(data_file), headers={"If-Unmodified-Since": date})
    assert ans.status == status


async def test_post_with_if_none_match_is_412(data_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(data_file), method="POST", headers={"If-None-Match": "*"})
    assert ans.status == 412


@pytest.mark.parametrize(
    ("rng", "start", "end"),
    [("bytes=0-9", 0, 9), ("bytes=1000-", 1000, 1023), ("bytes=-24", 1000, 1023)],
)
async def test_range(data_file: Path, static_send: Send, rng: str, start: int, end: int) -> None:
    ans = await static_send(FileResponse(data_file), headers={"Range": rng})
    assert ans.status == 206
    assert ans.body == DATA[start : end + 1]
    assert ans.headers["Content-Range"] == f"bytes {start}-{end}/1024"
    assert ans.headers["Content-Length"] == str(end - start + 1)


async def test_range_in_chunks(data_file: Path, static_send: Send) -> None:
    resp = FileResponse(data_file, chunk_size=7)
    ans = await static_send(resp, headers={"Range": "bytes=100-899"})
    assert ans.body == DATA[100:900]


async def test_head_range(data_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(data_file), method="HEAD", headers={"Range": "bytes=0-9"})
    assert ans.status == 206
    assert ans.headers["Content-Length"] == "10"
    assert ans.body == b""


@pytest.mark.parametrize("rng", ["bytes=1024-", "bytes=5-1", "bytes=-0", "bytes=x-y"])
async def test_unsatisfiable_range(data_file: Path, static_send: Send, rng: str) -> None:
    ans = await static_send(FileResponse(data_file), headers={"Range": rng})
    assert ans.status == 416
    assert ans.headers["Content-Range"] == "bytes */1024"
    assert ans.body == b""
    assert ans.keep_alive


@pytest.mark.parametrize("rng", ["lines=1-2", "bytes"])
async def test_ignored_ranges_send_everything(data_file: Path, static_send: Send, rng: str) -> None:
    ans = await static_send(FileResponse(data_file), headers={"Range": rng})
    assert ans.status == 200
    assert ans.body == DATA


async def test_multiple_ranges_are_multipart_byteranges(data_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(data_file), headers={"Range": "bytes=900-909,0-4"})
    assert ans.status == 206
    ctype = ans.headers["Content-Type"]
    assert ctype.startswith("multipart/byteranges; boundary=")
    boundary = ctype.split("boundary=")[1]
    assert int(ans.headers["Content-Length"]) == len(ans.body)
    assert (
        ans.body
        == (
            f"--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            "Content-Range: bytes 0-4/1024\r\n\r\n"
        ).encode()
        + DATA[0:5]
        + (
            f"\r\n--{boundary}\r\nContent-Type: application/octet-stream\r\n"
            "Content-Range: bytes 900-909/1024\r\n\r\n"
        ).encode()
        + DATA[900:910]
        + f"\r\n--{boundary}--\r\n".encode()
    )


async def test_range_ignored_for_post(data_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(data_file), method="POST", headers={"Range": "bytes=0-1"})
    assert ans.status == 200


@pytest.mark.parametrize(
    ("if_range", "status"),
    [("ETAG", 206), ('"old"', 200), ("WEAK", 200), (LM_DATE, 206), (BEFORE, 200)],
)
async def test_if_range(data_file: Path, static_send: Send, if_range: str, status: int) -> None:
    if if_range == "ETAG":
        if_range = etag_of(data_file)
    elif if_range == "WEAK":
        if_range = "W/" + etag_of(data_file)
    headers = {"Range": "bytes=0-9", "If-Range": if_range}
    ans = await static_send(FileResponse(data_file), headers=headers)
    assert ans.status == status
    assert ans.body == (DATA[:10] if status == 206 else DATA)
