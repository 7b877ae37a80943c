"""``Response`` (the whole body known up front), ``json_response`` and ``json_bytes_response``.

``Response`` builds on ``StreamResponse`` (``_stream_response.py``, ``_response_head.py``):
Content-Length is computed at ``prepare``, and the head and the body leave in one write.

The common case takes a shorter road (``Response._send_fast``, called by the connection): a
``Response`` whose only header is its Content-Type keeps that value in a plain attribute and
has no ``CIMultiDict`` at all; its whole message is then built from cached bytes (status line
and Content-Type line per kind of response, ``Date``/``Server`` lines per second) in one
concatenation. The multidict is created on first access to ``headers`` and, after such a send,
filled with exactly the default fields that went on the wire, so nothing a user can observe
differs from the general path.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from concurrent.futures import Executor
from typing import TYPE_CHECKING, Any, Final

from multidict import CIMultiDict
from web_http import HttpVersion10, HttpVersion11, http_date

from ._response_coding import ContentCoding
from ._response_head import _CONTENT_ENCODING, _CONTENT_LENGTH, _CONTENT_TYPE
from ._response_headers import SERVER_SOFTWARE, LooseHeaders
from ._stream_response import StreamResponse, TextTypeError, _no_length_allowed
from .payload import PAYLOAD_REGISTRY, LookupError as PayloadLookupError, Payload

if TYPE_CHECKING:
    from ._base_request import BaseRequest
    from ._writer import PayloadWriter

__all__ = (
    "Response",
    "json_response",
    "json_bytes_response",
)

#: Bodies longer than this are compressed in an executor so the event loop keeps serving.
DEFAULT_ZLIB_EXECUTOR_SIZE: Final = 32 * 1024


class Response(StreamResponse):
    """A response whose whole body is known up front (bytes or text).

    Content-Length is computed at ``prepare``; the head and the body leave in one write.
    """

    send_headers_at_prepare = False
    _fast_send_ok = True
    _body: bytes | None = None
    _compressed_body: bytes | None = None
    _zlib_executor_size: int = DEFAULT_ZLIB_EXECUTOR_SIZE
    _zlib_executor: Executor | None = None
    #: A body that is not bytes (a file, an async generator...): see ``web_app.payload``.
    _payload: Payload | None = None

    def __init__(
        self,
        *,
        body: Any = None,
        status: int = 200,
        reason: str | None = None,
        text: str | None = None,
        headers: LooseHeaders | None = None,
        content_type: str | None = None,
        charset: str | None = None,
        zlib_executor_size: int | None = None,
        zlib_executor: Executor | None = None,
    ) -> None:
        # Built for nearly every request: StreamResponse.__init__ is inlined, and without
        # ``headers`` the Content-Type goes to ``_ctype`` instead of a new multidict.
        if body is not None and text is not None:
            raise ValueError("body and text are not allowed together")
        if content_type is not None and "charset" in content_type:
            raise ValueError("charset must not be in content_type argument")
        hdrs: CIMultiDict[str] | None = None
        if headers is not None:
            hdrs = CIMultiDict(headers)
        if status != 200 or reason is not None:
            self._set_status(status, reason)
        else:
            self._status = 200
            self._reason = "OK"
        # What the connection and _send_fast read of every response, stored with the class
        # defaults' values: a class attribute read through an instance costs more than this
        # store (CPython 3.11).
        self._hdrs = hdrs
        self._cookies = None
        self._compression = False
        self._chunked = False
        self._keep_alive = None
        self._payload_writer = None
        self._eof_sent = False
        has_ctype = hdrs is not None and _CONTENT_TYPE in hdrs
        if text is not None:
            if not isinstance(text, str):
                raise TextTypeError(f"text argument must be str ({type(text).__name__!r})")
            if has_ctype:
                if content_type or charset:
                    raise ValueError(
                        "passing both Content-Type header and content_type or charset "
                        "params is forbidden"
                    )
                charset = self.charset or "utf-8"
                self._body = text.encode(charset)
            else:
                if content_type is None and charset is None:
                    ctype = "text/plain; charset=utf-8"
                    self._body = text.encode("utf-8")
                else:
                    if content_type is None:
                        content_type = "text/plain"
                    if charset is None:
                        charset = "utf-8"
                    ctype = f"{content_type}; charset={charset}"
                    self._body = text.encode(charset)
                if hdrs is None:
                    self._ctype = ctype
                else:
                    hdrs[_CONTENT_TYPE] = ctype
            body = None
        elif has_ctype:
            if content_type is not None or charset is not None:
                raise ValueError(
                    "passing both Content-Type header and content_type or charset "
                    "params is forbidden"
                )
        elif content_type is not None:
            if charset is not None:
                content_type = f"{content_type}; charset={charset}"
            if hdrs is None:
                self._ctype = content_type
            else:
                hdrs[_CONTENT_TYPE] = content_type
        if zlib_executor_size is not None:
            self._zlib_executor_size = zlib_executor_size
        if zlib_executor is not None:
            self._zlib_executor = zlib_executor
        if body is not None:
            if type(body) is bytes:
                self._body = body
            else:
                self.body = body

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A subclass changing how a response is prepared, framed or finished (FileResponse,
        # a user's own) is always sent the general way; HTTP exceptions keep the fast path.
        super().__init_subclass__(**kwargs)
        cls._fast_send_ok = cls._fast_send_ok and all(
            getattr(cls, name) is getattr(Response, name) for name in _SEND_MEMBERS
        )

    @classmethod
    def _with_body(cls, body: bytes, content_type: str) -> Response:
        """``Response(body=body, content_type=...)`` for trusted arguments, minus the checks."""
        resp = cls.__new__(cls)
        resp._ctype = content_type
        resp._body = body
        resp._status = 200
        resp._reason = "OK"
        resp._hdrs = None  # and the rest of what __init__ stores for the connection
        resp._cookies = None
        resp._compression = False
        resp._chunked = False
        resp._keep_alive = None
        resp._payload_writer = None
        resp._eof_sent = False
        return resp

    @property
    def body(self) -> bytes | Payload | None:
        """The body: bytes, or the ``Payload`` wrapping a file, async iterable, part..."""
        payload = self._payload
        return self._body if payload is None else payload

    @body.setter
    def body(self, body: Any) -> None:
        if self.prepared:
            raise RuntimeError("Cannot change the body after the headers have been sent")
        self._payload = None
        if body is None:
            self._body = None
        elif isinstance(body, bytes):
            self._body = body
        elif isinstance(body, (bytearray, memoryview)):
            self._body = bytes(body)
        elif isinstance(body, str):
            if self._raw_content_type() is None:
                self._write_content_type("text/plain; charset=utf-8", {})
            self._body = body.encode(self.charset or "utf-8")
        else:
            self._set_payload(body)
        self._compressed_body = None

    def _set_payload(self, body: Any) -> None:
        try:
            payload = PAYLOAD_REGISTRY.get(body)
        except PayloadLookupError:
            raise ValueError(f"Unsupported body type {type(body)!r}") from None
        headers = self._headers
        # The payload's Content-Type and other headers fill in what the response lacks.
        for name, value in payload.headers.items():
            if name not in headers:
                headers[name] = value
        self._body = None
        self._payload = payload

    @property
    def text(self) -> str | None:
        payload = self._payload
        if payload is not None:
            return payload.decode(self.charset or "utf-8")
        body = self._body
        if body is None:
            return None
        return body.decode(self.charset or "utf-8")

    @text.setter
    def text(self, text: str) -> None:
        if not isinstance(text, str):
            raise TextTypeError(f"text argument must be str ({type(text).__name__!r})")
        if self.prepared:
            raise RuntimeError("Cannot change the body after the headers have been sent")
        if self.content_type == "application/octet-stream":
            self.content_type = "text/plain"
        if self.charset is None:
            self.charset = "utf-8"
        self._body = text.encode(self.charset or "utf-8")
        self._payload = None
        self._compressed_body = None

    @property
    def content_length(self) -> int | None:
        if self._chunked:
            return None
        hdrs = self._hdrs
        if hdrs is not None and _CONTENT_LENGTH in hdrs:
            return self._header_content_length()
        if self._compressed_body is not None:
            return len(self._compressed_body)
        if self._payload is not None:
            return None  # known at prepare (the payload's size), or sent chunked
        body = self._body
        return 0 if body is None else len(body)

    @content_length.setter
    def content_length(self, value: int | None) -> None:
        if value is not None:
            raise RuntimeError("Content length is set automatically")
        self._check_open("change Content-Length")
        self._headers.popall(_CONTENT_LENGTH, None)

    async def _start(self, request: BaseRequest) -> PayloadWriter:
        headers = self._headers
        status = self._status
        if _CONTENT_LENGTH in headers:
            if _no_length_allowed(request.method, status):
                headers.popall(_CONTENT_LENGTH, None)
        elif not self._chunked:
            payload = self._payload
            if payload is not None:
                size = payload.size
                if size is not None:
                    headers[_CONTENT_LENGTH] = str(size)
                return await StreamResponse._start(self, request)
            body = self._body
            size = 0 if body is None else len(body)
            # RFC 9110 8.6: a HEAD or 304 answer may omit the length it does not know.
            if size or (status != 304 and request.method != "HEAD"):
                headers[_CONTENT_LENGTH] = str(size)
        return await StreamResponse._start(self, request)

    def _has_content(self) -> bool:
        return StreamResponse._has_content(self) and (
            self._chunked or bool(self._body) or self._payload is not None
        )

    async def _do_start_compression(self, coding: ContentCoding) -> None:
        if self._chunked or self._body is None:
            await StreamResponse._do_start_compression(self, coding)
            return
        # The whole body is known: compress it once and keep an exact Content-Length.
        from ._compression import Compressor

        compressor = Compressor(
            coding.value, level=self._compression_level, strategy=self._compression_strategy
        )
        body = self._body

        def run() -> bytes:
            return compressor.compress(body) + compressor.flush()

        if len(body) > self._zlib_executor_size:
            loop = asyncio.get_running_loop()
            compressed = await loop.run_in_executor(self._zlib_executor, run)
        else:
            compressed = run()
        self._compressed_body = compressed
        self._headers[_CONTENT_ENCODING] = coding.value
        self._headers[_CONTENT_LENGTH] = str(len(compressed))

    async def write_eof(self, data: bytes | bytearray | memoryview = b"") -> None:
        if self._eof_sent:
            return
        payload = self._payload
        if payload is not None:
            await self._write_payload(payload)
            await StreamResponse.write_eof(self, data)
            return
        body = self._compressed_body if self._compressed_body is not None else self._body
        if self._must_be_empty_body or not body:
            await StreamResponse.write_eof(self, data)
        else:
            await StreamResponse.write_eof(self, body + bytes(data) if data else body)

    async def _write_payload(self, payload: Payload) -> None:
        if self._payload_writer is None:
            raise RuntimeError("Response has not been started")
        try:
            if not self._must_be_empty_body:
                # Through StreamResponse.write: framing, compression and the announced
                # Content-Length bound apply to what the payload produces.
                await payload.write_with_length(self, self._remaining)
        finally:
            await payload.close()

    def _send_fast(self, request: BaseRequest, writer: PayloadWriter) -> bool:
        """Send the whole response at once when nothing needs the general path.

        Called by the connection instead of ``prepare`` + ``write_eof`` for a plain
        ``Response`` that was not prepared yet. Returns False, having changed nothing, when
        any feature is in play (a header multidict, cookies, compression, chunking, a body-
        less answer, an ``on_response_prepare`` handler, an unusual version); the caller
        then takes the general path. The bytes sent are exactly those of that path.
        """
        if (
            self._hdrs is not None
            or self._cookies
            or self._compression
            or self._chunked
            or request._prepare_callbacks
            or request._prepare_hooked
        ):
            return False
        message = request._message
        method = message.method
        status = self._status
        if method == "HEAD" or method == "CONNECT":
            return False
        version = message.version
        if version is HttpVersion11:
            v11 = True
        elif version is HttpVersion10:
            v11 = False
        else:
            return False
        ctype = self._ctype
        key = (ctype, status, self._reason, v11)
        prefix = _PREFIXES.get(key)
        if not prefix:
            if prefix is not None:
                return False  # remembered as a status without a body (1xx, 204, 304)
            if status < 200 or status == 204 or status == 304:
                prefix = b""
            else:
                prefix = _build_prefix(ctype, status, self._reason, v11)
                if prefix is None:
                    return False  # CR, LF or NUL: the general path refuses it with its error
            if len(_PREFIXES) < _PREFIXES_MAX:
                _PREFIXES[key] = prefix
            if not prefix:
                return False
        body = self._body
        keep_alive = self._keep_alive
        if keep_alive is None:
            keep_alive = message.keep_alive
        cached = _date_cache  # (second, Date value, "Date: ...\r\nServer: ...\r\n" bytes)
        if cached[0] != int(time.time()):
            cached = _new_date_cache()
        _, date_text, date_server = cached
        if v11:
            end = _END if keep_alive else _END_CLOSE
        else:
            end = _END_KEEP_ALIVE if keep_alive else _END
        if body:
            if ctype is None:
                data = b"%b%d\r\n%b%b%b%b" % (prefix, len(body), _OCTET, date_server, end, body)
            else:
                data = b"%b%d\r\n%b%b%b" % (prefix, len(body), date_server, end, body)
        else:
            data = b"%b0\r\n%b%b" % (prefix, date_server, end)
        self._req = request
        self._keep_alive = keep_alive
        self._sent_date = date_text
        self._headers_sent = True
        writer.send_complete(data)
        self._eof_sent = True
        self._body_length = len(data)
        return True

    def _add_sent_defaults(self, hdrs: CIMultiDict[str]) -> None:
        body = self._body
        hdrs[_CONTENT_LENGTH] = str(len(body)) if body else "0"
        if body and self._ctype is None:
            hdrs[_CONTENT_TYPE] = "application/octet-stream"
        StreamResponse._add_sent_defaults(self, hdrs)


#: What a subclass must leave alone to keep ``_send_fast`` (see ``__init_subclass__``).
_SEND_MEMBERS: Final = (
    "auto_framing",
    "send_headers_at_prepare",
    "prepare",
    "run_prepare_callbacks",
    "_start",
    "_prepare_headers",
    "_write_headers",
    "_start_compression",
    "_do_start_compression",
    "_negotiated_coding",
    "_has_content",
    "write",
    "write_eof",
    "_send_fast",
    "_write_payload",
    "_add_sent_defaults",
    "_headers",
    "headers",
    "body",
    "content_length",
    "content_type",
    "charset",
    "keep_alive",
)

#: Status line, Content-Type line and "Content-Length: " per kind of response (fast path);
#: b"" for a status that has no body, which the general path sends.
_PREFIXES: dict[tuple[str | None, int, str, bool], bytes] = {}
_PREFIXES_MAX: Final = 512
_OCTET: Final = b"Content-Type: application/octet-stream\r\n"
_END: Final = b"\r\n"
_END_CLOSE: Final = b"Connection: close\r\n\r\n"
_END_KEEP_ALIVE: Final = b"Connection: keep-alive\r\n\r\n"
_SERVER_LINE: Final = f"Server: {SERVER_SOFTWARE}\r\n".encode()
_date_cache: tuple[int, str, bytes] = (0, "", b"")


def _build_prefix(ctype: str | None, status: int, reason: str, v11: bool) -> bytes | None:
    """The head up to the Content-Length value, or None when a value would split it."""
    line = f"HTTP/1.{1 if v11 else 0} {status} {reason}\r\n"
    if ctype is not None:
        line += f"Content-Type: {ctype}\r\n"
    line += "Content-Length: "
    expected = 2 if ctype is not None else 1
    if line.count("\r") != expected or line.count("\n") != expected or "\x00" in line:
        return None
    return line.encode("utf-8", "surrogateescape")


def _new_date_cache() -> tuple[int, str, bytes]:
    """A new second: the Date value and the "Date: ...\\r\\nServer: ...\\r\\n" bytes for it.

    Read inline by ``_send_fast`` (one call per second rather than one per response).
    """
    global _date_cache
    now = int(time.time())
    text = http_date(now)
    _date_cache = (now, text, b"Date: %b\r\n%b" % (text.encode(), _SERVER_LINE))
    return _date_cache


_DUMPS: Final[Callable[[Any], str]] = json.dumps
_SENTINEL: Any = object()
_JSON_CTYPE: Final = "application/json; charset=utf-8"


def _new_json_encoder() -> Callable[[Any, int], list[str]] | None:
    """The C encoder ``json.dumps()`` builds on every call with default arguments."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return None
    encoder: Callable[[Any, int], list[str]] = make(
        {},  # check_circular
        json.JSONEncoder().default,
        json.encoder.encode_basestring_ascii,  # ensure_ascii
        None,  # indent
        ": ",
        ", ",
        False,  # sort_keys
        False,  # skipkeys
        True,  # allow_nan
    )
    return encoder


