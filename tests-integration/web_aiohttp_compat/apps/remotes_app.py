"""aiohttp-remotes' documented setup: the client address, host and scheme from X-Forwarded-*,
then Secure (plain HTTP redirected to HTTPS, security headers on every answer)."""

from __future__ import annotations

from aiohttp import web
from aiohttp_remotes import Secure, XForwardedRelaxed, setup as setup_remotes


async def whoami(request: web.Request) -> web.Response:
    return web.json_response(
        {"remote": request.remote, "host": request.host, "scheme": request.scheme}
    )


async def make_app() -> web.Application:
    app = web.Application()
    await setup_remotes(app, XForwardedRelaxed(), Secure())
    app.router.add_get("/", whoami)
    return app
