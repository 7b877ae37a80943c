"""A logging configuration written for aiohttp's logger names, on our server (real sockets).

Each case runs in its own interpreter: logging's configuration is process-wide.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

SCRIPT = textwrap.dedent(
    """
    import asyncio, logging, logging.config, sys
    import httpx
    import web
    import web.log

    logging.config.dictConfig({
        "version": 1,
        "formatters": {"plain": {"format": "%(name)s|%(levelname)s|%(message)s"}},
        "handlers": {"out": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout",
                             "formatter": "plain"}},
        "loggers": {
            "aiohttp.access": {"handlers": ["out"], "level": LEVEL, "propagate": False},
            "aiohttp.server": {"handlers": ["out"], "level": "ERROR", "propagate": False},
        },
    })
    if OPT_IN:
        web.log.use_aiohttp_logger_names()

    async def hello(request):
        return web.Response(text="hello")

    async def boom(request):
        raise RuntimeError("boom")

    async def main():
        app = web.Application()
        app.router.add_get("/", hello)
        app.router.add_get("/boom", boom)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        base = f"http://127.0.0.1:{runner.addresses[0][1]}"
        async with httpx.AsyncClient() as client:
            print("STATUS", (await client.get(base + "/")).status_code, flush=True)
            print("STATUS", (await client.get(base + "/boom")).status_code, flush=True)
        await runner.cleanup()

    asyncio.run(main())
    """
)


def _run(level: str, opt_in: bool) -> list[str]:
    code = SCRIPT.replace("LEVEL", repr(level)).replace("OPT_IN", str(opt_in))
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    ).stdout
    return out.splitlines()


def test_aiohttp_names_configuration_applies_after_the_opt_in() -> None:
    lines = _run("INFO", opt_in=True)
    access = [line for line in lines if line.startswith("web.access|INFO|")]
    assert len(access) == 2  # once each: no second copy through the root logger
    assert '"GET / HTTP/1.1" 200' in access[0]
    assert '"GET /boom HTTP/1.1" 500' in access[1]
    errors = [line for line in lines if line.startswith("web.server|ERROR|")]
    assert errors and "Error handling request" in errors[0]
    assert lines.count("STATUS 200") == 1 and lines.count("STATUS 500") == 1


def test_a_level_on_aiohttp_access_silences_our_access_log() -> None:
    lines = _run("WARNING", opt_in=True)
    assert not [line for line in lines if line.startswith("web.access")]
    assert [line for line in lines if line.startswith("web.server|ERROR|")]


def test_without_the_opt_in_aiohttp_names_do_not_reach_our_loggers() -> None:
    lines = _run("INFO", opt_in=False)
    assert not [line for line in lines if line.startswith(("web.access", "web.server"))]
    assert lines.count("STATUS 200") == 1
