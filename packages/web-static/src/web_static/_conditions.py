"""Validators, conditional requests and byte ranges, as pure functions (RFC 9110 13-14).

Everything here works on header *values* (``str | None``) and file facts (size, mtime),
so the rules can be tested exhaustively without a server and evaluated inside the
executor job that already holds the ``stat`` result (one hop per file request).

The order of evaluation is RFC 9110 13.2.2: ``If-Match``, then ``If-Unmodified-Since``
(only without ``If-Match``), then ``If-None-Match``, then ``If-Modified-Since`` (only
without ``If-None-Match`` and only for GET/HEAD), then ``If-Range`` deciding whether
``Range`` applies.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Final

from web_http import ETAG_ANY, parse_etag_list, parse_http_date

__all__ = (
    "COALESCE_GAP",
    "MAX_RANGES",
    "RangeNotSatisfiable",
    "ByteRange",
    "evaluate_preconditions",
    "if_range_allows",
    "last_modified_seconds",
    "make_etag",
    "resolve_ranges",
)

# "bytes=<first>-<last>" after whitespace trimming; digits only, bounded length so that a
# hostile header cannot make int() do quadratic work.
_RANGE_SPEC_RE: Final = re.compile(r"([0-9]{0,19})[ \t]*-[ \t]*([0-9]{0,19})")


def make_etag(mtime_ns: int, size: int) -> str:
    """The opaque part of a file's strong ETag: ``<mtime_ns hex>-<size hex>`` (aiohttp's).

    Strong because the same mtime and size are taken to mean the same bytes, as every
    static server does; a strong tag is what makes ``If-Range`` and ``If-Match`` usable.
    """
    return f"{mtime_ns:x}-{size:x}"


def last_modified_seconds(mtime: float) -> int:
    """The whole second announced in ``Last-Modified`` (rounded up, as web_app formats it).

    Rounding up means a client that echoes ``Last-Modified`` in ``If-Modified-Since``
    gets its 304 even though the file's mtime has a fractional part.
    """
    return math.ceil(mtime)


def _etag_matches(header: str, etag: str, *, weak: bool) -> bool:
    """Does ``If-Match`` / ``If-None-Match`` name our strong ``etag`` (``*`` always does)?

    Strong comparison (``weak=False``) never matches a weak tag. A malformed header parses
    to the members before the fault (web_http's rule), so it can only fail to match.
    """
    for tag in parse_etag_list(header):
        if tag.value == ETAG_ANY or (tag.value == etag and (weak or not tag.is_weak)):
            return True
    return False


def _http_seconds(value: str | None) -> int | None:
    """Seconds since the epoch of an HTTP-date (any of RFC 9110's three forms), or None."""
    parsed = parse_http_date(value) if value else None
    return None if parsed is None else int(parsed.timestamp())


def evaluate_preconditions(
    method: str,
    etag: str,
    last_modified: int,
    *,
    if_match: str | None = None,
    if_none_match: str | None = None,
    if_modified_since: str | None = None,
    if_unmodified_since: str | None = None,
) -> int | None:
    """Return 412 or 304 when a precondition stops the request, None to go on.

    ``etag`` is our strong tag's opaque value, ``last_modified`` the whole second sent in
    ``Last-Modified``. A malformed ``If-Match`` cannot be proven true, so it fails (412);
    a malformed ``If-None-Match`` or date is ignored, as RFC 9110 asks for dates.
    """
    if if_match is not None:
        if not _etag_matches(if_match, etag, weak=False):
            return 412
    elif if_unmodified_since is not None:
        since = _http_seconds(if_unmodified_since)
        if since is not None and last_modified > since:
            return 412
    safe = method in ("GET", "HEAD")
    if if_none_match is not None:
        if _etag_matches(if_none_match, etag, weak=True):
            return 304 if safe else 412
    elif if_modified_since is not None and safe:
        since = _http_seconds(if_modified_since)
        if since is not None and last_modified <= since:
            return 304
    return None


def if_range_allows(if_range: str | None, etag: str, last_modified: int) -> bool:
    """True when ``Range`` applies: no ``If-Range``, or its validator still matches.

    An entity-tag must match strongly (a weak tag never does); a date must equal
    ``Last-Modified`` exactly (RFC 9110 13.1.5). Anything else means "send it all".
    """
    if if_range is None:
        return True
    value = if_range.strip(" \t")
    if value.startswith(('"', "W/")):
        tags = parse_etag_list(value)
        return len(tags) == 1 and not tags[0].is_weak and tags[0].value == etag
    return _http_seconds(value) == last_modified


class RangeNotSatisfiable(Exception):
    """The ``Range`` asked for bytes the file does not have: answer 416 ``bytes */size``."""


@dataclass(frozen=True, slots=True)
class ByteRange:
    """One satisfiable range: ``count`` bytes from ``start`` (of ``size`` in total)."""

    start: int
    count: int
    size: int

    @property
    def content_range(self) -> str:
        return f"bytes {self.start}-{self.start + self.count - 1}/{self.size}"


#: Parts a ``multipart/byteranges`` answer may have once ranges are coalesced; a Range
#: header asking for more is ignored (the whole file goes out with 200), which RFC 9110 14.2
#: allows and nginx and Apache do: many scattered ranges are a broken client or an attack.
MAX_RANGES: Final = 32
#: Ranges this close are merged: a part's own head costs more than resending the gap.
COALESCE_GAP: Final = 80


def _one_range(spec: str, size: int, header: str) -> ByteRange | None:
    """One range-spec against the file (None: not satisfiable); malformed: 416."""
    m = _RANGE_SPEC_RE.fullmatch(spec)
    if m is None:
        raise RangeNotSatisfiable(header)
    first, last = m.group(1), m.group(2)
    if not first:
        if not last:
            raise RangeNotSatisfiable(header)
        suffix = int(last)
        if suffix == 0 or size == 0:
            return None
        start = max(size - suffix, 0)
        return ByteRange(start, size - start, size)
    start = int(first)
    end = size - 1 if not last else int(last)
    if last and end < start:
        raise RangeNotSatisfiable(header)
    if start >= size:
        return None
    end = min(end, size - 1)
    return ByteRange(start, end - start + 1, size)


def resolve_ranges(
    header: str | None, size: int, max_ranges: int = MAX_RANGES
) -> tuple[ByteRange, ...] | None:
    """Turn a ``Range`` value into the ranges to send, coalesced; None means the whole file.

    * no header or another unit: None (200 with the full file);
    * a malformed spec anywhere, ``last < first``, or no satisfiable range at all (a start
      past the end, a zero suffix, any range of an empty file):
      :class:`RangeNotSatisfiable` (416), as aiohttp answers;
    * otherwise the satisfiable ranges clamped to the file, sorted, with overlapping,
      adjacent and nearly adjacent ones (:data:`COALESCE_GAP`) merged, so no byte is sent
      twice however the ranges overlap; more than ``max_ranges`` of them after that: None.
    """
    if header is None:
        return None
    unit, sep, spec = header.strip(" \t").partition("=")
    if not sep or unit.strip(" \t").lower() != "bytes":
        return None
    # Empty list elements are ignored (RFC 9110 5.6.1).
    specs = [p for p in (s.strip(" \t") for s in spec.split(",")) if p] or [""]
    found = [r for r in (_one_range(p, size, header) for p in specs) if r is not None]
    if not found:
        raise RangeNotSatisfiable(header)
    found.sort(key=lambda r: r.start)
    merged = [found[0]]
    for rng in found[1:]:
        last = merged[-1]
        end = last.start + last.count
        if rng.start <= end + COALESCE_GAP:
            new_end = max(end, rng.start + rng.count)
            merged[-1] = ByteRange(last.start, new_end - last.start, size)
        else:
            merged.append(rng)
    if len(merged) > max_ranges:
        return None
    return tuple(merged)
