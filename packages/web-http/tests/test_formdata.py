"""parse_urlencoded: strict application/x-www-form-urlencoded bodies."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from hypothesis import given, strategies as st
from web_http import BadHttpMessage, parse_urlencoded


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (b"a=1&b=2", [("a", "1"), ("b", "2")]),
        (b"a=1&a=2", [("a", "1"), ("a", "2")]),
        (b"q=%E2%82%AC+x", [("q", "€ x")]),
        (b"a&b=&=c", [("a", ""), ("b", ""), ("", "c")]),
        (b"&&a=1&&", [("a", "1")]),
        (b"a=1;b=2", [("a", "1;b=2")]),
        (b"a=b=c", [("a", "b=c")]),
        (b"a=1\r\n", [("a", "1")]),
        (b"", []),
        ("k=%C3%A9", [("k", "é")]),
        (b"k=%2B%25", [("k", "+%")]),
    ],
    ids=[
        "plain",
        "repeat",
        "utf8-plus",
        "blanks",
        "empty-fields",
        "no-semicolon-split",
        "equals-in-value",
        "trailing-crlf",
        "empty",
        "str-input",
        "escaped-specials",
    ],
)
def test_valid(body: bytes | str, expected: list[tuple[str, str]]) -> None:
    assert parse_urlencoded(body) == expected


@pytest.mark.parametrize(
    "body",
    [b"a=%zz", b"a=%", b"a=%4", b"%G0=1", b"a=%e2%82", b"a=\xff", b"a=%C0%AF"],
    ids=[
        "bad-hex",
        "lone-percent",
        "short-escape",
        "bad-name",
        "truncated-utf8",
        "raw-bad",
        "overlong",
    ],
)
def test_invalid_is_400(body: bytes) -> None:
    with pytest.raises(BadHttpMessage) as info:
        parse_urlencoded(body)
    assert info.value.code == 400


def test_other_charset() -> None:
    assert parse_urlencoded(b"a=%E9", encoding="latin-1") == [("a", "é")]
    with pytest.raises(BadHttpMessage):
        parse_urlencoded(b"a=1", encoding="no-such-charset")


def test_max_fields() -> None:
    body = b"&".join(b"f%d=1" % i for i in range(11))
    assert len(parse_urlencoded(body, max_fields=11)) == 11
    with pytest.raises(BadHttpMessage, match="Too many"):
        parse_urlencoded(body, max_fields=10)
    assert len(parse_urlencoded(body + b"&&&&", max_fields=11)) == 11
    assert len(parse_urlencoded(b"&".join([body] * 100), max_fields=None)) == 1100


@given(
    st.lists(
        st.tuples(st.text(max_size=10), st.text(max_size=10)).filter(lambda kv: kv != ("", "")),
        max_size=8,
    )
)
def test_round_trip_with_urlencode(pairs: list[tuple[str, str]]) -> None:
    assert parse_urlencoded(urlencode(pairs)) == pairs
