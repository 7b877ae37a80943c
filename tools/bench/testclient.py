"""In-memory against socket test client: the same scenarios, timed both ways, in one run.

    .venv/bin/python tools/bench/testclient.py [--rounds 5] [--iterations 200] [SCENARIO ...]

Each scenario is what a web-app integration test does: start a ``TestClient`` on a fresh
``TestServer`` (startup signals run), send ``--iterations`` exchanges, close it. The two
transports run in turn (socket, memory, socket, memory ... over ``--rounds`` rounds) on one
event loop; the medians are printed per scenario, with the ratio socket/memory (how many
times faster the in-memory client is) and the total over the set.
"""

from __future__ import annotations

import argparse
import asyncio
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


async def run_once(scenario: Scenario, transport: str, iterations: int) -> float:
    start = time.perf_counter()
    async with TestClient(TestServer(make_app(), transport=transport)) as client:
        await scenario(client, iterations)
    return time.perf_counter() - start


async def main(names: list[str], rounds: int, iterations: int) -> None:
    times: dict[tuple[str, str], list[float]] = {}
    for _ in range(rounds):
        for name in names:
            for transport in TRANSPORTS:
                elapsed = await run_once(SCENARIOS[name], transport, iterations)
                times.setdefault((name, transport), []).append(elapsed)
    print(f"{'scenario':<12} {'socket ms':>10} {'memory ms':>10} {'socket/memory':>14}")
    totals = dict.fromkeys(TRANSPORTS, 0.0)
    for name in names:
        medians = {t: statistics.median(times[(name, t)]) for t in TRANSPORTS}
        for t in TRANSPORTS:
            totals[t] += medians[t]
        ratio = medians["socket"] / medians["memory"]
        print(
            f"{name:<12} {medians['socket'] * 1000:>10.1f} {medians['memory'] * 1000:>10.1f} "
            f"{ratio:>13.2f}x"
        )
    ratio = totals["socket"] / totals["memory"]
    print(
        f"{'total':<12} {totals['socket'] * 1000:>10.1f} {totals['memory'] * 1000:>10.1f} "
        f"{ratio:>13.2f}x"
    )
    print(f"({rounds} rounds x {iterations} exchanges per scenario, medians)")


def cli() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", choices=[*SCENARIOS, []], default=[])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--iterations", type=int, default=200)
    args = parser.parse_args()
    if args.rounds < 1 or args.iterations < 1:
        parser.error("--rounds and --iterations must be at least 1")
    asyncio.run(main(args.scenarios or list(SCENARIOS), args.rounds, args.iterations))


if __name__ == "__main__":
    cli()
