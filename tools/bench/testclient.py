"""In-memory against socket test client: the same scenarios, timed both ways, in one run.

    .venv/bin/python tools/bench/testclient.py [--rounds 3] [--tests 20] [--iterations 5]
                                               [--suite] [--split] [SCENARIO ...]

Each scenario is what a web-app integration test does, ``--tests`` times: start a
``TestClient`` on a fresh ``TestServer`` (startup signals run), send ``--iterations``
exchanges, close both. The two transports run in turn (socket, memory, socket, memory ...
over ``--rounds`` rounds) on one event loop; the medians are printed per scenario, with the
ratio socket/memory (how many times faster the in-memory client is) and the total over the
set. Both the wall-clock time and the process's CPU time (user + system: the client, the
server and the kernel work done for them) are measured; on a machine shared with other
work the CPU figures are the steadier ones. Each sample starts after a full garbage
collection, so neither transport pays for the other's garbage. ``--tests 1 --iterations
1000`` measures the exchanges alone, without set-up costs.

``--suite`` gives each test the shape of the tests in a real web-app integration suite
instead: an app with only the routes its scenario uses, and one exchange in most tests. The
counts come from aiohttp's own tests/test_web_functional.py (read at its commit 00a9a99, the
pytest-aiohttp suite our porting guide targets): of its 105 test functions, 100 send requests;
94 of those make one exchange, 5 make two and 1 makes three (1.07 on average), nearly all on an
app of one or two routes. ``--suite`` repeats that mix over ``--tests`` (default 100) tests.

``--split`` then runs each scenario ``--rounds`` more times in memory under cProfile and
prints the median share of that time spent in the test client's own code (web-testing,
web-http's response parser and request serializer, the client-side body encoders, the
websockets library, the scenario loop) and in the in-memory transport; the rest is the
server (the real protocol, routing, handlers, start-up and clean-up) and the event loop,
which the two transports share. From those shares and the CPU medians it prints a ceiling:
the ratio if the client and the in-memory transport cost nothing at all (the client's share
leaves the socket side too). cProfile inflates call-heavy code, so the shares are estimates.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import gc
import pstats
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import web
from web_testing import FormData, TestClient, TestServer

Scenario = Callable[[TestClient, int], Awaitable[None]]
BLOB = b"x" * 4096
STREAM = 256 * 1024


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="Hello, world")


async def as_json(request: web.Request) -> web.Response:
    return web.json_response({"user": request.match_info["id"], "items": list(range(20))})


async def echo(request: web.Request) -> web.Response:
    return web.Response(body=await request.read())


async def form(request: web.Request) -> web.Response:
    data = await request.post()
    return web.json_response({k: getattr(v, "filename", v) for k, v in data.items()})


async def login(request: web.Request) -> web.Response:
    resp = web.Response(text="in")
    resp.set_cookie("session", "abc")
    return resp


async def whoami(request: web.Request) -> web.Response:
    return web.Response(text=request.cookies.get("session", "-"))


async def old(request: web.Request) -> web.Response:
    raise web.HTTPFound("/")


async def stream(request: web.Request) -> web.StreamResponse:
    resp = web.StreamResponse()
    await resp.prepare(request)
    piece = b"s" * 16384
    for _ in range(STREAM // len(piece)):
        await resp.write(piece)
    await resp.write_eof()
    return resp


async def ws_echo(request: web.Request) -> web.WebSocketResponse:
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        if msg.type is web.WSMsgType.TEXT:
            await ws.send_str(msg.data)
    return ws


#: Every route of the scenarios: (method, path, handler).
ROUTES: dict[str, tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = {
    "/": ("GET", "/", hello),
    "/users/{id}": ("GET", "/users/{id}", as_json),
    "/echo": ("POST", "/echo", echo),
    "/form": ("POST", "/form", form),
    "/login": ("GET", "/login", login),
    "/whoami": ("GET", "/whoami", whoami),
    "/old": ("GET", "/old", old),
    "/stream": ("GET", "/stream", stream),
    "/ws": ("GET", "/ws", ws_echo),
}


def make_app(paths: Iterable[str] = ROUTES) -> web.Application:
    """An app with the routes of ``paths`` (all of them unless told)."""
    app = web.Application()
    for path in paths:
        method, pattern, handler = ROUTES[path]
        if method == "GET":
            app.router.add_get(pattern, handler)
        else:
            app.router.add_route(method, pattern, handler)
    return app


async def s_hello(client: TestClient, n: int) -> None:
    for _ in range(n):
        resp = await client.get("/")
        assert await resp.text() == "Hello, world"


async def s_json(client: TestClient, n: int) -> None:
    for i in range(n):
        resp = await client.get(f"/users/{i}")
        assert (await resp.json())["user"] == str(i)


async def s_echo4k(client: TestClient, n: int) -> None:
    for _ in range(n):
        resp = await client.post("/echo", data=BLOB)
        assert len(await resp.read()) == len(BLOB)


async def s_upload(client: TestClient, n: int) -> None:
    for _ in range(n):
        data = FormData()
        data.add_field("title", "t")
        data.add_field("file", BLOB, filename="f.bin")
        resp = await client.post("/form", data=data)
        assert (await resp.json())["file"] == "f.bin"


async def s_cookies(client: TestClient, n: int) -> None:
    for _ in range(n):
        await (await client.get("/login")).read()
        assert await (await client.get("/whoami")).text() == "abc"


async def s_redirect(client: TestClient, n: int) -> None:
    for _ in range(n):
        resp = await client.get("/old")
        assert resp.status == 200
        await resp.read()


async def s_stream256k(client: TestClient, n: int) -> None:
    for _ in range(n):
        resp = await client.get("/stream")
        total = 0
        async for chunk in resp.content.iter_chunked(65536):
            total += len(chunk)
        assert total == STREAM


async def s_ws(client: TestClient, n: int) -> None:
    async with client.ws_connect("/ws") as ws:
        for i in range(n):
            await ws.send_str(str(i))
            assert await ws.receive_str() == str(i)


async def s_not_found(client: TestClient, n: int) -> None:
    for _ in range(n):
        resp = await client.get("/missing")
        assert resp.status == 404
        await resp.read()


#: The routes each scenario uses: in ``--suite`` shape a test's app has only these.
SCENARIO_ROUTES: dict[str, tuple[str, ...]] = {
    "hello": ("/",),
    "json": ("/users/{id}",),
    "echo4k": ("/echo",),
    "upload": ("/form",),
    "cookies": ("/login", "/whoami"),
    "redirect": ("/old", "/"),
    "stream256k": ("/stream",),
    "ws": ("/ws",),
    "404": ("/",),
}

SCENARIOS: dict[str, Scenario] = {
    "hello": s_hello,
    "json": s_json,
    "echo4k": s_echo4k,
    "upload": s_upload,
    "cookies": s_cookies,
    "redirect": s_redirect,
    "stream256k": s_stream256k,
    "ws": s_ws,
    "404": s_not_found,
}
TRANSPORTS = ("socket", "memory")


def suite_exchanges(test: int) -> int:
    """Exchanges of the ``test``-th test in ``--suite`` shape: of every 100 tests, 94 make
    one, 5 make two and 1 makes three (the counts of aiohttp's own test_web_functional.py)."""
    k = test % 100
    return 3 if k == 99 else 2 if k >= 94 else 1


async def run_once(
    name: str, transport: str, tests: int, iterations: int, suite: bool = False
) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for ``tests`` clients of ``iterations`` exchanges.

    With ``suite``, each test's app has only its scenario's routes and the number of
    exchanges follows ``suite_exchanges`` (``iterations`` is not used).
    """
    scenario = SCENARIOS[name]
    paths: Iterable[str] = SCENARIO_ROUTES[name] if suite else ROUTES
    gc.collect()  # the garbage of the previous sample is not charged to this one
    wall, cpu = time.perf_counter(), time.process_time()
    for test in range(tests):
        async with TestClient(TestServer(make_app(paths), transport=transport)) as client:
            await scenario(client, suite_exchanges(test) if suite else iterations)
    return time.perf_counter() - wall, time.process_time() - cpu


#: Where the test client's own work lives (path fragments of the profiled functions' files).
CLIENT_CODE = (
    "/web_testing/",
    "/web_http/_response_parser.py",
    "/web_http/_serializer.py",
    "/web_app/_formdata.py",
    "/web_app/_multipart_writer.py",
    "/web_app/payload.py",
    "/websockets/",
)
TRANSPORT_CODE = "/web_testing/_memory.py"


async def split(name: str, tests: int, iterations: int, suite: bool = False) -> tuple[float, float]:
    """(client share, in-memory transport share) of a profiled in-memory run."""
    scenario = SCENARIOS[name]
    paths: Iterable[str] = SCENARIO_ROUTES[name] if suite else ROUTES
    gc.collect()
    profile = cProfile.Profile()
    profile.enable()
    for test in range(tests):
        async with TestClient(TestServer(make_app(paths), transport="memory")) as client:
            await scenario(client, suite_exchanges(test) if suite else iterations)
    profile.disable()
    total = in_client = in_transport = 0.0
    stats: dict[tuple[str, int, str], tuple[Any, ...]] = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (path, _, func), row in stats.items():
        own = row[2]
        total += own
        if TRANSPORT_CODE in path:
            in_transport += own
        elif any(part in path for part in CLIENT_CODE) or (
            path == __file__ and func.startswith("s_")
        ):
            in_client += own
    return in_client / total, in_transport / total


async def main(
    names: list[str],
    rounds: int,
    tests: int,
    iterations: int,
    with_split: bool = False,
    suite: bool = False,
) -> None:
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for name in names:
            for transport in TRANSPORTS:
                got = await run_once(name, transport, tests, iterations, suite)
                samples.setdefault((name, transport), []).append(got)
    print(
        f"{'scenario':<12} {'socket ms':>10} {'memory ms':>10} {'wall x':>7}"
        f" {'socket cpu':>11} {'memory cpu':>11} {'cpu x':>7}"
    )
    totals = {(t, k): 0.0 for t in TRANSPORTS for k in (0, 1)}
    for name in [*names, "total"]:
        if name == "total":
            med = totals
        else:
            med = {
                (t, k): statistics.median(s[k] for s in samples[(name, t)])
                for t in TRANSPORTS
                for k in (0, 1)
            }
            for key, value in med.items():
                totals[key] += value
        wall = med[("socket", 0)] / med[("memory", 0)]
        cpu = med[("socket", 1)] / max(med[("memory", 1)], 1e-9)
        print(
            f"{name:<12} {med[('socket', 0)] * 1e3:>10.1f} {med[('memory', 0)] * 1e3:>10.1f}"
            f" {wall:>6.2f}x {med[('socket', 1)] * 1e3:>11.1f} {med[('memory', 1)] * 1e3:>11.1f}"
            f" {cpu:>6.2f}x"
        )
    if suite:
        exchanges = sum(suite_exchanges(test) for test in range(tests))
        shape = f"{tests} clients, {exchanges} exchanges, each app with its scenario's routes"
    else:
        shape = f"{tests} clients x {iterations} exchanges, each app with all {len(ROUTES)} routes"
    print(f"(medians of {rounds} rounds; per scenario {shape})")
    if not with_split:
        return
    print(f"\n{'scenario':<12} {'client':>7} {'transport':>10} {'ceiling cpu x':>14}")
    ceiling = {"socket": 0.0, "memory": 0.0}
    for name in [*names, "total"]:
        if name == "total":
            sock, mem = ceiling["socket"], ceiling["memory"]
            print(f"{name:<12} {'':>7} {'':>10} {sock / max(mem, 1e-9):>13.2f}x")
            break
        shares = [await split(name, tests, iterations, suite) for _ in range(rounds)]
        client_share = statistics.median(c for c, _ in shares)
        transport_share = statistics.median(t for _, t in shares)
        sock = statistics.median(s[1] for s in samples[(name, "socket")])
        mem = statistics.median(s[1] for s in samples[(name, "memory")])
        sock, mem = sock - mem * client_share, mem * (1 - client_share - transport_share)
        ceiling["socket"] += sock
        ceiling["memory"] += mem
        ratio = sock / max(mem, 1e-9)
        print(f"{name:<12} {client_share:>6.0%} {transport_share:>10.0%} {ratio:>13.2f}x")
    print("(client, transport: median shares of the profiled in-memory time; ceiling: the")
    print(" CPU ratio if the client and the in-memory transport cost nothing)")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], default=[])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--tests", type=int, help="clients per scenario and round (20; with --suite 100)"
    )
    parser.add_argument("--iterations", type=int, default=5, help="exchanges per client")
    parser.add_argument(
        "--suite",
        action="store_true",
        help="the shape of a real test suite: per-scenario apps, 1.07 exchanges per test",
    )
    parser.add_argument(
        "--split",
        action="store_true",
        help="also profile the in-memory runs: client/transport shares and the ceiling ratio",
    )
    args = parser.parse_args()
    if args.tests is None:
        args.tests = 100 if args.suite else 20
    if min(args.rounds, args.tests, args.iterations) < 1:
        parser.error("--rounds, --tests and --iterations must be at least 1")
    names = args.scenarios or list(SCENARIOS)
    asyncio.run(main(names, args.rounds, args.tests, args.iterations, args.split, args.suite))


if __name__ == "__main__":
    cli()
