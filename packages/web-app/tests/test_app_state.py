"""Application as a dict-like object: keys, freezing, identity."""

from __future__ import annotations

import logging
import warnings
from collections.abc import AsyncIterator

import pytest
import web_routing
from web_app import (
    AppKey,
    Application,
    Handler,
    NotAppKeyWarning,
    Request,
    StreamResponse,
    UrlDispatcher,
    middleware,
)

DB = AppKey("db", str)


def test_app_key_set_get_without_warning() -> None:
    app = Application()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app[DB] = "sqlite"
    assert app[DB] == "sqlite"
    assert app.get(DB) == "sqlite"
    assert DB in app
    assert list(app) == [DB]
    assert len(app) == 1


def test_str_key_warns_not_app_key() -> None:
    app = Application()
    with pytest.warns(NotAppKeyWarning):
        app["plain"] = 1
    assert app["plain"] == 1


def test_get_default_and_delete() -> None:
    app = Application()
    assert app.get(DB) is None
    assert app.get(DB, "x") == "x"
    app[DB] = "v"
    del app[DB]
    assert DB not in app
    with pytest.raises(KeyError):
        app[DB]


def test_state_change_after_freeze_warns_as_aiohttp_3_14() -> None:
    app = Application()
    app[DB] = "v"
    app.freeze()
    with pytest.warns(DeprecationWarning, match="Changing state of started or joined"):
        app[DB] = "w"
    assert app[DB] == "w"
    with pytest.warns(DeprecationWarning, match="Changing state of started or joined"):
        del app[DB]
    assert DB not in app


async def test_state_writable_during_startup_even_when_frozen() -> None:
    app = Application()

    async def ctx(app: Application) -> AsyncIterator[None]:
        app[DB] = "opened"
        yield
        # cleanup may read the state (changed late, with a warning, below)
        assert app[DB] == "later"

    app.cleanup_ctx.append(ctx)
    app.freeze()
    await app.startup()
    assert app[DB] == "opened"
    with pytest.warns(DeprecationWarning, match="Changing state"):
        app[DB] = "later"
    await app.cleanup()


def test_routes_frozen_after_freeze() -> None:
    app = Application()
    app.freeze()

    async def handler(request: object) -> None:
        raise AssertionError("never called")

    @middleware
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        return await handler(request)

    async def on_startup(app: Application) -> None:
        raise AssertionError("never called")

    with pytest.raises(RuntimeError):
        app.router.add_get("/", handler)
    with pytest.raises(RuntimeError):
        app.middlewares.append(mw)
    with pytest.raises(RuntimeError):
        app.on_startup.append(on_startup)


def test_identity_hash_bool_repr_call() -> None:
    a = Application()
    b = Application()
    assert a != b  # two empty apps are still two services
    assert a == a
    assert len({a, b}) == 2
    assert bool(a)  # even though len(a) == 0
    assert len(a) == 0
    assert repr(a).startswith("<Application 0x")
    assert a() is a


def test_defaults() -> None:
    app = Application()
    assert isinstance(app.router, UrlDispatcher)
    assert isinstance(app.router, web_routing.UrlDispatcher)
    assert isinstance(app.logger, logging.Logger)
    assert app.client_max_size == 1024**2
    assert app.debug is False
    assert list(app.middlewares) == []
    assert not app.frozen
    assert not app.pre_frozen


def test_custom_settings() -> None:
    logger = logging.getLogger("test.app")
    app = Application(logger=logger, client_max_size=10, handler_args={"x": 1}, debug=True)
    assert app.logger is logger
    assert app.client_max_size == 10
    assert app.handler_args == {"x": 1}
    assert app.debug is True


def test_custom_router_deprecated_but_used() -> None:
    router = UrlDispatcher()
    with pytest.warns(DeprecationWarning):
        app = Application(router=router)
    assert app.router is router


@pytest.mark.parametrize(
    "kwargs, exc",
    [
        ({"client_max_size": -1}, ValueError),
        ({"client_max_size": "big"}, ValueError),
        ({"handler_args": [1]}, TypeError),
    ],
    ids=["negative-size", "str-size", "list-handler-args"],
)
def test_bad_arguments(kwargs: dict[str, object], exc: type[Exception]) -> None:
    with pytest.raises(exc):
        Application(**kwargs)  # type: ignore[arg-type]


def test_bad_router_type() -> None:
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError):
        Application(router=object())  # type: ignore[arg-type]


def test_subclassing_is_discouraged() -> None:
    with pytest.warns(DeprecationWarning, match="discouraged"):

        class MyApp(Application):
            """A user subclass (allowed with a warning, as in aiohttp 3.x)."""

    assert isinstance(MyApp(), Application)


def test_freeze_is_idempotent_and_recursive() -> None:
    app = Application()
    sub = Application()
    app.add_subapp("/sub", sub)
    assert sub.pre_frozen and not sub.frozen
    app.freeze()
    app.freeze()
    assert app.frozen and sub.frozen
    assert app.router.frozen
