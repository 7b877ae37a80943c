"""The two ASGI applications of tools/bench/asgi.py, as ``--factory`` targets.

``web_app``: run.py's benchmark application (tools/bench/server.py's ``build_app`` on our
``web``) through ``web_asgi.asgi_app``; ``starlette_app``: the same responses written with
Starlette. ``BENCH_SCENARIO`` (hello or json) picks the scenario.
"""

from __future__ import annotations

import os
from typing import Any

from server import build_app  # type: ignore[import-not-found]  # the sibling script


def web_app() -> Any:
    import web
    import web_asgi

    return web_asgi.asgi_app(build_app(web, os.environ.get("BENCH_SCENARIO", "hello")))


def starlette_app() -> Any:
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, Response
    from starlette.routing import Route

    async def hello(request: Request) -> Response:
        return PlainTextResponse("Hello, World!")

    async def json_handler(request: Request) -> Response:
        return JSONResponse({"message": "Hello, World!", "items": [1, 2, 3], "ok": True})

    return Starlette(routes=[Route("/", hello), Route("/json", json_handler)])
