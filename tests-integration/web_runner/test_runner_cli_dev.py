"""The development CLI in real processes: --reload, routes, --workers, log flags, usage errors."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

Spawn = Callable[..., subprocess.Popen[str]]
WaitServing = Callable[..., httpx.Response]

APP = """
import web

async def hello(request):
    return web.Response(text={text!r})

def init(argv):
    app = web.Application()
    app.router.add_get("/", hello)
    return app
"""


class Output:
    """Collects a process's merged output in a thread, so a test can wait for a line."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: list[str] = []
        assert proc.stdout is not None
        stream = proc.stdout
        self._thread = threading.Thread(target=lambda: self.lines.extend(stream), daemon=True)
        self._thread.start()

    def wait_for(self, text: str, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert time.monotonic() < deadline, f"{text!r} not printed:\n{''.join(self.lines)}"
            time.sleep(0.05)

    def text(self) -> str:
        self._thread.join(5)
        return "".join(self.lines)


@pytest.fixture
def app_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "project"
    folder.mkdir()
    yield folder


def wait_for_text(url: str, want: str, proc: subprocess.Popen[str], timeout: float) -> float:
    """Poll until ``url`` answers ``want``; return how long it took."""
    start = time.monotonic()
    while True:
        assert proc.poll() is None, "the reloading supervisor exited"
        try:
            if httpx.get(url, timeout=2).text == want:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        assert time.monotonic() - start < timeout, f"{url} never answered {want!r}"
        time.sleep(0.05)


def test_reload_restarts_on_change_and_survives_a_syntax_error(
    app_dir: Path, free_port: Callable[[], int]
) -> None:
    module = app_dir / "reloading_app.py"
    module.write_text(APP.format(text="one"))
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "web",
            "--reload",
            "-H",
            "127.0.0.1",
            "-P",
            str(port),
            "reloading_app:init",
        ],
        cwd=app_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    output = Output(proc)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_text(url, "one", proc, timeout=15)
        module.write_text(APP.format(text="two"))
        assert wait_for_text(url, "two", proc, timeout=8) < 8
        output.wait_for("changed: reloading_app.py")
        module.write_text("def broken(:\n")
        output.wait_for("cannot import 'reloading_app'")
        output.wait_for("waiting for a change")
        module.write_text(APP.format(text="three"))
        assert wait_for_text(url, "three", proc, timeout=8) < 8
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    text = output.text()
    assert "watching" in text and str(app_dir) in text
    assert "Traceback" not in text
    with pytest.raises(httpx.TransportError):  # the child server stopped with the supervisor
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_routes_lists_every_route_with_sub_apps(spawn: Spawn) -> None:
    proc = spawn("-m", "web", "routes", "sample_app:with_subapps")
    out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    rows = [line.split() for line in out.splitlines()]
    assert rows[0] == ["METHOD", "PATH", "NAME", "HANDLER"]
    assert ["GET", "/", "sample_app.hello"] in rows
    assert ["GET", "/slow", "sample_app.slow"] in rows
    assert ["POST", "/api/items/{id}", "item", "sample_app.hello"] in rows
    assert ["GET", "admin.example.com/", "admin-home", "sample_app.pid"] in rows
    static = next(row for row in rows if row[1] == "/assets/{filename}" and row[0] == "GET")
    assert static[2] == "assets" and static[3:5] == ["static", "files"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["routes", "sample_app:not_an_app"], "did not return a web.Application"),
        (["routes", "sample_app:nothing"], "has no attribute 'nothing'"),
        (["-P", "70000", "sample_app:init"], "70000 is out of range (0-65535)"),
        (["-P", "http", "sample_app:init"], "'http' is not a port number"),
        (["-U", "/tmp/x.sock", "-H", "0.0.0.0", "sample_app:init"], "cannot be combined"),
        (["-U", "/tmp/x.sock", "-P", "80", "sample_app:init"], "cannot be combined"),
        (["--reload", "--workers", "2", "sample_app:init"], "cannot be combined"),
        (["--workers", "0", "sample_app:init"], "at least one worker"),
    ],
)
def test_usage_errors_are_one_line(spawn: Spawn, args: list[str], message: str) -> None:
    proc = spawn("-m", "web", *args)
    _out, err = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert message in err
    assert "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith("python -m web")


def test_help_shows_defaults(spawn: Spawn) -> None:
    out, _ = spawn("-m", "web", "--help").communicate(timeout=15)
    assert "(default: localhost)" in out
    assert "(default: 8080)" in out
    assert "(default: info)" in out
    assert "routes" in out


def test_workers_run_through_gunicorn(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing
) -> None:
    port = free_port()
    proc = spawn(
        "-m", "web", "--workers", "2", "-H", "127.0.0.1", "-P", str(port), "sample_app:init"
    )
    url = f"http://127.0.0.1:{port}/pid"
    wait_serving(url, proc)
    pids: set[str] = set()
    deadline = time.monotonic() + 10
    while len(pids) < 2 and time.monotonic() < deadline:
        pids.add(httpx.get(url, headers={"Connection": "close"}, timeout=5).text)
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=15)
    assert proc.returncode == 0, err
    assert len(pids) == 2 and str(proc.pid) not in pids
    assert "Using worker: web_runner.GunicornWebWorker" in err
    assert '"GET /pid HTTP/1.1" 200' in _out + err  # the access log is on by default


def test_workers_without_gunicorn_say_what_to_install(spawn: Spawn, tmp_path: Path) -> None:
    # A package named gunicorn that cannot be imported shadows the installed one.
    (tmp_path / "gunicorn").mkdir()
    (tmp_path / "gunicorn" / "__init__.py").write_text("raise ImportError('not installed')\n")
    proc = spawn(
        "-c",
        f"import sys; sys.path.insert(0, {str(tmp_path)!r}); from web_runner import main; "
        "sys.exit(main(['--workers', '2', 'sample_app:init']))",
    )
    _out, err = proc.communicate(timeout=15)
    assert proc.returncode == 2
    assert "--workers 2 needs gunicorn: pip install 'web-runner[gunicorn]'" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("flags", [[], ["--no-access-log", "--log-level", "debug", "--uvloop"]])
def test_logging_and_loop_flags(
    spawn: Spawn, free_port: Callable[[], int], wait_serving: WaitServing, flags: list[str]
) -> None:
    if "--uvloop" in flags:
        pytest.importorskip("uvloop")
    port = free_port()
    proc = spawn("-m", "web", *flags, "-H", "127.0.0.1", "-P", str(port), "sample_app:init")
    loop = wait_serving(f"http://127.0.0.1:{port}/loop", proc).text
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=10)
    assert proc.returncode == 0, err
    if flags:
        assert loop == "uvloop"
        assert '"GET /loop' not in err
        assert "init called with []" in err  # a debug record of the app's logger
    else:
        assert loop == "asyncio.unix_events"
        assert '"GET /loop HTTP/1.1" 200' in err
        assert "init called with" not in err


def test_console_script() -> None:
    script = Path(sys.executable).with_name("web")
    assert script.exists(), "the web-runner distribution installs a `web` console script"
    done = subprocess.run([script, "--help"], capture_output=True, text=True, timeout=15)
    assert done.returncode == 0
    assert done.stdout.startswith("usage: web ")
