"""An application's life outside requests: its loop, freezing, startup/shutdown/cleanup.

``AppLifecycle`` is the base of ``Application`` (in ``_app``) that owns the loop, the frozen
flags and the ``on_startup``/``on_shutdown``/``on_cleanup`` signals with ``cleanup_ctx``
(``CleanupContext``); a parent passes its signals on to each sub-application
(``send_subapp_signal``). The per-app decisions ``pre_freeze()`` takes once are made here too:
which middlewares are old-style, whether matching needs the Host header. Nothing here knows
``Application`` or ``Request`` by name (``AppLifecycle`` is generic in the application type),
so this module sits below ``_app``.
"""

from __future__ import annotations

import asyncio
import warnings
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Generic, TypeVar, cast

from aiosignal import Signal
from frozenlist import FrozenList
from web_routing import (
    AbstractRouter,
    DynamicResource,
    MatchedSubAppResource,
    PlainResource,
    PrefixedSubAppResource,
    UrlDispatcher as BaseUrlDispatcher,
)

__all__ = (
    "AppLifecycle",
    "CleanupContext",
    "CleanupError",
    "middleware_kinds",
    "send_subapp_signal",
    "tree_needs_host",
)

#: Resource classes that hold no sub-application (exactly these, not their subclasses).
_PATH_RESOURCES = frozenset((PlainResource, DynamicResource))

_A = TypeVar("_A")
_App = TypeVar("_App", bound="AppLifecycle[Any]")


class CleanupError(RuntimeError):
    """Several cleanup contexts failed; ``exceptions`` holds every error."""

    @property
    def exceptions(self) -> list[BaseException]:
        return cast("list[BaseException]", self.args[1])


class CleanupContext(
    FrozenList[Callable[[_A], "AbstractAsyncContextManager[None] | AsyncIterator[None]"]]
):
    """``app.cleanup_ctx``: startup/cleanup pairs written as one async generator.

    At startup each item runs up to its ``yield`` (in order); at cleanup the
    started ones resume after it, in reverse order, every one of them even
    when some fail.  Items may also return async context managers.
    """

    def __init__(self) -> None:
        super().__init__()
        self._exits: list[AbstractAsyncContextManager[None]] = []

    async def _on_startup(self, app: _A) -> None:
        for factory in self:
            ctx = factory(app)
            if not isinstance(ctx, AbstractAsyncContextManager):
                ctx = asynccontextmanager(cast("Callable[[_A], AsyncIterator[None]]", factory))(app)
            await ctx.__aenter__()
            self._exits.append(ctx)

    async def _on_cleanup(self, app: _A) -> None:
        errors: list[BaseException] = []
        exits, self._exits = self._exits, []
        for ctx in reversed(exits):
            try:
                await ctx.__aexit__(None, None, None)
            except (Exception, asyncio.CancelledError) as exc:
                errors.append(exc)
        if len(errors) == 1:
            raise errors[0]
        if errors:
            raise CleanupError("Multiple errors on cleanup stage", errors)


