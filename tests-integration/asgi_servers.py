"""The ASGI suite's servers: our runner, uvicorn, Hypercorn and Granian as subprocesses,
each serving ``web_asgi/asgi_sample_app.py`` on a loopback port."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent / "web_asgi"
SERVERS = ("web", "uvicorn", "hypercorn", "granian")
BIG_SIZE = 300_000


def pick_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def command(kind: str, port: int, *extra: str) -> list[str]:
    """The command line serving asgi_sample_app with ``kind`` on 127.0.0.1:port."""
    py = sys.executable
    if kind == "web":
        return [py, str(HERE / "asgi_sample_app.py"), str(port)]
    if kind == "uvicorn":
        return [
            *(py, "-m", "uvicorn", "--factory", "asgi_sample_app:make_asgi"),
            *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", *extra),
        ]
    if kind == "hypercorn":
        return [
            py,
            "-m",
            "hypercorn",
            "asgi_sample_app:asgi",
            "--bind",
            f"127.0.0.1:{port}",
            *extra,
        ]
    if kind == "granian":
        return [
            *(py, "-m", "granian", "--interface", "asgi", "--factory"),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1", *extra),
            "asgi_sample_app:make_asgi",
        ]
    raise ValueError(kind)


@dataclass
class Served:
    kind: str
    port: int
    proc: subprocess.Popen[str]
    events: Path

    @property
    def log(self) -> str:
        """What the server wrote on stderr (a file: a pipe nobody reads could fill up)."""
        path = self.events.with_name(f"{self.kind}-stderr.txt")
        return path.read_text(errors="replace") if path.exists() else ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def read_events(self) -> list[str]:
        if not self.events.exists():
            return []
        return self.events.read_text(encoding="utf-8").splitlines()

    def stop(self, timeout: float = 15.0) -> int:
        """SIGINT (every one of the four shuts down gracefully on it); the exit code."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return self.proc.returncode


def start(
    kind: str,
    events: Path,
    static: Path,
    *,
    extra: Sequence[str] = (),
    env_extra: dict[str, str] | None = None,
    wait: bool = True,
) -> Served:
    port = pick_port()
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
    env["ASGI_EVENTS"] = str(events)
    env["ASGI_STATIC"] = str(static)
    env["PYTHONUNBUFFERED"] = "1"
    env.update(env_extra or {})
    with open(events.with_name(f"{kind}-stderr.txt"), "w") as stderr:
        proc = subprocess.Popen(
            command(kind, port, *extra),
            cwd=HERE,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            text=True,
        )
    served = Served(kind, port, proc, events)
    if wait:
        wait_listening(served)
    return served


def wait_listening(served: Served, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if served.proc.poll() is not None:
            raise RuntimeError(f"{served.kind} exited ({served.proc.returncode}): {served.log}")
        try:
            with socket.create_connection(("127.0.0.1", served.port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    served.proc.kill()
    raise RuntimeError(f"{served.kind} did not listen within {timeout} s")
