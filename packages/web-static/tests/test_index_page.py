"""The directory listing of show_index."""

from __future__ import annotations

from pathlib import Path

from web_static._index import render_index


def test_the_page_is_aiohttps_byte_for_byte(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "b.txt").write_text("")
    (tmp_path / "a b.txt").write_text("")
    (tmp_path / "x&y.txt").write_text("")
    html = render_index(tmp_path, tmp_path, "/static")
    # as aiohttp 3.14 renders the same directory (the root's title is "/.")
    assert html == (
        "<html>\n<head>\n<title>Index of /.</title>\n</head>\n<body>\n"
        "<h1>Index of /.</h1>\n<ul>\n"
        '<li><a href="/static/a%20b.txt">a b.txt</a></li>\n'
        '<li><a href="/static/b.txt">b.txt</a></li>\n'
        '<li><a href="/static/sub">sub/</a></li>\n'
        '<li><a href="/static/x&y.txt">x&amp;y.txt</a></li>\n'
        "</ul>\n</body>\n</html>"
    )


def test_empty_directory(tmp_path: Path) -> None:
    (tmp_path / "e").mkdir()
    html = render_index(tmp_path, tmp_path / "e", "/s")
    assert html == (
        "<html>\n<head>\n<title>Index of /e</title>\n</head>\n<body>\n"
        "<h1>Index of /e</h1>\n<ul>\n\n</ul>\n</body>\n</html>"
    )


def test_encoded_prefix_is_not_encoded_twice(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    assert 'href="/st%20a/f"' in render_index(tmp_path, tmp_path, "/st%20a")


def test_ampersand_starting_a_character_reference_is_escaped(tmp_path: Path) -> None:
    # aiohttp writes href="/s/amp&lt;", which a browser reads as "amp<": a broken link
    (tmp_path / "amp&lt;").write_text("")
    assert '<a href="/s/amp&amp;lt;">amp&amp;lt;</a>' in render_index(tmp_path, tmp_path, "/s")


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
