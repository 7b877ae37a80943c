"""aiohttp-sse's README example: a stream of events from a handler."""

from __future__ import annotations

from aiohttp import web
from aiohttp_sse import sse_response


async def hello(request: web.Request) -> web.StreamResponse:
    async with sse_response(request) as resp:
        for number in range(3):
            await resp.send(f"event {number}", id=str(number))
        await resp.send("done", event="end")
    return resp


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/hello", hello)
    return app
