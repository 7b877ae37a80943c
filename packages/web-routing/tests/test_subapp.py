from __future__ import annotations

from typing import Any

import pytest
from web_routing import (
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    MatchInfoError,
    PrefixedSubAppResource,
    RoutingError,
    UrlDispatcher,
)
from yarl import URL


async def h1(request: Any) -> str:
    return "h1"


async def h2(request: Any) -> str:
    return "h2"


class App:
    def __init__(self, name: str) -> None:
        self.name = name
        self.router = UrlDispatcher()

    def __repr__(self) -> str:
        return f"<App {self.name}>"


def make_subapp(root: App, prefix: str, sub: App) -> PrefixedSubAppResource:
    resource = PrefixedSubAppResource(prefix, sub)
    root.router.register_resource(resource)
    return resource


def test_prefixed_subapp_resolution() -> None:
    root, sub = App("root"), App("sub")
    root.router.add_get("/", h1)
    sub.router.add_get("/items/{id}", h2, name="item")
    sub.router.add_get("", h2)
    resource = make_subapp(root, "/sub", sub)
    root.router.freeze()
    sub.router.freeze()
    mi = root.router.match("GET", "/sub/items/3")
    assert mi.handler is h2 and dict(mi) == {"id": "3"}
    assert mi.apps == (sub,)
    assert mi.current_app is sub
    assert root.router.match("GET", "/sub").handler is h2
    assert sub.router["item"].url_for(id="3") == URL("/sub/items/3")
    assert resource.canonical == "/sub"
    assert resource.get_info() == {"app": sub, "prefix": "/sub"}
    assert len(resource) == 4 and {r.method for r in resource} == {"GET", "HEAD"}
    assert root.router.match("GET", "/").handler is h1
    assert root.router.match("GET", "/subway").http_exception is not None


def test_subapp_404_and_405_belong_to_subapp() -> None:
    root, sub = App("root"), App("sub")
    sub.router.add_post("/x", h2)
    make_subapp(root, "/sub", sub)
    root.router.add_get("/sub/{anything:.*}", h1)
    miss = root.router.match("GET", "/sub/none")
    assert isinstance(miss, MatchInfoError)
    assert miss.status == 404 and miss.apps == (sub,)
    wrong = root.router.match("GET", "/sub/x")
    exc = wrong.http_exception
    assert isinstance(exc, RoutingError)
    assert exc.status == 405 and exc.allowed_methods == ("POST",)


def test_nested_subapps_stack_apps() -> None:
    root, mid, leaf = App("root"), App("mid"), App("leaf")
    leaf.router.add_get("/x", h1)
    make_subapp(mid, "/leaf", leaf)
    make_subapp(root, "/mid", mid)
    mi = root.router.match("GET", "/mid/leaf/x")
    assert mi.handler is h1
    assert mi.apps == (root, mid, leaf)[1:]
    assert mi.current_app is leaf


def test_subapp_root_url_for_not_allowed() -> None:
    resource = PrefixedSubAppResource("/s", App("s"))
    with pytest.raises(RuntimeError, match="not supported"):
        resource.url_for()


@pytest.mark.parametrize("prefix", ["", "/", "s", "/s/"])
def test_bad_subapp_prefix(prefix: str) -> None:
    with pytest.raises(ValueError):
        PrefixedSubAppResource(prefix, App("s"))


def test_add_prefix_validation(router: UrlDispatcher) -> None:
    resource = router.add_resource("/a")
    with pytest.raises(ValueError):
        resource.add_prefix("noslash")
    with pytest.raises(ValueError):
        resource.add_prefix("/trailing/")


def test_domain_subapp_checked_first() -> None:
    root, sub = App("root"), App("sub")
    root.router.add_get("/", h1)
    sub.router.add_get("/", h2)
    resource = MatchedSubAppResource(Domain("example.com"), sub)
    root.router.register_resource(resource)
    assert root.router.match("GET", "/", "example.com").handler is h2
    assert root.router.match("GET", "/", "EXAMPLE.com:8080").handler is h2
    assert root.router.match("GET", "/", "other.com").handler is h1
    assert root.router.match("GET", "/", None).handler is h1
    assert resource.canonical == "example.com"
    assert resource.get_info()["app"] is sub


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("Example.COM", "example.com"),
        ("example.com.", "example.com"),
        ("example.com:8080", "example.com:8080"),
        ("example.com:80", "example.com"),
        ("пример.рф", "xn--e1afmkfd.xn--p1ai"),
    ],
)
def test_domain_normalization(domain: str, expected: str) -> None:
    assert Domain(domain).canonical == expected


@pytest.mark.parametrize(
    "domain", ["", "http://example.com", "-bad.com", "a_b.com", "exa mple.com", "a.com/x"]
)
def test_domain_validation(domain: str) -> None:
    with pytest.raises(ValueError):
        Domain(domain)


def test_domain_type_error() -> None:
    with pytest.raises(TypeError):
        Domain(1)  # type: ignore[arg-type]


def test_domain_with_port_requires_port() -> None:
    rule = Domain("example.com:8080")
    assert rule.match_domain("example.com:8080")
    assert not rule.match_domain("example.com")


def test_mask_domain() -> None:
    rule = MaskDomain("*.example.com")
    assert rule.match_domain("a.example.com")
    assert rule.match_domain("a.b.example.com:1234")
    assert rule.match_domain("A.EXAMPLE.COM")
    assert not rule.match_domain("example.com")
    assert not rule.match_domain("a.example.org")
    assert rule.canonical == r"[^:]*\.example\.com(:.*)?"
    ported = MaskDomain("*.example.com:81")
    assert ported.match_domain("x.example.com:81")
    assert not ported.match_domain("x.example.com:82")


class HostRequest:
    def __init__(self, host: str) -> None:
        self.host = host
        self.method = "GET"
        self.raw_path = "/"
        self.rel_url = URL("/")


async def test_rule_async_match() -> None:
    rule = Domain("example.com")
    assert await rule.match(HostRequest("example.com"))
    assert not await rule.match(HostRequest(""))


async def test_resolve_passes_host() -> None:
    root, sub = App("root"), App("sub")
    sub.router.add_get("/", h2)
    root.router.register_resource(MatchedSubAppResource(MaskDomain("*.test"), sub))
    mi = await root.router.resolve(HostRequest("api.test"))
    assert mi.handler is h2 and mi.apps == (sub,)
