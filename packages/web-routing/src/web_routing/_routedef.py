"""Route definitions: describe routes now, register them later.

``RouteDef`` / ``StaticDef`` are frozen slotted dataclasses; ``RouteTableDef``
collects them through decorators (Flask style) and is a ``Sequence``. A table made with
``prefix=`` and ``middlewares=`` is a *route group*: its paths get the prefix and its
handlers are wrapped, once, in its middlewares, which therefore run for its routes only
(inside the application's middlewares) without the cost or isolation of a sub-app.
"""

from __future__ import annotations

import abc
import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any, TypeVar, overload

from ._abc import AbstractRoute, HandlerType, RouterLike

__all__ = (
    "AbstractRouteDef",
    "RouteDef",
    "RouteTableDef",
    "StaticDef",
    "delete",
    "get",
    "head",
    "options",
    "patch",
    "post",
    "put",
    "route",
    "static",
    "view",
)

# Methods with an ``add_<method>`` shortcut on the router; the others (and
# ``*``) go through ``add_route``.
_SHORTCUTS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

_H = TypeVar("_H", bound=HandlerType)

#: ``async def mw(request, handler) -> response``, the application middleware signature.
ScopedMiddleware = Callable[[Any, Callable[[Any], Awaitable[Any]]], Awaitable[Any]]


def wrap_handler(handler: HandlerType, middlewares: Sequence[ScopedMiddleware]) -> HandlerType:
    """``handler`` inside ``middlewares`` (the first is outermost), composed once.

    Each middleware gets the next layer as ``handler=``, exactly as application
    middlewares do, so one middleware works in both places. A class-based view is
    called (and awaited) like any handler.
    """
    if not middlewares:
        return handler
    inner: Callable[[Any], Awaitable[Any]] = handler
    for mw in reversed(middlewares):
        inner = functools.partial(mw, handler=inner)  # type: ignore[call-arg]
    chain = inner

    async def scoped(request: Any) -> Any:
        return await chain(request)

    if inspect.isfunction(handler) or inspect.ismethod(handler):
        functools.update_wrapper(scoped, handler)
    else:
        scoped.__name__ = getattr(handler, "__name__", scoped.__name__)
        scoped.__wrapped__ = handler  # type: ignore[attr-defined]
    return scoped


def _kwargs_repr(kwargs: dict[str, Any]) -> str:
    return "".join(f", {name}={value!r}" for name, value in sorted(kwargs.items()))


class AbstractRouteDef(abc.ABC):
    """Something that can register itself into a router."""

    __slots__ = ()

    @abc.abstractmethod
    def register(self, router: RouterLike) -> list[AbstractRoute]:
        """Register into ``router``; returns the routes added."""


@dataclass(frozen=True, repr=False)
class RouteDef(AbstractRouteDef):
    """A route not registered yet: ``method``, ``path``, ``handler``, ``kwargs``."""

    __slots__ = ("handler", "kwargs", "method", "path")

    method: str
    path: str
    handler: HandlerType
    kwargs: dict[str, Any]

    def __repr__(self) -> str:
        handler_name = getattr(self.handler, "__name__", repr(self.handler))
        return (
            f"<RouteDef {self.method} {self.path} -> {handler_name!r}{_kwargs_repr(self.kwargs)}>"
        )

    def register(self, router: RouterLike) -> list[AbstractRoute]:
        method = self.method.upper()
        if method in _SHORTCUTS:
            add = getattr(router, "add_" + method.lower())
            return [add(self.path, self.handler, **self.kwargs)]
        return [router.add_route(method, self.path, self.handler, **self.kwargs)]


@dataclass(frozen=True, repr=False)
class StaticDef(AbstractRouteDef):
    """A static-files resource not registered yet: ``prefix``, ``path``, ``kwargs``."""

    __slots__ = ("kwargs", "path", "prefix")

    prefix: str
    path: str | PathLike[str]
    kwargs: dict[str, Any]

    def __repr__(self) -> str:
        return f"<StaticDef {self.prefix} -> {self.path}{_kwargs_repr(self.kwargs)}>"

    def register(self, router: RouterLike) -> list[AbstractRoute]:
        resource = router.add_static(self.prefix, self.path, **self.kwargs)
        return list(resource)