_json_encoder = _new_json_encoder()


def _default_dumps(data: Any) -> str:
    """``json.dumps(data)``, same output and errors, without rebuilding its encoder."""
    global _json_encoder
    encoder = _json_encoder
    if encoder is None:
        return json.dumps(data)
    try:
        return "".join(encoder(data, 0))
    except BaseException:
        # A failed encode may leave ids in the encoder's circular-reference markers.
        _json_encoder = _new_json_encoder()
        raise


def json_response(
    data: Any = _SENTINEL,
    *,
    text: str | None = None,
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: LooseHeaders | None = None,
    content_type: str = "application/json",
    dumps: Callable[[Any], str] = _DUMPS,
) -> Response:
    """A ``Response`` holding ``dumps(data)`` with an ``application/json`` content type."""
    if data is not _SENTINEL:
        if text or body:
            raise ValueError("only one of data, text, or body should be specified")
        text = _default_dumps(data) if dumps is _DUMPS else dumps(data)
        if (
            headers is None
            and body is None
            and status == 200
            and reason is None
            and content_type == "application/json"
            and type(text) is str
        ):
            return Response._with_body(text.encode("utf-8"), _JSON_CTYPE)
    return Response(
        text=text,
        body=body,
        status=status,
        reason=reason,
        headers=headers,
        content_type=content_type,
    )


def json_bytes_response(
    data: Any = _SENTINEL,
    *,
    dumps: Callable[[Any], bytes],
    body: bytes | None = None,
    status: int = 200,
    reason: str | None = None,
    headers: LooseHeaders | None = None,
    content_type: str = "application/json",
) -> Response:
    """Like ``json_response`` for encoders returning bytes (orjson): no str round trip."""
    if data is not _SENTINEL:
        if body is not None:
            raise ValueError("only one of data or body should be specified")
        body = dumps(data)
    return Response(
        body=body,
        status=status,
        reason=reason,
        headers=headers,
        content_type=content_type,
    )
