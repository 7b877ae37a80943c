"""Response header properties: content type, charset, dates, ETag, cookies."""

from __future__ import annotations

import datetime
from http.cookies import CookieError, Morsel, SimpleCookie

import pytest
from web_app._stream_response import StreamResponse
from web_http import ETag


def test_content_type_and_charset() -> None:
    resp = StreamResponse()
    assert resp.content_type == "application/octet-stream"
    assert resp.charset is None
    with pytest.raises(RuntimeError):
        resp.charset = "utf-8"  # meaningless for octet-stream
    resp.content_type = "text/html"
    resp.charset = "UTF-8"
    assert resp.headers["Content-Type"] == "text/html; charset=utf-8"
    assert resp.charset == "utf-8"
    resp.content_type = "text/plain"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    resp.charset = None
    assert resp.headers["Content-Type"] == "text/plain"


def test_content_length_property() -> None:
    resp = StreamResponse()
    assert resp.content_length is None
    resp.content_length = 12
    assert resp.headers["Content-Length"] == "12"
    assert resp.content_length == 12
    resp.content_length = None
    assert "Content-Length" not in resp.headers
    with pytest.raises(ValueError):
        resp.content_length = -1


@pytest.mark.parametrize(
    ("value", "header"),
    [
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (1.5, "Thu, 01 Jan 1970 00:00:02 GMT"),
        (
            datetime.datetime(2020, 5, 17, 10, 0, 0, tzinfo=datetime.timezone.utc),
            "Sun, 17 May 2020 10:00:00 GMT",
        ),
        ("Sun, 17 May 2020 10:00:00 GMT", "Sun, 17 May 2020 10:00:00 GMT"),
    ],
    ids=["int", "float-rounds-up", "datetime", "str"],
)
def test_last_modified(value: object, header: str) -> None:
    resp = StreamResponse()
    resp.last_modified = value  # type: ignore[assignment]
    assert resp.headers["Last-Modified"] == header
    lm = resp.last_modified
    assert lm is not None and lm.tzinfo is not None


def test_last_modified_none_and_bad_type() -> None:
    resp = StreamResponse()
    resp.last_modified = 0
    resp.last_modified = None
    assert "Last-Modified" not in resp.headers
    assert resp.last_modified is None
    with pytest.raises(TypeError):
        resp.last_modified = [1]  # type: ignore[assignment]


def test_etag() -> None:
    resp = StreamResponse()
    assert resp.etag is None
    resp.etag = "abc"
    assert resp.headers["ETag"] == '"abc"'
    assert resp.etag == ETag(value="abc")
    resp.etag = ETag(value="v1", is_weak=True)
    assert resp.headers["ETag"] == 'W/"v1"'
    assert resp.etag == ETag(value="v1", is_weak=True)
    resp.etag = "*"
    assert resp.headers["ETag"] == "*"
    resp.etag = None
    assert "ETag" not in resp.headers


@pytest.mark.parametrize("bad", ['a"b', "a b", "a\nb"])
def test_etag_invalid_value(bad: str) -> None:
    resp = StreamResponse()
    with pytest.raises(ValueError):
        resp.etag = bad
    with pytest.raises(ValueError):
        resp.etag = 123  # type: ignore[assignment]


def test_set_cookie_all_attributes() -> None:
    resp = StreamResponse()
    resp.set_cookie(
        "name",
        "value",
        expires="Wed, 21 Oct 2037 07:28:00 GMT",
        domain="example.com",
        max_age=3600,
        path="/app",
        secure=True,
        httponly=True,
        version="1",
        samesite="Lax",
        partitioned=True,
    )
    morsel = resp.cookies["name"]
    assert morsel.value == "value"
    assert morsel["domain"] == "example.com"
    assert morsel["max-age"] == "3600"
    assert morsel["path"] == "/app"
    assert morsel["samesite"] == "Lax"


def test_cookie_updates_keep_previous_attributes() -> None:
    resp = StreamResponse()
    resp.set_cookie("a", "1", domain="x.org", max_age=10)
    resp.set_cookie("a", "2")
    m = resp.cookies["a"]
    assert m.value == "2"
    assert m["domain"] == "x.org"
    assert "max-age" not in m  # max_age not repeated: dropped


def test_del_cookie() -> None:
    resp = StreamResponse()
    resp.set_cookie("a", "1")
    resp.del_cookie("a", domain="x.org")
    m = resp.cookies["a"]
    assert m.value == ""
    assert m["max-age"] == "0"
    assert m["expires"] == "Thu, 01 Jan 1970 00:00:00 GMT"
    resp.set_cookie("a", "back")
    assert resp.cookies["a"].get("expires", "") == ""
    assert resp.cookies["a"].get("max-age", "") == ""


def test_invalid_cookie_name() -> None:
    resp = StreamResponse()
    with pytest.raises(CookieError):
        resp.set_cookie("bad name;", "v")
    with pytest.raises(CookieError):
        resp.set_cookie("expires", "v")  # a reserved attribute name
    assert "bad name;" not in resp.cookies
    assert "expires" not in resp.cookies


def test_set_cookie_morsel_is_the_one_simplecookie_builds() -> None:
    resp = StreamResponse()
    resp.set_cookie("q", 'x "y";', domain="ex.org", secure=True)
    expected: SimpleCookie = SimpleCookie()
    expected["q"] = 'x "y";'
    expected["q"]["domain"] = "ex.org"
    del expected["q"]["max-age"]
    expected["q"]["path"] = "/"
    expected["q"]["secure"] = True
    got = resp.cookies["q"]
    assert isinstance(got, Morsel)
    assert got == expected["q"]
    assert list(got) == list(expected["q"])  # the attributes in the same order
    assert got.coded_value == expected["q"].coded_value
    assert got.OutputString() == expected["q"].OutputString()
