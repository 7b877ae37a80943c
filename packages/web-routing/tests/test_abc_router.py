"""aiohttp's router ABCs: ``AbstractRouter`` and a match info written with only its members."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from web_routing import (
    AbstractMatchInfo,
    AbstractRouter,
    MatchInfoError,
    PrefixedSubAppResource,
    UrlDispatcher,
)


async def handler(request: Any) -> str:
    return "ok"


class MinimalMatchInfo(AbstractMatchInfo):
    def __init__(self) -> None:
        self._apps: tuple[Any, ...] = ()

    @property
    def handler(self) -> Callable[[Any], Awaitable[Any]]:
        return handler

    @property
    def expect_handler(self) -> Callable[[Any], Awaitable[Any]]:
        return handler

    @property
    def http_exception(self) -> Exception | None:
        return None

    def get_info(self) -> dict[str, Any]:
        return {}

    @property
    def apps(self) -> tuple[Any, ...]:
        return self._apps

    def add_app(self, app: Any) -> None:
        self._apps = (app, *self._apps)

    def freeze(self) -> None:
        pass


class MinimalRouter(AbstractRouter):
    async def resolve(self, request: Any) -> AbstractMatchInfo:
        return MinimalMatchInfo()


def test_abstract_router_defaults() -> None:
    router = MinimalRouter()
    assert not router.frozen
    router.post_init(object())  # a no-op unless overridden
    router.freeze()
    assert router.frozen
    with pytest.raises(TypeError):
        AbstractRouter()


def test_url_dispatcher_is_an_abstract_router() -> None:
    router = UrlDispatcher()
    assert isinstance(router, AbstractRouter)
    assert not router.frozen
    router.freeze()
    assert router.frozen


def test_current_app_default_is_the_innermost_then_what_was_set() -> None:
    info = MinimalMatchInfo()
    with pytest.raises(RuntimeError, match="No application"):
        _ = info.current_app
    outer, inner = object(), object()
    info.add_app(inner)
    info.add_app(outer)
    assert info.current_app is inner
    info.current_app = outer
    assert info.current_app is outer
    with pytest.raises(RuntimeError, match="Expected one of"):
        info.current_app = object()


class App:
    def __init__(self, router: UrlDispatcher) -> None:
        self.router = router


def test_sub_app_sharing_the_parents_router_misses_instead_of_recursing() -> None:
    shared = UrlDispatcher()
    shared.add_get("/p", handler)
    parent, child = App(shared), App(shared)
    shared.register_resource(PrefixedSubAppResource("/sub", child))
    found = shared.match("GET", "/sub/p")
    assert not isinstance(found, MatchInfoError)
    assert found.apps == ()  # found in the table itself, not through the sub-app
    miss = shared.match("GET", "/sub/nothing")
    assert isinstance(miss, MatchInfoError) and miss.status == 404
    assert miss.apps == (child,)
    assert shared.match("GET", "/p").http_exception is not None
    assert parent.router is child.router
