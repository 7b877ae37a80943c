# mypy: disable-error-code="no-untyped-call,misc"
"""The quickstart's examples (seeds 000/001/002), run as written apart from the import.

The example bodies use ``import web`` exactly as aiohttp's docs use ``from aiohttp import web``,
and each app is served by the public runner API on an ephemeral port.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import web
from yarl import URL


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[httpx.AsyncClient]:
    """Run ``app`` with AppRunner and TCPSite on an ephemeral port and yield a client."""
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            yield client
    finally:
        await runner.cleanup()


async def test_hello_with_add_routes() -> None:
    async def hello(request):  # type: ignore[no-untyped-def]
        return web.Response(text="Hello, world")

    app = web.Application()
    app.add_routes([web.get("/", hello)])
    async with serve(app) as client:
        resp = await client.get("/")
    assert (resp.status_code, resp.text) == (200, "Hello, world")


async def test_route_table_decorators() -> None:
    routes = web.RouteTableDef()

    @routes.get("/")
    async def hello(request):  # type: ignore[no-untyped-def]
        return web.Response(text="Hello, world")

    @routes.post("/post")
    async def post_handler(request):  # type: ignore[no-untyped-def]
        return web.Response(text="posted")

    @routes.put("/put")
    async def put_handler(request):  # type: ignore[no-untyped-def]
        return web.Response(text="put")

    app = web.Application()
    app.add_routes(routes)
    async with serve(app) as client:
        assert (await client.get("/")).text == "Hello, world"
        assert (await client.post("/post")).text == "posted"
        assert (await client.put("/put")).text == "put"
        assert (await client.delete("/put")).status_code == 405


async def test_wildcard_method_and_allow_head() -> None:
    async def all_handler(request):  # type: ignore[no-untyped-def]
        return web.Response(text=request.method)

    async def handler(request):  # type: ignore[no-untyped-def]
        return web.Response(text="get only")

    app = web.Application()
    app.add_routes([web.route("*", "/path", all_handler)])
    app.add_routes([web.get("/", handler, allow_head=False)])
    async with serve(app) as client:
        assert (await client.request("PATCH", "/path")).text == "PATCH"
        assert (await client.get("/path")).text == "GET"
        assert (await client.head("/")).status_code == 405
        assert (await client.get("/")).text == "get only"


async def test_variable_resources() -> None:
    routes = web.RouteTableDef()

    @routes.get(r"/num/{name:\d+}")
    async def number(request):  # type: ignore[no-untyped-def]
        return web.Response(text="number {}".format(request.match_info["name"]))

    @routes.get("/{name}")
    async def variable_handler(request):  # type: ignore[no-untyped-def]
        return web.Response(text="Hello, {}".format(request.match_info["name"]))

    app = web.Application()
    app.add_routes(routes)
    async with serve(app) as client:
        assert (await client.get("/john")).text == "Hello, john"
        assert (await client.get("/num/42")).text == "number 42"
        assert (await client.get("/num/x")).status_code == 404


async def test_named_resources_and_url_for() -> None:
    routes = web.RouteTableDef()
    urls: list[URL] = []

    @routes.get("/root", name="root")
    async def handler(request):  # type: ignore[no-untyped-def]
        url = request.app.router["root"].url_for().with_query({"a": "b", "c": "d"})
        assert url == URL("/root?a=b&c=d")
        url = request.app.router["user-info"].url_for(user="john_doe")
        url_with_qs = url.with_query("a=b")
        assert url_with_qs == URL("/john_doe/info?a=b")
        urls.append(url_with_qs)
        return web.Response(text=str(url_with_qs))

    app = web.Application()
    app.add_routes(routes)
    app.router.add_resource(r"/{user}/info", name="user-info")
    async with serve(app) as client:
        resp = await client.get("/root")
    assert resp.text == "/john_doe/info?a=b"
    assert len(urls) == 1


async def test_handlers_in_classes() -> None:
    class Handler:
        def __init__(self):  # type: ignore[no-untyped-def]
            pass

        async def handle_intro(self, request):  # type: ignore[no-untyped-def]
            return web.Response(text="Hello, world")

        async def handle_greeting(self, request):  # type: ignore[no-untyped-def]
            name = request.match_info.get("name", "Anonymous")
            txt = "Hello, {}".format(name)  # noqa: UP032 (as in the docs)
            return web.Response(text=txt)

    handler = Handler()
    app = web.Application()
    app.add_routes(
        [web.get("/intro", handler.handle_intro), web.get("/greet/{name}", handler.handle_greeting)]
    )
    async with serve(app) as client:
        assert (await client.get("/intro")).text == "Hello, world"
        assert (await client.get("/greet/ann")).text == "Hello, ann"


async def test_class_based_views() -> None:
    async def get_resp(request):  # type: ignore[no-untyped-def]
        return web.Response(text="got")

    async def post_resp(request):  # type: ignore[no-untyped-def]
        return web.Response(text="posted")

    class MyView(web.View):
        async def get(self):  # type: ignore[no-untyped-def]
            return await get_resp(self.request)

        async def post(self):  # type: ignore[no-untyped-def]
            return await post_resp(self.request)

    routes = web.RouteTableDef()

    @routes.view("/view")
    class MyView2(web.View):
        async def get(self):  # type: ignore[no-untyped-def]
            return web.Response(text="view2")

    app = web.Application()
    app.add_routes([web.view("/path/to", MyView)])
    app.router.add_routes(routes)
    async with serve(app) as client:
        assert (await client.get("/path/to")).text == "got"
        assert (await client.post("/path/to")).text == "posted"
        resp = await client.put("/path/to")
        assert resp.status_code == 405
        assert set(resp.headers["Allow"].split(",")) == {"GET", "POST"}
        assert (await client.get("/view")).text == "view2"


async def test_user_view_from_api_summary() -> None:
    class UserView(web.View):
        async def get(self):  # type: ignore[no-untyped-def]
            user_id = self.request.match_info["user_id"]
            return web.json_response({"user_id": user_id})

        async def post(self):  # type: ignore[no-untyped-def]
            data = await self.request.json()
            return web.json_response({"created": True, "data": data}, status=201)

        async def delete(self):  # type: ignore[no-untyped-def]
            return web.Response(status=204)

    app = web.Application()
    app.router.add_view("/users/{user_id}", UserView)
    async with serve(app) as client:
        assert (await client.get("/users/7")).json() == {"user_id": "7"}
        resp = await client.post("/users/7", json={"n": 1})
        assert (resp.status_code, resp.json()) == (201, {"created": True, "data": {"n": 1}})
        assert (await client.delete("/users/7")).status_code == 204
        assert (await client.patch("/users/7")).status_code == 405


async def test_json_response_and_redirect_to_named_route() -> None:
    async def handler(request):  # type: ignore[no-untyped-def]
        data = {"some": "data"}
        return web.json_response(data)

    async def redirect(request):  # type: ignore[no-untyped-def]
        location = request.app.router["login"].url_for()
        raise web.HTTPFound(location=location)

    async def login_handler(request):  # type: ignore[no-untyped-def]
        return web.Response(text="login page")

    app = web.Application()
    router = app.router
    router.add_get("/json", handler)
    router.add_get("/handler", redirect)
    router.add_get("/login", login_handler, name="login")
    async with serve(app) as client:
        resp = await client.get("/json")
        assert resp.json() == {"some": "data"}
        assert resp.headers["Content-Type"].startswith("application/json")
        resp = await client.get("/handler")
        assert (resp.status_code, resp.headers["Location"]) == (302, "/login")
        followed = await client.get("/handler", follow_redirects=True)
        assert followed.text == "login page"


async def test_middleware_usage_example() -> None:
    @web.middleware
    async def timing_middleware(request, handler):  # type: ignore[no-untyped-def]
        start_time = time.time()
        response = await handler(request)
        process_time = time.time() - start_time
        response.headers["X-Process-Time"] = str(process_time)
        return response

    @web.middleware
    async def auth_middleware(request, handler):  # type: ignore[no-untyped-def]
        auth_header = request.headers.get("Authorization")
        if not auth_header:
            raise web.HTTPUnauthorized()
        return await handler(request)

    app = web.Application(middlewares=[timing_middleware, auth_middleware])

    async def protected_handler(request):  # type: ignore[no-untyped-def]
        return web.json_response({"message": "Access granted"})

    app.router.add_get("/protected", protected_handler)
    async with serve(app) as client:
        resp = await client.get("/protected")
        assert resp.status_code == 401
        resp = await client.get("/protected", headers={"Authorization": "Bearer x"})
        assert resp.json() == {"message": "Access granted"}
        assert float(resp.headers["X-Process-Time"]) >= 0


async def test_app_key_and_cleanup_ctx_example() -> None:
    class Engine:
        def __init__(self) -> None:
            self.closed = False

    engines: list[Engine] = []
    pg_engine = web.AppKey("pg_engine", Engine)

    async def pg_engine_ctx(app):  # type: ignore[no-untyped-def]
        app[pg_engine] = Engine()
        engines.append(app[pg_engine])
        yield
        app[pg_engine].closed = True

    async def handler(request):  # type: ignore[no-untyped-def]
        engine = request.app[pg_engine]
        return web.Response(text=f"closed={engine.closed}")

    app = web.Application()
    app.cleanup_ctx.append(pg_engine_ctx)
    app.router.add_get("/", handler)
    async with serve(app) as client:
        assert (await client.get("/")).text == "closed=False"
    assert engines and engines[0].closed


async def test_normalize_path_middleware_example() -> None:
    async def handler(request):  # type: ignore[no-untyped-def]
        return web.Response(text=request.path)

    app = web.Application(middlewares=[web.normalize_path_middleware()])
    app.router.add_get("/resource1/", handler)
    async with serve(app) as client:
        resp = await client.get("/resource1")
        assert (resp.status_code, resp.headers["Location"]) == (308, "/resource1/")
        resp = await client.get("/resource1//")
        assert (resp.status_code, resp.headers["Location"]) == (308, "/resource1/")
        assert (await client.get("/resource1", follow_redirects=True)).text == "/resource1/"


async def test_sub_application_example() -> None:
    async def index(request):  # type: ignore[no-untyped-def]
        return web.Response(text="root")

    async def admin_index(request):  # type: ignore[no-untyped-def]
        url = request.app.router["admin-index"].url_for()
        return web.Response(text=f"admin {url}")

    admin = web.Application()
    admin.add_routes([web.get("/", admin_index, name="admin-index")])
    app = web.Application()
    app.add_routes([web.get("/", index)])
    app.add_subapp("/admin/", admin)
    async with serve(app) as client:
        assert (await client.get("/")).text == "root"
        assert (await client.get("/admin/")).text == "admin /admin/"
        assert (await client.get("/admin/nothing")).status_code == 404
