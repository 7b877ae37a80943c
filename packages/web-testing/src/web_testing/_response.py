"""``ClientResponse``: one response of the test client, with aiohttp's ``ClientResponse`` API.

The head is parsed when the response is returned; the body arrives in ``content`` (a
flow-controlled ``StreamReader``: ``await resp.content.read(n)``, ``readline()``,
``iter_chunked(n)`` ...) and ``read()``/``text()``/``json()`` read all of it, once. A body
that came complete with its head is kept as bytes: ``read()`` returns it without a stream,
and ``content`` is only built when a test asks for it.
Headers are a case-insensitive multidict (``headers.getall(name)``), ``cookies`` a
``SimpleCookie`` of the morsels this response set.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator
from http.cookies import CookieError, SimpleCookie
from types import TracebackType
from typing import Any

from multidict import CIMultiDict, CIMultiDictProxy
from web_http import HttpVersion, ResponseHead, StreamReader, parse_content_type
from web_http.hdrs import CONTENT_LENGTH, CONTENT_TYPE, SET_COOKIE
from yarl import URL

from ._connection import READ_BUFSIZE, ClientConnection
from ._errors import ClientResponseError, ContentTypeError, RequestInfo

__all__ = ("ClientResponse",)

# application/json and application/<anything>+json (RFC 6839 structured syntax suffix)
_JSON_RE = re.compile(r"^application/(?:[\w.+-]+?\+)?json$")

#: Parsed Content-Type values: a test suite's responses carry a handful of distinct ones,
#: and parsing one costs more than the rest of ``text()``.
_CTYPES: dict[str, tuple[str, str | None]] = {}
_CTYPES_MAX = 256


class _Done:
    """An already finished awaitable: ``release()`` works with and without ``await``."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


_DONE = _Done()


class _NoFlowControl:
    """The transport of a body that arrived whole has nothing left to pause."""

    __slots__ = ()

    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None


_NO_FLOW_CONTROL = _NoFlowControl()


