"""The demo application the README's first command serves on http://127.0.0.1:8080.

It is written exactly as an aiohttp application would be, with `import web` in place of
`from aiohttp import web`.
"""

from __future__ import annotations

import argparse

import web

routes = web.RouteTableDef()


@routes.get("/")
async def index(request: web.Request) -> web.Response:
    name = request.query.get("name", "world")
    return web.Response(text=f"Hello, {name}!\n")


@routes.get("/users/{uid}")
async def user(request: web.Request) -> web.Response:
    return web.json_response({"uid": request.match_info["uid"], "path": request.path})


@routes.post("/echo")
async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.Response(body=body, content_type=request.content_type)


def make_app() -> web.Application:
    app = web.Application()
    app.add_routes(routes)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8080)
    args = parser.parse_args()
    web.run_app(make_app(), host=args.host, port=args.port)


if __name__ == "__main__":
    main()
