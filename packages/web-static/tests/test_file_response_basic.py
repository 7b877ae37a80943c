"""FileResponse: body, headers, content types, missing files and directories."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from web_static import FileResponse

Send = Callable[..., Awaitable[Any]]


def etag_of(path: Path) -> str:
    st = path.stat()
    return f'"{st.st_mtime_ns:x}-{st.st_size:x}"'


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "hello.txt"
    path.write_bytes(b"hello world\n")
    return path


async def test_sends_file_with_validators(text_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(text_file))
    assert ans.status == 200
    assert ans.body == b"hello world\n"
    assert ans.headers["Content-Length"] == "12"
    assert ans.headers["Content-Type"] == "text/plain"
    assert ans.headers["Accept-Ranges"] == "bytes"
    assert ans.headers["ETag"] == etag_of(text_file)
    assert ans.headers["Last-Modified"].endswith(" GMT")
    assert ans.keep_alive


async def test_small_file_is_one_write(text_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(text_file))
    assert ans.writes == 1  # head and body together


async def test_str_path_accepted(text_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(str(text_file)))
    assert ans.body == b"hello world\n"


async def test_head_has_headers_without_body(text_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(text_file), method="HEAD")
    assert ans.status == 200
    assert ans.headers["Content-Length"] == "12"
    assert ans.body == b""
    assert ans.raw.endswith(b"\r\n\r\n")


async def test_large_file_in_chunks(tmp_path: Path, static_send: Send) -> None:
    data = os.urandom(300_000)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    ans = await static_send(FileResponse(path, chunk_size=70_000))
    assert ans.body == data
    assert ans.headers["Content-Type"] == "application/octet-stream"
    assert ans.writes > 2


async def test_empty_file(tmp_path: Path, static_send: Send) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    ans = await static_send(FileResponse(path))
    assert ans.status == 200
    assert ans.headers["Content-Length"] == "0"
    assert ans.body == b""


async def test_given_headers_win(text_file: Path, static_send: Send) -> None:
    resp = FileResponse(text_file, headers={"Content-Type": "text/x-custom", "X-A": "1"})
    ans = await static_send(resp)
    assert ans.headers["Content-Type"] == "text/x-custom"
    assert ans.headers["X-A"] == "1"


async def test_custom_status_and_reason(text_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(text_file, status=203, reason="Copied"))
    assert ans.status == 203
    assert ans.raw.startswith(b"HTTP/1.1 203 Copied\r\n")


async def test_missing_file_is_404(tmp_path: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(tmp_path / "nope.txt"))
    assert ans.status == 404
    assert ans.body == b""
    assert ans.keep_alive


async def test_directory_is_403(tmp_path: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(tmp_path))
    assert ans.status == 403


async def test_fifo_is_403_not_a_hang(tmp_path: Path, static_send: Send) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    ans = await static_send(FileResponse(fifo))
    assert ans.status == 403


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads everything")
async def test_unreadable_file_is_403(text_file: Path, static_send: Send) -> None:
    os.chmod(text_file, 0)
    try:
        ans = await static_send(FileResponse(text_file))
    finally:
        os.chmod(text_file, 0o644)
    assert ans.status == 403


async def test_nul_in_path_is_404(tmp_path: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(str(tmp_path) + "/a\x00b"))
    assert ans.status == 404


async def test_path_through_a_file_is_404(text_file: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(text_file / "child"))
    assert ans.status == 404


@pytest.mark.parametrize("size", [0, -1])
def test_bad_chunk_size(text_file: Path, size: int) -> None:
    with pytest.raises(ValueError, match="chunk_size"):
        FileResponse(text_file, chunk_size=size)


async def test_guessed_types(tmp_path: Path, static_send: Send) -> None:
    for name, ctype in [("a.html", "text/html"), ("a.tar.gz", "application/gzip")]:
        (tmp_path / name).write_bytes(b"x")
        ans = await static_send(FileResponse(tmp_path / name))
        assert ans.headers["Content-Type"] == ctype
        assert "Content-Encoding" not in ans.headers


async def test_prepare_twice_is_harmless(text_file: Path, static_send: Send) -> None:
    resp = FileResponse(text_file)
    ans = await static_send(resp)
    assert ans.status == 200
    assert resp.prepared
    assert await resp.prepare(object()) is None  # type: ignore[arg-type]
