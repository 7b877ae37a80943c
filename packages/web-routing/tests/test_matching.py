from __future__ import annotations

from typing import Any

import pytest
from web_routing import (
    DynamicResource,
    MatchInfoError,
    PlainResource,
    RoutingError,
    SystemRoute,
    UrlDispatcher,
    UrlMappingMatchInfo,
)
from yarl import URL


async def h1(request: Any) -> str:
    return "h1"


async def h2(request: Any) -> str:
    return "h2"


def test_plain_hit_returns_route_and_empty_match(router: UrlDispatcher) -> None:
    route = router.add_get("/a/b", h1)
    mi = router.match("GET", "/a/b")
    assert mi.route is route
    assert mi.handler is h1
    assert dict(mi) == {}
    assert mi.http_exception is None


def test_dynamic_hit_fills_variables(router: UrlDispatcher) -> None:
    router.add_get("/users/{user}/posts/{post}", h1)
    mi = router.match("GET", "/users/alice/posts/42")
    assert dict(mi) == {"user": "alice", "post": "42"}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("/v/a%2Fb", "a/b"),
        ("/v/a%2fb", "a/b"),
        ("/v/a%25b", "a%b"),
        ("/v/a%252Fb", "a%2Fb"),
        ("/v/%7Ex", "~x"),
        ("/v/a+b", "a+b"),
        ("/v/a%3Fb", "a?b"),
        ("/v/%D1%8F", "я"),
        ("/v/я", "я"),
        ("/v/%FF", "%FF"),
        ("/v/a%20b", "a b"),
    ],
    ids=[
        "encoded-slash",
        "lower-encoded-slash",
        "encoded-percent",
        "double-encoded",
        "tilde",
        "plus",
        "question",
        "utf8-encoded",
        "utf8-raw",
        "invalid-utf8-kept",
        "space",
    ],
)
def test_variable_percent_decoding(router: UrlDispatcher, raw: str, expected: str) -> None:
    router.add_get("/v/{x}", h1)
    assert router.match("GET", raw)["x"] == expected


def test_encoded_slash_is_not_a_separator(router: UrlDispatcher) -> None:
    router.add_get("/v/{x}", h1)
    router.add_get("/v/{x}/{y}", h2)
    assert router.match("GET", "/v/a%2Fb").handler is h1
    assert router.match("GET", "/v/a/b").handler is h2


@pytest.mark.parametrize("raw", ["/путь", "/%D0%BF%D1%83%D1%82%D1%8C", "/%d0%bf%d1%83%d1%82%d1%8c"])
def test_unicode_plain_path(router: UrlDispatcher, raw: str) -> None:
    router.add_get("/путь", h1)
    assert router.match("GET", raw).handler is h1


@pytest.mark.parametrize("raw", ["/путь/я", "/%D0%BF%D1%83%D1%82%D1%8C/%D1%8F"])
def test_unicode_dynamic_path(router: UrlDispatcher, raw: str) -> None:
    router.add_get("/путь/{x}", h1)
    assert dict(router.match("GET", raw)) == {"x": "я"}


@pytest.mark.parametrize("registered", ["/a b", "/a%20b"])
@pytest.mark.parametrize("raw", ["/a%20b", "/a b"])
def test_encoded_and_decoded_registration_are_equivalent(
    router: UrlDispatcher, registered: str, raw: str
) -> None:
    router.add_get(registered, h1)
    assert router.match("GET", raw).handler is h1


def test_literal_percent_in_registered_path(router: UrlDispatcher) -> None:
    router.add_get("/100%", h1)
    assert router.match("GET", "/100%25").handler is h1
    assert isinstance(router.match("GET", "/100"), MatchInfoError)


def test_encoded_slash_in_plain_path_differs_from_separator(router: UrlDispatcher) -> None:
    router.add_get("/a%2Fb", h1)
    router.add_get("/a/b", h2)
    assert router.match("GET", "/a%2Fb").handler is h1
    assert router.match("GET", "/a/b").handler is h2


def test_trailing_slash_is_significant(router: UrlDispatcher) -> None:
    router.add_get("/t/", h1)
    router.add_get("/u", h2)
    assert router.match("GET", "/t/").handler is h1
    assert router.match("GET", "/t").http_exception is not None
    assert router.match("GET", "/u").handler is h2
    assert router.match("GET", "/u/").http_exception is not None


def test_default_variable_needs_one_char(router: UrlDispatcher) -> None:
    router.add_get("/v/{x}", h1)
    assert router.match("GET", "/v/").http_exception is not None


def test_regex_variables(router: UrlDispatcher) -> None:
    router.add_get(r"/re/{x:\d+}/{y:[a-z]{2}}", h1)
    assert dict(router.match("GET", "/re/12/ab")) == {"x": "12", "y": "ab"}
    assert router.match("GET", "/re/1a/ab").http_exception is not None
    assert router.match("GET", "/re/12/abc").http_exception is not None


def test_tail_regex_spans_segments(router: UrlDispatcher) -> None:
    router.add_get("/tail/{rest:.*}", h1)
    assert router.match("GET", "/tail/a/b%2Fc")["rest"] == "a/b/c"
    assert router.match("GET", "/tail/")["rest"] == ""


