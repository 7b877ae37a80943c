"""ASGI benchmark: our application (through web_asgi) against Starlette on the same ASGI server.

    .venv/bin/python tools/bench/asgi.py [--rounds 3] [--duration 5] [--servers uvicorn granian]
                                         [SCENARIO ...]        # hello, json (default: both)

For each scenario and ASGI server, the two applications are served in turn (A B, then B A over
--rounds rounds), one worker each, loaded by wrk on 127.0.0.1 like tools/bench/run.py; the
medians are printed with the ratio ours/Starlette and the CPU microseconds per request of the
server's whole process tree (Granian's worker is a child process). The apps are
tools/bench/asgi_apps.py: the same responses as run.py's hello and json scenarios.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import (  # type: ignore[import-not-found]  # the sibling script
    PATHS,
    ROOT,
    Sample,
    cpu_seconds,
    ensure_wrk,
    fmt,
    free_port,
    load,
)

HERE = Path(__file__).resolve().parent
SCENARIOS = ("hello", "json")
SERVERS = ("uvicorn", "granian")
APPS = ("web", "starlette")


def command(server: str, app: str, port: int) -> list[str]:
    target = f"asgi_apps:{app}_app"
    py = sys.executable
    if server == "uvicorn":
        return [
            *(py, "-m", "uvicorn", "--factory", target, "--app-dir", str(HERE)),
            *("--host", "127.0.0.1", "--port", str(port), "--workers", "1"),
            *("--no-access-log", "--log-level", "warning", "--loop", "uvloop"),
            *("--http", "httptools"),
        ]
    return [
        *(py, "-m", "granian", "--interface", "asgi", "--factory", "--workers", "1"),
        *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"),
        *("--no-ws", target),
    ]


def tree_cpu(pid: int) -> float:
    """CPU seconds of ``pid`` and its living descendants."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            total += cpu_seconds(current)
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def wait_ready(proc: subprocess.Popen[bytes], port: int, path: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            sys.exit(f"the server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
                sock.sendall(
                    f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode()
                )
                if sock.recv(16).startswith(b"HTTP/1.1 200"):
                    return
        except OSError:
            pass
        time.sleep(0.1)
    proc.kill()
    sys.exit("the server did not answer in time")


def measure(server: str, app: str, scenario: str, args: argparse.Namespace, wrk: str) -> Sample:
    port = free_port()
    env = dict(os.environ, BENCH_SCENARIO=scenario, PYTHONPATH=str(HERE))
    proc = subprocess.Popen(
        command(server, app, port),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_ready(proc, port, PATHS[scenario])
        load(scenario, port, args, wrk, min(1.0, args.duration))  # warm-up
        before = tree_cpu(proc.pid)
        rps, total, errors = load(scenario, port, args, wrk, args.duration)
        cpu = tree_cpu(proc.pid) - before
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return Sample(rps, cpu * 1e6 / max(total, 1), errors)


def main() -> int:
    parser = argparse.ArgumentParser(description="web on ASGI servers vs Starlette")
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--servers", nargs="+", choices=SERVERS, default=list(SERVERS))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    wrk = ensure_wrk()
    print(f"rounds={args.rounds} duration={args.duration} connections={args.connections}")
    columns = ("web rps", "starlette rps", "ratio", "web cpu us/req", "starlette cpu us/req")
    widths = (10, 14, 6, 15, 21)
    header = " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))
    print(f"{'scenario':<10} {'server':<9} {header} errors")
    for scenario in args.scenarios:
        for server in args.servers:
            got: dict[str, list[Sample]] = {app: [] for app in APPS}
            for round_no in range(args.rounds):
                order = APPS if round_no % 2 == 0 else APPS[::-1]
                for app in order:
                    got[app].append(measure(server, app, scenario, args, wrk))
                    time.sleep(0.2)
            med = {
                app: Sample(
                    statistics.median(s.rps for s in samples),
                    statistics.median(s.cpu_us for s in samples),
                    sum(s.errors for s in samples),
                )
                for app, samples in got.items()
            }
            ours, theirs = med["web"], med["starlette"]
            cells = (
                fmt(ours.rps, ".0f"),
                fmt(theirs.rps, ".0f"),
                fmt(ours.rps / theirs.rps if theirs.rps else None, ".2f"),
                fmt(ours.cpu_us, ".1f"),
                fmt(theirs.cpu_us, ".1f"),
            )
            row = " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
            print(f"{scenario:<10} {server:<9} {row} {ours.errors + theirs.errors:>6}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
