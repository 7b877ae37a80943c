"""sockjs's documented echo endpoint."""

from __future__ import annotations

import sockjs
from aiohttp import web


async def echo(
    manager: sockjs.SessionManager, session: sockjs.Session, msg: sockjs.SockjsMessage
) -> None:
    if msg.type == sockjs.MsgType.MESSAGE:
        session.send(f"echo: {msg.data}")


def make_app() -> web.Application:
    app = web.Application()
    sockjs.add_endpoint(app, echo, name="echo", prefix="/sockjs")
    return app
