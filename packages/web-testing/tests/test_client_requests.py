"""TestClient sends aiohttp-style requests to a test server and wraps the answers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from http.cookies import BaseCookie, SimpleCookie

import pytest
import web
from web_testing import ClientResponse, CookieJar, RawTestServer, TestClient, TestServer, _session
from yarl import URL


async def echo(request: web.Request) -> web.Response:
    body = await request.read()
    return web.json_response(
        {
            "method": request.method,
            "path": request.path,
            "query": dict(request.query),
            "content_type": request.content_type,
            "body": body.decode("utf-8", "replace"),
            "x_test": request.headers.get("X-Test"),
            "chunked": "chunked" in request.headers.get("Transfer-Encoding", ""),
        }
    )


async def form(request: web.Request) -> web.Response:
    data = await request.post()
    return web.json_response({k: data.getall(k) for k in data})


async def set_cookie(request: web.Request) -> web.Response:
    resp = web.Response(text="set")
    resp.set_cookie("session", "abc")
    return resp


async def get_cookie(request: web.Request) -> web.Response:
    return web.Response(text=request.cookies.get("session", "none"))


async def redirect(request: web.Request) -> web.Response:
    raise web.HTTPFound("/echo")


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_route("*", "/echo", echo)
    app.router.add_post("/form", form)
    app.router.add_get("/set", set_cookie)
    app.router.add_get("/get", get_cookie)
    app.router.add_get("/redirect", redirect)
    return app


@pytest.fixture
async def client() -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(make_app())) as client:
        yield client


async def test_get_with_query_and_headers(client: TestClient) -> None:
    resp = await client.get("/echo", params={"a": "1"}, headers={"X-Test": "yes"})
    assert isinstance(resp, ClientResponse)
    assert resp.status == 200
    data = await resp.json()
    assert data["method"] == "GET"
    assert data["query"] == {"a": "1"}
    assert data["x_test"] == "yes"


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
async def test_every_method_helper(client: TestClient, method: str) -> None:
    call = getattr(client, method.lower())
    resp = await call("/echo")
    assert (await resp.json())["method"] == method


async def test_head_has_no_body(client: TestClient) -> None:
    resp = await client.head("/echo")
    assert resp.status == 200
    assert await resp.read() == b""
    assert resp.content_length is not None and resp.content_length > 0


async def test_data_bytes_and_text_are_the_raw_body(client: TestClient) -> None:
    resp = await client.post("/echo", data=b"\x00raw")
    assert (await resp.json())["body"] == "\x00raw"
    resp = await client.post("/echo", data="text body")
    assert (await resp.json())["body"] == "text body"


async def test_data_generator_is_sent_chunked(client: TestClient) -> None:
    async def gen() -> AsyncIterator[bytes]:
        yield b"part1-"
        yield b"part2"

    data = await (await client.post("/echo", data=gen())).json()
    assert data["body"] == "part1-part2"
    assert data["chunked"] is True


async def test_data_mapping_and_pairs_are_a_form(client: TestClient) -> None:
    resp = await client.post("/form", data={"a": "1", "b": "2"})
    assert await resp.json() == {"a": ["1"], "b": ["2"]}
    resp = await client.post("/form", data=[("k", "x"), ("k", "y")])
    assert await resp.json() == {"k": ["x", "y"]}


async def test_json_body(client: TestClient) -> None:
    data = await (await client.post("/echo", json={"n": 1})).json()
    assert data["content_type"] == "application/json"
    assert data["body"] == '{"n":1}' or data["body"] == '{"n": 1}'


async def test_cookies_are_kept_between_requests(client: TestClient) -> None:
    first = await client.get("/set")
    assert first.cookies["session"].value == "abc"
    assert [m.key for m in client.session.cookie_jar] == ["session"]
    resp = await client.get("/get")
    assert await resp.text() == "abc"


async def test_a_jar_choosing_its_own_cookies_is_asked_for_every_request() -> None:
    class FixedJar(CookieJar):
        def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
            chosen: SimpleCookie = SimpleCookie()
            chosen["session"] = "from-the-jar"
            return chosen

    async with TestClient(TestServer(make_app()), cookie_jar=FixedJar()) as client:
        assert await (await client.get("/get")).text() == "from-the-jar"
        # cookies given with the request are added to what the jar chose
        resp = await client.get("/get", cookies={"session": "given"})
        assert await resp.text() == "given"


async def test_redirects_are_followed_by_default(client: TestClient) -> None:
    resp = await client.get("/redirect")
    assert resp.status == 200
    assert resp.url.path == "/echo"
    assert [r.status for r in resp.history] == [302]


async def test_allow_redirects_false(client: TestClient) -> None:
    resp = await client.get("/redirect", allow_redirects=False)
    assert resp.status == 302
    assert resp.headers["Location"] == "/echo"


async def redirect_to_query(request: web.Request) -> web.Response:
    """A redirect to ``?to=``; without it, the path and query landed on."""
    if "to" in request.query:
        raise web.HTTPFound(request.query["to"])
    return web.Response(text=request.path_qs)


@pytest.mark.parametrize("warm", [False, True])
async def test_redirect_targets_are_the_same_cached_or_not(warm: bool) -> None:
    """A hop's target depends on the URL it left as much as on its Location."""
    app = web.Application()
    app.router.add_get("/{tail:.*}", redirect_to_query)
    hops = [
        ("/a/b", "c", "/a/c"),
        ("/x/y", "c", "/x/c"),  # the same Location from elsewhere
        ("/a/b", "../d?q=1", "/d?q=1"),
        ("/x/y", "/e", "/e"),
    ]
    _session._TARGETS.clear()
    async with TestClient(TestServer(app, transport="memory")) as client:
        for _ in range(2 if warm else 1):
            for start, location, path_qs in hops:
                resp = await client.get(start, params={"to": location})
                assert resp.url == client.make_url(path_qs)
                assert await resp.text() == path_qs
                assert [r.status for r in resp.history] == [302]
        assert len(_session._TARGETS) == len(hops)


