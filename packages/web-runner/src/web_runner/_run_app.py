"""``run_app``: serve an application until SIGINT/SIGTERM, then shut down gracefully."""

from __future__ import annotations

import asyncio
import builtins
import contextlib
import logging
import os
import socket
import ssl
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from web_app import Application

from ._accesslog import AbstractAccessLogger, AbstractAsyncAccessLogger, AccessLogger, access_logger
from ._appcheck import is_application
from ._runners import AppRunner, GracefulExit
from ._sites import BaseSite, SockSite, TCPSite, UnixSite

__all__ = ("NotAnApplicationError", "run_app")

_PrintFunc = Callable[..., None]


class NotAnApplicationError(TypeError):
    """``run_app`` was given (or an awaitable produced) something that is not an Application."""


def _make_sites(
    runner: AppRunner,
    *,
    host: str | Iterable[str] | None,
    port: int | None,
    path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None,
    sock: socket.socket | Iterable[socket.socket] | None,
    ssl_context: ssl.SSLContext | None,
    backlog: int,
    reuse_address: bool | None,
    reuse_port: bool | None,
) -> list[BaseSite]:
    """One site per host, path and socket; plain TCP on every interface when none is given."""
    tcp: dict[str, Any] = {
        "ssl_context": ssl_context,
        "backlog": backlog,
        "reuse_address": reuse_address,
        "reuse_port": reuse_port,
    }
    sites: list[BaseSite] = []
    if host is not None:
        hosts = [host] if isinstance(host, str) else list(host)
        sites.extend(TCPSite(runner, h, port, **tcp) for h in hosts)
    elif (path is None and sock is None) or port is not None:
        sites.append(TCPSite(runner, None, port, **tcp))
    if path is not None:
        paths = [path] if isinstance(path, (str, os.PathLike)) else list(path)
        sites.extend(UnixSite(runner, p, ssl_context=ssl_context, backlog=backlog) for p in paths)
    if sock is not None:
        socks = [sock] if isinstance(sock, socket.socket) else list(sock)
        sites.extend(SockSite(runner, s, ssl_context=ssl_context, backlog=backlog) for s in socks)
    return sites


async def _resolve_app(app: Application | Awaitable[Application]) -> Application:
    if isinstance(app, Awaitable):
        app = await app
    if not is_application(app):
        raise NotAnApplicationError(f"expected a web.Application, got {type(app).__name__}")
    return app


async def _serve(
    app: Application | Awaitable[Application],
    *,
    print_: _PrintFunc | None,
    handle_signals: bool,
    shutdown_timeout: float,
    site_options: dict[str, Any],
    runner_options: dict[str, Any],
) -> None:
    application = await _resolve_app(app)
    runner = AppRunner(
        application,
        handle_signals=handle_signals,
        shutdown_timeout=shutdown_timeout,
        **runner_options,
    )
    try:
        # Inside the try: a failing on_startup still unwinds the cleanup contexts it entered.
        await runner.setup()
        sites = _make_sites(runner, **site_options)
        for site in sites:
            await site.start()
        if print_ is not None:
            names = ", ".join(site.name for site in sites)
            print_(f"======== Running on {names} ========\n(Press CTRL+C to quit)")
        # Serve until cancelled (by run_app after GracefulExit / KeyboardInterrupt).
        await asyncio.get_running_loop().create_future()
    finally:
        await runner.cleanup()


def _cancel_all_tasks(loop: asyncio.AbstractEventLoop) -> None:
    tasks = asyncio.all_tasks(loop)
    if not tasks:
        return
    for task in tasks:
        task.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
    for task in tasks:
        if not task.cancelled() and task.exception() is not None:
            loop.call_exception_handler(
                {
                    "message": "unhandled exception during run_app() shutdown",
                    "exception": task.exception(),
                    "task": task,
                }
            )


