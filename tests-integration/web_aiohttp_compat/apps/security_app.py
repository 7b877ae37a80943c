"""aiohttp-security's simple example: session identity, a dictionary authorization policy."""

from __future__ import annotations

from enum import Enum

from aiohttp import web
from aiohttp_security import (
    AbstractAuthorizationPolicy,
    SessionIdentityPolicy,
    authorized_userid,
    check_permission,
    forget,
    remember,
    setup as setup_security,
)
from aiohttp_session import SimpleCookieStorage, session_middleware

USERS = {"alice": {"read", "write"}, "bob": {"read"}}


class DictAuthorizationPolicy(AbstractAuthorizationPolicy):
    async def authorized_userid(self, identity: str) -> str | None:
        return identity if identity in USERS else None

    async def permits(
        self, identity: str | None, permission: str | Enum, context: object = None
    ) -> bool:
        return identity is not None and permission in USERS.get(identity, set())


async def index(request: web.Request) -> web.Response:
    user = await authorized_userid(request)
    return web.Response(text=f"user: {user}")


async def login(request: web.Request) -> web.Response:
    response = web.HTTPFound("/")
    await remember(request, response, request.match_info["user"])
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.Response(text="bye")
    await forget(request, response)
    return response


async def write(request: web.Request) -> web.Response:
    await check_permission(request, "write")
    return web.Response(text="written")


def make_app() -> web.Application:
    app = web.Application(middlewares=[session_middleware(SimpleCookieStorage())])
    setup_security(app, SessionIdentityPolicy(), DictAuthorizationPolicy())
    app.router.add_get("/", index)
    app.router.add_get("/login/{user}", login)
    app.router.add_get("/logout", logout)
    app.router.add_get("/write", write)
    return app
