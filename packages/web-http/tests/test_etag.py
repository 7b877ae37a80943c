"""ETag and If-Match / If-None-Match lists (RFC 9110 8.8.3, 13.1.1-2)."""

from __future__ import annotations

import pytest
from web_http import ETAG_ANY, ETag, parse_etag_list
from web_http._etag import validate_etag_value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"abc"', (ETag("abc"),)),
        ('W/"abc"', (ETag("abc", is_weak=True),)),
        ('"a", W/"b" ,"c"', (ETag("a"), ETag("b", True), ETag("c"))),
        ('"", "x"', (ETag(""), ETag("x"))),
        (' , "a",, "b" ', (ETag("a"), ETag("b"))),
        ("*", (ETag(ETAG_ANY),)),
        (" * ", (ETag(ETAG_ANY),)),
        ('"é"', (ETag("é"),)),
    ],
    ids=["strong", "weak", "list", "empty-tag", "empty-members", "any", "any-ws", "obs-text"],
)
def test_valid_lists(value: str, expected: tuple[ETag, ...]) -> None:
    assert parse_etag_list(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("abc", ()),
        ('"a", bad, "b"', (ETag("a"),)),
        ('"a b"', ()),
        ('w/"a"', ()),
        ('"a"x', ()),
        ('"a", *', (ETag("a"),)),
        ('"unterminated', ()),
    ],
    ids=["unquoted", "stop-at-junk", "space", "lower-w", "trailing", "star-in-list", "open"],
)
def test_malformed_stops(value: str, expected: tuple[ETag, ...]) -> None:
    assert parse_etag_list(value) == expected


def test_none_and_empty() -> None:
    assert parse_etag_list(None) == ()
    assert parse_etag_list("") == ()


def test_etag_value_object() -> None:
    tag = ETag("v1", is_weak=True)
    assert str(tag) == 'W/"v1"'
    assert str(ETag("v1")) == '"v1"'
    assert str(ETag(ETAG_ANY)) == "*"
    assert tag == ETag("v1", True)
    assert hash(tag) == hash(ETag("v1", True))
    with pytest.raises(AttributeError):
        tag.value = "x"  # type: ignore[misc]


def test_validate_etag_value() -> None:
    validate_etag_value("abc-123")
    validate_etag_value("*")
    for bad in ('a"b', "a b", "a\nb"):
        with pytest.raises(ValueError):
            validate_etag_value(bad)
