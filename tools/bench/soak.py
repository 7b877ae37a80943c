"""Soak and resource figures, ours and aiohttp's side by side in one run (benchmarks, not tests).

    python tools/bench/soak.py                       # the real run: about 8 minutes
    python tools/bench/soak.py --soak 10 --idle 200 --flood 1000 --websockets 200   # smoke

Four phases per framework, each on a fresh server (tools/bench/server.py --scenario soak):

- soak: ``--soak`` seconds of mixed load (GET, JSON POST echo, 404s, websocket echoes) from
  keep-alive clients; errors (wrong status, dropped connection), RSS at start/middle/end and
  the server's open file descriptors once the clients have gone.
- idle: ``--idle`` keep-alive connections, each served once and then left open; KiB of server
  RSS per connection.
- flood: ``--flood`` pipelined GETs written on one connection without reading any answer,
  then all answers read; the server's peak RSS growth (bounded memory) and answers counted.
- websockets: ``--websockets`` concurrent websockets, each echoing one message; KiB per
  websocket and errors.

The server's memory and descriptors are read from /proc/<pid> (Linux). RLIMIT_NOFILE is
raised to its hard limit first (both servers inherit it). aiohttp comes from
.bench/aiohttp-venv, installed by run.py's ``ensure_aiohttp``.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from run import ensure_aiohttp, start_server  # type: ignore[import-not-found]  # the sibling script

OURS = Path(sys.executable)
GET = b"GET / HTTP/1.1\r\nHost: bench\r\n\r\n"
MISSING = b"GET /missing HTTP/1.1\r\nHost: bench\r\n\r\n"
_BODY = json.dumps({"items": list(range(20)), "ok": True}).encode()
POST = (
    b"POST /json-echo HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(_BODY)).encode() + b"\r\n\r\n" + _BODY
)
MIX = ((GET, 200), (POST, 200), (MISSING, 404))
WS_HEAD = (
    "GET /ws HTTP/1.1\r\nHost: bench\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: {key}\r\n\r\n"
)
WS_FRAME = bytes((0x82, 0x80 | 16)) + b"\x00" * 4 + b"x" * 16  # masked with a zero key


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def rss_kib(pid: int, key: str = "VmRSS") -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def open_fds(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


async def read_response(reader: asyncio.StreamReader) -> int:
    """Read one response (Content-Length framing, as both servers use here); its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            await reader.readexactly(int(line.split(b":")[1]))
    return status


