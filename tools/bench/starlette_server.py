"""The hello and json scenarios on Starlette served by uvicorn: a third column for scale.py.

    .venv/bin/python tools/bench/starlette_server.py --scenario hello --port 8081 [--loop uvloop]

Prints "ready" once listening, like server.py. uvicorn runs with its defaults for the HTTP parser
(httptools when installed) and the access log off, so this is Starlette as usually deployed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

SCENARIOS = ("hello", "json")


async def hello(request: Request) -> Response:
    return PlainTextResponse("Hello, World!")


async def json_handler(request: Request) -> Response:
    return JSONResponse({"message": "Hello, World!", "items": [1, 2, 3], "ok": True})


def build_app(scenario: str) -> Starlette:
    if scenario == "hello":
        return Starlette(routes=[Route("/", hello)])
    return Starlette(routes=[Route("/json", json_handler)])


async def serve(scenario: str, port: int, loop: str) -> None:
    config = uvicorn.Config(
        build_app(scenario),
        host="127.0.0.1",
        port=port,
        loop=loop,
        log_level="warning",
        access_log=False,
        lifespan="off",
        backlog=1024,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            await task
            raise SystemExit("uvicorn did not start")
        await asyncio.sleep(0.01)
    print("ready", flush=True)
    await task


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario", choices=SCENARIOS, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    if args.loop == "uvloop":
        import uvloop

        uvloop.run(serve(args.scenario, args.port, "none"))
    else:
        asyncio.run(serve(args.scenario, args.port, "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
