"""What a runner needs of a site, so `_runners` does not import `_sites` (which imports it)."""

from __future__ import annotations

from typing import Any, Protocol

__all__ = ("SiteLike",)


class SiteLike(Protocol):
    """A place a runner serves from: :class:`~web_runner.BaseSite` and its subclasses."""

    @property
    def name(self) -> str: ...

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    def _sockets_names(self) -> list[Any]: ...
