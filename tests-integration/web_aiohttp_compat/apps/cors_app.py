"""aiohttp-cors's README example: one resource, CORS for one origin, plus a class-based view."""

from __future__ import annotations

import aiohttp_cors
from aiohttp import web


async def handler(request: web.Request) -> web.Response:
    return web.Response(text="Hello!", headers={"X-Custom-Server-Header": "Custom data"})


class CorsView(web.View, aiohttp_cors.CorsViewMixin):
    async def get(self) -> web.Response:
        return web.Response(text="view")


def make_app() -> web.Application:
    app = web.Application()
    cors = aiohttp_cors.setup(app)
    resource = cors.add(app.router.add_resource("/hello"))
    cors.add(
        resource.add_route("GET", handler),
        {
            "http://client.example.org": aiohttp_cors.ResourceOptions(  # type: ignore[no-untyped-call]
                allow_credentials=True,
                expose_headers=("X-Custom-Server-Header",),
                allow_headers=("X-Requested-With", "Content-Type"),
                max_age=3600,
            )
        },
    )
    view_route = app.router.add_route("*", "/view", CorsView)
    cors.add(view_route, {"*": aiohttp_cors.ResourceOptions()})  # type: ignore[no-untyped-call]
    return app
