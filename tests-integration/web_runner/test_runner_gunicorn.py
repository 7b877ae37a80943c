"""The gunicorn workers with the real gunicorn: serving, SIGHUP reload without a failed request,
SIGTERM draining an in-flight request, a SIGKILLed worker replaced."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

pytest.importorskip("gunicorn")

Spawn = Callable[..., subprocess.Popen[str]]
WaitServing = Callable[..., httpx.Response]
WORKER = "web_runner.GunicornWebWorker"


def gunicorn(spawn: Spawn, target: str, port: int, *extra: str) -> subprocess.Popen[str]:
    return spawn(
        "-m",
        "gunicorn",
        target,
        "--bind",
        f"127.0.0.1:{port}",
        "--graceful-timeout",
        "5",
        "--timeout",
        "10",
        *extra,
    )


def get(url: str) -> httpx.Response:
    # A new connection per request: what is checked is the server, not keep-alive races.
    return httpx.get(url, headers={"Connection": "close"}, timeout=10)


def stop(proc: subprocess.Popen[str]) -> tuple[str, str]:
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    return out, err


@pytest.mark.parametrize(
    ("worker", "target"),
    [
        ("web_runner.GunicornWebWorker", "sample_app:app"),
        ("web_runner.GunicornWebWorker", "sample_app:make_app"),
        ("web_runner.GunicornUVLoopWebWorker", "sample_app:app"),
    ],
    ids=["asyncio-app", "asyncio-coroutine-factory", "uvloop-app"],
)
def test_workers_serve(
    spawn: Spawn,
    free_port: Callable[[], int],
    wait_serving: WaitServing,
    worker: str,
    target: str,
) -> None:
    if "UVLoop" in worker:
        pytest.importorskip("uvloop")
    port = free_port()
    proc = gunicorn(spawn, target, port, "-k", worker, "-w", "2", "--access-logfile", "-")
    assert wait_serving(f"http://127.0.0.1:{port}/", proc).text == "hello"
    pids = {get(f"http://127.0.0.1:{port}/pid").text for _ in range(10)}
    assert pids and all(pid.isdigit() and int(pid) != proc.pid for pid in pids)
    out, _ = stop(proc)
    # gunicorn's default access log format is mapped to ours.
    assert '"GET /pid HTTP/1.1" 200' in out


def test_sighup_reload_fails_no_request(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing
) -> None:
    port = free_port()
    proc = gunicorn(spawn, "sample_app:app", port, "-k", WORKER, "-w", "2")
    url = f"http://127.0.0.1:{port}/pid"
    wait_serving(url, proc)
    statuses: list[int | str] = []
    pids: set[str] = set()
    done = threading.Event()

    def keep_requesting() -> None:
        while not done.is_set():
            try:
                reply = get(url)
            except httpx.HTTPError as exc:
                statuses.append(repr(exc))
            else:
                statuses.append(reply.status_code)
                pids.add(reply.text)

    client = threading.Thread(target=keep_requesting)
    client.start()
    time.sleep(0.3)
    before = set(pids)
    proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 15
    while not (pids - before) and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # keep requesting while the old workers drain and exit
    while len(statuses) <= 20 and time.monotonic() < deadline:  # a loaded machine is slow
        time.sleep(0.1)
    done.set()
    client.join(15)
    stop(proc)
    failures = [s for s in statuses if s != 200]
    assert failures == []
    assert len(statuses) > 20
    assert pids - before, "no request reached a reloaded worker"


def test_sigterm_drains_the_in_flight_request(
    spawn: Spawn,
    free_port: Callable[[], int],
    wait_serving: WaitServing,
    events: Callable[[], list[str]],
) -> None:
    port = free_port()
    proc = gunicorn(spawn, "sample_app:app", port, "-k", WORKER, "-w", "1")
    wait_serving(f"http://127.0.0.1:{port}/", proc)
    result: dict[str, httpx.Response] = {}
    client = threading.Thread(
        target=lambda: result.setdefault("reply", get(f"http://127.0.0.1:{port}/slow?t=1"))
    )
    client.start()
    deadline = time.monotonic() + 10
    while "slow-start" not in events():
        assert time.monotonic() < deadline, "the slow handler never started"
        time.sleep(0.01)
    stop(proc)
    client.join(10)
    assert result["reply"].status_code == 200
    assert result["reply"].content == b"x" * 100_000
    assert events()[-3:] == ["shutdown", "slow-end", "cleanup"]


def test_killed_worker_is_replaced(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing, tmp_path: Path
) -> None:
    port = free_port()
    proc = gunicorn(spawn, "sample_app:app", port, "-k", WORKER, "-w", "1")
    url = f"http://127.0.0.1:{port}/pid"
    first = int(wait_serving(url, proc).text)
    os.kill(first, signal.SIGKILL)
    deadline = time.monotonic() + 15
    while True:
        try:
            second = int(get(url).text)
        except httpx.HTTPError:
            second = first
        if second != first:
            break
        assert time.monotonic() < deadline, "the killed worker was not replaced"
        time.sleep(0.1)
    assert proc.poll() is None  # the arbiter lives on
    stop(proc)


@pytest.mark.parametrize(
    ("target", "workers"),
    [("sample_app:broken", "1"), ("sample_app:broken_startup", "1"), ("sample_app:broken", "3")],
)
def test_start_up_error_stops_gunicorn(
    spawn: Spawn, free_port: Callable[[], int], target: str, workers: str
) -> None:
    """A worker that cannot boot exits with gunicorn's code 3: the arbiter halts, no respawns."""
    proc = gunicorn(spawn, target, free_port(), "-k", WORKER, "-w", workers)
    _out, err = proc.communicate(timeout=20)
    assert "The application failed to start" in err, err
    assert "the database is unreachable" in err or "on_startup failed" in err, err
    assert "exited with code 3" in err, err
    assert err.count("Booting worker") <= int(workers), err  # none restarted
    if workers == "1":
        assert proc.returncode == 3, err
        assert "Reason: Worker failed to boot." in err, err
    else:
        # gunicorn 27 raises its halt a second time when several workers fail at once and
        # then exits 1 with that traceback: still prompt, still no respawn.
        assert proc.returncode != 0, err
