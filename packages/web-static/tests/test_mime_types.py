"""Content types by file name and Accept-Encoding negotiation for precompressed files."""

from __future__ import annotations

import pytest
from web_static._mime import acceptable_codings, guess_content_type


@pytest.mark.parametrize(
    ("name", "ctype"),
    [
        ("index.html", "text/html"),
        ("style.css", "text/css"),
        ("archive.tar.gz", "application/gzip"),
        ("data.br", "application/x-brotli"),
        ("data.zst", "application/zstd"),
        ("noext", "application/octet-stream"),
        ("x.unknownext", "application/octet-stream"),
    ],
)
def test_guess(name: str, ctype: str) -> None:
    assert guess_content_type(name) == ctype


@pytest.mark.parametrize(
    ("header", "codings"),
    [
        ("", ()),
        ("gzip", ("gzip",)),
        ("gzip, br", ("br", "gzip")),
        ("br;q=0.5, gzip", ("gzip", "br")),
        ("br;q=0, gzip", ("gzip",)),
        ("*", ("br", "zstd", "gzip")),
        ("*;q=0", ()),
        ("gzip;q=0, *", ("br", "zstd")),
        ("identity", ()),
        ("x-gzip", ("gzip",)),
        ("GZIP ; Q=1", ("gzip",)),
        ("br;q=bogus", ()),
        ("deflate, compress", ()),
    ],
)
def test_acceptable_codings(header: str, codings: tuple[str, ...]) -> None:
    assert acceptable_codings(header) == codings
