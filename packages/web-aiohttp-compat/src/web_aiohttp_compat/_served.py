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

#: Where a name missing from ``web`` is looked for, in order (the packages under web-meta).
_FALLBACK: Final = (
    "web_app",
    "web_routing",
    "web_static",
    "web_websocket",
    "web_runner",
    "web_http",
)


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


_MISSING: Final = object()


def fill(module: ModuleType) -> None:
    """Give ``module`` (named ``aiohttp.web...``) the framework's namespace."""
    import web

    namespace = module.__dict__
    for name, value in vars(web).items():
        if not name.startswith("_"):
            namespace[name] = value
    namespace["__all__"] = list(web.__all__)
    namespace["__getattr__"] = _lookup(module.__name__)
    namespace["__doc__"] = f"{module.__name__} served by web_aiohttp_compat (see its README)."


def patch_abc(module: ModuleType) -> None:
    """Make aiohttp's server-side abstract classes know this framework's classes.

    The real ``aiohttp.abc`` stays (its client needs ``AbstractCookieJar``,
    ``AbstractResolver``...). A class this framework has under aiohttp's name replaces the
    server-only one (``AbstractMatchInfo``, ``AbstractAccessLogger``), so an extension's
    subclass is one of ours; the others are ABCs our classes are registered with, so
    ``isinstance(view, aiohttp.abc.AbstractView)`` holds for a ``web.View``.
    """
    import web
    import web_app
    import web_routing

    ours = _ours_abc()
    for name in ("AbstractView", "AbstractRouter", "AbstractMatchInfo", "AbstractAccessLogger"):
        if name in ours:
            setattr(module, name, ours[name])
    registrations = (
        ("AbstractView", web.View),
        ("AbstractRouter", web.UrlDispatcher),
        ("AbstractMatchInfo", web_routing.UrlMappingMatchInfo),
        ("AbstractStreamWriter", web_app.PayloadWriter),
    )
    for name, cls in registrations:
        base = getattr(module, name, None)
        if base is not None and hasattr(base, "register") and not issubclass(cls, base):
            base.register(cls)


def _ours_abc() -> dict[str, type]:
    """Our classes with aiohttp.abc's names: ``web.abc`` where it exists, else the packages."""
    import web_routing
    import web_runner

    found: dict[str, type] = {
        "AbstractMatchInfo": web_routing.AbstractMatchInfo,
        "AbstractAccessLogger": web_runner.AbstractAccessLogger,
    }
    try:
        web_abc = importlib.import_module("web.abc")
    except ImportError:
        return found
    for name in ("AbstractView", "AbstractRouter", "AbstractMatchInfo", "AbstractAccessLogger"):
        cls = getattr(web_abc, name, None)
        if isinstance(cls, type):
            found[name] = cls
    return found
