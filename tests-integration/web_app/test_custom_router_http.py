"""Routers as aiohttp lets them be: a user's own ``AbstractRouter``, a router shared with a
sub-application, and percent-encoded paths resolved as aiohttp resolves them.

The expected outcomes of the percent-encoding table were observed on aiohttp 3.14 with the
same routes; where aiohttp answers 500 (a router shared with a sub-app recursing forever) we
answer 404.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest
import web
from support import serve
from web.abc import AbstractMatchInfo, AbstractRouter

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class TableMatchInfo(AbstractMatchInfo):
    """A match info written as for aiohttp: only aiohttp's abstract members."""

    def __init__(self, handler: Handler, exc: web.HTTPException | None = None) -> None:
        self._handler = handler
        self._exc = exc
        self._apps: tuple[web.Application, ...] = ()
        self._frozen = False

    @property
    def handler(self) -> Handler:
        return self._handler

    @property
    def expect_handler(self) -> Callable[[web.Request], Awaitable[None]]:
        async def refuse_expectations(request: web.Request) -> None:
            raise web.HTTPExpectationFailed(text="no expectations here")

        return refuse_expectations

    @property
    def http_exception(self) -> web.HTTPException | None:
        return self._exc

    def get_info(self) -> dict[str, Any]:
        return {"router": "table"}

    @property
    def apps(self) -> tuple[web.Application, ...]:
        return self._apps

    def add_app(self, app: web.Application) -> None:
        assert not self._frozen
        self._apps = (app, *self._apps)

    def freeze(self) -> None:
        self._frozen = True


class TableRouter(AbstractRouter):
    """A dict of exact paths; anything else is a 404 whose handler raises it."""

    def __init__(self) -> None:
        super().__init__()
        self.table: dict[str, Handler] = {}
        self.apps: list[web.Application] = []

    def post_init(self, app: Any) -> None:
        self.apps.append(app)

    async def resolve(self, request: web.Request) -> AbstractMatchInfo:
        await asyncio.sleep(0)  # a router may really be async (a database, a service)
        handler = self.table.get(request.path)
        if handler is None:
            exc = web.HTTPNotFound(text=f"no route for {request.path}")

            async def raise_miss(request: web.Request) -> web.StreamResponse:
                raise exc

            return TableMatchInfo(raise_miss, exc)
        return TableMatchInfo(handler)


def _custom_app(**kwargs: Any) -> tuple[web.Application, TableRouter]:
    router = TableRouter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # aiohttp deprecates router=
        app = web.Application(router=router, **kwargs)
    return app, router


async def test_own_router_serves_with_middlewares_and_request_app() -> None:
    seen: list[str] = []

    @web.middleware
    async def mark(request: web.Request, handler: Handler) -> web.StreamResponse:
        seen.append(f"{request.path} {request.match_info.get_info()['router']}")
        resp = await handler(request)
        resp.headers["X-Mw"] = "1"
        return resp

    app, router = _custom_app(middlewares=[mark])
    key = web.AppKey("name", str)
    app[key] = "table-app"

    async def hello(request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"hello from {request.app[key]}")

    router.table["/hello"] = hello
    assert router.apps == [app]  # post_init told the router its application
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        ok = await client.get("/hello")
        missing = await client.get("/nope")
        expect = await client.post("/hello", content=b"x", headers={"Expect": "100-continue"})
    assert (ok.status_code, ok.text, ok.headers["X-Mw"]) == (200, "hello from table-app", "1")
    assert (missing.status_code, missing.text) == (404, "no route for /nope")
    assert (expect.status_code, expect.text) == (417, "no expectations here")
    assert router.frozen
    assert seen == ["/hello table", "/nope table"]  # middlewares see the miss, as in aiohttp


async def test_router_returning_something_else_is_a_500_not_a_crash() -> None:
    class BadRouter(AbstractRouter):
        async def resolve(self, request: web.Request) -> AbstractMatchInfo:
            return "not a match info"  # type: ignore[return-value]

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        app = web.Application(router=BadRouter())
    async with serve(app) as base, httpx.AsyncClient(base_url=base) as client:
        first = await client.get("/")
        second = await client.get("/")  # the server is still there
    assert first.status_code == second.status_code == 500
    assert "Traceback" not in first.text


def test_non_router_is_refused_and_custom_routers_cannot_host_sub_apps() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        with pytest.raises(TypeError, match="AbstractRouter"):
            web.Application(router=object())  # type: ignore[arg-type]
        app, _ = _custom_app()
    with pytest.raises(TypeError, match="UrlDispatcher"):
        app.add_subapp("/sub", web.Application())
    with pytest.raises(TypeError, match="UrlDispatcher"):
        web.Application().add_subapp("/sub", app)


def _tagged(tag: str) -> Handler:
    async def handler(request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"{tag} {request.app['name']} {len(request.match_info.apps)}")

    return handler


@pytest.fixture
def _no_app_key_warnings() -> Iterator[None]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # str app keys and router= are deprecated, as in aiohttp
        yield


