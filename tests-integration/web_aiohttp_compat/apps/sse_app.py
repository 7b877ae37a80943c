"""aiohttp-sse's README example: a stream of events from a handler."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiohttp_sse import sse_response


async def hello(request: web.Request) -> web.StreamResponse:
    async with sse_response(request) as resp:
        for number in range(3):
            await resp.send(f"event {number}", id=str(number))
        await resp.send("done", event="end")
    return resp


async def forever(request: web.Request) -> web.StreamResponse:
    """Sends until the client goes away (the documented pattern with a ping task running)."""
    async with sse_response(request, ping_interval=0.05) as resp:
        number = 0
        while resp.is_connected():
            await resp.send(f"tick {number}")
            number += 1
            await asyncio.sleep(0.01)
    return resp


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/hello", hello)
    app.router.add_get("/forever", forever)
    return app
