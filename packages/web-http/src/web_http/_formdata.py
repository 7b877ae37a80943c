"""application/x-www-form-urlencoded bodies (WHATWG URL "urlencoded parser"), strictly.

Unlike ``urllib.parse.parse_qsl`` (which passes a bad ``%zz`` through and replaces bad
UTF-8 with U+FFFD) this refuses malformed input with a ``BadHttpMessage`` (a 400), so a
handler never works on silently mangled data.
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


def _decode(raw: bytes, encoding: str) -> str:
    if b"+" in raw:
        raw = raw.replace(b"+", b" ")
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
) -> list[tuple[str, str]]:
    """Parse a urlencoded body into ``(name, value)`` pairs in order.

    ``&`` separates fields (not ``;``), ``+`` is a space, empty fields are skipped, and a
    field without ``=`` has an empty value. Trailing whitespace of the body (a final CRLF
    some clients send) is ignored. Raises ``BadHttpMessage`` for a bad percent-escape,
    bytes that are not valid in ``encoding``, or more than ``max_fields`` fields.
    """
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise BadHttpMessage(f"Unknown form charset {encoding!r}") from None
    if isinstance(data, str):
        try:
            data = data.encode(encoding, "strict")
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
        result.append((_decode(name, encoding), _decode(value, encoding)))
    return result
