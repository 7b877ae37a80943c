"""Multi-core scaling: hello under gunicorn with 1 worker, then 2, and the ratio.

    .venv/bin/python tools/bench/workers.py                     # -c256, 10 s per run
    .venv/bin/python tools/bench/workers.py --duration 1 --connections 16   # smoke run

gunicorn serves tools/bench/server.py's hello app with our worker
(``web_runner.GunicornWebWorker``, or the uvloop one with ``--loop uvloop``); wrk (two threads,
so the client is not the one-core bottleneck) measures requests per second. On a machine with
two cores shared by wrk, 2 workers cannot reach 2x: read the ratio against the core count.
"""

from __future__ import annotations

import argparse
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORKERS = {
    "asyncio": "web_runner.GunicornWebWorker",
    "uvloop": "web_runner.GunicornUVLoopWebWorker",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _wait_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit("gunicorn exited before listening")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    sys.exit("gunicorn did not start listening")


def _rps(workers: int, args: argparse.Namespace) -> float:
    port = _free_port()
    cmd = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-k", WORKERS[args.loop]]
    cmd += ["-b", f"127.0.0.1:{port}", "--chdir", str(HERE), "server:gunicorn_app('hello')"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_listening(port, proc)
        url = f"http://127.0.0.1:{port}/"
        wrk = ["wrk", "-t2", f"-c{args.connections}", url]
        subprocess.run([*wrk, "-d1s"], capture_output=True, check=True)  # warm-up
        out = subprocess.run(
            [*wrk, f"-d{max(1, round(args.duration))}s"], capture_output=True, text=True, check=True
        ).stdout
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]


def main() -> int:
    parser = argparse.ArgumentParser(description="gunicorn 2 workers vs 1")
    parser.add_argument("--loop", choices=tuple(WORKERS), default="asyncio")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=256)
    args = parser.parse_args()
    one = _rps(1, args)
    two = _rps(2, args)
    print(f"loop={args.loop} connections={args.connections} duration={args.duration}")
    print(f"1 worker: {one:.0f} rps, 2 workers: {two:.0f} rps, ratio {two / one:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
