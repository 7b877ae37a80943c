"""Server cost of one websocket echo, ours and aiohttp's, over real sockets: instructions or CPU.

    .venv/bin/python tools/bench/wsecho.py                  # callgrind instructions per message
    .venv/bin/python tools/bench/wsecho.py --cpu --runs 5   # CPU microseconds per message
    .venv/bin/python tools/bench/wsecho.py --framework web --messages 4000 --connections 1
    .venv/bin/python tools/bench/wsecho.py --loop uvloop

The server is tools/bench/server.py's ``ws`` application (``async for msg in ws: send_bytes``).
A blocking stdlib client in a separate process (never under valgrind) opens ``--connections``
websockets and, in lock-step, sends each a 64-byte masked binary frame and reads its echo, after
a warm-up of 50 messages per connection. Each measurement runs the server twice, with
``--messages`` echoes and with none (same start-up, handshakes, warm-up and shutdown), and prints
the difference divided by ``--messages``: the server process's whole per-message cost (event
loop, socket calls, framework), which throughput runs on a shared machine cannot isolate.
Instructions count user space only; ``--cpu`` (user+system time, ``getrusage``) includes the
kernel's socket work and swings with the machine's load: take the median of several ``--runs``.
aiohttp runs in tools/bench/run.py's separate environment (.bench/aiohttp-venv).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import importlib
import os
import re
import resource
import socket
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from instructions import _ensure_valgrind  # type: ignore[import-not-found]  # the sibling script
from run import ensure_aiohttp  # type: ignore[import-not-found]  # the sibling script
from server import build_app  # type: ignore[import-not-found]  # the sibling script

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
PAYLOAD = bytes(range(64))
MASK = b"\x9a\x3c\x51\xe7"
WARMUP = 50


def _frame() -> bytes:
    masked = bytes(b ^ MASK[i % 4] for i, b in enumerate(PAYLOAD))
    return bytes((0x82, 0x80 | len(PAYLOAD))) + MASK + masked


def _recv_exactly(sock: socket.socket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            raise ConnectionError("server closed the connection")
        data += chunk
    return data


def _client(port: int, connections: int, messages: int) -> None:
    """Handshake every connection, then echo ``WARMUP`` + ``messages / connections`` rounds."""
    socks = [socket.create_connection(("127.0.0.1", port)) for _ in range(connections)]
    for sock in socks:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        key = base64.b64encode(os.urandom(16)).decode()
        sock.sendall(
            (
                "GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                "Sec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        head = b""
        while b"\r\n\r\n" not in head:
            head += _recv_exactly(sock, 1)
        if not head.startswith(b"HTTP/1.1 101"):
            sys.exit(f"handshake refused: {head[:40]!r}")
    frame = _frame()
    echo = bytes((0x82, len(PAYLOAD))) + PAYLOAD
    for _ in range(WARMUP + messages // connections):
        for sock in socks:
            sock.sendall(frame)
        for sock in socks:
            if _recv_exactly(sock, len(echo)) != echo:
                sys.exit("wrong echo")
    for sock in socks:
        sock.close()


async def _serve(framework: str, connections: int, messages: int) -> None:
    """The measured process: serve the ws app until the client process is done."""
    web: Any = importlib.import_module("aiohttp.web" if framework == "aiohttp" else "web")
    runner = web.AppRunner(build_app(web, "ws"), access_log=None)
    await runner.setup()
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    await web.SockSite(runner, sock).start()
    port = sock.getsockname()[1]
    before = resource.getrusage(resource.RUSAGE_SELF)
    client = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--child-client", str(port), str(connections), str(messages)
    )
    if await client.wait():
        sys.exit("the load client failed")
    after = resource.getrusage(resource.RUSAGE_SELF)
    await runner.cleanup()
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    print(f"cpu {cpu:.6f}", file=sys.stderr)


def _run_server(
    python: str, args: argparse.Namespace, messages: int, valgrind: str | None
) -> float:
    """Instructions (under callgrind) or CPU seconds of one server process."""
    cmd = [python, __file__, "--child-server", args.framework]
    cmd += ["--connections", str(args.connections), "--messages", str(messages)]
    cmd += ["--loop", args.loop]
    if valgrind:
        cmd = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null", *cmd]
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False, cwd=ROOT)
    pattern = r"Collected\s*:\s*(\d+)" if valgrind else r"cpu ([\d.]+)"
    match = re.search(pattern, done.stderr)
    if done.returncode or not match:
        sys.exit(f"{args.framework} server failed:\n{done.stderr[-2000:]}")
    return float(match.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description="server cost per websocket echo")
    parser.add_argument("--framework", choices=("web", "aiohttp", "both"), default="both")
    parser.add_argument("--messages", type=int, default=3200)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--cpu", action="store_true", help="CPU time instead of instructions")
    parser.add_argument("--runs", type=int, default=1, help="measurements (median printed)")
    parser.add_argument("--child-server", help=argparse.SUPPRESS)
    parser.add_argument("--child-client", nargs=3, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_client:
        _client(*args.child_client)
        return 0
    if args.child_server:
        serve = _serve(args.child_server, args.connections, args.messages)
        if args.loop == "uvloop":
            import uvloop

            uvloop.run(serve)
        else:
            asyncio.run(serve)
        return 0
    if args.messages < args.connections or args.connections <= 0 or args.runs <= 0:
        parser.error("need --connections > 0, --messages >= --connections and --runs > 0")
    valgrind = None if args.cpu else _ensure_valgrind()
    unit = "cpu us/msg" if args.cpu else "instructions/msg"
    print(
        f"messages={args.messages} connections={args.connections} runs={args.runs} loop={args.loop}"
    )
    print(f"{'framework':<10} {unit:>18}")
    frameworks = ("web", "aiohttp") if args.framework == "both" else (args.framework,)
    pythons = {"web": sys.executable}
    if "aiohttp" in frameworks:
        pythons["aiohttp"] = str(ensure_aiohttp())
    messages = args.messages // args.connections * args.connections
    for framework in frameworks:
        args.framework = framework
        samples = []
        for _ in range(args.runs):
            full = _run_server(pythons[framework], args, messages, valgrind)
            empty = _run_server(pythons[framework], args, 0, valgrind)
            samples.append((full - empty) / messages * (1e6 if args.cpu else 1))
        per_message = statistics.median(samples)
        print(f"{framework:<10} {per_message:>18,.{2 if args.cpu else 0}f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
