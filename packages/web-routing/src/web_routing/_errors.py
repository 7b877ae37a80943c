"""The error web-routing reports when no route matches."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ("RoutingError",)

_REASONS = {404: "Not Found", 405: "Method Not Allowed"}


class RoutingError(Exception):
    """A failed resolution: 404 (no resource) or 405 (resource, wrong method).

    This is what :meth:`UrlDispatcher.make_http_exception` returns by default,
    so the package is usable without web-app; web-app overrides the hook to
    return its ``HTTPNotFound`` / ``HTTPMethodNotAllowed`` instead.
    ``allowed_methods`` is sorted so an ``Allow`` header built from it is
    stable; :attr:`allow` is that header's value.
    """

    def __init__(self, status: int, method: str, allowed_methods: Iterable[str] = ()) -> None:
        self.status = status
        self.method = method
        self.allowed_methods: tuple[str, ...] = (
            tuple(sorted(allowed_methods)) if allowed_methods else ()
        )
        super().__init__(status, self.reason)

    @property
    def reason(self) -> str:
        return _REASONS.get(self.status, "Routing Error")

    @property
    def allow(self) -> str:
        """Value for an ``Allow`` header (empty for a 404)."""
        return ",".join(self.allowed_methods)

    def __str__(self) -> str:
        return f"{self.status}: {self.reason}"

    def __repr__(self) -> str:
        return (
            f"<RoutingError {self.status} {self.method!r} allowed={list(self.allowed_methods)!r}>"
        )
