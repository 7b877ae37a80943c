"""Gunicorn workers: ``gunicorn mod:app -k web_runner.GunicornWebWorker``.

Gunicorn's arbiter owns the listening sockets and the process lifecycle; each worker runs an
event loop, serves the arbiter's sockets through :class:`SockSite` and reports liveness with
``notify()`` once a second. SIGTERM (also sent to old workers on SIGHUP) drains gracefully
within 95 % of gunicorn's ``graceful_timeout``.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import ssl
import sys
from collections.abc import Awaitable
from typing import Any

from gunicorn.arbiter import Arbiter
from gunicorn.workers import base

from ._accesslog import AccessLogger
from ._run_app import _resolve_app
from ._runners import AppRunner
from ._sites import SockSite

__all__ = ("GunicornUVLoopWebWorker", "GunicornWebWorker")

_GUNICORN_DEFAULT_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s"'


def _access_log_format(configured: str) -> str:
    """Gunicorn's default format maps to ours; other ``%(name)s`` formats are refused clearly."""
    if configured == _GUNICORN_DEFAULT_FORMAT:
        return AccessLogger.LOG_FORMAT
    if re.search(r"%\([^)]+\)", configured):
        raise ValueError(
            "Gunicorn's %(name)s access log options are not supported; use the web access log "
            'format (%a %t "%r" %s %b ...) in --access-logformat'
        )
    return configured


class GunicornWebWorker(base.Worker):  # type: ignore[misc]
    """A gunicorn worker serving a web ``Application`` on an asyncio event loop.

    The object gunicorn loads (``module:name``) is an Application, or a callable (plain or
    ``async``) returning one.
    """

    exit_code = 0
    alive: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._runner: AppRunner | None = None
        self._task: asyncio.Task[None] | None = None
        self._waiter: asyncio.Future[None] | None = None
        self.loop: asyncio.AbstractEventLoop

    def _new_loop(self) -> asyncio.AbstractEventLoop:
        return asyncio.new_event_loop()

    def init_process(self) -> None:
        # gunicorn forks from a process that may have had a loop: never reuse it.
        self.loop = self._new_loop()
        asyncio.set_event_loop(self.loop)
        super().init_process()

    def run(self) -> None:
        self._task = self.loop.create_task(self._run())
        try:
            self.loop.run_until_complete(self._task)
        except Exception:
            self.log.exception("Exception in gunicorn worker")
            self.exit_code = self.exit_code or 1
        finally:
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()
        sys.exit(self.exit_code)

    async def _load_app(self) -> Any:
        wsgi: Any = self.wsgi
        try:
            return await _resolve_app(wsgi)
        except TypeError:
            if not callable(wsgi):
                raise
        produced = wsgi()
        if isinstance(produced, Awaitable):
            produced = await produced
        return await _resolve_app(produced)

    def _ssl_context(self) -> ssl.SSLContext | None:
        if not self.cfg.is_ssl:
            return None
        from gunicorn import sock

        context: ssl.SSLContext = sock.ssl_context(self.cfg)
        return context

    async def _run(self) -> None:
        try:
            runner = await self._start()
        except Exception:
            # Gunicorn's arbiter stops on this code instead of forking replacements forever.
            self.log.exception("The application failed to start; stopping gunicorn")
            self.exit_code = Arbiter.WORKER_BOOT_ERROR
            if self._runner is not None:
                await self._runner.cleanup()
            return
        try:
            await self._serve(runner)
        finally:
            await runner.cleanup()

    async def _start(self) -> AppRunner:
        """Load the app, run its start-up signals and listen on the arbiter's sockets."""
        app = await self._load_app()
        access_log = self.log.access_log if self.cfg.accesslog else None
        runner = AppRunner(
            app,
            logger=self.log.error_log,
            keepalive_timeout=self.cfg.keepalive,
            access_log=access_log,
            access_log_format=_access_log_format(self.cfg.access_log_format),
            shutdown_timeout=self.cfg.graceful_timeout / 100 * 95,
        )
        self._runner = runner
        await runner.setup()
        context = self._ssl_context()
        for sock in self.sockets:
            # gunicorn wraps its listeners; SockSite needs the real socket object.
            site = SockSite(runner, getattr(sock, "sock", sock), ssl_context=context)
            await site.start()
        return runner

    async def _serve(self, runner: AppRunner) -> None:
        server = runner.server
        if server is None:  # pragma: no cover - setup() ran above
            raise RuntimeError("runner.setup() did not build a server")
        ppid = self.ppid
        while self.alive:
            self.notify()
            if self.max_requests and server.requests_count > self.max_requests:
                self.alive = False
                self.log.info("Max requests, shutting down: %s", self)
            elif ppid != os.getppid():
                self.alive = False
                self.log.info("Parent changed, shutting down: %s", self)
            else:
                await self._wait_next_notify()

    async def _wait_next_notify(self) -> None:
        """Sleep up to a second; a shutdown signal wakes it at once."""
        waiter = self._waiter = self.loop.create_future()
        handle = self.loop.call_later(1.0, self._wake)
        try:
            await waiter
        finally:
            handle.cancel()
            self._waiter = None

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def init_signals(self) -> None:
        # Handlers run inside the loop, so a shutdown request never interrupts a handler.
        add = self.loop.add_signal_handler
        add(signal.SIGQUIT, self.handle_quit, signal.SIGQUIT, None)
        add(signal.SIGTERM, self.handle_exit, signal.SIGTERM, None)
        add(signal.SIGINT, self.handle_quit, signal.SIGINT, None)
        add(signal.SIGWINCH, self.handle_winch, signal.SIGWINCH, None)
        add(signal.SIGUSR1, self.handle_usr1, signal.SIGUSR1, None)
        add(signal.SIGABRT, self.handle_abort, signal.SIGABRT, None)
        # Don't let SIGTERM and SIGUSR1 interrupt system calls of running requests.
        signal.siginterrupt(signal.SIGTERM, False)
        signal.siginterrupt(signal.SIGUSR1, False)

    def handle_exit(self, sig: int, frame: Any) -> None:
        self.alive = False
        self._wake()

    def handle_quit(self, sig: int, frame: Any) -> None:
        self.alive = False
        self.cfg.worker_int(self)
        self._wake()

    def handle_abort(self, sig: int, frame: Any) -> None:
        self.alive = False
        self.exit_code = 1
        self.cfg.worker_abort(self)
        sys.exit(1)


class GunicornUVLoopWebWorker(GunicornWebWorker):
    """:class:`GunicornWebWorker` on uvloop (install ``web-runner[uvloop]``)."""

    def _new_loop(self) -> asyncio.AbstractEventLoop:
        try:
            import uvloop
        except ImportError as exc:
            raise RuntimeError(
                "GunicornUVLoopWebWorker needs uvloop: pip install 'web-runner[uvloop]'"
            ) from exc
        loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
        return loop
