"""Small helpers shared by the response classes: reason phrases, dates, cookies, ETags.

Kept apart from ``_stream_response.py`` so the state machine there reads top to bottom.
"""

from __future__ import annotations

import datetime
import math
import re
import sys
import time
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from http.cookies import Morsel, SimpleCookie
from typing import Final, NoReturn

from multidict import CIMultiDict, CIMultiDictProxy, istr

from .__about__ import __version__

__all__ = (
    "LooseHeaders",
    "SentHeaders",
    "REASONS",
    "SERVER_SOFTWARE",
    "ETAG_VALUE_RE",
    "format_last_modified",
    "must_be_empty_body",
    "cookie_headers",
    "choose_coding",
    "epoch_expires",
    "split_content_type",
)

#: What response constructors accept as ``headers`` (as in aiohttp).
LooseHeaders = (
    Mapping[str, str]
    | Mapping[istr, str]
    | CIMultiDict[str]
    | CIMultiDictProxy[str]
    | Iterable[tuple[str | istr, str]]
)

#: Standard reason phrases, looked up once per status instead of building ``HTTPStatus``.
REASONS: Final[dict[int, str]] = {s.value: s.phrase for s in HTTPStatus}

#: The default ``Server`` header, computed once.
SERVER_SOFTWARE: Final = f"Python/{sys.version_info[0]}.{sys.version_info[1]} web/{__version__}"

#: An entity-tag's opaque value (RFC 9110 8.8.3): visible ASCII but ``"``, or obs-text.
ETAG_VALUE_RE: Final = re.compile(r"[!#-~\x80-\U0010ffff]+")

_EPOCH_EXPIRES: Final = "Thu, 01 Jan 1970 00:00:00 GMT"


def must_be_empty_body(method: str, status: int) -> bool:
    """HEAD, 1xx, 204 and 304 answers never carry a body (RFC 9110 6.4.1)."""
    return method == "HEAD" or status in (204, 304) or 100 <= status < 200


def format_last_modified(value: int | float | datetime.datetime) -> str:
    """IMF-fixdate for a timestamp or datetime, rounded up to the whole second.

    Rounding up (as aiohttp does) keeps ``If-Modified-Since`` checks correct for files whose
    mtime has a fractional part.
    """
    if isinstance(value, datetime.datetime):
        if value.microsecond:
            value = value.replace(microsecond=0) + datetime.timedelta(seconds=1)
        return time.strftime("%a, %d %b %Y %H:%M:%S GMT", value.utctimetuple())
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(math.ceil(value)))


def cookie_headers(cookies: SimpleCookie, partitioned: set[str] | None) -> list[str]:
    """The ``Set-Cookie`` values of ``cookies`` in insertion order.

    ``partitioned`` names cookies that get the CHIPS ``Partitioned`` attribute, which the
    standard library's ``Morsel`` only knows from Python 3.14 on.
    """
    out = []
    for name, morsel in cookies.items():
        value = _morsel_output(morsel)
        if partitioned and name in partitioned and "partitioned" not in value.lower():
            value += "; Partitioned"
        out.append(value)
    return out


def _morsel_output(morsel: Morsel[str]) -> str:
    return morsel.OutputString()


def epoch_expires() -> str:
    """The ``expires`` value that makes a browser drop a cookie at once."""
    return _EPOCH_EXPIRES


#: Accept-Encoding header value -> chosen coding; clients repeat the same few values, so the
#: parse happens once per distinct header. Bounded so hostile clients cannot grow it.
_ACCEPT_CACHE: dict[tuple[str, tuple[str, ...]], str | None] = {}
_ACCEPT_CACHE_MAX: Final = 256


def choose_coding(accept_encoding: str, offered: tuple[str, ...]) -> str | None:
    """The first of ``offered`` with the highest q-value > 0 in ``accept_encoding``.

    A coding absent from the header is acceptable only through ``*``; ``q=0`` refuses it.
    Malformed parameters count as q=1 for the coding they follow (lenient, like browsers
    expect), but a malformed q-value refuses that coding.
    """
    key = (accept_encoding, offered)
    try:
        return _ACCEPT_CACHE[key]
    except KeyError:
        pass
    weights: dict[str, float] = {}
    for item in accept_encoding.lower().split(","):
        coding, _, params = item.partition(";")
        coding = coding.strip()
        if not coding:
            continue
        q = 1.0
        for param in params.split(";"):
            pname, _, pvalue = param.partition("=")
            if pname.strip() == "q":
                try:
                    q = float(pvalue.strip())
                except ValueError:
                    q = 0.0
                if not 0.0 <= q <= 1.0 or math.isnan(q):
                    q = 0.0
        weights[coding] = q
    star = weights.get("*", 0.0)
    best: str | None = None
    best_q = 0.0
    for coding in offered:
        q = weights.get(coding, star)
        if q > best_q:
            best, best_q = coding, q
    if len(_ACCEPT_CACHE) >= _ACCEPT_CACHE_MAX:
        _ACCEPT_CACHE.clear()
    _ACCEPT_CACHE[key] = best
    return best


_CTYPE_CACHE: dict[str, tuple[str, dict[str, str]]] = {}
_CTYPE_CACHE_MAX: Final = 256


def split_content_type(value: str) -> tuple[str, dict[str, str]]:
    """``"text/html; charset=UTF-8"`` -> ``("text/html", {"charset": "UTF-8"})``.

    The media type and parameter names are lower-cased; quoted values are unquoted. Cached
    because the same few values repeat on every response and request.
    """
    try:
        return _CTYPE_CACHE[value]
    except KeyError:
        pass
    mime, _, rest = value.partition(";")
    params: dict[str, str] = {}
    while rest:
        item, _, rest = rest.partition(";")
        name, eq, pvalue = item.partition("=")
        name = name.strip().lower()
        if not name or not eq:
            continue
        pvalue = pvalue.strip()
        if len(pvalue) >= 2 and pvalue[0] == '"':
            if pvalue[-1] != '"':
                # A ';' inside a quoted string: take the rest of the value with it.
                more, sep, rest = rest.partition('"')
                pvalue = pvalue + ";" + more + sep
                rest = rest.partition(";")[2]
            pvalue = pvalue[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        params[name] = pvalue
    result = (mime.strip().lower(), params)
    if len(_CTYPE_CACHE) >= _CTYPE_CACHE_MAX:
        _CTYPE_CACHE.clear()
    _CTYPE_CACHE[value] = result
    return result


def _refuse(self: object, *args: object, **kwargs: object) -> NoReturn:
    raise RuntimeError("Cannot change the response headers after prepare(): they are sent")


class SentHeaders(CIMultiDict[str]):
    """What ``StreamResponse.headers`` returns once the head is sent: reading works,
    every change raises ``RuntimeError`` (instead of being silently lost)."""

    __setitem__ = _refuse
    __delitem__ = _refuse
    add = _refuse
    clear = _refuse
    extend = _refuse
    merge = _refuse
    pop = _refuse
    popall = _refuse
    popitem = _refuse
    popone = _refuse
    setdefault = _refuse
    update = _refuse
