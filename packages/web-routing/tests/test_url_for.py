from __future__ import annotations

import re
from typing import Any

import pytest
from web_routing import UrlDispatcher
from yarl import URL


async def h1(request: Any) -> str:
    return "h1"


def test_plain_url_for_and_info(router: UrlDispatcher) -> None:
    resource = router.add_get("/path/to", h1, name="p").resource
    assert resource.url_for() == URL("/path/to")
    assert resource.canonical == "/path/to"
    assert resource.get_info() == {"path": "/path/to"}
    assert router["p"].url_for().with_query({"a": 1, "b": 2}) == URL("/path/to?a=1&b=2")


def test_plain_unicode_url_is_encoded(router: UrlDispatcher) -> None:
    resource = router.add_get("/путь", h1).resource
    assert str(resource.url_for()) == "/%D0%BF%D1%83%D1%82%D1%8C"


def test_dynamic_url_for_quotes_parts(router: UrlDispatcher) -> None:
    resource = router.add_resource("/path/{to}/{param}", name="d")
    url = resource.url_for(to="val 1", param="я?#%")
    assert str(url) == "/path/val%201/%D1%8F%3F%23%25"
    assert url.path == "/path/val 1/я?#%"


def test_url_for_round_trips_through_match(router: UrlDispatcher) -> None:
    resource = router.add_get("/v/{x}", h1).resource
    for value in ["a b", "100%", "я", "a+b", "~!$&'()*,;=:@"]:
        url = resource.url_for(x=value)
        assert router.match("GET", url.raw_path)["x"] == value


def test_dynamic_canonical_and_info(router: UrlDispatcher) -> None:
    resource = router.add_resource(r"/get/{num:\d+}/{name}")
    assert resource.canonical == "/get/{num}/{name}"
    info = resource.get_info()
    assert info["formatter"] == "/get/{num}/{name}"
    assert isinstance(info["pattern"], re.Pattern)
    assert info["pattern"].fullmatch("/get/1/x")


def test_unicode_dynamic_canonical_is_quoted(router: UrlDispatcher) -> None:
    resource = router.add_resource("/путь/{x}")
    assert resource.canonical == "/%D0%BF%D1%83%D1%82%D1%8C/{x}"
    assert str(resource.url_for(x="a")) == "/%D0%BF%D1%83%D1%82%D1%8C/a"


def test_url_for_missing_part_raises_key_error(router: UrlDispatcher) -> None:
    resource = router.add_resource("/v/{x}")
    with pytest.raises(KeyError, match="x"):
        resource.url_for()


def test_url_for_extra_parts_ignored(router: UrlDispatcher) -> None:
    resource = router.add_resource("/v/{x}")
    assert resource.url_for(x="1", y="2") == URL("/v/1")


def test_url_for_non_str_value(router: UrlDispatcher) -> None:
    resource = router.add_resource("/v/{x}")
    with pytest.raises(TypeError, match="must be str"):
        resource.url_for(x=1)


def test_url_for_keeps_slash(router: UrlDispatcher) -> None:
    resource = router.add_resource("/tail/{rest:.*}")
    assert str(resource.url_for(rest="a/b c")) == "/tail/a/b%20c"


def test_plain_url_for_rejects_parts(router: UrlDispatcher) -> None:
    resource = router.add_resource("/a")
    with pytest.raises(TypeError):
        resource.url_for(x="1")


def test_route_url_for_and_info_delegate(router: UrlDispatcher) -> None:
    route = router.add_get("/v/{x}", h1)
    assert route.url_for(x="1") == URL("/v/1")
    assert route.get_info() == route.resource.get_info()


def test_system_route_url_for_not_allowed(router: UrlDispatcher) -> None:
    mi = router.match("GET", "/none")
    with pytest.raises(RuntimeError, match="not allowed for SystemRoute"):
        mi.route.url_for()
    assert mi.get_info() == {"http_exception": mi.http_exception}
    assert mi.route.name is None
