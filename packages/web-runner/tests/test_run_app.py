"""run_app in this process: sites it builds, the banner, signals, errors after cleanup."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from web_app import Application, Request, Response
from web_runner import GracefulExit, NotAnApplicationError, run_app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


async def raw_get(port: int | None = None, unix: str | None = None) -> bytes:
    if unix is not None:
        reader, writer = await asyncio.open_unix_connection(unix)
    else:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"GET / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    data = await reader.read()
    writer.close()
    return data.partition(b"\r\n\r\n")[2]


def app_that(then: Callable[[], Any], events: list[str]) -> Application:
    """An app that, once serving, runs ``then`` (a coroutine function) and records signals."""
    app = Application()

    async def hello(request: Request) -> Response:
        return Response(text="hello")

    async def on_startup(app: Application) -> None:
        events.append("startup")
        asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(then()))

    async def on_cleanup(app: Application) -> None:
        events.append("cleanup")

    app.router.add_get("/", hello)
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


def stop_soon() -> None:
    """Raise GracefulExit from a loop callback, as a signal handler does."""

    def stop() -> None:
        raise GracefulExit()

    asyncio.get_running_loop().call_soon(stop)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_signal_ends_run_app_gracefully(signum: int) -> None:
    port = free_port()
    events: list[str] = []
    bodies: list[bytes] = []
    printed: list[str] = []

    async def then() -> None:
        bodies.append(await raw_get(port))
        os.kill(os.getpid(), signum)

    run_app(app_that(then, events), host="127.0.0.1", port=port, print=printed.append)
    assert bodies == [b"hello"]
    assert events == ["startup", "cleanup"]
    assert printed == [
        f"======== Running on http://127.0.0.1:{port} ========\n(Press CTRL+C to quit)"
    ]
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers were removed


def test_coroutine_app_many_hosts_paths_and_socks(tmp_path: Path) -> None:
    port = free_port()
    path = str(tmp_path / "a.sock")
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock_port = sock.getsockname()[1]
    events: list[str] = []
    bodies: list[bytes] = []
    printed: list[str] = []

    async def then() -> None:
        bodies.append(await raw_get(port))
        bodies.append(await raw_get(unix=path))
        bodies.append(await raw_get(sock_port))
        stop_soon()

    async def make() -> Application:
        return app_that(then, events)

    run_app(
        make(),
        host=["127.0.0.1"],
        port=port,
        path=[Path(path)],
        sock=[sock],
        print=printed.append,
        handle_signals=False,
    )
    assert bodies == [b"hello", b"hello", b"hello"]
    assert events == ["startup", "cleanup"]
    assert printed[0].startswith(f"======== Running on http://127.0.0.1:{port}, http://unix:")


def test_print_none_is_silent(capsys: pytest.CaptureFixture[str]) -> None:
    async def then() -> None:
        stop_soon()

    run_app(app_that(then, []), host="127.0.0.1", port=free_port(), print=None)
    assert capsys.readouterr().out == ""


def test_not_an_application_is_a_type_error() -> None:
    async def make() -> Any:
        return 42

    with pytest.raises(NotAnApplicationError, match="int"):
        run_app(make(), port=free_port(), print=None)
    with pytest.raises(TypeError):
        run_app("app", port=free_port(), print=None)  # type: ignore[arg-type]


def test_port_in_use_propagates_after_cleanup() -> None:
    events: list[str] = []
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        async def then() -> None:
            raise AssertionError("never serving")

        with pytest.raises(OSError):
            run_app(app_that(then, events), host="127.0.0.1", port=port, print=None)
    assert events == ["startup", "cleanup"]


def test_failing_startup_unwinds_cleanup_contexts() -> None:
    events: list[str] = []
    app = Application()

    async def ctx(app: Application) -> AsyncIterator[None]:
        events.append("enter")
        yield
        events.append("exit")

    async def broken(app: Application) -> None:
        raise RuntimeError("no database")

    app.cleanup_ctx.append(ctx)
    app.on_startup.append(broken)
    with pytest.raises(RuntimeError, match="no database"):
        run_app(app, host="127.0.0.1", port=free_port(), print=None)
    assert events == ["enter", "exit"]


async def get_with_header(port: int, value: str) -> bytes:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        f"GET / HTTP/1.1\r\nHost: t\r\nX-Big: {value}\r\nConnection: close\r\n\r\n".encode()
    )
    data = await reader.read()
    writer.close()
    return data.partition(b"\r\n")[0]


def test_extra_keyword_arguments_reach_the_server() -> None:
    """run_app(app, max_field_size=...) as in aiohttp: the field limit is the one passed."""
    port = free_port()
    status: list[bytes] = []

    async def then() -> None:
        status.append(await get_with_header(port, "x" * 12000))  # > 8190, < 16384
        status.append(await get_with_header(port, "x" * 17000))
        stop_soon()

    run_app(app_that(then, []), host="127.0.0.1", port=port, print=None, max_field_size=16384)
    assert status == [b"HTTP/1.1 200 OK", b"HTTP/1.1 431 Request Header Fields Too Large"]


def test_unknown_keyword_argument_fails_before_serving() -> None:
    events: list[str] = []

    async def then() -> None:
        raise AssertionError("never serving")

    with pytest.raises(TypeError, match="no_such_option"):
        run_app(app_that(then, events), port=free_port(), print=None, no_such_option=1)
    assert events == ["startup", "cleanup"]
