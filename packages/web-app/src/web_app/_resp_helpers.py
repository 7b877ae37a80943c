"""Small helpers shared by the response classes: reason phrases, dates, cookies, ETags.

Kept apart from ``_stream_response.py`` so the state machine there reads top to bottom.
"""

from __future__ import annotations

import datetime
import math
import re
import sys
from collections.abc import Iterable, Mapping
from http.cookies import SimpleCookie
from typing import Final, NoReturn

from multidict import CIMultiDict, CIMultiDictProxy, istr
from web_http import http_date, morsel_to_set_cookie

from .__about__ import __version__

__all__ = (
    "LooseHeaders",
    "SentHeaders",
    "SERVER_SOFTWARE",
    "ETAG_VALUE_RE",
    "format_last_modified",
    "must_be_empty_body",
    "cookie_headers",
    "EPOCH_EXPIRES",
)

#: What response constructors accept as ``headers`` (as in aiohttp).
LooseHeaders = (
    Mapping[str, str]
    | Mapping[istr, str]
    | CIMultiDict[str]
    | CIMultiDictProxy[str]
    | Iterable[tuple[str | istr, str]]
)

#: The default ``Server`` header, computed once.
SERVER_SOFTWARE: Final = f"Python/{sys.version_info[0]}.{sys.version_info[1]} web/{__version__}"

#: An entity-tag's opaque value (RFC 9110 8.8.3): visible ASCII but ``"``, or obs-text.
ETAG_VALUE_RE: Final = re.compile(r"[!#-~\x80-\U0010ffff]+")


def must_be_empty_body(method: str, status: int) -> bool:
    """HEAD, 1xx, 204 and 304 answers never carry a body (RFC 9110 6.4.1)."""
    return method == "HEAD" or status in (204, 304) or 100 <= status < 200


def format_last_modified(value: int | float | datetime.datetime) -> str:
    """IMF-fixdate for a timestamp or datetime, rounded up to the whole second.

    Rounding up (as aiohttp does) keeps ``If-Modified-Since`` checks correct for files whose
    mtime has a fractional part.
    """
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        value = value.timestamp()
    return http_date(math.ceil(value))


def cookie_headers(cookies: SimpleCookie, partitioned: set[str] | None) -> list[str]:
    """The ``Set-Cookie`` values of ``cookies`` in insertion order.

    ``partitioned`` names cookies that get the CHIPS ``Partitioned`` attribute, which the
    standard library's ``Morsel`` only knows from Python 3.14 on.
    """
    out = []
    for name, morsel in cookies.items():
        value = morsel_to_set_cookie(morsel)
        if partitioned and name in partitioned and "partitioned" not in value.lower():
            value += "; Partitioned"
        out.append(value)
    return out


#: The ``expires`` value that makes a browser drop a cookie at once.
EPOCH_EXPIRES: Final = "Thu, 01 Jan 1970 00:00:00 GMT"


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
