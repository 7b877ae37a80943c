"""Sites: where a runner's server listens (TCP, a Unix socket, a given socket, a named pipe)."""

from __future__ import annotations

import asyncio
import os
import socket
import ssl
import stat
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from ._runners import BaseRunner

__all__ = ("BaseSite", "NamedPipeSite", "SockSite", "TCPSite", "UnixSite")


def _http_url(scheme: str, host: str, port: int) -> str:
    if ":" in host:  # an IPv6 literal needs brackets in a URL
        host = f"[{host}]"
    return f"{scheme}://{host}:{port}"


class BaseSite(ABC):
    """One place a runner serves from. Create it after ``runner.setup()``; ``start()`` listens."""

    __slots__ = ("_backlog", "_runner", "_server", "_ssl_context")

    def __init__(
        self,
        runner: BaseRunner,
        *,
        shutdown_timeout: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        if runner.server is None:
            raise RuntimeError("Call runner.setup() before making a site")
        if ssl_context is not None and not isinstance(ssl_context, ssl.SSLContext):
            raise TypeError(f"ssl_context must be an ssl.SSLContext, got {ssl_context!r}")
        if backlog < 0:
            raise ValueError(f"backlog must be >= 0, got {backlog!r}")
        if shutdown_timeout is not None:
            # The timeout belongs to the runner (it drains the one server all sites share);
            # sites keep accepting it for aiohttp compatibility.
            runner._set_shutdown_timeout(shutdown_timeout)
        self._runner = runner
        self._ssl_context = ssl_context
        self._backlog = backlog
        self._server: asyncio.Server | _PipeServer | None = None

    @property
    def _scheme(self) -> str:
        return "https" if self._ssl_context is not None else "http"

    @property
    @abstractmethod
    def name(self) -> str:
        """Where the site serves, as a URL (``http://127.0.0.1:8080``, ``http://unix:/p:``)."""

    async def start(self) -> None:
        """Start listening; raises ``OSError`` (port in use, bad path...) without registering."""
        if self._server is not None:
            raise RuntimeError(f"site {self.name} is already started")
        server = self._runner.server
        if server is None:
            raise RuntimeError("the runner was cleaned up; call runner.setup() again")
        self._server = await self._listen(server)
        self._runner._reg_site(self)

    @abstractmethod
    async def _listen(
        self, factory: Callable[[], asyncio.BaseProtocol]
    ) -> asyncio.Server | _PipeServer:
        """Open the listening socket(s) for ``factory``."""

    async def stop(self) -> None:
        """Stop accepting connections; the runner's cleanup() drains the open ones."""
        server = self._server
        self._server = None
        if server is not None:
            server.close()
        self._runner._unreg_site(self)

    def _sockets_names(self) -> list[Any]:
        server = self._server
        if server is None:
            return []
        return [sock.getsockname() for sock in server.sockets]


class TCPSite(BaseSite):
    """Serve on a TCP host and port; ``host=None`` means every interface, IPv4 and IPv6."""

    __slots__ = ("_host", "_port", "_reuse_address", "_reuse_port")

    def __init__(
        self,
        runner: BaseRunner,
        host: str | None = None,
        port: int | None = None,
        *,
        shutdown_timeout: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
        reuse_address: bool | None = None,
        reuse_port: bool | None = None,
    ) -> None:
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        if port is None:
            port = 8443 if ssl_context is not None else 8080
        if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
            raise ValueError(f"port must be an integer in 0..65535, got {port!r}")
        self._host = host
        self._port = port
        self._reuse_address = reuse_address
        self._reuse_port = reuse_port

    @property
    def port(self) -> int:
        """The port listened on: the one the OS chose once started with ``port=0``."""
        for name in self._sockets_names():
            return int(name[1])
        return self._port

    @property
    def name(self) -> str:
        return _http_url(self._scheme, self._host or "0.0.0.0", self.port)

    async def _listen(self, factory: Callable[[], asyncio.BaseProtocol]) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            factory,
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )


