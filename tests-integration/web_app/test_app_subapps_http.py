"""Sub-applications and domains over real sockets: prefixes, Host matching, middleware order."""

from __future__ import annotations

from typing import Any

from support import serve_app_client as serve
from web_app import Application, Handler, Request, Response, StreamResponse, middleware


def tagging(name: str) -> Any:
    @middleware
    async def mw(request: Request, handler: Handler) -> StreamResponse:
        resp = await handler(request)
        resp.headers.add("X-Chain", f"{name}:{id(request.app) == id(owner[name])}")
        return resp

    return mw


owner: dict[str, Application] = {}


async def who(request: Request) -> StreamResponse:
    apps = request.match_info.apps
    return Response(text=f"{len(apps)} {request.match_info.get('x', '-')}")


async def test_prefix_subapp_routes_and_middleware_order() -> None:
    root = Application(middlewares=[tagging("root")])
    sub = Application(middlewares=[tagging("sub")])
    owner.update(root=root, sub=sub)
    root.router.add_get("/", who)
    sub.router.add_get("/item/{x}", who)
    resource = root.add_subapp("/api", sub)
    assert resource.canonical == "/api"
    async with serve(root) as client:
        resp = await client.get("/api/item/9")
        assert resp.text == "2 9"
        # the sub-app's middleware is inside the root's: it tags first
        assert resp.headers.get_list("X-Chain") == ["sub:True", "root:True"]
        resp = await client.get("/")
        assert resp.text == "1 -"
        assert resp.headers.get_list("X-Chain") == ["root:True"]
        assert (await client.get("/api/missing")).status_code == 404
        assert (await client.post("/api/item/1")).status_code == 405


async def test_domains_exact_and_mask() -> None:
    root = Application()
    exact = Application()
    mask = Application()

    def text(value: str) -> Handler:
        async def handler(request: Request) -> StreamResponse:
            return Response(text=value)

        return handler

    root.router.add_get("/", text("root"))
    exact.router.add_get("/", text("exact"))
    mask.router.add_get("/", text("mask"))
    root.add_domain("example.com", exact)
    root.add_domain("*.example.com", mask)
    async with serve(root) as client:
        for host, expected in [
            ("example.com", "exact"),
            ("Example.COM", "exact"),
            ("api.example.com", "mask"),
            ("other.org", "root"),
        ]:
            resp = await client.get("/", headers={"Host": host})
            assert resp.text == expected, host


async def test_nested_subapps_current_app_chain() -> None:
    root = Application()
    mid = Application()
    leaf = Application()

    async def handler(request: Request) -> StreamResponse:
        apps = request.match_info.apps
        assert apps == (root, mid, leaf)
        assert request.app is leaf
        return Response(text="leaf")

    leaf.router.add_get("/x", handler)
    mid.add_subapp("/leaf", leaf)
    root.add_subapp("/mid", mid)
    async with serve(root) as client:
        assert (await client.get("/mid/leaf/x")).text == "leaf"
