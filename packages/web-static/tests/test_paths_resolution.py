"""Traversal-safe mapping of URL file names to files below the root."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from web_static._paths import PathRejected, check_filename, resolve_under


@pytest.mark.parametrize("name", ["a.txt", "dir/a.txt", "", "a/../b", "./a", "a/./b", "..a", "a.."])
def test_lexically_inside(name: str) -> None:
    assert check_filename(name)


@pytest.mark.parametrize(
    "name", ["..", "../x", "a/../../x", "/etc/passwd", "a\x00b", "a/b/../../../x", "./../x"]
)
def test_lexically_outside(name: str) -> None:
    assert not check_filename(name)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    base = tmp_path / "static"
    (base / "sub").mkdir(parents=True)
    (base / "a.txt").write_text("a")
    (base / "sub" / "b.txt").write_text("b")
    (tmp_path / "secret.txt").write_text("secret")
    (base / "inner_link").symlink_to(base / "a.txt")
    (base / "outer_link").symlink_to(tmp_path / "secret.txt")
    (base / "loop").symlink_to(base / "loop")
    return base.resolve()


def test_plain_file(root: Path) -> None:
    assert resolve_under(root, "sub/b.txt", follow_symlinks=False) == root / "sub" / "b.txt"


def test_root_itself(root: Path) -> None:
    assert resolve_under(root, "", follow_symlinks=False) == root


def test_dot_segments_inside(root: Path) -> None:
    assert resolve_under(root, "sub/../a.txt", follow_symlinks=False) == root / "a.txt"


@pytest.mark.parametrize("follow", [False, True])
@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "sub/../../secret.txt", "a\x00"])
def test_traversal_refused(root: Path, name: str, follow: bool) -> None:
    with pytest.raises(PathRejected) as info:
        resolve_under(root, name, follow_symlinks=follow)
    assert info.value.status == 404


def test_symlink_inside_is_served(root: Path) -> None:
    assert resolve_under(root, "inner_link", follow_symlinks=False) == root / "a.txt"


def test_symlink_outside_refused_by_default(root: Path) -> None:
    with pytest.raises(PathRejected):
        resolve_under(root, "outer_link", follow_symlinks=False)


def test_symlink_outside_followed_when_allowed(root: Path) -> None:
    got = resolve_under(root, "outer_link", follow_symlinks=True)
    assert got == (root.parent / "secret.txt").resolve()


def test_symlink_loop_does_not_escape(root: Path) -> None:
    try:
        got = resolve_under(root, "loop", follow_symlinks=False)
    except PathRejected:
        return
    # Python < 3.13 realpath leaves a loop as is: it stays inside and fails to open later.
    assert got.is_relative_to(root)
    with pytest.raises(OSError):
        os.stat(got)
