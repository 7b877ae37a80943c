"""aiohttp's ``aiohttp.abc`` for the server: ``from aiohttp.abc import X`` ports as
``from web.abc import X``.

Nothing is defined here; each base lives in the package that uses it. aiohttp's client-side
bases (``AbstractResolver``, ``AbstractCookieJar``, ``ResolveResult``,
``ClearCookiePredicate``) have no server counterpart and are not provided.
"""

from __future__ import annotations

from web_app import (
    AbstractAccessLogger as AbstractAccessLogger,
    AbstractAsyncAccessLogger as AbstractAsyncAccessLogger,
    AbstractStreamWriter as AbstractStreamWriter,
    AbstractView as AbstractView,
)
from web_routing import (
    AbstractMatchInfo as AbstractMatchInfo,
    AbstractRouter as AbstractRouter,
)

__all__ = (
    "AbstractAccessLogger",
    "AbstractAsyncAccessLogger",
    "AbstractMatchInfo",
    "AbstractRouter",
    "AbstractStreamWriter",
    "AbstractView",
)