def test_variable_inside_segment(router: UrlDispatcher) -> None:
    router.add_get("/file{name}.txt", h1)
    router.add_get("/{a}-{b}", h2)
    assert dict(router.match("GET", "/filereport.txt")) == {"name": "report"}
    assert dict(router.match("GET", "/x-y")) == {"a": "x", "b": "y"}


def test_fixed_path_preferred_over_variable(router: UrlDispatcher) -> None:
    router.add_get("/a/{name}", h2)
    router.add_get("/a/b", h1)
    assert router.match("GET", "/a/b").handler is h1
    assert router.match("GET", "/a/c").handler is h2


def test_longer_fixed_prefix_wins(router: UrlDispatcher) -> None:
    router.add_get("/a/{x:.*}", h2)
    router.add_get("/a/b/{y}", h1)
    assert router.match("GET", "/a/b/c").handler is h1
    assert router.match("GET", "/a/z/c").handler is h2


def test_registration_order_among_same_prefix(router: UrlDispatcher) -> None:
    router.add_get("/users/{x}/{y}/z", h1)
    router.add_get("/users/{x}/y/z", h2)
    assert router.match("GET", "/users/1/y/z").handler is h1


def test_registration_order_for_trailing_slash_plain_after_dynamic(
    router: UrlDispatcher,
) -> None:
    router.add_get("/{x:.*}", h1)
    router.add_get("/", h2)
    assert router.match("GET", "/").handler is h1
    other = UrlDispatcher()
    other.add_get("/", h2)
    other.add_get("/{x:.*}", h1)
    assert other.match("GET", "/").handler is h2


def test_method_star_matches_any(router: UrlDispatcher) -> None:
    router.add_route("*", "/any", h1)
    for method in ("GET", "POST", "PROPFIND", "DELETE"):
        assert router.match(method, "/any").handler is h1


def test_specific_method_before_star(router: UrlDispatcher) -> None:
    resource = router.add_resource("/r")
    resource.add_route("GET", h1)
    resource.add_route("*", h2)
    assert router.match("GET", "/r").handler is h1
    assert router.match("POST", "/r").handler is h2


def test_head_is_served_by_get_routes(router: UrlDispatcher) -> None:
    router.add_get("/g", h1)
    mi = router.match("HEAD", "/g")
    assert mi.handler is h1
    assert mi.route.method == "HEAD"


def test_allow_head_false(router: UrlDispatcher) -> None:
    router.add_get("/g", h1, allow_head=False)
    mi = router.match("HEAD", "/g")
    assert isinstance(mi, MatchInfoError)
    exc = mi.http_exception
    assert isinstance(exc, RoutingError)
    assert exc.status == 405
    assert exc.allowed_methods == ("GET",)


def test_404(router: UrlDispatcher) -> None:
    router.add_get("/a", h1)
    mi = router.match("GET", "/nope")
    assert isinstance(mi, MatchInfoError)
    assert isinstance(mi.route, SystemRoute)
    assert mi.route.status == 404
    assert mi.route.reason == "Not Found"
    assert mi.status == 404
    exc = mi.http_exception
    assert isinstance(exc, RoutingError)
    assert (exc.status, exc.method, exc.allowed_methods) == (404, "GET", ())


def test_405_lists_allowed_methods_sorted(router: UrlDispatcher) -> None:
    router.add_post("/a", h1)
    router.add_put("/a", h1)
    router.add_get("/a/{x}", h1)
    mi = router.match("DELETE", "/a")
    assert isinstance(mi, MatchInfoError)
    exc = mi.http_exception
    assert isinstance(exc, RoutingError)
    assert exc.status == 405
    assert exc.allowed_methods == ("POST", "PUT")
    assert exc.allow == "POST,PUT"
    assert mi.allowed_methods == {"POST", "PUT"}


def test_405_unions_plain_and_dynamic(router: UrlDispatcher) -> None:
    router.add_get("/a/b", h1)
    router.add_post("/a/{x}", h2)
    assert router.match("POST", "/a/b").handler is h2
    mi = router.match("PUT", "/a/b")
    exc = mi.http_exception
    assert isinstance(exc, RoutingError)
    assert exc.allowed_methods == ("GET", "HEAD", "POST")


async def test_miss_handler_raises_the_exception(router: UrlDispatcher) -> None:
    mi = router.match("GET", "/nothing")
    with pytest.raises(RoutingError) as info:
        await mi.handler(None)
    assert info.value is mi.http_exception


def test_methods_are_case_sensitive_on_requests(router: UrlDispatcher) -> None:
    router.add_route("get", "/a", h1)
    assert router.match("GET", "/a").handler is h1
    assert router.match("get", "/a").http_exception is not None


def test_query_string_is_ignored(router: UrlDispatcher) -> None:
    router.add_get("/a", h1)
    router.add_get("/v/{x}", h2)
    assert router.match("GET", "/a?x=1").handler is h1
    assert dict(router.match("GET", "/v/q?x=%2F")) == {"x": "q"}