class AppLifecycle(Generic[_App]):
    """The loop, frozen flags, lifecycle signals and cleanup contexts of an application.

    ``_App`` is the application type (``Application`` subclasses ``AppLifecycle[Application]``),
    so its signals are typed ``Signal[Application]``.
    """

    _loop: asyncio.AbstractEventLoop | None
    _debug: Any  # ``...`` until a loop is set: then the loop's debug flag
    _frozen: bool
    _pre_frozen: bool
    #: True while ``on_startup`` runs (state set then does not warn).
    _starting: bool
    #: True once :meth:`shutdown` ran (``on_shutdown`` is frozen then).
    _shut_down: bool
    _subapps: list[_App]

    def _init_lifecycle(self, loop: asyncio.AbstractEventLoop | None, debug: Any) -> None:
        self._loop = loop
        self._debug = debug
        self._frozen = False
        self._pre_frozen = False
        self._starting = False
        self._shut_down = False
        self._subapps = []
        self._on_startup: Signal[_App] = Signal(self)
        self._on_shutdown: Signal[_App] | None = None  # made on first use: see on_shutdown
        self._on_cleanup: Signal[_App] = Signal(self)
        self._cleanup_ctx: CleanupContext[_App] = CleanupContext()
        self._on_startup.append(self._cleanup_ctx._on_startup)
        self._on_cleanup.append(self._cleanup_ctx._on_cleanup)

    @property
    def debug(self) -> bool:
        return self._debug is not ... and bool(self._debug)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        warnings.warn("loop property is deprecated", DeprecationWarning, stacklevel=2)
        return cast("asyncio.AbstractEventLoop", self._loop)

    @property
    def on_startup(self) -> Signal[_App]:
        return self._on_startup

    @property
    def on_shutdown(self) -> Signal[_App]:
        signal = self._on_shutdown
        if signal is None:
            # made on first use (most apps add no handler), frozen as it would be had it
            # been there all along (pre_freeze() and shutdown() freeze it)
            signal = self._on_shutdown = Signal(self)
            if self._pre_frozen or self._shut_down:
                signal.freeze()
        return signal

    @property
    def on_cleanup(self) -> Signal[_App]:
        return self._on_cleanup

    @property
    def cleanup_ctx(self) -> CleanupContext[_App]:
        return self._cleanup_ctx

    @property
    def pre_frozen(self) -> bool:
        return self._pre_frozen

    @property
    def frozen(self) -> bool:
        return self._frozen

    def _set_loop(self, loop: asyncio.AbstractEventLoop | None) -> None:
        if loop is None:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = asyncio.get_event_loop_policy().get_event_loop()
        if self._loop is not None and self._loop is not loop:
            raise RuntimeError("web.Application instance initialized with different loop")
        self._loop = loop
        if self._debug is ...:
            self._debug = loop.get_debug()
        for subapp in self._subapps:
            subapp._set_loop(loop)

    async def startup(self) -> None:
        """Fire ``on_startup`` (cleanup contexts run up to their ``yield`` here)."""
        self._on_startup.freeze()
        if _only(self._on_startup, self._cleanup_ctx._on_startup) and not self._cleanup_ctx:
            return  # nothing registered: no signal coroutines (most test applications)
        self._starting = True
        try:
            await self._on_startup.send(cast("_App", self))
        finally:
            self._starting = False

    async def shutdown(self) -> None:
        """Fire ``on_shutdown``; called before :meth:`cleanup`."""
        self._shut_down = True
        signal = self._on_shutdown
        if signal is not None:
            signal.freeze()
            if signal:
                await signal.send(cast("_App", self))

    async def cleanup(self) -> None:
        """Fire ``on_cleanup`` (cleanup contexts finish, in reverse order)."""
        if self._on_cleanup.frozen:
            if (
                _only(self._on_cleanup, self._cleanup_ctx._on_cleanup)
                and not self._cleanup_ctx._exits
            ):
                return  # nothing registered, no context started
            await self._on_cleanup.send(cast("_App", self))
        else:
            # startup failed before the app was frozen: undo what started
            await self._cleanup_ctx._on_cleanup(cast("_App", self))


def _only(signal: Signal[Any], handler: Callable[..., Any]) -> bool:
    """True when ``handler`` is all ``signal`` holds."""
    return len(signal) == 1 and signal[0] == handler


async def send_subapp_signal(subapp: AppLifecycle[Any], name: str, app: object) -> None:
    """Parent signal handler that fires the same signal of a sub-application."""
    if name == "on_startup":
        await subapp.startup()
    elif name == "on_shutdown":
        await subapp.shutdown()
    else:
        await subapp.cleanup()


def middleware_kinds(middlewares: Iterable[Any]) -> tuple[tuple[Any, bool], ...]:
    """Each middleware with whether it is new-style; old-style ones warn (once, at freeze)."""
    kinds: list[tuple[Any, bool]] = []
    for mw in middlewares:
        new_style = getattr(mw, "__middleware_version__", None) == 1
        if not new_style:
            warnings.warn(
                f'old-style middleware "{mw!r}" deprecated, see #2252',
                DeprecationWarning,
                stacklevel=3,  # the caller of pre_freeze()
            )
        kinds.append((mw, new_style))
    return tuple(kinds)


def tree_needs_host(router: AbstractRouter, seen: set[int] | None = None) -> bool:
    """True when matching may depend on the Host header (a domain sub-app below).

    A router reached twice (shared by a parent and a sub-app) is looked at once.
    """
    # the MRO first: isinstance() of an ABC is a Python-level call
    if BaseUrlDispatcher not in type(router).__mro__ and not isinstance(router, BaseUrlDispatcher):
        return True  # a custom router may read anything of the request
    seen = set() if seen is None else seen
    seen.add(id(router))
    for resource in cast(BaseUrlDispatcher, router).resources():
        if type(resource) in _PATH_RESOURCES:
            continue  # the usual resource: no need for the isinstance() checks (ABCs, slow)
        if isinstance(resource, MatchedSubAppResource):
            return True
        if isinstance(resource, PrefixedSubAppResource):
            sub = resource.app.router
            if id(sub) not in seen and tree_needs_host(sub, seen):
                return True
    return False
