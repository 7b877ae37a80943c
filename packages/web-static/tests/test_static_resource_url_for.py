"""StaticResource.url_for and append_version."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path, PurePosixPath

import pytest
from web_static import StaticResource


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "static"
    (base / "css").mkdir(parents=True)
    (base / "css" / "site.css").write_bytes(b"body{}")
    (tmp_path / "secret.txt").write_bytes(b"SECRET")
    (base / "out.txt").symlink_to(tmp_path / "secret.txt")
    return base


def digest(data: bytes) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(data).digest()).decode()


def test_plain_url(root: Path) -> None:
    res = StaticResource("/static", root)
    assert str(res.url_for(filename="css/site.css")) == "/static/css/site.css"
    assert str(res.url_for(filename=PurePosixPath("/css/site.css"))) == "/static/css/site.css"


def test_url_is_quoted(root: Path) -> None:
    res = StaticResource("/static", root)
    assert str(res.url_for(filename="a b/100%.txt")) == "/static/a%20b/100%25.txt"


def test_append_version(root: Path) -> None:
    res = StaticResource("/static", root)
    url = res.url_for(filename="css/site.css", append_version=True)
    assert url.path == "/static/css/site.css"
    assert url.query["v"] == digest(b"body{}")


def test_append_version_default_from_constructor(root: Path) -> None:
    res = StaticResource("/static", root, append_version=True)
    assert res.url_for(filename="css/site.css").query["v"] == digest(b"body{}")
    assert "v" not in res.url_for(filename="css/site.css", append_version=False).query


def test_version_follows_content(root: Path) -> None:
    res = StaticResource("/static", root, append_version=True)
    first = res.url_for(filename="css/site.css").query["v"]
    (root / "css" / "site.css").write_bytes(b"body{color:red}")
    assert res.url_for(filename="css/site.css").query["v"] == digest(b"body{color:red}")
    assert first != digest(b"body{color:red}")


@pytest.mark.parametrize("name", ["missing.css", "css", "../secret.txt", "out.txt"])
def test_no_version_when_not_servable(root: Path, name: str) -> None:
    res = StaticResource("/static", root, append_version=True)
    assert "v" not in res.url_for(filename=name).query


def test_version_for_link_out_with_follow_symlinks(root: Path) -> None:
    res = StaticResource("/static", root, append_version=True, follow_symlinks=True)
    assert res.url_for(filename="out.txt").query["v"] == digest(b"SECRET")


def test_importing_web_static_registers_add_static_on_the_routers() -> None:
    import web_app
    import web_routing
    import web_static

    assert web_routing.UrlDispatcher.static_resource_factory is web_static.StaticResource
    router = web_app.Application().router
    assert isinstance(router.add_static("/s", "."), web_static.StaticResource)
