"""Shared RFC 9110 lexical pieces: tokens and quoted-strings (section 5.6).

Kept small and private: the header helpers (content type, Forwarded, Accept-Encoding,
Content-Disposition) all need the same two productions, and one tested implementation
is better than four regexes that drift apart.
"""

from __future__ import annotations

import re

__all__ = ("TOKEN_RE", "is_token", "quote_string", "read_quoted_string", "skip_ows")

#: tchar = "!" / "#" / "$" / "%" / "&" / "'" / "*" / "+" / "-" / "." / "^" / "_" / "`" / "|" / "~"
#: / DIGIT / ALPHA
TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_TOKEN_FULL = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text
# quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text )
_QUOTED_RE = re.compile(
    r'"((?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\U0010ffff]|\\[\t \x21-\x7e\x80-\U0010ffff])*)"'
)
_QUOTED_PAIR_RE = re.compile(r"\\([\t \x21-\x7e\x80-\U0010ffff])")
_NEEDS_ESCAPE_RE = re.compile(r'(["\\])')
_QDTEXT_OK = re.compile(r"[\t \x21-\x7e\x80-\U0010ffff]*\Z")


def is_token(value: str) -> bool:
    """True when ``value`` is a non-empty RFC 9110 token."""
    return _TOKEN_FULL.match(value) is not None


def read_quoted_string(text: str, pos: int) -> tuple[str, int] | None:
    """Parse a quoted-string starting at ``text[pos]``; return (unescaped value, end) or None."""
    m = _QUOTED_RE.match(text, pos)
    if m is None:
        return None
    raw = m.group(1)
    value = _QUOTED_PAIR_RE.sub(r"\1", raw) if "\\" in raw else raw
    return value, m.end()


def quote_string(value: str) -> str:
    """Return ``value`` as a token if it is one, else as a quoted-string.

    Raises ``ValueError`` for characters a quoted-string cannot carry (controls, CR, LF).
    """
    if is_token(value):
        return value
    if _QDTEXT_OK.match(value) is None:
        raise ValueError(f"cannot quote {value!r}: it contains control characters")
    return '"' + _NEEDS_ESCAPE_RE.sub(r"\\\1", value) + '"'


def skip_ows(text: str, pos: int) -> int:
    """Skip optional whitespace (SP / HTAB)."""
    n = len(text)
    while pos < n and text[pos] in " \t":
        pos += 1
    return pos
