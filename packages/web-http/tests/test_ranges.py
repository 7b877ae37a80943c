"""parse_range: aiohttp's http_range slice semantics (RFC 9110 14.2)."""

from __future__ import annotations

import pytest
from web_http import parse_range


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, slice(None, None, 1)),
        ("bytes=0-499", slice(0, 500, 1)),
        ("bytes=500-", slice(500, None, 1)),
        ("bytes=-500", slice(-500, None, 1)),
        ("BYTES=1-1", slice(1, 2, 1)),
        (" bytes=2-3 ", slice(2, 4, 1)),
    ],
    ids=["absent", "closed", "open", "suffix", "case", "ws"],
)
def test_valid(value: str | None, expected: slice) -> None:
    got = parse_range(value)
    assert got == expected
    assert bytes(range(256))[got] == bytes(range(256))[expected]


@pytest.mark.parametrize(
    "value",
    [
        "",
        "bytes=",
        "bytes=-",
        "bytes=5-4",
        "bytes=-0",
        "bytes=0-1,3-4",
        "items=0-1",
        "bytes=a-b",
        "bytes = 0-1",
        "bytes=١-٢",
        "bytes=0-1junk",
        "bytes=1234567890123456789-",
    ],
)
def test_malformed_raises(value: str) -> None:
    with pytest.raises(ValueError):
        parse_range(value)


def test_single_byte_and_equal_bounds() -> None:
    assert b"abcdef"[parse_range("bytes=0-0")] == b"a"
    assert b"abcdef"[parse_range("bytes=-2")] == b"ef"
    assert b"abcdef"[parse_range("bytes=4-")] == b"ef"
