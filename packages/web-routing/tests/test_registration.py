from __future__ import annotations

import functools
import warnings
from typing import Any

import pytest
from web_routing import (
    DynamicResource,
    PlainResource,
    PrefixResource,
    ResourceRoute,
    UrlDispatcher,
    UrlMappingMatchInfo,
)


async def h1(request: Any) -> str:
    return "h1"


@pytest.mark.parametrize(
    ("shortcut", "method"),
    [
        ("add_post", "POST"),
        ("add_put", "PUT"),
        ("add_patch", "PATCH"),
        ("add_delete", "DELETE"),
        ("add_head", "HEAD"),
        ("add_options", "OPTIONS"),
    ],
)
def test_method_shortcuts(router: UrlDispatcher, shortcut: str, method: str) -> None:
    route = getattr(router, shortcut)("/x", h1, name="x")
    assert isinstance(route, ResourceRoute)
    assert route.method == method
    assert route.name == "x"
    assert router.match(method, "/x").route is route


def test_add_get_adds_head_named_suffix(router: UrlDispatcher) -> None:
    route = router.add_get("/g", h1, name="route")
    assert route.method == "GET"
    assert route.name == "route"
    methods = {r.method: r for r in router.routes()}
    assert set(methods) == {"GET", "HEAD"}
    assert methods["HEAD"].name == "route-head"
    assert len(router.resources()) == 1
    assert router["route"] is route.resource


def test_add_get_head_route_shares_the_checked_handler(router: UrlDispatcher) -> None:
    async def expect(request: Any) -> None:
        return None

    route = router.add_get("/g", h1, expect_handler=expect)
    head, get = list(router.routes())  # HEAD first, as aiohttp registers them
    assert get is route
    assert (head.method, get.method) == ("HEAD", "GET")
    assert head is not get and isinstance(head, ResourceRoute)
    assert head.handler is get.handler is h1
    assert head.expect_handler is get.expect_handler is expect
    assert head.resource is get.resource
    assert head.name is None and get.name is None
    assert router.match("HEAD", "/g").route is head


def test_add_get_errors_leave_the_table_as_aiohttp_does(router: UrlDispatcher) -> None:
    with pytest.raises(TypeError, match="expect_handler must be callable"):
        router.add_get("/a", h1, expect_handler=1)
    assert len(router.routes()) == 0
    with pytest.raises(TypeError):
        router.add_get("/a", h1, unknown=1)
    assert len(router.routes()) == 0
    router.add_head("/b", h1)
    with pytest.raises(RuntimeError, match="method HEAD is already registered"):
        router.add_get("/b", h1)
    assert [r.method for r in list(router.resources())[-1]] == ["HEAD"]
    router.add_get("/c", h1, allow_head=False)
    with pytest.raises(RuntimeError, match="method GET is already registered"):
        router.add_get("/c", h1)
    # the HEAD route is registered before the GET one fails
    assert [r.method for r in list(router.resources())[-1]] == ["GET", "HEAD"]


def test_add_get_of_a_bare_function_warns_for_each_route(router: UrlDispatcher) -> None:
    def bare(request: Any) -> str:
        return "bare"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        router.add_get("/bare", bare)  # type: ignore[arg-type]
    assert [w.category for w in caught] == [DeprecationWarning, DeprecationWarning]
    head, get = list(router.routes())
    assert head.handler is not bare and get.handler is not bare


def test_add_view_registers_star(router: UrlDispatcher) -> None:
    class MyView:
        def __init__(self, request: Any) -> None:
            self.request = request

    route = router.add_view("/view", MyView)
    assert route.method == "*"
    assert route.handler is MyView
    assert router.match("PATCH", "/view").handler is MyView


def test_add_resource_kinds_and_reuse(router: UrlDispatcher) -> None:
    plain = router.add_resource("/a")
    assert isinstance(plain, PlainResource)
    assert router.add_resource("/a") is plain
    dyn = router.add_resource("/a/{x}")
    assert isinstance(dyn, DynamicResource)
    assert router.add_resource("/a/{x}") is dyn
    assert router.add_resource("/a/{x}", name="n") is not dyn
    assert len(router.resources()) == 3


def test_method_registered_twice_raises(router: UrlDispatcher) -> None:
    router.add_post("/a", h1)
    with pytest.raises(RuntimeError, match="will never be executed"):
        router.add_post("/a", h1)
    router.add_route("*", "/b", h1)
    with pytest.raises(RuntimeError, match="already registered"):
        router.add_get("/b", h1)


@pytest.mark.parametrize("method", ["GE T", "", "G\r\nET", "(GET)"])
def test_bad_method_rejected(router: UrlDispatcher, method: str) -> None:
    with pytest.raises(ValueError, match="not allowed HTTP method"):
        router.add_route(method, "/a", h1)


