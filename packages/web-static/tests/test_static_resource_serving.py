"""StaticResource through an Application: files, HEAD, 404/403/405, index pages."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from web_app import Application
from web_static import StaticResource

Fetch = Callable[..., Awaitable[Any]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "static"
    (base / "sub").mkdir(parents=True)
    (base / "a.txt").write_bytes(b"AAA")
    (base / "sub" / "b.css").write_bytes(b"b{}")
    (base / "with space.txt").write_bytes(b"space")
    (base / "100%.txt").write_bytes(b"percent")
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    return base


def make_app(root: Path, **kwargs: Any) -> Application:
    app = Application()
    app.router.add_static("/static", root, **kwargs)
    return app


def test_add_static_returns_static_resource(root: Path) -> None:
    app = Application()
    resource = app.router.add_static("/static/", root, name="files")
    assert isinstance(resource, StaticResource)
    assert resource.canonical == "/static"
    assert app.router["files"] is resource
    assert sorted(route.method for route in resource) == ["GET", "HEAD"]
    info = resource.get_info()
    assert info["directory"] == Path(os.path.realpath(root))
    assert info["prefix"] == "/static"
    assert set(info["routes"]) == {"GET", "HEAD"}


async def test_serves_file(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/sub/b.css")
    assert ans.status == 200
    assert ans.body == b"b{}"
    assert ans.headers["Content-Type"] == "text/css"


async def test_head(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/a.txt", method="HEAD")
    assert ans.status == 200
    assert ans.headers["Content-Length"] == "3"
    assert ans.body == b""


async def test_post_is_405(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/a.txt", method="POST")
    assert ans.status == 405
    assert set(ans.headers["Allow"].split(",")) == {"GET", "HEAD"}


@pytest.mark.parametrize(
    ("path", "body"),
    [("/static/with%20space.txt", b"space"), ("/static/100%25.txt", b"percent")],
)
async def test_percent_decoding(root: Path, static_fetch: Fetch, path: str, body: bytes) -> None:
    ans = await static_fetch(make_app(root), path)
    assert ans.status == 200
    assert ans.body == body


async def test_encoded_slash_is_a_separator(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/sub%2Fb.css")
    assert ans.body == b"b{}"


async def test_missing_is_404(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/nope.txt")
    assert ans.status == 404


async def test_file_with_trailing_slash_is_404(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/a.txt/")
    assert ans.status == 404


@pytest.mark.parametrize("path", ["/static/sub", "/static/sub/", "/static", "/static/"])
async def test_directory_is_403_without_index(root: Path, static_fetch: Fetch, path: str) -> None:
    ans = await static_fetch(make_app(root), path)
    assert ans.status == 403
    assert b"403" in ans.body


async def test_index_page(root: Path, static_fetch: Fetch) -> None:
    (root / "sub" / "<b>.txt").write_bytes(b"")
    ans = await static_fetch(make_app(root, show_index=True), "/static/sub")
    assert ans.status == 200
    assert ans.headers["Content-Type"].startswith("text/html")
    text = ans.body.decode()
    assert "<title>Index of /sub</title>" in text
    assert '<a href="/static/sub/b.css">b.css</a>' in text
    assert "&lt;b&gt;.txt" in text
    assert "<b>" not in text


async def test_root_index_page(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root, show_index=True), "/static/")
    assert "Index of /" in ans.body.decode()
    assert '<a href="/static/sub">sub/</a>' in ans.body.decode()


async def test_conditional_through_resource(root: Path, static_fetch: Fetch) -> None:
    app = make_app(root)
    first = await static_fetch(app, "/static/a.txt")
    again = await static_fetch(
        app, "/static/a.txt", headers={"If-None-Match": first.headers["ETag"]}
    )
    assert again.status == 304


async def test_range_through_resource(root: Path, static_fetch: Fetch) -> None:
    ans = await static_fetch(make_app(root), "/static/a.txt", headers={"Range": "bytes=1-"})
    assert ans.status == 206
    assert ans.body == b"AA"


def test_missing_directory_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        StaticResource("/s", tmp_path / "nope")


def test_file_as_directory_rejected(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(ValueError, match="is not a directory"):
        StaticResource("/s", tmp_path / "f")


def test_options_route(root: Path) -> None:
    resource = StaticResource("/s", root)

    async def options(request: Any) -> Any:
        return None

    resource.set_options_route(options)
    assert sorted(route.method for route in resource) == ["GET", "HEAD", "OPTIONS"]
    with pytest.raises(RuntimeError):
        resource.set_options_route(options)


def test_repr(root: Path) -> None:
    assert "StaticResource 'n' /s ->" in repr(StaticResource("/s", root, name="n"))
    assert os.fspath(root.resolve()) in repr(StaticResource("/s", root))
