"""What response heads are made of: header types, the Server value, dates, cookies, ETags.

Kept apart from the response classes (``_response_head.py``, ``_stream_response.py``) so
they read top to bottom.
"""

from __future__ import annotations

import datetime
import math
import re
import sys
import warnings
from collections.abc import Iterable, Mapping
from http.cookies import SimpleCookie
from typing import Any, Final

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


_LATE_CHANGE: Final = (
    "response headers changed after prepare() are not sent (the head is already out): "
    "change them before prepare(), or in an on_response_prepare handler"
)


def _warn_then(name: str) -> Any:
    base = getattr(CIMultiDict, name)

    def method(self: CIMultiDict[str], *args: Any, **kwargs: Any) -> Any:
        warnings.warn(_LATE_CHANGE, RuntimeWarning, stacklevel=2)
        return base(self, *args, **kwargs)

    method.__name__ = name
    return method


class SentHeaders(CIMultiDict[str]):
    """What ``StreamResponse.headers`` returns once the head is sent: a detached copy.

    A change is applied to the copy only and warns (``RuntimeWarning``): the bytes are on the
    wire already. aiohttp ignores such a change silently; raising instead (as this class
    once did) turned a middleware that stamps a header after ``await handler(request)`` into
    a cut stream, so the change is allowed and only reported.
    """

    __setitem__ = _warn_then("__setitem__")
    __delitem__ = _warn_then("__delitem__")
    add = _warn_then("add")
    clear = _warn_then("clear")
    extend = _warn_then("extend")
    merge = _warn_then("merge")
    pop = _warn_then("pop")
    popall = _warn_then("popall")
    popitem = _warn_then("popitem")
    popone = _warn_then("popone")
    setdefault = _warn_then("setdefault")
    update = _warn_then("update")
