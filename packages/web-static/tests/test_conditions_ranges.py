"""Range resolution and If-Range (RFC 9110 13.1.5, 14.2)."""

from __future__ import annotations

import pytest
from web_static._conditions import (
    COALESCE_GAP,
    MAX_RANGES,
    ByteRange,
    RangeNotSatisfiable,
    if_range_allows,
    resolve_ranges,
)

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
        ("bytes=0-1,5-6", 0, 7),  # close ranges coalesce into one
        ("bytes=50-,200-300", 50, 50),  # an unsatisfiable member is dropped
    ],
)
def test_satisfiable(header: str, start: int, count: int) -> None:
    assert resolve_ranges(header, SIZE) == (ByteRange(start, count, SIZE),)


def test_several_ranges_sorted_and_merged() -> None:
    big = 10_000
    got = resolve_ranges("bytes=9000-9099, 0-99, 50-150, 5000-5000, -10", big)
    assert got == (
        ByteRange(0, 151, big),
        ByteRange(5000, 1, big),
        ByteRange(9000, 100, big),
        ByteRange(9990, 10, big),
    )


def test_overlap_attack_collapses_to_one_range() -> None:
    header = "bytes=" + ",".join(f"{i}-" for i in range(1000))  # each asks for the whole tail
    assert resolve_ranges(header, 100_000) == (ByteRange(0, 100_000, 100_000),)


def test_many_small_ranges_close_together_coalesce() -> None:
    header = "bytes=" + ",".join(f"{i * 2}-{i * 2}" for i in range(1000))
    assert resolve_ranges(header, 100_000) == (ByteRange(0, 1999, 100_000),)


def test_too_many_scattered_ranges_mean_the_whole_file() -> None:
    step = COALESCE_GAP + 10
    header = "bytes=" + ",".join(f"{i * step}-{i * step}" for i in range(MAX_RANGES + 1))
    assert resolve_ranges(header, 1_000_000) is None
    fewer = "bytes=" + ",".join(f"{i * step}-{i * step}" for i in range(MAX_RANGES))
    assert len(resolve_ranges(fewer, 1_000_000) or ()) == MAX_RANGES


def test_content_range_value() -> None:
    assert ByteRange(10, 10, 100).content_range == "bytes 10-19/100"


@pytest.mark.parametrize("header", [None, "items=0-1", "bytes"], ids=repr)
def test_full_file(header: str | None) -> None:
    assert resolve_ranges(header, SIZE) is None


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
        "bytes=0-1,x",
        "bytes=200-300,400-",
    ],
    ids=repr,
)
def test_unsatisfiable(header: str) -> None:
    with pytest.raises(RangeNotSatisfiable):
        resolve_ranges(header, SIZE)


def test_any_range_of_empty_file_is_unsatisfiable() -> None:
    with pytest.raises(RangeNotSatisfiable):
        resolve_ranges("bytes=0-", 0)
    with pytest.raises(RangeNotSatisfiable):
        resolve_ranges("bytes=-5", 0)


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