def run_app(
    app: Application | Awaitable[Application],
    *,
    host: str | Iterable[str] | None = None,
    port: int | None = None,
    path: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None,
    sock: socket.socket | Iterable[socket.socket] | None = None,
    shutdown_timeout: float = 60.0,
    keepalive_timeout: float = 75.0,
    ssl_context: ssl.SSLContext | None = None,
    print: _PrintFunc | None = builtins.print,
    backlog: int = 128,
    access_log_class: type[AbstractAccessLogger | AbstractAsyncAccessLogger] = AccessLogger,
    access_log_format: str = AccessLogger.LOG_FORMAT,
    access_log: logging.Logger | None = access_logger,
    handle_signals: bool = True,
    reuse_address: bool | None = None,
    reuse_port: bool | None = None,
    handler_cancellation: bool = False,
    loop: asyncio.AbstractEventLoop | None = None,
    client_head_timeout: float | None = 60.0,
    client_body_timeout: float | None = 60.0,
    handler_timeout: float | None = None,
    handler_timeout_status: int = 503,
    websocket_handshake_timeout: float | None = None,
    max_concurrent_requests: int | None = None,
    shed_exempt_paths: Iterable[str] = (),
    shed_retry_after: int = 1,
    **kwargs: Any,
) -> None:
    """Serve ``app`` (an Application or an awaitable returning one) until SIGINT or SIGTERM.

    Then shut down gracefully: stop listening, fire ``on_shutdown``, give running handlers up
    to ``shutdown_timeout`` seconds, cancel the rest, fire ``on_cleanup``. Errors while
    starting (a port in use) propagate after the same cleanup.

    Timeouts and load shedding (docs/timeouts.md): ``client_head_timeout`` (a request head
    not complete in time gets 408), ``client_body_timeout`` (a body that sends nothing for
    that long gets 408), ``handler_timeout`` with ``handler_timeout_status`` (503 or 504),
    ``websocket_handshake_timeout`` (an upgrade handler that has not switched protocols by
    then), ``max_concurrent_requests`` (beyond it 503 with ``Retry-After:
    shed_retry_after``, except for ``shed_exempt_paths``). ``None`` turns a timeout off.

    Other keyword arguments (``max_field_size=16384``, ``lingering_time``, ...) go to the
    runner and the connection handler, as in aiohttp; an unknown one is a ``TypeError``
    when the server is built, before anything listens.
    """
    if loop is None:
        loop = asyncio.new_event_loop()
    if loop.get_debug() and access_log is not None and access_log.name == access_logger.name:
        # In debug mode show requests even if the program configured no logging.
        if access_log.level == logging.NOTSET:
            access_log.setLevel(logging.DEBUG)
        if not access_log.hasHandlers():
            access_log.addHandler(logging.StreamHandler())
    main = loop.create_task(
        _serve(
            app,
            print_=print,
            handle_signals=handle_signals,
            shutdown_timeout=shutdown_timeout,
            site_options={
                "host": host,
                "port": port,
                "path": path,
                "sock": sock,
                "ssl_context": ssl_context,
                "backlog": backlog,
                "reuse_address": reuse_address,
                "reuse_port": reuse_port,
            },
            runner_options={
                "keepalive_timeout": keepalive_timeout,
                "access_log_class": access_log_class,
                "access_log_format": access_log_format,
                "access_log": access_log,
                "handler_cancellation": handler_cancellation,
                "client_head_timeout": client_head_timeout,
                "client_body_timeout": client_body_timeout,
                "handler_timeout": handler_timeout,
                "handler_timeout_status": handler_timeout_status,
                "websocket_handshake_timeout": websocket_handshake_timeout,
                "max_concurrent_requests": max_concurrent_requests,
                "shed_exempt_paths": shed_exempt_paths,
                "shed_retry_after": shed_retry_after,
                **kwargs,
            },
        )
    )
    try:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(main)
    except (GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            # Cancelling the serving task runs its finally: the graceful runner cleanup.
            if not main.done():
                main.cancel()
                with contextlib.suppress(asyncio.CancelledError, GracefulExit, KeyboardInterrupt):
                    loop.run_until_complete(main)
        finally:
            _cancel_all_tasks(loop)
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.run_until_complete(loop.shutdown_default_executor())
            loop.close()
            asyncio.set_event_loop(None)
