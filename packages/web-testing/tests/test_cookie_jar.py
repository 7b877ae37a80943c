"""The client's cookie jar: which cookies are kept and which are sent where."""

from __future__ import annotations

from http.cookies import SimpleCookie

from web_testing import CookieJar
from yarl import URL

SITE = URL("http://example.com/app/page")


def _set(jar: CookieJar, header: str, url: URL = SITE) -> None:
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(header)
    jar.update_cookies(cookie, url)


def _sent(jar: CookieJar, url: str) -> dict[str, str]:
    return {k: m.value for k, m in jar.filter_cookies(URL(url)).items()}


def test_host_only_and_domain_cookies() -> None:
    jar = CookieJar()
    _set(jar, "a=1; Path=/")
    _set(jar, "b=2; Domain=example.com; Path=/")
    _set(jar, "evil=3; Domain=other.org; Path=/")  # not the response's domain: dropped
    assert _sent(jar, "http://example.com/") == {"a": "1", "b": "2"}
    assert _sent(jar, "http://sub.example.com/") == {"b": "2"}
    assert _sent(jar, "http://other.org/") == {}
    assert len(jar) == 2


def test_default_path_and_path_matching() -> None:
    jar = CookieJar()
    _set(jar, "p=1")  # default path: /app
    assert _sent(jar, "http://example.com/app") == {"p": "1"}
    assert _sent(jar, "http://example.com/app/x") == {"p": "1"}
    assert _sent(jar, "http://example.com/application") == {}
    assert _sent(jar, "http://example.com/") == {}


def test_secure_cookies_only_over_https() -> None:
    jar = CookieJar()
    _set(jar, "s=1; Secure; Path=/")
    assert _sent(jar, "http://example.com/") == {}
    assert _sent(jar, "https://example.com/") == {"s": "1"}


def test_max_age_zero_and_past_expires_delete() -> None:
    jar = CookieJar()
    _set(jar, "a=1; Path=/")
    _set(jar, "b=2; Path=/")
    _set(jar, "a=gone; Path=/; Max-Age=0")
    _set(jar, "b=gone; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT")
    assert len(jar) == 0


def test_ip_addresses_need_an_unsafe_jar() -> None:
    local = URL("http://127.0.0.1:8080/")
    unsafe = CookieJar()
    _set(unsafe, "a=1; Path=/", local)
    assert _sent(unsafe, "http://127.0.0.1:8080/") == {"a": "1"}
    safe = CookieJar(unsafe=False)
    _set(safe, "a=1; Path=/", local)
    assert len(safe) == 0


def test_update_from_a_dict_clear_and_iterate() -> None:
    jar = CookieJar()
    jar.update_cookies({"x": "1", "y": "2"})
    assert sorted(m.key for m in jar) == ["x", "y"]
    assert _sent(jar, "http://anything.test/") == {"x": "1", "y": "2"}
    jar.clear(lambda m: m.key == "x")
    assert [m.key for m in jar] == ["y"]
    jar.clear()
    assert len(jar) == 0


def test_cookie_header_is_filter_cookies_joined() -> None:
    jar = CookieJar()
    _set(jar, "a=1; Path=/")
    _set(jar, 'q="x y"; Path=/app')
    _set(jar, "a=deeper; Path=/app")  # the longer path goes first and wins the name
    _set(jar, "s=1; Path=/; Secure")
    url = URL("http://example.com/app/page")
    expected = "; ".join(f"{m.key}={m.coded_value}" for m in jar.filter_cookies(url).values())
    assert jar.cookie_header(url) == expected == 'q="x y"; a=deeper'
    assert jar.cookie_header(URL("http://other.org/")) == ""
    assert CookieJar().cookie_header(url) == ""


def test_a_new_longer_path_goes_first_after_headers_were_built() -> None:
    jar = CookieJar()
    url = URL("http://example.com/app/page")
    _set(jar, "a=1; Path=/")
    assert jar.cookie_header(url) == "a=1"
    _set(jar, "a=deeper; Path=/app")  # a new key: the order is worked out again
    assert jar.cookie_header(url) == "a=deeper"
    _set(jar, "a=gone; Path=/app; Max-Age=0")  # and once it is gone
    assert jar.cookie_header(url) == "a=1"
    _set(jar, "a=2; Path=/")  # the same key again: its value changes, not its place
    assert jar.cookie_header(url) == "a=2"


def test_stored_morsels_are_copies_with_every_attribute() -> None:
    jar = CookieJar()
    source: SimpleCookie = SimpleCookie()
    source["k"] = "v"
    del source["k"]["max-age"]  # what Response.set_cookie leaves without max_age
    jar.update_cookies(source, SITE)
    (stored,) = jar
    assert stored is not source["k"]
    assert stored["domain"] == "example.com" and stored["path"] == "/app"
    assert stored["max-age"] == ""  # Morsel.copy() brings the missing attribute back
    assert source["k"]["domain"] == ""  # the source is left alone
    assert (stored.key, stored.value, stored.coded_value) == ("k", "v", "v")
