"""Application._handle: routing, expect handling, middleware chains, sub-apps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web_app import (
    AppKey,
    Application,
    Handler,
    HTTPExpectationFailed,
    HTTPMethodNotAllowed,
    HTTPNotFound,
    Request,
    Response,
    StreamResponse,
    middleware,
)

#: The `make_request` fixture of conftest.py: (app, method, target, headers, version, host).
MakeRequest = Callable[..., Request]


async def handle(app: Application, request: Request) -> Response:
    resp = await app._handle(request)
    assert isinstance(resp, Response)
    return resp


async def ok(request: Request) -> StreamResponse:
    return Response(text="ok")


async def test_plain_route_and_request_attributes(make_request: MakeRequest) -> None:
    app = Application()
    seen: dict[str, Any] = {}

    async def handler(request: Request) -> StreamResponse:
        seen["app"] = request.app
        seen["match"] = dict(request.match_info)
        seen["apps"] = request.match_info.apps
        return Response(text="hi")

    app.router.add_get("/users/{name}", handler)
    resp = await handle(app, make_request(app, "GET", "/users/bob"))
    assert resp.text == "hi"
    assert seen == {"app": app, "match": {"name": "bob"}, "apps": (app,)}


async def test_not_found_and_method_not_allowed(make_request: MakeRequest) -> None:
    app = Application()
    app.router.add_post("/p", ok)
    app.router.add_put("/p", ok)
    with pytest.raises(HTTPNotFound):
        await app._handle(make_request(app, "GET", "/missing"))
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await app._handle(make_request(app, "GET", "/p"))
    assert info.value.status == 405
    assert set(info.value.allowed_methods) == {"POST", "PUT"}


async def test_middlewares_outermost_first(make_request: MakeRequest) -> None:
    order: list[str] = []

    def make(name: str) -> Any:
        @middleware
        async def mw(request: Request, handler: Handler) -> StreamResponse:
            order.append(f"{name} in")
            resp = await handler(request)
            order.append(f"{name} out")
            return resp

        return mw

    app = Application(middlewares=[make("a"), make("b")])
    app.router.add_get("/", ok)
    await handle(app, make_request(app))
    assert order == ["a in", "b in", "b out", "a out"]


async def test_middleware_chain_built_once_per_route(make_request: MakeRequest) -> None:
    handlers: list[object] = []

    @middleware
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        handlers.append(handler)
        return await handler(request)

    @middleware
    async def outer(request: Request, handler: Handler) -> StreamResponse:
        handlers.append(handler)
        return await handler(request)

    app = Application(middlewares=[outer, mw])
    app.router.add_get("/", ok)
    await handle(app, make_request(app))
    await handle(app, make_request(app))
    # the inner chain handed to each middleware is the same object each time
    assert handlers[0] is handlers[2]
    assert handlers[1] is handlers[3]
    # wrappers keep the handler's metadata for middlewares that inspect it
    assert getattr(handlers[0], "__name__", None) == "ok"


async def test_middleware_sees_misses_and_can_answer_them(make_request: MakeRequest) -> None:
    @middleware
    async def error_pages(request: Request, handler: Handler) -> StreamResponse:
        try:
            return await handler(request)
        except HTTPNotFound:
            return Response(text="custom 404", status=404)

    app = Application(middlewares=[error_pages])
    resp = await handle(app, make_request(app, "GET", "/nothing"))
    assert (resp.status, resp.text) == (404, "custom 404")
    resp = await handle(app, make_request(app, "GET", "/nothing-else"))
    assert resp.text == "custom 404"


async def test_middleware_may_replace_request_with_clone(make_request: MakeRequest) -> None:
    @middleware
    async def rewrite(request: Request, handler: Handler) -> StreamResponse:
        return await handler(request.clone(method="POST"))

    async def post_only(request: Request) -> StreamResponse:
        return Response(text=f"{request.method} {request.match_info['x']}")

    app = Application(middlewares=[rewrite])
    app.router.add_get("/{x}", post_only)
    resp = await handle(app, make_request(app, "GET", "/v"))
    assert resp.text == "POST v"


async def test_subapp_middlewares_and_current_app(make_request: MakeRequest) -> None:
    order: list[tuple[str, Application]] = []

    def make(name: str) -> Any:
        @middleware
        async def mw(request: Request, handler: Handler) -> StreamResponse:
            order.append((name, request.app))
            resp = await handler(request)
            order.append((name + " after", request.app))
            return resp

        return mw

    root = Application(middlewares=[make("root")])
    sub = Application(middlewares=[make("sub")])

    async def handler(request: Request) -> StreamResponse:
        order.append(("handler", request.app))
        assert request.match_info.apps == (root, sub)
        return Response(text="sub")

    sub.router.add_get("/x", handler)
    root.add_subapp("/sub/", sub)
    resp = await handle(root, make_request(root, "GET", "/sub/x"))
    assert resp.text == "sub"
    assert order == [
        ("root", root),
        ("sub", sub),
        ("handler", sub),
        ("sub after", sub),
        ("root after", root),
    ]


async def test_subapp_without_middlewares_under_root_with_middlewares(
    make_request: MakeRequest,
) -> None:
    seen: list[Application] = []

    @middleware
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        seen.append(request.app)
        return await handler(request)

    root = Application(middlewares=[mw])
    sub = Application()

    async def handler(request: Request) -> StreamResponse:
        seen.append(request.app)
        return Response()

    sub.router.add_get("/h", handler)
    root.add_subapp("/s", sub)
    await handle(root, make_request(root, "GET", "/s/h"))
    assert seen == [root, sub]


async def test_subapp_only_middlewares_do_not_run_for_root_routes(
    make_request: MakeRequest,
) -> None:
    seen: list[str] = []

    @middleware
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        seen.append(request.path)
        return await handler(request)

    root = Application()
    sub = Application(middlewares=[mw])
    sub.router.add_get("/h", ok)
    root.router.add_get("/r", ok)
    root.add_subapp("/s", sub)
    await handle(root, make_request(root, "GET", "/r"))
    await handle(root, make_request(root, "GET", "/s/h"))
    with pytest.raises(HTTPNotFound):
        await root._handle(make_request(root, "GET", "/s/missing"))
    assert seen == ["/s/h", "/s/missing"]


async def test_config_dict_chains_to_parents(make_request: MakeRequest) -> None:
    key = AppKey("k", str)
    only_root = AppKey("only_root", str)
    root = Application()
    sub = Application()
    root[key] = "root"
    root[only_root] = "r"
    sub[key] = "sub"
    got: dict[str, str] = {}

    async def handler(request: Request) -> StreamResponse:
        got["k"] = request.config_dict[key]
        got["only_root"] = request.config_dict[only_root]
        return Response()

    sub.router.add_get("/h", handler)
    root.add_subapp("/s", sub)
    await handle(root, make_request(root, "GET", "/s/h"))
    assert got == {"k": "sub", "only_root": "r"}


async def test_add_domain_exact_and_mask(make_request: MakeRequest) -> None:
    root = Application()
    exact = Application()
    masked = Application()

    async def which(request: Request) -> StreamResponse:
        return Response(text=str(request.match_info.apps.index(request.app)))

    async def exact_h(request: Request) -> StreamResponse:
        return Response(text="exact")

    async def masked_h(request: Request) -> StreamResponse:
        return Response(text="masked")

    exact.router.add_get("/", exact_h)
    masked.router.add_get("/", masked_h)
    root.router.add_get("/", which)
    res = root.add_domain("example.org", exact)
    root.add_domain("*.example.org", masked)
    assert type(res).__name__ == "MatchedSubAppResource"

    # Host: example.com matches no domain: the root's own route answers
    assert (await handle(root, make_request(root))).text == "0"
    for host, expected in [
        ("example.org", "exact"),
        ("EXAMPLE.org", "exact"),
        ("api.example.org", "masked"),
        ("a.b.example.org", "masked"),
    ]:
        assert (await handle(root, make_request(root, host=host))).text == expected


@pytest.mark.parametrize(
    "args, exc",
    [(("", None), ValueError), ((1, None), TypeError), (("/x", "app"), TypeError)],
    ids=["empty-prefix", "non-str-prefix", "not-an-app"],
)
def test_add_subapp_bad_arguments(args: tuple[Any, Any], exc: type[Exception]) -> None:
    app = Application()
    sub = Application() if args[1] is None else args[1]
    with pytest.raises(exc):
        app.add_subapp(args[0], sub)


def test_add_subapp_frozen_rules() -> None:
    app = Application()
    with pytest.raises(ValueError):
        app.add_subapp("/self", app)
    frozen = Application()
    frozen.freeze()
    with pytest.raises(RuntimeError):
        app.add_subapp("/f", frozen)
    app.freeze()
    with pytest.raises(RuntimeError):
        app.add_subapp("/late", Application())
    with pytest.raises(TypeError):
        Application().add_domain(1, Application())  # type: ignore[arg-type]


async def test_expect_100_continue_written_before_handler(make_request: MakeRequest) -> None:
    app = Application()
    order: list[str] = []

    async def handler(request: Request) -> StreamResponse:
        order.append("handler")
        return Response(text="body")

    app.router.add_post("/", handler)
    request = make_request(app, "POST", "/", headers=(("Expect", "100-continue"),))
    await handle(app, request)
    writer: Any = request.writer
    assert writer.written == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    assert writer.output_size == 0
    assert order == ["handler"]


async def test_expect_100_continue_then_the_middleware_chain(make_request: MakeRequest) -> None:
    order: list[str] = []

    @middleware
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        order.append("mw")
        return await handler(request)

    async def handler(request: Request) -> StreamResponse:
        order.append("handler")
        return Response(text="body")

    app = Application(middlewares=[mw])
    app.router.add_post("/", handler)
    for _ in range(2):  # the chain built, then the cached one
        request = make_request(app, "POST", "/", headers=(("Expect", "100-continue"),))
        assert (await handle(app, request)).text == "body"
        writer: Any = request.writer
        assert writer.written == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    assert order == ["mw", "handler", "mw", "handler"]


async def test_routing_errors_raise_where_handle_is_awaited(make_request: MakeRequest) -> None:
    app = Application()
    app.router.add_get("/", ok)
    awaitable = app._handle(make_request(app, "GET", "/"))
    assert (await awaitable).text == "ok"  # type: ignore[attr-defined]
    with pytest.raises(HTTPNotFound):
        await app._handle(make_request(app, "GET", "/nowhere"))


async def test_unknown_expectation_is_417(make_request: MakeRequest) -> None:
    app = Application()
    app.router.add_post("/", ok)
    request = make_request(app, "POST", "/", headers=(("Expect", "teapot"),))
    with pytest.raises(HTTPExpectationFailed) as info:
        await app._handle(request)
    assert info.value.status == 417


async def test_http10_expect_is_ignored(make_request: MakeRequest) -> None:
    app = Application()
    app.router.add_post("/", ok)
    request = make_request(app, "POST", "/", headers=(("Expect", "100-continue"),), version="1.0")
    assert (await handle(app, request)).text == "ok"
    writer: Any = request.writer
    assert writer.written == []


async def test_route_expect_handler_may_answer(make_request: MakeRequest) -> None:
    app = Application()

    async def refuse(request: Request) -> StreamResponse:
        return Response(status=401, text="no")

    app.router.add_post("/", ok, expect_handler=refuse)
    request = make_request(app, "POST", "/", headers=(("Expect", "100-continue"),))
    resp = await handle(app, request)
    assert (resp.status, resp.text) == (401, "no")


async def test_legacy_middleware_factory(make_request: MakeRequest) -> None:
    async def factory(app: Application, handler: Handler) -> Handler:
        async def mw(request: Request) -> StreamResponse:
            resp = await handler(request)
            resp.headers["X-Legacy"] = "1"
            return resp

        return mw

    app = Application(middlewares=[factory])  # type: ignore[list-item]
    app.router.add_get("/", ok)
    with pytest.warns(DeprecationWarning):
        app.freeze()
    resp = await handle(app, make_request(app))
    assert resp.headers["X-Legacy"] == "1"


async def test_on_response_prepare_of_every_app_fires(make_request: MakeRequest) -> None:
    root = Application()
    sub = Application()
    fired: list[Application] = []

    async def on_prepare_root(request: Request, response: StreamResponse) -> None:
        fired.append(root)

    async def on_prepare_sub(request: Request, response: StreamResponse) -> None:
        fired.append(sub)

    root.on_response_prepare.append(on_prepare_root)
    sub.on_response_prepare.append(on_prepare_sub)
    sub.router.add_get("/h", ok)
    root.add_subapp("/s", sub)
    request = make_request(root, "GET", "/s/h")
    resp = await root._handle(request)
    await request._prepare_hook(resp)
    assert fired == [root, sub]
