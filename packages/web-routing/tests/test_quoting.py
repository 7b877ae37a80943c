from __future__ import annotations

from typing import Any
from urllib.parse import quote

from hypothesis import given, strategies as st
from web_routing import UrlDispatcher


async def h1(request: Any) -> str:
    return "h1"


_ROUTER = UrlDispatcher()
_VAR = _ROUTER.add_get("/v/{x}", h1).resource
_ROUTER.add_get("/t/{rest:.*}", h1)
_ROUTER.add_get("/plain", h1)


@given(st.text(min_size=1).filter(lambda s: "/" not in s and "{" not in s and "}" not in s))
def test_url_for_then_match_round_trips(value: str) -> None:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates cannot be sent in a URL
    url = _VAR.url_for(x=value)
    mi = _ROUTER.match("GET", url.raw_path)
    assert mi.http_exception is None
    assert mi["x"] == value


@given(st.text())
def test_match_never_raises(path: str) -> None:
    mi = _ROUTER.match("GET", path)
    assert mi.http_exception is None or mi.route.status in (404, 405)  # type: ignore[attr-defined]


@given(st.binary())
def test_match_never_raises_on_percent_encoded_bytes(raw: bytes) -> None:
    path = "/t/" + "".join(f"%{b:02X}" for b in raw)
    mi = _ROUTER.match("GET", path)
    if b"\n" in raw:  # "." does not match a newline: the user's regex decides
        return
    assert mi.http_exception is None
    assert isinstance(mi["rest"], str)


@given(st.text(min_size=1).filter(lambda s: not set(s) & set("%{}?#")))
def test_registered_plain_path_matches_its_encoded_request(segment: str) -> None:
    try:
        segment.encode("utf-8")
    except UnicodeEncodeError:
        return  # lone surrogates cannot be sent in a URL
    router = UrlDispatcher()
    route = router.add_get("/p/" + segment, h1)
    encoded = quote("/p/" + segment, safe="/")
    # the registered path is quoted as a request would be (ASCII ones need nothing)
    assert route.url_for().raw_path == quote("/p/" + segment, safe="/!$&'()*+,;=:@")
    assert router.match("GET", encoded).route is route
