"""The meta-path finder: aiohttp's server-side module names, answered with our modules.

Every other ``aiohttp`` module (the package itself, its client, ``hdrs``, ``helpers``) is left
to the normal finders, so it is the real aiohttp; ``aiohttp.abc`` is the real one too, with our
classes put into or registered with its server-side ABCs once it has run (see ``_served``).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import CodeType, ModuleType
from typing import Final

__all__ = ("SERVED", "AiohttpServerFinder")

#: aiohttp's server-side modules; each resolves to this framework's objects.
SERVED: Final = frozenset(
    {
        "aiohttp.web",
        "aiohttp.web_app",
        "aiohttp.web_exceptions",
        "aiohttp.web_fileresponse",
        "aiohttp.web_log",
        "aiohttp.web_middlewares",
        "aiohttp.web_protocol",
        "aiohttp.web_request",
        "aiohttp.web_response",
        "aiohttp.web_routedef",
        "aiohttp.web_runner",
        "aiohttp.web_server",
        "aiohttp.web_urldispatcher",
        "aiohttp.web_ws",
        "aiohttp.worker",
    }
)
#: Real aiohttp modules that get our classes added once they are loaded.
_PATCHED: Final = "aiohttp.abc"


#: What ``python -m aiohttp.web ...`` runs: our command line (``python -m web``), same options.
_CLI: Final = "import sys\nfrom web_runner import main\nsys.exit(main())\n"


class _ServedLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # a plain module; exec_module fills it

    def exec_module(self, module: ModuleType) -> None:
        from ._served import fill

        fill(module)

    def get_code(self, fullname: str) -> CodeType | None:
        """Only runpy asks: ``python -m aiohttp.web`` is aiohttp's documented command line."""
        if fullname != "aiohttp.web":
            return None
        return compile(_CLI, "<aiohttp.web served by web_aiohttp_compat>", "exec")


class _PatchingLoader(importlib.abc.Loader):
    """Runs the real module, then adds our classes to it."""

    def __init__(self, real: importlib.abc.Loader) -> None:
        self._real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return self._real.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        from ._served import patch_abc

        self._real.exec_module(module)
        patch_abc(module)


class AiohttpServerFinder(importlib.abc.MetaPathFinder):
    """First on ``sys.meta_path`` while the layer is installed."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname in SERVED:
            return importlib.util.spec_from_loader(fullname, _ServedLoader())
        if fullname == _PATCHED:
            for finder in sys.meta_path:
                if finder is self:
                    continue
                find = getattr(finder, "find_spec", None)
                spec: importlib.machinery.ModuleSpec | None = (
                    find(fullname, path, target) if find is not None else None
                )
                if spec is not None and spec.loader is not None:
                    spec.loader = _PatchingLoader(spec.loader)
                    return spec
        return None

    def patch_loaded(self) -> None:
        """Patch ``aiohttp.abc`` now if the client (``import aiohttp``) loaded it already."""
        module = sys.modules.get(_PATCHED)
        if module is not None:
            from ._served import patch_abc

            patch_abc(module)
