"""Serve example apps of ``apps/``, each on its own port, in this one process:
``serve_extension.py web|aiohttp NAME=PORT...``.

``web`` serves them on our server through the compat layer (``install()`` unless
``WEB_AIOHTTP_COMPAT`` is set); ``aiohttp`` on aiohttp's own server with the layer off, the
reference the tests hold ours to. Run by test_extensions.py in a subprocess, so the layer's
change of ``sys.modules`` never reaches the test process. Prints ``READY`` once every site
listens and stops cleanly on SIGINT.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import os
import signal
import sys

import web_aiohttp_compat


async def serve(apps: dict[str, int], server: str) -> None:
    import web as ours
    from aiohttp import web

    # aiohttp's class to mypy, ours when the layer is on: compare identities
    assert (id(web.Application) == id(ours.Application)) is (server == "web")
    runners = []
    for name, port in apps.items():
        made = importlib.import_module(f"apps.{name}_app").make_app()
        app = await made if inspect.isawaitable(made) else made
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGINT, stop.set)
    print("READY", flush=True)
    await stop.wait()
    for runner in runners:
        await runner.cleanup()


if __name__ == "__main__":
    server = sys.argv[1]
    if server == "web" and "WEB_AIOHTTP_COMPAT" not in os.environ:
        web_aiohttp_compat.install()
    assert web_aiohttp_compat.installed() is (server == "web")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    pairs = dict(arg.split("=") for arg in sys.argv[2:])
    asyncio.run(serve({name: int(port) for name, port in pairs.items()}, server))
