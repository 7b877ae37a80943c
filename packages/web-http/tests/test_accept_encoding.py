"""Accept-Encoding parsing and choice (RFC 9110 12.4.2, 12.5.3)."""

from __future__ import annotations

import pytest
from web_http import choose_encoding, parse_accept_encoding


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("gzip, deflate, br", (("gzip", 1.0), ("deflate", 1.0), ("br", 1.0))),
        ("GZIP;q=0.5, *;Q=0", (("gzip", 0.5), ("*", 0.0))),
        ("br ; q = 1.000 ,, identity;q=0.001", (("br", 1.0), ("identity", 0.001))),
        ("gzip;q=2, br;q=0.5, zstd;q=0.1234, x;q=, y;level=1, z", (("br", 0.5), ("z", 1.0))),
        ("", ()),
        (None, ()),
    ],
    ids=["plain", "q-values", "whitespace", "bad-q-dropped", "empty", "none"],
)
def test_parse(value: str | None, expected: tuple[tuple[str, float], ...]) -> None:
    assert parse_accept_encoding(value) == expected


@pytest.mark.parametrize(
    ("header", "available", "expected"),
    [
        ("gzip, br", ["br", "gzip"], "br"),
        ("gzip;q=1, br;q=0.5", ["br", "gzip"], "gzip"),
        ("gzip;q=0", ["gzip"], None),
        ("gzip;q=0", ["gzip", "identity"], "identity"),
        ("*", ["br", "gzip"], "br"),
        ("*;q=0.5, gzip", ["br", "gzip"], "gzip"),
        ("*;q=0", ["gzip", "identity"], None),
        ("*;q=0, identity", ["gzip", "identity"], "identity"),
        ("identity;q=0", ["identity"], None),
        ("br", ["gzip", "identity"], "identity"),
        ("deflate", ["gzip"], None),
        (None, ["gzip", "identity"], "identity"),
        ("", ["gzip"], None),
        ("GZIP", ["gzip"], "gzip"),
    ],
)
def test_choose(header: str | None, available: list[str], expected: str | None) -> None:
    assert choose_encoding(header, available) == expected
