"""``ResponseHead``: what a response's head holds while it may still change.

Status and reason, the header multidict (created on first need: most responses never have
one), the typed header properties (Content-Length, Content-Type and charset, Last-Modified,
ETag) and the cookies. ``StreamResponse`` (``_stream_response.py``) inherits them and adds
the state machine that completes, serializes and sends the head; every setter here refuses a
change once the head is sent (cookies and ``headers`` warn instead, see ``_sent_already``).
"""

from __future__ import annotations

import datetime
import warnings
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Final

from multidict import CIMultiDict, istr
from web_http import (
    ETag,
    HttpVersion10,
    HttpVersion11,
    blank_morsel,
    parse_content_type,
    parse_http_date,
    reason_phrase,
)

from ._response_headers import (
    EPOCH_EXPIRES,
    ETAG_VALUE_RE,
    SERVER_SOFTWARE,
    SentHeaders,
    format_last_modified,
)

if TYPE_CHECKING:
    from ._base_request import BaseRequest

__all__ = ("ResponseHead",)

_CONTENT_TYPE: Final = istr("Content-Type")
_CONTENT_LENGTH: Final = istr("Content-Length")
_CONTENT_ENCODING: Final = istr("Content-Encoding")
_TRANSFER_ENCODING: Final = istr("Transfer-Encoding")
_CONNECTION: Final = istr("Connection")
_DATE: Final = istr("Date")
_SERVER: Final = istr("Server")
_SET_COOKIE: Final = istr("Set-Cookie")
_LAST_MODIFIED: Final = istr("Last-Modified")
_ETAG: Final = istr("ETag")
_VARY: Final = istr("Vary")
_ACCEPT_ENCODING: Final = istr("Accept-Encoding")


