"""Side-by-side HTTP benchmark: our `web` against aiohttp, same app code, same loop, one run.

    .venv/bin/python tools/bench/run.py [--loop uvloop] [--rounds 3] [--duration 5] [SCENARIO ...]
    .venv/bin/python tools/bench/run.py --compiled    # ours from .venv-compiled (mypyc web-http)

For each scenario the two servers are started in turn (A B A B ... over --rounds rounds), loaded by
wrk on 127.0.0.1 (the websocket scenario by tools/bench/wsload.py), and the medians are printed:
requests per second for both, the ratio ours/aiohttp, and the server process's CPU microseconds per
request. aiohttp is installed by this tool into .bench/aiohttp-venv, never into our environment;
wrk is installed from Debian's packages when missing. docs/benchmarks.md explains how to read it.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
AIOHTTP_VENV = ROOT / ".bench" / "aiohttp-venv"
#: Made by ``python3 tools/dev.py compiled``: web-http built with mypyc (WEB_COMPILE=1).
COMPILED_VENV = ROOT / ".venv-compiled"
SCENARIOS = ("hello", "json", "route", "echo4k", "static64k", "mw5", "ws", "gzip16k")
PATHS = {
    "hello": "/",
    "json": "/json",
    "route": "/users/42/posts/7",
    "echo4k": "/echo",
    "static64k": "/static/file64k.bin",
    "mw5": "/",
    "ws": "/ws",
    "gzip16k": "/json16k",
}
UNSUPPORTED = 3
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
NON_2XX = r"Non-2xx or 3xx responses: (\d+)"
SOCKET_ERRORS = r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)"


@dataclass
class Sample:
    rps: float
    cpu_us: float
    errors: int


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=False)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "wrk"], check=True)
    found = shutil.which("wrk")
    if not found:
        sys.exit("wrk could not be installed")
    return found


def ensure_aiohttp() -> Path:
    python = AIOHTTP_VENV / "bin" / "python"
    probe = [str(python), "-c", "import aiohttp, uvloop"]
    if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return python
    AIOHTTP_VENV.parent.mkdir(exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(AIOHTTP_VENV)], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, "aiohttp", "uvloop"], check=True)
    return python


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def start_server(
    python: Path, framework: str, scenario: str, loop: str
) -> tuple[subprocess.Popen[str], int] | None:
    port = free_port()
    cmd = [str(python), str(HERE / "server.py"), "--framework", framework]
    cmd += ["--scenario", scenario, "--port", str(port), "--loop", loop]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if line.strip() != "ready":
        proc.wait(timeout=10)
        if proc.returncode == UNSUPPORTED:
            return None
        err = proc.stderr.read() if proc.stderr else ""
        sys.exit(f"{framework} server for {scenario} failed to start:\n{err}")
    return proc, port


def load(
    scenario: str, port: int, args: argparse.Namespace, wrk: str, duration: float
) -> tuple[float, int, int]:
    """Run the load generator; returns (requests/sec, requests, errors)."""
    if scenario == "ws":
        cmd = [sys.executable, str(HERE / "wsload.py"), "--port", str(port)]
        cmd += ["--connections", "16", "--duration", str(duration)]
    else:
        url = f"http://127.0.0.1:{port}{PATHS[scenario]}"
        cmd = [wrk, "-t1", f"-c{args.connections}", f"-d{max(1, round(duration))}s", url]
        if scenario == "gzip16k":
            cmd += ["-H", "Accept-Encoding: gzip"]
        if scenario == "echo4k":
            script = Path(tempfile.gettempdir()) / "web-bench-echo4k.lua"
            script.write_text(
                'wrk.method = "POST"\nwrk.body = string.rep("x", 4096)\n'
                'wrk.headers["Content-Type"] = "application/octet-stream"\n'
            )
            cmd += ["-s", str(script)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s*([\d.]+)", out).group(1))  # type: ignore[union-attr]
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    errors = 0
    for pattern in (NON_2XX, SOCKET_ERRORS):
        match = re.search(pattern, out)
        if match:
            errors += sum(int(g) for g in match.groups())
    return rps, total, errors


def measure(
    python: Path, framework: str, scenario: str, args: argparse.Namespace, wrk: str
) -> Sample | None:
    started = start_server(python, framework, scenario, args.loop)
    if started is None:
        return None
    proc, port = started
    try:
        load(scenario, port, args, wrk, min(1.0, args.duration))  # warm-up
        cpu_before = cpu_seconds(proc.pid)
        rps, total, errors = load(scenario, port, args, wrk, args.duration)
        cpu = cpu_seconds(proc.pid) - cpu_before
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return Sample(rps, cpu * 1e6 / max(total, 1), errors)


def fmt(value: float | None, spec: str) -> str:
    return "n/a" if value is None else format(value, spec)


def main() -> int:
    parser = argparse.ArgumentParser(description="web vs aiohttp, side by side")
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS))
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--compiled",
        action="store_true",
        help="serve ours from .venv-compiled (mypyc web-http; python3 tools/dev.py compiled)",
    )
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)}")
    wrk = ensure_wrk()
    web_python = Path(sys.executable)
    if args.compiled:
        web_python = COMPILED_VENV / "bin" / "python"
        if not web_python.exists():
            parser.error(f"{web_python} is missing: build it with python3 tools/dev.py compiled")
    pythons = {"web": web_python, "aiohttp": ensure_aiohttp()}
    settings = vars(args).copy()
    del settings["scenarios"]
    print(" ".join(f"{key}={value}" for key, value in settings.items()))
    columns = ("web rps", "aiohttp rps", "ratio", "web cpu us/req", "aiohttp cpu us/req", "errors")
    widths = (10, 12, 6, 15, 19, 7)
    print(
        f"{'scenario':<10} " + " ".join(f"{c:>{w}}" for c, w in zip(columns, widths, strict=True))
    )
    ratios: list[float] = []
    totals = {"web": 0.0, "aiohttp": 0.0}
    for scenario in args.scenarios:
        samples: dict[str, list[Sample]] = {"web": [], "aiohttp": []}
        available = {"web": True, "aiohttp": True}
        for round_no in range(args.rounds):
            order = ("web", "aiohttp") if round_no % 2 == 0 else ("aiohttp", "web")
            for framework in order:
                if not available[framework]:
                    continue
                sample = measure(pythons[framework], framework, scenario, args, wrk)
                if sample is None:
                    available[framework] = False
                else:
                    samples[framework].append(sample)
                time.sleep(0.2)
        med: dict[str, Sample | None] = {}
        for framework, got in samples.items():
            if got:
                med[framework] = Sample(
                    statistics.median(s.rps for s in got),
                    statistics.median(s.cpu_us for s in got),
                    sum(s.errors for s in got),
                )
            else:
                med[framework] = None
        ours, theirs = med["web"], med["aiohttp"]
        ratio = ours.rps / theirs.rps if ours and theirs else None
        if ratio is not None and ours and theirs:
            ratios.append(ratio)
            totals["web"] += ours.rps
            totals["aiohttp"] += theirs.rps
        errors = sum(s.errors for s in (ours, theirs) if s)
        cells = (
            fmt(ours.rps if ours else None, ".0f"),
            fmt(theirs.rps if theirs else None, ".0f"),
            fmt(ratio, ".2f"),
            fmt(ours.cpu_us if ours else None, ".1f"),
            fmt(theirs.cpu_us if theirs else None, ".1f"),
            str(errors),
        )
        row = " ".join(f"{c:>{w}}" for c, w in zip(cells, widths, strict=True))
        print(f"{scenario:<10} {row}", flush=True)
    if ratios:
        geomean = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
        overall = totals["web"] / totals["aiohttp"]
        print(
            f"overall: geometric mean of ratios {geomean:.2f}, summed rps ratio {overall:.2f} "
            f"over {len(ratios)} scenario(s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
