"""Runners: own the low-level server for the sites that listen for it, and shut it down cleanly.

Graceful shutdown, in the order aiohttp documents: the sites stop accepting, idle keep-alive
connections close, ``on_shutdown`` fires, running handlers get up to ``shutdown_timeout`` to
finish (each connection closes after its current response), what is left is cancelled, then
``on_cleanup`` and the cleanup contexts run.
"""

from __future__ import annotations

import asyncio
import signal
from abc import ABC, abstractmethod
from typing import Any

from web_app import Application, Server
from web_app.integration import bind_loop, make_server

from ._accesslog import AbstractAccessLogger, AbstractAsyncAccessLogger, AccessLogger, access_logger
from ._appcheck import is_application
from ._types import SiteLike

__all__ = ("AppRunner", "BaseRunner", "GracefulExit", "ServerRunner")


class GracefulExit(SystemExit):
    """Raised (from a signal handler) to leave ``run_app``'s loop and shut down gracefully."""

    code = 1


def _raise_graceful_exit() -> None:
    raise GracefulExit()


class BaseRunner(ABC):
    """Holds the server the sites serve; use :class:`AppRunner` or :class:`ServerRunner`."""

    __slots__ = ("_handle_signals", "_kwargs", "_server", "_shutdown_timeout", "_sites")

    def __init__(
        self, *, handle_signals: bool = False, shutdown_timeout: float = 60.0, **kwargs: Any
    ) -> None:
        if shutdown_timeout < 0:
            raise ValueError(f"shutdown_timeout must be >= 0, got {shutdown_timeout!r}")
        self._handle_signals = handle_signals
        self._shutdown_timeout = shutdown_timeout
        self._kwargs = kwargs
        self._server: Server | None = None
        self._sites: list[SiteLike] = []

    @property
    def server(self) -> Server | None:
        """The low-level server handling HTTP (``None`` before :meth:`setup`)."""
        return self._server

    @property
    def shutdown_timeout(self) -> float:
        """Seconds running handlers get to finish when the runner is cleaned up."""
        return self._shutdown_timeout

    @property
    def addresses(self) -> list[Any]:
        """``getsockname()`` of every listening socket, across all started sites."""
        found: list[Any] = []
        for site in self._sites:
            found.extend(site._sockets_names())
        return found

    @property
    def sites(self) -> set[SiteLike]:
        """A copy of the set of registered sites."""
        return set(self._sites)

    async def setup(self) -> None:
        """Build the server (an :class:`AppRunner` fires ``on_startup`` here)."""
        if self._server is not None:
            raise RuntimeError("runner.setup() was already called")
        if self._handle_signals:
            loop = asyncio.get_running_loop()
            try:
                loop.add_signal_handler(signal.SIGINT, _raise_graceful_exit)
                loop.add_signal_handler(signal.SIGTERM, _raise_graceful_exit)
            except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows, threads
                self._handle_signals = False
        self._server = await self._make_server()

    @abstractmethod
    async def shutdown(self) -> None:
        """Hook run once the sites are closed and before running handlers are waited for."""

    async def cleanup(self) -> None:
        """Stop every site and shut the server down gracefully (see the module docstring)."""
        # One site at a time: a failing stop() leaves exactly the sites not yet stopped.
        for site in list(self._sites):
            await site.stop()
        server = self._server
        if server is not None:
            # Let connections accepted just before the sites closed reach their handlers,
            # so they count as in flight and are not dropped as idle. With no connection
            # open or on its way there is nothing to let through: no loop turn then.
            if server.has_connections:
                await asyncio.sleep(0)
            server.pre_shutdown()
            await self.shutdown()
            await server.shutdown(self._shutdown_timeout)
        try:
            await self._cleanup_server()
        finally:
            self._server = None
            if self._handle_signals:
                loop = asyncio.get_running_loop()
                loop.remove_signal_handler(signal.SIGINT)
                loop.remove_signal_handler(signal.SIGTERM)

    @abstractmethod
    async def _make_server(self) -> Server: ...

    @abstractmethod
    async def _cleanup_server(self) -> None: ...

    def _set_shutdown_timeout(self, value: float) -> None:
        if value < 0:
            raise ValueError(f"shutdown_timeout must be >= 0, got {value!r}")
        self._shutdown_timeout = value

    def _reg_site(self, site: SiteLike) -> None:
        if site in self._sites:
            raise RuntimeError(f"site {site.name} is already registered in runner {self!r}")
        self._sites.append(site)

    def _unreg_site(self, site: SiteLike) -> None:
        if site not in self._sites:
            raise RuntimeError(f"site {site.name} is not registered in runner {self!r}")
        self._sites.remove(site)


