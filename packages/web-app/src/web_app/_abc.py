"""aiohttp's ``abc`` bases that live with the server: views, stream writers, access loggers.

The router and match-info bases are web-routing's; ``web.abc`` gathers them all under the
names ``aiohttp.abc`` uses, so ``from aiohttp.abc import X`` ports as ``from web.abc import X``.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multidict import CIMultiDict

    from ._request import BaseRequest
    from ._stream_response import StreamResponse
    from ._web_request import Request

__all__ = (
    "ACCESS_LOG_FORMAT",
    "AbstractAccessLogger",
    "AbstractAsyncAccessLogger",
    "AbstractStreamWriter",
    "AbstractView",
)

#: aiohttp's default access log format (``AccessLogger.LOG_FORMAT``).
ACCESS_LOG_FORMAT = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'


class AbstractView(ABC):
    """A class-based view: built with the request, then awaited for the response."""

    __slots__ = ("_request",)

    def __init__(self, request: Request) -> None:
        self._request = request

    @property
    def request(self) -> Request:
        """The request that this view instance serves."""
        return self._request

    @abstractmethod
    def __await__(self) -> Generator[Any, None, StreamResponse]:
        """Serve the request."""


class AbstractStreamWriter(ABC):
    """What a response body is written through (``request.writer``).

    The connection's own writer is registered as a virtual subclass: it keeps a
    one-buffer head (``write_headers`` takes the serialized head) instead of
    aiohttp's ``write_headers(status_line, headers)``.
    """

    buffer_size: int = 0
    output_size: int = 0
    length: int | None = 0

    @abstractmethod
    async def write(self, chunk: bytes | bytearray | memoryview) -> None:
        """Write a body chunk."""

    @abstractmethod
    async def write_eof(self, chunk: bytes = b"") -> None:
        """Write the last chunk and end the body."""

    @abstractmethod
    async def drain(self) -> None:
        """Wait until the transport's buffer is below its high-water mark."""

    @abstractmethod
    def enable_compression(self, encoding: str = "deflate", strategy: int | None = None) -> None:
        """Compress the body with ``encoding``."""

    @abstractmethod
    def enable_chunking(self) -> None:
        """Frame the body with chunked transfer coding."""

    @abstractmethod
    async def write_headers(self, status_line: str, headers: CIMultiDict[str]) -> None:
        """Write the status line and headers."""

    def send_headers(self) -> None:
        """Send buffered headers now (writers that do not buffer need nothing here)."""


class AbstractAccessLogger(ABC):
    """An access logger: ``cls(logger, log_format)`` once per server, ``log()`` per response.

    ``log`` runs in the request's task, so context variables set by the handler or a
    middleware are visible; it is called only while ``enabled`` is true (a property or
    a plain class attribute).
    """

    __slots__ = ("log_format", "logger")

    def __init__(self, logger: logging.Logger, log_format: str) -> None:
        self.logger = logger
        self.log_format = log_format

    @abstractmethod
    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Emit one record for ``request`` answered by ``response`` after ``time`` seconds."""

    @property
    def enabled(self) -> bool:
        """Whether :meth:`log` should be called at all (checked for each request)."""
        return True


class AbstractAsyncAccessLogger(ABC):
    """An access logger whose ``log`` is a coroutine (aiohttp 4's), built as ``cls()``.

    It is awaited in the request's task after the response went out, before the next
    request of the connection starts.
    """

    __slots__ = ()

    @abstractmethod
    async def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        """Emit one record for ``request`` answered by ``response`` after ``time`` seconds."""

    @property
    def enabled(self) -> bool:
        """Whether :meth:`log` should be called at all (checked for each request)."""
        return True