async def test_the_redirect_target_cache_is_emptied_when_full() -> None:
    app = web.Application()
    app.router.add_get("/{tail:.*}", redirect_to_query)
    _session._TARGETS.clear()
    for i in range(_session._TARGETS_MAX):
        _session._TARGETS[(URL(f"http://other/{i}"), "x")] = URL("http://other/x")
    async with TestClient(TestServer(app, transport="memory")) as client:
        resp = await client.get("/a/b", params={"to": "c"})
        assert await resp.text() == "/a/c"
    assert len(_session._TARGETS) == 1


async def test_async_with_request_releases(client: TestClient) -> None:
    async with client.get("/echo") as resp:
        assert resp.status == 200
        assert not resp.closed
    assert resp.closed


async def test_unknown_route_is_404_text(client: TestClient) -> None:
    resp = await client.get("/missing")
    assert resp.status == 404
    assert resp.ok is False
    assert "404" in await resp.text()


async def test_client_properties(client: TestClient) -> None:
    assert client.host == "127.0.0.1"
    assert client.port == client.server.port
    assert isinstance(client.app, web.Application)
    assert client.make_url("/p").port == client.port
    assert len(client.session.cookie_jar) == 0
    assert client.transport == "socket"


async def test_raw_server_client_has_no_app() -> None:
    async def handler(request: web.BaseRequest) -> web.StreamResponse:
        return web.Response(text="raw")

    async with TestClient(RawTestServer(handler)) as client:
        assert client.app is None
        assert await (await client.get("/")).text() == "raw"


async def test_close_closes_the_server_and_refuses_more() -> None:
    client = TestClient(TestServer(make_app()))
    await client.start_server()
    await client.close()
    assert client.closed
    assert client.server.closed
    with pytest.raises(RuntimeError, match="closed"):
        await client.get("/echo")
    await client.close()  # idempotent


def test_client_needs_a_test_server() -> None:
    with pytest.raises(TypeError, match="TestServer"):
        TestClient(make_app())  # type: ignore[arg-type]


async def test_sync_with_is_refused() -> None:
    client = TestClient(TestServer(make_app()))
    with pytest.raises(TypeError, match="async with"), client:
        pass
    await client.close()


async def raw_fields(request: web.BaseRequest) -> web.Response:
    await request.read()
    return web.json_response([[k.decode(), v.decode()] for k, v in request.raw_headers])


async def _received(client: TestClient, **kwargs: object) -> list[list[str]]:
    resp = await client.post("/", **kwargs)
    fields: list[list[str]] = await resp.json()
    return [f for f in fields if f[0] != "X-Mark"]


