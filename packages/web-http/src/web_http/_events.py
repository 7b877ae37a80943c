"""Parser events: what ``feed()`` returns, in order.

The events are slotted dataclasses, not frozen ones: a frozen dataclass pays an
``object.__setattr__`` per field in ``__init__`` (about 2.5 us for ``RequestHead`` on the
benchmark machine, >10% of parsing a typical head). Treat them as read-only all the same.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

from multidict import CIMultiDict, CIMultiDictProxy

from ._version import HttpVersion

__all__ = (
    "RequestHead",
    "ResponseHead",
    "Data",
    "EndOfMessage",
    "EMPTY_TRAILERS",
    "END_OF_MESSAGE",
)

#: Shared read-only empty multidict for messages without trailers (no allocation per message).
EMPTY_TRAILERS: Final[CIMultiDictProxy[str]] = CIMultiDictProxy(CIMultiDict())


@dataclass(slots=True)
class RequestHead:
    """A parsed request line and header section; the body follows as ``Data`` events."""

    method: str
    target: str
    version: HttpVersion
    headers: CIMultiDictProxy[str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    keep_alive: bool
    upgrade: bool
    chunked: bool
    content_length: int | None
    encoding: str | None
    expect_continue: bool


@dataclass(slots=True)
class ResponseHead:
    """A parsed status line and header section."""

    version: HttpVersion
    status: int
    reason: str
    headers: CIMultiDictProxy[str]
    raw_headers: tuple[tuple[bytes, bytes], ...]
    keep_alive: bool
    chunked: bool
    content_length: int | None
    encoding: str | None
    upgrade: bool


@dataclass(slots=True)
class Data:
    """A piece of body (decoded when the parser decompresses), or upgraded-stream bytes."""

    data: bytes


@dataclass(slots=True)
class EndOfMessage:
    """The body is complete; ``trailers`` holds chunked trailer fields (usually empty)."""

    trailers: CIMultiDictProxy[str] = field(default_factory=lambda: EMPTY_TRAILERS)


#: The ``EndOfMessage`` of every message without trailers: one shared instance, since events
#: are read-only and most messages end this way (saves an allocation per request).
END_OF_MESSAGE: Final[EndOfMessage] = EndOfMessage(EMPTY_TRAILERS)
