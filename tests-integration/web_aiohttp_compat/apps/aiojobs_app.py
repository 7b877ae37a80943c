"""aiojobs' aiohttp integration as documented: setup, spawn from a handler, @atomic."""

from __future__ import annotations

import asyncio

from aiohttp import web
from aiojobs.aiohttp import atomic, get_scheduler, setup, spawn

DONE: web.AppKey[list[str]] = web.AppKey("done", list[str])


async def background(app: web.Application, name: str) -> None:
    await asyncio.sleep(0.01)
    app[DONE].append(name)


async def start(request: web.Request) -> web.Response:
    await spawn(request, background(request.app, request.match_info["name"]))
    return web.Response(text="spawned")


async def done(request: web.Request) -> web.Response:
    scheduler = get_scheduler(request)
    return web.json_response({"done": request.app[DONE], "active": scheduler.active_count})


@atomic
async def atomic_handler(request: web.Request) -> web.Response:
    return web.Response(text="atomic")


def make_app() -> web.Application:
    app = web.Application()
    app[DONE] = []
    setup(app)
    app.router.add_get("/start/{name}", start)
    app.router.add_get("/done", done)
    app.router.add_get("/atomic", atomic_handler)
    return app
