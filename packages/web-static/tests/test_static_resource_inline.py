"""The loop-side fast path: regular files opened and checked without an executor hop."""

from __future__ import annotations

import asyncio
import gc
import gzip
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import web_static._file_response as fr
from web_app import Application
from web_static import FileResponse
from web_static._inline import INLINE_OPEN, Missing, open_inline, read_cached

Fetch = Callable[..., Awaitable[Any]]

pytestmark = pytest.mark.skipif(not INLINE_OPEN, reason="needs /proc/self/fd")


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "static"
    (base / "sub").mkdir(parents=True)
    (base / "a.txt").write_bytes(b"AAA")
    (base / "big.bin").write_bytes(bytes(range(256)) * 400)  # above SMALL_BODY
    (base / "app.js").write_bytes(b"plain();")
    (base / "app.js.gz").write_bytes(gzip.compress(b"zipped();"))
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    (base / "link_out").symlink_to(tmp_path / "secret.txt")
    (base / "link_in").symlink_to(base / "a.txt")
    (base / "dir_out").symlink_to(tmp_path)
    return base


@pytest.fixture
async def no_executor(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Record executor jobs instead of failing, so a test can assert there were none."""
    jobs: list[Any] = []
    loop = asyncio.get_running_loop()
    real = loop.run_in_executor

    def spy(executor: Any, func: Any, *args: Any) -> Any:
        jobs.append(func)
        return real(executor, func, *args)

    monkeypatch.setattr(loop, "run_in_executor", spy)
    return jobs


def make_app(root: Path, **kwargs: Any) -> Application:
    app = Application()
    app.router.add_static("/static", root, **kwargs)
    return app


async def test_regular_file_costs_no_executor_job(
    root: Path, static_fetch: Fetch, no_executor: list[Any]
) -> None:
    ans = await static_fetch(make_app(root), "/static/a.txt")
    assert ans.status == 200
    assert ans.body == b"AAA"
    assert ans.headers["Content-Type"] == "text/plain"
    assert ans.headers["ETag"].startswith('"')
    assert "Last-Modified" in ans.headers
    assert ans.writes == 1  # head and small body together
    assert no_executor == []


async def test_missing_file_is_404_without_executor(
    root: Path, static_fetch: Fetch, no_executor: list[Any]
) -> None:
    ans = await static_fetch(make_app(root), "/static/nothing.txt")
    assert ans.status == 404
    ans = await static_fetch(make_app(root), "/static/a.txt/more")
    assert ans.status == 404
    assert no_executor == []


async def test_symlink_inside_is_served(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/link_in")
    assert ans.status == 200
    assert ans.body == b"AAA"


@pytest.mark.parametrize("target", ["/static/link_out", "/static/dir_out/secret.txt"])
async def test_symlink_out_is_refused(root: Path, static_fetch: Fetch, target: str) -> None:
    ans = await static_fetch(make_app(root), target)
    assert ans.status == 404
    assert b"SECRET" not in ans.raw


@pytest.mark.parametrize("target", ["/static/link_out", "/static/dir_out/secret.txt"])
async def test_symlink_out_followed_when_allowed(
    root: Path, static_fetch: Fetch, target: str
) -> None:
    ans = await static_fetch(make_app(root, follow_symlinks=True), target)
    assert ans.status == 200
    assert ans.body == b"SECRET"


async def test_directory_still_decided_by_the_slow_path(root: Path, static_fetch: Fetch) -> None:
    assert (await static_fetch(make_app(root), "/static/sub")).status == 403
    listed = await static_fetch(make_app(root, show_index=True), "/static/sub")
    assert listed.status == 200


async def test_precompressed_sibling_on_the_fast_path(
    root: Path, static_fetch: Fetch, no_executor: list[Any]
) -> None:
    ans = await static_fetch(make_app(root), "/static/app.js", headers={"Accept-Encoding": "gzip"})
    assert ans.headers["Content-Encoding"] == "gzip"
    assert ans.body == b"zipped();"  # the client decoded the sibling
    plain = await static_fetch(make_app(root), "/static/app.js")
    assert plain.body == b"plain();"
    assert no_executor == []


async def test_conditions_and_ranges_on_the_fast_path(root: Path, static_fetch: Fetch) -> None:
    app = make_app(root)
    first = await static_fetch(app, "/static/big.bin")
    assert first.body == bytes(range(256)) * 400
    etag = first.headers["ETag"]
    cached = await static_fetch(app, "/static/big.bin", headers={"If-None-Match": etag})
    assert cached.status == 304
    part = await static_fetch(app, "/static/big.bin", headers={"Range": "bytes=256-511"})
    assert part.status == 206
    assert part.body == bytes(range(256))


async def test_uncached_body_is_read_in_the_executor(
    root: Path, static_fetch: Fetch, monkeypatch: pytest.MonkeyPatch, no_executor: list[Any]
) -> None:
    monkeypatch.setattr(fr, "read_cached", lambda fd, offset, size: None)
    ans = await static_fetch(make_app(root), "/static/a.txt")
    assert ans.body == b"AAA"
    assert no_executor == [os.pread]


async def test_dropped_response_closes_its_file(root: Path) -> None:
    opened = open_inline(str(root) + "/", "a.txt", follow_symlinks=False)
    assert opened is not None
    fd = opened[0]
    resp = FileResponse._of_opened(opened, 1024)
    assert resp.path.name == "a.txt"
    os.fstat(fd)  # open while the response lives
    del resp
    gc.collect()
    with pytest.raises(OSError):
        os.fstat(fd)


def test_open_inline_outcomes(root: Path) -> None:
    prefix = str(root) + "/"
    with pytest.raises(Missing):
        open_inline(prefix, "none", follow_symlinks=False)
    assert open_inline(prefix, "sub", follow_symlinks=False) is None  # a directory
    assert open_inline(prefix, "link_out", follow_symlinks=False) is None
    # the URL's ".." is lexical with follow_symlinks: dir_out/.. is the root again
    opened = open_inline(prefix, "dir_out/../a.txt", follow_symlinks=True)
    assert opened is not None
    os.close(opened[0])
    assert opened[2] == prefix + "a.txt"
    # without it, ".." after a symlink is physical, as realpath resolves it: the name
    # then means <tmp parent>/a.txt, which does not exist (and would be outside)
    with pytest.raises(Missing):
        open_inline(prefix, "dir_out/../a.txt", follow_symlinks=False)
    assert open_inline(prefix, "dir_out/secret.txt", follow_symlinks=False) is None


def test_read_cached_reads_page_cache_or_declines(root: Path) -> None:
    fd = os.open(root / "a.txt", os.O_RDONLY)
    try:
        got = read_cached(fd, 1, 2)
        assert got is None or bytes(got) == b"AA"
        assert read_cached(fd, 0, 10) is None  # a short read is refused, never partial
    finally:
        os.close(fd)
