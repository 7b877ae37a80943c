"""The directory listing of show_index."""

from __future__ import annotations

from pathlib import Path

from web_static._index import render_index


def test_lists_entries_sorted_with_links(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("")
    (tmp_path / "a b.txt").write_text("")
    html = render_index(tmp_path, tmp_path, "/static")
    assert "<title>Index of /</title>" in html
    assert '<li><a href="/static/a%20b.txt">a b.txt</a></li>' in html
    assert '<li><a href="/static/sub">sub/</a></li>' in html
    assert html.index("a b.txt") < html.index("b.txt</a>") < html.index("sub/")


def test_names_are_escaped(tmp_path: Path) -> None:
    (tmp_path / "<script>alert(1)<").write_text("")
    (tmp_path / 'q"x').write_text("")
    html = render_index(tmp_path, tmp_path, "/s")
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;" in html
    assert 'href="/s/q%22x"' in html


def test_subdirectory_title(tmp_path: Path) -> None:
    (tmp_path / "d<").mkdir()
    html = render_index(tmp_path, tmp_path / "d<", "/s")
    assert "<h1>Index of /d&lt;</h1>" in html


def test_undecodable_names(tmp_path: Path) -> None:
    name = b"bad\xff".decode("utf-8", "surrogateescape")
    (tmp_path / name).write_text("")
    html = render_index(tmp_path, tmp_path, "/s")
    assert 'href="/s/bad%FF"' in html
    assert "bad\ufffd" in html
    html.encode("utf-8")
