"""Content-Type parsing (RFC 9110 section 8.3.1: media-type with parameters)."""

from __future__ import annotations

import re
from functools import lru_cache
from types import MappingProxyType

from ._quoting import TOKEN_RE, read_quoted_string, skip_ows

__all__ = ("DEFAULT_CONTENT_TYPE", "parse_content_type", "parse_header_params")

#: What a body without a (valid) Content-Type is taken to be (RFC 9110 8.3, aiohttp).
DEFAULT_CONTENT_TYPE = "application/octet-stream"

_EMPTY: MappingProxyType[str, str] = MappingProxyType({})
_T = r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+"
# The usual shapes, in one match: "type/subtype" alone or with one token-valued parameter
# ("multipart/form-data; boundary=...": a new boundary each request, so never in the cache
# below). Anything else (quotes, more parameters, OWS around "=") takes the general path.
_SIMPLE = re.compile(rf"({_T}/{_T})(?:[ \t]*;[ \t]*({_T})=({_T}))?[ \t]*")


def parse_header_params(value: str, pos: int) -> dict[str, str]:
    """Parse ``*( OWS ";" OWS parameter )`` from ``value[pos:]``.

    Parameter names are lower-cased; values are tokens or quoted-strings (unescaped).
    A malformed parameter is skipped up to the next ``;`` (parameters with no ``=`` get an
    empty value, as aiohttp does); the first occurrence of a name wins.
    """
    params: dict[str, str] = {}
    n = len(value)
    while pos < n:
        pos = skip_ows(value, pos)
        if pos >= n:
            break
        if value[pos] != ";":
            # Junk between parameters: resynchronise on the next ";".
            nxt = value.find(";", pos)
            if nxt == -1:
                break
            pos = nxt
        pos = skip_ows(value, pos + 1)
        m = TOKEN_RE.match(value, pos)
        if m is None:
            continue
        name = m.group(0).lower()
        pos = skip_ows(value, m.end())
        if pos >= n or value[pos] != "=":
            params.setdefault(name, "")
            continue
        pos = skip_ows(value, pos + 1)
        if pos < n and value[pos] == '"':
            quoted = read_quoted_string(value, pos)
            if quoted is None:
                # Unterminated quote: the rest of the field is unusable.
                break
            params.setdefault(name, quoted[0])
            pos = quoted[1]
        else:
            m = TOKEN_RE.match(value, pos)
            if m is None:
                continue
            params.setdefault(name, m.group(0))
            pos = m.end()
    return params


@lru_cache(maxsize=256)
def parse_content_type(value: str | None) -> tuple[str, MappingProxyType[str, str]]:
    """Split a Content-Type value into a lower-cased ``type/subtype`` and its parameters.

    A missing or malformed media type gives ``application/octet-stream`` with no
    parameters (aiohttp's behaviour: a body of unknown type is just bytes).
    Parameter names are lower-cased; values keep their case.

    The answer is immutable and kept for the most recent values: the same few media types
    come again and again, and one request reads its own several times (``content_type``,
    ``charset``, each form part's).
    """
    if not value:
        return DEFAULT_CONTENT_TYPE, _EMPTY
    simple = _SIMPLE.fullmatch(value)
    if simple is not None:
        mimetype, name, param = simple.groups()
        if name is None:
            return mimetype.lower(), _EMPTY
        return mimetype.lower(), MappingProxyType({name.lower(): param})
    return _parse_general(value)


def _parse_general(value: str) -> tuple[str, MappingProxyType[str, str]]:
    """``parse_content_type`` for any shape (the only path for the uncommon ones)."""
    pos = skip_ows(value, 0)
    m = TOKEN_RE.match(value, pos)
    if m is None:
        return DEFAULT_CONTENT_TYPE, _EMPTY
    pos = m.end()
    if pos >= len(value) or value[pos] != "/":
        return DEFAULT_CONTENT_TYPE, _EMPTY
    m2 = TOKEN_RE.match(value, pos + 1)
    if m2 is None:
        return DEFAULT_CONTENT_TYPE, _EMPTY
    mimetype = value[m.start() : m2.end()].lower()
    pos = skip_ows(value, m2.end())
    if pos < len(value) and value[pos] != ";":
        return DEFAULT_CONTENT_TYPE, _EMPTY
    return mimetype, MappingProxyType(parse_header_params(value, pos))
