"""The modules served under aiohttp's names: this framework's objects, gathered on import.

Each served module holds the whole ``web`` namespace (so ``aiohttp.web_response.Response`` and
``aiohttp.web.Response`` are the same class, as in aiohttp) and, for names aiohttp keeps only
in a submodule (``aiohttp.web_urldispatcher.PlainResource``), looks them up in the package that
defines them here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import Any, Final

#: Where a name outside ``web.__all__`` is looked for, in order: ``web`` itself, then the
#: packages under it.
_FALLBACK: Final = (
    "web",
    "web_app",
    "web_routing",
    "web_static",
    "web_websocket",
    "web_runner",
    "web_http",
)


_MISSING: Final = object()


def _lookup(module_name: str) -> Callable[[str], Any]:
    def __getattr__(name: str) -> Any:
        if not name.startswith("__"):
            for package in _FALLBACK:
                found = getattr(importlib.import_module(package), name, _MISSING)
                if found is not _MISSING:
                    return found
        raise AttributeError(
            f"module {module_name!r} has no attribute {name!r} (web_aiohttp_compat serves this "
            "module from the web framework, which has no such name)"
        )

    return __getattr__


def fill(module: ModuleType) -> None:
    """Give ``module`` (named ``aiohttp.web...``) the framework's namespace."""
    import web

    namespace = module.__dict__
    for name in web.__all__:
        namespace[name] = getattr(web, name)
    namespace["__all__"] = list(web.__all__)
    namespace["__getattr__"] = _lookup(module.__name__)
    namespace["__doc__"] = f"{module.__name__} served by web_aiohttp_compat (see its README)."


#: aiohttp.abc's classes only its server uses: ours take their place.
_SERVER_ONLY: Final = (
    "AbstractView",
    "AbstractRouter",
    "AbstractMatchInfo",
    "AbstractAccessLogger",
    "AbstractAsyncAccessLogger",
)


def patch_abc(module: ModuleType) -> None:
    """Put this framework's server-side abstract classes into aiohttp's ``aiohttp.abc``.

    The real module stays (its client needs ``AbstractCookieJar``, ``AbstractResolver``...).
    The classes only aiohttp's server uses become ours (``web.abc``), so an extension's
    subclass of ``aiohttp.abc.AbstractView`` is one of ours and ``isinstance(view,
    aiohttp.abc.AbstractView)`` holds for a ``web.View``. ``AbstractStreamWriter`` is shared
    with the client, which subclassed it already: ours is registered with it instead.
    """
    from web import abc as ours

    for name in _SERVER_ONLY:
        if hasattr(module, name):
            setattr(module, name, getattr(ours, name))
    shared = getattr(module, "AbstractStreamWriter", None)
    if isinstance(shared, type) and hasattr(shared, "register"):
        shared.register(ours.AbstractStreamWriter)