def route(method: str, path: str, handler: HandlerType, **kwargs: Any) -> RouteDef:
    return RouteDef(method, path, handler, kwargs)


def head(path: str, handler: HandlerType, **kwargs: Any) -> RouteDef:
    return route("HEAD", path, handler, **kwargs)


def options(path: str, handler: HandlerType, **kwargs: Any) -> RouteDef:
    return route("OPTIONS", path, handler, **kwargs)


def get(
    path: str,
    handler: HandlerType,
    *,
    name: str | None = None,
    allow_head: bool = True,
    **kwargs: Any,
) -> RouteDef:
    return route("GET", path, handler, name=name, allow_head=allow_head, **kwargs)


def post(path: str, handler: HandlerType, **kwargs: Any) -> RouteDef:
    return route("POST", path, handler, **kwargs)


def put(path: str, handler: HandlerType, **kwargs: Any) -> RouteDef:
    return route("PUT", path, handler, **kwargs)


def patch(path: str, handler: HandlerType, **kwargs: Any) -> RouteDef:
    return route("PATCH", path, handler, **kwargs)


def delete(path: str, handler: HandlerType, **kwargs: Any) -> RouteDef:
    return route("DELETE", path, handler, **kwargs)


def view(path: str, handler: type[Any], **kwargs: Any) -> RouteDef:
    return route("*", path, handler, **kwargs)


def static(prefix: str, path: str | PathLike[str], **kwargs: Any) -> StaticDef:
    return StaticDef(prefix, path, kwargs)


class RouteTableDef(Sequence[AbstractRouteDef]):
    """A list of route definitions filled by decorators.

    ``prefix`` (``"/api"``) is put before every path given to the decorators;
    ``middlewares`` wrap every handler of this table and run for its routes only, after
    the application's own middlewares (the first listed is the outermost).
    """

    def __init__(self, prefix: str = "", *, middlewares: Iterable[ScopedMiddleware] = ()) -> None:
        if prefix:
            if not prefix.startswith("/"):
                raise ValueError(f"prefix must start with '/', got {prefix!r}")
            prefix = prefix.rstrip("/")
        mws = tuple(middlewares)
        for mw in mws:
            if not callable(mw):
                raise TypeError(f"middlewares must be callables, got {mw!r}")
        self._items: list[AbstractRouteDef] = []
        self._prefix = prefix
        self._middlewares = mws

    @property
    def prefix(self) -> str:
        return self._prefix

    @property
    def middlewares(self) -> tuple[ScopedMiddleware, ...]:
        return self._middlewares

    def __repr__(self) -> str:
        extra = f" prefix={self._prefix!r}" if self._prefix else ""
        if self._middlewares:
            extra += f" middlewares={len(self._middlewares)}"
        return f"<RouteTableDef count={len(self._items)}{extra}>"

    @overload
    def __getitem__(self, index: int) -> AbstractRouteDef: ...

    @overload
    def __getitem__(self, index: slice) -> list[AbstractRouteDef]: ...

    def __getitem__(self, index: int | slice) -> AbstractRouteDef | list[AbstractRouteDef]:
        return self._items[index]

    def __iter__(self) -> Iterator[AbstractRouteDef]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, item: object) -> bool:
        return item in self._items

    def _path(self, path: str) -> str:
        if not self._prefix:
            return path
        if not path.startswith("/"):
            raise ValueError(f"path must start with '/', got {path!r}")
        return self._prefix + path if path != "/" else self._prefix

    def route(self, method: str, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        full = self._path(path)

        def inner(handler: _H) -> _H:
            wrapped = wrap_handler(handler, self._middlewares)
            self._items.append(RouteDef(method, full, wrapped, kwargs))
            return handler

        return inner

    def head(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("HEAD", path, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("POST", path, **kwargs)

    def put(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("PUT", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("DELETE", path, **kwargs)

    def options(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("OPTIONS", path, **kwargs)

    def view(self, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        return self.route("*", path, **kwargs)

    def static(self, prefix: str, path: str | PathLike[str], **kwargs: Any) -> None:
        if self._middlewares:
            raise TypeError(
                "a route group with middlewares cannot hold static routes (the static "
                "resource has its own handler); use the application's middlewares"
            )
        self._items.append(StaticDef(self._path(prefix), path, kwargs))
