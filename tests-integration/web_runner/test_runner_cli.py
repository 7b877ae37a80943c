"""``python -m web_runner`` in a real process: serving, signals, draining, one-line errors."""

from __future__ import annotations

import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

Spawn = Callable[..., subprocess.Popen[str]]
WaitServing = Callable[..., httpx.Response]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["INT", "TERM"])
def test_cli_serves_until_signal(
    spawn: Spawn,
    free_port: Callable[[], int],
    wait_serving: WaitServing,
    events: Callable[[], list[str]],
    signum: int,
) -> None:
    port = free_port()
    proc = spawn("-m", "web_runner", "-H", "127.0.0.1", "-P", str(port), "sample_app:init")
    reply = wait_serving(f"http://127.0.0.1:{port}/", proc)
    assert (reply.status_code, reply.text) == (200, "hello")
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert f"======== Running on http://127.0.0.1:{port} ========" in out
    assert "(Press CTRL+C to quit)" in out
    assert events() == ["startup", "shutdown", "cleanup"]


def test_sigterm_lets_the_in_flight_request_finish(
    spawn: Spawn,
    free_port: Callable[[], int],
    wait_serving: WaitServing,
    events: Callable[[], list[str]],
) -> None:
    port = free_port()
    proc = spawn("-m", "web_runner", "-H", "127.0.0.1", "-P", str(port), "sample_app:init")
    wait_serving(f"http://127.0.0.1:{port}/", proc)
    result: dict[str, httpx.Response] = {}

    def slow_request() -> None:
        result["reply"] = httpx.get(f"http://127.0.0.1:{port}/slow?t=1&size=300000", timeout=10)

    client = threading.Thread(target=slow_request)
    client.start()
    deadline = time.monotonic() + 10
    while "slow-start" not in events():  # wait until the handler is running
        assert time.monotonic() < deadline, "the slow handler never started"
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    client.join(10)
    _out, err = proc.communicate(timeout=10)
    reply = result["reply"]
    assert reply.status_code == 200
    assert reply.content == b"x" * 300_000
    assert proc.returncode == 0, err
    # on_shutdown fires while the handler still runs; cleanup only after it answered.
    assert events() == ["startup", "slow-start", "shutdown", "slow-end", "cleanup"]


def test_cli_unix_socket(spawn: Spawn, wait_serving: WaitServing, tmp_path: Path) -> None:
    path = str(tmp_path / "cli.sock")
    proc = spawn("-m", "web_runner", "-U", path, "sample_app:init")
    reply = wait_serving("http://localhost/", proc, transport=httpx.HTTPTransport(uds=path))
    assert reply.text == "hello"
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=10)
    assert f"Running on http://unix:{path}:" in out


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("missing_module_for_runner_tests:init", "cannot import 'missing_module_for_runner_tests'"),
        ("sample_app:no_such_function", "has no attribute 'no_such_function'"),
        ("sample_app:not_an_app", "did not return a web.Application"),
        ("sample_app", "is not in 'package.module:init_func' syntax"),
    ],
    ids=["missing-module", "missing-function", "not-an-application", "bad-syntax"],
)
def test_cli_errors(spawn: Spawn, free_port: Callable[[], int], entry: str, message: str) -> None:
    proc = spawn("-m", "web_runner", "-P", str(free_port()), entry)
    _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 2
    assert err.strip().count("\n") == 0, err
    assert message in err
    assert "Traceback" not in err


def test_cli_port_in_use(spawn: Spawn) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = spawn("-m", "web_runner", "-H", "127.0.0.1", "-P", str(port), "sample_app:init")
        _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 1
    assert f"error: cannot serve on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


def test_python_m_web_delegates_here(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing
) -> None:
    port = free_port()
    proc = spawn("-m", "web", "-H", "127.0.0.1", "-P", str(port), "sample_app:init")
    assert wait_serving(f"http://127.0.0.1:{port}/", proc).text == "hello"
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    assert f"Running on http://127.0.0.1:{port}" in out
