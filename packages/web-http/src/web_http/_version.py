"""HTTP protocol versions as comparable tuples."""

from __future__ import annotations

from typing import Final, NamedTuple

__all__ = ("HttpVersion", "HttpVersion10", "HttpVersion11")


class HttpVersion(NamedTuple):
    """An HTTP version; a tuple so ``version >= HttpVersion11`` reads naturally."""

    major: int
    minor: int


HttpVersion10: Final[HttpVersion] = HttpVersion(1, 0)
HttpVersion11: Final[HttpVersion] = HttpVersion(1, 1)
