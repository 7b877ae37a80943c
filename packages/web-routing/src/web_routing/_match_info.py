"""Match info: the dict of path variables plus the route that matched."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ._abc import AbstractMatchInfo, AbstractRoute, HandlerType
from ._routes import SystemRoute

if TYPE_CHECKING:
    _BaseDict = dict[str, str]
else:
    _BaseDict = dict

__all__ = ("MatchInfoError", "UrlMappingMatchInfo")


class UrlMappingMatchInfo(_BaseDict, AbstractMatchInfo):
    """Path variables (as a dict) and the matched route.

    Created once per request, so it is slotted and does as little as possible
    in ``__init__``: the apps stack starts as a shared empty tuple.
    """

    __slots__ = ("_apps", "_current_app", "_frozen", "_route")

    def __init__(self, match_dict: dict[str, str], route: AbstractRoute) -> None:
        if match_dict:
            dict.__init__(self, match_dict)
        self._route = route
        self._apps: tuple[Any, ...] = ()
        self._current_app: Any = None
        self._frozen = False

    @property
    def route(self) -> AbstractRoute:
        return self._route

    @property
    def handler(self) -> HandlerType:
        return self._route.handler

    @property
    def expect_handler(self) -> Callable[[Any], Awaitable[Any]]:
        """The route's ``handle_expect_header`` (None-handler routes return None)."""
        return self._route.handle_expect_header

    @property
    def http_exception(self) -> Exception | None:
        return None

    def get_info(self) -> dict[str, Any]:
        return self._route.get_info()

    @property
    def apps(self) -> tuple[Any, ...]:
        """Applications from the outermost to the one owning the route."""
        return self._apps

    def add_app(self, app: Any) -> None:
        """Push ``app`` as the new outermost application (sub-app resolution)."""
        if self._frozen:
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        if self._current_app is None:
            self._current_app = app
        self._apps = (app, *self._apps)

    @property
    def current_app(self) -> Any:
        app = self._current_app
        if app is None:
            raise RuntimeError("No application was added to this match info")
        return app

    @current_app.setter
    def current_app(self, app: Any) -> None:
        if app not in self._apps:
            raise RuntimeError(f"Expected one of the following apps {self._apps!r}, got {app!r}")
        self._current_app = app

    @contextmanager
    def set_current_app(self, app: Any) -> Iterator[None]:
        """Make ``app`` current for the ``with`` block (middlewares of sub-apps)."""
        if app not in self._apps:
            raise RuntimeError(f"Expected one of the following apps {self._apps!r}, got {app!r}")
        prev = self._current_app
        self._current_app = app
        try:
            yield
        finally:
            self._current_app = prev

    def freeze(self) -> None:
        self._frozen = True

    def bind(self, app: Any) -> HandlerType:
        """``add_app(app)``, ``freeze()`` and ``handler`` inlined (once per request)."""
        if self._frozen:
            raise RuntimeError("Cannot change apps stack after .freeze() call")
        if self._current_app is None:
            self._current_app = app
        self._apps = (app, *self._apps)
        self._frozen = True
        return self._route.handler

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A subclass changing one of the three steps gets them called one by one.
        super().__init_subclass__(**kwargs)
        if "bind" not in cls.__dict__ and any(
            name in cls.__dict__ for name in ("add_app", "freeze", "handler")
        ):
            cls.bind = AbstractMatchInfo.bind  # type: ignore[method-assign]

    def __repr__(self) -> str:
        return f"<MatchInfo {dict.__repr__(self)}: {self._route!r}>"


class MatchInfoError(UrlMappingMatchInfo):
    """The result of a miss: its handler raises ``http_exception``.

    ``status`` and ``allowed_methods`` are kept next to the exception so that
    routers can combine results (sub-applications) without knowing the
    exception type the dispatcher's ``make_http_exception`` chose.
    """

    __slots__ = ("_allowed_methods", "_exception", "_status")

    def __init__(
        self,
        http_exception: Exception,
        *,
        status: int | None = None,
        allowed_methods: Iterable[str] | None = None,
    ) -> None:
        super().__init__({}, SystemRoute(http_exception))
        self._exception = http_exception
        if status is None:
            status = int(getattr(http_exception, "status", 404))
        self._status = status
        if allowed_methods is None:
            allowed_methods = getattr(http_exception, "allowed_methods", ())
        self._allowed_methods = frozenset(allowed_methods)

    @property
    def http_exception(self) -> Exception:
        return self._exception

    @property
    def status(self) -> int:
        return self._status

    @property
    def allowed_methods(self) -> frozenset[str]:
        """Methods of the resources that matched the path (405); empty for 404."""
        return self._allowed_methods

    def __repr__(self) -> str:
        route = self._route
        assert isinstance(route, SystemRoute)
        return f"<MatchInfoError {route.status}: {route.reason}>"
