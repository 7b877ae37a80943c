"""The layer against a stand-in aiohttp package (the real one is not a dependency here).

Each case runs in a fresh interpreter: the layer changes ``sys.meta_path`` and
``sys.modules`` for the whole process, which must not leak into other tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., str]

STAND_IN = {
    "__init__.py": "from . import abc, client\nfrom .client import ClientSession\n",
    "client.py": "class ClientSession:\n    pass\n",
    "abc.py": textwrap.dedent(
        """
        from abc import ABC

        class AbstractView(ABC): pass
        class AbstractRouter(ABC): pass
        class AbstractMatchInfo(ABC): pass
        class AbstractStreamWriter(ABC): pass
        class AbstractAccessLogger(ABC): pass
        class AbstractCookieJar(ABC): pass
        """
    ),
    "web.py": "REAL_AIOHTTP_WEB = True\n",
    "web_exceptions.py": "REAL_AIOHTTP_WEB = True\n",
}


@pytest.fixture
def run(tmp_path: Path) -> Run:
    package = tmp_path / "aiohttp"
    package.mkdir()
    for name, text in STAND_IN.items():
        (package / name).write_text(text)

    def run(code: str, **env: str) -> str:
        environ = {k: v for k, v in os.environ.items() if k != "WEB_AIOHTTP_COMPAT"}
        environ.update(env)
        environ["PYTHONPATH"] = os.pathsep.join([str(tmp_path), environ.get("PYTHONPATH", "")])
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(code)],
            capture_output=True,
            text=True,
            env=environ,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    return run


def test_import_alone_changes_nothing(run: Run) -> None:
    out = run(
        """
        import sys
        import web_aiohttp_compat
        import aiohttp.web
        print(web_aiohttp_compat.installed(), "web" in sys.modules, aiohttp.web.REAL_AIOHTTP_WEB)
        """
    )
    assert out == "False False True"


def test_server_modules_are_ours_client_stays(run: Run) -> None:
    out = run(
        """
        import web_aiohttp_compat
        web_aiohttp_compat.install()
        web_aiohttp_compat.install()  # idempotent
        import sys
        from aiohttp import web, ClientSession
        from aiohttp.web_exceptions import HTTPNotFound
        from aiohttp.web_urldispatcher import PlainResource
        import aiohttp.abc as abc
        import web as ours, web_app, web_routing
        from web import abc as ours_abc
        assert web.Application is ours.Application and HTTPNotFound is ours.HTTPNotFound
        assert PlainResource is web_routing.PlainResource
        assert not hasattr(web, "REAL_AIOHTTP_WEB")
        assert ClientSession.__module__ == "aiohttp.client"
        for name in ("AbstractView", "AbstractRouter", "AbstractMatchInfo", "AbstractAccessLogger"):
            assert getattr(abc, name) is getattr(ours_abc, name), name
        assert issubclass(ours.View, abc.AbstractView)
        assert issubclass(ours.UrlDispatcher, abc.AbstractRouter)
        assert abc.AbstractStreamWriter.__module__ == "aiohttp.abc"  # shared with the client
        assert issubclass(web_app.PayloadWriter, abc.AbstractStreamWriter)
        assert abc.AbstractCookieJar.__module__ == "aiohttp.abc"
        assert sum(isinstance(f, type(sys.meta_path[0])) for f in sys.meta_path) == 1
        try:
            web.NoSuchThing
        except AttributeError as exc:
            print(exc)
        """
    )
    assert "'aiohttp.web' has no attribute 'NoSuchThing'" in out
    assert "web_aiohttp_compat" in out


def test_too_late_is_refused_by_name(run: Run) -> None:
    out = run(
        """
        import aiohttp.web, aiohttp.web_exceptions
        import web_aiohttp_compat
        try:
            web_aiohttp_compat.install()
        except RuntimeError as exc:
            print(exc)
        print(web_aiohttp_compat.installed())
        """
    )
    assert "already imported: aiohttp.web, aiohttp.web_exceptions" in out
    assert out.endswith("False")


def test_client_imported_first_still_gets_abc_patched(run: Run) -> None:
    out = run(
        """
        import aiohttp
        import web_aiohttp_compat
        web_aiohttp_compat.install()
        import aiohttp.web
        import web
        from aiohttp.abc import AbstractView
        print(issubclass(web.View, AbstractView), aiohttp.web.Application is web.Application)
        """
    )
    assert out == "True True"


@pytest.mark.parametrize(("value", "expected"), [("1", "True"), ("0", "False")])
def test_environment_variable_installs_at_start(run: Run, value: str, expected: str) -> None:
    """The distribution's .pth file reads WEB_AIOHTTP_COMPAT when the interpreter starts."""
    out = run(
        """
        import sys
        print(any(type(f).__name__ == "AiohttpServerFinder" for f in sys.meta_path))
        """,
        WEB_AIOHTTP_COMPAT=value,
    )
    assert out == expected
