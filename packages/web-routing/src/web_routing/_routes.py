"""Routes: ResourceRoute (a method on a resource) and SystemRoute (404/405)."""

from __future__ import annotations

from typing import Any, NoReturn

from yarl import URL

from ._abc import (
    METH_ANY,
    AbstractResource,
    AbstractRoute,
    ExpectHandler,
    HandlerType,
    checked_route,
)

__all__ = ("ResourceRoute", "SystemRoute")


class ResourceRoute(AbstractRoute):
    """The route of a resource for one HTTP method (or ``*``)."""

    __slots__ = ("_head_of_get",)

    def __init__(
        self,
        method: str,
        handler: HandlerType,
        resource: AbstractResource,
        *,
        expect_handler: ExpectHandler | None = None,
    ) -> None:
        # AbstractRoute.__init__, inline (a call less for every route of every application)
        self._method, self._handler = checked_route(method, handler, expect_handler)
        self._expect_handler = expect_handler
        self._resource = resource
        self._head_of_get = False

    def head_of_get(self) -> ResourceRoute:
        """The HEAD route ``add_get`` adds beside this GET route: its handler and expect
        handler, already checked, and its name with ``-head``."""
        head = ResourceRoute.__new__(ResourceRoute)
        head._method = "HEAD"
        head._handler = self._handler
        head._expect_handler = self._expect_handler
        head._resource = self._resource
        head._head_of_get = True
        return head

    @property
    def name(self) -> str | None:
        """The resource's name; ``<name>-head`` for the HEAD route ``add_get`` adds."""
        assert self._resource is not None
        name = self._resource.name
        if name is not None and self._head_of_get:
            return name + "-head"
        return name

    @property
    def resource(self) -> AbstractResource:
        assert self._resource is not None
        return self._resource

    def url_for(self, *args: Any, **kwargs: Any) -> URL:
        return self.resource.url_for(*args, **kwargs)

    def get_info(self) -> dict[str, Any]:
        return self.resource.get_info()

    def __repr__(self) -> str:
        return f"<ResourceRoute [{self._method}] {self._resource!r} -> {self._handler!r}>"


class SystemRoute(AbstractRoute):
    """The route of a failed resolution: its handler raises the exception."""

    __slots__ = ("_http_exception",)

    def __init__(self, http_exception: Exception) -> None:
        # Built on every miss: the arguments are ours and known valid, so
        # skip AbstractRoute's validation of user input.
        self._method = METH_ANY
        self._handler = self._handle
        self._expect_handler = None
        self._resource = None
        self._http_exception = http_exception

    @property
    def name(self) -> None:
        return None

    @property
    def http_exception(self) -> Exception:
        return self._http_exception

    @property
    def status(self) -> int:
        exc = self._http_exception
        status: Any = getattr(exc, "status", None)
        if status is None:
            status = getattr(exc, "status_code", 500)
        return int(status)

    @property
    def reason(self) -> str:
        return str(getattr(self._http_exception, "reason", ""))

    def url_for(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError(".url_for() is not allowed for SystemRoute")

    def get_info(self) -> dict[str, Any]:
        return {"http_exception": self._http_exception}

    async def _handle(self, request: Any) -> NoReturn:
        raise self._http_exception

    def __repr__(self) -> str:
        return f"<SystemRoute {self.status}: {self.reason}>"
