"""The server's own work per request, without sockets: profile it, count it, time it.

    .venv/bin/python tools/bench/serverside.py hello json            # cProfile, by module
    .venv/bin/python tools/bench/serverside.py --cpu --requests 20000 # CPU us/request only
    .venv/bin/python tools/bench/serverside.py --cpu raw raw-task hello   # against asyncio's floor

Each scenario of tools/bench/server.py (hello, json, route, echo4k, mw5, gzip16k) is served by
the real stack (``AppRunner`` -> ``RequestHandler`` -> parser -> request -> router -> handler
-> response -> ``PayloadWriter``) on a real asyncio (or uvloop) event loop; only the socket is
replaced by an in-memory transport, so the kernel's share (recv/send, epoll) is left out and
the figures do not move with the machine's load as much as a wrk run does. The same driver
gives tools/bench/instructions.py its ``app-*`` workloads (instructions per request).
``raw`` and ``raw-task`` are not our server but asyncio's floor on the same transport: a
protocol writing a canned answer from ``data_received``, and the same from one task per request.

The profile groups cProfile's own time (``tottime``) by module, then by area: the parser,
the request object, routing, the application's dispatch, the handler, the response, the
writer, the connection protocol, asyncio and the rest of the standard library.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import importlib
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SCENARIOS = ("hello", "json", "route", "echo4k", "mw5", "gzip16k")
REQUESTS = {
    "hello": b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    "json": b"GET /json HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    "route": b"GET /users/42/posts/7 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    "echo4k": (
        b"POST /echo HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"
        b"Content-Length: 4096\r\nContent-Type: application/octet-stream\r\n\r\n" + b"x" * 4096
    ),
    "mw5": b"GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
    "gzip16k": b"GET /json16k HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nAccept-Encoding: gzip\r\n\r\n",
}
#: Areas of the profile, by module path fragment (first match wins). Every module of web-http,
#: web-routing and web-app falls in one of them (tools/tests/test_bench_serverside.py checks),
#: so a renamed or split module is not counted as the standard library's time.
AREAS = (
    ("parser (web_http parse)", ("web_http/_request_parser", "web_http/_parser_base")),
    ("headers/other web_http", ("web_http/",)),
    (
        "request object (web_app)",
        ("web_app/_base_request", "web_app/_request_errors", "web_app/_req_body"),
    ),
    ("routing (web_routing)", ("web_routing/",)),
    (
        "app dispatch (web_app/_app)",
        (
            "web_app/_app",  # _app, _app_state, _app_lifecycle
            "web_app/_handler_chain",
            "web_app/_middlewares",
            "web_app/_dispatcher",
            "web_app/_keys",
            "web_app/_view",
            "web_app/_forwarded_middleware",
        ),
    ),
    ("compression (web_app)", ("web_app/_compression",)),  # and _compression_middleware
    (
        "response (web_app)",
        (
            "web_app/_response",  # _response, _response_head, _response_coding, _response_headers
            "web_app/_stream_response",
            "web_app/_sse",
            "web_app/_exceptions",
            "web_app/_error_page",
            "web_app/payload",
            "web_app/_multipart_writer",
            "web_app/_formdata",
        ),
    ),
    ("writer (web_app/_writer)", ("web_app/_writer",)),
    (
        "protocol (web_app/_protocol)",
        (
            "web_app/_protocol",
            "web_app/_connection_",  # _connection_state, _connection_timers, _connection_io
            "web_app/_error_answers",
            "web_app/_server",
            "web_app/_handler_config",
            "web_app/_access_log",
            "web_app/_log_names",
            "web_app/_types",
            "web_app/_abc",
        ),
    ),
    ("other web_app (__init__, integration)", ("web_app/",)),
    ("runner (web_runner)", ("web_runner/",)),
    ("handler (bench server.py)", ("bench/server.py",)),
    ("this driver (serverside.py)", ("bench/serverside.py",)),
    ("multidict/yarl", ("multidict", "yarl")),
    ("json", ("json/",)),
    ("asyncio", ("asyncio/",)),
)


class MemoryTransport(asyncio.Transport):
    """A transport that keeps what is written: the socket's place, without the kernel."""

    def __init__(self) -> None:
        super().__init__()
        self.written = 0
        self.written_waiter: asyncio.Future[None] | None = None
        self.closed = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += len(data)
        waiter = self.written_waiter
        if waiter is not None:
            self.written_waiter = None
            waiter.set_result(None)

    def writelines(self, list_of_data: Any) -> None:
        for data in list_of_data:
            self.write(data)

    def is_closing(self) -> bool:
        return self.closed

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.closed = True

    def get_write_buffer_size(self) -> int:
        return 0

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return {"peername": ("127.0.0.1", 40000), "sockname": ("127.0.0.1", 8080)}.get(
            name, default
        )


_CANNED = (
    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 13\r\n"
    b"Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nServer: raw\r\n\r\nHello, World!"
)


class _RawProtocol(asyncio.Protocol):
    """The floor: a canned answer written from ``data_received`` (no parsing, no task)."""

    transport: Any = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.transport.write(_CANNED)


class _RawTaskProtocol(_RawProtocol):
    """The floor of one task per request (what isolates each request's context)."""

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()  # made by the server inside the loop

    def data_received(self, data: bytes) -> None:
        self.loop.create_task(self._answer())

    async def _answer(self) -> None:
        self.transport.write(_CANNED)


