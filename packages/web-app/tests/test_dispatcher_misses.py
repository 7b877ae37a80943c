"""web_app.UrlDispatcher: misses carry real HTTP exceptions."""

from __future__ import annotations

import web_routing
from web_app import (
    HTTPMethodNotAllowed,
    HTTPNotFound,
    Request,
    Response,
    StreamResponse,
    UrlDispatcher,
)


async def ok(request: Request) -> StreamResponse:
    return Response()


def test_is_web_routing_dispatcher() -> None:
    assert issubclass(UrlDispatcher, web_routing.UrlDispatcher)


def test_miss_is_404() -> None:
    router = UrlDispatcher()
    router.add_get("/a", ok)
    match_info = router.match("GET", "/b")
    exc = match_info.http_exception
    assert isinstance(exc, HTTPNotFound)
    assert exc.status == 404
    assert isinstance(match_info.route, web_routing.SystemRoute)


def test_wrong_method_is_405_with_allowed_methods() -> None:
    router = UrlDispatcher()
    router.add_get("/a", ok, allow_head=False)
    router.add_post("/a", ok)
    exc = router.match("DELETE", "/a").http_exception
    assert isinstance(exc, HTTPMethodNotAllowed)
    assert exc.status == 405
    assert exc.method == "DELETE"
    assert set(exc.allowed_methods) == {"GET", "POST"}


async def test_resolve_is_the_async_api() -> None:
    router = UrlDispatcher()
    router.add_get("/a/{x}", ok)
    match_info = router.match("GET", "/a/1")
    assert match_info.http_exception is None
    assert dict(match_info) == {"x": "1"}
