"""The Range request header (RFC 9110 section 14.2) in aiohttp's ``http_range`` form."""

from __future__ import annotations

import re

__all__ = ("parse_range",)

# One byte-range-spec or suffix-range; at most 18 digits so positions stay sane integers.
_RANGE_RE = re.compile(r"bytes=([0-9]{0,18})-([0-9]{0,18})\Z", re.IGNORECASE | re.ASCII)


def parse_range(value: str | None) -> slice:
    """Turn a Range value into a ``slice`` over the representation's bytes.

    ``bytes=a-b`` -> ``slice(a, b + 1, 1)``, ``bytes=a-`` -> ``slice(a, None, 1)``,
    ``bytes=-n`` -> ``slice(-n, None, 1)``; no header -> ``slice(None, None, 1)`` (the
    whole body). Anything else raises ``ValueError`` (the caller answers 416 or ignores
    the header): several ranges, ``a > b``, a zero-length suffix, other units, garbage.
    """
    if value is None:
        return slice(None, None, 1)
    m = _RANGE_RE.match(value.strip(" \t"))
    if m is None:
        raise ValueError("range not in acceptable format")
    first, last = m.groups()
    if not first:
        if not last:
            raise ValueError("No start or end of range specified")
        suffix = int(last)
        if suffix == 0:
            raise ValueError("a suffix range of zero bytes is not satisfiable")
        return slice(-suffix, None, 1)
    start = int(first)
    if not last:
        return slice(start, None, 1)
    end = int(last) + 1
    if start >= end:
        raise ValueError("start cannot be after end")
    return slice(start, end, 1)
