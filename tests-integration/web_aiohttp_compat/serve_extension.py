"""Serve one example app of ``apps/`` with the compat layer: ``serve_extension.py NAME PORT``.

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
    name, port = sys.argv[1], int(sys.argv[2])
    if "WEB_AIOHTTP_COMPAT" not in os.environ:
        web_aiohttp_compat.install()
    assert web_aiohttp_compat.installed(), "the layer should be on"
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    module = importlib.import_module(f"apps.{name}_app")
    from aiohttp import web

    web.run_app(
        module.make_app(), host="127.0.0.1", port=port, print=lambda *_: print("READY", flush=True)
    )
