"""``BaseRequest``: the server's view of one HTTP request.

Built for every request, so the constructor only stores references; everything derived
(URL objects, query multidict, cookies, parsed conditional headers) is computed on first
use and kept in a slot. The body is read on demand and bounded by ``client_max_size``.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import io
import json
import re
import socket
import sys
import warnings
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, ClassVar, Final

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, istr
from web_http import (
    EMPTY_PAYLOAD,
    EmptyStreamReader,
    ETag,
    HttpVersion,
    MultipartReader,
    RequestHead,
    StreamReader,
    parse_content_type,
    parse_cookie_header,
    parse_etag_list,
    parse_forwarded,
    parse_http_date,
    parse_range,
)
from yarl import URL

from . import _request_errors
from ._keys import warn_str_key
from ._req_body import FileField, FormLimits, read_form, read_multipart_form

if TYPE_CHECKING:
    from ._types import RequestConnection
    from ._writer import PayloadWriter

__all__ = (
    "BaseRequest",
    "FileField",
    "PayloadAccessError",
    "RequestPayloadError",
)

# What add_prepare_callback takes: web_app.PrepareCallback, with the response typed where
# responses are defined (they sit above requests), so any callback typed with it fits here.
_PrepareCallback = Callable[["BaseRequest", Any], "Awaitable[None] | None"]

_HOST: Final = istr("Host")
_COOKIE: Final = istr("Cookie")
_CONTENT_TYPE: Final = istr("Content-Type")
_FORWARDED: Final = istr("Forwarded")

#: Methods whose body ``post()`` parses (aiohttp's list).
_POST_METHODS: Final = frozenset(("PATCH", "POST", "PUT", "TRACE", "DELETE"))
_FORM_TYPES: Final = frozenset(("", "application/x-www-form-urlencoded", "multipart/form-data"))

# host = IP-literal / reg-name (percent-encoded allowed), optional ":" port (RFC 3986 3.2.2).
_HOST_RE: Final = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~%!$&'()*+,;=]*)(?::[0-9]*)?")

_SENTINEL: Any = object()
#: Plain-str request keys already warned about (aiohttp warns once per key).
_SEEN_STR_KEYS: set[object] = set()
_fqdn: str | None = None


class PayloadAccessError(Exception):
    """The request body was accessed after the response was sent."""


class RequestPayloadError(Exception):
    """The request body could not be read (malformed framing or encoding)."""


def _machine_fqdn() -> str:
    """``socket.getfqdn()`` once per process: it may block on DNS."""
    global _fqdn
    if _fqdn is None:
        _fqdn = socket.getfqdn()
    return _fqdn


def _target_to_rel_url(method: str, target: str) -> URL:
    """The relative URL of a request-target in any of its four forms (RFC 9112 3.2)."""
    if target[:1] == "/":
        path, _, query = target.partition("?")
        query, _, fragment = query.partition("#")
        if "#" in path:
            path, _, fragment = path.partition("#")
        return URL.build(path=path, query_string=query, fragment=fragment, encoded=True)
    if method == "CONNECT" or target == "*":
        # authority-form / asterisk-form: there is no path to speak of.
        return URL.build(path=target if target == "*" else "", encoded=True)
    try:
        url = URL(target, encoded=True)
    except ValueError as exc:
        raise _request_errors.errors.bad_request(f"Invalid request target: {exc}") from None
    return url.relative()


class BaseRequest(MutableMapping[str, Any]):
    """An incoming HTTP request; also a mutable mapping for per-request data."""

    #: Methods whose body ``post()`` parses (aiohttp's class attribute).
    POST_METHODS: Final = _POST_METHODS

    __slots__ = (
        "__weakref__",
        "_client_max_fields",
        "_client_max_size",
        "_cookies",
        "_forwarded",
        "_host",
        "_loop",
        "_message",
        "_payload",
        "_payload_writer",
        "_post",
        "_prepare_callbacks",
        "_prepare_hooked",
        "_protocol",
        "_read_bytes",
        "_rel_url",
        "_remote",
        "_scheme",
        "_state",
        "_task",
        "_url",
    )

    def __init__(
        self,
        message: RequestHead,
        payload: StreamReader,
        protocol: RequestConnection,
        payload_writer: PayloadWriter,
        task: asyncio.Task[None],
        loop: asyncio.AbstractEventLoop,
        *,
        client_max_size: int | None = 1024**2,
        client_max_fields: int = 1000,
        state: dict[str, Any] | None = None,
        scheme: str | None = None,
        host: str | None = None,
        remote: str | None = None,
    ) -> None:
        self._message = message
        self._payload = payload
        self._protocol = protocol
        self._payload_writer = payload_writer
        self._task = task
        self._loop = loop
        self._client_max_size = client_max_size
        self._client_max_fields = client_max_fields
        self._state = {} if state is None else state
        self._scheme = scheme
        self._host = host
        self._remote = remote
        self._rel_url: URL | None = None
        self._url: URL | None = None
        self._cookies: Mapping[str, str] | None = None
        self._read_bytes: bytes | None = None
        self._post: MultiDictProxy[str | bytes | FileField] | None = None
        self._forwarded: tuple[Mapping[str, str], ...] | None = None
        self._prepare_callbacks: list[_PrepareCallback] | None = None
        #: Whether prepare() has a hook to run besides the callbacks: a subclass's own
        #: ``_prepare_hook``, or an application's on_response_prepare (set when routed).
        self._prepare_hooked = self._class_prepare_hook

    # -- the connection ----------------------------------------------------------------

    @property
    def protocol(self) -> RequestConnection:
        return self._protocol

    @property
    def transport(self) -> asyncio.Transport | None:
        protocol = self._protocol
        if protocol is None:
            return None
        transport: asyncio.Transport | None = protocol.transport
        return transport

    @property
    def writer(self) -> PayloadWriter:
        return self._payload_writer

    @property
    def task(self) -> asyncio.Task[None]:
        return self._task

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop (deprecated in aiohttp 3.5; kept for compatibility)."""
        return self._loop

    @property
    def client_max_size(self) -> int | None:
        """The body size ``read()``/``post()`` accept (0 or None: unlimited)."""
        return self._client_max_size

    @property
    def client_max_fields(self) -> int:
        """The form fields ``post()`` accepts (0: unlimited)."""
        return self._client_max_fields

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        """``transport.get_extra_info(name, default)``; ``default`` once the link is gone."""
        transport = self.transport
        if transport is None:
            return default
        return transport.get_extra_info(name, default)

    # -- request line ------------------------------------------------------------------

    @property
    def message(self) -> RequestHead:
        return self._message

    @property
    def version(self) -> HttpVersion:
        return self._message.version

    @property
    def method(self) -> str:
        return self._message.method

    @property
    def raw_path(self) -> str:
        """The request-target as received (still percent-encoded, with the query)."""
        return self._message.target

    @property
    def rel_url(self) -> URL:
        url = self._rel_url
        if url is None:
            message = self._message
            url = self._rel_url = _target_to_rel_url(message.method, message.target)
        return url

    @property
    def url(self) -> URL:
        """Absolute URL: ``scheme://host`` plus ``rel_url``; 400 for a malformed Host."""
        url = self._url
        if url is None:
            host = self.host
            if _HOST_RE.fullmatch(host) is None:
                raise _request_errors.errors.bad_request("Invalid Host header")
            rel = self.rel_url
            path = rel.raw_path
            if path[:1] != "/":
                path = "/" + path if path else ""
            url = self._url = URL.build(
                scheme=self.scheme,
                authority=host,
                path=path,
                query_string=rel.raw_query_string,
                fragment=rel.raw_fragment,
                encoded=True,
            )
        return url

    @property
    def path(self) -> str:
        return self.rel_url.path

    @property
    def path_qs(self) -> str:
        return str(self.rel_url)

    @property
    def query(self) -> MultiDictProxy[str]:
        return self.rel_url.query

    @property
    def query_string(self) -> str:
        return self.rel_url.query_string

    @property
    def scheme(self) -> str:
        scheme = self._scheme
        if scheme is None:
            scheme = self._scheme = "https" if self.get_extra_info("sslcontext") else "http"
        return scheme

    @property
    def secure(self) -> bool:
        return self.scheme == "https"

    @property
    def host(self) -> str:
        """``clone(host=...)``, else the Host header, else this machine's FQDN."""
        host = self._host
        if host is None:
            host = self._message.headers.get(_HOST)
            if host is None:
                host = _machine_fqdn()
            self._host = host
        return host

    @property
    def remote(self) -> str | None:
        """``clone(remote=...)``, else the peer's address (None without a transport)."""
        remote = self._remote
        if remote is None:
            peername = self.get_extra_info("peername")
            if peername is None:
                return None
            remote = str(peername[0]) if isinstance(peername, (list, tuple)) else str(peername)
            self._remote = remote
        return remote

    @property
    def forwarded(self) -> tuple[Mapping[str, str], ...]:
        """RFC 7239 ``Forwarded`` elements, one read-only mapping per proxy hop."""
        fwd = self._forwarded
        if fwd is None:
            fwd = self._forwarded = parse_forwarded(self._message.headers.getall(_FORWARDED, ()))
        return fwd

    # -- headers -----------------------------------------------------------------------

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._message.headers

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        return self._message.raw_headers

    @property
    def keep_alive(self) -> bool:
        return self._message.keep_alive

    @property
    def cookies(self) -> Mapping[str, str]:
        cookies = self._cookies
        if cookies is None:
            raw = self._message.headers.get(_COOKIE)
            cookies = self._cookies = MappingProxyType(parse_cookie_header(raw))
        return cookies

    @property
    def content_type(self) -> str:
        return parse_content_type(self._message.headers.get(_CONTENT_TYPE))[0]

    @property
    def charset(self) -> str | None:
        return parse_content_type(self._message.headers.get(_CONTENT_TYPE))[1].get("charset")

    @property
    def content_length(self) -> int | None:
        return self._message.content_length

    @property
    def http_range(self) -> slice:
        """The Range header as a slice; ``ValueError`` when malformed (as in aiohttp)."""
        return parse_range(self._message.headers.get("Range"))

    @property
    def if_modified_since(self) -> datetime.datetime | None:
        return parse_http_date(self._message.headers.get("If-Modified-Since"))

    @property
    def if_unmodified_since(self) -> datetime.datetime | None:
        return parse_http_date(self._message.headers.get("If-Unmodified-Since"))

    @property
    def if_range(self) -> datetime.datetime | None:
        return parse_http_date(self._message.headers.get("If-Range"))

    @property
    def if_match(self) -> tuple[ETag, ...] | None:
        value = self._message.headers.get("If-Match")
        return None if value is None else parse_etag_list(value)

    @property
    def if_none_match(self) -> tuple[ETag, ...] | None:
        value = self._message.headers.get("If-None-Match")
        return None if value is None else parse_etag_list(value)

    # -- body --------------------------------------------------------------------------

    @property
    def content(self) -> StreamReader:
        return self._payload

    @property
    def body_exists(self) -> bool:
        return type(self._payload) is not EmptyStreamReader and self._payload is not EMPTY_PAYLOAD

    @property
    def can_read_body(self) -> bool:
        return not self._payload.at_eof()

    @property
    def has_body(self) -> bool:
        """Deprecated alias of ``can_read_body``."""
        warnings.warn("Deprecated, use .can_read_body #2005", DeprecationWarning, stacklevel=2)
        return self.can_read_body

    def _too_large(self, actual: int) -> Exception:
        # The 413 closes the connection: the rest of the body is left unread.
        return _request_errors.errors.too_large(self._client_max_size or 0, actual, None)

    async def read(self) -> bytes:
        """The whole body (kept for later calls); 413 beyond ``client_max_size``."""
        body = self._read_bytes
        if body is not None:
            return body
        limit = self._client_max_size
        declared = self._message.content_length
        if limit and declared is not None and declared > limit:
            raise self._too_large(declared)
        payload = self._payload
        if payload.is_eof():
            # The whole body arrived with the head (the usual small POST): take it as is,
            # no awaiting and no joining. read_nowait raises the stream's error, if any.
            body = payload.read_nowait(-1)
            if limit and len(body) > limit:
                raise self._too_large(len(body))
            self._read_bytes = body
            return body
        # The body is built once, in place: each piece is copied in and dropped as it comes,
        # so the peak is about the body itself and no heap of pieces stays behind.
        buf = io.BytesIO()
        if declared and self._message.encoding is None:
            buf.seek(declared - 1)  # sized from Content-Length up front
            buf.write(b"\0")
            buf.seek(0)
        size = 0
        while True:
            chunk = await payload.readany()
            if not chunk:
                break
            size += len(chunk)
            if limit and size > limit:
                raise self._too_large(size)
            buf.write(chunk)
        del chunk
        buf.truncate(size)
        # getvalue() hands over the buffer itself (no copy) when nothing else shares it.
        body = self._read_bytes = buf.getvalue()
        return body

    async def text(self) -> str:
        """The body decoded with its charset (UTF-8 by default).

        Invalid bytes raise ``UnicodeDecodeError`` (as in aiohttp); an unknown charset
        answers 415.
        """
        body = await self.read()
        charset = self.charset or "utf-8"
        try:
            return body.decode(charset)
        except LookupError:
            # A charset Python does not know is the client's error, not a server failure.
            raise _request_errors.errors.unsupported_media_type(
                f"Unknown charset {charset!r}"
            ) from None

    async def json(self, *, loads: Callable[[str], Any] = json.loads) -> Any:
        """The body parsed with ``loads`` (``json.loads``)."""
        return loads(await self.text())

    async def multipart(self) -> MultipartReader:
        """A ``web_http.MultipartReader`` over the body (not stored: read it once).

        Parts are streamed (``read_chunk``) without a size bound; reading a whole part
        into memory (``part.read()``) beyond ``client_max_size`` answers 413, as in aiohttp.
        """
        limit = self._client_max_size
        return MultipartReader(
            self._message.headers,
            self._payload,
            client_max_size=limit or sys.maxsize,
            max_size_error_cls=self._part_too_large,
        )

    def _part_too_large(self, limit: int) -> Exception:
        return self._too_large(limit + 1)

    async def post(self) -> MultiDictProxy[str | bytes | FileField]:
        """Form fields of an urlencoded or multipart body (files as ``FileField``).

        Empty for other methods or content types; read once and kept.
        """
        post = self._post
        if post is not None:
            return post
        content_type = self.content_type
        if self.method not in _POST_METHODS or content_type not in _FORM_TYPES:
            post = self._post = MultiDictProxy(MultiDict())
            return post
        if content_type == "multipart/form-data":
            limits = FormLimits(
                self._payload, self._client_max_size, self._client_max_fields, self._too_large
            )
            out = await read_multipart_form(await self.multipart(), limits)
        else:
            out = read_form(await self.read(), self.charset or "utf-8", self._client_max_fields)
        post = self._post = MultiDictProxy(out)
        return post

    async def release(self) -> None:
        """Read and discard what is left of the body."""
        payload = self._payload
        while not payload.at_eof():
            await payload.readany()

    async def _prepare_hook(self, response: Any) -> None:
        """Called by ``StreamResponse.prepare`` with itself; ``Request`` fires on_response_prepare.

        ``response`` is a ``StreamResponse`` (typed ``Any`` here: responses sit above requests).
        """
        return None

    #: Whether this class's ``_prepare_hook`` may do something: True for a subclass defining
    #: one (``__init_subclass__``), unless it says otherwise (``Request``'s application sets
    #: ``_prepare_hooked`` per request instead). Responses skip the hook when it is False.
    _class_prepare_hook: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_prepare_hook" in cls.__dict__ and "_class_prepare_hook" not in cls.__dict__:
            cls._class_prepare_hook = True

    def add_prepare_callback(self, callback: _PrepareCallback) -> None:
        """Call ``callback(request, response)`` when a response to this request is prepared.

        It runs before the head is built (unlike ``on_response_prepare``), so it may still
        change the status and headers and call ``response.enable_compression()``: this is
        how a middleware reaches a response the handler streams itself. A callback may be a
        plain function or a coroutine function; callbacks run in the order added, once per
        response. Clones of this request share the callbacks (one exchange, one list).
        """
        callbacks = self._prepare_callbacks
        if callbacks is None:
            callbacks = self._prepare_callbacks = []
        callbacks.append(callback)

    # -- copies ------------------------------------------------------------------------

    def clone(
        self,
        *,
        method: str = _SENTINEL,
        rel_url: str | URL = _SENTINEL,
        headers: Mapping[str, str] | CIMultiDict[str] | CIMultiDictProxy[str] = _SENTINEL,
        scheme: str = _SENTINEL,
        host: str = _SENTINEL,
        remote: str = _SENTINEL,
        client_max_size: int | None = _SENTINEL,
        client_max_fields: int = _SENTINEL,
    ) -> BaseRequest:
        """A copy with some parts replaced; the body stream is shared."""
        if self._read_bytes:
            raise RuntimeError("Cannot clone request after reading its content")
        changes: dict[str, Any] = {}
        if method is not _SENTINEL:
            changes["method"] = method
        new_url: URL | None = None
        if rel_url is not _SENTINEL:
            new_url = URL(rel_url)
            changes["target"] = str(new_url)
        if headers is not _SENTINEL:
            new_headers = CIMultiDictProxy(CIMultiDict(headers))
            changes["headers"] = new_headers
            changes["raw_headers"] = tuple(
                (k.encode("utf-8"), v.encode("utf-8")) for k, v in new_headers.items()
            )
        message = dataclasses.replace(self._message, **changes) if changes else self._message
        new = self.__class__(
            message,
            self._payload,
            self._protocol,
            self._payload_writer,
            self._task,
            self._loop,
            client_max_size=(
                self._client_max_size if client_max_size is _SENTINEL else client_max_size
            ),
            client_max_fields=(
                self._client_max_fields if client_max_fields is _SENTINEL else client_max_fields
            ),
            state=self._state.copy(),
            scheme=self._scheme if scheme is _SENTINEL else scheme,
            host=self._host if host is _SENTINEL else host,
            remote=self._remote if remote is _SENTINEL else remote,
        )
        if new_url is not None:
            new._rel_url = new_url.relative() if new_url.is_absolute() else new_url
        if self._prepare_callbacks is None:
            self._prepare_callbacks = []
        new._prepare_callbacks = self._prepare_callbacks
        return new

    # -- mapping, identity, repr -------------------------------------------------------

    def __getitem__(self, key: str) -> Any:
        return self._state[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if type(key) is str:
            warn_str_key(key, _SEEN_STR_KEYS, "RequestKey", "request-s-storage")
        self._state[key] = value

    def __delitem__(self, key: str) -> None:
        del self._state[key]

    def __len__(self) -> int:
        return len(self._state)

    def __iter__(self) -> Iterator[str]:
        return iter(self._state)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.method} {self.raw_path} >"

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __bool__(self) -> bool:
        return True
