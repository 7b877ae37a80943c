"""Serve the web framework under aiohttp's server-side module names, on request.

aiohttp extensions (aiohttp-session, aiohttp-jinja2, aiohttp-cors, sockjs...) import
``aiohttp.web``, ``aiohttp.web_exceptions``, ``aiohttp.abc`` themselves, so changing one import
in an application does not reach them. After :func:`install` (or with ``WEB_AIOHTTP_COMPAT=1``
in the environment) those names resolve to this framework's objects while ``aiohttp`` itself,
its client included, stays the real aiohttp, which must be installed.

Nothing happens unless enabled: importing this package installs nothing and imports neither
``web`` nor ``aiohttp``.
"""

from __future__ import annotations

import sys
from typing import Final

from .__about__ import __version__
from ._finder import SERVED, AiohttpServerFinder

__all__ = ("ENV_VAR", "SERVED", "__version__", "install", "installed")

#: ``WEB_AIOHTTP_COMPAT=1`` installs the layer when the interpreter starts.
ENV_VAR: Final = "WEB_AIOHTTP_COMPAT"


def installed() -> bool:
    """Whether the layer is active in this interpreter."""
    return any(isinstance(finder, AiohttpServerFinder) for finder in sys.meta_path)


def install() -> None:
    """Make aiohttp's server-side modules resolve to this framework (idempotent).

    Call it before anything imports ``aiohttp.web``: an extension that already holds
    aiohttp's own classes cannot be redirected, so that case is a ``RuntimeError`` naming the
    modules imported too early.
    """
    if installed():
        return
    early = sorted(name for name in SERVED if name in sys.modules)
    if early:
        raise RuntimeError(
            "web_aiohttp_compat.install() must run before aiohttp's server modules are "
            f"imported; already imported: {', '.join(early)}"
        )
    finder = AiohttpServerFinder()
    sys.meta_path.insert(0, finder)
    finder.patch_loaded()
