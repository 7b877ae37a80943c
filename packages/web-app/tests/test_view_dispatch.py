"""View: dispatch to the verb methods, 405 with Allow otherwise."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from web_app import Application, HTTPMethodNotAllowed, Request, Response, StreamResponse, View
from web_http import EMPTY_PAYLOAD, HttpRequestParser, RequestHead


class _Writer:
    """Records what the expect handler writes before any response."""

    def __init__(self) -> None:
        self.written: list[bytes] = []
        self.output_size = 0

    async def write(self, data: bytes) -> None:
        self.written.append(data)
        self.output_size += len(data)

    async def drain(self) -> None:
        return None


class _Protocol:
    transport = None


def make_request(
    app: Application,
    method: str = "GET",
    target: str = "/",
    headers: tuple[tuple[str, str], ...] = (),
    version: str = "1.1",
) -> Request:
    lines = [f"{method} {target} HTTP/{version}", "Host: example.com"]
    lines += [f"{name}: {value}" for name, value in headers]
    events = HttpRequestParser().feed(("\r\n".join(lines) + "\r\n\r\n").encode())
    head = events[0]
    assert isinstance(head, RequestHead)
    task = asyncio.current_task()
    assert task is not None
    app.freeze()
    proto: Any = _Protocol()
    writer: Any = _Writer()
    return app._make_request(head, EMPTY_PAYLOAD, proto, writer, task)


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
async def test_verbs_dispatch(method: str, status: int, text: str) -> None:
    app = make_app()
    resp = await app._handle(make_request(app, method, "/items/7"))
    assert isinstance(resp, Response)
    assert (resp.status, resp.text) == (status, text)


@pytest.mark.parametrize("method", ["PUT", "DELETE", "HEAD", "PATCH", "PROPFIND"])
async def test_other_verbs_get_405_with_allow(method: str) -> None:
    app = make_app()
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await app._handle(make_request(app, method, "/items/1"))
    assert info.value.status == 405
    assert set(info.value.allowed_methods) == {"GET", "POST"}
    assert info.value.headers["Allow"] in ("GET,POST", "POST,GET")


async def test_view_exposes_request_and_is_awaitable() -> None:
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


async def test_view_attributes_that_are_not_verbs_are_ignored() -> None:
    class Odd(View):
        helper = "not a verb"

    app = Application()
    app.router.add_view("/", Odd)
    with pytest.raises(HTTPMethodNotAllowed) as info:
        await app._handle(make_request(app, "GET", "/"))
    assert set(info.value.allowed_methods) == set()
