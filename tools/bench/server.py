"""One benchmark server: the same application code on our `web` or on aiohttp's `web`.

    python tools/bench/server.py --framework web|aiohttp --scenario hello --port 8081

It prints "ready" once listening. A scenario the framework cannot serve exits with
status 3 (UNSUPPORTED) so the runner prints "n/a" rather than a made-up number.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

UNSUPPORTED = 3
#: "upload" serves tools/bench/upload.py (request bodies and read() memory), "soak" serves
#: tools/bench/soak.py (mixed load, idle connections, pipelining, many websockets); run.py the rest.
SCENARIOS = (
    "hello", "json", "route", "echo4k", "static64k", "mw5", "ws", "upload", "gzip16k", "soak",
)  # fmt: skip

#: The gzip16k body: about 16 KiB of JSON, the same bytes for both frameworks.
BODY16K = {"items": [{"id": i, "name": f"item {i}", "tags": ["a", "b"]} for i in range(313)]}

Handler = Callable[[Any], Awaitable[Any]]


def build_app(web: Any, scenario: str) -> Any:
    """The application for one scenario, written once against the aiohttp API."""

    async def hello(request: Any) -> Any:
        return web.Response(text="Hello, World!")

    async def json_handler(request: Any) -> Any:
        return web.json_response({"message": "Hello, World!", "items": [1, 2, 3], "ok": True})

    async def post_handler(request: Any) -> Any:
        uid = request.match_info["uid"]
        pid = request.match_info["pid"]
        return web.Response(text=f"user {uid} post {pid}")

    async def other(request: Any) -> Any:
        return web.Response(text="other")

    async def echo(request: Any) -> Any:
        body = await request.read()
        return web.Response(body=body, content_type="application/octet-stream")

    async def ws_echo(request: Any) -> Any:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        async for msg in ws:
            if msg.type == web.WSMsgType.BINARY:
                await ws.send_bytes(msg.data)
            elif msg.type == web.WSMsgType.TEXT:
                await ws.send_str(msg.data)
        return ws

    def passthrough() -> Any:
        async def mw(request: Any, handler: Handler) -> Any:
            return await handler(request)

        return web.middleware(mw)

    async def count_content(request: Any) -> Any:
        size = 0
        async for chunk in request.content.iter_any():
            size += len(chunk)
        return web.Response(text=str(size))

    async def read_body(request: Any) -> Any:
        body = await request.read()
        return web.Response(text=str(len(body)))

    async def memory(request: Any) -> Any:
        return web.json_response(_memory_kib())

    async def reset_peak(request: Any) -> Any:
        # Linux: writing 5 to clear_refs resets VmHWM (the peak RSS) to the current RSS.
        _reset_peak_rss()
        return web.json_response(_memory_kib())

    async def json_echo(request: Any) -> Any:
        return web.json_response(await request.json())

    async def json16k(request: Any) -> Any:
        resp = web.json_response(BODY16K)
        if not hasattr(web, "compression_middleware"):
            resp.enable_compression()  # aiohttp: per response, negotiated the same way
        return resp

    if scenario == "mw5":
        app = web.Application(middlewares=[passthrough() for _ in range(5)])
    elif scenario == "gzip16k" and hasattr(web, "compression_middleware"):
        # ours: the app-wide middleware, gzip at zlib's default level as aiohttp uses
        app = web.Application(middlewares=[web.compression_middleware()])
    elif scenario == "upload":
        app = web.Application(client_max_size=2**31)
    else:
        app = web.Application()
    if scenario in ("hello", "mw5"):
        app.router.add_get("/", hello)
    elif scenario == "json":
        app.router.add_get("/json", json_handler)
    elif scenario == "route":
        for i in range(50):
            app.router.add_get(f"/static/page{i}", other)
            app.router.add_get(f"/items{i}/{{id}}/detail", other)
        app.router.add_get("/users/{uid}/posts/{pid}", post_handler)
    elif scenario == "echo4k":
        app.router.add_post("/echo", echo)
    elif scenario == "static64k":
        folder = Path(tempfile.mkdtemp(prefix="bench-static-"))
        (folder / "file64k.bin").write_bytes(os.urandom(64 * 1024))
        app.router.add_static("/static", folder)
    elif scenario == "ws":
        app.router.add_get("/ws", ws_echo)
    elif scenario == "gzip16k":
        app.router.add_get("/json16k", json16k)
    elif scenario == "soak":  # any other path is the 404 part of the mix
        app.router.add_get("/", hello)
        app.router.add_post("/json-echo", json_echo)
        app.router.add_get("/ws", ws_echo)
    elif scenario == "upload":
        app.router.add_post("/content", count_content)
        app.router.add_post("/read", read_body)
        app.router.add_get("/memory", memory)
        app.router.add_post("/memory/reset-peak", reset_peak)
    return app


def gunicorn_app(scenario: str = "hello") -> Any:
    """The app for gunicorn (``server:gunicorn_app('hello')``), on our `web` (scale.py)."""
    return build_app(importlib.import_module("web"), scenario)


def _reset_peak_rss() -> None:
    with open("/proc/self/clear_refs", "w") as refs:  # a /proc write: never blocks
        refs.write("5")


def _memory_kib() -> dict[str, int]:
    """The process's resident set now and its peak (VmRSS, VmHWM in /proc/self/status), KiB."""
    found: dict[str, int] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def supported(web: Any, scenario: str) -> bool:
    needs = {
        "static64k": ("FileResponse", "StaticResource"),
        "ws": ("WebSocketResponse",),
        "soak": ("WebSocketResponse",),
    }
    required = ("Application", "Response", "json_response", "middleware", *needs.get(scenario, ()))
    if not all(hasattr(web, name) for name in required):
        return False
    if scenario == "static64k":
        try:
            importlib.import_module("web_static")
        except ImportError:
            return str(web.__name__).startswith("aiohttp")
    return True


async def serve(web: Any, scenario: str, port: int) -> None:
    app = build_app(web, scenario)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
    await site.start()
    print("ready", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--framework", choices=("web", "aiohttp"), required=True)
    parser.add_argument("--scenario", choices=SCENARIOS, required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--loop", choices=("asyncio", "uvloop"), default="asyncio")
    args = parser.parse_args()
    try:
        web = importlib.import_module("aiohttp.web" if args.framework == "aiohttp" else "web")
    except ImportError as exc:
        print(f"unsupported: {exc}", file=sys.stderr)
        return UNSUPPORTED
    if not supported(web, args.scenario):
        print(f"unsupported: {args.framework} cannot serve {args.scenario} yet", file=sys.stderr)
        return UNSUPPORTED
    try:
        if args.loop == "uvloop":
            import uvloop

            uvloop.run(serve(web, args.scenario, args.port))
        else:
            asyncio.run(serve(web, args.scenario, args.port))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
