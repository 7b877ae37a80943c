"""Route groups: ``RouteTableDef(prefix=..., middlewares=...)``."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from web_routing import RouteTableDef, UrlDispatcher

Next = Callable[[Any], Awaitable[Any]]


def canon(route: Any) -> str:
    return str(route.resource.canonical)


def tagger(tag: str, log: list[str]) -> Callable[[Any, Next], Awaitable[Any]]:
    async def mw(request: Any, handler: Next) -> Any:
        log.append(f"{tag}>")
        result = await handler(request)
        log.append(f"<{tag}")
        return f"{tag}({result})"

    return mw


async def test_prefix_and_middlewares_wrap_only_the_group() -> None:
    log: list[str] = []
    api = RouteTableDef("/api/", middlewares=[tagger("a", log), tagger("b", log)])
    plain = RouteTableDef()

    @api.get("/users/{id}")
    async def user(request: Any) -> str:
        log.append("handler")
        return "user"

    @api.get("/")
    async def root(request: Any) -> str:
        return "root"

    @plain.get("/health")
    async def health(request: Any) -> str:
        return "ok"

    assert user.__name__ == "user"  # the decorator returns the handler untouched
    router = UrlDispatcher()
    router.add_routes(api)
    router.add_routes(plain)
    paths = {canon(r) for r in router.routes() if r.method == "GET"}
    assert paths == {"/api/users/{id}", "/api", "/health"}
    grouped = next(r for r in router.routes() if canon(r) == "/api/users/{id}")
    assert await grouped.handler(None) == "a(b(user))"
    assert log == ["a>", "b>", "handler", "<b", "<a"]
    assert grouped.handler.__wrapped__ is user  # type: ignore[union-attr]
    unscoped = next(r for r in router.routes() if canon(r) == "/health")
    assert unscoped.handler is health
    assert "prefix='/api'" in repr(api) and "middlewares=2" in repr(api)


async def test_view_classes_are_wrapped_too() -> None:
    class Thing:
        def __init__(self, request: Any) -> None:
            self.request = request

        def __await__(self) -> Any:
            async def run() -> str:
                return "view"

            return run().__await__()

    group = RouteTableDef("/v", middlewares=[tagger("m", [])])
    group.view("/thing")(Thing)
    router = UrlDispatcher()
    router.add_routes(group)
    route = next(iter(router.routes()))
    assert await route.handler(None) == "m(view)"
    assert route.handler.__wrapped__ is Thing  # type: ignore[union-attr]


def test_bad_group_arguments() -> None:
    with pytest.raises(ValueError, match="prefix must start"):
        RouteTableDef("api")
    with pytest.raises(TypeError, match="callables"):
        RouteTableDef("/api", middlewares=["nope"])  # type: ignore[list-item]
    group = RouteTableDef("/api")
    with pytest.raises(ValueError, match="path must start"):
        group.get("users")
    with pytest.raises(TypeError, match="static"):
        RouteTableDef("/x", middlewares=[tagger("t", [])]).static("/s", ".")
    group.static("/s", ".")
    assert group[0].prefix == "/api/s"  # type: ignore[attr-defined]
