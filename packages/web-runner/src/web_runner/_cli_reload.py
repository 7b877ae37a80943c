"""``--reload``: serve in a child process and start a new one when a .py file changes.

The supervisor never imports the application, so a syntax error only ends the child (with the
CLI's one-line message); the supervisor waits for the next change and tries again.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

from ._cli_usage import UsageError

__all__ = ("app_directory", "run_with_reload")

# How long a stopped child may take to shut down gracefully before it is killed.
STOP_TIMEOUT = 5.0


def app_directory(entry: str) -> Path:
    """The folder to watch: the top-level package of ``entry``, or its module's folder."""
    top = entry.partition(":")[0].split(".")[0]
    if not top:
        raise UsageError(f"{entry!r} is not in 'package.module:init_func' syntax")
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    try:
        spec = importlib.util.find_spec(top)
    except (ImportError, ValueError) as exc:
        raise UsageError(f"cannot find {top!r}: {exc}") from None
    if spec is None:
        raise UsageError(f"cannot import {top!r}: no module named {top!r}")
    if spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations))).resolve()
    if spec.origin is None or not os.path.exists(spec.origin):
        raise UsageError(f"{top!r} is not a module in a folder that can be watched")
    return Path(spec.origin).resolve().parent


def _start(cmd: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd)


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is not None:
        return
    child.terminate()  # SIGTERM: run_app's graceful shutdown
    try:
        child.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()


def run_with_reload(entry: str, argv: list[str], prog: str) -> int:
    """Serve ``python -m web_runner argv`` until SIGINT/SIGTERM, restarting it on changes."""
    try:
        import watchfiles
    except ImportError:
        raise UsageError("--reload needs watchfiles: pip install 'web-runner[reload]'") from None
    root = app_directory(entry)
    cmd = [sys.executable, "-m", "web_runner", *argv]
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    print(f"{prog}: watching {root} for changes to .py files", flush=True)
    child = _start(cmd)
    reported_exit = False
    try:
        for changes in watchfiles.watch(
            root,
            watch_filter=watchfiles.PythonFilter(),
            stop_event=stop,
            debounce=400,
            rust_timeout=500,
            yield_on_timeout=True,
        ):
            if not changes:  # a timeout tick: only look after the child
                if child.poll() is not None and not reported_exit:
                    print(
                        f"{prog}: the server exited with status {child.returncode}; "
                        "waiting for a change",
                        flush=True,
                    )
                    reported_exit = True
                continue
            names = sorted(
                f"{os.path.relpath(path, root)} ({change.name})" for change, path in changes
            )
            print(f"{prog}: changed: {', '.join(names)}; restarting", flush=True)
            _stop(child)
            child = _start(cmd)
            reported_exit = False
    except KeyboardInterrupt:
        pass
    finally:
        _stop(child)
    return 0
