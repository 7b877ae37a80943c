"""Conditional request evaluation (RFC 9110 13.2.2) on header values and file facts."""

from __future__ import annotations

import pytest
from web_static._conditions import (
    evaluate_preconditions,
    last_modified_seconds,
    make_etag,
)

ETAG = make_etag(0x1234, 0x10)
LM = 1_700_000_000  # Tue, 14 Nov 2023 22:13:20 GMT
LM_DATE = "Tue, 14 Nov 2023 22:13:20 GMT"
EARLIER = "Tue, 14 Nov 2023 22:13:19 GMT"
LATER = "Tue, 14 Nov 2023 22:13:21 GMT"


def test_etag_is_mtime_and_size_in_hex() -> None:
    assert make_etag(255, 16) == "ff-10"


def test_last_modified_rounds_up() -> None:
    assert last_modified_seconds(10.2) == 11
    assert last_modified_seconds(10.0) == 10


def test_no_conditions_proceed() -> None:
    assert evaluate_preconditions("GET", ETAG, LM) is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f'"{ETAG}"', None),
        (f'"x", "{ETAG}"', None),
        ("*", None),
        (f'W/"{ETAG}"', 412),  # If-Match uses the strong comparison
        ('"other"', 412),
        ("garbage", 412),
    ],
)
def test_if_match(header: str, expected: int | None) -> None:
    assert evaluate_preconditions("GET", ETAG, LM, if_match=header) == expected


@pytest.mark.parametrize(
    ("date", "expected"), [(LM_DATE, None), (LATER, None), (EARLIER, 412), ("bogus", None)]
)
def test_if_unmodified_since(date: str, expected: int | None) -> None:
    assert evaluate_preconditions("GET", ETAG, LM, if_unmodified_since=date) == expected


def test_if_match_overrides_if_unmodified_since() -> None:
    got = evaluate_preconditions("GET", ETAG, LM, if_match=f'"{ETAG}"', if_unmodified_since=EARLIER)
    assert got is None


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (f'"{ETAG}"', 304),
        (f'W/"{ETAG}"', 304),  # weak comparison
        ("*", 304),
        ('"other"', None),
        ("garbage", None),
    ],
)
def test_if_none_match(header: str, expected: int | None) -> None:
    assert evaluate_preconditions("GET", ETAG, LM, if_none_match=header) == expected
    assert evaluate_preconditions("HEAD", ETAG, LM, if_none_match=header) == expected


def test_if_none_match_on_unsafe_method_is_412() -> None:
    assert evaluate_preconditions("POST", ETAG, LM, if_none_match="*") == 412


@pytest.mark.parametrize(
    ("date", "expected"), [(LM_DATE, 304), (LATER, 304), (EARLIER, None), ("bogus", None)]
)
def test_if_modified_since(date: str, expected: int | None) -> None:
    assert evaluate_preconditions("GET", ETAG, LM, if_modified_since=date) == expected


def test_if_modified_since_ignored_for_post() -> None:
    assert evaluate_preconditions("POST", ETAG, LM, if_modified_since=LATER) is None


def test_if_none_match_overrides_if_modified_since() -> None:
    got = evaluate_preconditions("GET", ETAG, LM, if_none_match='"other"', if_modified_since=LATER)
    assert got is None


def test_if_match_failure_wins_over_not_modified() -> None:
    got = evaluate_preconditions("GET", ETAG, LM, if_match='"other"', if_none_match="*")
    assert got == 412
