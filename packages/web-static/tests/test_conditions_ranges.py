"""Range resolution and If-Range (RFC 9110 13.1.5, 14.2)."""

from __future__ import annotations

import pytest
from web_static._conditions import ByteRange, RangeNotSatisfiable, if_range_allows, resolve_range

SIZE = 100


@pytest.mark.parametrize(
    ("header", "start", "count"),
    [
        ("bytes=0-0", 0, 1),
        ("bytes=0-99", 0, 100),
        ("bytes=10-19", 10, 10),
        ("bytes=90-", 90, 10),
        ("bytes=90-1000", 90, 10),
        ("bytes=-10", 90, 10),
        ("bytes=-1000", 0, 100),
        ("BYTES = 5 - 6", 5, 2),
        ("bytes=5-6,", 5, 2),
    ],
)
def test_satisfiable(header: str, start: int, count: int) -> None:
    rng = resolve_range(header, SIZE)
    assert rng == ByteRange(start, count, SIZE)


def test_content_range_value() -> None:
    assert ByteRange(10, 10, 100).content_range == "bytes 10-19/100"


@pytest.mark.parametrize(
    "header", [None, "items=0-1", "bytes", "bytes=0-1,5-6", "bytes=-5,0-1"], ids=repr
)
def test_full_file(header: str | None) -> None:
    assert resolve_range(header, SIZE) is None


@pytest.mark.parametrize(
    "header",
    [
        "bytes=100-",
        "bytes=1000-2000",
        "bytes=5-4",
        "bytes=-0",
        "bytes=-",
        "bytes=",
        "bytes=a-b",
        "bytes=1-2-3",
        "bytes=" + "9" * 40 + "-",
        "bytes=0x10-",
    ],
    ids=repr,
)
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        resolve_range(header, SIZE)


def test_any_range_of_empty_file_is_unsatisfiable() -> None:
    with pytest.raises(RangeNotSatisfiable):
        resolve_range("bytes=0-", 0)
    with pytest.raises(RangeNotSatisfiable):
        resolve_range("bytes=-5", 0)


def test_if_range() -> None:
    lm_date = "Tue, 14 Nov 2023 22:13:20 GMT"
    lm = 1_700_000_000
    assert if_range_allows(None, "e", lm)
    assert if_range_allows('"e"', "e", lm)
    assert not if_range_allows('W/"e"', "e", lm)  # weak tags never match strongly
    assert not if_range_allows('"f"', "e", lm)
    assert if_range_allows(lm_date, "e", lm)
    assert not if_range_allows(lm_date, "e", lm + 1)  # a date must match exactly
    assert not if_range_allows("garbage", "e", lm)