class ResponseHead:
    """The open head of a response: a base of ``StreamResponse``, not used alone."""

    # Per-instance state starts as these class-level defaults: an instance attribute is
    # only created when a value changes, which keeps construction cheap on the hot path.
    _status = 200
    _reason = "OK"
    #: The header multidict, created on first need (see the ``_headers`` property).
    _hdrs: CIMultiDict[str] | None = None
    #: Content-Type while there is no multidict yet (folded into it when it is created).
    _ctype: str | None = None
    _cookies: SimpleCookie | None = None
    _partitioned: set[str] | None = None
    #: ``Transfer-Encoding: chunked`` asked for (then no Content-Length may be set).
    _chunked = False
    #: True once the serialized head went to the writer: the head is frozen from then on.
    _headers_sent = False
    _sent_headers: SentHeaders | None = None
    #: Set by the fast path: the Date value it sent, for the multidict built afterwards.
    _sent_date: str | None = None
    # Sending state (``StreamResponse`` sets the defaults), read for the fields sent.
    _req: BaseRequest | None
    _keep_alive: bool | None

    @property
    def _headers(self) -> CIMultiDict[str]:
        """The header multidict, created here on first use (most responses never need one)."""
        hdrs = self._hdrs
        if hdrs is None:
            hdrs = self._hdrs = CIMultiDict()
            ctype = self._ctype
            if ctype is not None:
                hdrs[_CONTENT_TYPE] = ctype
            if self._sent_date is not None:
                self._add_sent_defaults(hdrs)
        return hdrs

    def _add_sent_defaults(self, hdrs: CIMultiDict[str]) -> None:
        """Record the Date, Server and Connection fields the fast path put on the wire."""
        hdrs[_DATE] = self._sent_date or ""
        hdrs[_SERVER] = SERVER_SOFTWARE
        req = self._req
        keep_alive = self._keep_alive
        if req is not None:
            if keep_alive:
                if req.version == HttpVersion10:
                    hdrs[_CONNECTION] = "keep-alive"
            elif req.version == HttpVersion11:
                hdrs[_CONNECTION] = "close"

    def _raw_content_type(self) -> str | None:
        """The Content-Type value without creating the multidict."""
        hdrs = self._hdrs
        return self._ctype if hdrs is None else hdrs.get(_CONTENT_TYPE)

    # -- status ------------------------------------------------------------------------

    def _set_status(self, status: int, reason: str | None) -> None:
        if status == 200 and reason is None:
            self._status = 200
            self._reason = "OK"
            return
        status = int(status)
        if not 100 <= status <= 999:
            raise ValueError(f"Invalid HTTP status code {status}: must be 100..999")
        if reason is None:
            reason = reason_phrase(status)
        elif "\r" in reason or "\n" in reason:
            raise ValueError("Reason cannot contain \\r or \\n")
        self._status = status
        self._reason = reason

    @property
    def status(self) -> int:
        return self._status

    @property
    def reason(self) -> str:
        return self._reason

    def set_status(self, status: int, reason: str | None = None) -> None:
        """Change status and reason (the reason defaults to the standard phrase)."""
        self._check_open("change the response status code")
        self._set_status(status, reason)

    # -- state of the head ----------------------------------------------------------------

    def _check_open(self, what: str) -> None:
        # on_response_prepare handlers run inside prepare() and may still change the head.
        if self._headers_sent:
            raise RuntimeError(f"Cannot {what} after the headers have been sent")

    def _sent_already(self, what: str) -> bool:
        """Warn (and say so) when a header-like change comes after the head was sent.

        aiohttp ignores such a change silently. Raising instead would turn a middleware that
        sets a cookie after ``await handler(request)`` into a cut stream when the handler
        streamed; the change cannot reach the wire, so it is reported and dropped.
        """
        if not self._headers_sent:
            return False
        warnings.warn(
            f"cannot {what} after prepare(): the head is already sent, the change is dropped; "
            "make it before prepare() or in an on_response_prepare handler",
            RuntimeWarning,
            stacklevel=3,
        )
        return True

    # -- headers ---------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDict[str]:
        """Outgoing headers; after ``prepare`` a detached copy whose changes only warn."""
        if not self._headers_sent:
            return self._headers
        sent = self._sent_headers
        if sent is None:
            sent = self._sent_headers = SentHeaders(self._headers)
        return sent

    def _header_content_length(self) -> int | None:
        """The Content-Length header as a number; ``ValueError`` when it is not one.

        A header set by hand to ``abc`` (or ``-1``, ``1_0``, `` 5``) must not reach the wire
        next to ``Transfer-Encoding: chunked``: as in aiohttp, ``prepare`` fails with the error
        (the connection answers 500 when the head is not out yet).
        """
        value = self._headers.get(_CONTENT_LENGTH)
        if value is None:
            return None
        if not (value.isascii() and value.isdigit()):
            raise ValueError(f"Invalid Content-Length header value: {value[:40]!r}")
        return int(value)

    @property
    def content_length(self) -> int | None:
        return self._header_content_length()

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        self._check_open("change Content-Length")
        if value is None:
            self._headers.popall(_CONTENT_LENGTH, None)
            return
        value = int(value)
        if value < 0:
            raise ValueError("Content-Length cannot be negative")
        if self._chunked:
            raise RuntimeError("You can't set content length when chunked encoding is enabled")
        self._headers[_CONTENT_LENGTH] = str(value)

    @property
    def content_type(self) -> str:
        raw = self._raw_content_type()
        if raw is None:
            return "application/octet-stream"
        return parse_content_type(raw)[0]

    @content_type.setter
    def content_type(self, value: str) -> None:
        self._check_open("change Content-Type")
        params = self._ctype_params()
        self._write_content_type(str(value), params)

    @property
    def charset(self) -> str | None:
        raw = self._raw_content_type()
        if raw is None:
            return None
        return parse_content_type(raw)[1].get("charset")

    @charset.setter
    def charset(self, value: str | None) -> None:
        self._check_open("change the charset")
        ctype = self.content_type
        if ctype == "application/octet-stream":
            raise RuntimeError(
                "Setting charset for application/octet-stream doesn't make sense, "
                "setup content_type first"
            )
        params = self._ctype_params()
        if value is None:
            params.pop("charset", None)
        else:
            params["charset"] = str(value).lower()
        self._write_content_type(ctype, params)

    def _ctype_params(self) -> dict[str, str]:
        raw = self._raw_content_type()
        return {} if raw is None else dict(parse_content_type(raw)[1])

    def _write_content_type(self, ctype: str, params: dict[str, str]) -> None:
        if params:
            extra = "; ".join(f"{k}={v}" for k, v in params.items())
            ctype = f"{ctype}; {extra}"
        if self._hdrs is None:
            self._ctype = ctype
        else:
            self._hdrs[_CONTENT_TYPE] = ctype

    @property
    def last_modified(self) -> datetime.datetime | None:
        return parse_http_date(self._headers.get(_LAST_MODIFIED))

    @last_modified.setter
    def last_modified(self, value: int | float | datetime.datetime | str | None) -> None:
        self._check_open("change Last-Modified")
        if value is None:
            self._headers.popall(_LAST_MODIFIED, None)
        elif isinstance(value, str):
            self._headers[_LAST_MODIFIED] = value
        elif isinstance(value, (int, float, datetime.datetime)):
            self._headers[_LAST_MODIFIED] = format_last_modified(value)
        else:
            raise TypeError(f"Unsupported type for last_modified: {type(value).__name__}")

    @property
    def etag(self) -> ETag | None:
        raw = self._headers.get(_ETAG)
        if raw is None:
            return None
        weak = raw.startswith("W/")
        value = raw[2:] if weak else raw
        if value == "*" and not weak:
            return ETag(value="*")
        if len(value) < 2 or value[0] != '"' or value[-1] != '"':
            return None
        inner = value[1:-1]
        if inner and ETAG_VALUE_RE.fullmatch(inner) is None:
            return None
        return ETag(value=inner, is_weak=weak)

    @etag.setter
    def etag(self, value: ETag | str | None) -> None:
        self._check_open("change ETag")
        if value is None:
            self._headers.popall(_ETAG, None)
            return
        if isinstance(value, str):
            value = ETag(value=value)
        elif not isinstance(value, ETag):
            raise ValueError(f"Unsupported etag type: {type(value).__name__}")
        if value.value == "*" and not value.is_weak:
            self._headers[_ETAG] = "*"
            return
        if value.value and ETAG_VALUE_RE.fullmatch(value.value) is None:
            raise ValueError(f"Invalid etag value {value.value!r}: no quotes or controls")
        prefix = "W/" if value.is_weak else ""
        self._headers[_ETAG] = f'{prefix}"{value.value}"'

    # -- cookies ---------------------------------------------------------------------------

    @property
    def cookies(self) -> SimpleCookie:
        if self._cookies is None:
            self._cookies = SimpleCookie()
        return self._cookies

    def set_cookie(
        self,
        name: str,
        value: str,
        *,
        expires: str | None = None,
        domain: str | None = None,
        max_age: int | str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        version: str | None = None,
        samesite: str | None = None,
        partitioned: bool | None = None,
    ) -> None:
        """Set or update a cookie; attributes left as None keep their previous value.

        Raises ``http.cookies.CookieError`` for a name that is not a valid cookie name.
        After ``prepare()`` it warns and changes nothing (the head is sent).
        """
        if self._sent_already("set a cookie"):
            return
        cookies = self.cookies
        real, coded = cookies.value_encode(str(value))
        c = cookies.get(name)
        if c is not None and c.coded_value == "":
            # Re-setting a deleted cookie: start from a clean morsel.
            del cookies[name]
            c = None
        if c is None:
            # What ``cookies[name] = value`` does, from a morsel made without
            # Morsel.__init__'s loop over the attributes.
            c = blank_morsel()
            c.set(name, real, coded)  # CookieError for a bad name, before it is stored
            dict.__setitem__(cookies, name, c)
        else:
            c.set(name, real, coded)
        # The attribute names below are all reserved ones: stored without the check of
        # Morsel.__setitem__.
        if expires is not None:
            dict.__setitem__(c, "expires", expires)
        elif c.get("expires") == EPOCH_EXPIRES:
            del c["expires"]
        if domain is not None:
            dict.__setitem__(c, "domain", domain)
        if max_age is not None:
            dict.__setitem__(c, "max-age", str(max_age))
        elif "max-age" in c:
            del c["max-age"]
        dict.__setitem__(c, "path", path)
        if secure is not None:
            dict.__setitem__(c, "secure", secure)
        if httponly is not None:
            dict.__setitem__(c, "httponly", httponly)
        if version is not None:
            dict.__setitem__(c, "version", version)
        if samesite is not None:
            dict.__setitem__(c, "samesite", samesite)
        if partitioned is not None:
            if self._partitioned is None:
                self._partitioned = set()
            if partitioned:
                self._partitioned.add(name)
            else:
                self._partitioned.discard(name)

    def del_cookie(
        self,
        name: str,
        *,
        domain: str | None = None,
        path: str = "/",
        secure: bool | None = None,
        httponly: bool | None = None,
        samesite: str | None = None,
    ) -> None:
        """Tell the client to drop a cookie (empty value, Max-Age=0, expired date)."""
        if self._sent_already("delete a cookie"):
            return
        if self._cookies is not None:
            self._cookies.pop(name, None)
        self.set_cookie(
            name,
            "",
            max_age=0,
            expires=EPOCH_EXPIRES,
            domain=domain,
            path=path,
            secure=secure,
            httponly=httponly,
            samesite=samesite,
        )