def test_path_must_start_with_slash(router: UrlDispatcher) -> None:
    with pytest.raises(ValueError, match="should be started with /"):
        router.add_get("a", h1)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/{x", "Invalid path"),
        ("/{x}}", "Invalid path"),
        ("/{1x}", "Invalid path"),
        ("/{x:}", "Invalid path"),
        ("/{x:(}", "Bad pattern"),
        ("/{x:[}", "Bad pattern"),
        ("/{x}/{x}", "Bad pattern"),
        ("/}", "Invalid path"),
    ],
    ids=["unclosed", "extra-close", "digit-name", "empty-regex", "paren", "bracket", "dup", "lone"],
)
def test_bad_patterns_rejected_at_registration(
    router: UrlDispatcher, path: str, message: str
) -> None:
    for _ in range(2):  # parsed paths are kept: a bad one must fail every time
        with pytest.raises(ValueError, match=message):
            router.add_get(path, h1)
    assert len(router.resources()) == 0


def test_the_same_variable_path_in_two_routers_stays_independent() -> None:
    first, second = UrlDispatcher(), UrlDispatcher()
    one = first.add_resource("/users/{id}")
    two = second.add_resource("/users/{id}")
    one.add_prefix("/api")
    assert one.canonical == "/api/users/{id}"
    assert two.canonical == "/users/{id}"
    assert second.match("GET", "/users/7").http_exception is not None  # no route yet
    two.add_route("GET", h1)
    assert second.match("GET", "/users/7")["id"] == "7"
    assert second.match("GET", "/api/users/7").http_exception is not None


def test_regex_with_braces_allowed(router: UrlDispatcher) -> None:
    resource = router.add_resource(r"/{x:\d{2}}")
    assert resource.canonical == "/{x}"


@pytest.mark.parametrize("name", ["a.b", "a:b", "a-b", "_x", "ñame"])
def test_good_names(router: UrlDispatcher, name: str) -> None:
    resource = router.add_resource("/n", name=name)
    assert router[name] is resource
    assert name in router


@pytest.mark.parametrize("name", ["class", "a.def", "a b", "1a", "a..b", "", "a/b"])
def test_bad_names(router: UrlDispatcher, name: str) -> None:
    with pytest.raises(ValueError, match="Incorrect route name"):
        router.add_resource("/n", name=name)


def test_duplicate_name(router: UrlDispatcher) -> None:
    router.add_get("/a", h1, name="x")
    with pytest.raises(ValueError, match="Duplicate 'x'"):
        router.add_get("/b", h1, name="x")


def test_mapping_protocol_and_views(router: UrlDispatcher) -> None:
    a = router.add_get("/a", h1, name="a").resource
    b = router.add_post("/b/{x}", h1, name="b").resource
    router.add_put("/c", h1)
    assert len(router) == 2
    assert list(router) == ["a", "b"]
    assert dict(router.items()) == {"a": a, "b": b}
    assert "c" not in router
    with pytest.raises(KeyError):
        router["c"]
    named = router.named_resources()
    assert named["a"] is a
    with pytest.raises(TypeError):
        named["z"] = a  # type: ignore[index]
    resources = router.resources()
    assert len(resources) == 3 and a in resources
    routes = router.routes()
    assert len(routes) == 4
    assert all(r in routes for r in a)
    assert len(a) == 2 and {r.method for r in a} == {"GET", "HEAD"}


def test_freeze_forbids_additions(router: UrlDispatcher) -> None:
    router.add_get("/a", h1)
    assert not router.frozen
    router.freeze()
    assert router.frozen
    with pytest.raises(RuntimeError):
        router.add_get("/b", h1)
    with pytest.raises(RuntimeError):
        router.add_post("/a", h1)
    resource = next(iter(router.resources()))
    with pytest.raises(RuntimeError):
        resource.add_route("PUT", h1)
    assert router.match("GET", "/a").handler is h1


def test_empty_plain_path_becomes_root_on_freeze(router: UrlDispatcher) -> None:
    route = router.add_get("", h1)
    router.freeze()
    assert route.resource.canonical == "/"
    assert router.match("GET", "/").handler is h1


def test_non_callable_handler_rejected(router: UrlDispatcher) -> None:
    with pytest.raises(TypeError):
        router.add_get("/a", "not callable")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        router.add_get("/a", h1, expect_handler=42)


async def test_plain_function_handler_is_wrapped(router: UrlDispatcher) -> None:
    def sync_handler(request: Any) -> str:
        return "sync"

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        route = router.add_post("/s", sync_handler)  # type: ignore[arg-type]
    assert any(issubclass(w.category, DeprecationWarning) for w in caught)
    assert await route.handler(None) == "sync"


def test_add_routes_returns_routes(router: UrlDispatcher) -> None:
    from web_routing import get, post

    routes = router.add_routes([get("/a", h1), post("/b", h1)])
    assert [r.method for r in routes] == ["GET", "POST"]


