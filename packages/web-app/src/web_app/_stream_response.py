"""``StreamResponse``: the response state machine, with headers, cookies, compression, framing.

A response goes through three states: *open* (status, headers and cookies may change),
*prepared* (the head is handed to the connection's writer; only body bytes may follow) and
*finished* (``write_eof`` was called; nothing more may be sent). Every change that is no
longer allowed raises ``RuntimeError`` instead of being silently lost.

The head is built in one pass at ``prepare``: default headers are added to the response's
``CIMultiDict`` (so ``on_response_prepare`` handlers and tests see them) and serialized in one
call to ``web_http.serialize_response_head``. ``Response`` and its one-write fast path live in
``_response.py``.
"""

from __future__ import annotations

import asyncio
import datetime
import enum
import warnings
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict, istr
from web_http import (
    ETag,
    HttpVersion10,
    HttpVersion11,
    choose_encoding,
    http_date,
    parse_content_type,
    parse_http_date,
    reason_phrase,
    serialize_response_head as _serialize_head,
)

from ._keys import warn_str_key
from ._response_headers import (
    EPOCH_EXPIRES,
    ETAG_VALUE_RE,
    SERVER_SOFTWARE,
    LooseHeaders,
    SentHeaders,
    cookie_headers,
    format_last_modified,
    must_be_empty_body,
)

if TYPE_CHECKING:
    from ._base_request import BaseRequest
    from ._writer import PayloadWriter

__all__ = (
    "ContentCoding",
    "NotStartedError",
    "PrepareCallback",
    "TextTypeError",
    "StreamResponse",
)

#: ``callback(request, response)`` run by ``StreamResponse.prepare`` before the head exists
#: (``BaseRequest.add_prepare_callback``).
PrepareCallback = Callable[["BaseRequest", "StreamResponse"], "Awaitable[None] | None"]

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

_BYTES_TYPES: Final = (bytes, bytearray, memoryview)
#: Plain-str response keys already warned about (aiohttp warns once per key).
_SEEN_STR_KEYS: set[object] = set()


class TextTypeError(TypeError, AssertionError):
    """``resp.text = b"..."``: aiohttp asserts (``AssertionError``); also a ``TypeError``."""


class NotStartedError(RuntimeError, AssertionError):
    """``write_eof()``/``drain()`` before ``prepare()``.

    aiohttp fails these with an ``AssertionError``; this is also a ``RuntimeError``, so code
    written for either catches it (and it survives ``python -O``).
    """


class ContentCoding(enum.Enum):
    """Content codings the server can apply (``enable_compression(force=...)``).

    ``br`` works only when the optional ``brotli`` package is installed, ``zstd`` on
    Python 3.14+ or with ``backports.zstd`` (the ``zstd`` extra).
    """

    deflate = "deflate"
    gzip = "gzip"
    br = "br"
    zstd = "zstd"
    identity = "identity"


def _no_length_allowed(method: str, status: int) -> bool:
    """1xx, 204, 304 and a 2xx answer to CONNECT must not carry Content-Length."""
    return (
        status in (204, 304) or 100 <= status < 200 or (method == "CONNECT" and 200 <= status < 300)
    )


def _offered_codings() -> tuple[str, ...]:
    """Codings we negotiate, in preference order among equal q-values."""
    from ._compression import BROTLI_AVAILABLE

    # aiohttp's order (deflate before gzip); br, which aiohttp does not offer, comes last so
    # it is used only when the client prefers it by q-value or accepts nothing else.
    return ("deflate", "gzip", "br") if BROTLI_AVAILABLE else ("deflate", "gzip")


