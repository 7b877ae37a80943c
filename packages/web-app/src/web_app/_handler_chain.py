"""The handler chain: a route's handler wrapped in the middlewares of every app on the stack.

Theory of operation
-------------------
A request routed into a sub-application runs the middlewares of each app on its match
info's ``apps`` stack, outermost app first, then the handler. ``compose`` builds that chain
once per (route, app chain) and the application caches it (a 404/405 uses one cached chain
per app chain around ``raise_miss``, which raises the miss's exception); a chain with
old-style middleware factories is built per request (``LegacyChain``), as aiohttp does.
While an app's layer runs, it is the request's ``app`` (``switch_app``).

This module knows an application only as a ``MiddlewareLayer`` and a request only as a
``RoutedRequest``, so it sits below ``_app`` (``Application``, ``Request``), which uses it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial, update_wrapper
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar, cast

if TYPE_CHECKING:
    from web_routing import UrlMappingMatchInfo

    from ._stream_response import StreamResponse

__all__ = (
    "LegacyChain",
    "MiddlewareLayer",
    "RoutedRequest",
    "compose",
    "compose_legacy",
    "raise_miss",
)


class RoutedRequest(Protocol):
    """What the chain reads of a request: its match info (``Request`` is one)."""

    @property
    def match_info(self) -> UrlMappingMatchInfo: ...


class MiddlewareLayer(Protocol):
    """What the chain reads of an application on the stack (``Application`` is one).

    Both are set when the application is frozen: the new-style middlewares in order, and every
    middleware with whether it is new-style (old-style ones are ``factory(app, handler)``).
    """

    @property
    def _middleware_tuple(self) -> tuple[Callable[..., Awaitable[StreamResponse]], ...]: ...

    @property
    def _middleware_kinds(self) -> tuple[tuple[Any, bool], ...]: ...


_Rq = TypeVar("_Rq", bound=RoutedRequest)
_LegacyFactory = Callable[[Any, Any], Awaitable[Any]]


async def raise_miss(request: RoutedRequest) -> NoReturn:
    """The handler of every 404/405: raise the exception routing chose."""
    exc = request.match_info.http_exception
    if exc is None:  # only reachable through a middleware swapping match info
        raise RuntimeError("request resolved after all")
    raise exc


def _switch_app(
    app: MiddlewareLayer, handler: Callable[[_Rq], Awaitable[StreamResponse]]
) -> Callable[[_Rq], Awaitable[StreamResponse]]:
    """Make ``app`` the request's ``app`` while ``handler`` (its layer) runs."""

    async def switch(request: _Rq) -> StreamResponse:
        match_info = request.match_info
        prev = match_info.current_app
        match_info.current_app = app
        try:
            return await handler(request)
        finally:
            match_info.current_app = prev

    return update_wrapper(switch, handler)


def _switch_needed(apps: tuple[MiddlewareLayer, ...], index: int, first_with_mw: int) -> bool:
    """Whether layer ``index`` must set ``current_app`` (see ``compose``)."""
    last = len(apps) - 1
    if index == last:
        # the route's own app is current from the start unless an outer
        # app's layer changed it
        return first_with_mw < last
    return bool(apps[index]._middleware_tuple) and index >= first_with_mw


def _as_any(mw: object) -> Callable[..., Awaitable[StreamResponse]]:
    """Middlewares are called with ``handler=`` by keyword (aiohttp's contract)."""
    return cast("Callable[..., Awaitable[StreamResponse]]", mw)


def compose(
    handler: Callable[[_Rq], Awaitable[StreamResponse]], apps: tuple[MiddlewareLayer, ...]
) -> Callable[[_Rq], Awaitable[StreamResponse]]:
    """Wrap ``handler`` in the new-style middlewares of ``apps`` (outermost first)."""
    first = next((i for i, app in enumerate(apps) if app._middleware_tuple), len(apps))
    for index in range(len(apps) - 1, -1, -1):
        app = apps[index]
        for mw in reversed(app._middleware_tuple):
            handler = update_wrapper(partial(_as_any(mw), handler=handler), handler)
        if _switch_needed(apps, index, first):
            handler = _switch_app(app, handler)
    return handler


async def compose_legacy(
    handler: Callable[[_Rq], Awaitable[StreamResponse]], apps: tuple[MiddlewareLayer, ...]
) -> Callable[[_Rq], Awaitable[StreamResponse]]:
    """Like ``compose`` for chains with old-style factories (awaited per request)."""
    for app in reversed(apps):
        for mw, new_style in reversed(app._middleware_kinds):
            if new_style:
                handler = update_wrapper(partial(_as_any(mw), handler=handler), handler)
            else:
                handler = await cast("_LegacyFactory", mw)(app, handler)
        if len(apps) > 1:
            handler = _switch_app(app, handler)
    return handler


class LegacyChain:
    """Per-request chain when old-style middleware factories are involved."""

    __slots__ = ("_apps", "_handler")

    def __init__(
        self,
        handler: Callable[[Any], Awaitable[StreamResponse]],
        apps: tuple[MiddlewareLayer, ...],
    ) -> None:
        self._handler = handler
        self._apps = apps

    async def __call__(self, request: RoutedRequest) -> StreamResponse:
        handler = await compose_legacy(self._handler, self._apps)
        return await handler(request)
