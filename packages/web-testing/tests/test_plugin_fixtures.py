"""The pytest plugin's fixtures, used the way a project's tests use them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import web
from web_testing import RawTestServer, TestClient, TestServer
from web_testing.pytest_plugin import WebClientFactory, WebRawServerFactory, WebServerFactory

pytest_plugins = ["pytester"]


async def hello(request: web.Request) -> web.Response:
    return web.Response(text="hello " + request.match_info.get("name", "world"))


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/", hello)
    app.router.add_get("/{name}", hello)
    return app


def test_plugin_is_registered_by_its_entry_point(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.pluginmanager.has_plugin("web_testing")


async def test_web_client_from_an_app(web_client: WebClientFactory) -> None:
    client = await web_client(make_app())
    assert isinstance(client, TestClient)
    resp = await client.get("/ann")
    assert resp.status == 200
    assert await resp.text() == "hello ann"


async def test_web_client_server_kwargs(web_client: WebClientFactory) -> None:
    client = await web_client(make_app(), server_kwargs={"max_line_size": 50})
    resp = await client.get("/" + "x" * 100)
    assert resp.status == 414


async def test_web_client_from_a_server(
    web_server: WebServerFactory, web_client: WebClientFactory
) -> None:
    server = await web_server(make_app())
    assert isinstance(server, TestServer)
    client = await web_client(server)
    assert client.server is server
    assert await (await client.get("/")).text() == "hello world"


async def test_web_client_client_kwargs(web_client: WebClientFactory) -> None:
    async def headers(request: web.Request) -> web.Response:
        return web.Response(text=request.headers.get("X-Default", "-"))

    app = web.Application()
    app.router.add_get("/", headers)
    client = await web_client(app, headers={"X-Default": "set"})
    assert await (await client.get("/")).text() == "set"


async def test_web_client_rejects_other_objects(web_client: WebClientFactory) -> None:
    with pytest.raises(TypeError, match="Application"):
        await web_client(hello)  # type: ignore[arg-type]


async def test_web_client_server_kwargs_need_an_app(
    web_server: WebServerFactory, web_client: WebClientFactory
) -> None:
    server = await web_server(make_app())
    with pytest.raises(TypeError, match="server_kwargs"):
        await web_client(server, server_kwargs={"max_line_size": 10})


async def test_web_server_port(
    web_server: WebServerFactory, unused_tcp_port_factory: object
) -> None:
    assert callable(unused_tcp_port_factory)
    port = unused_tcp_port_factory()
    server = await web_server(make_app(), port=port)
    assert server.port == port


async def test_web_raw_server(
    web_raw_server: WebRawServerFactory, web_client: WebClientFactory
) -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(text="raw " + request.path)

    server = await web_raw_server(handler)
    assert isinstance(server, RawTestServer)
    client = await web_client(server)
    assert await (await client.get("/p")).text() == "raw /p"


INNER_TEST = """
import web

EVENTS = []


async def test_uses_a_client(web_client):
    app = web.Application()

    async def on_cleanup(app):
        EVENTS.append("cleanup")

    app.on_cleanup.append(on_cleanup)
    client = await web_client(app)
    assert (await client.get("/")).status == 404
    assert EVENTS == []


async def test_failing_test_still_closes(web_client):
    await web_client(web.Application())
    raise AssertionError("fails on purpose")


def test_teardown_ran():
    assert EVENTS == ["cleanup"]
"""


def test_fixtures_work_in_a_fresh_session_and_clean_up(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=INNER_TEST)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-o", "asyncio_mode=auto")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*fails on purpose*"])


async def test_aiohttp_fixture_names(
    aiohttp_client: WebClientFactory,
    aiohttp_server: WebServerFactory,
    aiohttp_raw_server: WebRawServerFactory,
    aiohttp_unused_port: Callable[[], int],
    web_client: WebClientFactory,
) -> None:
    assert aiohttp_client is web_client  # the same fixture under pytest-aiohttp's name
    client = await aiohttp_client(make_app(), transport="memory")
    assert client.transport == "memory"
    assert await (await client.get("/m")).text() == "hello m"
    server = await aiohttp_server(make_app())
    assert server.transport == "socket"

    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(text="raw")

    raw = await aiohttp_raw_server(handler, transport="memory")
    assert await (await (await aiohttp_client(raw)).get("/")).text() == "raw"
    assert 0 < aiohttp_unused_port() < 65536


async def test_transport_is_for_apps_only(
    web_server: WebServerFactory, web_client: WebClientFactory
) -> None:
    server = await web_server(make_app())
    with pytest.raises(TypeError, match="transport"):
        await web_client(server, transport="memory")


STRICT_AND_MEMORY = """
async def test_unmarked_coroutine_runs(aiohttp_client):
    import web

    client = await aiohttp_client(web.Application())
    assert client.transport == "memory"
    assert (await client.get("/")).status == 404
"""


def test_strict_mode_and_memory_ini(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner=STRICT_AND_MEMORY)
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_mode=strict", "-o", "web_testing_transport=memory"
    )
    result.assert_outcomes(passed=1)


def test_bad_transport_ini_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_inner="def test_x(): pass\n")
    result = pytester.runpytest_subprocess(
        "-p", "no:cacheprovider", "-o", "web_testing_transport=udp"
    )
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*web_testing_transport must be socket or memory*"])


def test_pytest_aiohttp_keeps_its_own_names(pytester: pytest.Pytester) -> None:
    # A stand-in for pytest-aiohttp: when it is active, its fixtures answer, not ours.
    theirs = "import pytest\n\n@pytest.fixture\ndef aiohttp_client():\n    return 'theirs'\n"
    test = "def test_x(aiohttp_client, web_client):\n    assert aiohttp_client == 'theirs'\n"
    pytester.makepyfile(pytest_aiohttp=theirs, test_inner=test)
    pytester.syspathinsert()
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "pytest_aiohttp")
    result.assert_outcomes(passed=1)
