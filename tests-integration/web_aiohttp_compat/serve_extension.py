"""Serve one example app of ``apps/``: ``serve_extension.py NAME PORT web|aiohttp``.

``web`` serves it on our server through the compat layer; ``aiohttp`` on aiohttp's own server
(the layer off), the reference the tests hold ours to.

Run in its own process by test_extensions.py, so the layer's change of ``sys.modules`` never
reaches the test process. The layer is enabled by ``WEB_AIOHTTP_COMPAT=1`` (the .pth file) or,
when that variable is absent, by calling ``install()`` here, so both ways are exercised.
"""

from __future__ import annotations

import importlib
import os
import sys

import web_aiohttp_compat

if __name__ == "__main__":
    name, port, server = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    if server == "web" and "WEB_AIOHTTP_COMPAT" not in os.environ:
        web_aiohttp_compat.install()
    assert web_aiohttp_compat.installed() is (server == "web")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    module = importlib.import_module(f"apps.{name}_app")
    import web as ours
    from aiohttp import web

    # aiohttp's class to mypy, ours when the layer is on: compare identities
    assert (id(web.Application) == id(ours.Application)) is (server == "web")

    web.run_app(
        module.make_app(), host="127.0.0.1", port=port, print=lambda *_: print("READY", flush=True)
    )
