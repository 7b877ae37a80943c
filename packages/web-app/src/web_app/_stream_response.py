"""``StreamResponse``: the response state machine; framing, prepare and body writing.

A response goes through three states: *open* (status, headers and cookies may change; they
live in ``ResponseHead``, ``_response_head.py``), *prepared* (the head is handed to the
connection's writer; only body bytes may follow) and *finished* (``write_eof`` was called;
nothing more may be sent). Every change that is no longer allowed raises ``RuntimeError``
instead of being silently lost.

The head is completed in one pass at ``prepare``: the framing (Content-Length or chunked),
the content coding negotiated by ``ResponseCoding`` (``_response_coding.py``) and the
default fields are added to the response's ``CIMultiDict`` (so ``on_response_prepare``
handlers and tests see them), and it is serialized in one call to
``web_http.serialize_response_head``. ``Response`` and its one-write fast path live in
``_response.py``.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict
from web_http import (
    HttpVersion10,
    HttpVersion11,
    http_date,
    serialize_response_head as _serialize_head,
)

from ._keys import warn_str_key
from ._response_coding import ResponseCoding
from ._response_head import (
    _CONNECTION,
    _CONTENT_LENGTH,
    _CONTENT_TYPE,
    _DATE,
    _SERVER,
    _SET_COOKIE,
    _TRANSFER_ENCODING,
)
from ._response_headers import (
    SERVER_SOFTWARE,
    LooseHeaders,
    cookie_headers,
    must_be_empty_body,
)

if TYPE_CHECKING:
    from ._base_request import BaseRequest
    from ._writer import PayloadWriter

__all__ = (
    "NotStartedError",
    "PrepareCallback",
    "TextTypeError",
    "StreamResponse",
)

#: ``callback(request, response)`` run by ``StreamResponse.prepare`` before the head exists
#: (``BaseRequest.add_prepare_callback``).
PrepareCallback = Callable[["BaseRequest", "StreamResponse"], "Awaitable[None] | None"]

_BYTES_TYPES: Final = (bytes, bytearray, memoryview)
#: Plain-str response keys already warned about (aiohttp warns once per key).
_SEEN_STR_KEYS: set[object] = set()


#: aiohttp's private names of the subclass hooks -> ours: a subclass ported from aiohttp that
#: sets them keeps its framing (with a DeprecationWarning) instead of silently losing it.
_AIOHTTP_HOOKS: Final = {
    "_length_check": "auto_framing",
    "_send_headers_immediately": "send_headers_at_prepare",
}


def _warn_aiohttp_hook(private: str, public: str, stacklevel: int) -> None:
    warnings.warn(
        f"StreamResponse.{private} is aiohttp's private name: set {public} instead",
        DeprecationWarning,
        stacklevel=stacklevel,
    )


class TextTypeError(TypeError, AssertionError):
    """``resp.text = b"..."``: aiohttp asserts (``AssertionError``); also a ``TypeError``."""


class NotStartedError(RuntimeError, AssertionError):
    """``write_eof()``/``drain()`` before ``prepare()``.

    aiohttp fails these with an ``AssertionError``; this is also a ``RuntimeError``, so code
    written for either catches it (and it survives ``python -O``).
    """


def _no_length_allowed(method: str, status: int) -> bool:
    """1xx, 204, 304 and a 2xx answer to CONNECT must not carry Content-Length."""
    return (
        status in (204, 304) or 100 <= status < 200 or (method == "CONNECT" and 200 <= status < 300)
    )


class StreamResponse(ResponseCoding, MutableMapping[str, Any]):
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
    _keep_alive: bool | None = None
    _req: BaseRequest | None = None
    _payload_writer: PayloadWriter | None = None
    _eof_sent = False
    _callbacks_done = False
    _must_be_empty_body = False
    _body_length = 0
    #: Bytes still allowed by a declared Content-Length (None: no limit).
    _remaining: int | None = None
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

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A subclass ported from aiohttp may set aiohttp's private names for the two hooks.
        super().__init_subclass__(**kwargs)
        for private, public in _AIOHTTP_HOOKS.items():
            if private in cls.__dict__ and not isinstance(cls.__dict__[private], property):
                _warn_aiohttp_hook(private, public, 3)
                setattr(cls, public, bool(cls.__dict__[private]))

    @property
    def _length_check(self) -> bool:
        """aiohttp's private name of :attr:`auto_framing` (for subclasses ported from it)."""
        return self.auto_framing

    @_length_check.setter
    def _length_check(self, value: bool) -> None:
        _warn_aiohttp_hook("_length_check", "auto_framing", 3)
        self.auto_framing = bool(value)

    # -- state ---------------------------------------------------------------------------

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
