"""The test client's cookie jar: RFC 6265 storage and matching, aiohttp's ``CookieJar`` API.

The test client talks to 127.0.0.1, which browsers and aiohttp's default jar refuse cookies
from; like aiohttp's test client the jar is ``unsafe`` (IP addresses accepted) by default.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from email.utils import parsedate_to_datetime
from http.cookies import BaseCookie, CookieError, Morsel, SimpleCookie
from ipaddress import ip_address

from web_http import blank_morsel
from yarl import URL

__all__ = ("CookieJar", "cookie_header_of")

CookieKey = tuple[str, str, str]  # (domain, path, name)

# The morsels of Set-Cookie values seen before: a test server sets the same few cookies
# over and over, and SimpleCookie's parser costs more than the rest of a response. The
# morsels are shared: only read (the jar stores copies). Bounded, emptied when full.
_SET_COOKIES: dict[str, tuple[Morsel[str], ...]] = {}
_SET_COOKIES_MAX = 1024


def _set_cookie_morsels(value: str) -> tuple[Morsel[str], ...]:
    """What ``SimpleCookie().load(value)`` gives (nothing for a value it cannot parse)."""
    morsels = _SET_COOKIES.get(value)
    if morsels is None:
        cookie: SimpleCookie = SimpleCookie()
        try:
            cookie.load(value)
        except CookieError:
            pass  # aiohttp skips what it cannot parse, too
        morsels = tuple(cookie.values())
        if len(_SET_COOKIES) >= _SET_COOKIES_MAX:
            _SET_COOKIES.clear()
        _SET_COOKIES[value] = morsels
    return morsels


def _copy(morsel: Morsel[str]) -> Morsel[str]:
    """``morsel.copy()`` (the reserved attributes it lacks come back empty), without
    ``Morsel.__init__``'s loop over them (``blank_morsel``)."""
    if type(morsel) is not Morsel:
        return morsel.copy()
    copy = blank_morsel()
    dict.update(copy, morsel)
    copy.__dict__.update(morsel.__dict__)
    return copy


def _is_ip(host: str) -> bool:
    try:
        ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _default_path(url: URL) -> str:
    """RFC 6265 5.1.4: the request path up to, not including, its last slash."""
    path = url.raw_path
    if not path.startswith("/") or path.count("/") == 1:
        return "/"
    return path[: path.rfind("/")]


def _path_matches(request_path: str, cookie_path: str) -> bool:
    if request_path == cookie_path:
        return True
    if not request_path.startswith(cookie_path):
        return False
    return cookie_path.endswith("/") or request_path[len(cookie_path)] == "/"


def _domain_matches(host: str, domain: str) -> bool:
    if host == domain:
        return True
    return host.endswith("." + domain) and not _is_ip(host)


def _path_length(key: CookieKey) -> int:
    return len(key[1])


def cookie_header_of(cookies: BaseCookie[str]) -> str:
    """The ``Cookie`` header value that sends ``cookies`` (empty: none)."""
    return "; ".join(f"{m.key}={m.coded_value}" for m in cookies.values())


