"""The command line (``main``): serving, leftover arguments, one-line errors, exit statuses."""

from __future__ import annotations

import socket
import textwrap
from pathlib import Path

import pytest
from web_runner import main

APP_MODULE = """
import asyncio, os, signal
from web_app import Application, Response

seen = []

def init(argv):
    seen.append(list(argv))
    app = Application()

    async def hello(request):
        return Response(text="hello")

    async def on_startup(app):
        asyncio.get_running_loop().call_later(0.05, os.kill, os.getpid(), signal.SIGTERM)

    app.router.add_get("/", hello)
    app.on_startup.append(on_startup)
    return app

def not_an_app(argv):
    return 42

async def async_not_an_app(argv):
    return "app"

value = 3
"""


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    name = f"cli_app_{tmp_path.name.replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(APP_MODULE))
    monkeypatch.syspath_prepend(str(tmp_path))
    return name


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_serves_and_passes_leftover_arguments(
    module: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import importlib

    port = free_port()
    status = main(["-H", "127.0.0.1", "-P", str(port), f"{module}:init", "--flag", "x"])
    assert status == 0
    assert importlib.import_module(module).seen == [["--flag", "x"]]
    assert f"Running on http://127.0.0.1:{port}" in capsys.readouterr().out


def test_unix_path(module: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = str(tmp_path / "cli.sock")
    assert main(["-U", path, f"{module}:init"]) == 0
    assert f"Running on http://unix:{path}:" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("no_colon", "is not in 'package.module:init_func' syntax"),
        (":init", "is not in 'package.module:init_func' syntax"),
        (".rel:init", "relative module names are not supported"),
        ("surely_missing_module_xyz:init", "cannot import 'surely_missing_module_xyz'"),
        ("{module}:missing", "has no attribute 'missing'"),
        ("{module}:value", "is not callable"),
        ("{module}:not_an_app", "did not return a web.Application"),
        ("{module}:async_not_an_app", "did not return a web.Application"),
    ],
    ids=[
        "syntax",
        "no-module-part",
        "relative",
        "missing-module",
        "missing-func",
        "not-callable",
        "returns-int",
        "async-returns-str",
    ],
)
def test_errors_are_one_line_with_status_2(
    module: str, entry: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["-P", str(free_port()), entry.format(module=module)])
    err = capsys.readouterr().err
    assert status == 2
    assert message in err
    assert err.count("\n") == 1
    assert err.startswith("python -m web: error: ")


def test_port_in_use_is_status_1(module: str, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["-H", "127.0.0.1", "-P", str(port), f"{module}:init"])
    err = capsys.readouterr().err
    assert status == 1
    assert f"cannot serve on 127.0.0.1:{port}" in err
    assert err.count("\n") == 1


def test_help_and_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0
    assert "package.module:init_func" in capsys.readouterr().out
    assert main([]) == 2
    assert main(["-P", "eighty", "m:f"]) == 2
