"""StaticResource never serves outside its directory, whatever the URL or the links."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import web_static  # noqa: F401  (registers add_static's StaticResource)
from web_app import Application

Fetch = Callable[..., Awaitable[Any]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "static"
    (base / "sub").mkdir(parents=True)
    (base / "a.txt").write_bytes(b"AAA")
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "o.txt").write_bytes(b"OUT")
    (base / "inner_link.txt").symlink_to(base / "a.txt")
    (base / "outer_link.txt").symlink_to(tmp_path / "secret.txt")
    (base / "outer_dir").symlink_to(tmp_path / "outside")
    (base / "loop").symlink_to(base / "loop")
    return base


def make_app(root: Path, **kwargs: Any) -> Application:
    app = Application()
    app.router.add_static("/static", root, **kwargs)
    return app


HOSTILE = [
    "/static/../secret.txt",
    "/static/%2e%2e/secret.txt",
    "/static/%2E%2E/secret.txt",
    "/static/..%2fsecret.txt",
    "/static/..%2Fsecret.txt",
    "/static/%2e%2e%2fsecret.txt",
    "/static/sub/../../secret.txt",
    "/static/sub/%2e%2e/%2e%2e/secret.txt",
    "/static/sub%2f..%2f..%2fsecret.txt",
    "/static//etc/passwd",
    "/static/%2fetc/passwd",
    "/static/%00",
    "/static/a.txt%00.png",
    "/static/..%5csecret.txt",
    "/static/%252e%252e/secret.txt",
    "/static/loop",
    "/static/outer_link.txt",
    "/static/outer_dir/o.txt",
]


@pytest.mark.parametrize("show_index", [False, True])
@pytest.mark.parametrize("path", HOSTILE)
async def test_never_leaves_root(
    root: Path, static_fetch: Fetch, path: str, show_index: bool
) -> None:
    ans = await static_fetch(make_app(root, show_index=show_index), path)
    assert ans.status in (403, 404), (path, ans.status)
    assert b"SECRET" not in ans.body
    assert b"OUT" not in ans.body


async def test_dot_segments_inside_root_are_fine(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/sub/../a.txt")
    assert ans.status == 200
    assert ans.body == b"AAA"


async def test_symlink_inside_root_served(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/inner_link.txt")
    assert ans.body == b"AAA"


async def test_follow_symlinks_allows_links_out(root: Path, static_fetch: Fetch) -> None:
    app = make_app(root, follow_symlinks=True)
    assert (await static_fetch(app, "/static/outer_link.txt")).body == b"SECRET"
    assert (
        await static_fetch(make_app(root, follow_symlinks=True), "/static/outer_dir/o.txt")
    ).body == b"OUT"


@pytest.mark.parametrize(
    "path", ["/static/../secret.txt", "/static/%2e%2e/secret.txt", "/static/sub/../../secret.txt"]
)
async def test_follow_symlinks_still_refuses_url_traversal(
    root: Path, static_fetch: Fetch, path: str
) -> None:
    ans = await static_fetch(make_app(root, follow_symlinks=True), path)
    assert ans.status == 404
    assert b"SECRET" not in ans.body


async def test_index_does_not_list_outside(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root, show_index=True), "/static/outer_dir")
    assert ans.status == 404
