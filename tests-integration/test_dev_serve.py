"""The README's first command, `python3 tools/dev.py serve`, as a newcomer runs it.

It makes (once) a small `.venv-serve` holding only the runtime dependencies, says what it is
doing, serves the demo, stops when it gets SIGTERM, and reports a taken port on one line.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from support import free_port

ROOT = Path(__file__).resolve().parent.parent
SERVE_PYTHON = ROOT / ".venv-serve" / "bin" / "python"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def serve(port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "dev.py"), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_answer(url: str, proc: subprocess.Popen[str], timeout: float) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            pytest.fail(f"serve exited with {proc.returncode}: {proc.communicate()[0]}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            assert time.monotonic() < deadline, f"{url} did not answer in {timeout} s"
            time.sleep(0.1)


def test_serve_runs_the_demo_from_a_small_venv_and_stops_on_sigterm() -> None:
    port = free_port()
    proc = serve(port)
    try:
        # The first run creates .venv-serve (a few small downloads); later runs reuse it.
        page = wait_answer(f"http://127.0.0.1:{port}/", proc, timeout=240)
        assert page.status_code == 200 and "<title>web demo</title>" in page.text
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(5)
    assert proc.returncode == 0, out
    assert "creating .venv-serve" in out or "using .venv-serve" in out
    assert f"serving examples/demo.py on http://127.0.0.1:{port}/" in out
    with pytest.raises(httpx.TransportError):  # the server went with the wrapper
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    # Only what serving needs: no test or lint tools in that environment.
    for tool in ("pytest", "mypy", "httpx"):
        probe = subprocess.run([SERVE_PYTHON, "-c", f"import {tool}"], capture_output=True)
        assert probe.returncode != 0, f"{tool} is installed in .venv-serve"
    probe = subprocess.run([SERVE_PYTHON, "-c", "import web, multidict"], capture_output=True)
    assert probe.returncode == 0, probe.stderr


def test_taken_port_is_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        proc = serve(port)
        out, _ = proc.communicate(timeout=240)
    assert proc.returncode == 1
    assert "Traceback" not in out
    last = out.strip().splitlines()[-1]
    assert last.startswith(f"demo: error: cannot serve on 127.0.0.1:{port}"), out
    assert "pick another --port" in last
