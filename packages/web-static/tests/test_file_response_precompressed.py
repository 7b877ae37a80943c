"""FileResponse: precompressed siblings chosen by Accept-Encoding."""

from __future__ import annotations

import gzip
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from web_static import FileResponse

Send = Callable[..., Awaitable[Any]]
PLAIN = b"body { color: red }\n" * 10


@pytest.fixture
def css(tmp_path: Path) -> Path:
    path = tmp_path / "site.css"
    path.write_bytes(PLAIN)
    (tmp_path / "site.css.gz").write_bytes(gzip.compress(PLAIN))
    (tmp_path / "site.css.br").write_bytes(b"fake-brotli")
    return path


async def test_identity_without_accept_encoding(css: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(css))
    assert ans.body == PLAIN
    assert "Content-Encoding" not in ans.headers


async def test_gzip_sibling(css: Path, static_send: Send) -> None:
    ans = await static_send(FileResponse(css), headers={"Accept-Encoding": "gzip"})
    assert ans.headers["Content-Encoding"] == "gzip"
    assert ans.headers["Content-Type"] == "text/css"
    assert ans.headers["Vary"] == "Accept-Encoding"
    # the client parser decodes gzip: what the user gets is the plain text
    assert ans.body == PLAIN


async def test_brotli_preferred(css: Path, static_send: Send) -> None:
    ans = await static_send(
        FileResponse(css), method="HEAD", headers={"Accept-Encoding": "gzip, br"}
    )
    assert ans.headers["Content-Encoding"] == "br"
    assert ans.headers["Content-Length"] == str(len(b"fake-brotli"))


async def test_q_zero_refuses(css: Path, static_send: Send) -> None:
    headers = {"Accept-Encoding": "br;q=0, gzip;q=0"}
    ans = await static_send(FileResponse(css), headers=headers)
    assert "Content-Encoding" not in ans.headers
    assert ans.body == PLAIN


async def test_etag_differs_per_variant(css: Path, static_send: Send) -> None:
    plain = await static_send(FileResponse(css))
    gz = await static_send(FileResponse(css), method="HEAD", headers={"Accept-Encoding": "gzip"})
    assert plain.headers["ETag"] != gz.headers["ETag"]


async def test_304_of_variant_keeps_vary(css: Path, static_send: Send) -> None:
    gz = await static_send(FileResponse(css), method="HEAD", headers={"Accept-Encoding": "gzip"})
    headers = {"Accept-Encoding": "gzip", "If-None-Match": gz.headers["ETag"]}
    ans = await static_send(FileResponse(css), headers=headers)
    assert ans.status == 304
    assert ans.headers["Vary"] == "Accept-Encoding"


async def test_symlinked_sibling_ignored(tmp_path: Path, static_send: Send) -> None:
    path = tmp_path / "a.js"
    path.write_bytes(b"plain")
    (tmp_path / "elsewhere.gz").write_bytes(b"secret")
    (tmp_path / "a.js.gz").symlink_to(tmp_path / "elsewhere.gz")
    ans = await static_send(FileResponse(path), headers={"Accept-Encoding": "gzip"})
    assert ans.body == b"plain"
    assert "Content-Encoding" not in ans.headers


async def test_directory_sibling_ignored(tmp_path: Path, static_send: Send) -> None:
    path = tmp_path / "a.js"
    path.write_bytes(b"plain")
    (tmp_path / "a.js.br").mkdir()
    ans = await static_send(FileResponse(path), headers={"Accept-Encoding": "br"})
    assert ans.body == b"plain"


async def test_existing_vary_is_extended(css: Path, static_send: Send) -> None:
    resp = FileResponse(css, headers={"Vary": "Origin"})
    ans = await static_send(resp, method="HEAD", headers={"Accept-Encoding": "gzip"})
    assert ans.headers["Vary"] == "Origin, Accept-Encoding"


async def test_range_applies_to_variant(css: Path, static_send: Send) -> None:
    headers = {"Accept-Encoding": "br", "Range": "bytes=0-3"}
    resp = FileResponse(css)
    ans = await static_send(resp, method="HEAD", headers=headers)
    assert ans.status == 206
    assert ans.headers["Content-Range"] == f"bytes 0-3/{len(b'fake-brotli')}"


@pytest.mark.parametrize(
    ("accept", "coding"),
    [("zstd", "zstd"), ("gzip, zstd", "zstd"), ("br, zstd", "br"), ("zstd;q=0.5, gzip", "gzip")],
)
async def test_zstd_sibling(css: Path, static_send: Send, accept: str, coding: str) -> None:
    (css.parent / "site.css.zst").write_bytes(b"fake-zstd")
    ans = await static_send(FileResponse(css), method="HEAD", headers={"Accept-Encoding": accept})
    assert ans.headers["Content-Encoding"] == coding
    assert ans.headers["Content-Type"] == "text/css"
    if coding == "zstd":
        assert ans.headers["Content-Length"] == str(len(b"fake-zstd"))