@pytest.mark.usefixtures("_no_app_key_warnings")
async def test_sub_app_sharing_its_parents_router_resolves_as_aiohttp() -> None:
    parent = web.Application()
    parent["name"] = "parent"
    parent.router.add_get("/p", _tagged("p"))
    child = web.Application(router=parent.router)
    child["name"] = "child"
    child.router.add_get("/c", _tagged("c"))
    parent.add_subapp("/sub", child)  # prefixes every resource of the shared router
    async with serve(parent) as base, httpx.AsyncClient(base_url=base) as client:
        answers = {p: await client.get(p) for p in ("/p", "/sub/p", "/sub/c", "/c", "/sub/zz")}
    got = {p: (r.status_code, r.text if r.status_code == 200 else "") for p, r in answers.items()}
    assert got == {
        "/p": (404, ""),
        "/sub/p": (200, "p parent 1"),  # found in the shared table itself, as in aiohttp
        "/sub/c": (200, "c parent 1"),
        "/c": (404, ""),
        "/sub/zz": (404, ""),  # aiohttp: RecursionError, 500
    }


@pytest.mark.usefixtures("_no_app_key_warnings")
async def test_one_router_shared_by_two_sub_apps_and_one_sub_app_added_twice() -> None:
    shared = web.UrlDispatcher()
    one = web.Application(router=shared)
    one["name"] = "one"
    two = web.Application(router=shared)
    two["name"] = "two"
    shared.add_get("/x", _tagged("x"))
    parent = web.Application()
    parent["name"] = "parent"
    parent.add_subapp("/one", one)
    parent.add_subapp("/two", two)  # prefixes the shared resources a second time
    twice = web.Application()
    twice["name"] = "twice"
    twice.router.add_get("/c", _tagged("c"))
    parent.add_subapp("/a", twice)
    parent.add_subapp("/b", twice)
    async with serve(parent) as base, httpx.AsyncClient(base_url=base) as client:
        paths = ("/one/x", "/two/x", "/two/one/x", "/a/c", "/b/c", "/b/a/c")
        got = {p: (await client.get(p)) for p in paths}
    assert {p: r.status_code for p, r in got.items()} == {
        "/one/x": 404,
        "/two/x": 404,
        "/two/one/x": 200,
        "/a/c": 404,
        "/b/c": 404,
        "/b/a/c": 200,
    }
    assert got["/two/one/x"].text == "x two 2"
    assert got["/b/a/c"].text == "c twice 2"


async def _raw_get(base: str, target: str) -> tuple[int, str]:
    host, port = base.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(f"GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = await asyncio.wait_for(reader.read(), 5)
    writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), body.decode("utf-8", "replace")


PERCENT_CASES = [
    # (request target, status, body) as aiohttp 3.14 answers them
    ("/1%2C3/hello", 200, "/1,3/hello|{'a': '1,3'}"),
    ("/1,3/hello", 200, "/1,3/hello|{'a': '1,3'}"),
    ("/1%2F3/hello", 200, "/1/3/hello|{'a': '1/3'}"),
    ("/%2F/hello", 200, "///hello|{'a': '/'}"),
    ("/num/12", 200, "/num/12|{'n': '12'}"),
    ("/num/%31%32", 200, "/num/12|{'n': '12'}"),
    ("/num/1%2", 404, None),
    ("/num/%", 404, None),
    ("/re/a%2Fb%20c", 200, "/re/a/b c|{'p': 'a/b c'}"),
    ("/sp%20ace", 200, "/sp ace|{}"),
    ("/x/a%2Cb/c", 200, "/x/a,b/c|{'a': 'a,b', 'b': 'c'}"),
    ("/%", 404, None),
    ("/%zz/hello", 200, "/%zz/hello|{'a': '%zz'}"),
    ("/%C0%AF/hello", 200, "/%C0%AF/hello|{'a': '%C0%AF'}"),
    ("/r2/,", 200, "/r2/{x}|{'x': ','}"),
    ("/r2/%25%2C", 404, None),
]


async def test_percent_encoded_paths_and_regex_routes_resolve_as_aiohttp() -> None:
    async def show(request: web.Request) -> web.StreamResponse:
        return web.Response(text=f"{request.path}|{dict(request.match_info)}")

    async def show_route(request: web.Request) -> web.StreamResponse:
        canonical = request.match_info.route.resource.canonical  # type: ignore[union-attr]
        return web.Response(text=f"{canonical}|{dict(request.match_info)}")

    app = web.Application()
    app.router.add_get("/{a}/hello", show)
    app.router.add_get(r"/re/{p:.*}", show)
    app.router.add_get("/sp ace", show)
    app.router.add_get(r"/x/{a:[a-z,]+}/{b}", show)
    app.router.add_get(r"/r2/{x:[%,]+}", show_route)
    route = app.router.add_get(r"/num/{n:\d+}", show)
    # raw_match: the same regex path reuses the last resource, as in aiohttp
    assert route.resource is not None and route.resource.raw_match(r"/num/{n:\d+}")
    assert app.router.add_resource(r"/num/{n:\d+}") is route.resource
    with pytest.raises(RuntimeError, match="will never be executed"):
        app.router.add_get(r"/num/{n:\d+}", show)
    async with serve(app) as base:
        for target, status, body in PERCENT_CASES:
            got_status, got_body = await _raw_get(base, target)
            assert got_status == status, target
            if body is not None:
                assert got_body == body, target
