"""HTTP-date parsing (RFC 9110 section 5.6.7): IMF-fixdate and the two obsolete forms."""

from __future__ import annotations

import re
from datetime import datetime, timezone

__all__ = ("parse_http_date",)

_MONTHS = {
    m: i
    for i, m in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
_DAYS = "(?:mon|tue|wed|thu|fri|sat|sun)"
_LONG_DAYS = "(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_TIME = r"([0-9]{2}):([0-9]{2}):([0-9]{2})"
_MONTH = "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"

# Sun, 06 Nov 1994 08:49:37 GMT
_IMF_RE = re.compile(
    rf"{_DAYS}, ([0-9]{{2}}) {_MONTH} ([0-9]{{4}}) {_TIME} GMT\Z", re.IGNORECASE | re.ASCII
)
# Sunday, 06-Nov-94 08:49:37 GMT
_RFC850_RE = re.compile(
    rf"{_LONG_DAYS}, ([0-9]{{2}})-{_MONTH}-([0-9]{{2}}) {_TIME} GMT\Z", re.IGNORECASE | re.ASCII
)
# Sun Nov  6 08:49:37 1994
_ASCTIME_RE = re.compile(
    rf"{_DAYS} {_MONTH} ([0-9 ][0-9]) {_TIME} ([0-9]{{4}})\Z", re.IGNORECASE | re.ASCII
)


def _build(year: int, month: str, day: int, hh: str, mm: str, ss: str) -> datetime | None:
    try:
        return datetime(
            year, _MONTHS[month.lower()], day, int(hh), int(mm), int(ss), tzinfo=timezone.utc
        )
    except ValueError:  # 31 Feb, 25:00:00, second 60...
        return None


def _two_digit_year(yy: int) -> int:
    # RFC 9110 5.6.7: a two-digit year more than 50 years in the future is in the past.
    now_year = datetime.now(timezone.utc).year
    year = now_year - now_year % 100 + yy
    if year > now_year + 50:
        year -= 100
    return year


def parse_http_date(value: str | None) -> datetime | None:
    """Return the aware UTC ``datetime`` an HTTP-date denotes, or None if it is not one.

    Accepts IMF-fixdate, RFC 850 and asctime (recipients must, RFC 9110 5.6.7), with
    case-insensitive names and surrounding whitespace; rejects anything else, including
    zones other than GMT and impossible calendar dates.
    """
    if not value:
        return None
    text = value.strip(" \t")
    m = _IMF_RE.match(text)
    if m is not None:
        day, month, year, hh, mm, ss = m.groups()
        return _build(int(year), month, int(day), hh, mm, ss)
    m = _RFC850_RE.match(text)
    if m is not None:
        day, month, yy, hh, mm, ss = m.groups()
        return _build(_two_digit_year(int(yy)), month, int(day), hh, mm, ss)
    m = _ASCTIME_RE.match(text)
    if m is not None:
        month, day, hh, mm, ss, year = m.groups()
        if day[1] == " ":
            return None
        return _build(int(year), month, int(day), hh, mm, ss)
    return None