async def ws_open(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(WS_HEAD.format(key=key).encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        raise ConnectionError(head[:40])
    return reader, writer


async def ws_echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.write(WS_FRAME)
    echo = await reader.readexactly(18)
    if echo[2:] != b"x" * 16:
        raise ConnectionError("bad echo")


async def soak(port: int, pid: int, seconds: float, clients: int) -> dict[str, object]:
    stop = time.monotonic() + seconds
    counts = {"requests": 0, "errors": 0, "ws_messages": 0}

    async def http_client(i: int) -> None:
        while time.monotonic() < stop:
            try:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                for n in range(100):  # a fresh connection now and then
                    raw, want = MIX[(i + n) % 3]
                    writer.write(raw)
                    if await read_response(reader) != want:
                        counts["errors"] += 1
                    counts["requests"] += 1
                    if time.monotonic() >= stop:
                        break
                writer.close()
            except (OSError, asyncio.IncompleteReadError, ValueError):
                counts["errors"] += 1

    async def ws_client() -> None:
        while time.monotonic() < stop:
            try:
                reader, writer = await ws_open(port)
                for _ in range(200):
                    await ws_echo(reader, writer)
                    counts["ws_messages"] += 1
                    if time.monotonic() >= stop:
                        break
                writer.close()
            except (OSError, asyncio.IncompleteReadError, ConnectionError):
                counts["errors"] += 1

    rss = [rss_kib(pid)]

    async def sample_middle() -> None:
        await asyncio.sleep(seconds / 2)
        rss.append(rss_kib(pid))

    tasks = [http_client(i) for i in range(clients)] + [ws_client() for _ in range(clients // 4)]
    await asyncio.gather(sample_middle(), *tasks)
    rss.append(rss_kib(pid))
    await asyncio.sleep(1.0)  # let the server see every client's close
    return {**counts, "rss_kib": rss, "open_fds_end": open_fds(pid)}


async def idle(port: int, pid: int, count: int) -> dict[str, object]:
    before = rss_kib(pid)
    conns = []
    errors = 0
    for start in range(0, count, 200):
        batch = [
            asyncio.open_connection("127.0.0.1", port)
            for _ in range(start, min(count, start + 200))
        ]
        for reader, writer in await asyncio.gather(*batch):
            conns.append((reader, writer))
            writer.write(GET)
        for reader, _ in conns[start:]:
            if await read_response(reader) != 200:
                errors += 1
    await asyncio.sleep(0.5)
    after = rss_kib(pid)
    fds = open_fds(pid)
    for _, writer in conns:
        writer.close()
    return {"connections": count, "kib_per_conn": round((after - before) / count, 2),
            "errors": errors, "server_fds": fds}  # fmt: skip


async def flood(port: int, pid: int, count: int) -> dict[str, object]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=2**20)
    base = rss_kib(pid)
    peak = [base]
    done = asyncio.Event()

    async def sample() -> None:  # the server's RSS every 50 ms while the flood lasts
        while not done.is_set():
            peak.append(rss_kib(pid))
            await asyncio.sleep(0.05)

    sampler = asyncio.ensure_future(sample())
    writer.write(GET * count)
    sender = asyncio.ensure_future(writer.drain())
    await asyncio.sleep(1.0)  # the server reads and answers while nobody reads its answers
    got = 0
    try:
        while got < count:
            if await asyncio.wait_for(read_response(reader), 10) != 200:
                break
            got += 1
    except (asyncio.TimeoutError, asyncio.IncompleteReadError, OSError):
        pass
    done.set()
    await asyncio.gather(sender, sampler, return_exceptions=True)
    writer.close()
    return {"requests": count, "answered": got, "peak_rss_growth_kib": max(peak) - base}


async def websockets(port: int, pid: int, count: int) -> dict[str, object]:
    before = rss_kib(pid)
    errors = 0
    socks = []
    for start in range(0, count, 200):
        opened = await asyncio.gather(
            *(ws_open(port) for _ in range(start, min(count, start + 200))), return_exceptions=True
        )
        for item in opened:
            if isinstance(item, BaseException):
                errors += 1
            else:
                socks.append(item)
    results = await asyncio.gather(*(ws_echo(r, w) for r, w in socks), return_exceptions=True)
    errors += sum(isinstance(r, BaseException) for r in results)
    after = rss_kib(pid)
    for _, writer in socks:
        writer.close()
    return {"websockets": count, "kib_per_ws": round((after - before) / max(1, count), 2),
            "errors": errors}  # fmt: skip


def run_phase(
    python: Path, framework: str, phase: str, args: argparse.Namespace
) -> dict[str, object]:
    started = start_server(python, framework, "soak", args.loop)
    if started is None:
        return {"n/a": "unsupported"}
    proc, port = started
    try:
        if phase == "soak":
            coro = soak(port, proc.pid, args.soak, args.clients)
        elif phase == "idle":
            coro = idle(port, proc.pid, args.idle)
        elif phase == "flood":
            coro = flood(port, proc.pid, args.flood)
        else:
            coro = websockets(port, proc.pid, args.websockets)
        result = asyncio.run(coro)
        result["server_alive"] = proc.poll() is None
        return result
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--soak", type=float, default=180, help="seconds of mixed load")
    parser.add_argument("--clients", type=int, default=32, help="HTTP clients in the soak")
    parser.add_argument("--idle", type=int, default=5000, help="idle keep-alive connections")
    parser.add_argument("--flood", type=int, default=10000, help="pipelined requests")
    parser.add_argument("--websockets", type=int, default=2000, help="concurrent websockets")
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--only", choices=("soak", "idle", "flood", "websockets"), action="append")
    args = parser.parse_args()
    limit = raise_fd_limit()
    if limit < max(args.idle, args.websockets) * 2 + 100:
        sys.exit(f"RLIMIT_NOFILE hard limit {limit} is too low for this many connections")
    pythons = {"web": OURS, "aiohttp": ensure_aiohttp()}
    for phase in args.only or ("soak", "idle", "flood", "websockets"):
        for framework, python in pythons.items():
            result = run_phase(python, framework, phase, args)
            print(f"{phase:<10} {framework:<8} {json.dumps(result)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
