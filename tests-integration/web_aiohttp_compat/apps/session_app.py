"""aiohttp-session's README example (last visit, encrypted cookie) and its login example."""

from __future__ import annotations

import base64
import time

from aiohttp import web
from aiohttp_session import get_session, new_session, setup
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography import fernet

LOGINS = web.AppKey("logins", int)


async def handler(request: web.Request) -> web.Response:
    session = await get_session(request)
    last_visit = session.get("last_visit")
    session["last_visit"] = time.time()
    return web.Response(text=f"Last visited: {last_visit}")


async def login(request: web.Request) -> web.Response:
    form = await request.post()
    session = await new_session(request)
    session["user"] = str(form["user"])
    # As in the login example: state kept on the running app (aiohttp 3.14 warns, goes on).
    request.app[LOGINS] = request.app[LOGINS] + 1
    raise web.HTTPFound("/me")


async def me(request: web.Request) -> web.Response:
    session = await get_session(request)
    if "user" not in session:
        raise web.HTTPUnauthorized(text="log in first")
    return web.Response(text=f"Hello, {session['user']} (login {request.app[LOGINS]})")


def make_app() -> web.Application:
    app = web.Application()
    app[LOGINS] = 0
    # secret_key must be 32 url-safe base64-encoded bytes
    setup(app, EncryptedCookieStorage(base64.urlsafe_b64decode(fernet.Fernet.generate_key())))
    app.router.add_get("/", handler)
    app.router.add_post("/login", login)
    app.router.add_get("/me", me)
    return app


def init(argv: list[str]) -> web.Application:
    """For aiohttp's command line: ``python -m aiohttp.web apps.session_app:init``."""
    return make_app()