class ServerRunner(BaseRunner):
    """Runner for a low-level ``Server`` built by the caller."""

    __slots__ = ("_web_server",)

    def __init__(
        self,
        web_server: Server,
        *,
        handle_signals: bool = False,
        shutdown_timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(handle_signals=handle_signals, shutdown_timeout=shutdown_timeout, **kwargs)
        self._web_server = web_server

    async def shutdown(self) -> None:
        """A bare server has no ``on_shutdown`` signal."""

    async def _make_server(self) -> Server:
        return self._web_server

    async def _cleanup_server(self) -> None:
        """Nothing to release: the caller owns the server object."""


def _fill_access_log_defaults(kwargs: dict[str, Any]) -> None:
    """Default to :class:`AccessLogger` on ``web.access``; ``access_log=None`` stays off."""
    access_log_class = kwargs.setdefault("access_log_class", AccessLogger)
    kwargs.setdefault("access_log", access_logger)
    kwargs.setdefault("access_log_format", AccessLogger.LOG_FORMAT)
    # the default first: issubclass() of an ABC is a Python-level call
    if access_log_class is not AccessLogger and not (
        isinstance(access_log_class, type)
        and issubclass(access_log_class, (AbstractAccessLogger, AbstractAsyncAccessLogger))
    ):
        raise TypeError(
            "access_log_class must be a subclass of web.abc.AbstractAccessLogger or "
            "web.abc.AbstractAsyncAccessLogger, "
            f"got {access_log_class!r}"
        )


def _check_application(app: object) -> None:
    if not is_application(app):
        raise TypeError(f"The first argument should be web.Application instance, got {app!r}")


class AppRunner(BaseRunner):
    """Runner for an ``Application``: fires its startup, shutdown and cleanup signals.

    ``kwargs`` go to the connection handler: tcp_keepalive, keepalive_timeout, logger,
    access_log, access_log_class, access_log_format, max_line_size, max_headers,
    max_field_size, lingering_time, read_bufsize, auto_decompress, handler_cancellation,
    and the timeouts and load shedding of docs/timeouts.md: client_head_timeout,
    client_body_timeout, handler_timeout, handler_timeout_status,
    websocket_handshake_timeout, max_concurrent_requests, shed_exempt_paths,
    shed_retry_after. They are checked when the runner is set up.
    """

    __slots__ = ("_app",)

    def __init__(
        self,
        app: Application,
        *,
        handle_signals: bool = False,
        shutdown_timeout: float = 60.0,
        **kwargs: Any,
    ) -> None:
        _check_application(app)
        _fill_access_log_defaults(kwargs)
        super().__init__(handle_signals=handle_signals, shutdown_timeout=shutdown_timeout, **kwargs)
        self._app = app

    @property
    def app(self) -> Application:
        """The application served."""
        return self._app

    async def shutdown(self) -> None:
        await self._app.shutdown()

    async def _make_server(self) -> Server:
        loop = asyncio.get_running_loop()
        bind_loop(self._app, loop)
        # Handlers of on_startup may still store state in the app: freeze it only after them.
        self._app.on_startup.freeze()
        await self._app.startup()
        self._app.freeze()
        return make_server(self._app, loop=loop, **self._kwargs)

    async def _cleanup_server(self) -> None:
        await self._app.cleanup()
