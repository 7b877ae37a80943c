"""Route groups with scoped middleware, served for real and called with httpx."""

from __future__ import annotations

import httpx
import web
from support import ServeApp
from web_app import Handler

CALLS = web.AppKey("calls", list)


def make_app() -> web.Application:
    @web.middleware
    async def outer(request: web.Request, handler: Handler) -> web.StreamResponse:
        request.app[CALLS].append("app")
        return await handler(request)

    async def require_token(request: web.Request, handler: Handler) -> web.StreamResponse:
        request.app[CALLS].append("auth")
        if request.headers.get("Authorization") != "Bearer good":
            raise web.HTTPUnauthorized(text="token needed")
        return await handler(request)

    async def stamp(request: web.Request, handler: Handler) -> web.StreamResponse:
        resp = await handler(request)
        resp.headers["X-Api-Version"] = "2"
        return resp

    api = web.RouteTableDef(prefix="/api", middlewares=[require_token, stamp])
    public = web.RouteTableDef()

    @api.get("/items/{id}")
    async def item(request: web.Request) -> web.StreamResponse:
        return web.json_response({"id": request.match_info["id"]})

    @api.view("/things")
    class Things(web.View):
        async def get(self) -> web.StreamResponse:
            return web.Response(text="things")

    @public.get("/health")
    async def health(request: web.Request) -> web.StreamResponse:
        return web.Response(text="ok")

    app = web.Application(middlewares=[outer])
    app[CALLS] = []
    app.add_routes(api)
    app.add_routes(public)
    return app


async def test_group_middlewares_run_only_for_the_group(serve_app: ServeApp) -> None:
    app = make_app()
    good = {"Authorization": "Bearer good"}
    async with serve_app(app) as url, httpx.AsyncClient(base_url=url) as client:
        health = await client.get("/health")
        assert (health.status_code, health.text) == (200, "ok")
        assert "x-api-version" not in health.headers
        assert app[CALLS] == ["app"]

        denied = await client.get("/api/items/7")
        assert (denied.status_code, denied.text) == (401, "token needed")

        item = await client.get("/api/items/7", headers=good)
        assert item.json() == {"id": "7"} and item.headers["x-api-version"] == "2"

        things = await client.get("/api/things", headers=good)
        assert (things.text, things.headers["x-api-version"]) == ("things", "2")
        wrong_method = await client.post("/api/things", headers=good)
        assert wrong_method.status_code == 405

        missing = await client.get("/api/nothing", headers=good)
        assert missing.status_code == 404
    # app middleware first, then the group's; 404s never reach the group
    assert app[CALLS] == ["app", "app", "auth", "app", "auth", "app", "auth", "app", "auth", "app"]
