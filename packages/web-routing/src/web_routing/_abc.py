"""Abstract bases: resources, routes and match info.

The router works on strings, not requests: every resource implements the
synchronous :meth:`AbstractResource.resolve_path` on the *safe-decoded* path
(see ``_quoting``), and the async :meth:`AbstractResource.resolve` of the
aiohttp API is a thin wrapper over it.  This keeps the hot path free of
coroutines and lets web-app call :meth:`UrlDispatcher.match` directly.
"""

from __future__ import annotations

import abc
import inspect
import keyword
import re
import types
import warnings
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Set
from functools import wraps
from typing import Any, Protocol

from yarl import URL

from ._quoting import path_safe

__all__ = (
    "AbstractMatchInfo",
    "AbstractResource",
    "AbstractRoute",
    "AbstractRouter",
    "ExpectHandler",
    "Handler",
    "HandlerType",
    "RequestLike",
    "RouterLike",
)

Handler = Callable[[Any], Awaitable[Any]]
#: A handler is an async callable taking the request, or a view class.
HandlerType = Handler | type[Any]
ExpectHandler = Callable[[Any], Awaitable[Any]]
#: (match info or None, methods the resource accepts for this path).
ResolveResult = tuple["AbstractMatchInfo | None", Set[str]]

METH_ANY = "*"
_HTTP_METHOD_RE = re.compile(r"[0-9A-Za-z!#$%&'*+\-.^_`|~]+")
#: Methods known valid without the regex (route registration runs once per route per app).
_COMMON_METHODS = frozenset(
    ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE", METH_ANY)
)
_EMPTY: frozenset[str] = frozenset()


class RouterLike(Protocol):
    """What a route definition registers itself into (a :class:`UrlDispatcher` or a subclass)."""

    def add_route(self, *args: Any, **kwargs: Any) -> AbstractRoute: ...

    def add_static(self, *args: Any, **kwargs: Any) -> Iterable[AbstractRoute]: ...


class RequestLike(Protocol):
    """What :meth:`UrlDispatcher.resolve` reads from a request."""

    @property
    def method(self) -> str: ...

    @property
    def rel_url(self) -> URL: ...

    @property
    def raw_path(self) -> str: ...

    @property
    def host(self) -> str: ...


def request_path(request: RequestLike) -> str:
    """The raw path of ``request`` without query (origin form)."""
    raw = request.raw_path
    if not raw.startswith("/"):
        # absolute-form or asterisk-form target: only the URL knows the path
        return request.rel_url.raw_path
    return raw


class AbstractResource(abc.ABC):
    """An entry of the routing table: a path (or path family) and its routes.

    ``len(resource)`` is the number of routes, iteration yields them.
    Subclasses implement :meth:`resolve_path` (the synchronous matcher) plus
    ``canonical``, ``url_for``, ``get_info``, ``add_prefix`` and ``raw_match``.
    """

    __slots__ = ("__weakref__", "_name")

    def __init__(self, *, name: str | None = None) -> None:
        self._name = name

    @property
    def name(self) -> str | None:
        return self._name

    @property
    @abc.abstractmethod
    def canonical(self) -> str:
        """The path this resource stands for, e.g. ``/users/{id}``."""

    @abc.abstractmethod
    def url_for(self, *args: Any, **kwargs: Any) -> URL:
        """Build a URL for this resource."""

    @abc.abstractmethod
    def resolve_path(self, method: str, path: str, host: str | None = None) -> ResolveResult:
        """Match ``path`` (safe-decoded, see ``_quoting``) and ``method``.

        Returns ``(match_info, allowed_methods)``: match info is None when the
        resource does not serve the path or the method; allowed methods are
        those the resource serves for this path (empty if the path is foreign).
        """

    async def resolve(self, request: RequestLike) -> ResolveResult:
        """aiohttp's async API: resolve ``request`` against this resource."""
        return self.resolve_path(request.method, path_safe(request_path(request)), request.host)

    @abc.abstractmethod
    def add_prefix(self, prefix: str) -> None:
        """Prepend ``prefix`` to the paths served (sub-applications)."""

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Introspection data (keys as in aiohttp: path, formatter, pattern, prefix...)."""

    def freeze(self) -> None:
        """Called once by the router's freeze(); resources may finalize here."""
        return None

    @abc.abstractmethod
    def raw_match(self, path: str) -> bool:
        """True when ``path`` is the very path this resource was created from."""

    @abc.abstractmethod
    def __len__(self) -> int: ...

    @abc.abstractmethod
    def __iter__(self) -> Iterator[AbstractRoute]: ...


def check_route_name(name: str) -> None:
    """Reject names that could not be used as dotted identifiers."""
    for part in re.split(r"[.:-]", name):
        if keyword.iskeyword(part):
            raise ValueError(
                f"Incorrect route name {name!r}, python keywords cannot be used for route name"
            )
        if not part.isidentifier():
            raise ValueError(
                f"Incorrect route name {name!r}, the name should be a sequence of "
                "python identifiers separated by dash, dot or column"
            )


def _wrap_plain_function(handler: Callable[[Any], Any]) -> Handler:
    """aiohttp accepts (with a DeprecationWarning) handlers that are not async."""
    warnings.warn("Bare functions are deprecated, use async ones", DeprecationWarning, stacklevel=5)

    @wraps(handler)
    async def handler_wrapper(request: Any) -> Any:
        result = handler(request)
        if inspect.isawaitable(result):
            result = await result
        return result

    return handler_wrapper


