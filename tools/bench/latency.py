"""Latency under load: p50/p99 from ``wrk --latency`` for ours, aiohttp and Starlette+uvicorn.

    .venv/bin/python tools/bench/latency.py                       # hello and json, -c256, 10 s
    .venv/bin/python tools/bench/latency.py --duration 1 --connections 16 hello   # smoke run

Each server (tools/bench/server.py for ours and aiohttp, tools/bench/starlette_server.py for
Starlette on uvicorn) is started fresh, warmed for a second, then loaded by ``wrk -t1
--latency``; the table gives requests per second, server CPU microseconds per request and the
50th and 99th percentile latency in milliseconds.
"""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
from pathlib import Path

# run.py sits next to this file (on sys.path when run as a script); imported by name at run time.
bench_run = importlib.import_module("run")
PATHS = bench_run.PATHS
cpu_seconds = bench_run.cpu_seconds
ensure_aiohttp = bench_run.ensure_aiohttp
ensure_wrk = bench_run.ensure_wrk
free_port = bench_run.free_port
start_server = bench_run.start_server
HERE = Path(__file__).resolve().parent
SCENARIOS = ("hello", "json")
UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3}


def _start_starlette(scenario: str, loop: str) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    cmd = [sys.executable, str(HERE / "starlette_server.py"), "--scenario", scenario]
    cmd += ["--port", str(port), "--loop", loop]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        sys.exit(f"starlette server failed:\n{proc.stderr.read() if proc.stderr else ''}")
    return proc, port


def _percentile_ms(out: str, which: str) -> float:
    match = re.search(rf"^\s*{which}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if not match:
        sys.exit(f"no {which}% latency in wrk's output:\n{out}")
    return float(match.group(1)) * UNITS[match.group(2)]


def _wrk(wrk: str, url: str, connections: int, duration: float) -> str:
    cmd = [wrk, "-t1", f"-c{connections}", f"-d{max(1, round(duration))}s", "--latency", url]
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def main() -> int:
    parser = argparse.ArgumentParser(description="p50/p99 latency: web, aiohttp, Starlette")
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=256)
    args = parser.parse_args()
    if set(args.scenarios) - set(SCENARIOS):
        parser.error(f"scenarios: {', '.join(SCENARIOS)}")
    wrk = ensure_wrk()
    aiohttp_python = ensure_aiohttp()
    print(f"loop={args.loop} connections={args.connections} duration={args.duration}")
    print(
        f"{'scenario':<8} {'server':<10} {'rps':>8} {'cpu us/req':>11} {'p50 ms':>8} {'p99 ms':>8}"
    )
    for scenario in args.scenarios:
        for server in ("web", "aiohttp", "starlette"):
            if server == "starlette":
                proc, port = _start_starlette(scenario, args.loop)
            else:
                python = Path(sys.executable) if server == "web" else aiohttp_python
                started = start_server(python, server, scenario, args.loop)
                if started is None:
                    print(f"{scenario:<8} {server:<10} {'n/a':>8}")
                    continue
                proc, port = started
            url = f"http://127.0.0.1:{port}{PATHS[scenario]}"
            try:
                _wrk(wrk, url, args.connections, 1)  # warm-up
                before = cpu_seconds(proc.pid)
                out = _wrk(wrk, url, args.connections, args.duration)
                cpu = cpu_seconds(proc.pid) - before
            finally:
                proc.terminate()
                proc.wait(timeout=10)
            rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
            total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
            p50, p99 = _percentile_ms(out, "50"), _percentile_ms(out, "99")
            cpu_us = cpu * 1e6 / max(total, 1)
            print(
                f"{scenario:<8} {server:<10} {rps:>8.0f} {cpu_us:>11.1f} {p50:>8.2f} {p99:>8.2f}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