class CookieJar:
    """Cookies kept across the requests of one client; iterate it for its morsels."""

    def __init__(self, *, unsafe: bool = True, quote_cookie: bool = True) -> None:
        self._cookies: dict[CookieKey, Morsel[str]] = {}
        self._host_only: set[CookieKey] = set()
        self._expires: dict[CookieKey, float] = {}
        #: The keys of ``_cookies``, longest path first (RFC 6265 5.4 step 2), kept until a
        #: key comes or goes (re-storing one keeps its place, as in the dict).
        self._order: list[CookieKey] | None = None
        self._unsafe = unsafe
        self._quote_cookie = quote_cookie

    @property
    def unsafe(self) -> bool:
        return self._unsafe

    @property
    def quote_cookie(self) -> bool:
        return self._quote_cookie

    def __len__(self) -> int:
        self._expire()
        return len(self._cookies)

    def __iter__(self) -> Iterator[Morsel[str]]:
        self._expire()
        return iter(list(self._cookies.values()))

    def clear(self, predicate: Callable[[Morsel[str]], bool] | None = None) -> None:
        """Forget every cookie, or those for which ``predicate(morsel)`` is true."""
        for key, morsel in list(self._cookies.items()):
            if predicate is None or predicate(morsel):
                self._forget(key)

    def clear_domain(self, domain: str) -> None:
        self.clear(lambda m: _domain_matches(m["domain"], domain))

    def update_cookies(
        self,
        cookies: Mapping[str, str | Morsel[str]] | Iterable[tuple[str, str | Morsel[str]]],
        response_url: URL = URL(),  # noqa: B008 - immutable
    ) -> None:
        """Store cookies set by ``response_url`` (or given by a test, for any host)."""
        host = response_url.raw_host or ""
        if host and not self._unsafe and _is_ip(host):
            return
        items = cookies.items() if isinstance(cookies, Mapping) else cookies
        for name, value in items:
            if isinstance(value, Morsel):
                morsel: Morsel[str] = value
            else:
                jar: SimpleCookie = SimpleCookie()
                jar[name] = value
                morsel = jar[name]
            self._store(morsel, host, response_url)

    def update_from_set_cookie(self, values: list[str], response_url: URL) -> bool:
        """Store what a response's ``Set-Cookie`` values set, as ``update_cookies`` of its
        ``cookies`` would; ``False`` (nothing stored) when two values set the same name,
        which only that merged ``SimpleCookie`` decides."""
        found: dict[str, Morsel[str]] = {}
        for value in values:
            for morsel in _set_cookie_morsels(value):
                if morsel.key in found:
                    return False
                found[morsel.key] = morsel
        host = response_url.raw_host or ""
        if host and not self._unsafe and _is_ip(host):
            return True
        for morsel in found.values():
            self._store(morsel, host, response_url)
        return True

    def _store(self, morsel: Morsel[str], host: str, url: URL) -> None:
        domain = morsel["domain"].lower().lstrip(".")
        host_only = not domain
        if host_only:
            domain = host
        elif host and not _domain_matches(host, domain):
            return  # a cookie for a domain the response does not belong to
        path = morsel["path"]
        if not path.startswith("/"):
            path = _default_path(url)
        key = (domain, path, morsel.key)
        expires = self._expiry(morsel)
        if expires is not None and expires <= time.time():
            self._forget(key)  # Max-Age=0 or a past Expires: the server deletes it
            return
        stored = _copy(morsel)  # key, values and every attribute
        # both are reserved attributes: no need for Morsel.__setitem__'s check of the name
        dict.__setitem__(stored, "domain", domain)
        dict.__setitem__(stored, "path", path)
        cookies = self._cookies
        if key not in cookies:
            self._order = None
        cookies[key] = stored
        if host_only:
            self._host_only.add(key)
        else:
            self._host_only.discard(key)
        if expires is None:
            self._expires.pop(key, None)
        else:
            self._expires[key] = expires

    @staticmethod
    def _expiry(morsel: Morsel[str]) -> float | None:
        max_age = morsel.get("max-age")  # a morsel may lack it (del morsel["max-age"])
        if max_age:
            try:
                return time.time() + int(max_age)
            except ValueError:
                pass
        expires = morsel.get("expires")
        if expires:
            try:
                return parsedate_to_datetime(expires).timestamp()
            except (TypeError, ValueError, IndexError):
                pass
        return None

    def _forget(self, key: CookieKey) -> None:
        if self._cookies.pop(key, None) is not None:
            self._order = None
        self._host_only.discard(key)
        self._expires.pop(key, None)

    def _expire(self) -> None:
        if not self._expires:
            return
        now = time.time()
        for key, when in list(self._expires.items()):
            if when <= now:
                self._forget(key)

    def filter_cookies(self, request_url: URL) -> BaseCookie[str]:
        """The cookies to send with a request to ``request_url``."""
        found: SimpleCookie = SimpleCookie()
        for name, morsel in self._matching(request_url):
            found[name] = morsel.value
            found[name].set(name, morsel.value, morsel.coded_value)
        return found

    def cookie_header(self, request_url: URL) -> str:
        """The ``Cookie`` header for a request to ``request_url`` (empty: none to send).

        What ``filter_cookies`` gives, joined, without building a ``SimpleCookie``.
        """
        if not self._cookies:
            return ""
        return "; ".join(f"{name}={m.coded_value}" for name, m in self._matching(request_url))

    def _matching(self, request_url: URL) -> list[tuple[str, Morsel[str]]]:
        """(name, morsel) to send, longest path first, the first of each name only."""
        if not self._cookies:
            return []
        self._expire()
        host = (request_url.raw_host or "").lower()
        secure = request_url.scheme in ("https", "wss")
        path = request_url.raw_path or "/"
        found: dict[str, Morsel[str]] = {}
        cookies = self._cookies
        order = self._order
        if order is None:
            # Longer paths first (RFC 6265 5.4 step 2); equal ones in the order stored.
            order = self._order = sorted(cookies, key=_path_length, reverse=True)
        for key in order:
            domain, cookie_path, name = key
            morsel = cookies[key]
            if not domain:
                pass  # given without a response URL: shared with every host, as in aiohttp
            elif key in self._host_only:
                if host != domain:
                    continue
            elif not _domain_matches(host, domain):
                continue
            if not _path_matches(path, cookie_path) or (morsel["secure"] and not secure):
                continue
            if name not in found:
                found[name] = morsel
        return list(found.items())
