"""Route definitions: describe routes now, register them later.

``RouteDef`` / ``StaticDef`` are frozen slotted dataclasses; ``RouteTableDef``
collects them through decorators (Flask style) and is a ``Sequence``.
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeVar, overload

from ._abc import AbstractRoute, HandlerType

if TYPE_CHECKING:
    from ._dispatcher import UrlDispatcher

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


def _kwargs_repr(kwargs: dict[str, Any]) -> str:
    return "".join(f", {name}={value!r}" for name, value in sorted(kwargs.items()))


class AbstractRouteDef(abc.ABC):
    """Something that can register itself into a router."""

    __slots__ = ()

    @abc.abstractmethod
    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
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

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
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

    def register(self, router: UrlDispatcher) -> list[AbstractRoute]:
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
    """A list of route definitions filled by decorators."""

    def __init__(self) -> None:
        self._items: list[AbstractRouteDef] = []

    def __repr__(self) -> str:
        return f"<RouteTableDef count={len(self._items)}>"

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

    def route(self, method: str, path: str, **kwargs: Any) -> Callable[[_H], _H]:
        def inner(handler: _H) -> _H:
            self._items.append(RouteDef(method, path, handler, kwargs))
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
        self._items.append(StaticDef(prefix, path, kwargs))
