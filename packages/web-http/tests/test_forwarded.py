"""parse_forwarded: RFC 7239 as aiohttp's request.forwarded."""

from __future__ import annotations

import pytest
from web_http import parse_forwarded


def test_single_element() -> None:
    (elem,) = parse_forwarded("for=192.0.2.60;proto=http;by=203.0.113.43")
    assert dict(elem) == {"for": "192.0.2.60", "proto": "http", "by": "203.0.113.43"}


def test_several_elements_and_fields() -> None:
    got = parse_forwarded(['for=1.2.3.4;proto=https, for="[2001:db8::1]:80"', "for=z"])
    assert [dict(e) for e in got] == [
        {"for": "1.2.3.4", "proto": "https"},
        {"for": "[2001:db8::1]:80"},
        {"for": "z"},
    ]


def test_quoted_pairs_and_case() -> None:
    (elem,) = parse_forwarded('For="a\\"b\\\\c";HOST="ex.com:8080"')
    assert dict(elem) == {"for": 'a"b\\c', "host": "ex.com:8080"}


def test_unquoted_ipv6_with_port() -> None:
    (elem,) = parse_forwarded("for=[::1]:8080")
    assert elem["for"] == "[::1]:8080"


def test_last_repeat_wins_like_aiohttp() -> None:
    (elem,) = parse_forwarded("by=x;by=y")
    assert elem["by"] == "y"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("garbage x, for=z", [{}, {"for": "z"}]),
        ("for=a proto=b, for=c", [{"for": "a"}, {"for": "c"}]),
        ('for="unterminated, for=c', [{}, {"for": "c"}]),
        ("for=, by=b", [{}, {"by": "b"}]),
        ("=x;for=a", [{}]),
        ("", [{}]),
        (" ; , ", [{}, {}]),
    ],
    ids=[
        "junk-element",
        "missing-semicolon",
        "open-quote",
        "empty-value",
        "no-name",
        "empty",
        "seps",
    ],
)
def test_malformed_elements(value: str, expected: list[dict[str, str]]) -> None:
    assert [dict(e) for e in parse_forwarded(value)] == expected


def test_result_is_read_only_tuple() -> None:
    got = parse_forwarded("for=a")
    assert isinstance(got, tuple)
    with pytest.raises(TypeError):
        got[0]["for"] = "b"  # type: ignore[index]


def test_absent() -> None:
    assert parse_forwarded(None) == ()
    assert parse_forwarded([]) == ()
