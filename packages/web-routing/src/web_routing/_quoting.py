"""Percent-encoding rules of the router.

Matching happens on the *safe-decoded* form of a path: every ``%XX`` escape
is decoded (UTF-8) except ``%2F`` (``/``) and ``%25`` (``%``), which stay
encoded (upper case) so that an encoded slash is never taken for a separator
and a decoded ``%`` is never taken for the start of an escape.  Escapes that
do not form valid UTF-8 are kept as written.  This is the form yarl calls
``URL.path_safe`` and the one aiohttp matches against; registered paths are
brought to the same form, so ``/путь/{x}`` matches both the raw UTF-8 request
and its percent-encoded spelling.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import quote

__all__ = ("path_safe", "quote_path", "requote_path", "unquote_path_safe")

# RFC 3986 pchar minus the unreserved set (which ``quote`` never touches), plus "/".
_PATH_SAFE_CHARS = "/!$&'()*+,;=:@"
_PCT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
_VALID_PCT = re.compile(r"%[0-9A-Fa-f]{2}")
# What ``quote`` leaves alone: a path made only of these needs no quoting at all.
_NOTHING_TO_QUOTE = re.compile(r"[A-Za-z0-9_.~\-/!$&'()*+,;=:@]*")
# Bytes that stay percent-encoded in the safe form.
_KEEP = {0x2F: "%2F", 0x25: "%25"}


def _decode_run(match: re.Match[str]) -> str:
    """Decode one run of consecutive escapes, keeping %2F, %25 and bad UTF-8."""
    text = match.group()
    raw = bytes.fromhex(text.replace("%", ""))
    out: list[str] = []
    start = 0
    for i, byte in enumerate(raw):
        kept = _KEEP.get(byte)
        if kept is not None:
            out.append(_decode_bytes(raw[start:i]))
            out.append(kept)
            start = i + 1
    out.append(_decode_bytes(raw[start:]))
    return "".join(out)


def _decode_bytes(raw: bytes) -> str:
    if not raw:
        return ""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # Decode what is valid, keep invalid bytes as upper-case escapes.
        text = raw.decode("utf-8", "surrogateescape")
        return "".join(
            f"%{ord(ch) - 0xDC00:02X}" if "\udc80" <= ch <= "\udcff" else ch for ch in text
        )


@lru_cache(maxsize=2048)
def _path_safe_slow(raw: str) -> str:
    return _PCT_RUN.sub(_decode_run, raw)


def path_safe(raw: str) -> str:
    """Return the safe-decoded form of a raw (percent-encoded) path.

    The common case, a path without ``%``, is returned unchanged without any
    work; paths with escapes go through a bounded cache because the same
    encoded URLs tend to be requested again and again.
    """
    if "%" not in raw:
        return raw
    return _path_safe_slow(raw)


def unquote_path_safe(value: str) -> str:
    """Turn a value captured from the safe form into its final text."""
    if "%" not in value:
        return value
    return value.replace("%2F", "/").replace("%25", "%")


def quote_path(value: str) -> str:
    """Percent-encode ``value`` for a URL path, ``/`` included as a separator."""
    return quote(value, safe=_PATH_SAFE_CHARS)


def requote_path(value: str) -> str:
    """Quote what must be quoted but keep existing valid ``%XX`` escapes.

    Used for the literal parts of registered paths, which users may write
    either decoded (``/a b``) or already encoded (``/a%20b``).
    """
    if "%" not in value:
        if _NOTHING_TO_QUOTE.fullmatch(value):
            return value  # the common ASCII route path: skip quote()'s encode and decode
        return quote(value, safe=_PATH_SAFE_CHARS)
    out: list[str] = []
    pos = 0
    for m in _VALID_PCT.finditer(value):
        out.append(quote(value[pos : m.start()], safe=_PATH_SAFE_CHARS))
        out.append(m.group().upper())
        pos = m.end()
    out.append(quote(value[pos:], safe=_PATH_SAFE_CHARS))
    return "".join(out)
