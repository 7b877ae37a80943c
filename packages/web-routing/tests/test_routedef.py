from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest
import web_routing as wr
from web_routing import RouteDef, RouteTableDef, StaticDef, UrlDispatcher


async def h1(request: Any) -> str:
    return "h1"


@pytest.mark.parametrize(
    ("factory", "method"),
    [
        (wr.get, "GET"),
        (wr.post, "POST"),
        (wr.put, "PUT"),
        (wr.patch, "PATCH"),
        (wr.delete, "DELETE"),
        (wr.head, "HEAD"),
        (wr.options, "OPTIONS"),
        (wr.view, "*"),
    ],
)
def test_module_functions(factory: Any, method: str) -> None:
    rd = factory("/p", h1, name="n")
    assert isinstance(rd, RouteDef)
    assert (rd.method, rd.path, rd.handler) == (method, "/p", h1)
    assert rd.kwargs["name"] == "n"
    router = UrlDispatcher()
    routes = rd.register(router)
    assert routes[-1].method == method
    assert router["n"] is routes[0].resource


def test_get_def_defaults_and_repr() -> None:
    rd = wr.get("/x", h1)
    assert rd.kwargs == {"name": None, "allow_head": True}
    assert repr(rd) == "<RouteDef GET /x -> 'h1', allow_head=True, name=None>"
    router = UrlDispatcher()
    router.add_routes([wr.get("/x", h1, allow_head=False)])
    assert [r.method for r in router.routes()] == ["GET"]


def test_route_function_with_custom_method() -> None:
    router = UrlDispatcher()
    routes = router.add_routes([wr.route("PROPFIND", "/dav", h1), wr.route("trace", "/t", h1)])
    assert [r.method for r in routes] == ["PROPFIND", "TRACE"]
    assert router.match("PROPFIND", "/dav").handler is h1


def test_routedef_is_frozen() -> None:
    rd = wr.post("/x", h1)
    with pytest.raises(AttributeError):
        rd.path = "/y"  # type: ignore[misc]


def test_static_def() -> None:
    sd = wr.static("/static", "/srv", show_index=True)
    assert isinstance(sd, StaticDef)
    assert (sd.prefix, sd.path, sd.kwargs) == ("/static", "/srv", {"show_index": True})
    assert repr(sd) == "<StaticDef /static -> /srv, show_index=True>"


def test_route_table_def_decorators() -> None:
    routes = RouteTableDef()

    @routes.get("/get", name="g")
    async def handle_get(request: Any) -> str:
        return "g"

    @routes.post("/post")
    async def handle_post(request: Any) -> str:
        return "p"

    for deco, method in [
        (routes.put, "PUT"),
        (routes.patch, "PATCH"),
        (routes.delete, "DELETE"),
        (routes.head, "HEAD"),
        (routes.options, "OPTIONS"),
        (routes.view, "*"),
    ]:
        deco(f"/{method.strip('*') or 'view'}")(h1)
    routes.route("LOCK", "/lock")(h1)
    routes.static("/s", "/srv")

    assert isinstance(routes, Sequence)
    assert len(routes) == 10
    assert repr(routes) == "<RouteTableDef count=10>"
    first = routes[0]
    assert isinstance(first, RouteDef) and first.handler is handle_get
    assert routes[0:2] == [routes[0], routes[1]]
    assert routes[1] in routes
    assert [rd.method for rd in routes[2:9]] == [  # type: ignore[attr-defined]
        "PUT",
        "PATCH",
        "DELETE",
        "HEAD",
        "OPTIONS",
        "*",
        "LOCK",
    ]
    assert isinstance(routes[9], StaticDef)

    router = UrlDispatcher()
    registered = router.add_routes(routes[:9])
    assert len(registered) == 9
    assert router.match("GET", "/get").handler is handle_get
    assert router.match("HEAD", "/get").handler is handle_get
    assert router.match("POST", "/post").handler is handle_post


def test_decorator_returns_handler_unchanged() -> None:
    routes = RouteTableDef()
    assert routes.get("/x")(h1) is h1
