"""aiohttp-jinja2's documented usage: @template on a function and on a class-based view."""

from __future__ import annotations

from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web

TEMPLATES = {
    "index.html": "<h1>{{ title }}</h1><p>{{ request.path }}</p>",
    "view.html": "<p>view {{ name }} via {{ request.method }}</p>",
}


@aiohttp_jinja2.template("index.html")
async def index(request: web.Request) -> dict[str, Any]:
    return {"title": "Hello <jinja2>"}


class Greeting(web.View):
    @aiohttp_jinja2.template("view.html")
    async def get(self) -> dict[str, Any]:
        return {"name": self.request.match_info["name"]}


async def rendered(request: web.Request) -> web.Response:
    return aiohttp_jinja2.render_template("index.html", request, {"title": "direct"})


def make_app() -> web.Application:
    app = web.Application()
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.DictLoader(TEMPLATES),
        autoescape=True,
        context_processors=[aiohttp_jinja2.request_processor],
    )
    app.router.add_get("/", index)
    app.router.add_view("/hello/{name}", Greeting)
    app.router.add_get("/direct", rendered)
    return app
