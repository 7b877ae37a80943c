from __future__ import annotations

from typing import Any

import pytest
from web_routing import AbstractMatchInfo, MatchInfoError, UrlDispatcher, UrlMappingMatchInfo


async def h1(request: Any) -> str:
    return "h1"


async def expect(request: Any) -> str:
    return f"expect:{request}"


def test_match_info_is_a_dict(router: UrlDispatcher) -> None:
    router.add_get("/v/{x}", h1)
    mi = router.match("GET", "/v/1")
    assert isinstance(mi, dict)
    assert isinstance(mi, AbstractMatchInfo)
    assert isinstance(mi, UrlMappingMatchInfo)
    assert mi == {"x": "1"}
    assert mi.get_info() == mi.route.get_info()
    assert "MatchInfo" in repr(mi)


async def test_expect_handler(router: UrlDispatcher) -> None:
    router.add_post("/e", h1, expect_handler=expect)
    router.add_post("/n", h1)
    with_handler = router.match("POST", "/e")
    assert with_handler.route.expect_handler is expect
    assert await with_handler.expect_handler("req") == "expect:req"
    without = router.match("POST", "/n")
    assert without.route.expect_handler is None
    assert await without.expect_handler("req") is None
    assert await without.route.handle_expect_header("req") is None


def test_apps_stack(router: UrlDispatcher) -> None:
    router.add_get("/a", h1)
    mi = router.match("GET", "/a")
    assert len(mi.apps) == 0
    with pytest.raises(RuntimeError):
        _ = mi.current_app
    inner, outer = object(), object()
    mi.add_app(inner)
    mi.add_app(outer)
    assert list(mi.apps) == [outer, inner]
    assert mi.current_app is inner
    mi.current_app = outer
    assert mi.current_app is outer
    with pytest.raises(RuntimeError, match="Expected one of"):
        mi.current_app = object()
    with mi.set_current_app(inner):
        assert mi.current_app is inner
    assert mi.current_app is outer
    mi.freeze()
    with pytest.raises(RuntimeError, match="freeze"):
        mi.add_app(object())


def test_set_current_app_rejects_unknown(router: UrlDispatcher) -> None:
    router.add_get("/a", h1)
    mi = router.match("GET", "/a")
    with pytest.raises(RuntimeError), mi.set_current_app(object()):
        pass


def test_each_match_gets_a_fresh_object(router: UrlDispatcher) -> None:
    router.add_get("/a", h1)
    first = router.match("GET", "/a")
    first.add_app("app")
    first["k"] = "v"
    second = router.match("GET", "/a")
    assert second.apps == () and dict(second) == {}


def test_match_info_error_repr_and_defaults() -> None:
    class Exc(Exception):
        status = 405
        reason = "Method Not Allowed"
        allowed_methods = frozenset({"GET"})

    mi = MatchInfoError(Exc())
    assert mi.status == 405
    assert mi.allowed_methods == {"GET"}
    assert repr(mi) == "<MatchInfoError 405: Method Not Allowed>"
    assert mi.route.status == 405  # type: ignore[attr-defined]


def test_bind_adds_the_app_freezes_and_returns_the_handler(router: UrlDispatcher) -> None:
    router.add_get("/a", h1)
    mi = router.match("GET", "/a")
    inner, outer = object(), object()
    mi.add_app(inner)
    assert mi.bind(outer) is h1
    assert list(mi.apps) == [outer, inner]
    assert mi.current_app is inner
    with pytest.raises(RuntimeError, match="freeze"):
        mi.add_app(object())
    with pytest.raises(RuntimeError, match="freeze"):
        mi.bind(object())


def test_bind_of_a_miss_returns_the_handler_raising_its_exception(router: UrlDispatcher) -> None:
    mi = router.match("GET", "/nowhere")
    app = object()
    handler = mi.bind(app)
    assert mi.apps == (app,)
    assert handler == mi.route.handler


def test_bind_calls_the_steps_a_subclass_overrides(router: UrlDispatcher) -> None:
    calls: list[str] = []

    class Traced(UrlMappingMatchInfo):
        def add_app(self, app: Any) -> None:
            calls.append("add_app")
            super().add_app(app)

        def freeze(self) -> None:
            calls.append("freeze")
            super().freeze()

    route = router.add_get("/t", h1)
    mi = Traced({}, route)
    assert mi.bind("app") is h1
    assert calls == ["add_app", "freeze"]
    assert mi.apps == ("app",)


def test_bind_of_a_users_own_match_info() -> None:
    class Own(AbstractMatchInfo):
        def __init__(self) -> None:
            self._apps: tuple[Any, ...] = ()
            self.frozen = False

        @property
        def handler(self) -> Any:
            return h1

        @property
        def expect_handler(self) -> Any:
            return expect

        @property
        def http_exception(self) -> None:
            return None

        def get_info(self) -> dict[str, Any]:
            return {}

        @property
        def apps(self) -> tuple[Any, ...]:
            return self._apps

        def add_app(self, app: Any) -> None:
            self._apps = (app, *self._apps)

        def freeze(self) -> None:
            self.frozen = True

    own = Own()
    assert own.bind("app") is h1
    assert own.apps == ("app",) and own.frozen
