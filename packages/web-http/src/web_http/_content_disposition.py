"""Content-Disposition (RFC 6266, RFC 7578 4.2) with RFC 2231/5987 extended parameters."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping
from functools import lru_cache
from urllib.parse import quote, unquote

__all__ = (
    "content_disposition_filename",
    "content_disposition_header",
    "parse_content_disposition",
)

_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
# A quoted value as browsers send it: they escape '"' (as %22 or \") but not '\' in
# file names, so only \" and \\ are quoted-pairs here (RFC 7578 4.2, WHATWG HTML).
_QUOTED_RE = re.compile(r'"((?:[^"\\\x00-\x08\x0a-\x1f\x7f]|\\.)*)"', re.DOTALL)
_QP_RE = re.compile(r'\\([\\"])')
# ext-value = charset "'" [ language ] "'" value-chars   (RFC 5987 3.2)
_EXT_VALUE_RE = re.compile(r"([A-Za-z0-9!#$%&+\-^_`{}~]*)'[A-Za-z0-9\-]*'(.*)\Z", re.DOTALL)
_CONTINUATION_RE = re.compile(r"\*([0-9]{1,3})(\*?)\Z")
# What browsers and clients send for a form field: plain quoted values, no escapes, no
# extended parameters. Matched whole, it needs none of the general parser's steps.
_FORM_FIELD_RE = re.compile(
    r'form-data; name="([^"\\\x00-\x08\x0a-\x1f\x7f]*)"'
    r'(?:; filename="([^"\\\x00-\x08\x0a-\x1f\x7f]*)")?\Z'
)


def _decode_ext_value(value: str) -> str | None:
    m = _EXT_VALUE_RE.match(value)
    if m is None:
        return None
    charset = m.group(1) or "utf-8"
    try:
        codecs.lookup(charset)
        return unquote(m.group(2), encoding=charset, errors="strict")
    except (LookupError, UnicodeDecodeError):
        return None


def parse_content_disposition(header: str | None) -> tuple[str | None, dict[str, str]]:
    """Split a Content-Disposition value into ``(type, params)``.

    The type and parameter names are lower-cased. ``name*=utf-8''%e2%82%ac`` style values
    are decoded (and kept under the starred name); continuations (``name*0``, ``name*1*``)
    are kept raw for :func:`content_disposition_filename` to join. A header that is not a
    disposition type followed by well-formed parameters gives ``(None, {})``.
    """
    if not header:
        return None, {}
    form = _FORM_FIELD_RE.match(header)
    if form is not None:
        name, filename = form.groups()
        if filename is None:
            return "form-data", {"name": name}
        return "form-data", {"name": name, "filename": filename}
    m = _TOKEN_RE.match(header.strip(" \t"))
    text = header.strip(" \t")
    if m is None:
        return None, {}
    disptype = m.group(0).lower()
    params: dict[str, str] = {}
    pos = m.end()
    n = len(text)
    while True:
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos >= n:
            break
        if text[pos] != ";":
            return None, {}
        pos += 1
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos >= n:
            break  # a trailing ";" is harmless
        km = _TOKEN_RE.match(text, pos)
        if km is None:
            return None, {}
        key = km.group(0).lower()
        pos = km.end()
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos >= n or text[pos] != "=":
            return None, {}
        pos += 1
        while pos < n and text[pos] in " \t":
            pos += 1
        if pos < n and text[pos] == '"':
            qm = _QUOTED_RE.match(text, pos)
            if qm is None:
                return None, {}
            value = _QP_RE.sub(r"\1", qm.group(1))
            pos = qm.end()
        else:
            vm = _TOKEN_RE.match(text, pos)
            if vm is None:
                return None, {}
            value = vm.group(0)
            pos = vm.end()
        if key.endswith("*") and _CONTINUATION_RE.search(key) is None:
            decoded = _decode_ext_value(value)
            if decoded is None:
                continue  # an undecodable extended value is ignored (RFC 6266 4.3)
            value = decoded
        if key in params:
            return None, {}  # a repeated parameter is ambiguous (RFC 6266 4.1)
        params[key] = value
    return disptype, params


def content_disposition_filename(params: Mapping[str, str], name: str = "filename") -> str | None:
    """Return the value of parameter ``name`` (``filename`` or ``name``) from parsed params.

    Prefers the extended ``name*`` form, then plain ``name``, then RFC 2231 continuations
    ``name*0``, ``name*1``... joined in numeric order (decoded when the first is extended).
    """
    starred = name + "*"
    if starred in params:
        return params[starred]
    if name in params:
        return params[name]
    pieces: dict[int, tuple[str, bool]] = {}
    for key, value in params.items():
        if key.startswith(starred[:-1]) and key != name:
            m = _CONTINUATION_RE.match(key, len(name))
            if m is not None:
                pieces[int(m.group(1))] = (value, bool(m.group(2)))
    if not pieces:
        return None
    parts: list[str] = []
    extended = False
    for index in range(len(pieces)):
        if index not in pieces:
            break
        value, is_ext = pieces[index]
        if index == 0:
            extended = is_ext
        parts.append(value)
    joined = "".join(parts)
    if extended:
        decoded = _decode_ext_value(joined)
        return decoded if decoded is not None else joined
    return joined


_TOKEN_CHARS = frozenset(
    "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
)
# qdtext plus what a quoted-pair may carry: HTAB, SP and the visible ASCII (RFC 9110 5.6.4).
_QUOTABLE_RE = re.compile(r"[\t\x20-\x7e]*\Z")
#: What ``quote(value, "")`` leaves as it is, and needs no quoted-pair: a value written as is.
_UNRESERVED_RE = re.compile(r"[A-Za-z0-9_.~-]*\Z")


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


@lru_cache(maxsize=256)
def content_disposition_header(
    disptype: str, quote_fields: bool = True, _charset: str = "utf-8", **params: str
) -> str:
    """Build a MIME Content-Disposition value (RFC 2183, RFC 7578 4.2), as aiohttp does.

    With ``quote_fields`` a ``filename`` is percent-encoded inside quotes and any other
    parameter that is not plain ASCII becomes an RFC 5987 ``name*=charset''...`` value;
    without it values are only backslash-escaped (for receivers that take 8-bit names).
    Raises ``ValueError`` for a type or parameter name that is not a token, and for a CR,
    LF or NUL in any value (it would split the header).

    The value is kept for the most recent arguments (a pure function of them, and a text):
    a client sends the same form fields and file names again and again, two of them per
    form (each part's header).
    """
    if not disptype or not _TOKEN_CHARS.issuperset(disptype):
        raise ValueError(f"bad content disposition type {disptype!r}")
    pieces = [disptype]
    utf8 = _charset == "utf-8"
    for key, val in params.items():
        if not key or not _TOKEN_CHARS.issuperset(key):
            raise ValueError(f"bad content disposition parameter {key!r}={val!r}")
        if utf8 and _UNRESERVED_RE.match(val) is not None:
            pieces.append(f'{key}="{val}"')  # every branch below gives this: nothing to do
            continue
        if "\r" in val or "\n" in val or "\x00" in val:
            raise ValueError(f"Newline or NUL in content disposition parameter {key!r}")
        if not quote_fields:
            pieces.append(f"{key}={_quoted(val)}")
        elif key.lower() == "filename":
            pieces.append(f'{key}="{quote(val, "", encoding=_charset)}"')
        elif _QUOTABLE_RE.match(val) is not None:
            pieces.append(f"{key}={_quoted(val)}")
        else:
            pieces.append(f"{key}*={_charset}''{quote(val, '', encoding=_charset)}")
    return "; ".join(pieces)
