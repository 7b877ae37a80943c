"""Routing benchmark: web_routing vs aiohttp's UrlDispatcher, side by side.

1,000 routes (500 plain, 500 dynamic); we time plain hits, dynamic hits and
misses (404).  Our half runs here; aiohttp's half runs as a subprocess under
/work/main/.bench/aiohttp-venv (aiohttp is never imported by our packages).

    .venv/bin/python tools/bench/routing.py [--rounds N]

Requests are built before timing, so both sides time resolution only.  For
web_routing we report the synchronous ``match()`` (what web-app calls) and
the async ``resolve()``; aiohttp only has ``resolve()``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import subprocess
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AIOHTTP_PYTHON = ROOT / ".bench" / "aiohttp-venv" / "bin" / "python"
N_PLAIN = 500
N_DYNAMIC = 500
N_QUERIES = 2000


def route_paths() -> tuple[list[str], list[str]]:
    plain = [f"/api/v1/plain{i}/items" for i in range(N_PLAIN)]
    dynamic = [f"/api/v1/dyn{i}/{{id}}/detail" for i in range(N_DYNAMIC)]
    return plain, dynamic


def query_paths() -> dict[str, list[str]]:
    # a fixed stride walks the whole table without randomness
    plain = [f"/api/v1/plain{(i * 7919) % N_PLAIN}/items" for i in range(N_QUERIES)]
    dynamic = [f"/api/v1/dyn{(i * 7919) % N_DYNAMIC}/{i}/detail" for i in range(N_QUERIES)]
    miss = [f"/api/v1/missing{i % 97}/x/y" for i in range(N_QUERIES)]
    return {"plain": plain, "dynamic": dynamic, "miss": miss}


async def handler(request: Any) -> Any:  # Any: serves as both frameworks' handler type
    return None


def best_of(rounds: int, run: Callable[[], float]) -> float:
    return min(run() for _ in range(rounds))


async def best_of_async(rounds: int, run: Callable[[], Awaitable[float]]) -> float:
    best = float("inf")
    for _ in range(rounds):
        best = min(best, await run())
    return best


# -- aiohttp half (runs under the aiohttp venv) -------------------------------


async def aiohttp_half(rounds: int) -> dict[str, float]:
    from aiohttp import web  # type: ignore[import-not-found,unused-ignore]
    from aiohttp.test_utils import (  # type: ignore[import-not-found,unused-ignore]
        make_mocked_request,
    )

    app = web.Application()
    router = app.router
    plain, dynamic = route_paths()
    for path in plain:
        router.add_get(path, handler)
    for path in dynamic:
        router.add_get(path, handler)
    app.freeze()
    results: dict[str, float] = {}
    for kind, paths in query_paths().items():
        requests = [make_mocked_request("GET", p, app=app) for p in paths]
        for req in requests:  # warm the lazily built URL so only routing is timed
            _ = req.rel_url.path_safe
        expect_hit = kind != "miss"
        for req in requests[:5]:
            mi = await router.resolve(req)
            assert (mi.http_exception is None) == expect_hit, (kind, req.path)

        async def run(requests: list[Any] = requests) -> float:
            resolve = router.resolve
            start = time.perf_counter()
            for req in requests:
                await resolve(req)
            return (time.perf_counter() - start) / len(requests) * 1e6

        results[kind] = await best_of_async(rounds, run)
    return results


# -- our half --------------------------------------------------------------------


class FakeRequest:
    __slots__ = ("host", "method", "raw_path", "rel_url")

    def __init__(self, method: str, raw_path: str) -> None:
        from yarl import URL

        self.method = method
        self.raw_path = raw_path
        self.rel_url = URL(raw_path)
        self.host = "localhost"


async def our_half(rounds: int) -> dict[str, dict[str, float]]:
    from web_routing import UrlDispatcher

    router = UrlDispatcher()
    plain, dynamic = route_paths()
    for path in plain:
        router.add_get(path, handler)
    for path in dynamic:
        router.add_get(path, handler)
    router.freeze()
    out: dict[str, dict[str, float]] = {"match": {}, "resolve": {}}
    for kind, paths in query_paths().items():
        expect_hit = kind != "miss"
        for p in paths[:5]:
            assert (router.match("GET", p).http_exception is None) == expect_hit, (kind, p)

        def run_match(paths: list[str] = paths) -> float:
            match = router.match
            start = time.perf_counter()
            for p in paths:
                match("GET", p)
            return (time.perf_counter() - start) / len(paths) * 1e6

        requests = [FakeRequest("GET", p) for p in paths]

        async def run_resolve(requests: list[FakeRequest] = requests) -> float:
            resolve = router.resolve
            start = time.perf_counter()
            for req in requests:
                await resolve(req)
            return (time.perf_counter() - start) / len(requests) * 1e6

        out["match"][kind] = best_of(rounds, run_match)
        out["resolve"][kind] = await best_of_async(rounds, run_resolve)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--aiohttp-half", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.aiohttp_half:
        print(json.dumps(asyncio.run(aiohttp_half(args.rounds))))
        return
    ours = asyncio.run(our_half(args.rounds))
    theirs: dict[str, float] | None = None
    if AIOHTTP_PYTHON.exists():
        proc = subprocess.run(
            [str(AIOHTTP_PYTHON), __file__, "--aiohttp-half", "--rounds", str(args.rounds)],
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = json.loads(proc.stdout)
    print(f"routing: {N_PLAIN} plain + {N_DYNAMIC} dynamic routes, {N_QUERIES} lookups per run")
    print(f"{'kind':<9}{'ours match()':>14}{'ours resolve()':>16}{'aiohttp':>10}{'ratio':>8}")
    for kind in ("plain", "dynamic", "miss"):
        m, r = ours["match"][kind], ours["resolve"][kind]
        a = theirs[kind] if theirs else float("nan")
        print(f"{kind:<9}{m:>12.3f}us{r:>14.3f}us{a:>8.3f}us{a / r:>7.1f}x")
    print("ratio = aiohttp resolve() / ours resolve(); >1 means we are faster")


if __name__ == "__main__":
    main()