class UnixSite(BaseSite):
    """Serve on a Unix domain socket at ``path`` (a stale socket file there is replaced)."""

    __slots__ = ("_path",)

    def __init__(
        self,
        runner: BaseRunner,
        path: str | os.PathLike[str],
        *,
        shutdown_timeout: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        if not hasattr(socket, "AF_UNIX"):
            raise RuntimeError("Unix domain sockets are not supported on this platform")
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._path = os.fspath(path)
        if not self._path:
            raise ValueError("UnixSite needs a non-empty path")

    @property
    def path(self) -> str:
        return self._path

    @property
    def name(self) -> str:
        return f"{self._scheme}://unix:{self._path}:"

    async def _listen(self, factory: Callable[[], asyncio.BaseProtocol]) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_unix_server(
            factory, self._path, ssl=self._ssl_context, backlog=self._backlog
        )

    async def stop(self) -> None:
        started = self._server is not None
        await super().stop()
        if started:
            # Remove our socket file so the next start (or another program) finds a clean path.
            try:
                if stat.S_ISSOCK(os.stat(self._path).st_mode):
                    os.unlink(self._path)
            except OSError:
                pass

    def _sockets_names(self) -> list[Any]:
        return [self._path] if self._server is not None else []


class SockSite(BaseSite):
    """Serve on a socket made by the caller (bound; listening is started here)."""

    __slots__ = ("_name", "_sock")

    def __init__(
        self,
        runner: BaseRunner,
        sock: socket.socket,
        *,
        shutdown_timeout: float | None = None,
        ssl_context: ssl.SSLContext | None = None,
        backlog: int = 128,
    ) -> None:
        if not isinstance(sock, socket.socket):
            raise TypeError(f"sock must be a socket.socket, got {sock!r}")
        super().__init__(
            runner, shutdown_timeout=shutdown_timeout, ssl_context=ssl_context, backlog=backlog
        )
        self._sock = sock
        scheme = self._scheme
        address = sock.getsockname()
        if hasattr(socket, "AF_UNIX") and sock.family == socket.AF_UNIX:
            path = address.decode(errors="replace") if isinstance(address, bytes) else address
            self._name = f"{scheme}://unix:{path}:"
        else:
            self._name = _http_url(scheme, str(address[0]), int(address[1]))

    @property
    def name(self) -> str:
        return self._name

    async def _listen(self, factory: Callable[[], asyncio.BaseProtocol]) -> asyncio.Server:
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            factory, sock=self._sock, ssl=self._ssl_context, backlog=self._backlog
        )


class _PipeServer:
    """The proactor loop's list of pipe servers, closable like an asyncio server."""

    def __init__(self, pipes: list[Any], path: str) -> None:
        self._pipes = pipes
        self._path = path

    def close(self) -> None:
        for pipe in self._pipes:
            pipe.close()
        self._pipes = []

    @property
    def sockets(self) -> tuple[socket.socket, ...]:
        return ()


class NamedPipeSite(BaseSite):
    """Serve on a Windows named pipe; needs the proactor event loop (Windows only)."""

    __slots__ = ("_path",)

    def __init__(
        self, runner: BaseRunner, path: str, *, shutdown_timeout: float | None = None
    ) -> None:
        proactor = getattr(asyncio, "ProactorEventLoop", None)
        try:
            loop: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if proactor is None or not isinstance(loop, proactor):
            raise RuntimeError(
                "NamedPipeSite works only on Windows with the proactor event loop; "
                "use UnixSite or TCPSite on this platform"
            )
        super().__init__(runner, shutdown_timeout=shutdown_timeout)
        self._path = path

    @property
    def name(self) -> str:
        return self._path

    async def _listen(
        self, factory: Callable[[], asyncio.BaseProtocol]
    ) -> _PipeServer:  # pragma: no cover - Windows only
        loop = asyncio.get_running_loop()
        pipes = await loop.start_serving_pipe(factory, self._path)  # type: ignore[attr-defined]
        return _PipeServer(list(pipes), self._path)

    def _sockets_names(self) -> list[Any]:  # pragma: no cover - Windows only
        return [self._path] if self._server is not None else []
