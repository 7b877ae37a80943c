"""UrlDispatcher: the routing table and its resolution.

Resolution follows aiohttp's documented order exactly:

1. domain sub-applications (``MatchedSubAppResource``) in registration order;
2. the path's parts from longest to shortest (``/a/b/c``, ``/a/b``, ``/a``,
   ``/``): the resources indexed under each part are tried in registration
   order.  Fixed paths therefore win over variable ones, and variable paths
   sharing a fixed prefix are tried in registration order;
3. a miss is a 405 when some resource matched the path (with the union of
   their methods) and a 404 otherwise.

Plain paths are served from a dictionary keyed by the decoded path, before
the walk: the walk would find them first anyway, except for a plain path
ending in ``/`` registered after a variable resource of the same prefix,
which is left to the walk so that registration order still decides.  The
index is rebuilt lazily after registrations, so lookups cost one dict probe
per path part whatever the table size.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sized
from os import PathLike
from types import MappingProxyType
from typing import Any, ClassVar

from ._abc import (
    AbstractResource,
    AbstractRoute,
    AbstractRouter,
    ExpectHandler,
    HandlerType,
    RequestLike,
    _is_async_def,
    check_route_name,
    request_path,
)
from ._errors import RoutingError
from ._match_info import MatchInfoError, UrlMappingMatchInfo
from ._quoting import _path_safe_slow, path_safe, requote_path
from ._resources import (
    Changes,
    DynamicResource,
    PlainResource,
    Resource,
    index_built,
    table_changed,
)
from ._routedef import AbstractRouteDef
from ._routes import ResourceRoute
from ._subapp import MatchedSubAppResource

__all__ = ("ResourcesView", "RoutesView", "UrlDispatcher")

DEFAULT_CHUNK_SIZE = 256 * 1024
#: The path variables of a plain route: none (match info copies, never keeps, this dict).
_NO_VARS: dict[str, str] = {}


class ResourcesView(Sized, Iterable[AbstractResource], Container[AbstractResource]):
    """A read-only view of the registered resources."""

    __slots__ = ("_resources",)

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._resources = resources

    def __len__(self) -> int:
        return len(self._resources)

    def __iter__(self) -> Iterator[AbstractResource]:
        return iter(self._resources)

    def __contains__(self, resource: object) -> bool:
        return resource in self._resources


class RoutesView(Sized, Iterable[AbstractRoute], Container[AbstractRoute]):
    """A read-only snapshot of the routes of all resources."""

    __slots__ = ("_routes",)

    def __init__(self, resources: list[AbstractResource]) -> None:
        self._routes: list[AbstractRoute] = [route for res in resources for route in res]

    def __len__(self) -> int:
        return len(self._routes)

    def __iter__(self) -> Iterator[AbstractRoute]:
        return iter(self._routes)

    def __contains__(self, route: object) -> bool:
        return route in self._routes


class _PlainEntry:
    """Merged routes of the plain resources sharing one decoded path.

    ``table.get(method, default)`` gives the route aiohttp would pick by
    trying those resources in registration order.
    """

    __slots__ = ("allowed", "default", "table")

    def __init__(self, resources: list[PlainResource]) -> None:
        if len(resources) == 1:  # the usual case: the resource's own table, as it is
            own = resources[0]._table
            # shared, not copied: a route added to the resource moves Changes.count, and
            # the router rebuilds its index before it looks at this entry again
            self.table = own.routes
            self.default = own.any_route
            self.allowed = own.allowed
            return
        table: dict[str, ResourceRoute] = {}
        default: ResourceRoute | None = None
        allowed: set[str] = set()
        for resource in reversed(resources):
            routes = dict(resource._table.routes)
            allowed.update(routes)
            any_route = routes.get("*")
            if any_route is not None:
                # this resource answers every method: later ones are shadowed
                table = routes
                default = any_route
            else:
                table.update(routes)
        self.table = table
        self.default = default
        self.allowed = frozenset(allowed)


_PLAIN, _DOMAIN, _OTHER = "plain", "domain", "other"
#: How the index treats each resource class (the isinstance() checks of ABCs are costly).
_KINDS: dict[type[AbstractResource], str] = {}
_OWN_RESOURCES = frozenset((PlainResource, DynamicResource))


def _kind(resource: AbstractResource) -> str:
    if isinstance(resource, MatchedSubAppResource):
        return _DOMAIN
    if isinstance(resource, PlainResource):
        return _PLAIN
    return _OTHER


def _index_key(resource: AbstractResource) -> str:
    """The index key of a resource that is not plain: the fixed part of its path."""
    key = resource.canonical
    if "{" in key:
        key = key.partition("{")[0].rpartition("/")[0]
    return path_safe(requote_path(key)).rstrip("/") or "/"


class UrlDispatcher(AbstractRouter, Mapping[str, AbstractResource]):
    """aiohttp's router: resources in a table, resolved by (method, path)."""

    #: What :meth:`add_static` builds: ``factory(prefix, path, **options)`` returning a resource.
    #: web-routing serves no files itself: web-static sets this to its ``StaticResource`` when it
    #: is imported (``import web`` does), so the router never imports the package above it.
    static_resource_factory: ClassVar[Callable[..., AbstractResource] | None] = None

    def __init__(self) -> None:
        super().__init__()
        self._resources: list[AbstractResource] = []
        self._named_resources: dict[str, AbstractResource] = {}
        self._built_at = -1
        self._plain: dict[str, _PlainEntry] = {}
        self._index: dict[str, tuple[AbstractResource, ...]] = {}
        self._max_key = 1
        self._domains: tuple[MatchedSubAppResource, ...] = ()

    # -- resolution ---------------------------------------------------------

    def make_http_exception(self, status: int, method: str, allowed_methods: set[str]) -> Exception:
        """The exception a miss carries; web-app overrides it with HTTPException."""
        return RoutingError(status, method, allowed_methods)

    async def resolve(self, request: RequestLike) -> UrlMappingMatchInfo:
        """Resolve a request; never raises (a miss is a :class:`MatchInfoError`)."""
        return self.match(request.method, request_path(request), request.host)

    def match(self, method: str, path: str, host: str | None = None) -> UrlMappingMatchInfo:
        """Resolve the raw (percent-encoded) ``path`` for ``method``.

        A ``?query`` suffix is ignored.  Never raises.
        """
        if "?" in path:
            path = path.partition("?")[0]
        if "%" in path:
            path = _path_safe_slow(path)
        if self._built_at == Changes.count and not self._domains:
            # resolve_path's first step inlined: a plain path costs no further call
            entry = self._plain.get(path)
            if entry is not None:
                route = entry.table.get(method, entry.default)
                if route is not None:
                    return UrlMappingMatchInfo(_NO_VARS, route)
        return self.resolve_path(method, path, host)

    def resolve_path(self, method: str, path: str, host: str | None = None) -> UrlMappingMatchInfo:
        """Resolve an already safe-decoded ``path`` (sub-applications use this)."""
        if self._built_at != Changes.count:
            self._build_index()
        allowed: set[str] | None = None
        if self._domains:
            for domain_resource in self._domains:
                match_info, methods = domain_resource.resolve_path(method, path, host)
                if match_info is not None:
                    # Resources answer the AbstractMatchInfo of _abc; the dispatcher's answer
                    # keeps aiohttp's UrlMappingMatchInfo type (every resource here makes one;
                    # an ignore, not cast(): that is a function call per request).
                    return match_info  # type: ignore[return-value]
                if methods:
                    allowed = set(methods) if allowed is None else allowed | methods
        entry = self._plain.get(path)
        if entry is not None:
            route = entry.table.get(method, entry.default)
            if route is not None:
                return UrlMappingMatchInfo(_NO_VARS, route)
            allowed = set(entry.allowed) if allowed is None else allowed | entry.allowed
        index = self._index
        part = path
        if len(part) > self._max_key:
            # no key is longer: skip straight to the longest prefix that can be
            # one, so a path of thousands of segments costs no more than a short one
            cut = part.rfind("/", 0, self._max_key + 1)
            part = part[:cut] if cut > 0 else "/"
        while part:
            candidates = index.get(part)
            if candidates is not None:
                for resource in candidates:
                    match_info, methods = resource.resolve_path(method, path, host)
                    if match_info is not None:
                        return match_info  # type: ignore[return-value]  # as above
                    if methods:
                        allowed = set(methods) if allowed is None else allowed | methods
            if part == "/":
                break
            part = part.rpartition("/")[0] or "/"
        if allowed:
            exc = self.make_http_exception(405, method, allowed)
            return MatchInfoError(exc, status=405, allowed_methods=allowed)
        return MatchInfoError(self.make_http_exception(404, method, set()), status=404)

    def _build_index(self) -> None:
        # (resource, its match path if it is a plain resource) by index key, in order
        groups: dict[str, list[tuple[AbstractResource, str | None]]] = {}
        domains: list[MatchedSubAppResource] = []
        kinds = _KINDS
        for resource in self._resources:
            kind = kinds.get(type(resource))
            if kind is None:
                kind = kinds[type(resource)] = _kind(resource)
            if kind is _DOMAIN:
                domains.append(resource)  # type: ignore[arg-type]  # its kind says so
                continue
            if kind is _PLAIN:
                # its kind says it is a PlainResource (no cast(): a call per resource)
                path: str = resource._match_path  # type: ignore[attr-defined]
                match_path: str | None = path
                key = path.rstrip("/") or "/"
            else:
                match_path = None
                key = _index_key(resource)
            group = groups.get(key)
            if group is None:
                groups[key] = [(resource, match_path)]
            else:
                group.append((resource, match_path))
        plain: dict[str, _PlainEntry] = {}
        index: dict[str, tuple[AbstractResource, ...]] = {}
        for key, candidates in groups.items():
            if len(candidates) == 1:  # the usual case: one resource per key
                resource, match_path = candidates[0]
                if match_path is None:
                    index[key] = (resource,)
                else:
                    plain[match_path] = _PlainEntry([resource])  # type: ignore[list-item]
                continue
            by_path: dict[str, list[PlainResource]] = {}
            ordered: set[str] = set()
            seen_other = False
            for resource, match_path in candidates:
                if match_path is None:
                    seen_other = True
                    continue
                if seen_other and match_path.endswith("/"):
                    # a variable resource registered earlier may match it
                    ordered.add(match_path)
                by_path.setdefault(match_path, []).append(resource)  # type: ignore[arg-type]
            served: set[str] = set()
            for match_path, resources in by_path.items():
                if match_path not in ordered:
                    plain[match_path] = _PlainEntry(resources)
                    served.add(match_path)
            rest = tuple(r for r, match_path in candidates if match_path not in served)
            if rest:
                index[key] = rest
        self._plain = plain
        self._index = index
        self._max_key = max(map(len, index), default=1)
        self._domains = tuple(domains)
        self._built_at = index_built()

    def reindex(self) -> None:
        """Mark the index stale (resources changed their paths, e.g. add_prefix)."""
        table_changed()

    # -- named resources (Mapping) -------------------------------------------

    def __iter__(self) -> Iterator[str]:
        return iter(self._named_resources)

    def __len__(self) -> int:
        return len(self._named_resources)

    def __contains__(self, name: object) -> bool:
        return name in self._named_resources

    def __getitem__(self, name: str) -> AbstractResource:
        return self._named_resources[name]

    def resources(self) -> ResourcesView:
        return ResourcesView(self._resources)

    def routes(self) -> RoutesView:
        return RoutesView(self._resources)

    def named_resources(self) -> Mapping[str, AbstractResource]:
        return MappingProxyType(self._named_resources)

    # -- registration ---------------------------------------------------------

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        """Forbid further registration and finalize the resources and the index."""
        self._frozen = True
        for resource in self._resources:
            resource.freeze()
        self._build_index()

    def register_resource(self, resource: AbstractResource) -> None:
        # a class the index has classified is a resource (isinstance of an ABC is slow)
        if type(resource) not in _KINDS and not isinstance(resource, AbstractResource):
            raise TypeError(f"Instance of AbstractResource class is required, got {resource!r}")
        if self._frozen:
            raise RuntimeError("Cannot register a resource into frozen router.")
        self._append(resource, resource.name)

    def _append(self, resource: AbstractResource, name: str | None) -> None:
        """register_resource() once the resource and the router are checked."""
        if name is not None:
            check_route_name(name)
            if name in self._named_resources:
                raise ValueError(
                    f"Duplicate {name!r}, already handled by {self._named_resources[name]!r}"
                )
            self._named_resources[name] = resource
        self._resources.append(resource)
        table_changed()

    def add_resource(self, path: str, *, name: str | None = None) -> Resource:
        """Add (or reuse the last, when path and name are the same) a resource."""
        if not isinstance(path, str):
            raise TypeError(f"path must be a str, got {path!r}")
        if path and not path.startswith("/"):
            raise ValueError("path should be started with / or be empty")
        if self._frozen:
            raise RuntimeError("Cannot register a resource into frozen router.")
        if self._resources:
            last = self._resources[-1]
            # the two classes add_resource makes first (isinstance of an ABC is slow)
            if (
                last.name == name
                and (type(last) in _OWN_RESOURCES or isinstance(last, Resource))
                and last.raw_match(path)
            ):
                return last  # type: ignore[return-value]  # as above
        resource: Resource
        if "{" in path or "}" in path:  # a variable part, or a stray brace the parser rejects
            resource = DynamicResource(path, name=name)
        else:
            resource = PlainResource(path, name=name)
        self._append(resource, name)  # register_resource's checks are made above
        return resource

    def add_route(
        self,
        method: str,
        path: str,
        handler: HandlerType,
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
    ) -> ResourceRoute:
        resource = self.add_resource(path, name=name)
        return resource.add_route(method, handler, expect_handler=expect_handler)

    def add_get(
        self,
        path: str,
        handler: HandlerType,
        *,
        name: str | None = None,
        allow_head: bool = True,
        **kwargs: Any,
    ) -> ResourceRoute:
        """GET route; with ``allow_head`` also a HEAD route (named ``<name>-head``)."""
        resource = self.add_resource(path, name=name)
        if not allow_head:
            return resource.add_route("GET", handler, **kwargs)
        if type(resource) in _OWN_RESOURCES and _is_async_def(handler):
            # the usual case: one route checked and built, the HEAD route copied from it
            # (add_route would check the handler twice; a bare function warns for each route)
            get = ResourceRoute("GET", handler, resource, **kwargs)
            table = resource._table
            table.register(get.head_of_get())
            table.register(get)
            return get
        head = resource.add_route("HEAD", handler, **kwargs)
        head._head_of_get = True
        return resource.add_route("GET", handler, **kwargs)

    def add_head(self, path: str, handler: HandlerType, **kwargs: Any) -> ResourceRoute:
        return self.add_route("HEAD", path, handler, **kwargs)

    def add_options(self, path: str, handler: HandlerType, **kwargs: Any) -> ResourceRoute:
        return self.add_route("OPTIONS", path, handler, **kwargs)

    def add_post(self, path: str, handler: HandlerType, **kwargs: Any) -> ResourceRoute:
        return self.add_route("POST", path, handler, **kwargs)

    def add_put(self, path: str, handler: HandlerType, **kwargs: Any) -> ResourceRoute:
        return self.add_route("PUT", path, handler, **kwargs)

    def add_patch(self, path: str, handler: HandlerType, **kwargs: Any) -> ResourceRoute:
        return self.add_route("PATCH", path, handler, **kwargs)

    def add_delete(self, path: str, handler: HandlerType, **kwargs: Any) -> ResourceRoute:
        return self.add_route("DELETE", path, handler, **kwargs)

    def add_view(self, path: str, handler: type[Any], **kwargs: Any) -> ResourceRoute:
        """A class-based view: one route for every method (``*``)."""
        return self.add_route("*", path, handler, **kwargs)

    def add_static(
        self,
        prefix: str,
        path: str | PathLike[str],
        *,
        name: str | None = None,
        expect_handler: ExpectHandler | None = None,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        show_index: bool = False,
        follow_symlinks: bool = False,
        append_version: bool = False,
        **extra: Any,
    ) -> AbstractResource:
        """Serve files below ``path`` at ``prefix`` (needs the web-static package).

        ``extra`` goes to the static resource as is: web-static takes ``index``,
        ``cache_control`` and ``immutable`` (see ``web_static.StaticResource``).
        """
        if not isinstance(prefix, str) or not prefix.startswith("/"):
            raise ValueError(f"Prefix must start with '/', got {prefix!r}")
        if prefix.endswith("/"):
            prefix = prefix[:-1]
        factory = self.static_resource_factory
        if factory is None:
            raise RuntimeError(
                "add_static needs the web-static package: pip install web-static, then"
                " import web_static (or web) so it registers its StaticResource"
            )
        resource = factory(
            prefix,
            path,
            name=name,
            expect_handler=expect_handler,
            chunk_size=chunk_size,
            show_index=show_index,
            follow_symlinks=follow_symlinks,
            append_version=append_version,
            **extra,
        )
        self.register_resource(resource)
        return resource

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        """Register route definitions; returns the routes registered."""
        registered: list[AbstractRoute] = []
        for route_def in routes:
            registered.extend(route_def.register(self))
        return registered

    def __repr__(self) -> str:
        return f"<UrlDispatcher {len(self._resources)} resources>"