def _is_async_def(handler: object) -> bool:
    """True for a plain ``async def`` function: the usual handler, told apart by its code flags.

    A shortcut for route registration only; anything else (partials, marked functions,
    callables) goes to ``inspect.iscoroutinefunction``.
    """
    return type(handler) is types.FunctionType and bool(
        handler.__code__.co_flags & inspect.CO_COROUTINE
    )


def checked_route(
    method: str, handler: HandlerType, expect_handler: ExpectHandler | None
) -> tuple[str, HandlerType]:
    """The route's method (upper-cased) and handler (a bare function wrapped, with aiohttp's
    DeprecationWarning) once the three are checked; what every route's ``__init__`` does."""
    if not isinstance(method, str):
        raise TypeError(f"method must be a str, got {method!r}")
    method = method.upper()
    if method not in _COMMON_METHODS and not _HTTP_METHOD_RE.fullmatch(method):
        raise ValueError(f"{method} is not allowed HTTP method")
    if not callable(handler):
        raise TypeError(f"handler must be callable, got {handler!r}")
    if expect_handler is not None and not callable(expect_handler):
        raise TypeError(f"expect_handler must be callable, got {expect_handler!r}")
    # _is_async_def, inline: this runs for every route of every application
    if not (
        (type(handler) is types.FunctionType and handler.__code__.co_flags & inspect.CO_COROUTINE)
        or isinstance(handler, type)
        or inspect.iscoroutinefunction(handler)
    ):
        handler = _wrap_plain_function(handler)
    return method, handler


class AbstractRoute(abc.ABC):
    """A (method, handler) pair; ``*`` as method matches any method.

    ``expect_handler`` None means "the application's default" (web-app sends
    ``100 Continue``); this package never imports web-app.
    """

    __slots__ = ("__weakref__", "_expect_handler", "_handler", "_method", "_resource")

    def __init__(
        self,
        method: str,
        handler: HandlerType,
        *,
        expect_handler: ExpectHandler | None = None,
        resource: AbstractResource | None = None,
    ) -> None:
        self._method, self._handler = checked_route(method, handler, expect_handler)
        self._expect_handler = expect_handler
        self._resource = resource

    @property
    def method(self) -> str:
        return self._method

    @property
    def handler(self) -> HandlerType:
        return self._handler

    @property
    def expect_handler(self) -> ExpectHandler | None:
        """The route's own expect handler, None when the app default applies."""
        return self._expect_handler

    @property
    @abc.abstractmethod
    def name(self) -> str | None:
        """The route's name (its resource's name)."""

    @property
    def resource(self) -> AbstractResource | None:
        return self._resource

    @abc.abstractmethod
    def get_info(self) -> dict[str, Any]:
        """Introspection data of the route (its resource's)."""

    @abc.abstractmethod
    def url_for(self, *args: Any, **kwargs: Any) -> URL:
        """Build a URL for the route (shortcut to ``resource.url_for``)."""

    async def handle_expect_header(self, request: Any) -> Any:
        """Run the route's expect handler if one is set; None otherwise."""
        if self._expect_handler is None:
            return None
        return await self._expect_handler(request)


class AbstractMatchInfo(abc.ABC):
    """The result of resolving a request (aiohttp's ``abc.AbstractMatchInfo``).

    The abstract members are aiohttp's.  ``current_app`` (the application
    whose handler or middleware runs) has a default here so that a user's
    own match info, written for aiohttp, needs nothing more.
    """

    __slots__ = ()

    @property
    @abc.abstractmethod
    def handler(self) -> HandlerType: ...

    @property
    @abc.abstractmethod
    def expect_handler(self) -> Callable[[Any], Awaitable[Any]]: ...

    @property
    @abc.abstractmethod
    def http_exception(self) -> Exception | None: ...

    @abc.abstractmethod
    def get_info(self) -> Mapping[str, Any]: ...

    @property
    @abc.abstractmethod
    def apps(self) -> tuple[Any, ...]: ...

    @abc.abstractmethod
    def add_app(self, app: Any) -> None: ...

    @abc.abstractmethod
    def freeze(self) -> None: ...

    def bind(self, app: Any) -> HandlerType:
        """``add_app(app)``, ``freeze()``, then the ``handler``: what an application does
        with the match it routed to (``UrlMappingMatchInfo`` does it in one Python call)."""
        self.add_app(app)
        self.freeze()
        return self.handler

    @property
    def current_app(self) -> Any:
        """The app set last (see the setter), else the innermost one of :attr:`apps`."""
        app = getattr(self, "_current_app", None)
        if app is None:
            apps = self.apps
            if not apps:
                raise RuntimeError("No application was added to this match info")
            app = apps[-1]
        return app

    @current_app.setter
    def current_app(self, app: Any) -> None:
        if app not in self.apps:
            raise RuntimeError(f"Expected one of the following apps {self.apps!r}, got {app!r}")
        self._current_app = app  # type: ignore[misc]  # a subclass without __slots__ has a dict


class AbstractRouter(abc.ABC):
    """aiohttp's ``abc.AbstractRouter``: anything that resolves a request to match info.

    ``Application(router=...)`` takes any subclass; :class:`UrlDispatcher` is
    the one every application gets by default.
    """

    def __init__(self) -> None:
        self._frozen = False

    def post_init(self, app: Any) -> None:
        """Called by the application that takes this router (not abstract, as in aiohttp)."""

    @property
    def frozen(self) -> bool:
        return self._frozen

    def freeze(self) -> None:
        """Called when the application freezes."""
        self._frozen = True

    @abc.abstractmethod
    async def resolve(self, request: Any) -> AbstractMatchInfo:
        """The match info for ``request`` (a miss is match info whose handler raises)."""


EMPTY_METHODS = _EMPTY