@pytest.mark.parametrize(
    "raw", ["", "*", "a/b", "//", "/%", "/%zz", "/a%", "/\x00", "/" + "a/" * 500]
)
def test_hostile_paths_give_404(router: UrlDispatcher, raw: str) -> None:
    router.add_get("/a/{x}", h1)
    router.add_get("/b", h1)
    mi = router.match("GET", raw)
    assert isinstance(mi, MatchInfoError)
    assert mi.status == 404


def test_duplicate_plain_resources_keep_registration_order(router: UrlDispatcher) -> None:
    router.add_get("/a", h1, name="first")
    router.add_route("*", "/a", h2, name="second")
    router.add_post("/a", h1, name="third")
    assert router.match("GET", "/a").handler is h1
    assert router.match("POST", "/a").handler is h2
    assert router.match("PATCH", "/a").handler is h2


def test_custom_http_exception_hook() -> None:
    class Boom(Exception):
        def __init__(self, status: int, allowed: set[str]) -> None:
            self.status = status
            self.allowed = allowed

    class MyRouter(UrlDispatcher):
        def make_http_exception(
            self, status: int, method: str, allowed_methods: set[str]
        ) -> Exception:
            return Boom(status, allowed_methods)

    router = MyRouter()
    router.add_get("/a", h1)
    miss = router.match("GET", "/b").http_exception
    assert isinstance(miss, Boom)
    assert miss.status == 404
    wrong = router.match("POST", "/a").http_exception
    assert isinstance(wrong, Boom)
    assert (wrong.status, wrong.allowed) == (405, {"GET", "HEAD"})


class FakeRequest:
    def __init__(self, method: str, raw_path: str, host: str = "example.com") -> None:
        self.method = method
        self.raw_path = raw_path
        self.rel_url = URL(raw_path)
        self.host = host


async def test_resolve_uses_raw_path(router: UrlDispatcher) -> None:
    router.add_get("/v/{x}", h1)
    mi = await router.resolve(FakeRequest("GET", "/v/a%2Fb?q=1"))
    assert dict(mi) == {"x": "a/b"}


async def test_resolve_absolute_form_target(router: UrlDispatcher) -> None:
    router.add_get("/v/{x}", h1)
    mi = await router.resolve(FakeRequest("GET", "http://example.com/v/z"))
    assert dict(mi) == {"x": "z"}


async def test_resource_resolve_api(router: UrlDispatcher) -> None:
    resource = router.add_resource("/v/{x}")
    resource.add_route("GET", h1)
    mi, allowed = await resource.resolve(FakeRequest("GET", "/v/1"))
    assert isinstance(mi, UrlMappingMatchInfo) and dict(mi) == {"x": "1"}
    assert allowed == {"GET"}
    mi, allowed = await resource.resolve(FakeRequest("POST", "/v/1"))
    assert mi is None and allowed == {"GET"}
    mi, allowed = await resource.resolve(FakeRequest("GET", "/w/1"))
    assert mi is None and not allowed


def test_routes_added_after_first_match_are_seen(router: UrlDispatcher) -> None:
    resource = router.add_resource("/late")
    resource.add_route("GET", h1)
    assert router.match("POST", "/late").http_exception is not None
    resource.add_route("POST", h2)
    assert router.match("POST", "/late").handler is h2
    router.add_get("/later/{x}", h1)
    assert router.match("GET", "/later/1").handler is h1


def test_changes_between_two_routers_are_seen_by_both() -> None:
    first, second = UrlDispatcher(), UrlDispatcher()
    late = first.add_resource("/late")
    late.add_route("GET", h1)
    assert first.match("GET", "/late").handler is h1  # first built its index
    second.add_get("/other", h2)
    assert second.match("GET", "/other").handler is h2  # and second its own
    late.add_route("POST", h2)  # a route added to a resource directly, after both
    second.add_get("/more", h1)
    assert first.match("POST", "/late").handler is h2
    assert second.match("GET", "/more").handler is h1
    first.add_get("/third", h2)  # once more after first rebuilt
    assert first.match("GET", "/third").handler is h2
    assert second.match("GET", "/third").http_exception is not None


def test_many_unrelated_routes_do_not_change_results(router: UrlDispatcher) -> None:
    for i in range(300):
        router.add_get(f"/p{i}/x", h1)
        router.add_get(f"/d{i}/{{id}}", h2)
    assert router.match("GET", "/p299/x").handler is h1
    assert dict(router.match("GET", "/d150/7")) == {"id": "7"}
    assert isinstance(router.resources().__iter__().__next__(), PlainResource)
    assert any(isinstance(r, DynamicResource) for r in router.resources())


def test_very_deep_paths_resolve_correctly(router: UrlDispatcher) -> None:
    router.add_get("/a/{tail:.*}", h1)
    router.add_get("/a/b/c", h2)
    router.add_get("/{x}", h2)
    deep = "/a" + "/seg" * 4000
    assert router.match("GET", deep)["tail"] == deep[3:]
    assert router.match("GET", "/zz" + "/seg" * 4000).http_exception is not None
    assert router.match("GET", "/" + "x" * 5000)["x"] == "x" * 5000
    assert router.match("GET", "/a/b/c").handler is h2