async def _stream() -> AsyncIterator[bytes]:
    yield b"piece"


@pytest.mark.parametrize("transport", ["socket", "memory"])
async def test_the_fields_sent_do_not_depend_on_whether_there_are_headers_to_merge(
    transport: str,
) -> None:
    """A request with no headers of its own gets the same fields, in the same order, as one
    whose headers (here only ``X-Mark``) have to be merged with the session's."""
    async with TestClient(RawTestServer(raw_fields, transport=transport)) as client:
        client.session.cookie_jar.update_cookies({"k": "v"})
        cases: list[Callable[[], dict[str, object]]] = [
            dict,
            lambda: {"data": b"raw"},
            lambda: {"data": {"a": "1"}},
            lambda: {"json": {"a": 1}},
            lambda: {"data": b"raw", "chunked": True},
            lambda: {"data": _stream()},
            lambda: {"skip_auto_headers": ["User-Agent", "Accept-Encoding"]},
        ]
        for case in cases:
            plain = await _received(client, **case())
            merged = await _received(client, headers={"X-Mark": "1"}, **case())
            assert plain == merged, case()
            names = [name.lower() for name, _ in plain]
            assert names[:2] == ["host", "accept"]
            assert "cookie" in names


@pytest.mark.parametrize("transport", ["socket", "memory"])
async def test_a_bodiless_get_sends_the_fixed_fields_whatever_was_sent_before(
    transport: str,
) -> None:
    """A plain GET's fields are a list shared by the requests to its origin: what other
    requests add to theirs (a cookie, a body's fields) never sticks to it."""
    async with TestClient(RawTestServer(raw_fields, transport=transport)) as client:

        async def get_names() -> list[str]:
            resp = await client.get("/")
            names = [name.lower() for name, _ in await resp.json()]
            assert names == [name.lower() for name in resp.request_info.headers]
            return names

        plain = await get_names()
        assert plain[:2] == ["host", "accept"]
        assert "cookie" not in plain and "content-length" not in plain
        client.session.cookie_jar.update_cookies({"k": "v"})
        assert await get_names() == [*plain, "cookie"]
        await (await client.post("/", data=b"raw")).read()
        await (await client.put("/")).read()
        client.session.cookie_jar.clear()
        assert await get_names() == plain


async def set_many(request: web.Request) -> web.Response:
    resp = web.Response(text="set")
    resp.headers.add("Set-Cookie", "a=1; Path=/")
    resp.headers.add("Set-Cookie", "b=2; Path=/only")
    resp.headers.add("Set-Cookie", "bad cookie value =;;")
    if request.query.get("twice"):
        resp.headers.add("Set-Cookie", "a=3")
    return resp


async def cookie_header(request: web.Request) -> web.Response:
    return web.Response(text=request.headers.get("Cookie", ""))


@pytest.mark.parametrize("twice", [False, True])
async def test_cookies_set_by_several_fields_are_kept_as_resp_cookies_says(twice: bool) -> None:
    app = web.Application()
    app.router.add_get("/set", set_many)
    app.router.add_get("/only", cookie_header)
    app.router.add_get("/elsewhere", cookie_header)
    async with TestClient(TestServer(app, transport="memory")) as client:
        for _ in range(2):  # the second response's fields were seen before
            client.session.cookie_jar.clear()
            resp = await client.get("/set", params={"twice": "1"} if twice else {})
            sent = {name: morsel.value for name, morsel in resp.cookies.items()}
            assert sent == ({"a": "3", "b": "2"} if twice else {"a": "1", "b": "2"})
            kept = {m.key: (m.value, m["path"]) for m in client.session.cookie_jar}
            assert kept["a"][0] == sent["a"]
            assert kept["b"] == ("2", "/only")
            assert await (await client.get("/elsewhere")).text() == f"a={sent['a']}"
            assert sorted((await (await client.get("/only")).text()).split("; ")) == [
                f"a={sent['a']}",
                "b=2",
            ]


async def test_a_bad_path_or_a_closed_client_raise_in_the_call() -> None:
    client = TestClient(TestServer(make_app(), transport="memory"))
    await client.start_server()
    with pytest.raises(ValueError, match="relative"):
        client.get("http://example.com/")  # nothing to await: no coroutine left unawaited
    await client.close()
    with pytest.raises(RuntimeError, match="closed"):
        client.post("/echo")
