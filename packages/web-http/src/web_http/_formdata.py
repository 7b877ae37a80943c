"""application/x-www-form-urlencoded bodies (WHATWG URL "urlencoded parser").

By default malformed input is refused with a ``BadHttpMessage`` (a 400), so a handler
never works on silently mangled data; unlike ``urllib.parse.parse_qsl``, which passes a
bad ``%zz`` through and replaces bad UTF-8 with U+FFFD. ``strict=False`` gives that lenient
behaviour, which aiohttp's ``request.post()`` has and web-app keeps for porting.
"""

from __future__ import annotations

import codecs
import re
from urllib.parse import unquote_to_bytes

from ._errors import BadHttpMessage

__all__ = ("DEFAULT_MAX_FIELDS", "parse_urlencoded")

#: Fields accepted by default (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS): a form body is
#: already bounded in bytes, this bounds the work and objects per request.
DEFAULT_MAX_FIELDS = 1000

_BAD_ESCAPE_RE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def _decode(raw: bytes, encoding: str, strict: bool) -> str:
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
    if not strict:
        # unquote_to_bytes leaves a bad escape as written, as browsers and aiohttp do.
        return unquote_to_bytes(raw).decode(encoding, "replace")
    if b"%" in raw:
        bad = _BAD_ESCAPE_RE.search(raw)
        if bad is not None:
            snippet = raw[bad.start() : bad.start() + 3].decode("ascii", "backslashreplace")
            raise BadHttpMessage(f"Invalid percent-escape {snippet!r} in form data")
        raw = unquote_to_bytes(raw)
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise BadHttpMessage(f"Form data is not valid {encoding}") from None


def parse_urlencoded(
    data: bytes | str,
    *,
    encoding: str = "utf-8",
    max_fields: int | None = DEFAULT_MAX_FIELDS,
    strict: bool = True,
) -> list[tuple[str, str]]:
    """Parse a urlencoded body into ``(name, value)`` pairs in order.

    ``&`` separates fields (not ``;``), ``+`` is a space, empty fields are skipped, and a
    field without ``=`` has an empty value. Trailing whitespace of the body (a final CRLF
    some clients send) is ignored. Raises ``BadHttpMessage`` for a bad percent-escape,
    bytes that are not valid in ``encoding``, or more than ``max_fields`` fields. With
    ``strict=False`` a bad escape is kept as written and invalid bytes become U+FFFD
    (aiohttp's and the WHATWG parser's behaviour); an unknown encoding still raises.
    """
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise BadHttpMessage(f"Unknown form charset {encoding!r}") from None
    if isinstance(data, str):
        try:
            data = data.encode(encoding, "strict" if strict else "surrogateescape")
        except UnicodeEncodeError:
            raise BadHttpMessage(f"Form data is not valid {encoding}") from None
    data = data.rstrip(b" \t\r\n")
    if not data:
        return []
    pieces = data.split(b"&")
    if max_fields is not None and len(pieces) > max_fields:
        count = sum(1 for p in pieces if p)
        if count > max_fields:
            raise BadHttpMessage(f"Too many form fields (more than {max_fields})")
    result: list[tuple[str, str]] = []
    for piece in pieces:
        if not piece:
            continue
        name, _, value = piece.partition(b"=")
        result.append((_decode(name, encoding, strict), _decode(value, encoding, strict)))
    return result
