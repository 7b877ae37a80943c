"""Sites: TCP on IPv4 and IPv6, Unix sockets, passed sockets, names, defaults, named pipes."""

from __future__ import annotations

import socket
import ssl
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from web_app import Application, Request, Response
from web_runner import AppRunner, NamedPipeSite, SockSite, TCPSite, UnixSite

Fetch = Callable[..., Coroutine[Any, Any, Any]]


async def hello(request: Request) -> Response:
    return Response(text="hello")


@pytest.fixture
async def runner() -> AsyncIterator[AppRunner]:
    app = Application()
    app.router.add_get("/", hello)
    runner = AppRunner(app, access_log=None, shutdown_timeout=1)
    await runner.setup()
    yield runner
    await runner.cleanup()


def has_ipv6() -> bool:
    if not socket.has_ipv6:
        return False
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


async def test_tcp_defaults_and_name(runner: AppRunner) -> None:
    plain = TCPSite(runner)
    assert plain.port == 8080
    assert plain.name == "http://0.0.0.0:8080"
    tls = TCPSite(runner, "localhost", ssl_context=ssl.create_default_context())
    assert tls.port == 8443
    assert tls.name == "https://localhost:8443"
    assert TCPSite(runner, "::1", 81).name == "http://[::1]:81"


@pytest.mark.parametrize("port", [-1, 65536, "80", True], ids=repr)
async def test_tcp_bad_port(runner: AppRunner, port: Any) -> None:
    with pytest.raises(ValueError, match="port"):
        TCPSite(runner, "127.0.0.1", port)


async def test_tcp_bad_backlog_and_ssl(runner: AppRunner) -> None:
    with pytest.raises(ValueError, match="backlog"):
        TCPSite(runner, "127.0.0.1", 0, backlog=-1)
    with pytest.raises(TypeError, match="ssl_context"):
        TCPSite(runner, "127.0.0.1", 0, ssl_context="yes")  # type: ignore[arg-type]


async def test_tcp_ipv4(runner: AppRunner, fetch: Fetch) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    assert site.name == f"http://127.0.0.1:{site.port}"
    assert (await fetch(site.port)).body == b"hello"


@pytest.mark.skipif(not has_ipv6(), reason="no IPv6 loopback on this machine")
async def test_tcp_ipv6(runner: AppRunner, fetch: Fetch) -> None:
    site = TCPSite(runner, "::1", 0)
    await site.start()
    assert site.name == f"http://[::1]:{site.port}"
    assert (await fetch(site.port, host="::1")).body == b"hello"


@pytest.mark.skipif(not has_ipv6(), reason="no IPv6 loopback on this machine")
async def test_host_none_listens_on_ipv4_and_ipv6(runner: AppRunner, fetch: Fetch) -> None:
    with socket.socket() as probe:  # find a port free on both families
        probe.bind(("", 0))
        port = probe.getsockname()[1]
    site = TCPSite(runner, None, port)
    await site.start()
    families = {len(address) for address in runner.addresses}
    assert families == {2, 4}  # (host, port) and (host, port, flowinfo, scope_id)
    assert (await fetch(port, host="127.0.0.1")).body == b"hello"
    assert (await fetch(port, host="::1")).body == b"hello"


async def test_unix_site(runner: AppRunner, fetch: Fetch, tmp_path: Path) -> None:
    path = str(tmp_path / "web.sock")
    site = UnixSite(runner, path)
    assert site.name == f"http://unix:{path}:"
    await site.start()
    assert runner.addresses == [path]
    assert (await fetch(unix=path)).body == b"hello"
    await site.stop()
    assert not Path(path).exists()  # noqa: ASYNC240


async def test_unix_site_replaces_a_stale_socket_file(
    runner: AppRunner, fetch: Fetch, tmp_path: Path
) -> None:
    path = str(tmp_path / "stale.sock")
    with socket.socket(socket.AF_UNIX) as old:
        old.bind(path)  # left behind, as by a crashed server
    site = UnixSite(runner, Path(path))
    await site.start()
    assert (await fetch(unix=path)).body == b"hello"


async def test_unix_site_refuses_empty_path(runner: AppRunner) -> None:
    with pytest.raises(ValueError, match="path"):
        UnixSite(runner, "")


async def test_sock_site_tcp(runner: AppRunner, fetch: Fetch) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    site = SockSite(runner, sock)
    assert site.name == f"http://127.0.0.1:{port}"
    await site.start()
    assert (await fetch(port)).body == b"hello"


async def test_sock_site_unix(runner: AppRunner, fetch: Fetch, tmp_path: Path) -> None:
    path = str(tmp_path / "given.sock")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(path)
    site = SockSite(runner, sock)
    assert site.name == f"http://unix:{path}:"
    await site.start()
    assert (await fetch(unix=path)).body == b"hello"


async def test_sock_site_refuses_a_non_socket(runner: AppRunner) -> None:
    with pytest.raises(TypeError, match=r"socket\.socket"):
        SockSite(runner, 8080)  # type: ignore[arg-type]


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows error")
async def test_named_pipe_site_is_windows_only(runner: AppRunner) -> None:
    with pytest.raises(RuntimeError, match="Windows"):
        NamedPipeSite(runner, r"\\.\pipe\web")


async def test_site_shutdown_timeout_sets_the_runner(runner: AppRunner) -> None:
    TCPSite(runner, "127.0.0.1", 0, shutdown_timeout=3.5)
    assert runner.shutdown_timeout == 3.5


async def test_stopped_site_refuses_connections(runner: AppRunner, fetch: Fetch) -> None:
    site = TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site.port
    await site.stop()
    assert runner.sites == set()
    with pytest.raises(OSError):
        await fetch(port)
    with pytest.raises(RuntimeError, match="not registered"):
        await site.stop()


async def test_reuse_port_lets_two_sites_share_a_port(runner: AppRunner, fetch: Fetch) -> None:
    first = TCPSite(runner, "127.0.0.1", 0, reuse_port=True)
    await first.start()
    second = TCPSite(runner, "127.0.0.1", first.port, reuse_port=True)
    await second.start()
    assert len(runner.sites) == 2
    assert (await fetch(first.port)).body == b"hello"
