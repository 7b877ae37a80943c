"""The test client's exceptions, named and nested as aiohttp's client exceptions are.

A test ported from aiohttp catches ``ClientResponseError``, ``ContentTypeError`` or
``ServerDisconnectedError`` by those names; import them from ``web_testing``.
"""

from __future__ import annotations

from typing import NamedTuple

from multidict import CIMultiDictProxy
from yarl import URL

__all__ = (
    "ClientConnectionError",
    "ClientError",
    "ClientPayloadError",
    "ClientResponseError",
    "ContentTypeError",
    "RequestInfo",
    "ServerDisconnectedError",
    "TooManyRedirects",
    "WSServerHandshakeError",
)


class RequestInfo(NamedTuple):
    """What was sent: ``resp.request_info`` and the ``request_info`` of response errors."""

    url: URL
    method: str
    headers: CIMultiDictProxy[str]
    real_url: URL


class ClientError(Exception):
    """Base of every test-client error."""


class ClientConnectionError(ClientError):
    """The connection could not be made or broke."""


class ServerDisconnectedError(ClientConnectionError):
    """The server closed the connection before the response was complete."""

    def __init__(self, message: str = "Server disconnected") -> None:
        super().__init__(message)
        self.message = message


class ClientPayloadError(ClientError):
    """The response body was malformed or cut short."""


class ClientResponseError(ClientError):
    """A response the client will not hand over (4xx/5xx on ``raise_for_status`` ...)."""

    def __init__(
        self,
        request_info: RequestInfo | None,
        history: tuple[object, ...] = (),
        *,
        status: int = 0,
        message: str = "",
        headers: CIMultiDictProxy[str] | None = None,
    ) -> None:
        url = request_info.real_url if request_info is not None else None
        super().__init__(f"{status}, message={message!r}, url={url!s}")
        self.request_info = request_info
        self.history = history
        self.status = status
        self.message = message
        self.headers = headers


class ContentTypeError(ClientResponseError):
    """``json()`` was asked to parse a body whose Content-Type is not the expected one."""


class TooManyRedirects(ClientResponseError):
    """More redirects than ``max_redirects`` in a row."""


class WSServerHandshakeError(ClientResponseError):
    """The server did not accept the websocket handshake (``status`` says what it answered)."""