#: Not our server: asyncio's own cost of one exchange, to compare ours with.
FLOORS: dict[str, Callable[[], Any]] = {"raw": _RawProtocol, "raw-task": _RawTaskProtocol}


def _new_loop(loop_name: str) -> asyncio.AbstractEventLoop:
    if loop_name == "uvloop":
        import uvloop

        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def driver(scenario: str, loop_name: str = "asyncio") -> Callable[..., None]:
    """Set up one connection serving ``scenario``; ``result(count=1)`` serves ``count`` requests."""
    sys.path.insert(0, str(HERE))
    server = importlib.import_module("server")
    web = importlib.import_module("web")
    loop = _new_loop(loop_name)
    asyncio.set_event_loop(loop)
    factory: Callable[[], Any]
    if scenario in FLOORS:
        factory = FLOORS[scenario]
    else:
        app = server.build_app(web, scenario)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        assert runner.server is not None
        factory = runner.server

    async def connect() -> Any:
        return factory()

    protocol = loop.run_until_complete(connect())
    transport = MemoryTransport()
    protocol.connection_made(transport)
    request = REQUESTS.get(scenario, REQUESTS["hello"])
    feed = protocol.data_received

    if loop_name != "asyncio":
        # uvloop has no "run what is ready": one coroutine feeds a request and waits for the
        # response's first write (the handler task finishes in that same step), so each
        # request costs one loop round trip plus a future, as close as uvloop allows.
        async def serve_many(count: int) -> None:
            for _ in range(count):
                transport.written_waiter = waiter = loop.create_future()
                feed(request)
                await waiter
                if transport.closed:
                    raise RuntimeError(f"{scenario}: connection closed")

        return lambda count=1: loop.run_until_complete(serve_many(count))

    run_once = loop._run_once  # type: ignore[attr-defined]
    ready = loop._ready  # type: ignore[attr-defined]  # asyncio's queue of callbacks

    def serve_asyncio(count: int = 1) -> None:
        for _ in range(count):
            before = transport.written
            feed(request)
            while ready:
                run_once()
            if transport.written == before or transport.closed:
                raise RuntimeError(f"{scenario}: no response written")

    return serve_asyncio


def _area(filename: str) -> str:
    path = filename.replace("\\", "/")
    for label, fragments in AREAS:
        if any(fragment in path for fragment in fragments):
            return label
    if path.startswith("~") or "<" in path:
        return "C calls from C (loop, dataclass init...)"
    return "other stdlib"


def profile(scenario: str, requests: int, loop_name: str, top: int) -> None:
    serve = driver(scenario, loop_name)
    serve(200)
    profiler = cProfile.Profile()
    profiler.enable()
    serve(requests)
    profiler.disable()
    stats = pstats.Stats(profiler)
    entries = stats.stats  # type: ignore[attr-defined]
    by_area: dict[str, float] = defaultdict(float)
    by_func: list[tuple[float, int, str]] = []
    total = 0.0
    for (filename, line, name), (_cc, ncalls, tottime, _ct, callers) in entries.items():
        total += tottime
        short = "/".join(Path(filename).parts[-2:]) if filename != "~" else ""
        by_func.append((tottime, ncalls, f"{short}:{line}({name})"))
        if filename == "~" and callers:
            # a C function (len, dict.get, bytes.split...): its time goes to its callers' areas
            for caller, (_ccc, _nc, caller_tt, _cct) in callers.items():
                by_area[_area(caller[0])] += caller_tt
        else:
            by_area[_area(filename)] += tottime
    print(
        f"== {scenario} ({loop_name}): {requests} requests, profiled total "
        f"{total / requests * 1e6:.1f} us/request (cProfile inflates every call)"
    )
    for label, seconds in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<30} {seconds / total * 100:5.1f} %  {seconds / requests * 1e6:6.2f} us")
    print("  top functions (own time, calls/request):")
    for tottime, ncalls, where in sorted(by_func, reverse=True)[:top]:
        print(f"    {tottime / requests * 1e6:6.2f} us  {ncalls / requests:5.2f}  {where}")


def cpu(scenario: str, requests: int, loop_name: str) -> float:
    """CPU microseconds per request (process time, best of three batches)."""
    serve = driver(scenario, loop_name)
    serve(500)
    best = float("inf")
    for _ in range(3):
        start = time.process_time()
        serve(requests)
        best = min(best, time.process_time() - start)
    return best / requests * 1e6


KNOWN = (*SCENARIOS, *FLOORS)


def main() -> int:
    parser = argparse.ArgumentParser(description="server-side work per request, no sockets")
    parser.add_argument("scenarios", nargs="*", default=list(SCENARIOS), help=", ".join(KNOWN))
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--cpu", action="store_true", help="CPU us/request, no profiler")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    unknown = set(args.scenarios) - set(KNOWN)
    if unknown:
        parser.error(f"unknown scenarios: {sorted(unknown)} (known: {', '.join(KNOWN)})")
    for scenario in args.scenarios:
        if args.cpu:
            print(
                f"{scenario:<8} {cpu(scenario, args.requests, args.loop):7.2f} us/request",
                flush=True,
            )
        else:
            profile(scenario, args.requests, args.loop, args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
