"""Cookie header parsing and Set-Cookie serialization (RFC 6265)."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from http.cookies import Morsel, SimpleCookie

import pytest
from hypothesis import given, strategies as st
from web_http import blank_morsel, format_set_cookie, morsel_to_set_cookie, parse_cookie_header


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("a=1; b=2", {"a": "1", "b": "2"}),
        ("a=1; b=2; a=3", {"a": "3", "b": "2"}),
        ('c="x\\"y"; d=\\012', {"c": 'x"y', "d": "\\012"}),
        ('q="v w\\073"', {"q": "v w;"}),
        ("junk; e = f g ;  ", {"junk": "", "e": "f g"}),
        (" =x; =; ;;a=b=c", {"a": "b=c"}),
        ('bad name=1; ok=2; x\x00=4; a,b=5; q"=6', {"ok": "2"}),
        ("a[b]=1; ü=2; __Host-x=3", {"a[b]": "1", "ü": "2", "__Host-x": "3"}),
        ('e=""; f="', {"e": "", "f": '"'}),
        ("", {}),
        (None, {}),
    ],
    ids=[
        "plain",
        "last-wins",
        "quoted",
        "octal",
        "lenient",
        "empty-names",
        "bad-names",
        "lenient-names",
        "odd-quotes",
        "empty",
        "none",
    ],
)
def test_parse_cookie_header(header: str | None, expected: dict[str, str]) -> None:
    assert parse_cookie_header(header) == expected


def test_format_minimal() -> None:
    assert format_set_cookie("m", "plain") == "m=plain; Path=/"
    assert format_set_cookie("m", "plain", path=None) == "m=plain"


def test_format_all_attributes_in_aiohttp_order() -> None:
    got = format_set_cookie(
        "n",
        "v w;",
        expires="Thu, 01 Jan 1970 00:00:00 GMT",
        domain="ex.com",
        max_age=10,
        secure=True,
        httponly=True,
        samesite="lax",
        partitioned=True,
    )
    assert got == (
        'n="v w\\073"; Domain=ex.com; expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; '
        "Max-Age=10; Partitioned; Path=/; SameSite=Lax; Secure"
    )


def test_format_expires_types() -> None:
    moment = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    assert "expires=Sat, 03 Feb 2001 04:05:06 GMT" in format_set_cookie("a", "b", expires=moment)
    naive = moment.replace(tzinfo=None)
    assert "expires=Sat, 03 Feb 2001 04:05:06 GMT" in format_set_cookie("a", "b", expires=naive)
    stamp = moment.timestamp()
    assert "expires=Sat, 03 Feb 2001 04:05:06 GMT" in format_set_cookie("a", "b", expires=stamp)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"name": "a b", "value": "v"},
        {"name": "a;b", "value": "v"},
        {"name": "", "value": "v"},
        {"name": "a", "value": "v\r\nSet-Cookie: evil=1"},
        {"name": "a", "value": "v\x00"},
        {"name": "a", "value": "v", "path": "/; Domain=evil"},
        {"name": "a", "value": "v", "domain": "ex.com\r\nX: y"},
        {"name": "a", "value": "v", "expires": "x; Secure"},
        {"name": "a", "value": "v", "max_age": "1; Secure"},
        {"name": "a", "value": "v", "samesite": "Sometimes"},
    ],
)
def test_format_refuses_splitting(kwargs: dict[str, str]) -> None:
    name = kwargs.pop("name")
    value = kwargs.pop("value")
    with pytest.raises(ValueError):
        format_set_cookie(name, value, **kwargs)  # type: ignore[arg-type]


_cookie_names = st.text(
    alphabet="!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ",
    min_size=1,
    max_size=20,
)
_cookie_values = st.text(
    alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40
)


@given(st.dictionaries(_cookie_names, _cookie_values, max_size=6))
def test_set_cookie_then_cookie_round_trip(jar: dict[str, str]) -> None:
    """What a browser would echo back (name=value of each Set-Cookie) parses to the jar."""
    pairs = [format_set_cookie(name, value).split("; Path=/")[0] for name, value in jar.items()]
    assert parse_cookie_header("; ".join(pairs)) == jar


@given(_cookie_names, _cookie_values)
def test_simplecookie_reads_our_quoting(name: str, value: str) -> None:
    jar: SimpleCookie = SimpleCookie()
    jar.load(format_set_cookie(name, value, path=None))
    if name in jar:  # SimpleCookie refuses some legal token names (e.g. "expires")
        assert jar[name].value == value


def test_morsel_to_set_cookie_matches_simplecookie_output() -> None:
    jar: SimpleCookie = SimpleCookie()
    jar["n"] = "v w;"
    jar["n"]["domain"] = "ex.com"
    jar["n"]["expires"] = "Thu, 01 Jan 1970 00:00:00 GMT"
    jar["n"]["max-age"] = 10
    jar["n"]["path"] = "/"
    jar["n"]["httponly"] = True
    jar["n"]["secure"] = True
    jar["n"]["samesite"] = "Lax"
    assert morsel_to_set_cookie(jar["n"]) == jar["n"].OutputString()


def test_morsel_relative_expires_and_minimal() -> None:
    jar: SimpleCookie = SimpleCookie()
    jar["a"] = "1"
    assert morsel_to_set_cookie(jar["a"]) == "a=1"
    jar["a"]["expires"] = 3600
    out = morsel_to_set_cookie(jar["a"])
    expires = out.split("expires=")[1]
    stamp = time.mktime(time.strptime(expires, "%a, %d %b %Y %H:%M:%S GMT")) - time.timezone
    assert abs(stamp - (time.time() + 3600)) < 5


def test_morsel_refuses_bad_attributes() -> None:
    jar: SimpleCookie = SimpleCookie()
    jar["a"] = "1"
    jar["a"]["path"] = "/x; Domain=evil"
    with pytest.raises(ValueError):
        morsel_to_set_cookie(jar["a"])


def test_morsel_expires_of_every_kind() -> None:
    jar: SimpleCookie = SimpleCookie()
    jar["a"] = "1"
    jar["a"]["expires"] = 0  # an int, even 0, counts from now
    assert "expires=" in morsel_to_set_cookie(jar["a"])
    jar["a"]["expires"] = ""
    assert morsel_to_set_cookie(jar["a"]) == "a=1"
    jar["a"]["expires"] = True  # a bool is not a number of seconds: ignored
    assert morsel_to_set_cookie(jar["a"]) == "a=1"
    jar["a"]["expires"] = datetime(2001, 2, 3, 4, 5, 6, tzinfo=timezone.utc)
    assert morsel_to_set_cookie(jar["a"]) == "a=1; expires=Sat, 03 Feb 2001 04:05:06 GMT"
    jar["a"]["expires"] = "Sat, 03 Feb 2001 04:05:06 GMT"
    jar["a"]["domain"] = "ex.org"
    jar["a"]["path"] = "/p"
    assert morsel_to_set_cookie(jar["a"]) == jar["a"].OutputString()


def test_blank_morsel_is_a_new_morsel() -> None:
    made = blank_morsel()
    fresh: Morsel[str] = Morsel()
    assert type(made) is Morsel
    assert made == fresh and dict(made) == dict(fresh)
    assert (made.key, made.value, made.coded_value) == (None, None, None)
    assert blank_morsel() is not made
    made.set("a", "1", "1")
    made["path"] = "/"
    assert (made.key, made["path"]) == ("a", "/")
    assert blank_morsel()["path"] == ""  # one morsel's changes are its own
    assert made.output() == "Set-Cookie: a=1; Path=/"
