"""normalize_path_middleware: merge_slashes, append_slash, remove_slash, order of attempts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from web_app import (
    Application,
    HTTPFound,
    HTTPNotFound,
    HTTPPermanentRedirect,
    Request,
    Response,
    StreamResponse,
    normalize_path_middleware,
)

#: The `make_request` fixture of conftest.py: (app, method, target, headers, version, host).
MakeRequest = Callable[..., Request]


async def ok(request: Request) -> StreamResponse:
    return Response(text=request.path)


def make_app(**kwargs: Any) -> Application:
    app = Application(middlewares=[normalize_path_middleware(**kwargs)])
    for path in ("/a/", "/b", "/c/d/", "/e/f", "/{x}/g/"):
        app.router.add_get(path, ok)
    return app


async def location(app: Application, target: str, make_request: MakeRequest) -> str:
    with pytest.raises(HTTPPermanentRedirect) as info:
        await app._handle(make_request(app, "GET", target))
    assert info.value.status == 308
    return info.value.headers["Location"]


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/a", "/a/"),
        ("/a?x=1", "/a/?x=1"),
        ("//b", "/b"),
        ("/c//d", "/c/d/"),
        ("/c//d/?q", "/c/d/?q"),
        ("/e//f", "/e/f"),
        ("/z/g", "/z/g/"),
    ],
    ids=[
        "append",
        "append-keeps-query",
        "merge",
        "merge-then-append",
        "merge-keeps-query",
        "merge-only",
        "append-dynamic",
    ],
)
async def test_default_append_and_merge(
    target: str, expected: str, make_request: MakeRequest
) -> None:

    assert await location(make_app(), target, make_request) == expected


async def test_resolving_request_is_untouched(make_request: MakeRequest) -> None:
    app = make_app()
    resp = await app._handle(make_request(app, "GET", "/b"))
    assert isinstance(resp, Response)
    assert resp.text == "/b"


async def test_nothing_resolves_keeps_404(make_request: MakeRequest) -> None:
    app = make_app()
    with pytest.raises(HTTPNotFound):
        await app._handle(make_request(app, "GET", "/nowhere"))


@pytest.mark.parametrize(
    "target, expected",
    [("/b/", "/b"), ("//b/", "/b"), ("/e//f/", "/e/f")],
    ids=["remove", "merge-and-remove", "merge-and-remove-inner"],
)
async def test_remove_slash(target: str, expected: str, make_request: MakeRequest) -> None:
    app = make_app(append_slash=False, remove_slash=True)
    assert await location(app, target, make_request) == expected


async def test_merge_disabled(make_request: MakeRequest) -> None:
    app = make_app(merge_slashes=False)
    with pytest.raises(HTTPNotFound):
        await app._handle(make_request(app, "GET", "//b"))
    assert await location(app, "/a", make_request) == "/a/"


async def test_append_disabled(make_request: MakeRequest) -> None:
    app = make_app(append_slash=False)
    with pytest.raises(HTTPNotFound):
        await app._handle(make_request(app, "GET", "/a"))


async def test_merge_tried_before_append(make_request: MakeRequest) -> None:
    app = Application(middlewares=[normalize_path_middleware()])
    app.router.add_get("/m", ok)
    app.router.add_get("/m/", ok)
    # "//m" merged is "/m" (resolves) before "//m/" is considered
    assert await location(app, "//m", make_request) == "/m"


async def test_custom_redirect_class(make_request: MakeRequest) -> None:
    app = Application(middlewares=[normalize_path_middleware(redirect_class=HTTPFound)])
    app.router.add_get("/a/", ok)
    with pytest.raises(HTTPFound) as info:
        await app._handle(make_request(app, "GET", "/a"))
    assert info.value.status == 302


@pytest.mark.parametrize("target", ["//evil.example", "///evil.example", "/%5Cevil.example"])
async def test_never_redirects_to_another_host(target: str, make_request: MakeRequest) -> None:
    app = Application(middlewares=[normalize_path_middleware(merge_slashes=False)])
    app.router.add_get("/{name}/", ok)
    # a Location starting with "//" would send browsers to another host
    loc = await location(app, target, make_request)
    assert loc.startswith("/") and not loc.startswith("//")
    assert loc.endswith("evil.example/")


def test_append_and_remove_together_rejected() -> None:
    with pytest.raises(AssertionError):
        normalize_path_middleware(append_slash=True, remove_slash=True)
