"""``ClientResponse``: an httpx response with aiohttp's client-response conveniences.

Tests written for aiohttp read ``resp.status`` and ``await resp.text()``; httpx spells these
``status_code`` and ``.text``. The wrapper keeps the httpx object (``resp.raw``) and adds the
aiohttp names, so such tests run unchanged. The body is already read when the wrapper is made:
the awaitable readers only keep aiohttp's calling convention.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Generator
from types import TracebackType
from typing import Any

import httpx
from yarl import URL

__all__ = ("ClientResponse", "ClientResponseError", "ContentTypeError")

# application/json and application/<anything>+json (RFC 6839 structured syntax suffix)
_JSON_RE = re.compile(r"^application/(?:[\w.+-]+?\+)?json$")


class ClientResponseError(Exception):
    """``raise_for_status()`` found a 4xx/5xx status."""

    def __init__(self, status: int, message: str, headers: httpx.Headers) -> None:
        super().__init__(f"{status}, message={message!r}")
        self.status = status
        self.message = message
        self.headers = headers


class ContentTypeError(ClientResponseError, ValueError):
    """``json()`` was asked to parse a body whose Content-Type is not the expected one."""


class _Done:
    """An already finished awaitable: ``release()`` works with and without ``await``."""

    __slots__ = ()

    def __await__(self) -> Generator[Any, None, None]:
        return
        yield  # pragma: no cover - makes this a generator


_DONE = _Done()


class ClientResponse:
    """A finished response of the test client."""

    __slots__ = ("_released", "_response")

    def __init__(self, response: httpx.Response) -> None:
        self._response = response
        self._released = False

    @property
    def raw(self) -> httpx.Response:
        """The httpx response underneath."""
        return self._response

    @property
    def status(self) -> int:
        return self._response.status_code

    @property
    def reason(self) -> str:
        return self._response.reason_phrase

    @property
    def ok(self) -> bool:
        return self._response.status_code < 400

    @property
    def headers(self) -> httpx.Headers:
        """Case-insensitive; ``headers.get_list(name)`` gives every value of a repeated field."""
        return self._response.headers

    @property
    def method(self) -> str:
        return self._response.request.method

    @property
    def url(self) -> URL:
        return URL(str(self._response.url))

    @property
    def version(self) -> str:
        """The HTTP version of the status line, e.g. ``"HTTP/1.1"``."""
        return self._response.http_version

    @property
    def cookies(self) -> httpx.Cookies:
        """Cookies set by this response (the client's jar keeps them for later requests)."""
        return self._response.cookies

    @property
    def history(self) -> tuple[ClientResponse, ...]:
        """The redirect responses followed to reach this one, oldest first."""
        return tuple(ClientResponse(r) for r in self._response.history)

    @property
    def content_type(self) -> str:
        """The media type without parameters; application/octet-stream when absent."""
        value: str | None = self._response.headers.get("content-type")
        if not value:
            return "application/octet-stream"
        return value.split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        value: str = self._response.headers.get("content-type", "")
        for param in value.split(";")[1:]:
            name, _, val = param.partition("=")
            if name.strip().lower() == "charset":
                return val.strip().strip('"').lower() or None
        return None

    @property
    def content_length(self) -> int | None:
        value = self._response.headers.get("content-length")
        return int(value) if value is not None and value.isdigit() else None

    @property
    def closed(self) -> bool:
        """True once released (the body itself is always read already)."""
        return self._released

    async def read(self) -> bytes:
        """The body, decoded from its Content-Encoding (gzip, deflate, br)."""
        return self._response.content

    async def text(self, encoding: str | None = None, errors: str = "strict") -> str:
        """The body as text: ``encoding``, else the response charset, else UTF-8."""
        return self._response.content.decode(encoding or self.charset or "utf-8", errors)

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
        if content_type is not None:
            actual = self.content_type
            expected = content_type.lower()
            matches = (
                _JSON_RE.match(actual) is not None if expected == "application/json" else False
            ) or expected in actual
            if not matches:
                raise ContentTypeError(
                    self.status,
                    f"Attempt to decode JSON with unexpected mimetype: {actual}",
                    self.headers,
                )
        text = await self.text(encoding=encoding)
        if not text.strip():
            return None
        return loads(text)

    def raise_for_status(self) -> None:
        if self.status >= 400:
            raise ClientResponseError(self.status, self.reason, self.headers)

    def release(self) -> _Done:
        """Give the connection back (the body is already read); awaiting is optional."""
        self._released = True
        return _DONE

    def close(self) -> None:
        self._released = True

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
