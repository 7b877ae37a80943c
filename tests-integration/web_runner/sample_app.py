"""The application the web-runner integration tests serve in real processes.

Imported by ``python -m web_runner sample_app:init``, by gunicorn (``sample_app:app`` or
``sample_app:make_app``), and run as a script to call ``run_app`` with JSON options.
Lifecycle events are appended to the file named by $RUNNER_EVENTS, one per line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import ssl
import sys
from typing import Any

import web_static  # noqa: F401  (registers add_static's StaticResource)
from web_app import AppKey, Application, Request, Response
from web_runner import run_app

ARGV = AppKey("argv", list)


def _record(event: str) -> None:
    path = os.environ.get("RUNNER_EVENTS")
    if path:
        with open(path, "a") as f:
            f.write(f"{event}\n")


async def hello(request: Request) -> Response:
    return Response(text="hello")


async def pid(request: Request) -> Response:
    return Response(text=str(os.getpid()))


async def loop(request: Request) -> Response:
    """The event loop's class: the CLI's --uvloop is checked through it."""
    return Response(text=type(asyncio.get_running_loop()).__module__)


async def slow(request: Request) -> Response:
    """Sleeps ``t`` seconds, then answers ``size`` bytes: an in-flight request to drain."""
    _record("slow-start")
    await asyncio.sleep(float(request.query.get("t", "1")))
    _record("slow-end")
    return Response(body=b"x" * int(request.query.get("size", "100000")))


def init(argv: list[str]) -> Application:
    app = Application()
    app.router.add_get("/", hello)
    app.router.add_get("/pid", pid)
    app.router.add_get("/slow", slow)
    app.router.add_get("/loop", loop)
    logging.getLogger("sample_app").debug("init called with %s", argv)
    app[ARGV] = argv

    async def on_startup(app: Application) -> None:
        _record("startup")

    async def on_shutdown(app: Application) -> None:
        _record("shutdown")

    async def on_cleanup(app: Application) -> None:
        _record("cleanup")

    app.on_startup.append(on_startup)
    app.on_shutdown.append(on_shutdown)
    app.on_cleanup.append(on_cleanup)
    return app


def not_an_app(argv: list[str]) -> int:
    return 42


def broken() -> Application:
    raise RuntimeError("the database is unreachable")


async def broken_startup() -> Application:
    """An app whose on_startup fails: the worker cannot boot."""
    app = init([])

    async def fail(app: Application) -> None:
        raise RuntimeError("on_startup failed")

    app.on_startup.append(fail)
    return app


def with_subapps(argv: list[str]) -> Application:
    """A nested app for ``routes``: a sub-app, a domain app and static files."""
    app = init(argv)
    api = Application()
    api.router.add_post("/items/{id}", hello, name="item")
    app.add_subapp("/api", api)
    admin = Application()
    admin.router.add_get("/", pid, name="admin-home")
    app.add_domain("admin.example.com", admin)
    app.router.add_static("/assets", os.path.dirname(__file__), name="assets")
    return app


app = init([])


async def make_app() -> Application:
    return init([])


def _main(options: dict[str, Any]) -> None:
    certfile = options.pop("certfile", None)
    keyfile = options.pop("keyfile", None)
    if certfile is not None:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(certfile), str(keyfile))
        options["ssl_context"] = context
    fds = options.pop("sock_fds", None)
    if isinstance(fds, list):
        options["sock"] = [socket.socket(fileno=int(fd)) for fd in fds]
    run_app(init([]), **options)


if __name__ == "__main__":
    _main(json.loads(sys.argv[1]))
