"""The umbrella exports exactly aiohttp's `web.__all__`, each name from the package that owns it."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pytest
import web

NAMES = (Path(__file__).parent / "aiohttp_web_names.txt").read_text().split()
OWNERS = ("web_app", "web_routing", "web_runner", "web_static", "web_websocket")


def test_the_list_is_aiohttps_117_names() -> None:
    assert len(NAMES) == len(set(NAMES)) == 117


def test_all_matches_aiohttp() -> None:
    assert sorted(web.__all__) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_each_name_is_the_owning_packages_object(name: str) -> None:
    obj = getattr(web, name)
    owners = [mod for mod in OWNERS if getattr(importlib.import_module(mod), name, None) is obj]
    assert owners, f"web.{name} is not re-exported from the package that defines it"


def test_star_import_gives_every_name() -> None:
    namespace: dict[str, object] = {}
    exec("from web import *", namespace)
    assert set(NAMES) <= set(namespace)


def test_python_dash_m_web_reaches_the_cli() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "web", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    assert "init_func" in done.stdout or "entry-func" in done.stdout


def test_typing_aliases_for_middlewares_are_public_outside_all() -> None:
    import web_app

    assert web.Handler is web_app.Handler
    assert web.Middleware is web_app.Middleware
    assert "Handler" not in web.__all__ and "Middleware" not in web.__all__

    @web.middleware
    async def passthrough(request: web.Request, handler: web.Handler) -> web.StreamResponse:
        return await handler(request)

    typed: web.Middleware = passthrough
    assert web.Application(middlewares=[typed]).middlewares[0] is passthrough


def test_aiohttp_top_level_names_are_reachable_outside_all() -> None:
    import web_app
    import web_http
    import web_websocket

    expected = {
        "hdrs": web_http.hdrs,
        "ETag": web_http.ETag,
        "ChainMapProxy": web_app.ChainMapProxy,
        "HttpVersion": web_http.HttpVersion,
        "StreamReader": web_http.StreamReader,
        "MultipartReader": web_http.MultipartReader,
        "BodyPartReader": web_http.BodyPartReader,
        "FormData": web_app.FormData,
        "MultipartWriter": web_app.MultipartWriter,
        "WSCloseCode": web_websocket.WSCloseCode,
        "WSMessage": web_websocket.WSMessage,
        "payload": web_app.payload,
    }
    for name, obj in expected.items():
        assert getattr(web, name) is obj, name
        assert name not in web.__all__
    assert web.hdrs.CONTENT_TYPE == "Content-Type"
    assert web.HttpVersion(1, 1) == web.HttpVersion11


def _import_web(tmp_path: Path, prelude: str) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "probe.py"
    script.write_text(prelude + "\nimport web\nprint('imported', len(web.__all__))\n")
    return subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )


def test_import_web_without_web_asgi_installed(tmp_path: Path) -> None:
    hide = (
        "import sys\n"
        "class Hide:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'web_asgi':\n"
        "            raise ModuleNotFoundError(\"No module named 'web_asgi'\", name='web_asgi')\n"
        "sys.meta_path.insert(0, Hide())\n"
    )
    done = _import_web(tmp_path, hide)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "imported 117"


def test_a_broken_web_asgi_install_is_reported_not_hidden(tmp_path: Path) -> None:
    broken = tmp_path / "shadow" / "web_asgi"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text("import a_dependency_that_is_missing\n")
    done = _import_web(tmp_path, f"import sys\nsys.path.insert(0, {str(broken.parent)!r})\n")
    assert done.returncode != 0
    assert "No module named 'a_dependency_that_is_missing'" in done.stderr
