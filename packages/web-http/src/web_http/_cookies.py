"""Cookies: the Cookie request header (RFC 6265 5.4) and Set-Cookie serialization (4.1).

Parsing is lenient, as browsers send whatever pages stored (junk pairs are kept or
skipped, never fatal). Serialization is strict: nothing that could end the header line
or smuggle an attribute in is ever emitted.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timezone
from email.utils import formatdate
from http.cookies import Morsel
from typing import Final

__all__ = ("format_set_cookie", "morsel_to_set_cookie", "parse_cookie_header")

# RFC 6265 cookie-octet: no CTLs, whitespace, DQUOTE, comma, semicolon or backslash.
_COOKIE_OCTETS_RE = re.compile(r"[\x21\x23-\x2b\x2d-\x3a\x3c-\x5b\x5d-\x7e]*\Z")
_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")
# Characters that can never appear in a header value we emit.
# Names browsers send are not always tokens (PHP's "a[b]", non-ASCII); be lenient on
# input, refusing only what cannot be a name at all.
_LENIENT_NAME_RE = re.compile(r'[^\x00-\x20\x7f;=,"\\]+\Z')
_CTL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
# An attribute value must not contain ";" (it would start a new attribute) nor controls.
_ATTR_BAD_RE = re.compile(r"[\x00-\x1f\x7f;]")
_OCTAL_OR_ESCAPE_RE = re.compile(r"\\(?:([0-3][0-7][0-7])|(.))", re.DOTALL)
_SAMESITE = {"strict": "Strict", "lax": "Lax", "none": "None"}


def _unquote(value: str) -> str:
    """Undo the quoting ``http.cookies`` (and :func:`format_set_cookie`) applies."""
    if len(value) < 2 or value[0] != '"' or value[-1] != '"':
        return value
    inner = value[1:-1]
    if "\\" not in inner:
        return inner

    def repl(m: re.Match[str]) -> str:
        octal = m.group(1)
        return chr(int(octal, 8)) if octal is not None else m.group(2)

    return _OCTAL_OR_ESCAPE_RE.sub(repl, inner)


def _quote(value: str) -> str:
    """Return ``value`` as cookie-octets, or DQUOTEd with escapes (``http.cookies`` style)."""
    if _COOKIE_OCTETS_RE.match(value) is not None:
        return value
    out = ['"']
    for ch in value:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch < "\x7f" and _COOKIE_OCTETS_RE.match(ch) is None and ch != " ":
            out.append(f"\\{ord(ch):03o}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def parse_cookie_header(value: str | None) -> dict[str, str]:
    """Parse a Cookie request header into ``{name: value}``.

    Pairs are split on ``;``; surrounding whitespace is dropped and a DQUOTEd value is
    unquoted. A bare word counts as a name with an empty value (what aiohttp does), a
    pair with an empty name or one holding whitespace, controls, ``"``, ``,`` or ``\\``
    is skipped, and when a name
    repeats the last value wins (aiohttp's choice). Never raises.
    """
    cookies: dict[str, str] = {}
    if not value:
        return cookies
    for part in value.split(";"):
        name, sep, val = part.partition("=")
        name = name.strip(" \t")
        if not name or _LENIENT_NAME_RE.match(name) is None:
            continue
        cookies[name] = _unquote(val.strip(" \t")) if sep else ""
    return cookies


def _format_expires(expires: str | datetime | float) -> str:
    if isinstance(expires, datetime):
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=timezone.utc)
        return formatdate(expires.timestamp(), usegmt=True)
    if isinstance(expires, (int, float)):
        return formatdate(float(expires), usegmt=True)
    return expires


def _check_attr(name: str, value: str) -> str:
    if _ATTR_BAD_RE.search(value) is not None:
        raise ValueError(f"invalid cookie {name} {value!r}: ';' and control characters are refused")
    return value


def format_set_cookie(
    name: str,
    value: str,
    *,
    expires: str | datetime | float | None = None,
    max_age: int | str | None = None,
    domain: str | None = None,
    path: str | None = "/",
    secure: bool = False,
    httponly: bool = False,
    samesite: str | None = None,
    partitioned: bool = False,
) -> str:
    """Return a Set-Cookie field value (without the ``Set-Cookie:`` name).

    ``value`` is quoted the way ``http.cookies`` quotes it when it is not plain
    cookie-octets; ``expires`` may be a preformatted string, an aware or naive-UTC
    ``datetime`` or a POSIX timestamp. Attributes come in the order ``http.cookies``
    emits them, so headers match aiohttp's byte for byte. Raises ``ValueError`` for a
    name that is not a token, control characters anywhere, a ``;`` in an attribute, a
    non-integer Max-Age or an unknown SameSite.
    """
    if _TOKEN_RE.match(name) is None:
        raise ValueError(f"invalid cookie name {name!r}: it must be an RFC 9110 token")
    if _CTL_RE.search(value) is not None:
        raise ValueError(f"invalid cookie value {value!r}: control characters are refused")
    return _format(
        name,
        _quote(value),
        expires=None if expires is None else _format_expires(expires),
        max_age=max_age,
        domain=domain,
        path=path,
        secure=secure,
        httponly=httponly,
        samesite=samesite,
        partitioned=partitioned,
    )


def _format(
    name: str,
    coded_value: str,
    *,
    expires: str | None,
    max_age: int | str | None,
    domain: str | None,
    path: str | None,
    secure: bool,
    httponly: bool,
    samesite: str | None,
    partitioned: bool,
) -> str:
    parts = [f"{name}={coded_value}"]
    if domain:
        parts.append("Domain=" + _check_attr("Domain", domain))
    if expires:
        parts.append("expires=" + _check_attr("expires", expires))
    if httponly:
        parts.append("HttpOnly")
    if max_age is not None and max_age != "":
        try:
            age = int(max_age)
        except ValueError:
            raise ValueError(f"invalid cookie Max-Age {max_age!r}: not an integer") from None
        parts.append(f"Max-Age={age}")
    if partitioned:
        parts.append("Partitioned")
    if path:
        parts.append("Path=" + _check_attr("Path", path))
    if samesite:
        canonical = _SAMESITE.get(samesite.lower())
        if canonical is None:
            raise ValueError(f"invalid SameSite {samesite!r}: use Strict, Lax or None")
        parts.append("SameSite=" + canonical)
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


#: A fresh morsel's attributes (every reserved one, empty): what ``blank_morsel`` starts from.
_BLANK: Final[dict[str, str]] = dict(Morsel())
_NO_KEY: Final = {name: None for name in vars(Morsel())}


def blank_morsel() -> Morsel[str]:
    """A new ``Morsel()``, without ``Morsel.__init__``'s loop over the reserved attributes.

    One dict update instead: a response setting a cookie and a client jar storing one make
    a morsel per cookie, and the loop is most of what that costs.
    """
    morsel: Morsel[str] = Morsel.__new__(Morsel)
    dict.update(morsel, _BLANK)
    morsel.__dict__.update(_NO_KEY)  # key, value and coded_value: None, as __init__ sets them
    return morsel


def morsel_to_set_cookie(morsel: Morsel[str]) -> str:
    """Return the Set-Cookie value for a ``http.cookies`` morsel (``response.cookies``).

    Uses the morsel's already-quoted ``coded_value`` and its attributes; refuses the same
    header-splitting input :func:`format_set_cookie` refuses.
    """
    name = morsel.key
    if not name or _TOKEN_RE.match(name) is None:
        raise ValueError(f"invalid cookie name {name!r}: it must be an RFC 9110 token")
    coded = morsel.coded_value
    if _CTL_RE.search(coded) is not None or (
        ";" in coded and not (coded.startswith('"') and coded.endswith('"'))
    ):
        raise ValueError(f"invalid cookie value {coded!r}")
    get = morsel.get  # each attribute read once; a str Expires (the usual one) tested first
    expires = get("expires")
    expires_text: str | None
    if type(expires) is str:
        expires_text = expires or None  # the usual case: "" or a preformatted date
    elif isinstance(expires, int) and not isinstance(expires, bool):
        # http.cookies reads an int Expires as "seconds from now".
        expires_text = formatdate(time.time() + expires, usegmt=True)
    elif isinstance(expires, (str, datetime)):
        expires_text = _format_expires(expires) or None
    else:
        expires_text = None
    max_age = get("max-age")
    domain = get("domain")
    path = get("path")
    samesite = get("samesite")
    return _format(
        name,
        coded,
        expires=expires_text,
        max_age=max_age if isinstance(max_age, (int, str)) else None,
        domain=str(domain) if domain else None,
        path=str(path) if path else None,
        secure=bool(get("secure")),
        httponly=bool(get("httponly")),
        samesite=str(samesite) if samesite else None,
        partitioned=bool(get("partitioned")),
    )
