"""aiohttp's ``AbstractStreamWriter``: what a response body is written through.

The other ``abc`` bases live with what they describe: ``AbstractView`` with the views
(``_view.py``), the access logger bases with the access log (``_access_log.py``), the
router and match-info bases in web-routing. ``web.abc`` gathers them all under the names
``aiohttp.abc`` uses, so ``from aiohttp.abc import X`` ports as ``from web.abc import X``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multidict import CIMultiDict

__all__ = ("AbstractStreamWriter",)


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
