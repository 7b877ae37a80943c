"""Instruction counts per operation of the HTTP, multipart and websocket codecs, under callgrind.

    .venv/bin/python tools/bench/instructions.py               # every workload, 2,000 ops each
    .venv/bin/python tools/bench/instructions.py --ops 200 ws-recv64 http-wrk   # a quick run
    .venv/bin/python tools/bench/instructions.py --compiled app-hello  # the mypyc web-http

``form-build`` and ``form-parse`` are the multipart form of testclient.py's ``upload`` (a
text field and a 4 KiB file): built and serialized by ``FormData``, and read back into the
fields ``request.post()`` returns (``MultipartReader`` + web-app's form reader), all in memory.

``tc-test-<scenario>`` is one whole test of tools/bench/testclient.py in memory (a fresh app,
``TestServer`` and ``TestClient`` started, five exchanges, both closed); ``tc-x-<scenario>`` is
one exchange on a client that is already running. They count what the in-memory client and
the server cost together, the shared work that decides testclient.py's ratio.

The ``app-*`` workloads serve one whole request of a tools/bench/server.py scenario through the
server stack (tools/bench/serverside.py: a real asyncio loop, an in-memory transport).

Wall-clock timings swing with the load of a shared machine; the number of instructions the CPU
executes for the same work does not. Each workload runs twice under ``valgrind --tool=callgrind``
in a fresh interpreter (PYTHONHASHSEED fixed): once with ``--ops`` operations and once with none
(same imports and set-up), and the difference divided by ``--ops`` is printed as instructions
per operation. valgrind is installed from Debian's packages when missing. Compare two checkouts
by running this file in each; differences under ~1% are noise from allocator state.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
#: The venv ``tools/dev.py compiled`` makes: web-http built with mypyc, the rest editable.
COMPILED_VENV = ROOT / ".venv-compiled"
WRK = b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n"
HEAD = (
    b"GET /static/app/main.js?v=3f2a9c HTTP/1.1\r\nHost: www.example.com\r\n"
    b"Connection: keep-alive\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0\r\n"
    b"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\n"
    b"Accept-Encoding: gzip, deflate, br\r\nAccept-Language: en-US,en;q=0.9\r\n"
    b"Cache-Control: no-cache\r\nCookie: session=0123456789abcdef; theme=dark\r\n\r\n"
)
MASK = b"\x12\x34\x56\x78"


def _masked_frame(opcode: int, payload: bytes) -> bytes:
    from web_websocket._frames import encode_frame

    return encode_frame(opcode, payload, mask=MASK)


def _complete(coro: Coroutine[Any, Any, Any]) -> Any:
    """Run a coroutine that never waits (all in memory) to its end, with no event loop."""
    try:
        coro.send(None)
    except StopIteration as done:
        return done.value
    coro.close()
    raise RuntimeError("the workload waited for something")


def _workloads() -> dict[str, Callable[[], Callable[[], object]]]:
    """name -> set-up returning the operation (the set-up is not counted)."""

    def http_parse(data: bytes) -> Callable[[], object]:
        from web_http import HttpRequestParser

        return lambda: HttpRequestParser().feed(data)

    def http_chunked() -> Callable[[], object]:
        payload = b"x" * 4096
        body = b"%x\r\n%b\r\n" % (len(payload), payload) * 16 + b"0\r\n\r\n"
        head = b"POST /u HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        return http_parse(head + body)

    def http_serialize5() -> Callable[[], object]:
        from multidict import CIMultiDict
        from web_http import HttpVersion11, serialize_response_head

        headers = CIMultiDict(
            (
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", "13"),
                ("Date", "Mon, 01 Jan 2024 00:00:00 GMT"),
                ("Server", "Python/3.11 web"),
                ("Connection", "keep-alive"),
            )
        )
        return lambda: serialize_response_head(200, "OK", headers, HttpVersion11)

    def ws_recv(opcode: int, size: int, count: int = 1) -> Callable[[], object]:
        from web_websocket import WebSocketReader

        data = _masked_frame(opcode, b"a" * size) * count
        reader = WebSocketReader(masked=True)

        def op() -> object:
            messages = reader.feed(data)
            assert len(messages) == count
            return messages

        return op

    def ws_send(size: int, *, mask: bool) -> Callable[[], object]:
        from web_websocket import FrameWriter
        from web_websocket._frames import OP_BINARY

        writer = FrameWriter(mask=mask)
        payload = b"b" * size
        return lambda: writer.encode(OP_BINARY, payload)

    def form_build() -> Callable[[], object]:
        from web_app import FormData

        blob = b"x" * 4096

        def op() -> object:
            form = FormData()
            form.add_field("title", "t")
            form.add_field("file", blob, filename="f.bin")
            return _complete(form().as_bytes())

        return op

    def form_parse() -> Callable[[], object]:
        from multidict import CIMultiDict
        from web_app import FormData, MultipartWriter
        from web_app._req_body import FormLimits, read_multipart_form
        from web_http import MultipartReader

        form = FormData()
        form.add_field("title", "t")
        form.add_field("file", b"x" * 4096, filename="f.bin")
        payload = form()
        assert isinstance(payload, MultipartWriter)
        # A fixed boundary (of the generated kind): the cost of finding it in the file
        # part depends on its digits, and a random one would make the count vary.
        fixed = "5f1c2a7e9b3d48c6a0e4f2b8d1c7a953"
        body: bytes = _complete(payload.as_bytes()).replace(
            payload.boundary.encode(), fixed.encode()
        )
        headers = CIMultiDict(
            {"Content-Type": payload.content_type.replace(payload.boundary, fixed)}
        )

        class Body:  # what post() reads from: the whole body in one read
            def __init__(self) -> None:
                self.total_bytes = 0
                self._left = body

            async def read(self, n: int = -1) -> bytes:
                data, self._left = self._left, b""
                self.total_bytes += len(data)
                return data

        def op() -> object:
            content = Body()
            reader = MultipartReader(headers, content)
            limits = FormLimits(content, 1024**2, 0, OverflowError)  # type: ignore[arg-type]
            fields = _complete(read_multipart_form(reader, limits))
            assert len(fields) == 2
            return fields

        return op

    def app(scenario: str) -> Callable[[], object]:
        # serverside.py sits next to this file (on sys.path when run as a script)
        serve: Callable[[], object] = importlib.import_module("serverside").driver(scenario)
        return serve

    def test_client(scenario: str, exchanges: int, whole_test: bool) -> Callable[[], object]:
        # testclient.py sits next to this file (on sys.path when run as a script)
        bench = importlib.import_module("testclient")
        run = bench.SCENARIOS[scenario]
        loop = asyncio.new_event_loop()
        if whole_test:

            async def one_test() -> None:
                server = bench.TestServer(bench.make_app(), transport="memory")
                async with bench.TestClient(server) as client:
                    await run(client, exchanges)

            return lambda: loop.run_until_complete(one_test())
        client = bench.TestClient(bench.TestServer(bench.make_app(), transport="memory"))
        loop.run_until_complete(client.start_server())
        return lambda: loop.run_until_complete(run(client, exchanges))

    testclient = {
        f"tc-{kind}-{scenario}": (
            lambda scenario=scenario, whole=kind == "test": test_client(
                scenario, 5 if whole else 1, whole
            )
        )
        for kind in ("test", "x")
        for scenario in importlib.import_module("testclient").SCENARIOS
    }

    return {
        **testclient,
        "http-wrk": lambda: http_parse(WRK),
        "http-head": lambda: http_parse(HEAD),
        "http-chunked64k": http_chunked,
        "http-serialize5": http_serialize5,
        "ws-recv64": lambda: ws_recv(0x2, 64),
        "ws-recv-text64": lambda: ws_recv(0x1, 64),
        "ws-recv4k": lambda: ws_recv(0x2, 4096),
        "ws-recv64k": lambda: ws_recv(0x2, 65536),
        "ws-recv16x64": lambda: ws_recv(0x2, 64, 16),
        "ws-send64": lambda: ws_send(64, mask=False),
        "ws-send4k": lambda: ws_send(4096, mask=False),
        "ws-send4k-masked": lambda: ws_send(4096, mask=True),
        # the upload of tools/bench/testclient.py: a text field and a 4 KiB file
        "form-build": form_build,  # FormData -> multipart body (the client's side)
        "form-parse": form_parse,  # multipart body -> request.post()'s fields
        # one whole request through the server stack on an asyncio loop (no socket)
        "app-hello": lambda: app("hello"),
        "app-json": lambda: app("json"),
        "app-route": lambda: app("route"),
        "app-echo4k": lambda: app("echo4k"),
        "app-mw5": lambda: app("mw5"),
        "app-gzip16k": lambda: app("gzip16k"),
        "app-raw": lambda: app("raw"),  # asyncio's floor: a canned answer, no task
        "app-raw-task": lambda: app("raw-task"),  # the same from one task per request
    }


def _run_one(name: str, ops: int, sources: bool) -> None:
    """Inside the measured interpreter: set up, warm up, then run ``ops`` operations."""
    if sources:
        for package in ("web-http", "web-websocket"):
            sys.path.insert(0, str(ROOT / "packages" / package / "src"))
    op = _workloads()[name]()
    for _ in range(50):
        op()
    for _ in range(ops):
        op()


def _ensure_valgrind() -> str:
    found = shutil.which("valgrind")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "valgrind"], check=True)
    found = shutil.which("valgrind")
    if not found:
        sys.exit("valgrind could not be installed")
    return found


def _collected(valgrind: str, python: str, name: str, ops: int) -> int:
    cmd = [valgrind, "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    cmd += [python, __file__, "--child", name, "--ops", str(ops)]
    if python == sys.executable:
        cmd.append("--sources")
    env = {**os.environ, "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    match = re.search(r"Collected\s*:\s*(\d+)", done.stderr)
    if done.returncode or not match:
        sys.exit(f"{name} failed under callgrind:\n{done.stderr[-2000:]}")
    return int(match.group(1))


def main() -> int:
    names = tuple(_workloads())
    parser = argparse.ArgumentParser(description="instructions per codec operation (callgrind)")
    parser.add_argument("workloads", nargs="*", default=list(names))
    parser.add_argument("--ops", type=int, default=2000)
    parser.add_argument(
        "--compiled",
        action="store_true",
        help=f"measure the mypyc build in {COMPILED_VENV.name} (python3 tools/dev.py compiled)",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--sources", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _run_one(args.child, args.ops, args.sources)
        return 0
    python = sys.executable
    if args.compiled:
        python = str(COMPILED_VENV / "bin" / "python")
        if not Path(python).exists():
            parser.error(f"{python} is missing: build it with python3 tools/dev.py compiled")
    unknown = set(args.workloads) - set(names)
    if unknown:
        parser.error(f"unknown workloads: {sorted(unknown)} (known: {', '.join(names)})")
    if args.ops <= 0:
        parser.error("--ops must be positive")
    valgrind = _ensure_valgrind()
    print(f"ops={args.ops} python={sys.version.split()[0]} compiled={args.compiled}")
    print(f"{'workload':<18} {'instructions/op':>16}")
    for name in args.workloads:
        per_op = (
            _collected(valgrind, python, name, args.ops) - _collected(valgrind, python, name, 0)
        ) / args.ops
        print(f"{name:<18} {per_op:>16,.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
