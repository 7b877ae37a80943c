"""Fixtures for web-runner's end-to-end tests: real processes, real sockets, real clients."""

from __future__ import annotations

import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import httpx
import pytest
from support import debian_tool

HERE = Path(__file__).resolve().parent

Spawn = Callable[..., subprocess.Popen[str]]


def pick_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def free_port() -> Callable[[], int]:
    return pick_port


@pytest.fixture
def events_file(tmp_path: Path) -> Path:
    return tmp_path / "events.txt"


@pytest.fixture
def spawn(events_file: Path) -> Iterator[Spawn]:
    """Start a process with sample_app importable; kill what is still running at teardown."""
    started: list[subprocess.Popen[str]] = []

    def start(*args: str, pass_fds: Sequence[int] = ()) -> subprocess.Popen[str]:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")])
        env["RUNNER_EVENTS"] = str(events_file)
        env["PYTHONUNBUFFERED"] = "1"
        proc: subprocess.Popen[str] = subprocess.Popen(
            [sys.executable, *args],
            cwd=HERE,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            pass_fds=pass_fds,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)


def wait_until_serving(
    url: str,
    proc: subprocess.Popen[str] | None = None,
    *,
    transport: httpx.HTTPTransport | None = None,
    verify: ssl.SSLContext | bool = True,
    timeout: float = 15.0,
) -> httpx.Response:
    """Poll ``url`` until it answers; fail early with the output if the process died."""
    deadline = time.monotonic() + timeout
    while True:
        if proc is not None and proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"server exited with {proc.returncode}:\n{out}\n{err}")
        try:
            with httpx.Client(transport=transport, verify=verify, timeout=2) as client:
                return client.get(url)
        except (httpx.TransportError, OSError):
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer within {timeout} s")
            time.sleep(0.05)


def read_events(path: Path) -> list[str]:
    return path.read_text().split() if path.exists() else []


@pytest.fixture
def wait_serving() -> Callable[..., httpx.Response]:
    return wait_until_serving


@pytest.fixture
def events(events_file: Path) -> Callable[[], list[str]]:
    return lambda: read_events(events_file)


@pytest.fixture(scope="module")
def nginx() -> str:
    return debian_tool("nginx", ("nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx"), timeout=180)


@pytest.fixture
def nginx_with_conf(nginx: str, tmp_path: Path) -> Iterator[Callable[[str], subprocess.Popen[str]]]:
    """Start nginx in the foreground with a config text (``{tmp}``: its private prefix)."""
    procs: list[subprocess.Popen[str]] = []

    def start(conf_text: str) -> subprocess.Popen[str]:
        prefix = tmp_path / f"nginx{len(procs)}"
        prefix.mkdir(exist_ok=True)
        conf = prefix / "nginx.conf"
        conf.write_text(conf_text.replace("{tmp}", str(prefix)))
        proc = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(conf), "-e", "stderr"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        procs.append(proc)
        return proc

    yield start
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGQUIT)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
