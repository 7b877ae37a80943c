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

import calendar
import math
import re
from dataclasses import dataclass
from email.utils import parsedate_tz
from typing import Final

__all__ = (
    "ANY_ETAG",
    "RangeNotSatisfiable",
    "ByteRange",
    "ETagList",
    "evaluate_preconditions",
    "if_range_allows",
    "last_modified_seconds",
    "make_etag",
    "parse_etag_list",
    "parse_http_date",
    "resolve_range",
)

#: The value of ``If-Match: *`` / ``If-None-Match: *``.
ANY_ETAG: Final = "*"

# One entity-tag: optional W/ then a quoted opaque value (no quotes or controls inside).
_ETAG_RE: Final = re.compile(r'(W/)?"([!#-~\x80-\xff]*)"')
_LIST_SEP_RE: Final = re.compile(r"[ \t]*,[ \t]*")
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


@dataclass(frozen=True, slots=True)
class ETagList:
    """A parsed ``If-Match`` / ``If-None-Match`` value: ``*`` or ``(is_weak, value)`` pairs."""

    any: bool
    tags: tuple[tuple[bool, str], ...]

    def matches(self, etag: str, *, weak: bool) -> bool:
        """Strong (``weak=False``) or weak comparison against our strong ``etag``."""
        if self.any:
            return True
        return any(value == etag and (weak or not is_weak) for is_weak, value in self.tags)


def parse_etag_list(value: str) -> ETagList | None:
    """Parse ``*`` or a comma-separated list of entity-tags; None when malformed."""
    value = value.strip(" \t")
    if value == ANY_ETAG:
        return ETagList(True, ())
    tags: list[tuple[bool, str]] = []
    for item in _LIST_SEP_RE.split(value):
        if not item:
            continue  # RFC 9110 5.6.1: empty list elements are ignored
        m = _ETAG_RE.fullmatch(item)
        if m is None:
            return None
        tags.append((m.group(1) is not None, m.group(2)))
    if not tags:
        return None
    return ETagList(False, tuple(tags))


def parse_http_date(value: str | None) -> int | None:
    """Seconds since the epoch of an HTTP-date (any of the three RFC 9110 forms), or None."""
    if not value or len(value) > 64:
        return None
    try:
        parsed = parsedate_tz(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    try:
        stamp = calendar.timegm(parsed[:9])  # HTTP dates are always GMT
    except (ValueError, OverflowError):
        return None
    offset = parsed[9]
    return stamp - offset if offset else stamp


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
        tags = parse_etag_list(if_match)
        if tags is None or not tags.matches(etag, weak=False):
            return 412
    elif if_unmodified_since is not None:
        since = parse_http_date(if_unmodified_since)
        if since is not None and last_modified > since:
            return 412
    safe = method in ("GET", "HEAD")
    if if_none_match is not None:
        tags = parse_etag_list(if_none_match)
        if tags is not None and tags.matches(etag, weak=True):
            return 304 if safe else 412
    elif if_modified_since is not None and safe:
        since = parse_http_date(if_modified_since)
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
        m = _ETAG_RE.fullmatch(value)
        return m is not None and m.group(1) is None and m.group(2) == etag
    return parse_http_date(value) == last_modified


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


def resolve_range(header: str | None, size: int) -> ByteRange | None:
    """Turn a ``Range`` value into the one range to send; None means the whole file.

    * no header, another unit, or several ranges (we do not build
      ``multipart/byteranges``): None, so the full file goes out with 200, which RFC 9110
      14.2 allows;
    * ``bytes=`` with a malformed spec, ``last < first``, a start past the end, a zero
      suffix, or any range of an empty file: :class:`RangeNotSatisfiable` (416), as
      aiohttp answers;
    * otherwise the range clamped to the file.
    """
    if header is None:
        return None
    unit, sep, spec = header.strip(" \t").partition("=")
    if not sep or unit.strip(" \t").lower() != "bytes":
        return None
    spec = spec.strip(" \t")
    if "," in spec:
        # Empty list elements are ignored (RFC 9110 5.6.1); two real ranges or more: 200.
        parts = [p for p in (s.strip(" \t") for s in spec.split(",")) if p]
        if len(parts) > 1:
            return None
        spec = parts[0] if parts else ""
    m = _RANGE_SPEC_RE.fullmatch(spec)
    if m is None:
        raise RangeNotSatisfiable(header)
    first, last = m.group(1), m.group(2)
    if not first:
        if not last:
            raise RangeNotSatisfiable(header)
        suffix = int(last)
        if suffix == 0 or size == 0:
            raise RangeNotSatisfiable(header)
        start = max(size - suffix, 0)
        return ByteRange(start, size - start, size)
    start = int(first)
    end = size - 1 if not last else int(last)
    if last and end < start:
        raise RangeNotSatisfiable(header)
    if start >= size:
        raise RangeNotSatisfiable(header)
    end = min(end, size - 1)
    return ByteRange(start, end - start + 1, size)
