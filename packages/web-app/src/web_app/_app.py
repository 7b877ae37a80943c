"""Application (routing table, middlewares, sub-apps, serving) and Request.

``Request`` is the ``BaseRequest`` an application hands to its handlers: its ``app`` is an
``Application`` and the application builds it, so the two public types name each other and
live in one module (and so do ``Handler`` and ``Middleware``, the types of what handles a
``Request``). What an application is besides: its state mapping (``_app_state.AppState``),
its loop, freezing flags and lifecycle signals (``_app_lifecycle.AppLifecycle``), and the
middleware chains it composes (``_handler_chain``), all below this module.

Theory of operation
-------------------
An application is configured (routes, middlewares, signals, sub-apps, state),
then frozen by the runner (``freeze()``, also done by ``_make_handler()``).
Freezing is where every per-app decision that does not depend on a request is
taken once: the middleware lists become tuples, the router builds its index,
and the application tree learns whether any middleware exists at all and
whether any router needs the request's host (domain sub-apps).

Per request, ``_handle`` resolves synchronously with ``router.match``, pushes
the app on the match info's apps stack, answers ``Expect`` and calls the
handler, or the chain ``_handler_chain.compose`` built for the (route, app
chain) on its first request, cached on the handling app.
"""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable, Iterable, Mapping
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar, cast

from aiosignal import Signal
from frozenlist import FrozenList
from web_http import hdrs
from web_routing import (
    AbstractMatchInfo,
    AbstractResource,
    AbstractRoute,
    AbstractRouteDef,
    AbstractRouter,
    Domain,
    MaskDomain,
    MatchedSubAppResource,
    PrefixedSubAppResource,
    SystemRoute,
    UrlDispatcher as BaseUrlDispatcher,
    UrlMappingMatchInfo,
)

from ._access_log import AbstractAccessLogger, AbstractAsyncAccessLogger
from ._app_lifecycle import (
    AppLifecycle,
    CleanupContext,
    CleanupError,
    middleware_kinds,
    send_subapp_signal,
    tree_needs_host,
)
from ._app_state import AppState
from ._base_request import BaseRequest
from ._dispatcher import UrlDispatcher, default_expect_handler
from ._handler_chain import LegacyChain, compose, compose_legacy, raise_miss
from ._keys import ChainMapProxy
from ._server import Server

if TYPE_CHECKING:
    from web_http import RequestHead, StreamReader

    from ._stream_response import StreamResponse
    from ._types import RequestConnection
    from ._writer import PayloadWriter

__all__ = (
    "Application",
    "CleanupContext",
    "CleanupError",
    "Handler",
    "Middleware",
    "Request",
)

_R = TypeVar("_R", bound=AbstractResource)

web_logger = logging.getLogger("web.web")


class Request(BaseRequest):
    """The request an :class:`Application` hands to handlers and middlewares.

    ``match_info`` is set by the application right after routing; ``app`` is
    the application whose middleware or handler is running now (a sub-app
    inside its own layer), ``config_dict`` chains that app's state to its
    parents'.
    """

    # BaseRequest's constructor is aiohttp's and Request adds no __init__ (one
    # Python call less per request): the slot stays unset until the
    # application routes the request, which it does right after creating it.
    __slots__ = ("_match_info",)

    _match_info: UrlMappingMatchInfo | None

    def clone(self, **kwargs: Any) -> Request:
        """A modified copy (see BaseRequest.clone) that keeps the match info."""
        new = super().clone(**kwargs)
        if not isinstance(new, Request):
            raise TypeError(f"clone() built {type(new).__name__}, expected Request")
        new._match_info = getattr(self, "_match_info", None)
        new._prepare_hooked = self._prepare_hooked
        return new

    @property
    def match_info(self) -> UrlMappingMatchInfo:
        """Path variables of the matched route (a dict), with ``route`` and ``apps``."""
        match_info: UrlMappingMatchInfo | None = getattr(self, "_match_info", None)
        if match_info is None:
            raise RuntimeError("match_info is not available before routing")
        return match_info

    @property
    def app(self) -> Application:
        """The application running the current middleware layer or handler."""
        app: Application = self.match_info.current_app
        return app

    @property
    def config_dict(self) -> ChainMapProxy:
        """``app`` state, then each parent's: ``request.config_dict[key]``."""
        match_info = self.match_info
        apps = match_info.apps
        idx = apps.index(match_info.current_app)
        return ChainMapProxy(reversed(apps[: idx + 1]))

    #: The application routing the request says whether its hook has work (``_handle``).
    _class_prepare_hook = False

    async def _prepare_hook(self, response: StreamResponse) -> None:
        """Fire ``on_response_prepare`` of every app the request went through."""
        match_info = getattr(self, "_match_info", None)
        if match_info is None:
            return
        for app in match_info.apps:
            signal = app._on_response_prepare
            if signal:
                await signal.send(self, response)


