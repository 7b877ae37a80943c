"""aiohttp-remotes' documented setup: client address, host and scheme from X-Forwarded-*."""

from __future__ import annotations

from aiohttp import web
from aiohttp_remotes import XForwardedRelaxed, setup as setup_remotes


async def whoami(request: web.Request) -> web.Response:
    return web.json_response(
        {"remote": request.remote, "host": request.host, "scheme": request.scheme}
    )


async def make_app() -> web.Application:
    app = web.Application()
    await setup_remotes(app, XForwardedRelaxed())
    app.router.add_get("/", whoami)
    return app
