"""Upload benchmark: request-body throughput and ``read()`` memory, ours against aiohttp.

    .venv/bin/python tools/bench/upload.py [--size-mib 200] [--rounds 3] [--loop uvloop]

Two tables, both from one run with the servers of tools/bench/server.py (scenario "upload"):

- throughput: a body of --size-mib MiB sent once with Content-Length and once with
  ``Transfer-Encoding: chunked`` (64 KiB chunks), read by the handler from ``request.content``
  (``iter_any``); MiB/s from the first byte sent to the answer, median over rounds, and the
  server's CPU time (user + system, from /proc/PID/schedstat) per MiB of upload. A third
  server, the floor (tools/bench/upload_floor.py), is a bare asyncio Protocol on the same loop
  that only counts the bytes: the loop's own ceiling, which no framework can beat.
- memory: a fresh server per row; its idle RSS, then the peak RSS (VmHWM, reset just before the
  upload) while a handler does ``await request.read()`` of the whole body, then the RSS 0.5 s after
  the answer. Figures are KiB above the idle baseline, and the peak also as a multiple of the body.

The client is a plain socket sending one prebuilt 1 MiB block again and again, so it costs the
benchmark next to nothing and both servers see the same bytes. docs/benchmarks.md explains it.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

from run import (  # type: ignore[import-not-found]  # the sibling script
    HERE,
    ROOT,
    cpu_seconds,
    ensure_aiohttp,
    free_port,
    start_server,
)

BLOCK_MIB = 1
CHUNK = 64 * 1024
#: The servers of the throughput table: ours, aiohttp, and the bare-Protocol floor.
SERVERS = ("web", "aiohttp", "floor")


def _body_block(chunked: bool) -> bytes:
    """1 MiB of body, framed as 64 KiB chunks when chunked."""
    data = bytes(range(256)) * (CHUNK // 256)
    if not chunked:
        return data * (BLOCK_MIB * 2**20 // CHUNK)
    frame = b"%x\r\n%b\r\n" % (len(data), data)
    return frame * (BLOCK_MIB * 2**20 // CHUNK)


def _send(port: int, path: str, size_mib: int, chunked: bool) -> tuple[float, bytes]:
    """POST size_mib MiB; returns (seconds until the whole answer arrived, answer body)."""
    framing = (
        b"Transfer-Encoding: chunked\r\n"
        if chunked
        else b"Content-Length: %d\r\n" % (size_mib * 2**20)
    )
    head = (
        b"POST %b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        b"Content-Type: application/octet-stream\r\n%b\r\n" % (path.encode(), framing)
    )
    block = _body_block(chunked)
    with socket.create_connection(("127.0.0.1", port)) as sock:
        t0 = time.perf_counter()
        sock.sendall(head)
        for _ in range(size_mib // BLOCK_MIB):
            sock.sendall(block)
        if chunked:
            sock.sendall(b"0\r\n\r\n")
        answer = bytearray()
        while True:
            got = sock.recv(65536)
            if not got:
                break
            answer += got
        elapsed = time.perf_counter() - t0
    head_end = answer.find(b"\r\n\r\n")
    status = bytes(answer[: answer.find(b"\r\n")])
    if b" 200 " not in status:
        sys.exit(f"{path}: unexpected answer {status!r}")
    return elapsed, bytes(answer[head_end + 4 :])


def _get_json(port: int, method: str, path: str) -> dict[str, int]:
    request = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    request += "Content-Length: 0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.sendall(request.encode())
        answer = bytearray()
        while True:
            got = sock.recv(65536)
            if not got:
                break
            answer += got
    value: dict[str, int] = json.loads(bytes(answer[answer.find(b"\r\n\r\n") + 4 :]))
    return value


def _cpu(pid: int) -> float:
    """CPU seconds of process ``pid`` so far, to the nanosecond where Linux has schedstat.

    /proc/PID/stat counts in 10 ms ticks: a 200 MiB upload costs a server tens of ticks, so
    the ms/MiB column would move by several percent from rounding alone.
    """
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        seconds: float = cpu_seconds(pid)
        return seconds


def _stop(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _start_floor(python: Path, loop: str) -> tuple[subprocess.Popen[str], int]:
    """The floor server (upload_floor.py) on ``loop``, once it says it is listening."""
    port = free_port()
    cmd = [str(python), str(HERE / "upload_floor.py"), "--port", str(port), "--loop", loop]
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        proc.wait(timeout=10)
        err = proc.stderr.read() if proc.stderr else ""
        sys.exit(f"the floor server failed to start:\n{err}")
    return proc, port


def _expected_count(framework: str, size_mib: int, chunked: bool) -> int:
    """What the server answers: the body's size; the floor counts the framing too."""
    if framework != "floor":
        return size_mib * 2**20
    return len(_body_block(chunked)) * (size_mib // BLOCK_MIB) + (5 if chunked else 0)


def throughput(
    python: Path, framework: str, loop: str, size_mib: int, chunked: bool
) -> tuple[float, float]:
    """(MiB/s, server CPU milliseconds per MiB) for one upload to a fresh server."""
    if framework == "floor":
        started: tuple[subprocess.Popen[str], int] | None = _start_floor(python, loop)
    else:
        started = start_server(python, framework, "upload", loop)
    if started is None:
        sys.exit(f"{framework} cannot serve the upload scenario")
    proc, port = started
    try:
        _send(port, "/content", min(size_mib, 8), chunked)  # warm-up
        cpu_before = _cpu(proc.pid)
        elapsed, answer = _send(port, "/content", size_mib, chunked)
        cpu = _cpu(proc.pid) - cpu_before
        if int(answer) != _expected_count(framework, size_mib, chunked):
            sys.exit(f"{framework}: the server counted {answer!r} bytes")
    finally:
        _stop(proc)
    return size_mib / elapsed, cpu * 1000 / size_mib


def read_memory(
    python: Path, framework: str, loop: str, size_mib: int, chunked: bool
) -> tuple[int, int]:
    """(peak KiB above idle during read(), KiB above idle after the answer)."""
    started = start_server(python, framework, "upload", loop)
    if started is None:
        sys.exit(f"{framework} cannot serve the upload scenario")
    proc, port = started
    try:
        _send(port, "/read", 1, chunked)  # warm-up: imports and first allocations done
        time.sleep(0.3)
        idle = _get_json(port, "POST", "/memory/reset-peak")["VmRSS"]
        _elapsed, answer = _send(port, "/read", size_mib, chunked)
        if int(answer) != size_mib * 2**20:
            sys.exit(f"{framework}: read() returned {answer!r} bytes")
        time.sleep(0.5)
        after = _get_json(port, "GET", "/memory")
    finally:
        _stop(proc)
    return after["VmHWM"] - idle, after["VmRSS"] - idle


def main() -> int:
    parser = argparse.ArgumentParser(description="request bodies: web vs aiohttp")
    parser.add_argument("--size-mib", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    our_python = Path(sys.executable)
    pythons = {"web": our_python, "aiohttp": ensure_aiohttp(), "floor": our_python}
    print(f"size={args.size_mib} MiB rounds={args.rounds} loop={args.loop}")
    print(
        f"{'upload':<16}{'web MiB/s':>11}{'aiohttp MiB/s':>15}{'ratio':>7}{'floor MiB/s':>13}"
        f"{'web cpu ms/MiB':>16}{'aiohttp cpu ms/MiB':>20}{'floor cpu ms/MiB':>18}"
    )
    for label, chunked in (("content-length", False), ("chunked", True)):
        speeds: dict[str, list[float]] = {f: [] for f in SERVERS}
        cpus: dict[str, list[float]] = {f: [] for f in SERVERS}
        for round_no in range(args.rounds):
            shift = round_no % len(SERVERS)  # each server goes first in turn
            for framework in SERVERS[shift:] + SERVERS[:shift]:
                speed, cpu = throughput(
                    pythons[framework], framework, args.loop, args.size_mib, chunked
                )
                speeds[framework].append(speed)
                cpus[framework].append(cpu)
        ours, theirs, floor = (statistics.median(speeds[f]) for f in SERVERS)
        cpu_ours, cpu_theirs, cpu_floor = (statistics.median(cpus[f]) for f in SERVERS)
        print(
            f"{label:<16}{ours:>11.0f}{theirs:>15.0f}{ours / theirs:>7.2f}{floor:>13.0f}"
            f"{cpu_ours:>16.2f}{cpu_theirs:>20.2f}{cpu_floor:>18.2f}",
            flush=True,
        )
    body_kib = args.size_mib * 1024
    print(f"\nread() of {args.size_mib} MiB, KiB above the idle RSS (peak also as x body)")
    print(f"{'read()':<16}{'framework':>10}{'peak KiB':>11}{'peak/body':>11}{'after KiB':>11}")
    for label, chunked in (("content-length", False), ("chunked", True)):
        for framework in ("web", "aiohttp"):
            peak, after = read_memory(
                pythons[framework], framework, args.loop, args.size_mib, chunked
            )
            print(
                f"{label:<16}{framework:>10}{peak:>11}{peak / body_kib:>11.2f}{after:>11}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