class StreamResponse(MutableMapping[str, Any]):
    """An HTTP response whose body is written piece by piece after ``prepare``.

    Also a mutable mapping for sharing data between middlewares and signal handlers
    (``resp["key"] = value``); equality is identity, and a response is always truthy.
    """

    # -- extension points for subclasses (documented in docs/custom-responses.md) ------------

    #: Whether ``prepare`` frames the body: a declared Content-Length caps ``write``, and
    #: without one the body goes chunked (HTTP/1.1) or ends with the connection (HTTP/1.0).
    #: A subclass that frames its own body sets it False, as a class attribute (an upgraded
    #: websocket stream has no framing) or on the instance before ``prepare`` (a file sent
    #: with an exact Content-Length, partly through ``sendfile``).
    auto_framing: bool = True
    #: Whether ``prepare`` pushes the head out at once. True suits a stream whose client may
    #: wait long for the first body bytes; a subclass that writes its body right after
    #: ``prepare`` sets False so the head waits and leaves in the same write as the body.
    send_headers_at_prepare: bool = True

    # Per-instance state starts as these class-level defaults: an instance attribute is
    # only created when a value changes, which keeps construction cheap on the hot path.
    _state: dict[str, Any] | None = None
    _cookies: SimpleCookie | None = None
    _partitioned: set[str] | None = None
    _keep_alive: bool | None = None
    _chunked = False
    _compression = False
    _compression_force: ContentCoding | None = None
    _compression_strategy: int | None = None
    _compression_level: int | None = None
    _compression_sync = False
    _req: BaseRequest | None = None
    _payload_writer: PayloadWriter | None = None
    _eof_sent = False
    _callbacks_done = False
    _must_be_empty_body = False
    _body_length = 0
    #: Bytes still allowed by a declared Content-Length (None: no limit).
    _remaining: int | None = None
    _sent_headers: SentHeaders | None = None
    #: True once the serialized head went to the writer: the head is frozen from then on.
    _headers_sent = False
    _status = 200
    _reason = "OK"
    #: The header multidict, created on first need (see the ``_headers`` property).
    _hdrs: CIMultiDict[str] | None = None
    #: Content-Type while there is no multidict yet (folded into it when it is created).
    _ctype: str | None = None
    #: Set by the fast path: the Date value it sent, for the multidict built afterwards.
    _sent_date: str | None = None
    #: Whether the connection may send this class with ``Response._send_fast``.
    _fast_send_ok = False

    def __init__(
        self,
        *,
        status: int = 200,
        reason: str | None = None,
        headers: LooseHeaders | None = None,
    ) -> None:
        if headers is not None:
            self._hdrs = CIMultiDict(headers)
        if status != 200 or reason is not None:
            self._set_status(status, reason)

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

    # -- state ---------------------------------------------------------------------------

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

    @property
    def prepared(self) -> bool:
        return self._eof_sent or self._payload_writer is not None

    @property
    def eof_sent(self) -> bool:
        """True once the response ended (``write_eof``): nothing more may be sent."""
        return self._eof_sent

    @property
    def payload_writer(self) -> PayloadWriter | None:
        """The connection's writer ``prepare`` returned; None before it and after ``write_eof``.

        For a subclass that writes to the connection past ``write`` (framed messages of an
        upgraded protocol); a handler streams with ``write`` instead.
        """
        return self._payload_writer

    def mark_eof_sent(self) -> None:
        """Record that the response ended although this class's ``write_eof`` did not run.

        For a subclass whose protocol ends the stream itself (a websocket's close
        handshake): ``write`` raises from then on and ``write_eof`` returns at once.
        """
        self._eof_sent = True

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The task serving the request this response answers (None before prepare)."""
        req = self._req
        return None if req is None else req.task

    @property
    def keep_alive(self) -> bool | None:
        """Whether the connection stays open after this response (None until decided)."""
        return self._keep_alive

    def force_close(self) -> None:
        """Close the connection after this response; cannot be undone."""
        self._keep_alive = False

    @property
    def body_length(self) -> int:
        """Bytes the writer sent for this response (known after ``write_eof``)."""
        return self._body_length

    @property
    def chunked(self) -> bool:
        return self._chunked

    @property
    def compression(self) -> bool:
        return self._compression

    def enable_chunked_encoding(self, chunk_size: int | None = None) -> None:
        """Send the body with ``Transfer-Encoding: chunked`` (HTTP/1.1 only).

        As in aiohttp this only sets the flag: after ``prepare()`` it changes
        nothing on the wire (aiohttp-sse calls it on a prepared stream).
        """
        if chunk_size is not None:
            warnings.warn("Chunk size is deprecated #1615", DeprecationWarning, stacklevel=2)
        if _CONTENT_LENGTH in self._headers:
            raise RuntimeError("You can't enable chunked encoding when a content length is set")
        self._chunked = True

    def enable_compression(
        self,
        force: bool | ContentCoding | None = None,
        strategy: int | None = None,
        *,
        level: int | None = None,
        sync_flush: bool = False,
    ) -> None:
        """Compress the body: negotiated from Accept-Encoding, or ``force`` d to a coding.

        Beyond aiohttp: ``level`` sets the codec's level (zlib 0-9, brotli 0-11, zstd),
        and ``sync_flush=True`` makes every ``write()`` of a streamed body leave fully
        decodable (a flush per write: the client sees each piece at once, for a small
        cost in ratio). ``ContentCoding.zstd`` needs Python 3.14+ or ``backports.zstd``.
        """
        self._check_open("enable compression")
        if isinstance(force, bool):
            force = ContentCoding.deflate if force else ContentCoding.identity
        elif force is not None and not isinstance(force, ContentCoding):
            raise TypeError(f"force must be None, a bool or a ContentCoding, not {force!r}")
        if force is ContentCoding.br and "br" not in _offered_codings():
            raise RuntimeError("br compression needs the 'brotli' package (web-app[brotli])")
        if force is ContentCoding.zstd:
            from ._compression import ZSTD_AVAILABLE

            if not ZSTD_AVAILABLE:
                raise RuntimeError("zstd compression needs Python 3.14+ or web-app[zstd]")
        self._compression = True
        self._compression_force = force
        self._compression_strategy = strategy
        if level is not None:
            self._compression_level = level
        if sync_flush:
            self._compression_sync = True

    # -- headers ---------------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDict[str]:
        """Outgoing headers; after ``prepare`` a read-only copy whose changes raise."""
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
        old = cookies.get(name)
        if old is not None and old.coded_value == "":
            # Re-setting a deleted cookie: start from a clean morsel.
            del cookies[name]
        cookies[name] = str(value)
        c = cookies[name]
        if expires is not None:
            c["expires"] = expires
        elif c.get("expires") == EPOCH_EXPIRES:
            del c["expires"]
        if domain is not None:
            c["domain"] = domain
        if max_age is not None:
            c["max-age"] = str(max_age)
        elif "max-age" in c:
            del c["max-age"]
        c["path"] = path
        if secure is not None:
            c["secure"] = secure
        if httponly is not None:
            c["httponly"] = httponly
        if version is not None:
            c["version"] = version
        if samesite is not None:
            c["samesite"] = samesite
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

    # -- sending ---------------------------------------------------------------------------

    async def prepare(self, request: BaseRequest) -> PayloadWriter | None:
        """Send the head (once): status line, headers, cookies; returns the writer."""
        if self._eof_sent:
            return None
        if self._payload_writer is not None:
            return self._payload_writer
        if request._prepare_callbacks:
            await self.run_prepare_callbacks(request)
        self._must_be_empty_body = must_be_empty_body(request.method, self._status)
        return await self._start(request)

    async def run_prepare_callbacks(self, request: BaseRequest) -> None:
        """Run the request's ``add_prepare_callback`` callbacks for this response, once.

        ``prepare`` calls it first thing. A subclass whose ``prepare`` fills in status
        and headers before delegating (``FileResponse``) calls it as soon as they are
        final, so the callbacks judge the real response; a second call does nothing.
        """
        if self._callbacks_done:
            return
        self._callbacks_done = True
        for callback in request._prepare_callbacks or ():
            result = callback(request, self)
            if result is not None:
                await result

    async def _start(self, request: BaseRequest) -> PayloadWriter:
        self._req = request
        writer = self._payload_writer = request._payload_writer
        await self._prepare_headers(request, writer)
        await request._prepare_hook(self)
        self._write_headers(request, writer)
        self._headers_sent = True
        if self.send_headers_at_prepare:
            send = getattr(writer, "send_headers", None)
            if send is not None:
                send()
        return writer

    async def _prepare_headers(self, request: BaseRequest, writer: PayloadWriter) -> None:
        keep_alive = self._keep_alive
        if keep_alive is None:
            keep_alive = request.keep_alive
        version = request.version
        headers = self._headers
        empty = self._must_be_empty_body
        if self._cookies:
            for value in cookie_headers(self._cookies, self._partitioned):
                headers.add(_SET_COOKIE, value)
        if self._compression:
            await self._start_compression(request)
        length: int | None = None
        if self._chunked:
            # HTTP/2 and /3 (under an ASGI server) stream without a length as well.
            if version < HttpVersion11:
                raise RuntimeError(
                    f"Using chunked encoding is forbidden for HTTP/{version[0]}.{version[1]}"
                )
            if not empty:
                writer.enable_chunking()
                headers[_TRANSFER_ENCODING] = "chunked"
        elif self.auto_framing:
            length = self.content_length
            if length is None:
                if version >= HttpVersion11:
                    if not empty:
                        writer.enable_chunking()
                        headers[_TRANSFER_ENCODING] = "chunked"
                elif not empty:
                    # HTTP/1.0 without a length: the end of the body is the end of the link.
                    keep_alive = False
            else:
                self._remaining = length
        if empty:
            if _no_length_allowed(request.method, self._status):
                headers.popall(_CONTENT_LENGTH, None)
            headers.popall(_TRANSFER_ENCODING, None)
        elif (length if self.auto_framing else self.content_length) != 0:
            headers.setdefault(_CONTENT_TYPE, "application/octet-stream")
        if _DATE not in headers:
            headers[_DATE] = http_date()
        if _SERVER not in headers:
            headers[_SERVER] = SERVER_SOFTWARE
        if _CONNECTION not in headers:
            if keep_alive:
                if version == HttpVersion10:
                    headers[_CONNECTION] = "keep-alive"
            elif version == HttpVersion11:
                headers[_CONNECTION] = "close"
        self._keep_alive = keep_alive

    def _write_headers(self, request: BaseRequest, writer: PayloadWriter) -> None:
        writer.write_headers(
            _serialize_head(self._status, self._reason, self._headers, request.version)
        )

    def _negotiated_coding(self, request: BaseRequest) -> ContentCoding | None:
        force = self._compression_force
        if force is not None:
            return None if force is ContentCoding.identity else force
        if not self._has_content():
            return None  # nothing to encode, and nothing that varies with Accept-Encoding
        accept = request.headers.get(_ACCEPT_ENCODING)
        vary = self._headers.get(_VARY)
        if vary is None:
            self._headers[_VARY] = "Accept-Encoding"
        elif "accept-encoding" not in vary.lower() and vary.strip() != "*":
            self._headers[_VARY] = f"{vary}, Accept-Encoding"
        if not accept:
            return None
        chosen = choose_encoding(accept, _offered_codings())
        return None if chosen is None else ContentCoding(chosen)

    def _has_content(self) -> bool:
        """Whether this answer can carry content to encode (a HEAD answer describes some)."""
        status = self._status
        return status != 204 and not 100 <= status < 200

    async def _start_compression(self, request: BaseRequest) -> None:
        if _CONTENT_ENCODING in self._headers:
            return  # already encoded by the handler: never encode twice
        coding = self._negotiated_coding(request)
        if coding is not None:
            await self._do_start_compression(coding)

    async def _do_start_compression(self, coding: ContentCoding) -> None:
        writer = self._payload_writer
        if writer is None:  # pragma: no cover - only called from _start
            raise RuntimeError("compression starts at prepare()")
        self._headers[_CONTENT_ENCODING] = coding.value
        if self._compression_level is None and not self._compression_sync:
            # aiohttp's writer signature: custom writers (tests' fakes) need no extras.
            writer.enable_compression(coding.value, self._compression_strategy)
        else:
            writer.enable_compression(
                coding.value,
                self._compression_strategy,
                level=self._compression_level,
                sync_flush=self._compression_sync,
            )
        # The compressed length is unknown until the end: frame with chunks instead.
        self._headers.popall(_CONTENT_LENGTH, None)

    async def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send body bytes; ``prepare`` must have been called, ``write_eof`` must not."""
        if not isinstance(data, _BYTES_TYPES):
            raise TypeError(f"data argument must be byte-ish ({type(data).__name__!r})")
        if self._eof_sent:
            raise RuntimeError("Cannot call write() after write_eof()")
        writer = self._payload_writer
        if writer is None:
            raise RuntimeError("Cannot call write() before prepare()")
        if self._must_be_empty_body:
            return
        remaining = self._remaining
        if remaining is not None:
            # Never send more than Content-Length announced: the surplus would be read by
            # the client as the start of the next response.
            if len(data) > remaining:
                data = data[:remaining]
            self._remaining = remaining - len(data)
            if not data:
                return
        await writer.write(data)

    async def drain(self) -> None:
        """Wait until the connection accepts more data (deprecated: ``write`` drains)."""
        if self._eof_sent:
            raise NotStartedError("EOF has already been sent")
        writer = self._payload_writer
        if writer is None:
            raise NotStartedError("Response has not been started")
        warnings.warn(
            "drain method is deprecated, use await resp.write()", DeprecationWarning, stacklevel=2
        )
        await writer.drain()

    async def write_eof(self, data: bytes | bytearray | memoryview = b"") -> None:
        """Finish the body; later writes raise ``RuntimeError``. Idempotent."""
        if self._eof_sent:
            return
        if not isinstance(data, _BYTES_TYPES):
            raise TypeError(f"data argument must be byte-ish ({type(data).__name__!r})")
        writer = self._payload_writer
        if writer is None:
            raise NotStartedError("Response has not been started")
        remaining = self._remaining
        if self._must_be_empty_body:
            data = b""
        elif remaining is not None:
            if len(data) > remaining:
                data = data[:remaining]
            remaining -= len(data)
            self._remaining = remaining
            if remaining > 0:
                # Fewer bytes than announced: the client can only tell by the close.
                self._keep_alive = False
        await writer.write_eof(data)
        self._eof_sent = True
        self._body_length = writer.output_size
        self._payload_writer = None

    # -- mapping, identity, repr -------------------------------------------------------

    def __repr__(self) -> str:
        if self._eof_sent:
            info = "eof"
        elif self.prepared and self._req is not None:
            info = f"{self._req.method} {self._req.path} "
        else:
            info = "not prepared"
        return f"<{type(self).__name__} {self._reason} {info}>"

    def _data(self) -> dict[str, Any]:
        state = self._state
        if state is None:
            state = self._state = {}
        return state

    def __getitem__(self, key: str) -> Any:
        return self._data()[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if type(key) is str:
            warn_str_key(key, _SEEN_STR_KEYS, "ResponseKey", "response-s-storage")
        self._data()[key] = value

    def __delitem__(self, key: str) -> None:
        del self._data()[key]

    def __len__(self) -> int:
        return 0 if self._state is None else len(self._state)

    def __iter__(self) -> Iterator[str]:
        return iter(()) if self._state is None else iter(self._state)

    def __hash__(self) -> int:
        return hash(id(self))

    def __eq__(self, other: object) -> bool:
        return self is other

    def __bool__(self) -> bool:
        return True