Handler = Callable[[Request], Awaitable["StreamResponse"]]
Middleware = Callable[[Request, Handler], Awaitable["StreamResponse"]]

_RespPrepareSignal = Signal["Request", "StreamResponse"]


def _is_access_logger_class(cls: object) -> bool:
    """A subclass of either logger ABC; its MRO is looked at first (``issubclass()`` of an
    ABC is a Python-level call), ``issubclass()`` still answers for registered classes."""
    if not isinstance(cls, type):
        return False
    mro = cls.__mro__
    return (
        AbstractAccessLogger in mro
        or AbstractAsyncAccessLogger in mro
        or issubclass(cls, (AbstractAccessLogger, AbstractAsyncAccessLogger))
    )


class Application(AppState, AppLifecycle["Application"]):
    """The web application: router, state (dict-like, typed with AppKey), signals."""

    #: What :meth:`add_asgi` runs: ``mount(app, prefix, asgi_app)`` returning the resource.
    #: web-app runs no ASGI itself: web-asgi sets this to its ``add_asgi`` when it is imported
    #: (``import web`` does when web-asgi is installed), so web-app never imports it.
    asgi_mount: ClassVar[Callable[..., AbstractResource] | None] = None

    def __init__(
        self,
        *,
        logger: logging.Logger = web_logger,
        router: AbstractRouter | None = None,
        middlewares: Iterable[Middleware] = (),
        handler_args: Mapping[str, Any] | None = None,
        client_max_size: int | None = 1024**2,
        client_max_fields: int = 1000,
        loop: asyncio.AbstractEventLoop | None = None,
        debug: Any = ...,
    ) -> None:
        if router is None:
            router = UrlDispatcher()
            custom_router = False
        else:
            warnings.warn("router argument is deprecated", DeprecationWarning, stacklevel=2)
            if not isinstance(router, AbstractRouter):
                raise TypeError(f"router must be an AbstractRouter, got {router!r}")
            # a router of the user's own: resolved with its async resolve(), per request
            custom_router = not isinstance(router, BaseUrlDispatcher)
        if loop is not None:
            warnings.warn("loop argument is deprecated", DeprecationWarning, stacklevel=2)
        if client_max_size is not None and (
            not isinstance(client_max_size, int) or client_max_size < 0
        ):
            raise ValueError(
                f"client_max_size must be a non-negative int or None, got {client_max_size!r}"
            )
        if not isinstance(client_max_fields, int) or client_max_fields < 0:
            raise ValueError(
                f"client_max_fields must be a non-negative int, got {client_max_fields!r}"
            )
        if handler_args is not None and not isinstance(handler_args, Mapping):
            raise TypeError(f"handler_args must be a mapping, got {handler_args!r}")
        self.logger = logger
        # typed as the default router, as aiohttp does, even when it is one of the user's own
        self._router = cast("BaseUrlDispatcher", router)
        self._custom_router = custom_router
        self._handler_args = handler_args
        self._client_max_size = client_max_size
        self._client_max_fields = client_max_fields
        self._middlewares: FrozenList[Middleware] = FrozenList(middlewares)
        self._state = {}
        self._init_lifecycle(loop, debug)
        #: Made on first use (most apps never add a handler): see on_response_prepare.
        self._on_response_prepare: _RespPrepareSignal | None = None

        #: Whether an app of this tree has on_response_prepare handlers (exact once frozen).
        self._prepare_in_tree = True
        # filled by pre_freeze()
        self._middleware_tuple: tuple[Middleware, ...] = ()
        self._middleware_kinds: tuple[tuple[Any, bool], ...] = ()
        self._run_middlewares = False
        self._has_legacy = False
        self._needs_host = False
        self._chains: dict[AbstractRoute, tuple[tuple[Application, ...], Handler]] = {}
        self._miss_chains: dict[tuple[Application, ...], Handler] = {}
        router.post_init(self)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        warnings.warn(
            f"Inheritance class {cls.__name__} from web.Application is discouraged",
            DeprecationWarning,
            stacklevel=3,
        )

    def __repr__(self) -> str:
        return f"<Application 0x{id(self):x}>"

    def __call__(self) -> Application:
        """gunicorn compatibility: the app factory that returns the app."""
        return self

    # -- configuration --------------------------------------------------------

    @property
    def router(self) -> BaseUrlDispatcher:
        """The router; typed as the default one (as aiohttp does) even when it is a custom one."""
        return self._router

    @property
    def middlewares(self) -> FrozenList[Middleware]:
        return self._middlewares

    @property
    def client_max_size(self) -> int | None:
        """Bodies larger than this answer 413 (0 or None: no bound)."""
        return self._client_max_size

    @property
    def client_max_fields(self) -> int:
        """Forms with more fields than this answer 413 (0: no bound)."""
        return self._client_max_fields

    @property
    def handler_args(self) -> Mapping[str, Any] | None:
        return self._handler_args

    @property
    def on_response_prepare(self) -> _RespPrepareSignal:
        signal = self._on_response_prepare
        if signal is None:
            # made on first use, frozen as it would be had it been there all along
            signal = self._on_response_prepare = Signal(self)
            if self._pre_frozen:
                signal.freeze()
        return signal

    def add_routes(self, routes: Iterable[AbstractRouteDef]) -> list[AbstractRoute]:
        return self._router.add_routes(routes)

    def add_subapp(self, prefix: str, subapp: Application) -> PrefixedSubAppResource:
        """Serve ``subapp`` below ``prefix``; returns the resource registered."""
        if not isinstance(prefix, str):
            raise TypeError("Prefix must be str")
        prefix = prefix.rstrip("/")
        if not prefix:
            raise ValueError("Prefix cannot be empty")
        self._check_subapp(subapp)
        return self._register_subapp(PrefixedSubAppResource(prefix, subapp), subapp)

    def add_asgi(self, prefix: str, asgi_app: Callable[..., Awaitable[None]]) -> AbstractResource:
        """Serve the ASGI application ``asgi_app`` (http and websocket) below ``prefix``.

        Provided by the web-asgi package (``web_asgi.add_asgi``, see :attr:`asgi_mount`).
        """
        mount = type(self).asgi_mount
        if mount is None:
            raise RuntimeError(
                "Application.add_asgi() needs the web-asgi package: pip install web-asgi,"
                " then import web_asgi (or web) so it registers itself"
            )
        return mount(self, prefix, asgi_app)

    def add_domain(self, domain: str, subapp: Application) -> MatchedSubAppResource:
        """Serve ``subapp`` for requests whose Host is ``domain`` (``*`` masks allowed)."""
        if not isinstance(domain, str):
            raise TypeError("Domain must be str")
        self._check_subapp(subapp)
        rule = MaskDomain(domain) if "*" in domain else Domain(domain)
        return self._register_subapp(MatchedSubAppResource(rule, subapp), subapp)

    def _check_subapp(self, subapp: Application) -> None:
        if not isinstance(subapp, Application):
            raise TypeError(f"subapp must be an Application, got {subapp!r}")
        if subapp is self:
            raise ValueError("Cannot add an application to itself")
        if self._frozen:
            raise RuntimeError("Cannot add sub application to frozen application")
        if subapp._frozen:
            raise RuntimeError("Cannot add frozen application")
        for app in (self, subapp):
            if app._custom_router:
                raise TypeError(
                    "sub-applications need UrlDispatcher routers on both sides, "
                    f"{app!r} has {app._router!r}"
                )

    def _register_subapp(self, resource: _R, subapp: Application) -> _R:
        self._router.register_resource(resource)
        for name in ("on_startup", "on_shutdown", "on_cleanup"):
            getattr(self, name).append(partial(send_subapp_signal, subapp, name))
        self._subapps.append(subapp)
        subapp.pre_freeze()
        if self._loop is not None:
            subapp._set_loop(self._loop)
        return resource

    # -- freezing -------------------------------------------------------------

    def pre_freeze(self) -> None:
        """Freeze the configuration (routes, middlewares, signals) of this tree."""
        if self._pre_frozen:
            return
        self._pre_frozen = True
        self._middlewares.freeze()
        self._router.freeze()
        if self._on_response_prepare is not None:
            self._on_response_prepare.freeze()
        self._cleanup_ctx.freeze()
        self._on_startup.freeze()
        if self._on_shutdown is not None:
            self._on_shutdown.freeze()
        self._on_cleanup.freeze()
        run = False
        if self._middlewares:  # else the defaults of __init__ stand (no generator to run)
            kinds = self._middleware_kinds = middleware_kinds(self._middlewares)
            self._middleware_tuple = tuple(mw for mw, new in kinds if new)
            self._has_legacy = not all(new for _, new in kinds)
            run = True
        for subapp in self._subapps:
            subapp.pre_freeze()
            run = run or subapp._run_middlewares
            self._has_legacy = self._has_legacy or subapp._has_legacy
        self._run_middlewares = run
        self._needs_host = tree_needs_host(self._router)

    def freeze(self) -> None:
        if self._frozen:
            return
        self.pre_freeze()
        self._frozen = True
        for subapp in self._subapps:
            subapp.freeze()
        # every signal is frozen now, and no sub-application can be added any more
        self._prepare_in_tree = bool(self._on_response_prepare) or (
            bool(self._subapps) and any(subapp._prepare_in_tree for subapp in self._subapps)
        )

    # -- serving --------------------------------------------------------------

    def _make_handler(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        access_log_class: Any = None,
        **kwargs: Any,
    ) -> Server:
        if access_log_class is not None and not _is_access_logger_class(access_log_class):
            raise TypeError(
                "access_log_class must be a subclass of web.abc.AbstractAccessLogger or "
                f"web.abc.AbstractAsyncAccessLogger, got {access_log_class!r}"
            )
        self._set_loop(loop)
        self.freeze()
        kwargs["debug"] = self.debug
        kwargs["access_log_class"] = access_log_class
        if self._handler_args:
            kwargs.update(self._handler_args)
        return Server(
            self._handle,  # type: ignore[arg-type]
            request_factory=self._make_request,
            loop=self._loop,
            **kwargs,
        )

    def make_handler(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        access_log_class: Any = None,
        **kwargs: Any,
    ) -> Server:
        warnings.warn(
            "Application.make_handler(...) is deprecated, use AppRunner API instead",
            DeprecationWarning,
            stacklevel=2,
        )
        return self._make_handler(loop=loop, access_log_class=access_log_class, **kwargs)

    def _make_request(
        self,
        message: RequestHead,
        payload: StreamReader,
        protocol: RequestConnection,
        writer: PayloadWriter,
        task: asyncio.Task[None],
        _cls: type[Request] = Request,
    ) -> Request:
        loop = self._loop
        if loop is None:
            loop = asyncio.get_running_loop()
        # Positional arguments only, the limits set after: a class called with keywords
        # costs a dict and its unpacking, more than the two stores.
        request = _cls(message, payload, protocol, writer, task, loop)
        request._client_max_size = self._client_max_size
        request._client_max_fields = self._client_max_fields
        return request

    def _handle(self, request: Request) -> Awaitable[StreamResponse]:
        """Route ``request``; the awaitable returned runs its middlewares and handler.

        A plain function rather than a coroutine: the connection awaits the handler's own
        coroutine (or the chain's) directly, one coroutine less per request. Routing errors
        raise here, inside the same ``await app._handle(request)`` as before.
        """
        if self._custom_router:
            return self._handle_custom(request)
        message = request._message  # the request head: no property calls on the hot path
        path = message.target
        if path[:1] != "/":
            # absolute-form target: only the URL knows the path
            path = request.rel_url.raw_path
        match_info: UrlMappingMatchInfo = self._router.match(
            message.method, path, request.host if self._needs_host else None
        )
        handler = match_info.bind(self)  # add_app(self), freeze(), handler
        request._match_info = match_info
        if self._prepare_in_tree:
            request._prepare_hooked = True  # which apps of the match have handlers: at prepare

        if hdrs.EXPECT in message.headers:
            return self._handle_expect(request, match_info, handler)
        if not self._run_middlewares:
            return handler(request)
        # hot path: the chain of an already seen (route, app chain)
        entry = self._chains.get(match_info.route)
        if entry is not None and entry[0] == match_info.apps:
            return entry[1](request)
        return self._build_chain(match_info)(request)

    async def _handle_expect(
        self, request: Request, match_info: UrlMappingMatchInfo, handler: Handler
    ) -> StreamResponse:
        """``_handle`` for a request with Expect: the expect handler first, then as usual."""
        expect = match_info.route.expect_handler or default_expect_handler
        resp = await expect(request)
        await request.writer.drain()
        if resp is not None:
            return cast("StreamResponse", resp)
        if not self._run_middlewares:
            handled: StreamResponse = await handler(request)
            return handled
        entry = self._chains.get(match_info.route)
        if entry is not None and entry[0] == match_info.apps:
            return await entry[1](request)
        return await self._build_chain(match_info)(request)

    async def _handle_custom(self, request: Request) -> StreamResponse:
        """aiohttp's generic path: any AbstractRouter, any AbstractMatchInfo it returns."""
        match_info: AbstractMatchInfo = await cast("AbstractRouter", self._router).resolve(request)
        if not isinstance(match_info, AbstractMatchInfo):
            raise TypeError(f"match_info should be AbstractMatchInfo instance, not {match_info!r}")
        match_info.add_app(self)
        match_info.freeze()
        request._match_info = match_info  # type: ignore[assignment]
        request._prepare_hooked = True  # the apps of a custom match: looked at in prepare
        if hdrs.EXPECT in request._message.headers:
            if isinstance(match_info, UrlMappingMatchInfo):
                expect = match_info.route.expect_handler or default_expect_handler
            else:
                expect = match_info.expect_handler
            resp = await expect(request)
            await request.writer.drain()
            if resp is not None:
                return cast("StreamResponse", resp)
        handler = cast("Handler", match_info.handler)
        if self._run_middlewares:
            apps = cast("tuple[Application, ...]", match_info.apps)
            if self._has_legacy:
                handler = await compose_legacy(handler, apps)
            else:
                handler = compose(handler, apps)
        return await handler(request)

    def _build_chain(self, match_info: UrlMappingMatchInfo) -> Handler:
        """The middleware-wrapped handler for this match; cached unless per-request."""
        route = match_info.route
        apps: tuple[Application, ...] = match_info.apps
        if isinstance(route, SystemRoute):
            handler = self._miss_chains.get(apps)
            if handler is None:
                if self._has_legacy:
                    return LegacyChain(raise_miss, apps)
                handler = self._miss_chains[apps] = compose(raise_miss, apps)
            return handler
        route_handler = cast("Handler", route.handler)
        if self._has_legacy:
            return LegacyChain(route_handler, apps)
        handler = compose(route_handler, apps)
        self._chains[route] = (apps, handler)
        return handler
