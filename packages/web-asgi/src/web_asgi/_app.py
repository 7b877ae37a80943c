"""``asgi_app(app)``: a ``web.Application`` as an ASGI 3 application.

Lifespan follows our runner's order: ``lifespan.startup`` runs ``on_startup`` (the cleanup
contexts up to their ``yield`` included) and then freezes the application;
``lifespan.shutdown`` runs ``on_shutdown`` and then ``on_cleanup`` (the cleanup contexts
resume, in reverse order). A failing startup undoes what started (``on_cleanup``) and is
reported as ``lifespan.startup.failed`` with the error, so the server exits instead of
serving a half-started application. A server that never sends lifespan events (uvicorn's
``--lifespan off``) gets the application frozen on its first request, with no signals run.

:func:`factory` is for ``uvicorn --factory`` and ``granian --factory``: the server calls the
returned function once per worker, which calls the application factory; an ``async`` one
(the shape ``web.run_app`` accepts) is awaited at lifespan startup, inside the worker's
event loop.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from web_app.integration import bind_loop

from ._connection import server_logger
from ._http import HttpSettings, serve_http
from ._types import Receive, Scope, Send
from ._websocket import serve_websocket

if TYPE_CHECKING:
    from web_app import Application

__all__ = ("AsgiApp", "asgi_app", "factory")

AppFactory = Callable[[], "Application | Awaitable[Application]"]
_PENDING_HINT = (
    "an async application factory runs at lifespan startup; "
    "this server sent no lifespan events (enable lifespan)"
)


class AsgiApp:
    """The ASGI 3 callable serving one ``web.Application`` (http, websocket, lifespan)."""

    def __init__(
        self,
        app: Application | Awaitable[Application],
        *,
        read_bufsize: int = 2**16,
        auto_decompress: bool = True,
        max_decompressed_size: int | None = 2**25,
    ) -> None:
        self._app: Application | None = None
        self._pending: Awaitable[Application] | None = None
        if inspect.isawaitable(app):
            self._pending = app
        else:
            _check_application(app)
            self._app = app
        self._settings = HttpSettings(
            read_bufsize=read_bufsize,
            auto_decompress=auto_decompress,
            max_decompressed_size=max_decompressed_size,
        )
        self._started = False

    def __repr__(self) -> str:
        return f"<AsgiApp {self._app!r}>"

    @property
    def app(self) -> Application:
        """The application served (built by the factory at startup, when there is one)."""
        if self._app is None:
            raise RuntimeError("the application is built at lifespan startup: not yet")
        return self._app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await serve_http(self._ready(), self._settings, scope, receive, send)
        elif kind == "websocket":
            await serve_websocket(self._ready(), scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan(receive, send)
        else:
            raise ValueError(f"unsupported ASGI scope type {kind!r}")

    def _ready(self) -> Application:
        """The application, frozen (without signals when the server skipped lifespan)."""
        app = self._app
        if app is None:
            raise RuntimeError(_PENDING_HINT)
        if not app.frozen:
            bind_loop(app, asyncio.get_running_loop())
            app.freeze()
        return app

    async def _startup(self) -> Application:
        app = self._app
        if app is None:
            pending, self._pending = self._pending, None
            if pending is None:
                raise RuntimeError("the application factory failed at an earlier startup")
            made = await pending
            _check_application(made)
            app = self._app = made
        bind_loop(app, asyncio.get_running_loop())
        # on_startup handlers may still store state in the app: freeze only after them.
        app.on_startup.freeze()
        await app.startup()
        app.freeze()
        return app

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            kind = message["type"]
            if kind == "lifespan.startup":
                try:
                    await self._startup()
                except BaseException as exc:
                    server_logger.exception("Application startup failed")
                    if self._app is not None:
                        try:
                            await self._app.cleanup()
                        except Exception:
                            server_logger.exception("Cleanup after the failed startup failed")
                    await send({"type": "lifespan.startup.failed", "message": repr(exc)})
                    if not isinstance(exc, Exception):
                        raise
                    return
                self._started = True
                await send({"type": "lifespan.startup.complete"})
            elif kind == "lifespan.shutdown":
                try:
                    if self._app is not None and self._started:
                        try:
                            await self._app.shutdown()
                        finally:
                            await self._app.cleanup()
                except Exception as exc:
                    server_logger.exception("Application shutdown failed")
                    await send({"type": "lifespan.shutdown.failed", "message": repr(exc)})
                    return
                await send({"type": "lifespan.shutdown.complete"})
                return


def _check_application(app: object) -> None:
    from web_app import Application

    if not isinstance(app, Application):
        raise TypeError(f"expected a web.Application, got {app!r}")


def asgi_app(
    app: Application,
    *,
    read_bufsize: int = 2**16,
    auto_decompress: bool = True,
    max_decompressed_size: int | None = 2**25,
) -> AsgiApp:
    """The ASGI 3 application serving ``app`` (``uvicorn module:asgi``).

    The keywords are our server's request-body settings of the same names.
    """
    return AsgiApp(
        app,
        read_bufsize=read_bufsize,
        auto_decompress=auto_decompress,
        max_decompressed_size=max_decompressed_size,
    )


def factory(app_factory: AppFactory, **settings: Any) -> Callable[[], AsgiApp]:
    """A zero-argument ASGI factory for ``uvicorn --factory`` / ``granian --factory``.

    ``app_factory`` returns a ``web.Application`` or is ``async`` and returns one; each
    worker process gets its own application. ``settings`` are :func:`asgi_app`'s keywords.
    """
    if not callable(app_factory):
        raise TypeError(f"app_factory must be callable, got {app_factory!r}")

    def make() -> AsgiApp:
        return AsgiApp(app_factory(), **settings)

    make.__name__ = make.__qualname__ = getattr(app_factory, "__name__", "make")
    return make