class ClientResponse:
    """A response: status and headers now, the body from ``content`` or the readers."""

    # What a response finds later starts as these class defaults, not as stores in
    # __init__: each is set on the instance only once it is found (most never are).
    _request_info: RequestInfo | None = None
    _body: bytes | None = None  # the body read()
    _released = False
    _cookies: SimpleCookie | None = None
    _ctype: tuple[str, str | None] | None = None  # media type and charset

    def __init__(
        self,
        head: ResponseHead,
        content: StreamReader | bytes,
        *,
        method: str,
        url: URL,
        request_headers: list[tuple[str, str]] | None = None,
        history: tuple[ClientResponse, ...] = (),
        connection: ClientConnection | None = None,
    ) -> None:
        self._head = head
        self._content: StreamReader | None
        self._complete: bytes | None  # a whole body, not in a stream (yet)
        if isinstance(content, bytes):
            self._content, self._complete = None, content
        else:
            self._content, self._complete = content, None
        self.method = method
        self.url = url
        self.real_url = url
        self._request_headers = request_headers
        self.history = history
        self._connection = connection

    @property
    def content(self) -> StreamReader:
        """The body as a stream (``read(n)``, ``readline()``, ``iter_chunked(n)`` ...)."""
        content = self._content
        if content is None:
            content = self._content = StreamReader(_NO_FLOW_CONTROL, READ_BUFSIZE)
            complete, self._complete = self._complete, None
            if complete:
                content.feed_data(complete)
            content.feed_eof()
        return content

    @property
    def request_info(self) -> RequestInfo:
        """What was sent: URL, method and headers (built when first asked for)."""
        info = self._request_info
        if info is None:
            headers = CIMultiDictProxy(CIMultiDict(self._request_headers or ()))
            info = self._request_info = RequestInfo(self.url, self.method, headers, self.url)
        return info

    @property
    def cookies(self) -> SimpleCookie:
        """The cookies this response set (``cookies["name"].value``, its attributes)."""
        cookies = self._cookies
        if cookies is None:
            cookies = self._cookies = SimpleCookie()
            for value in self._head.headers.getall(SET_COOKIE, ()):
                try:
                    cookies.load(value)
                except CookieError:
                    pass  # aiohttp skips what it cannot parse, too
        return cookies

    def _content_type(self) -> tuple[str, str | None]:
        ctype = self._ctype
        if ctype is None:
            value = self._head.headers.get(CONTENT_TYPE)  # an istr: its folded form is kept
            if not value:
                ctype = ("application/octet-stream", None)
            else:
                ctype = _CTYPES.get(value)
                if ctype is None:
                    mimetype, params = parse_content_type(value)
                    ctype = (mimetype, params.get("charset") or None)
                    if len(_CTYPES) >= _CTYPES_MAX:
                        _CTYPES.clear()
                    _CTYPES[value] = ctype
            self._ctype = ctype
        return ctype

    @property
    def status(self) -> int:
        return self._head.status

    @property
    def reason(self) -> str:
        return self._head.reason

    @property
    def ok(self) -> bool:
        return self._head.status < 400

    @property
    def headers(self) -> CIMultiDictProxy[str]:
        return self._head.headers

    @property
    def raw_headers(self) -> tuple[tuple[bytes, bytes], ...]:
        return self._head.raw_headers

    @property
    def version(self) -> HttpVersion:
        return self._head.version

    @property
    def content_type(self) -> str:
        """The media type without parameters; application/octet-stream when absent."""
        return self._content_type()[0]

    @property
    def charset(self) -> str | None:
        return self._content_type()[1]

    @property
    def content_length(self) -> int | None:
        value = self._head.headers.get(CONTENT_LENGTH)
        return int(value) if value is not None and value.isdigit() else None

    @property
    def closed(self) -> bool:
        return self._released

    def get_encoding(self) -> str:
        """The charset for ``text()``: the declared one, else UTF-8."""
        return (self._ctype or self._content_type())[1] or "utf-8"

    def _read_now(self) -> bytes | None:
        """The body when no wait is needed (read before, or complete): what read() gives."""
        body = self._body
        if body is None and self._content is None:
            # complete: taken whole, the stream (if asked for later) stays empty; nothing
            # is left unread, so releasing is only marking it released
            body = self._body = self._complete or b""
            self._complete = b""
            self._released = True
        return body

    async def read(self) -> bytes:
        """The whole body (decoded from its Content-Encoding); cached for later calls."""
        body = self._read_now()
        if body is None:
            assert self._content is not None  # else _read_now had the body
            body = self._body = await self._content.read()
            self.release()
        return body

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        """The body as text: ``encoding``, else the response charset, else UTF-8."""
        body = self._read_now()
        if body is None:
            body = await self.read()
        return body.decode(encoding or self.get_encoding(), errors)

    async def json(
        self,
        *,
        encoding: str | None = None,
        loads: Callable[[str], Any] = json.loads,
        content_type: str | None = "application/json",
    ) -> Any:
        """The body parsed as JSON; ``None`` for an empty body.

        With ``content_type`` set (the default), a response of another media type raises
        :class:`ContentTypeError` instead of a confusing decode error; ``None`` skips the check.
        """
        body = self._read_now()
        if body is None:
            body = await self.read()
        if content_type is not None:
            actual = self.content_type
            expected = content_type.lower()
            if expected == "application/json":
                matches = _JSON_RE.match(actual) is not None
            else:
                matches = expected in actual
            if not matches:
                raise ContentTypeError(
                    self.request_info,
                    self.history,
                    status=self.status,
                    message=f"Attempt to decode JSON with unexpected mimetype: {actual}",
                    headers=self.headers,
                )
        text = body.decode(encoding or self.get_encoding())
        if not text.strip():
            return None
        return loads(text)

    def raise_for_status(self) -> None:
        if self.status >= 400:
            self.release()
            raise ClientResponseError(
                self.request_info,
                self.history,
                status=self.status,
                message=self.reason,
                headers=self.headers,
            )

    def release(self) -> _Done:
        """Done with the response (a connection with an unread body is not reused)."""
        if not self._released:
            self._released = True
            content = self._content
            if content is not None and not content.is_eof() and self._connection is not None:
                self._connection.drop()  # an unread rest: this connection cannot be reused
        return _DONE

    def close(self) -> None:
        self.release()

    async def wait_for_close(self) -> None:
        self.release()

    async def __aenter__(self) -> ClientResponse:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    def __repr__(self) -> str:
        return f"<ClientResponse({self.url}) [{self.status} {self.reason}]>"
