"""Content types of files and the choice of a precompressed sibling (``.br``/``.gz``).

We keep a private :class:`mimetypes.MimeTypes` whose *encodings* table is empty: the
standard one maps ``x.tar.gz`` to ``(application/x-tar, gzip)``, and sending that type
without ``Content-Encoding: gzip`` would make browsers unpack the download. With the
table emptied ``.gz`` is just ``application/gzip``, as aiohttp does.
"""

from __future__ import annotations

import mimetypes
import re
from functools import lru_cache
from typing import Final

__all__ = ("FALLBACK_CONTENT_TYPE", "PRECOMPRESSED", "acceptable_codings", "guess_content_type")

FALLBACK_CONTENT_TYPE: Final = "application/octet-stream"

#: Sibling suffixes, in preference order when the client accepts both equally.
PRECOMPRESSED: Final = (("br", ".br"), ("gzip", ".gz"))

_TYPES: Final = mimetypes.MimeTypes()
_TYPES.encodings_map.clear()
for _ctype, _ext in (
    ("application/gzip", ".gz"),
    ("application/x-brotli", ".br"),
    ("application/x-bzip2", ".bz2"),
    ("application/x-compress", ".Z"),
    ("application/x-xz", ".xz"),
):
    _TYPES.add_type(_ctype, _ext)

_Q_RE: Final = re.compile(r"[ \t]*q[ \t]*=[ \t]*([0-9](?:\.[0-9]{0,3})?)[ \t]*", re.IGNORECASE)


@lru_cache(maxsize=1024)
def guess_content_type(name: str) -> str:
    """The media type for a file name (no charset is added, as in aiohttp)."""
    ctype, _ = _TYPES.guess_type(name, strict=False)
    return ctype or FALLBACK_CONTENT_TYPE


@lru_cache(maxsize=256)
def acceptable_codings(accept_encoding: str) -> tuple[str, ...]:
    """Which of ``br``/``gzip`` the client takes, best first (q-values honoured).

    ``q=0`` refuses a coding, ``*`` stands for codings not named; a malformed q-value
    makes its element count as refused. Cached: clients send few distinct values.
    """
    explicit: dict[str, float] = {}
    star: float | None = None
    for element in accept_encoding.split(","):
        coding, _, params = element.partition(";")
        coding = coding.strip(" \t").lower()
        if not coding:
            continue
        q = 1.0
        if params:
            m = _Q_RE.fullmatch(params)
            q = float(m.group(1)) if m is not None else 0.0
        if coding == "*":
            star = q
        elif coding == "x-gzip":
            explicit.setdefault("gzip", q)
        else:
            explicit[coding] = q
    ranked: list[tuple[float, int, str]] = []
    for index, (coding, _suffix) in enumerate(PRECOMPRESSED):
        q = explicit.get(coding, star if star is not None else 0.0)
        if q > 0:
            ranked.append((-q, index, coding))
    ranked.sort()
    return tuple(coding for _, _, coding in ranked)
