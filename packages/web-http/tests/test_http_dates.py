"""parse_http_date: RFC 9110 5.6.7 (IMF-fixdate, RFC 850, asctime)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given, strategies as st
from web_http import parse_http_date

EXPECTED = datetime(1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994",
        "  Sun, 06 Nov 1994 08:49:37 GMT ",
        "sun, 06 nov 1994 08:49:37 gmt",
    ],
    ids=["imf", "rfc850", "asctime", "whitespace", "case"],
)
def test_three_formats(value: str) -> None:
    got = parse_http_date(value)
    assert got == EXPECTED
    assert got is not None and got.tzinfo is timezone.utc


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "junk",
        "Sun, 06 Nov 1994 08:49:37 +0100",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 6 Nov 1994 08:49:37 GMT",
        "Sun, 31 Feb 1994 08:49:37 GMT",
        "Sun, 06 Nov 1994 25:00:00 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov 1  08:49:37 1994",
        "Sun, 06 Nov 1994 08:49:37 GMT extra",
        "Sun, ٠٦ Nov 1994 08:49:37 GMT",
        "1994-11-06T08:49:37Z",
    ],
)
def test_rejected(value: str | None) -> None:
    assert parse_http_date(value) is None


def test_rfc850_two_digit_year_window() -> None:
    now = datetime.now(timezone.utc).year
    yy = (now + 10) % 100
    got = parse_http_date(f"Monday, 01-Jan-{yy:02d} 00:00:00 GMT")
    assert got is not None and got.year == now + 10
    yy = (now + 60) % 100
    got = parse_http_date(f"Monday, 01-Jan-{yy:02d} 00:00:00 GMT")
    assert got is not None and got.year == now + 60 - 100


@given(
    st.datetimes(
        min_value=datetime(1970, 1, 1),
        max_value=datetime(9999, 12, 31),
        timezones=st.just(timezone.utc),
    )
)
def test_round_trip_with_stdlib_formatting(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    text = moment.strftime("%a, %d %b %Y %H:%M:%S GMT")
    assert parse_http_date(text) == moment
