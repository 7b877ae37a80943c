"""View: dispatch to the verb methods, 405 with Allow otherwise."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from web_app import Application, HTTPMethodNotAllowed, Request, Response, StreamResponse, View

#: The `make_request` fixture of conftest.py: (app, method, target, headers, version, host).
MakeRequest = Callable[..., Request]


class ItemView(View):
    async def get(self) -> StreamResponse:
        return Response(text=f"get {self.request.match_info['id']}")

    async def post(self) -> StreamResponse:
        return Response(text="post", status=201)


def make_app() -> Application:
    app = Application()
    app.router.add_view("/items/{id}", ItemView)
    return app


@pytest.mark.parametrize(
    "method, status, text",
    [("GET", 200, "get 7"), ("POST", 201, "post")],
    ids=["get", "post"],
)
async def test_verbs_dispatch(
    method: str, status: int, text: str, make_request: MakeRequest
) -> None:
    app = make_app()
    resp = await app._handle(make_request(app, method, "/items/7"))
    assert isinstance(resp, Response)
    assert (resp.status, resp.text) == (status, text)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "PATCH", "PROPFIND"])
async def test_other_verbs_get_405_with_allow(method: str, make_request: MakeRequest) -> None:
    app = make_app()
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await app._handle(make_request(app, method, "/items/1"))
    assert info.value.status == 405
    assert set(info.value.allowed_methods) == {"GET", "POST"}
    assert info.value.headers["Allow"] in ("GET,POST", "POST,GET")


async def test_view_exposes_request_and_is_awaitable(make_request: MakeRequest) -> None:
    class Echo(View):
        async def get(self) -> StreamResponse:
            return Response(text=self.request.path)

    app = Application()
    request = make_request(app, "GET", "/direct")
    view = Echo(request)
    assert view.request is request
    resp = await view
    assert isinstance(resp, Response)
    assert resp.text == "/direct"


async def test_view_attributes_that_are_not_verbs_are_ignored(make_request: MakeRequest) -> None:
    class Odd(View):
        helper = "not a verb"

    app = Application()
    app.router.add_view("/", Odd)
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await app._handle(make_request(app, "GET", "/"))
    assert set(info.value.allowed_methods) == set()