def test_add_static_without_web_static(
    router: UrlDispatcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    monkeypatch.setattr(UrlDispatcher, "static_resource_factory", None)
    with pytest.raises(RuntimeError, match="pip install web-static, then import web_static"):
        router.add_static("/static", tmp_path)


def test_add_static_calls_the_registered_factory(
    router: UrlDispatcher, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    from web_routing import PrefixResource

    calls: list[tuple[Any, ...]] = []

    class StaticResource(PrefixResource):
        def __init__(self, prefix: str, directory: Any, **kwargs: Any) -> None:
            super().__init__(prefix, name=kwargs["name"])
            calls.append((prefix, directory, kwargs))
            self.add_route("GET", h1)

        def match_subpath(self, subpath: str) -> dict[str, str] | None:
            return {"filename": subpath}

        def url_for(self, filename: str) -> Any:
            from yarl import URL

            return URL.build(path=self.prefix + "/" + filename)

        def get_info(self) -> dict[str, Any]:
            return {"prefix": self.prefix}

    monkeypatch.setattr(UrlDispatcher, "static_resource_factory", StaticResource)
    resource = router.add_static("/static/", tmp_path, name="st", show_index=True)
    assert calls[0][0] == "/static"
    assert calls[0][2]["show_index"] is True and calls[0][2]["chunk_size"] == 256 * 1024
    assert router["st"] is resource
    mi = router.match("GET", "/static/css/a%20b.css")
    assert dict(mi) == {"filename": "css/a b.css"}
    assert router.match("POST", "/static/x").http_exception is not None
    assert router.match("GET", "/staticx").http_exception is not None


def _recording(prefix: str) -> tuple[PrefixResource, list[str]]:
    """A PrefixResource subclass instance that records what ``match_subpath`` receives."""
    seen: list[str] = []

    class Rec(PrefixResource):
        def match_subpath(self, subpath: str) -> dict[str, str] | None:
            seen.append(subpath)
            return None if subpath == "refuse" else {"rest": subpath}

        def url_for(self, *args: Any, **kwargs: Any) -> Any:
            raise NotImplementedError

        def get_info(self) -> dict[str, Any]:
            return {"prefix": self.prefix}

    resource = Rec(prefix)
    resource.add_route("GET", h1)
    return resource, seen


def test_prefix_resource_hands_the_part_below_the_prefix_to_match_subpath() -> None:
    resource, seen = _recording("/files")
    assert resource.prefix == "/files"
    for path, rest in [("/files", ""), ("/files/", ""), ("/files/a/b%2Fc", "a/b%2Fc")]:
        match_info, allowed = resource.resolve_path("GET", path)
        assert isinstance(match_info, UrlMappingMatchInfo) and dict(match_info) == {"rest": rest}
        assert allowed == {"GET"}
    assert seen == ["", "", "a/b%2Fc"]
    for outside in ("/filesx", "/file", "/"):
        assert resource.resolve_path("GET", outside)[0] is None
    assert seen == ["", "", "a/b%2Fc"]  # never asked about paths outside the prefix
    assert resource.resolve_path("GET", "/files/refuse")[0] is None
    match_info, allowed = resource.resolve_path("POST", "/files/x")
    assert match_info is None and allowed == {"GET"}


def test_prefix_property_follows_add_prefix() -> None:
    resource, _seen = _recording("/files")
    resource.add_prefix("/sub")
    assert resource.prefix == "/sub/files"
    assert resource.get_info() == {"prefix": "/sub/files"}
    assert resource.resolve_path("GET", "/files/x")[0] is None
    match_info, _ = resource.resolve_path("GET", "/sub/files/x")
    assert isinstance(match_info, UrlMappingMatchInfo) and dict(match_info) == {"rest": "x"}


async def test_async_callables_that_are_not_plain_functions_are_not_wrapped(
    router: UrlDispatcher,
) -> None:
    class Views:
        async def show(self, request: Any) -> str:
            return "method"

    async def tagged(request: Any, tag: str) -> str:
        return tag

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a wrapped handler would warn
        by_method = router.add_get("/m", Views().show)
        by_partial = router.add_get("/p", functools.partial(tagged, tag="partial"))
    assert await by_method.handler(None) == "method"
    assert await by_partial.handler(None) == "partial"
    assert isinstance(by_partial.handler, functools.partial)


@pytest.mark.parametrize("method", ["get", "PROPFIND", "m-search", "*"])
def test_any_token_is_a_method(router: UrlDispatcher, method: str) -> None:
    assert router.add_route(method, "/x", h1).method == method.upper()


def test_register_resource_takes_resources_only(router: UrlDispatcher) -> None:
    router.add_get("/seen", h1)
    router.freeze()  # the index has now seen PlainResource
    other = UrlDispatcher()
    for bad in (object(), "/path", router):
        with pytest.raises(TypeError, match="AbstractResource"):
            other.register_resource(bad)  # type: ignore[arg-type]
    resource = PlainResource("/p")
    other.register_resource(resource)
    assert list(other.resources()) == [resource]
