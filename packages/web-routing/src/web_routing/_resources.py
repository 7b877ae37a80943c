"""Resources: plain paths, variable paths and prefixes.

Writing a ``PrefixResource`` subclass (web-static's ``StaticResource`` is one):

* call ``super().__init__(prefix, name=name)``; the prefix is available as ``prefix``, and
  ``canonical``, ``add_prefix`` (sub-applications) and ``raw_match`` (always False) are
  provided;
* register routes with ``self.add_route(method, handler, expect_handler=...)``
  (``len()``/iteration then list them), and implement ``match_subpath(subpath) ->
  dict[str, str] | None``, which receives the safe-decoded part of the path below the prefix
  (``%2F`` and ``%25`` still encoded, see ``_quoting``) and returns the match dict (e.g.
  ``{"filename": ...}``) or None; the inherited ``resolve_path(method, path, host)`` then
  picks the route by method; alternatively override ``resolve_path`` itself (it must never
  raise);
* implement ``url_for(...)`` and ``get_info()`` (aiohttp's keys: ``directory``,
  ``prefix``, ``routes``).

The router indexes a prefix resource under its prefix, so ``match_subpath`` is only
called for paths equal to the prefix or below it.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from yarl import URL

from ._abc import (
    EMPTY_METHODS,
    METH_ANY,
    AbstractResource,
    AbstractRoute,
    ExpectHandler,
    HandlerType,
    ResolveResult,
)
from ._match_info import UrlMappingMatchInfo
from ._quoting import path_safe, quote_path, requote_path, unquote_path_safe
from ._routes import ResourceRoute

__all__ = (
    "DynamicResource",
    "PlainResource",
    "PrefixResource",
    "Resource",
    "Changes",
    "index_built",
    "table_changed",
)

#: ``{name}`` or ``{name:regex}``; the regex may hold one level of ``{m,n}``.
_VARIABLE_RE = re.compile(r"\{(?P<var>[_a-zA-Z][_a-zA-Z0-9]*)(?::(?P<re>(?:[^{}]|\{[^{}]*\})+))?\}")
_DEFAULT_VAR_RE = r"[^{}/]+"


class Changes:
    """Counter of routing-table mutations, shared by every router.

    Routers rebuild their lookup index lazily when it moved: a resource does
    not know the router(s) holding it, and routes may be added to a resource
    directly.  Mutations only happen at set-up time, so a global counter
    costs one comparison per lookup and nothing else.
    """

    count = 0


class _Indexed:
    """Whether some router built its index at the current ``Changes.count``.

    Only then must a mutation move the counter: the indexes built earlier are stale
    already. So registering an application's routes moves it once, not once per route
    (writing a class attribute invalidates the type's caches: ~1,000 instructions).
    """

    __slots__ = ("at_count",)

    def __init__(self) -> None:
        self.at_count = False


_INDEXED = _Indexed()


def table_changed() -> None:
    if _INDEXED.at_count:
        _INDEXED.at_count = False
        Changes.count += 1


def index_built() -> int:
    """Called by a router that (re)built its index; returns the count it is valid for."""
    _INDEXED.at_count = True
    return Changes.count


def _check_prefix(prefix: str) -> None:
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise ValueError(f"Prefix must start with '/', got {prefix!r}")
    if prefix.endswith("/") or len(prefix) < 2:
        raise ValueError(f"Prefix must not end with '/' nor be '/', got {prefix!r}")


@lru_cache(maxsize=1024)
def _registered_match_path(path: str) -> str:
    """The safe-decoded form of a registered plain path (kept: a test suite registers the
    same paths for every test)."""
    return path_safe(requote_path(path))


class _RouteTable:
    """The routes of one resource by method, plus the ``*`` catch-all."""

    __slots__ = ("allowed", "any_route", "frozen", "routes")

    def __init__(self) -> None:
        self.routes: dict[str, ResourceRoute] = {}
        self.any_route: ResourceRoute | None = None
        self.allowed: frozenset[str] = EMPTY_METHODS
        self.frozen = False

    def register(self, route: ResourceRoute) -> None:
        if self.frozen:
            raise RuntimeError("Cannot add a route to a frozen router")
        method = route._method
        routes = self.routes
        existing = routes.get(method, self.any_route)
        if existing is not None:
            raise RuntimeError(
                "Added route will never be executed, "
                f"method {existing.method} is already registered"
            )
        if method == METH_ANY:
            self.any_route = route
        routes[method] = route
        self.allowed = frozenset(routes)  # the methods are the keys
        if _INDEXED.at_count:  # table_changed(), inline: once per route of every app
            table_changed()


class _RoutedResource(AbstractResource):
    """Shared machinery of resources that own their routes."""

    def __init__(self, *, name: str | None = None) -> None:
        self._name = name  # AbstractResource.__init__, inline (one call less per route)
        self._table = _RouteTable()

    def add_route(
        self,
        method: str,
        handler: HandlerType,
        *,
        expect_handler: ExpectHandler | None = None,
    ) -> ResourceRoute:
        """Add a route; a method (or ``*``) can be registered once per resource."""
        route = ResourceRoute(method, handler, self, expect_handler=expect_handler)
        self._table.register(route)
        return route

    def register_route(self, route: ResourceRoute) -> None:
        if not isinstance(route, ResourceRoute):
            raise TypeError(f"Instance of ResourceRoute class is required, got {route!r}")
        self._table.register(route)

    def freeze(self) -> None:
        self._table.frozen = True

    @abc.abstractmethod
    def _match(self, path: str) -> dict[str, str] | None:
        """Match dict for the safe-decoded ``path``, or None."""

    def resolve_path(self, method: str, path: str, host: str | None = None) -> ResolveResult:
        match_dict = self._match(path)
        if match_dict is None:
            return None, EMPTY_METHODS
        table = self._table
        route = table.routes.get(method, table.any_route)
        if route is None:
            return None, table.allowed
        return UrlMappingMatchInfo(match_dict, route), table.allowed

    def __len__(self) -> int:
        return len(self._table.routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._table.routes.values())


class Resource(_RoutedResource):
    """Base of resources created by ``UrlDispatcher.add_resource``."""


class PlainResource(Resource):
    """A constant path such as ``/path/to``, found by dictionary lookup."""

    def __init__(self, path: str, *, name: str | None = None) -> None:
        if path and not path.startswith("/"):
            raise ValueError("path should be started with / or be empty")
        self._name = name  # _RoutedResource.__init__, inline: once per resource of every app
        self._table = _RouteTable()
        self._path = path
        self._match_path = _registered_match_path(path)

    @property
    def canonical(self) -> str:
        return self._path

    @property
    def match_path(self) -> str:
        """The safe-decoded path a request must have to match (dict key)."""
        return self._match_path

    def freeze(self) -> None:
        if not self._path:
            self._path = "/"
            self._match_path = "/"
            table_changed()
        self._table.frozen = True  # _RoutedResource.freeze, inline: once per route of every app

    def add_prefix(self, prefix: str) -> None:
        _check_prefix(prefix)
        self._path = prefix + self._path
        self._match_path = path_safe(requote_path(self._path))
        table_changed()

    def _match(self, path: str) -> dict[str, str] | None:
        return {} if path == self._match_path else None

    def raw_match(self, path: str) -> bool:
        return self._path == path

    def get_info(self) -> dict[str, Any]:
        return {"path": self._path}

    def url_for(self) -> URL:
        return URL.build(path=requote_path(self._path), encoded=True)

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<PlainResource {name} {self._path}>"


class DynamicResource(Resource):
    """A path with ``{var}`` / ``{var:regex}`` parts, matched by one regex."""

    def __init__(self, path: str, *, name: str | None = None) -> None:
        if path and not path.startswith("/"):
            raise ValueError("path should be started with / or be empty")
        self._name = name  # _RoutedResource.__init__, inline: once per resource of every app
        self._table = _RouteTable()
        self._orig_path = path
        pattern, formatter = self._parse(path)
        self._formatter = formatter
        self._pattern = pattern
        self._quoted_vars = False

    @staticmethod
    @lru_cache(maxsize=512)
    def _parse(path: str) -> tuple[re.Pattern[str], str]:
        """The compiled pattern and the formatter of ``path`` (kept: both are immutable, and a
        test suite builds the same application again and again; a bad path is never kept)."""
        pattern: list[str] = []
        formatter: list[str] = []
        pos = 0
        for m in _VARIABLE_RE.finditer(path):
            DynamicResource._literal(path, path[pos : m.start()], pattern, formatter)
            var, regex = m.group("var"), m.group("re")
            if regex is not None:
                try:
                    re.compile(regex)
                except re.error as exc:
                    raise ValueError(f"Bad pattern '{regex}' in {path!r}: {exc}") from None
            pattern.append(f"(?P<{var}>{_DEFAULT_VAR_RE if regex is None else regex})")
            formatter.append("{" + var + "}")
            pos = m.end()
        DynamicResource._literal(path, path[pos:], pattern, formatter)
        joined = "".join(pattern)
        try:
            compiled = re.compile(joined)
        except re.error as exc:
            raise ValueError(f"Bad pattern '{joined}': {exc}") from None
        return compiled, "".join(formatter)

    @staticmethod
    def _literal(path: str, part: str, pattern: list[str], formatter: list[str]) -> None:
        if "{" in part or "}" in part:
            raise ValueError(f"Invalid path '{path}'['{part}']")
        quoted = requote_path(part)
        formatter.append(quoted)
        pattern.append(re.escape(path_safe(quoted)))

    @property
    def canonical(self) -> str:
        return self._formatter

    @property
    def pattern(self) -> re.Pattern[str]:
        return self._pattern

    def add_prefix(self, prefix: str) -> None:
        _check_prefix(prefix)
        quoted = requote_path(prefix)
        self._pattern = re.compile(re.escape(path_safe(quoted)) + self._pattern.pattern)
        self._formatter = quoted + self._formatter
        table_changed()

    def _match(self, path: str) -> dict[str, str] | None:
        m = self._pattern.fullmatch(path)
        if m is None:
            return None
        groups: dict[str, str] = m.groupdict()
        if "%" in path:
            return {key: unquote_path_safe(value) for key, value in groups.items()}
        return groups

    def resolve_path(self, method: str, path: str, host: str | None = None) -> ResolveResult:
        m = self._pattern.fullmatch(path)
        if m is None:
            return None, EMPTY_METHODS
        table = self._table
        route = table.routes.get(method, table.any_route)
        if route is None:
            return None, table.allowed
        groups: dict[str, str] = m.groupdict()
        if "%" in path:
            groups = {key: unquote_path_safe(value) for key, value in groups.items()}
        return UrlMappingMatchInfo(groups, route), table.allowed

    def raw_match(self, path: str) -> bool:
        return self._orig_path == path

    def get_info(self) -> dict[str, Any]:
        return {"formatter": self._formatter, "pattern": self._pattern}

    def url_for(self, **parts: str) -> URL:
        """Fill the variables (each value is percent-quoted; ``/`` is kept)."""
        quoted: dict[str, str] = {}
        for key, value in parts.items():
            if not isinstance(value, str):
                raise TypeError(f"url_for() value of {key!r} must be str, got {value!r}")
            quoted[key] = quote_path(value)
        return URL.build(path=self._formatter.format_map(quoted), encoded=True)

    def __repr__(self) -> str:
        name = f"'{self.name}' " if self.name is not None else ""
        return f"<DynamicResource {name} {self._formatter}>"


class PrefixResource(_RoutedResource):
    """A resource serving every path below a prefix (static files, sub-apps)."""

    def __init__(self, prefix: str, *, name: str | None = None) -> None:
        if prefix and not prefix.startswith("/"):
            raise ValueError(f"Prefix must start with '/', got {prefix!r}")
        if prefix not in ("", "/") and prefix.endswith("/"):
            raise ValueError(f"Prefix must not end with '/', got {prefix!r}")
        super().__init__(name=name)
        self._prefix = requote_path(prefix)
        self._prefix2 = self._prefix + "/"
        self._match_prefix = path_safe(self._prefix)
        self._match_prefix2 = self._match_prefix + "/"

    @property
    def canonical(self) -> str:
        return self._prefix

    @property
    def prefix(self) -> str:
        """The path prefix, percent-encoded as on the wire (``/static``; ``""`` at the root)."""
        return self._prefix

    def add_prefix(self, prefix: str) -> None:
        _check_prefix(prefix)
        self._prefix = requote_path(prefix) + self._prefix
        self._prefix2 = self._prefix + "/"
        self._match_prefix = path_safe(self._prefix)
        self._match_prefix2 = self._match_prefix + "/"
        table_changed()

    def raw_match(self, path: str) -> bool:
        return False

    def matches_prefix(self, path: str) -> bool:
        """True when the safe-decoded ``path`` is the prefix or lies below it."""
        return path == self._match_prefix or path.startswith(self._match_prefix2)

    def _match(self, path: str) -> dict[str, str] | None:
        if path == self._match_prefix:
            return self.match_subpath("")
        below = self._match_prefix2
        if path.startswith(below):
            return self.match_subpath(path[len(below) :])
        return None

    @abc.abstractmethod
    def match_subpath(self, subpath: str) -> dict[str, str] | None:
        """The match dict for the part of the path below the prefix, or None (no match).

        ``subpath`` has no leading slash (``""`` for the prefix itself and for the prefix
        with a trailing slash) and is safe-decoded: ``%2F`` and ``%25`` stay encoded (see
        ``_quoting``), so a subclass can tell an encoded slash from a separator.
        """
