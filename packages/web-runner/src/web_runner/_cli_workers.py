"""``--workers N``: the CLI hands the app to gunicorn's arbiter with this package's worker class.

Gunicorn forks the workers, restarts a dead one, reloads on SIGHUP and drains on SIGTERM; each
worker builds its own Application by calling the entry function (nothing is shared across
forks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._cli_usage import UsageError

__all__ = ("serve_with_gunicorn",)


def serve_with_gunicorn(
    build: Callable[[], Any],
    *,
    bind: str,
    workers: int,
    log_level: str,
    access_log: bool,
    uvloop: bool,
) -> int:
    """Run gunicorn's arbiter in this process until it stops; return its exit status."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:
        raise UsageError(
            f"--workers {workers} needs gunicorn: pip install 'web-runner[gunicorn]'"
        ) from None
    worker = "GunicornUVLoopWebWorker" if uvloop else "GunicornWebWorker"
    if uvloop:
        try:
            import uvloop as _uvloop  # noqa: F401  (only checked for here, used by the worker)
        except ImportError:
            raise UsageError("--uvloop needs uvloop: pip install 'web-runner[uvloop]'") from None
    settings: dict[str, Any] = {
        "bind": [bind],
        "workers": workers,
        "worker_class": f"web_runner.{worker}",
        "loglevel": log_level,
        "accesslog": "-" if access_log else None,
    }

    class CLIApplication(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in settings.items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return build()

    try:
        CLIApplication().run()
    except SystemExit as exc:  # the arbiter exits when it halts
        return exc.code if isinstance(exc.code, int) else 1
    return 0
