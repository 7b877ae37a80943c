"""Content types of files and the choice of a precompressed sibling (``.br``/``.zst``/``.gz``).

We keep a private :class:`mimetypes.MimeTypes` whose *encodings* table is empty: the
standard one maps ``x.tar.gz`` to ``(application/x-tar, gzip)``, and sending that type
without ``Content-Encoding: gzip`` would make browsers unpack the download. With the
table emptied ``.gz`` is just ``application/gzip``, as aiohttp does.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from typing import Final

from web_http import parse_accept_encoding

__all__ = ("FALLBACK_CONTENT_TYPE", "PRECOMPRESSED", "acceptable_codings", "guess_content_type")

FALLBACK_CONTENT_TYPE: Final = "application/octet-stream"

#: Sibling suffixes, in preference order when the client accepts several equally: brotli
#: is usually the smallest for text, zstd next (and fastest to decode), gzip is universal.
PRECOMPRESSED: Final = (("br", ".br"), ("zstd", ".zst"), ("gzip", ".gz"))

_TYPES: Final = mimetypes.MimeTypes()
_TYPES.encodings_map.clear()
for _ctype, _ext in (
    ("application/gzip", ".gz"),
    ("application/x-brotli", ".br"),
    ("application/zstd", ".zst"),
    ("application/x-bzip2", ".bz2"),
    ("application/x-compress", ".Z"),
    ("application/x-xz", ".xz"),
):
    _TYPES.add_type(_ctype, _ext)


@lru_cache(maxsize=1024)
def guess_content_type(name: str) -> str:
    """The media type for a file name (no charset is added, as in aiohttp)."""
    ctype, _ = _TYPES.guess_type(name, strict=False)
    return ctype or FALLBACK_CONTENT_TYPE


@lru_cache(maxsize=256)
def acceptable_codings(accept_encoding: str) -> tuple[str, ...]:
    """Which of ``br``/``zstd``/``gzip`` the client takes, best first (web_http's q-values).

    ``q=0`` refuses a coding and ``*`` stands for codings not named. Cached: clients send
    few distinct values.
    """
    q_of: dict[str, float] = {}
    for coding, q in parse_accept_encoding(accept_encoding):
        q_of.setdefault("gzip" if coding == "x-gzip" else coding, q)
    star = q_of.get("*", 0.0)
    ranked = []
    for index, (coding, _suffix) in enumerate(PRECOMPRESSED):
        q = q_of.get(coding, star)
        if q > 0:
            ranked.append((-q, index, coding))
    ranked.sort()
    return tuple(coding for _, _, coding in ranked)
