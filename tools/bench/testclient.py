"""In-memory against socket test client: the same scenarios, timed both ways, in one run.

    .venv/bin/python tools/bench/testclient.py [--rounds 3] [--tests 20] [--iterations 5]
                                               [SCENARIO ...]

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
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import time
from collections.abc import Awaitable, Callable

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


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/users/{id}", as_json)
    app.router.add_post("/echo", echo)
    app.router.add_post("/form", form)
    app.router.add_get("/login", login)
    app.router.add_get("/whoami", whoami)
    app.router.add_get("/old", old)
    app.router.add_get("/stream", stream)
    app.router.add_get("/ws", ws_echo)
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


async def run_once(
    scenario: Scenario, transport: str, tests: int, iterations: int
) -> tuple[float, float]:
    """(wall seconds, CPU seconds) for ``tests`` clients of ``iterations`` exchanges."""
    gc.collect()  # the garbage of the previous sample is not charged to this one
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(tests):
        async with TestClient(TestServer(make_app(), transport=transport)) as client:
            await scenario(client, iterations)
    return time.perf_counter() - wall, time.process_time() - cpu


async def main(names: list[str], rounds: int, tests: int, iterations: int) -> None:
    samples: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for _ in range(rounds):
        for name in names:
            for transport in TRANSPORTS:
                got = await run_once(SCENARIOS[name], transport, tests, iterations)
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
    print(f"(medians of {rounds} rounds; per scenario {tests} clients x {iterations} exchanges)")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], default=[])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tests", type=int, default=20, help="clients per scenario and round")
    parser.add_argument("--iterations", type=int, default=5, help="exchanges per client")
    args = parser.parse_args()
    if min(args.rounds, args.tests, args.iterations) < 1:
        parser.error("--rounds, --tests and --iterations must be at least 1")
    asyncio.run(main(args.scenarios or list(SCENARIOS), args.rounds, args.tests, args.iterations))


if __name__ == "__main__":
    cli()
