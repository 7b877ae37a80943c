"""The access log's bases: aiohttp's ``AbstractAccessLogger`` and the async variant.

web-runner's ``AccessLogger`` (the one that formats ``ACCESS_LOG_FORMAT``) builds on the
first; a connection calls one of them once per response.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ._base_request import BaseRequest
    from ._stream_response import StreamResponse

__all__ = ("ACCESS_LOG_FORMAT", "AbstractAccessLogger", "AbstractAsyncAccessLogger")

#: aiohttp's default access log format (``AccessLogger.LOG_FORMAT``).
ACCESS_LOG_FORMAT = '%a %t "%r" %s %b "%{Referer}i" "%{User-Agent}i"'


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
