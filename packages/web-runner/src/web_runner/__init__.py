"""web-runner: serve an Application (or a low-level Server) and stop it without dropping requests.

Runners own the server, sites say where it listens, ``run_app`` does both until SIGINT or
SIGTERM, the access logger speaks aiohttp's format, and the gunicorn workers scale it out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .__about__ import __version__ as __version__
from ._accesslog import (
    AbstractAccessLogger as AbstractAccessLogger,
    AbstractAsyncAccessLogger as AbstractAsyncAccessLogger,
    AccessLogger as AccessLogger,
    access_logger as access_logger,
)
from ._cli import main as main
from ._run_app import NotAnApplicationError as NotAnApplicationError, run_app as run_app
from ._runners import (
    AppRunner as AppRunner,
    BaseRunner as BaseRunner,
    GracefulExit as GracefulExit,
    ServerRunner as ServerRunner,
)
from ._sites import (
    BaseSite as BaseSite,
    NamedPipeSite as NamedPipeSite,
    SockSite as SockSite,
    TCPSite as TCPSite,
    UnixSite as UnixSite,
)

if TYPE_CHECKING:
    from ._worker import (
        GunicornUVLoopWebWorker as GunicornUVLoopWebWorker,
        GunicornWebWorker as GunicornWebWorker,
    )

__all__ = (
    "AbstractAccessLogger",
    "AbstractAsyncAccessLogger",
    "AccessLogger",
    "AppRunner",
    "BaseRunner",
    "BaseSite",
    "GracefulExit",
    "GunicornUVLoopWebWorker",
    "GunicornWebWorker",
    "NamedPipeSite",
    "NotAnApplicationError",
    "ServerRunner",
    "SockSite",
    "TCPSite",
    "UnixSite",
    "access_logger",
    "main",
    "run_app",
)

_WORKERS = ("GunicornWebWorker", "GunicornUVLoopWebWorker")


def __getattr__(name: str) -> Any:
    # The workers import gunicorn (an optional extra): load them only when asked for.
    if name in _WORKERS:
        try:
            from . import _worker
        except ImportError as exc:
            raise ImportError(
                f"web_runner.{name} needs gunicorn: pip install 'web-runner[gunicorn]'"
            ) from exc
        return getattr(_worker, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
