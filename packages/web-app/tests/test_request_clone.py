"""BaseRequest.clone(): replaced parts, shared body, kept state and overrides."""

from __future__ import annotations

from typing import Any, cast

import pytest
from multidict import CIMultiDict, CIMultiDictProxy
from web_app._base_request import BaseRequest
from web_http import HttpVersion11, RequestHead, StreamReader
from yarl import URL


class Flow:
    def pause_reading(self) -> None:
        return None

    def resume_reading(self) -> None:
        return None


def make(target: str = "/a?x=1", body: bytes = b"") -> BaseRequest:
    hdrs = CIMultiDict({"Host": "example.com", "X-A": "1"})
    head = RequestHead(
        "GET", target, HttpVersion11, CIMultiDictProxy(hdrs), ((b"Host", b"example.com"),),
        True, False, False, len(body), None, False,
    )  # fmt: skip
    payload = StreamReader(Flow(), 2**16)
    payload.feed_data(body)
    payload.feed_eof()
    return BaseRequest(
        head,
        payload,
        cast(Any, type("P", (), {"transport": None})()),
        cast(Any, object()),
        cast(Any, None),
        cast(Any, None),
        client_max_size=100,
    )


def test_clone_without_arguments_is_equal_copy() -> None:
    req = make()
    req["state"] = 1
    new = req.clone()
    assert new is not req
    assert type(new) is BaseRequest
    assert new.method == req.method
    assert new.rel_url == req.rel_url
    assert new.headers == req.headers
    assert new.content is req.content
    assert new["state"] == 1
    new["state"] = 2
    assert req["state"] == 1  # state is copied, not shared
    assert new.client_max_size == 100


def test_clone_method_url_headers() -> None:
    req = make()
    new = req.clone(method="POST", rel_url="/b/c?y=2", headers={"X-B": "2"})
    assert new.method == "POST"
    assert new.path == "/b/c"
    assert new.query_string == "y=2"
    assert new.raw_path == "/b/c?y=2"
    assert new.headers == CIMultiDict({"X-B": "2"})
    assert new.raw_headers == ((b"X-B", b"2"),)
    assert req.method == "GET" and req.path == "/a"


def test_clone_with_url_object_and_absolute_url() -> None:
    req = make()
    assert req.clone(rel_url=URL("/u%20v")).path == "/u v"
    absolute = req.clone(rel_url="http://other.example/p?q=1")
    assert absolute.path == "/p"
    assert absolute.query_string == "q=1"


def test_clone_overrides() -> None:
    req = make()
    new = req.clone(scheme="https", host="proxy.example", remote="9.9.9.9", client_max_size=5)
    assert new.scheme == "https"
    assert new.host == "proxy.example"
    assert new.remote == "9.9.9.9"
    assert new.client_max_size == 5
    assert new.url == URL("https://proxy.example/a?x=1")
    again = new.clone(method="PUT")
    assert again.host == "proxy.example"
    assert again.scheme == "https"


async def test_clone_after_read_raises() -> None:
    req = make(body=b"data")
    assert await req.read() == b"data"
    with pytest.raises(RuntimeError):
        req.clone()
